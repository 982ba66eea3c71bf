"""Anonymous page responses are cached whole and invalidated on publish; users never get them."""

import re

from core import page_cache as cache


def test_anonymous_home_is_cached_and_publish_invalidates(content, tree, client):
    r1 = client.get("/guangzhou/")
    assert r1["X-YV-Cache"] == "miss"
    r2 = client.get("/guangzhou/")
    assert r2["X-YV-Cache"] == "hit" and r2.content.decode().count("青年志愿服务行动") >= 1
    article = content.article
    article.title = "服务周圆满结束"
    article.save_revision().publish()
    r3 = client.get("/guangzhou/")
    assert r3["X-YV-Cache"] == "miss" and "服务周圆满结束" in r3.content.decode()


def test_logged_in_users_are_not_served_from_cache(content, youth, client, client_for):
    client.get(content.activity.url)
    r = client_for(youth).get(content.activity.url)
    assert "X-YV-Cache" not in r
    assert "小明" in r.content.decode() or youth.display_name in r.content.decode()


def test_cached_pages_carry_each_visitors_own_csrf_token(content, client):
    from django.test import Client

    client.get(content.activity.url)
    other = Client(enforce_csrf_checks=True)
    r = other.get(content.activity.url)
    assert r["X-YV-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.content.decode()).group(1)
    assert token != cache.CSRF_MARKER
    assert "csrftoken" in r.cookies  # the token matches a cookie this visitor now has
    r = other.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert r.status_code == 302


def test_api_v2_list_is_cached_and_invalidated(content, client):
    params = {"type": "home.ArticlePage", "fields": "summary"}
    assert client.get("/api/v2/pages/", params)["X-YV-Cache"] == "miss"
    assert client.get("/api/v2/pages/", params)["X-YV-Cache"] == "hit"
    content.article.unpublish()
    r = client.get("/api/v2/pages/", params)
    assert r["X-YV-Cache"] == "miss"
    assert "广州启动青年之声服务周" not in r.content.decode()


def test_non_page_views_are_not_cached(content, client):
    client.get(f"/api/content/activities/{content.activity.pk}/signup")
    r = client.get(f"/api/content/activities/{content.activity.pk}/signup")
    assert "X-YV-Cache" not in r
