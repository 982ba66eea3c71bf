"""Reads: the one search across every registered source, autocomplete, similar questions.

All three take the user's raw text; segmentation happens in the backend (``search.backends``),
the words for highlighting come from the same segmenter. Nothing here raises on bad input: an
empty, whitespace-only, operator-only or over-long query gives an empty (or partial) result.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext_lazy
from modelsearch.backends import get_search_backend

from search import sources as registry
from search.domain.text import CJK_CHAR, STOPWORDS, mark, query_words, snippet
from search.segmenter import get_segmenter

MAX_LIMIT = 50

log = logging.getLogger(__name__)


@dataclass
class Hit:
    type: str
    type_label: str
    id: int
    title: str
    title_html: str
    snippet_html: str
    url: str
    organization_id: int | None
    organization_name: str
    domain: str
    date: object
    score: float


@dataclass
class SearchPage:
    query: str
    words: list[str]
    hits: list[Hit]
    total: int
    facets: dict[str, int]  # source key -> number of matches (before the type filter)
    offset: int
    limit: int
    partial: bool = False  # no document had every word: these match some of them
    labels: dict[str, str] = field(default_factory=dict)
    degraded: bool = False  # a source's query ran out of time: its results are left out
    total_more: bool = False  # total is a lower bound: some source stopped counting ("1000+")

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < self.total

    @staticmethod
    def is_more(count: int) -> bool:
        """Whether ``count`` (a facet) is a lower bound: the backend stopped counting."""
        return bool(getattr(count, "more", False))

    @staticmethod
    def shown(count: int) -> int:
        return int(count)

    @property
    def total_shown(self) -> int:
        return self.total


def _score_sign(backend) -> int:
    # SQLite's bm25() is lower-is-better (negative); PostgreSQL ts_rank and Elasticsearch are higher-is-better.
    return getattr(backend, "score_sign", 1)


def highlight_words(words: list[str]) -> list[str]:
    """Query words plus, for long Chinese words, their characters (the backend's fallback match)."""
    out = list(words)
    for w in words:
        if len(w) >= 3 and CJK_CHAR.match(w):
            out.extend(ch for ch in w if ch not in out)
    return out


def _sources_for(types, branch, domain):
    chosen = []
    for source in registry.all_sources():
        if types and source.key not in types:
            continue
        if branch is not None and source.in_branch is None:
            continue
        if domain and source.in_domain is None:
            continue
        chosen.append(source)
    return chosen


def _filtered(source, branch, domain):
    qs = source.visible()
    if branch is not None:
        qs = source.in_branch(qs, branch)
    if domain:
        qs = source.in_domain(qs, domain)
    return qs


class Degraded(list):
    """_run's result, remembering whether a source's query was cut short."""

    degraded = False


class _OutOfTime(Exception):
    pass


@contextlib.contextmanager
def statement_budget():
    """PostgreSQL: statements inside stop after YV_SEARCH_STATEMENT_TIMEOUT_MS (QueryCanceled, an
    OperationalError). The setting is local to a transaction around the block, which its commit
    ends; inside an outer transaction (a savepoint here) it is put back explicitly, so it never
    outlives the block. A cancelled statement rolls the block back."""
    ms = getattr(settings, "YV_SEARCH_STATEMENT_TIMEOUT_MS", 0)
    if not ms or connection.vendor != "postgresql":
        yield
        return
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, true)",
                        [f"{int(ms)}ms"])
            previous = cur.fetchone()[0]
        yield
        if nested:
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('statement_timeout', %s, true)", [previous])


