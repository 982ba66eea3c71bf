"""The search API: one search across every source, autocomplete and similar questions.

GET /api/search/?q=创业&type=page,expert&branch=<org id>&domain=employment&offset=0&limit=10
GET /api/search/suggest?q=青年创
GET /api/search/similar?q=<the question being typed>&exclude=<question id>
"""

from datetime import datetime
from typing import Literal
from urllib.parse import urlencode

from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view

from core.domains import ServiceDomain
from core.page_cache import anonymous_cacheable
from search.domain.text import MAX_QUERY_CHARS

from . import selectors

DOMAINS = ("", *ServiceDomain.values)

router = Router()


class SearchParams(Schema):
    q: str = Field("", max_length=1000, description="Query text (Chinese, English, traditional characters all work)")
    type: str = Field("", max_length=200, description="Comma-separated source keys: page, expert, question, answer, station")
    branch: int | None = Field(None, description="Organisation id: that branch and everything below it")
    domain: Literal[DOMAINS] = Field("", description="Service domain (a ServiceDomain value), empty for all")
    offset: int = Field(0, ge=0, le=10_000)
    limit: int = Field(10, ge=1, le=selectors.MAX_LIMIT)


class HitOut(Schema):
    type: str
    type_label: str
    id: int
    title: str
    title_html: str = Field(..., description="Title, HTML-escaped, query words wrapped in <mark>")
    snippet_html: str = Field(..., description="A snippet around the first match, escaped, with <mark>")
    url: str
    organization_id: int | None
    organization_name: str
    domain: str
    date: datetime | None
    score: float


class FacetOut(Schema):
    type: str
    label: str
    count: int
    more: bool = Field(False, description="True when there are more matches than count (counting stops at a limit)")


class SearchOut(Schema):
    query: str
    words: list[str] = Field(..., description="The words the query was segmented into")
    total: int
    total_more: bool = Field(False, description="True when there are more results than total (counting stops at a limit)")
    partial: bool = Field(..., description="True when no result had every word and these match some words")
    degraded: bool = Field(False, description="True when a source took too long and its results are left out")
    offset: int
    limit: int
    next_offset: int | None
    facets: list[FacetOut]
    items: list[HitOut]


def _search_out(page: selectors.SearchPage) -> dict:
    return {
        "query": page.query, "words": page.words, "total": page.total_shown, "total_more": page.total_more,
        "partial": page.partial, "degraded": page.degraded,
        "offset": page.offset, "limit": page.limit,
        "next_offset": page.offset + page.limit if page.has_next else None,
        "facets": [{"type": k, "label": page.labels.get(k, k), "count": page.shown(c), "more": page.is_more(c)}
                   for k, c in page.facets.items()],
        "items": page.hits,
    }


def canonical_query(q: str) -> str:
    """The query as searched and echoed: whitespace collapsed, at most twice the characters the
    segmenter reads (``query_words`` looks at no more), so that padding or a long tail makes
    neither a different search nor a different cache entry."""
    return " ".join((q or "").split())[:MAX_QUERY_CHARS * 2]


def cache_key(request) -> str | None:
    """The early page cache's key for an anonymous ``GET /api/search/`` (core.page_cache
    ``register_api_endpoint``, search.apps): the parameters the endpoint reads, normalised (the
    query as ``canonical_query``, types sorted, defaults filled in), unknown ones dropped. None —
    not cached — for a repeated or malformed parameter (the endpoint answers 4xx; nothing stored)."""
    get = request.GET
    if any(len(get.getlist(name)) > 1 for name in ("q", "type", "branch", "domain", "offset", "limit")):
        return None
    try:
        branch = get.get("branch", "")
        branch = str(int(branch)) if branch != "" else ""
        offset, limit = int(get.get("offset", 0)), int(get.get("limit", 10))
    except ValueError:
        return None
    types = ",".join(sorted({t.strip() for t in get.get("type", "")[:200].split(",") if t.strip()}))
    return urlencode({"q": canonical_query(get.get("q", "")[:1000]), "type": types, "branch": branch,
                      "domain": get.get("domain", "")[:50], "offset": offset, "limit": limit})


@router.get("", response=SearchOut, summary="Search pages, questions, answers, stations and experts")
@decorate_view(anonymous_cacheable)
def search(request, params: Query[SearchParams]):
    """Anonymous answers are kept by the early page cache for ``YV_PAGE_CACHE_SEARCH_SECONDS``
    (scope ``search``, like the search page; any publish drops them at once)."""
    types, branch, domain = selectors.parse_filters(types=params.type, branch=params.branch, domain=params.domain)
    page = selectors.unified_search(q=canonical_query(params.q), types=types, branch=branch, domain=domain,
                                    offset=params.offset, limit=params.limit)
    return _search_out(page)


class SuggestParams(Schema):
    q: str = Field("", max_length=200)
    limit: int = Field(8, ge=1, le=20)


@router.get("/suggest", response=list[HitOut], summary="Autocomplete: titles matching what has been typed")
def suggest(request, params: Query[SuggestParams]):
    return selectors.suggest(q=params.q, limit=params.limit)


class SimilarParams(Schema):
    q: str = Field("", max_length=1000, description="The title (and body) of the question being written")
    limit: int = Field(5, ge=1, le=20)
    exclude: int | None = Field(None, description="A question id to leave out (when editing it)")


@router.get("/similar", response=list[HitOut], summary="Similar questions, shown while a new question is typed")
def similar(request, params: Query[SimilarParams]):
    return selectors.similar_questions(text=params.q, limit=params.limit, exclude_id=params.exclude)
