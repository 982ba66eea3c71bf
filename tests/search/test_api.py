"""/api/search/, /api/search/suggest, /api/search/similar through HTTP."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from alliances.models import ExpertDomain, ExpertProfile, ExpertStatus
from search import sources
from search.models import SearchableExpert
from tests.factories import UserFactory


@pytest.fixture
def content(tree):
    """Branch pages exist for the tree; add some titled pages under the branches and experts."""
    from home.models import BranchHomePage

    gz = BranchHomePage.objects.get(organization=tree.guangzhou)
    sz = BranchHomePage.objects.get(organization=tree.shenzhen)
    pages = {
        "gz1": gz.add_child(instance=Page(title="广州青年创业补贴政策解读", slug="gz-cy", live=True)),
        "gz2": gz.add_child(instance=Page(title="广州创业孵化基地入驻条件", slug="gz-fh", live=True)),
        "sz1": sz.add_child(instance=Page(title="深圳人才住房与创业补贴", slug="sz-cy", live=True)),
        "draft": gz.add_child(instance=Page(title="创业草稿未发布", slug="draft", live=False)),
    }
    for i in range(8):
        pages[f"more{i}"] = sz.add_child(instance=Page(title=f"创业故事第{i + 1}期", slug=f"story-{i}", live=True))
    experts = {}
    for key, name, title, org, domain, status in [
        ("wang", "王创业", "创业导师", tree.guangzhou, "entrepreneurship", ExpertStatus.ACTIVE),
        ("chen", "陈律师", "劳动法律师", tree.shenzhen, "legal", ExpertStatus.ACTIVE),
        ("gone", "赵停用", "创业顾问", tree.guangzhou, "entrepreneurship", ExpertStatus.SUSPENDED),
    ]:
        e = ExpertProfile.objects.create(user=UserFactory(), real_name=name, title=title, organization=org, status=status)
        ExpertDomain.objects.create(expert=e, domain=domain)
        experts[key] = e
    # test transactions never commit: index the experts as the on-commit handler would
    from modelsearch.backends import get_search_backend

    get_search_backend().add_bulk(SearchableExpert, SearchableExpert.objects.all())
    return pages, experts


def test_search_across_pages_and_experts_with_highlights(content, client):
    pages, experts = content
    r = client.get("/api/search/", {"q": "创业", "limit": 50})
    assert r.status_code == 200
    body = r.json()
    assert body["words"] == ["创业"]
    got = {(i["type"], i["id"]) for i in body["items"]}
    assert ("page", pages["gz1"].pk) in got and ("expert", experts["wang"].pk) in got
    assert ("page", pages["draft"].pk) not in got  # not live
    assert ("expert", experts["gone"].pk) not in got  # suspended
    facets = {f["type"]: f["count"] for f in body["facets"]}
    assert facets["expert"] == 1 and facets["page"] == 11
    assert body["total"] == 12
    hit = next(i for i in body["items"] if i["id"] == pages["gz1"].pk)
    assert hit["title_html"] == "广州青年<mark>创业</mark>补贴政策解读"
    assert hit["organization_name"] == "广州市" and hit["url"].endswith("/gz-cy/")


def test_type_branch_and_domain_filters(content, client, tree):
    pages, experts = content
    r = client.get("/api/search/", {"q": "创业", "type": "expert"}).json()
    assert [i["id"] for i in r["items"]] == [experts["wang"].pk]
    assert {f["type"]: f["count"] for f in r["facets"]}["page"] == 11  # facets ignore the type filter
    r = client.get("/api/search/", {"q": "创业 补贴", "branch": tree.guangzhou.pk}).json()
    assert [i["id"] for i in r["items"]] == [pages["gz1"].pk]
    r = client.get("/api/search/", {"q": "律师", "domain": "legal"}).json()
    assert [(i["type"], i["id"]) for i in r["items"]] == [("expert", experts["chen"].pk)]
    r = client.get("/api/search/", {"q": "律师", "domain": "psychology"}).json()
    assert r["items"] == [] and r["total"] == 0


def test_pagination(content, client):
    first = client.get("/api/search/", {"q": "创业", "limit": 5}).json()
    second = client.get("/api/search/", {"q": "创业", "limit": 5, "offset": 5}).json()
    assert first["next_offset"] == 5 and len(first["items"]) == 5
    ids1 = {(i["type"], i["id"]) for i in first["items"]}
    ids2 = {(i["type"], i["id"]) for i in second["items"]}
    assert not ids1 & ids2
    last = client.get("/api/search/", {"q": "创业", "limit": 5, "offset": 10}).json()
    assert last["next_offset"] is None and len(last["items"]) == 2


def test_or_fallback_is_marked_partial(content, client):
    r = client.get("/api/search/", {"q": "创业 火星"}).json()
    assert r["partial"] is True and r["total"] > 0


@pytest.mark.parametrize("q", ["", "   ", '"', "OR *", "'; DROP TABLE x; --", "创业" * 500, "(((", "^(a+)+$"])
def test_bad_queries_are_valid_results(content, client, q):
    r = client.get("/api/search/", {"q": q})
    assert r.status_code == 200
    assert client.get("/api/search/suggest", {"q": q[:200]}).status_code == 200
    assert client.get("/api/search/similar", {"q": q}).status_code == 200


@pytest.mark.parametrize("params", [{"domain": "cooking"}, {"domain": "法律服务"}, {"branch": "abc"},
                                    {"limit": 0}, {"limit": 500}, {"offset": -1}, {"q": "x" * 1001}])
def test_bad_filters_are_422_json(content, client, params):
    r = client.get("/api/search/", {"q": "创业", **params})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid" and " / " in r.json()["detail"]


@pytest.mark.parametrize("params,field", [({"type": "planet"}, "type"), ({"type": "page,7VN"}, "type"),
                                          ({"branch": 999999}, "branch"), ({"branch": 10**20}, "branch")])
def test_filters_naming_nothing_are_404_json(content, client, params, field):
    """Schema-valid but naming no source type or organisation: a 404 that lists the field, not a 400."""
    r = client.get("/api/search/", {"q": "创业", **params})
    assert r.status_code == 404 and field in r.json()["errors"] and " / " in r.json()["detail"]


def test_query_count_does_not_grow_with_page_size(content, client):
    def count(limit, type=""):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/search/", {"q": "创业", "limit": limit, "type": type}).status_code == 200
        return len(ctx.captured_queries)

    count(1)
    assert count(2, "page") == count(10, "page")
    # every type on the page: a fixed number of queries per source (page, expert, question, answer,
    # station: on PostgreSQL a bounded probe, the ranked hits, the count, the presentation), not
    # per hit, plus the statement time budget
    assert count(12) == count(50) <= 28


def test_suggest(content, client):
    pages, experts = content
    r = client.get("/api/search/suggest", {"q": "广州青年创"})
    assert r.status_code == 200
    assert [i["id"] for i in r.json()] == [pages["gz1"].pk]
    r = client.get("/api/search/suggest", {"q": "王创"}).json()
    assert [(i["type"], i["id"]) for i in r] == [("expert", experts["wang"].pk)]


def test_similar_is_empty_until_questions_are_registered(content, client):
    assert client.get("/api/search/similar", {"q": "创业补贴怎么申请"}).json() == []


@pytest.fixture
def pages_as_questions():
    """Pages standing in for questions (similar=True); the real questions source is put back after."""
    real = sources.get_source("question")
    src = sources.register(sources.SearchSource(
        key="question", label="Questions", model="wagtailcore.Page", visible=lambda: Page.objects.live(),
        present=sources.pages_present, similar=True))
    yield src
    sources.unregister("question")
    if real is not None:
        sources.register(real)


def test_similar_questions_while_typing(content, client, pages_as_questions):
    pages, _ = content
    r = client.get("/api/search/similar", {"q": "请问广州的创业补贴怎么申请？", "limit": 3}).json()
    assert r[0]["id"] == pages["gz1"].pk and r[0]["type"] == "question"
    assert len(r) == 3
    r = client.get("/api/search/similar", {"q": "请问广州的创业补贴怎么申请？", "exclude": pages["gz1"].pk}).json()
    assert pages["gz1"].pk not in [i["id"] for i in r]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="bounded ranking and counts are the PostgreSQL backend's")
@pytest.mark.parametrize("window", [30000, 3, 40])
def test_frequent_words_rank_a_bounded_candidate_set_and_count_to_a_limit(content, client, settings, window):
    """With 11 live pages matching 创业 and a probe of 4: only the newest candidates are ranked,
    counts stop early and are marked as lower bounds ("n+"), pagination still works — whether the
    source has fewer index entries than the probe window (its newest-window step is skipped) or
    more (the window step runs first: a window of 3 finds too few, one of 40 enough)."""
    _pages, _ = content
    settings.YV_SEARCH_PROBE_WINDOW = window
    settings.YV_SEARCH_PROBE = 4
    settings.YV_SEARCH_RANK_CANDIDATES = 3
    settings.YV_SEARCH_COUNT_LIMIT = 3
    body = client.get("/api/search/", {"q": "创业", "type": "page", "limit": 2}).json()
    facets = {f["type"]: f for f in body["facets"]}
    assert facets["page"] == {"type": "page", "label": facets["page"]["label"], "count": 3, "more": True}
    assert body["total"] == 3 and body["total_more"] is True and body["next_offset"] == 2
    assert len(body["items"]) == 2 and all(i["type"] == "page" for i in body["items"])
    assert facets["expert"]["count"] == 1 and facets["expert"]["more"] is False  # small: exact
    page = client.get("/search/", {"q": "创业", "type": "page"})
    assert page.status_code == 200 and "3+" in page.content.decode()


def test_a_source_out_of_time_gives_a_degraded_page_not_an_error(content, client, monkeypatch):
    """A statement cancelled by the time budget (an OperationalError): the sources searched before
    it are kept, the rest are left out, and the page and API say so."""
    from django.db import OperationalError

    from search import selectors

    backend = selectors.get_search_backend()
    real_search = type(backend).search

    def search(self, q, qs, **kwargs):
        if qs.model is SearchableExpert:
            raise OperationalError("canceling statement due to statement timeout")
        return real_search(self, q, qs, **kwargs)

    monkeypatch.setattr(type(backend), "search", search)
    body = client.get("/api/search/", {"q": "创业"}).json()
    assert body["degraded"] is True
    facets = {f["type"]: f["count"] for f in body["facets"]}
    assert facets["page"] == 11 and facets["expert"] == 0
    page = client.get("/search/", {"q": "创业"})
    assert page.status_code == 200 and ("超时" in page.content.decode() or "too long" in page.content.decode())


def test_private_sections_never_appear_and_follow_restrictions_at_once(content, client):
    """Pages under a view restriction are not found; the restricted sections are cached, and adding
    or removing a restriction takes effect on the next search."""
    from wagtail.models import PageViewRestriction

    pages, _ = content

    def found(q="创业"):
        return {i["id"] for i in client.get("/api/search/", {"q": q, "type": "page", "limit": 50}).json()["items"]}

    assert pages["gz1"].pk in found()  # the (empty) private sections are cached now
    restriction = PageViewRestriction.objects.create(page=pages["gz1"].get_parent(),
                                                     restriction_type=PageViewRestriction.LOGIN)
    hidden = found()
    assert pages["gz1"].pk not in hidden and pages["gz2"].pk not in hidden  # the whole 广州 branch
    assert pages["sz1"].pk in hidden
    restriction.delete()
    assert pages["gz1"].pk in found()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement budget is PostgreSQL's")
def test_the_statement_budget_does_not_outlive_a_search(content, settings):
    """Inside an outer transaction (as here) the search's statement timeout is put back after it."""
    from search import selectors

    settings.YV_SEARCH_STATEMENT_TIMEOUT_MS = 1234
    with connection.cursor() as cur:
        cur.execute("SHOW statement_timeout")
        before = cur.fetchone()[0]
        assert selectors.unified_search(q="创业").total
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == before != "1234ms"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the shared probe is the PostgreSQL backend's")
@pytest.mark.parametrize("q", ["创业", "广州 创业 补贴", "律师", "没有这个词的查询 创业"])
def test_one_statement_for_the_small_sources_probes_changes_nothing(content, q, settings):
    """The small sources' probes in one statement (prefetch_probes) give the same page as one
    probe per source, in fewer statements — also when the probe is full (a frequent word)."""
    from search import selectors

    settings.YV_SEARCH_PROBE = 4
    backend = selectors.get_search_backend()

    def run():
        with CaptureQueriesContext(connection) as ctx:
            page = selectors.unified_search(q=q, limit=50)
        hits = [(h.type, h.id, h.title_html) for h in page.hits]
        return (hits, dict(page.facets), page.total, page.partial), len(ctx.captured_queries)

    original_ranked = type(backend).ranked_visible
    type(backend).ranked_visible = lambda self, searches, take, partial=False: None  # the per-source path, as before it
    try:
        run()  # warm: the sources' sizes and the private sections are remembered
        shared, shared_queries = run()
        original = type(backend).prefetch_probes
        type(backend).prefetch_probes = lambda self, compilers: None
        try:
            alone, alone_queries = run()
        finally:
            type(backend).prefetch_probes = original
    finally:
        type(backend).ranked_visible = original_ranked
    assert shared == alone
    assert shared_queries < alone_queries


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement search is the PostgreSQL backend's")
@pytest.mark.parametrize("q", ["创业", "广州 创业 补贴", "律师", "没有这个词的查询 创业", "创业补贴政策"])
@pytest.mark.parametrize("probe", [4, 1000])
def test_the_one_statement_search_gives_what_the_per_source_path_gives(content, tree, q, probe, settings):
    """Every small source searched, ranked, filtered and counted in one statement
    (``ranked_visible``) gives the same hits, scores, facets and totals as the per-source ranked
    query + count query — with filters and an offset too, and when a probe is full (then the
    per-source bounded path takes over)."""
    from search import selectors

    settings.YV_SEARCH_PROBE = probe
    backend = selectors.get_search_backend()

    def run(**kwargs):
        page = selectors.unified_search(q=q, limit=50, **kwargs)
        hits = [(h.type, h.id, h.title_html, h.snippet_html, h.url, h.organization_id, round(h.score, 9))
                for h in page.hits]
        return hits, dict(page.facets), page.total, page.partial, page.total_more

    filters = [{}, {"branch": tree.guangzhou}, {"domain": "employment"}, {"types": ["page"]}, {"offset": 2}]
    one = [run(**f) for f in filters]
    original = type(backend).ranked_visible
    type(backend).ranked_visible = lambda self, searches, take, partial=False: None
    try:
        per_source = [run(**f) for f in filters]
    finally:
        type(backend).ranked_visible = original
    assert one == per_source


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement search is the PostgreSQL backend's")
@pytest.mark.parametrize("q", ["创", "王创", "广州 创", "创业补", "律"])
def test_the_one_statement_autocomplete_gives_what_the_per_source_path_gives(content, q):
    from search import selectors

    backend = selectors.get_search_backend()

    def run():
        return [(h.type, h.id, h.title_html, round(h.score, 9)) for h in selectors.suggest(q=q, limit=8)]

    one = run()
    original = type(backend).ranked_visible
    type(backend).ranked_visible = lambda self, searches, take, partial=False: None
    try:
        per_source = run()
    finally:
        type(backend).ranked_visible = original
    assert one == per_source