def _run(backend, sources, q, branch, domain, operator, take, *, autocomplete=False):
    """[(source, [(obj, score)], count)] for each source. The sources' queries share one time
    budget: when a statement runs out of time, the sources already searched are kept, the rest
    give nothing, and the result is marked ``degraded`` (never an error page)."""
    sign = _score_sign(backend)
    out = Degraded()
    method = backend.autocomplete if autocomplete else backend.search
    ranked_visible = getattr(backend, "ranked_visible", None)
    prepared: list | None = None
    if ranked_visible is not None:  # PostgreSQL: the small sources in one statement
        try:
            prepared = [(source, method(q, _filtered(source, branch, domain), operator=operator)) for source in sources]
        except OperationalError:  # the path below leaves that source out and says so
            prepared = None
        ranked = ranked_visible(prepared, take, partial=True) if prepared is not None else None
        if prepared is not None and ranked is not None:
            left = []
            for (source, search), found in zip(prepared, ranked, strict=True):
                if found is None:  # a big source: the bounded path below
                    left.append((source, search))
                    continue
                hits, count = found
                out.append((source, [(Ref(pk), sign * score) for pk, score in hits],
                            len(hits) if autocomplete else count))
            if not left:
                return out
            prepared = left
        else:
            prepared = None
    try:
        with statement_budget():
            searches, cut = [], None
            if prepared is not None:  # the big sources left by ranked_visible (their probe caches kept)
                searches = prepared
            else:
                for source in sources:  # lazy: no statement runs here in the database backends
                    try:
                        searches.append((source, method(q, _filtered(source, branch, domain), operator=operator)))
                    except OperationalError as exc:
                        cut = (source.key, exc)
                        break
            prefetch = getattr(backend, "prefetch_probes", None)
            if prefetch is not None:  # PostgreSQL: the small sources' probes in one statement
                try:
                    prefetch([getattr(r, "query_compiler", None) for _, r in searches])
                except OperationalError as exc:
                    raise _OutOfTime("probes") from exc
            for source, search in searches:
                refs = None if autocomplete else _top_refs(search, take)
                if refs is not None:  # SQLite: ranked keys and the count in one statement
                    rows, count = refs
                    out.append((source, [(Ref(pk), sign * float(score or 0)) for pk, score in rows], count))
                    continue
                try:
                    results = search.annotate_score("_score")
                    objs = list(results[:take])
                    count = results.count() if not autocomplete else len(objs)
                except OperationalError as exc:
                    raise _OutOfTime(source.key) from exc
                scored = [(o, sign * float(getattr(o, "_score", 0) or 0)) for o in objs]
                out.append((source, scored, count))
            if cut is not None:
                raise _OutOfTime(cut[0]) from cut[1]
    except _OutOfTime as exc:
        log.warning("search: %s query for %r cut short: %s", exc, q[:50], exc.__cause__)
        out.degraded = True
        done = {s.key for s, _, _ in out}
        out.extend((s, [], 0) for s in sources if s.key not in done)
    order = {s.key: i for i, s in enumerate(sources)}
    out.sort(key=lambda run: order[run[0].key])  # the sources' order (facets, ties in the merge)
    return out


def _top_refs(search, take):
    """(rows, count) from a backend that ranks without loading objects (the SQLite one), else None."""
    compiler = getattr(search, "query_compiler", None)
    top_refs = getattr(compiler, "top_refs", None)
    if compiler is None or top_refs is None:
        return None
    try:
        return top_refs(compiler.get_config(search.backend), take)
    except OperationalError as exc:
        raise _OutOfTime("ranking") from exc


class Ref:
    """A hit of the one-statement search: only its primary key (``present`` loads what it shows)."""

    __slots__ = ("pk",)

    def __init__(self, pk):
        self.pk = pk

    def __repr__(self):
        return f"Ref({self.pk!r})"


def _present(source, scored, words) -> list[Hit]:
    presented = source.present([o for o, _ in scored]) if scored else []
    marks = highlight_words(words)
    hits = []
    for (obj, score), p in zip(scored, presented, strict=True):
        title, tspans = snippet(p.title, marks, width=200)
        text, sspans = snippet(p.text, marks)
        org = p.organization
        hits.append(Hit(
            type=source.key, type_label=str(source.label), id=obj.pk, title=p.title,
            title_html=mark(title, tspans), snippet_html=mark(text, sspans), url=p.url,
            organization_id=getattr(org, "pk", None), organization_name=getattr(org, "display_name", "") if org else "",
            domain=p.domain, date=p.date, score=score,
        ))
    return hits


def unified_search(*, q: str, types: list[str] | None = None, branch=None, domain: str | None = None,
                   offset: int = 0, limit: int | None = None) -> SearchPage:
    limit = max(1, min(limit or settings.YV_SEARCH_PAGE_SIZE, MAX_LIMIT))
    offset = max(0, min(offset, settings.YV_SEARCH_MAX_OFFSET))
    words = query_words(q or "", get_segmenter())
    labels = {s.key: str(s.label) for s in registry.all_sources()}
    empty = SearchPage(query=q or "", words=words, hits=[], total=0, facets={k: 0 for k in labels},
                       offset=offset, limit=limit, labels=labels)
    if not words:
        return empty
    backend = get_search_backend()
    all_for_facets = _sources_for(None, branch, domain)
    partial = False
    runs = _run(backend, all_for_facets, q, branch, domain, "and", offset + limit)
    if not any(count for _, _, count in runs) and len(words) > 1:
        runs = _run(backend, all_for_facets, q, branch, domain, "or", offset + limit)
        partial = True
    facets = {k: 0 for k in labels}
    facets.update({source.key: count for source, _, count in runs})
    selected = [(s, scored, c) for s, scored, c in runs if not types or s.key in types]
    merged = sorted(((score, s.key, obj, s) for s, scored, _ in selected for obj, score in scored),
                    key=lambda row: row[0], reverse=True)[offset:offset + limit]
    hits: list[Hit] = []
    by_source: dict[str, tuple[registry.SearchSource, list]] = {}
    for score, key, obj, source in merged:
        by_source.setdefault(key, (source, []))[1].append((obj, score))
    presented = {}
    for key, (source, scored) in by_source.items():
        for hit in _present(source, scored, words):
            presented[(key, hit.id)] = hit
    hits = [presented[(key, obj.pk)] for _, key, obj, _ in merged]
    return SearchPage(query=q, words=words, hits=hits, total=sum(c for _, _, c in selected), facets=facets,
                      offset=offset, limit=limit, partial=partial, labels=labels, degraded=runs.degraded,
                      total_more=any(SearchPage.is_more(c) for _, _, c in selected))


