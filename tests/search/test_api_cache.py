"""Anonymous /api/search/ answers are kept by the early page cache like the search page (scope
``search``: at most YV_PAGE_CACHE_SEARCH_SECONDS old, any publish drops them at once), keyed by the
request's canonical form (a padded query or an unknown parameter is the same entry), never served to
a request with an Authorization header or a session, and a flood of distinct terms costs at most one
normal search each (issue 23)."""

import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("early_cache")  # tests/conftest.py: the early page cache on


@pytest.fixture
def branch(tree):
    from home.models import BranchHomePage

    gz = BranchHomePage.objects.get(organization=tree.guangzhou)
    gz.add_child(instance=Page(title="广州青年创业补贴政策解读", slug="cy", live=True))
    return gz


def _get(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, **extra)
    return r, len(ctx.captured_queries)


def _ids(r):
    return [i["id"] for i in r.json()["items"]]


def test_a_hit_runs_no_query_and_a_padded_query_or_unknown_parameter_is_the_same_entry(branch, client):
    first, _ = _get(client, "/api/search/?q=创业")
    assert first.status_code == 200 and first["X-YV-Cache"] == "miss" and _ids(first)
    for url in ("/api/search/?q=创业", "/api/search/?q=%20创业%20%20&limit=10&offset=0&utm=1&type=",
                "/api/search/?utm=2&q=创业"):
        r, queries = _get(Client(), url)
        assert r["X-YV-Cache"] == "hit" and queries == 0, url
        assert r.json() == first.json()
    assert r["Cache-Control"] == "public, max-age=0, must-revalidate" and r["ETag"].startswith('W/"')
    other, _ = _get(Client(), "/api/search/?q=创业&limit=5")  # another search: its own entry
    assert other["X-YV-Cache"] == "miss"
    assert _get(Client(), "/api/search/suggest?q=创")[0].get("X-YV-Cache") is None  # only /api/search/


def test_a_publish_reaches_the_next_request(branch, client):
    before = client.get("/api/search/?q=创业")
    page = branch.add_child(instance=Page(title="创业新政发布", slug="new", live=True))
    page.save_revision().publish()
    after = Client().get("/api/search/?q=创业")
    assert after["X-YV-Cache"] == "miss"
    assert page.pk in _ids(after) and page.pk not in _ids(before)


def test_new_questions_and_answers_show_within_the_short_ttl(tree, client, settings):
    """As the search page: no scope bump on a new question or answer, the entry lives at most
    YV_PAGE_CACHE_SCOPE_SECONDS["search"] (30 s by default; 1 s here)."""
    from community.services import ask_question

    settings.YV_PAGE_CACHE_SCOPE_SECONDS = {"search": 1}
    asker = UserFactory(organization=tree.tianhe)
    assert client.get("/api/search/?q=档案").json()["total"] == 0
    q = ask_question(asker=asker, title="毕业后档案放在哪里", body="想问问档案的去向", domain="employment")
    assert Client().get("/api/search/?q=档案")["X-YV-Cache"] == "hit"
    time.sleep(1.2)
    r = Client().get("/api/search/?q=档案")
    assert r["X-YV-Cache"] == "miss" and _ids(r) == [q.pk]


def test_a_token_or_a_session_is_never_served_the_anonymous_entry_nor_stores_one(branch, tree, client):
    assert client.get("/api/search/?q=创业")["X-YV-Cache"] == "miss"
    r, queries = _get(Client(), "/api/search/?q=创业", HTTP_AUTHORIZATION="Bearer abc")
    assert r.status_code == 200 and r.get("X-YV-Cache") is None and queries > 0
    user = Client()
    user.force_login(UserFactory(organization=tree.tianhe))
    r, queries = _get(user, "/api/search/?q=创业")
    assert r.status_code == 200 and r.get("X-YV-Cache") is None and queries > 0
    # neither stored an entry of its own: a new search by them is not kept for visitors
    _get(user, "/api/search/?q=补贴")
    _get(Client(), "/api/search/?q=政策", HTTP_AUTHORIZATION="Bearer abc")
    assert Client().get("/api/search/?q=补贴")["X-YV-Cache"] == "miss"
    assert Client().get("/api/search/?q=政策")["X-YV-Cache"] == "miss"


def test_a_flood_of_distinct_terms_costs_one_search_each_and_long_tails_share_an_entry(branch, client):
    client.get("/api/search/?q=创业")  # the process's first search (the segmenter's dictionary)
    for i in range(5):
        r, queries = _get(Client(), f"/api/search/?q=创业{i}号")
        assert r.status_code == 200 and r["X-YV-Cache"] == "miss"
        assert queries <= 10 or connection.vendor != "postgresql"  # one normal search (SQLite: per source)
    # the segmenter reads the first 400 characters: a different tail is the same search and entry
    head = "创业" * 200
    assert Client().get(f"/api/search/?q={head}甲")["X-YV-Cache"] == "miss"
    r, queries = _get(Client(), f"/api/search/?q={head}乙")
    assert r["X-YV-Cache"] == "hit" and queries == 0
    # bad input: a 4xx answer, never stored
    for url in ("/api/search/?q=" + "创" * 1001, "/api/search/?q=创业&limit=abc", "/api/search/?q=创业&q=补贴"):
        r = Client().get(url)
        assert r.get("X-YV-Cache") != "hit"
        assert Client().get(url).get("X-YV-Cache") != "hit", url
