"""The embedded default: Wagtail's database search backends with Chinese segmentation.

``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database", ...}}``.
Like ``modelsearch.backends.database``, ``SearchBackend(params)`` picks the implementation for the
default database: SQLite FTS5 (unicode61 tokenizer over our space-separated tokens) or
PostgreSQL (tsvector with the ``simple`` configuration over our tokens, GIN-indexed by Wagtail's
migration). Everything else — upserts, BM25/ts_rank ranking, title norms, atomic rebuilds,
filters, facets — is Wagtail's own code.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from modelsearch.backends.database import SearchBackend as stock_backend_for_connection

from .chinese import ChineseQueryMixin, segmented_documents


class ChineseIndexMixin:
    def add_items(self, model, objs):
        return super().add_items(model, segmented_documents(model, objs))


def _sqlite_backend_class():
    from modelsearch.backends.database.sqlite.query import BM25
    from modelsearch.backends.database.sqlite.sqlite import (
        SQLiteAutocompleteQueryCompiler,
        SQLiteIndex,
        SQLiteSearchBackend,
        SQLiteSearchQueryCompiler,
    )

    class ChineseSQLiteIndex(ChineseIndexMixin, SQLiteIndex):
        pass

    class MonotonicRankMixin:
        # FTS5's bm25() scores the row against the whole MATCH expression (negative, lower is
        # better). Wagtail combines sub-query ranks of And/Or with products of (1 + rank), which
        # is not monotonic for negative numbers; our queries are And/Or trees, so use bm25() once.
        def build_tsrank(self, vector, query, config=None, boost=1.0):
            rank = BM25()
            return rank * boost if boost != 1.0 else rank

    class ChineseSQLiteSearchQueryCompiler(MonotonicRankMixin, SQLiteSearchQueryCompiler):
        pass

    class ChineseSQLiteAutocompleteQueryCompiler(MonotonicRankMixin, SQLiteAutocompleteQueryCompiler):
        pass

    class ChineseSQLiteSearchBackend(ChineseQueryMixin, SQLiteSearchBackend):
        index_class = ChineseSQLiteIndex
        query_compiler_class = ChineseSQLiteSearchQueryCompiler
        autocomplete_query_compiler_class = ChineseSQLiteAutocompleteQueryCompiler
        score_sign = -1  # bm25() is lower-is-better

    return ChineseSQLiteSearchBackend


def _postgres_backend_class():
    from modelsearch.backends.database.postgres.postgres import PostgresIndex, PostgresSearchBackend

    class ChinesePostgresIndex(ChineseIndexMixin, PostgresIndex):
        pass

    class ChinesePostgresSearchBackend(ChineseQueryMixin, PostgresSearchBackend):
        index_class = ChinesePostgresIndex

        def __init__(self, params):
            params = {"SEARCH_CONFIG": "simple", **params}
            super().__init__(params)

    return ChinesePostgresSearchBackend


_classes: dict[str, type] = {}


def backend_class(vendor: str) -> type:
    if vendor not in _classes:
        if vendor == "postgresql":
            _classes[vendor] = _postgres_backend_class()
        elif vendor == "sqlite":
            _classes[vendor] = _sqlite_backend_class()
        else:
            raise ImproperlyConfigured(f"No Chinese search backend for {vendor}; use SQLite, PostgreSQL or Elasticsearch.")
    return _classes[vendor]


def SearchBackend(params):  # noqa: N802 — the name Wagtail looks up in a backend module
    vendor = connection.vendor
    if vendor == "sqlite":
        stock = stock_backend_for_connection(params)
        if type(stock).__name__ != "SQLiteSearchBackend":
            # SQLite without FTS5: Wagtail's LIKE fallback; segmentation would not help it.
            return stock
    return backend_class(vendor)(params)