def suggest(*, q: str, limit: int = 8) -> list[Hit]:
    """Autocomplete: titles that start with what has been typed (the last word is a prefix)."""
    limit = max(1, min(limit, 20))
    words = query_words(q or "", get_segmenter(), drop_stopwords=False)
    if not words:
        return []
    backend = get_search_backend()
    runs = _run(backend, _sources_for(None, None, None), q, None, None, "and", limit, autocomplete=True)
    merged = sorted(((score, s, obj) for s, scored, _ in runs for obj, score in scored),
                    key=lambda row: row[0], reverse=True)[:limit]
    hits = []
    for source in {s.key: s for _, s, _ in merged}.values():
        scored = [(obj, score) for score, s, obj in merged if s.key == source.key]
        hits.extend(_present(source, scored, words))
    order = {(s.key, obj.pk): i for i, (_, s, obj) in enumerate(merged)}
    return sorted(hits, key=lambda h: order[(h.type, h.id)])


def similar_questions(*, text: str, limit: int = 5, exclude_id: int | None = None, branch=None) -> list[Hit]:
    """Questions like the one being typed (shown before posting, to avoid duplicates).

    Searches every source registered with ``similar=True`` (the questions source, once the Q&A
    work is merged) with OR over the meaningful words of ``text``, best first. Empty until such a
    source exists.

    Only content words count: function words (怎么办, 可以, 不能 …, ``STOPWORDS``) are dropped
    before the search, so a question sharing nothing but "怎么办" is never offered, let alone
    first; a text made only of function words has no similar questions."""
    limit = max(1, min(limit, 20))
    words = [w for w in query_words(text or "", get_segmenter()) if w not in STOPWORDS]
    sources = [s for s in registry.all_sources() if s.similar]
    if not words or not sources:
        return []
    backend = get_search_backend()
    runs = _run(backend, sources, " ".join(words), branch, None, "or", limit + 1)
    hits = []
    for source, scored, _ in runs:
        scored = [(o, sc) for o, sc in scored if o.pk != exclude_id]
        hits.extend(_present(source, scored, words))
    hits.sort(key=lambda h: h.score, reverse=True)
    return hits[:limit]


def parse_filters(*, types: list[str] | str | None = None, branch: int | str | None = None,
                  domain: str | None = None) -> tuple[list[str], object | None, str | None]:
    """Validate the filters shared by the page and the API: ``types`` (source keys),
    ``branch`` (organisation id), ``domain`` (a ServiceDomain value). An unknown type or branch is
    ``NotFound`` (nothing of that kind exists to search), an unknown domain ``Invalid``."""
    from core.domains import ServiceDomain
    from core.errors import Invalid, NotFound
    from organizations.models import Organization

    if isinstance(types, str):
        types = [t for t in types.split(",") if t]
    types = [t.strip() for t in (types or []) if t and t.strip()]
    known = {s.key for s in registry.all_sources()}
    unknown = [t for t in types if t not in known]
    if unknown:
        raise NotFound(gettext_lazy("Unknown search type"), code="unknown_type", fields={"type": sorted(known)})
    org = None
    if branch not in (None, ""):
        try:
            org = Organization.objects.filter(pk=int(branch), is_active=True).first()
        except (TypeError, ValueError):
            org = None
        if org is None:
            raise NotFound(gettext_lazy("Unknown branch"), fields={"branch": ["unknown organisation id"]})
    if domain in ("", None):
        domain = None
    elif domain not in ServiceDomain.values:
        raise Invalid(gettext_lazy("Unknown domain"), fields={"domain": list(ServiceDomain.values)})
    return types, org, domain


BRANCH_CHOICES_KEY = "search:branch-choices"


def branch_choices() -> list[tuple[int, str]]:
    """Branches offered as a filter: the province, its cities and universities (the county
    level is reached through a city's branch page or the API's ``branch`` id). Read on every
    search page, so kept in the shared cache; dropped when an organisation is saved or deleted
    (search.signals), at most an hour old otherwise (a bulk update sends no signal)."""
    from django.core.cache import cache

    from organizations.models import Organization, OrganizationKind

    found = cache.get(BRANCH_CHOICES_KEY)
    if found is None:
        qs = Organization.objects.filter(is_active=True, kind__in=[OrganizationKind.PROVINCE, OrganizationKind.CITY,
                                                                   OrganizationKind.UNIVERSITY]).order_by("path")
        found = [(o.pk, o.display_name) for o in qs.only("pk", "name", "short_name")]
        cache.set(BRANCH_CHOICES_KEY, found, 3600)
    return found


def forget_branch_choices() -> None:
    from django.core.cache import cache

    cache.delete(BRANCH_CHOICES_KEY)
