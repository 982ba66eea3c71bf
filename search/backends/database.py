"""The embedded default: Wagtail's database search backends with Chinese segmentation.

``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database", ...}}``.
Like ``modelsearch.backends.database``, ``SearchBackend(params)`` picks the implementation for the
default database: SQLite FTS5 (unicode61 tokenizer over our space-separated tokens) or
PostgreSQL (tsvector with the ``simple`` configuration over our tokens, GIN-indexed by Wagtail's
migration). Everything else — upserts, BM25/ts_rank ranking, title norms, atomic rebuilds,
filters, facets — is Wagtail's own code.
"""

import time

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
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
        def _ranked_entries(self, config, score=True):
            query = normalize(self.query)
            if isinstance(query, (MatchAll, Not)) or not self.order_by_relevance:
                return None
            match = MatchExpression(self.fields or self.FTS_TABLE_FIELDS, self.build_search_query(query, config=config))
            allowed = self.queryset.order_by().annotate(_yv_oid=Cast("pk", TextField())).values("_yv_oid")
            entries = (
                SQLiteFTSIndexEntry.objects.filter(match)
                .filter(index_entry__content_type__in=get_descendants_content_types_pks(self.queryset.model))
                .filter(index_entry__object_id__in=allowed)
            )
            if not score:
                return entries
            return entries.annotate(score=self._build_rank_expression(self.get_search_vectors(), config))

        def top_hits(self, config, start, stop, score_field=None):
            entries = self._ranked_entries(config)
            if entries is None:
                return None
            rows = list(entries.order_by("score", "-index_entry__object_id")
                        .values_list("index_entry__object_id", "score")[start:stop])
            if not start and stop is not None and len(rows) < stop:  # every entry: the count is known
                self._yv_count = (self.query, len(rows))
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

        def top_refs(self, config, take):
            """The unified search's path (search.selectors._run): the top `take` (primary key,
            score) pairs and the number of all hits, in one statement (the count is a window over the
            matching entries), without loading the objects — the presentation loads what it shows."""
            from django.db.models import Count, IntegerField, Subquery, Value

            entries = self._ranked_entries(config, score=False)
            if entries is None:
                return None
            # bm25() is refused beside a window function: the count is an uncorrelated sub-query
            # (evaluated once) over the same matching entries, unranked.
            total = Subquery(entries.order_by().annotate(_yv_g=Value(1)).values("_yv_g")
                             .annotate(_yv_n=Count("pk")).values("_yv_n")[:1], output_field=IntegerField())
            ranked = entries.annotate(score=self._build_rank_expression(self.get_search_vectors(), config))
            rows = list(ranked.annotate(_yv_total=total)
                        .order_by("score", "-index_entry__object_id")
                        .values_list("index_entry__object_id", "score", "_yv_total")[:take])
            pk_field = self.queryset.model._meta.pk
            return [(pk_field.to_python(oid), score) for oid, score, _ in rows], (rows[0][2] if rows else 0)

        def count_hits(self, config):
            known = getattr(self, "_yv_count", None)  # top_hits read every entry: no count query
            if known is not None and known[0] == self.query:
                return known[1]
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
    import copy

    from django.conf import settings
    from django.contrib.postgres.search import SearchVectorField
    from django.db.models import Case, F, Field, ForeignObject, Func, IntegerField, Lookup, When
    from django.db.models.expressions import CombinedExpression
    from django.db.models.lookups import Exact
    from modelsearch.backends.database.postgres.postgres import (
        IndexEntry,
        PostgresAutocompleteQueryCompiler,
        PostgresIndex,
        PostgresSearchBackend,
        PostgresSearchQueryCompiler,
        PostgresSearchResults,
    )
    from modelsearch.query import Fuzzy, MatchAll, Not
    from modelsearch.utils import get_descendants_content_types_pks

    class ChinesePostgresIndex(ChineseIndexMixin, PostgresIndex):
        pass

    class AnyOf(Lookup):
        """``pk__any_of=[...]``: ``"id" = ANY(%s)`` with the list as one array parameter. The probe's
        candidate lists (up to YV_SEARCH_PROBE ids) go back to the database several times per
        search; ``pk__in`` makes a placeholder per id and prepares each in Python."""

        lookup_name = "any_of"
        prepare_rhs = False
        can_use_none_as_rhs = False

        def get_db_prep_lookup(self, value, connection):
            return "%s", [list(value)]

        def as_sql(self, compiler, connection):
            lhs, lhs_params = self.process_lhs(compiler, connection)
            rhs, rhs_params = self.process_rhs(compiler, connection)
            return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]

    Field.register_lookup(AnyOf)
    ForeignObject.register_lookup(AnyOf)  # a child page's primary key is its page_ptr

    def newest_of(table: str, ct_ids) -> str:
        """SQL: the entry is among the newest `%s` of these content types' entries (the walk down
        the (content_type_id, id) index of migration yvsearch.0004 to the window's oldest id;
        everything when there are fewer). Params: the content type ids, the window - 1, the
        content type ids again, 0."""
        marks = ", ".join(["%s"] * len(ct_ids))
        # One content type (the questions): a backward walk of the index. Several: by id.
        order = "e.content_type_id DESC, e.id DESC" if len(ct_ids) == 1 else "e.id DESC"
        nth = f'(SELECT e.id FROM "{table}" e WHERE e.content_type_id IN ({marks}) ORDER BY {order} OFFSET %s LIMIT 1)'
        # Bounded on both sides: whichever index the planner walks (it cannot know that this
        # source's newest entries are not spread over the whole table), it walks only the window.
        return f'"{table}"."id" BETWEEN COALESCE({nth}, 0) AND COALESCE({nth}, 0)'

    small_sources: dict = {}  # content type ids -> (fewer entries than the probe window?, checked at)

    def few_entries(ct_ids) -> bool:
        """Whether the index holds fewer than YV_SEARCH_PROBE_WINDOW entries of these content types
        (a bounded count, remembered for SMALL_SOURCE_SECONDS): for such a source the newest-window
        step of the probe is skipped — its entries need not be among the newest of the table."""
        window = settings.YV_SEARCH_PROBE_WINDOW
        cts = tuple(sorted(ct_ids))
        key = (cts, window)
        found = small_sources.get(key)
        if found is None or time.monotonic() - found[1] > SMALL_SOURCE_SECONDS:
            n = IndexEntry._default_manager.filter(content_type_id__in=cts).order_by()[:window].count()
            found = small_sources[key] = (n < window, time.monotonic())
        return found[0]

    def few_entries_many(ct_sets) -> dict:
        """``few_entries`` for several sources, the unknown ones counted in one statement; an empty
        set of content types stands for the whole index."""
        window = settings.YV_SEARCH_PROBE_WINDOW
        keys = {(tuple(sorted(cts)), window) for cts in ct_sets}
        now = time.monotonic()
        stale = [k for k in keys if k not in small_sources or now - small_sources[k][1] > SMALL_SOURCE_SECONDS]
        if stale:
            table = IndexEntry._meta.db_table
            parts, params = [], []
            for cts, _ in stale:  # () stands for the whole index
                marks = ", ".join(["%s"] * len(cts))
                where = f"WHERE content_type_id IN ({marks}) " if cts else ""
                parts.append(f'(SELECT count(*) FROM (SELECT 1 FROM "{table}" {where}LIMIT %s) s)')
                params.extend([*cts, window])
            with connection.cursor() as cur:
                cur.execute("SELECT " + ", ".join(parts), params)
                counts = cur.fetchone()
            for key, n in zip(stale, counts, strict=True):
                small_sources[key] = (n < window, now)
        return {k: small_sources[k][0] for k in keys}

    def _pk_cast(model) -> str | None:
        """The SQL type an index entry's text ``object_id`` is cast to for this model's primary key."""
        field = model._meta.pk
        while field.is_relation:
            field = field.target_field
        return {"AutoField": "integer", "IntegerField": "integer", "BigAutoField": "bigint",
                "BigIntegerField": "bigint", "SmallAutoField": "smallint"}.get(field.get_internal_type())

    class BoundedRankMixin:
        """Never rank, count or sort every match of a frequent word.

        Wagtail ranks every matching row with ts_rank and sorts them, and counts them all: at 10⁶
        questions a word like 创业 or 青年 matches hundreds of thousands of rows (seconds per
        query). Here a query first asks the index table for at most ``YV_SEARCH_PROBE`` matching
        entries (no join, no ordering: the GIN index or a short scan answers it).

        * Fewer than that: the match set is small — exactly those objects are ranked (all of
          them) and counted; the same results as Wagtail's.
        * More: the candidates are the ``YV_SEARCH_RANK_CANDIDATES`` newest matching objects of
          the caller's queryset (with its filters), an order the primary key index delivers;
          only they are ranked. Counts stop at ``YV_SEARCH_COUNT_LIMIT`` + 1 (shown as "1000+").
        """

        def _probe_vector(self, small=False):
            """The vector the probe matches. ``small``: for a source with few entries, wrapped so
            that no GIN index (built over every source's entries) matches it: the planner then reads
            just this source's entries by content type and tests each — a few thousand rows —
            instead of a bitmap of every entry in the table holding a frequent word."""
            if isinstance(self, PostgresAutocompleteQueryCompiler):
                vector = F("autocomplete")
                return Func(vector, function="COALESCE", output_field=SearchVectorField()) if small else vector
            vector = CombinedExpression(F("title"), "||", F("body"), output_field=SearchVectorField())
            if not small:
                return vector
            # Tested entry by entry: an entry without a title (every answer) is its body — the same
            # vector, without building the concatenation for each row (a 5,000-answer walk: 8.5 →
            # 2.9 ms). A CASE is no indexed expression either.
            return Case(When(Exact(Func(F("title"), function="length", output_field=IntegerField()), 0),
                             then=F("body")),
                        default=vector, output_field=SearchVectorField())

        def _bounded(self):
            query = self.query
            return (self.order_by_relevance and self.fields is None
                    and not isinstance(query, (MatchAll, Fuzzy, Not)))

        def _probe(self, config):
            """(small, pks). small: every indexed match (at most YV_SEARCH_PROBE of them). Otherwise the
            newest YV_SEARCH_PROBE + 1 matches, newest first (a backward walk of the entries'
            primary key that stops as soon as it has them: cheap exactly when the word is frequent)."""
            cache = self.__dict__.setdefault("_yv_probe", {})
            if config not in cache:
                probe = settings.YV_SEARCH_PROBE
                tsquery = self.build_tsquery(self.query, config=config)
                model = self.queryset.model
                ct_ids = get_descendants_content_types_pks(model)
                small = few_entries(ct_ids)
                entries = (IndexEntry._default_manager
                           .filter(content_type_id__in=ct_ids)
                           .annotate(_yv_vector=self._probe_vector(small)).filter(_yv_vector=tsquery))
                # 1. The newest YV_SEARCH_PROBE_WINDOW entries of this source's content types only
                #    (not of the whole table: answers indexed after the questions would fill it),
                #    a bounded walk, whatever the
                #    planner believes (for a word absent from its statistics it would otherwise
                #    walk all 10⁶ rows backwards looking for 1001 that do not exist).
                #    Skipped for a source with fewer entries than the window (few_entries).
                #    A sample of the newest YV_SEARCH_PROBE_SAMPLE entries goes first: when the word
                #    is rare there, the whole window would not find enough either (the step below is
                #    then cheap) and its scan — every row's vector tested — is skipped.
                oids = []
                if not small:
                    # Each entry of the window tested (the vector wrapped: no GIN index matches it),
                    # walking the (content_type_id, id) index backwards. Left to itself the planner
                    # ANDs that range with the GIN bitmap of every entry holding the words — for
                    # 心理咨询 370,000 of them in the whole table (150–175 ms), where testing the
                    # window's newest entries until 1001 match takes 5–15 ms.
                    walked = (IndexEntry._default_manager.filter(content_type_id__in=ct_ids)
                              .annotate(_yv_vector=self._probe_vector(small=True)).filter(_yv_vector=tsquery))
                    table = IndexEntry._meta.db_table
                    full = settings.YV_SEARCH_PROBE_WINDOW
                    sample = min(settings.YV_SEARCH_PROBE_SAMPLE, full)
                    # one content type: the same order as the (content_type_id, id) index, so
                    # that the walk stays inside this source's entries
                    order = ("-content_type_id", "-id") if len(ct_ids) == 1 else ("-id",)
                    def walk(oldest, newest, limit):
                        """Matches among this source's entries from the `newest`-th newest back to the
                        `oldest`-th (0 = the newest entry), newest first."""
                        entries_between = walked.extra(where=[newest_of(table, ct_ids)],  # noqa: S610 - params
                                                       params=[*ct_ids, oldest, *ct_ids, newest])
                        return list(entries_between.order_by(*order).values_list("object_id", flat=True)[:limit])

                    oids = walk(sample - 1, 0, probe + 1)
                    if sample < full and probe / 2 < len(oids) * full / sample and len(oids) <= probe:
                        # neither frequent nor rare in the sample: on through the rest of the window,
                        # from the sample's end (its entries are not tested twice)
                        oids += walk(full - 1, sample, probe + 1 - len(oids))
                if len(oids) <= probe:
                    # 2. Not frequent among the newest: all matches through the GIN index (a
                    #    materialised CTE is planned without the LIMIT, so no backward walk); for a
                    #    small source, its own entries tested one by one (_probe_vector(small)).
                    sql, params = entries.values_list("id", "object_id").query.sql_with_params()
                    with connection.cursor() as cur:
                        cur.execute(f"WITH m AS MATERIALIZED ({sql}) SELECT m.object_id FROM m "
                                    "ORDER BY m.id DESC LIMIT %s", [*params, probe + 1])
                        oids = [row[0] for row in cur.fetchall()]
                pk_field = model._meta.pk
                cache[config] = (len(oids) <= probe, [pk_field.to_python(o) for o in oids])
            return cache[config]

        def _frequent(self, config):
            """For a frequent query: (candidate pks, count) from the probe — the caller's queryset
            applied to the newest matches — or None when its filters leave too few of them (a
            narrow branch or domain: then the join below decides)."""
            cache = self.__dict__.setdefault("_yv_frequent", {})
            if config not in cache:
                _, pks = self._probe(config)
                allowed = set(self.queryset.filter(pk__any_of=pks).values_list("pk", flat=True))
                visible = [pk for pk in pks if pk in allowed]
                cache[config] = None if len(visible) < settings.YV_SEARCH_RANK_CANDIDATES else (
                    visible[:settings.YV_SEARCH_RANK_CANDIDATES],
                    AtLeast(min(len(visible), settings.YV_SEARCH_COUNT_LIMIT)))
            return cache[config]

        def _matching(self, config):
            """The caller's queryset restricted to matches (Wagtail's join on the index entry)."""
            vectors = self.get_search_vectors(None)
            combined = vectors[0][0]
            for vector, _boost in vectors[1:]:
                combined = combined._combine(vector, "||", False)
            return self.queryset.annotate(_vector_=combined).filter(_vector_=self.build_tsquery(self.query, config=config))

        def _narrowed(self, pks):
            other = copy.copy(self)
            other.queryset = self.queryset.filter(pk__any_of=pks)
            other._yv_narrowed = True
            return other

        def get_search_vectors(self, search_query):
            """Wagtail's vectors; for a search narrowed to the probe's candidates (at most
            YV_SEARCH_PROBE ids) wrapped so that the GIN index does not match them: the planner
            would otherwise AND a bitmap of every entry holding the words (370,000 rows for an
            OR of 心理咨询's characters at 3.4M entries, 206 ms) with the candidates, where
            reaching the candidates' few entries through the (content_type, object_id) index costs
            a millisecond."""
            vectors = super().get_search_vectors(search_query)
            if self.__dict__.get("_yv_narrowed"):
                vectors = [(Func(v, function="COALESCE", output_field=SearchVectorField()), boost)
                           for v, boost in vectors]
            return vectors

        def search(self, config, start, stop, score_field=None, backend=None):
            if not self._bounded():
                return super().search(config, start, stop, score_field=score_field, backend=backend)
            small, ids = self._probe(config)
            if small and not ids:
                return self.queryset.none()  # nothing matches: no query
            if not small:
                frequent = self._frequent(config)
                if frequent is not None:
                    ids = frequent[0]
                else:
                    ids = list(self._matching(config).order_by("-pk").values_list("pk", flat=True)
                               [:settings.YV_SEARCH_RANK_CANDIDATES])
            return super(BoundedRankMixin, self._narrowed(ids)).search(config, start, stop, score_field=score_field,
                                                                      backend=backend)

        def top_refs(self, config, take):
            """The unified search's per-source path (search.selectors._run) for a big source: the top
            ``take`` (primary key, score) pairs and the count in ONE statement after the probe —
            what ``search`` + ``count`` give (the same candidates, Wagtail's rank expression computed
            on the index entry as ``ranked_visible`` does, Wagtail's order), without loading the
            objects (the presentation loads the few it shows). Before: the visibility of the probed
            ids, then Wagtail's ranking query through its join, loading every column (and for a
            small match set a count query). None when the bounded path does not apply or the
            filters leave fewer than YV_SEARCH_RANK_CANDIDATES of a frequent word's newest matches
            (then ``search``/``count`` decide through Wagtail's join)."""
            if not self._bounded() or isinstance(self, PostgresAutocompleteQueryCompiler):
                return None
            cast = _pk_cast(self.queryset.model)
            if cast is None:
                return None
            small, ids = self._probe(config)
            if small and not ids:
                return [], 0
            if not small and config in self.__dict__.get("_yv_frequent", {}):
                return None  # known: too few visible among the newest matches
            try:
                vis_sql, vis_params = (self.queryset.order_by().annotate(_yv_pk=F("pk")).values_list("_yv_pk")
                                       .query.sql_with_params())
            except EmptyResultSet:
                return [], 0
            cts = get_descendants_content_types_pks(self.queryset.model)
            rank = self._build_rank_expression([(F("title"), F("title_norm")), (F("body"), 1.0)], config)
            e_sql, e_params = (IndexEntry._default_manager.filter(content_type_id__in=cts).annotate(_yv_score=rank)
                               .values_list("object_id", "_yv_score").query.sql_with_params())
            keep = len(ids) if small else settings.YV_SEARCH_RANK_CANDIDATES
            with connection.cursor() as cur:
                cur.execute(
                    # p: the probed ids (newest first) the caller's queryset keeps; c: the newest `keep`
                    # of them; their entries ranked, best `take` returned beside the number of p
                    f"WITH p AS MATERIALIZED (SELECT t.pk, t.ord FROM unnest(%s::{cast}[]) WITH ORDINALITY AS t(pk, ord) "
                    f"WHERE EXISTS (SELECT 1 FROM ({vis_sql}) v WHERE v._yv_pk = t.pk OFFSET 0)), "
                    "c AS MATERIALIZED (SELECT p.pk FROM p ORDER BY p.ord LIMIT %s) "
                    "SELECT k.n, r.object_id, r._yv_score FROM (SELECT count(*) AS n FROM p) k LEFT JOIN LATERAL ("
                    f"SELECT e.object_id, e._yv_score FROM ({e_sql}) e WHERE e.object_id IN (SELECT c.pk::text FROM c) "
                    f"ORDER BY e._yv_score DESC, e.object_id::{cast} DESC LIMIT %s) r ON true",
                    [list(ids), *vis_params, keep, *e_params, take])
                rows = cur.fetchall()
            n = rows[0][0]
            to_python = self.queryset.model._meta.pk.to_python
            hits = [(to_python(oid), float(score or 0)) for _, oid, score in rows if oid is not None]
            if small:
                return hits, n
            if n < settings.YV_SEARCH_RANK_CANDIDATES:
                self.__dict__.setdefault("_yv_frequent", {})[config] = None  # the join decides (search/count)
                return None
            return hits, AtLeast(min(n, settings.YV_SEARCH_COUNT_LIMIT))

        def count(self, config):
            """Exact when the match set is small, else a lower bound (``AtLeast``, shown "1000+")."""
            small, ids = self._probe(config)
            if small:
                return self.queryset.filter(pk__any_of=ids).count() if ids else 0
            frequent = self._frequent(config)
            if frequent is not None:
                return frequent[1]
            limit = settings.YV_SEARCH_COUNT_LIMIT
            n = self._matching(config).order_by().values("pk")[:limit + 1].count()
            return AtLeast(limit) if n > limit else n

    class ChinesePostgresSearchQueryCompiler(BoundedRankMixin, PostgresSearchQueryCompiler):
        pass

    class ChinesePostgresAutocompleteQueryCompiler(BoundedRankMixin, PostgresAutocompleteQueryCompiler):
        pass

    class ChinesePostgresSearchResults(PostgresSearchResults):
        def _do_count(self):
            compiler = self.query_compiler
            if isinstance(compiler, BoundedRankMixin) and compiler._bounded():
                return compiler.count(compiler.get_config(self.backend))
            return super()._do_count()

    class ChinesePostgresSearchBackend(ChineseQueryMixin, PostgresSearchBackend):
        index_class = ChinesePostgresIndex
        query_compiler_class = ChinesePostgresSearchQueryCompiler
        autocomplete_query_compiler_class = ChinesePostgresAutocompleteQueryCompiler
        results_class = ChinesePostgresSearchResults

        def __init__(self, params):
            params = {"SEARCH_CONFIG": "simple", **params}
            super().__init__(params)

        def ranked_visible(self, searches, take: int, partial: bool = False):
            """The whole search of several small sources in ONE statement, or None (then the
            per-source path runs: a big source, different queries per source). Search or autocomplete.

            ``partial``: the small sources are ranked in the one statement even when big sources
            are searched beside them; the answer has None in the place of each source left to the
            per-source path (a big source, or a small one with more than YV_SEARCH_PROBE matches,
            whose probe cache is then filled). At 10⁶ questions and 2.4M answers the questions and
            answers take the bounded path and pages, experts and stations cost one statement
            instead of a probe, a ranking query and a count query each.

            For every source whose index holds fewer than YV_SEARCH_PROBE_WINDOW entries
            (``few_entries``): its matching entries, tested one by one as ``prefetch_probes`` does,
            each with Wagtail's own rank expression computed on the entry (the same ``ts_rank``
            of title × title norm + body that Wagtail's ranked query computes through its join),
            and whether the object is in the source's queryset (visibility, branch, domain: an
            ``EXISTS`` on the primary key). A source with more than YV_SEARCH_PROBE matches is not
            small: the probe caches are filled and None is returned, so the bounded path takes over
            without probing again. Otherwise: per source, its visible matches ranked exactly as
            Wagtail orders them (score, then primary key, descending), at most ``take`` of them, and
            their exact number — what the per-source ranking query and count query gave (2 queries
            a source before)."""
            members = []
            for _source, results in searches:
                compiler = getattr(results, "query_compiler", None)
                if compiler is None:  # nothing searchable (EmptySearchResults)
                    members.append(None)
                    continue
                if type(compiler) not in (ChinesePostgresSearchQueryCompiler, ChinesePostgresAutocompleteQueryCompiler) \
                        or not compiler._bounded():
                    return None
                if compiler.queryset.query.is_empty():
                    members.append(None)
                    continue
                cast = _pk_cast(compiler.queryset.model)
                if cast is None:
                    return None
                members.append((compiler, compiler.get_config(self), get_descendants_content_types_pks(
                    compiler.queryset.model), cast))
            live = [m for m in members if m is not None]
            if not live:
                return [([], 0) for _ in members]
            window = settings.YV_SEARCH_PROBE_WINDOW
            few = few_entries_many([cts for _, _, cts, _ in live] + [()])
            whole_index_small = few.pop(((), window))
            if not all(few.values()):
                if not partial:
                    return None
                live = [m for m in live if few[(tuple(sorted(m[2])), window)]]
                if not live:
                    return [None if m is not None else ([], 0) for m in members]
            # the same words and configuration for every source (one compiler class: the tsquery is
            # the same); modelsearch's query objects' repr names every term, operator and boost
            if len({(type(compiler), config, repr(compiler.query)) for compiler, config, _, _ in live}) != 1:
                return None
            first, config, _, _ = live[0]
            tsquery = first.build_tsquery(first.query, config=config)
            # Wagtail's index vectors (get_index_vectors), read from the entry itself
            vectors = ([(F("autocomplete"), 1.0)] if isinstance(first, PostgresAutocompleteQueryCompiler)
                       else [(F("title"), F("title_norm")), (F("body"), 1.0)])
            rank = first._build_rank_expression(vectors, config)
            all_cts = sorted({ct for _, _, cts, _ in live for ct in cts})
            entries = (IndexEntry._default_manager.filter(content_type_id__in=all_cts)
                       # a small index: its GIN index finds the matches (0.7 ms on the demo, against 5–10 ms
                       # testing every entry); a big one holding small sources: each entry of theirs tested
                       .annotate(_yv_vector=first._probe_vector(small=not whole_index_small)).filter(_yv_vector=tsquery)
                       .annotate(_yv_score=rank).values_list("id", "content_type_id", "object_id", "_yv_score"))
            sql, params = entries.query.sql_with_params()
            columns, column_params = [], []
            for i, (compiler, _, cts, cast) in enumerate(live):
                try:
                    vis_sql, vis_params = (compiler.queryset.order_by().annotate(_yv_pk=F("pk")).values_list("_yv_pk")
                                           .query.sql_with_params())
                except EmptyResultSet:  # e.g. ``pk__in=[]``: nothing of this source is visible
                    columns.append(f"false AS v{i}")
                    continue
                marks = ", ".join(["%s"] * len(cts))
                # OFFSET 0: evaluated for each match (an index probe on the primary key); without it
                # PostgreSQL may hash the source's whole visible set first (10,000 stations: 10 ms).
                columns.append(f"CASE WHEN r.content_type_id IN ({marks}) THEN EXISTS (SELECT 1 FROM ({vis_sql}) v "
                               f"WHERE v._yv_pk = r.object_id::{cast} OFFSET 0) ELSE false END AS v{i}")
                column_params.extend([*cts, *vis_params])
            probe = settings.YV_SEARCH_PROBE
            with connection.cursor() as cur:
                cur.execute(
                    f"WITH m AS MATERIALIZED ({sql}) SELECT r.id, r.content_type_id, r.object_id, r._yv_score, "
                    f"{', '.join(columns)} FROM (SELECT m.*, row_number() OVER (PARTITION BY m.content_type_id "
                    "ORDER BY m.id DESC) AS rn FROM m) r WHERE r.rn <= %s", [*params, *column_params, probe + 1])
                rows = cur.fetchall()
            found, big = {}, False
            for i, (compiler, config, cts, _) in enumerate(live):
                cts = set(cts)
                mine = sorted((row for row in rows if row[1] in cts), key=lambda row: row[0], reverse=True)[:probe + 1]
                to_python = compiler.queryset.model._meta.pk.to_python
                small = len(mine) <= probe
                compiler.__dict__.setdefault("_yv_probe", {})[config] = (small, [to_python(row[2]) for row in mine])
                big = big or not small
                if not small:
                    continue  # more than YV_SEARCH_PROBE matches: the bounded path ranks it
                visible = [(to_python(row[2]), row[3]) for row in mine if row[4 + i]]
                # Wagtail's order: rank descending (NULL first, as PostgreSQL sorts it), then pk descending
                visible.sort(key=lambda hit: (hit[1] is None, hit[1] or 0.0, hit[0]), reverse=True)
                found[id(compiler)] = ([(pk, float(score or 0)) for pk, score in visible[:take]], len(visible))
            if big and not partial:
                return None
            return [([], 0) if m is None else found.get(id(m[0])) for m in members]

        def prefetch_probes(self, compilers) -> None:
            """The probes of several small sources searched for the same words (the one search
            runs five) in one statement instead of one each: their entries tested one by one (as
            `_probe` does for a small source), the newest YV_SEARCH_PROBE + 1 matches per content
            type, split per source here. Fills each compiler's probe cache; big sources keep their own probe."""
            groups: dict = {}
            for compiler in compilers:
                if not isinstance(compiler, BoundedRankMixin) or not compiler._bounded():
                    continue
                config = compiler.get_config(self)
                if config in compiler.__dict__.get("_yv_probe", {}):
                    continue
                ct_ids = get_descendants_content_types_pks(compiler.queryset.model)
                if not few_entries(ct_ids):
                    continue
                tsquery = compiler.build_tsquery(compiler.query, config=config)
                key = IndexEntry._default_manager.annotate(_yv_vector=compiler._probe_vector()).filter(
                    _yv_vector=tsquery).query.sql_with_params()
                groups.setdefault((key[0], tuple(key[1]), type(compiler)), []).append(
                    (compiler, config, ct_ids, tsquery))
            probe = settings.YV_SEARCH_PROBE
            for members in groups.values():
                if len(members) < 2:
                    continue
                first, _, _, tsquery = members[0]
                all_cts = sorted({ct for _, _, cts, _ in members for ct in cts})
                entries = (IndexEntry._default_manager.filter(content_type_id__in=all_cts)
                           .annotate(_yv_vector=first._probe_vector(small=True)).filter(_yv_vector=tsquery)
                           .values_list("id", "content_type_id", "object_id"))
                sql, params = entries.query.sql_with_params()
                with connection.cursor() as cur:
                    cur.execute(
                        f"WITH m AS MATERIALIZED ({sql}) SELECT id, content_type_id, object_id FROM ("
                        "SELECT m.*, row_number() OVER (PARTITION BY content_type_id ORDER BY id DESC) AS rn "
                        "FROM m) ranked WHERE rn <= %s", [*params, probe + 1])
                    rows = cur.fetchall()
                for compiler, config, ct_ids, _ in members:
                    cts = set(ct_ids)
                    oids = [oid for _, ct, oid in sorted((r for r in rows if r[1] in cts), reverse=True)][:probe + 1]
                    pk_field = compiler.queryset.model._meta.pk
                    compiler.__dict__.setdefault("_yv_probe", {})[config] = (
                        len(oids) <= probe, [pk_field.to_python(o) for o in oids])

    return ChinesePostgresSearchBackend


SMALL_SOURCE_SECONDS = 300


class AtLeast(int):
    """A count that stopped early: there are at least (in practice more than) this many."""

    more = True


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


def SearchBackend(params):  # the name Wagtail looks up in a backend module
    vendor = connection.vendor
    if vendor == "sqlite":
        stock = stock_backend_for_connection(params)
        if type(stock).__name__ != "SQLiteSearchBackend":
            # SQLite without FTS5: Wagtail's LIKE fallback; segmentation would not help it.
            return stock
    return backend_class(vendor)(params)
