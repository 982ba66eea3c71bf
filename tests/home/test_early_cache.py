"""The early page cache (core.page_cache.EarlyPageCacheMiddleware, issue 23): anonymous hits before the
rest of the middleware, no query on a hit, ETag/304, invalidation by scope, never one user's page to
another."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.usefixtures("early_cache")  # tests/conftest.py: the early page cache on


def _hit(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, **extra)
    return r, len(ctx.captured_queries)


def test_anonymous_hit_runs_no_query_and_carries_validators(content, client):
    url = content.article.url
    assert client.get(url)["X-YV-Cache"] == "miss"
    r, queries = _hit(Client(), url)
    assert r["X-YV-Cache"] == "hit" and queries == 0
    assert r["ETag"].startswith('W/"') and r["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Accept-Language" in r["Vary"] and "Cookie" in r["Vary"]
    assert "Content-Security-Policy" in r  # the policy the full stack added is served with it
    r304, queries = _hit(Client(), url, HTTP_IF_NONE_MATCH=r["ETag"])
    assert r304.status_code == 304 and queries == 0 and r304.content == b""


def test_each_hit_gets_a_fresh_csp_nonce(content, client):
    url = content.article.url
    first = client.get(url)
    a, b = Client().get(url), Client().get(url)
    assert a["X-YV-Cache"] == b["X-YV-Cache"] == "hit"
    if "nonce-" in first["Content-Security-Policy"]:
        assert a["Content-Security-Policy"] != b["Content-Security-Policy"]
    assert "__YV_CSP_NONCE__" not in a.content.decode() and "__YV_CSP_NONCE__" not in a["Content-Security-Policy"]


def test_languages_are_kept_apart(content, client):
    url = content.article.url
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = Client().get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert en["X-YV-Cache"] == "miss"
    assert zh.content != en.content


def test_logged_in_users_and_session_holders_bypass_it(content, youth, client, client_for):
    url = content.activity.url
    client.get(url)
    user_client = client_for(youth)
    r = user_client.get(url)
    assert r.get("X-YV-Cache") != "hit"
    assert youth.display_name in r.content.decode()
    # the anonymous copy never carries the user's name, and the user's page is never stored
    anon = Client().get(url)
    assert anon["X-YV-Cache"] == "hit" and youth.display_name not in anon.content.decode()


@pytest.fixture
def question(tree, youth):
    from community import services

    return services.ask_question(asker=youth, title="毕业生三方协议违约金怎么算？", body="签了三方协议想换工作",
                                 organization=tree.guangzhou, domain="legal")


def test_question_page_is_cached_and_a_new_answer_shows_at_once(question, client, make_staff):
    from community import services

    url = f"/qa/{question.pk}/"
    assert client.get(url)["X-YV-Cache"] == "miss"
    r, queries = _hit(Client(), url)
    assert r["X-YV-Cache"] == "hit"
    assert queries <= 1  # the view is counted on a hit (one UPDATE without the Redis buffer)
    duty = make_staff(question.organization, "duty")
    services.answer_question(actor=duty, question=question, body="违约金以三方协议约定为准，一般不超过5000元。")
    r = Client().get(url)
    assert r["X-YV-Cache"] == "miss" and "违约金以三方协议约定为准" in r.content.decode()
    feed = Client().get("/qa/")
    assert feed.status_code == 200


def test_question_page_hits_still_count_views(question, client):
    url = f"/qa/{question.pk}/"
    client.get(url)
    Client().get(url)
    Client().get(url)
    question.refresh_from_db()
    assert question.view_count == 3


def test_a_hostile_query_string_is_bounded_work(content, client):
    # every distinct query string is its own entry, but each costs one render and expires
    for i in range(3):
        assert client.get(content.article.url, {"x": i}).status_code == 200
