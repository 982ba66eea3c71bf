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
    from django.db.models import TextField
    from django.db.models.functions import Cast
    from modelsearch.backends.database.sqlite.query import BM25, MatchExpression, normalize
    from modelsearch.backends.database.sqlite.sqlite import (
        SQLiteAutocompleteQueryCompiler,
        SQLiteFTSIndexEntry,
        SQLiteIndex,
        SQLiteSearchBackend,
        SQLiteSearchQueryCompiler,
        SQLiteSearchResults,
    )
    from modelsearch.query import MatchAll, Not
    from modelsearch.utils import get_descendants_content_types_pks

    class ChineseSQLiteIndex(ChineseIndexMixin, SQLiteIndex):
        pass

    class MonotonicRankMixin:
        # FTS5's bm25() scores the row against the whole MATCH expression (negative, lower is
        # better). Wagtail combines sub-query ranks of And/Or with products of (1 + rank), which
        # is not monotonic for negative numbers; our queries are And/Or trees, so use bm25() once.
        def build_tsrank(self, vector, query, config=None, boost=1.0):
            rank = BM25()
            return rank * boost if boost != 1.0 else rank

    class TopHitsMixin:
        # Wagtail's SQLite compiler scores each candidate row with a correlated sub-query that
        # re-runs the FTS MATCH per row (quadratic in the number of matches; single characters
        # match many rows). Ranked searches instead take the top ids and scores from the FTS
        # table in one query, restricted to the caller's queryset, then load those objects.
        def _ranked_entries(self, config):
            query = normalize(self.query)
            if isinstance(query, (MatchAll, Not)) or not self.order_by_relevance:
                return None
            match = MatchExpression(self.fields or self.FTS_TABLE_FIELDS, self.build_search_query(query, config=config))
            allowed = self.queryset.order_by().annotate(_yv_oid=Cast("pk", TextField())).values("_yv_oid")
            return (
                SQLiteFTSIndexEntry.objects.filter(match)
                .filter(index_entry__content_type__in=get_descendants_content_types_pks(self.queryset.model))
                .filter(index_entry__object_id__in=allowed)
                .annotate(score=self._build_rank_expression(self.get_search_vectors(), config))
            )

        def top_hits(self, config, start, stop, score_field=None):
            entries = self._ranked_entries(config)
            if entries is None:
                return None
            rows = list(entries.order_by("score", "-index_entry__object_id")
                        .values_list("index_entry__object_id", "score")[start:stop])
            pk_field = self.queryset.model._meta.pk
            by_pk = self.queryset.in_bulk([pk_field.to_python(oid) for oid, _ in rows])
            hits = []
            for oid, score in rows:
                obj = by_pk.get(pk_field.to_python(oid))
                if obj is not None:
                    if score_field:
                        setattr(obj, score_field, score)
                    hits.append(obj)
            return hits

        def count_hits(self, config):
            entries = self._ranked_entries(config)
            return None if entries is None else entries.count()

    class ChineseSQLiteSearchQueryCompiler(TopHitsMixin, MonotonicRankMixin, SQLiteSearchQueryCompiler):
        pass

    class ChineseSQLiteAutocompleteQueryCompiler(TopHitsMixin, MonotonicRankMixin, SQLiteAutocompleteQueryCompiler):
        pass

    class ChineseSQLiteSearchResults(SQLiteSearchResults):
        def _do_search(self):
            hits = self.query_compiler.top_hits(self.query_compiler.get_config(self.backend), self.start, self.stop,
                                                score_field=self._score_field)
            return super()._do_search() if hits is None else hits

        def _do_count(self):
            count = self.query_compiler.count_hits(self.query_compiler.get_config(self.backend))
            return super()._do_count() if count is None else count

    class ChineseSQLiteSearchBackend(ChineseQueryMixin, SQLiteSearchBackend):
        index_class = ChineseSQLiteIndex
        query_compiler_class = ChineseSQLiteSearchQueryCompiler
        autocomplete_query_compiler_class = ChineseSQLiteAutocompleteQueryCompiler
        results_class = ChineseSQLiteSearchResults
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
