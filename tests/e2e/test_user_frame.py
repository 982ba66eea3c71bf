"""A logged-in youth on a shared cached page (core.page_cache, issue 23): the page comes from the cache
and the header shows their own name; logging out shows the visitor's frame at once."""

import os

import pytest

from organizations.models import Organization
from tests.conftest import build_tree
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("YV_SCREENSHOTS", "/tmp")


def test_logged_in_youth_sees_their_name_on_a_cached_page(live_server, page, early_cache):
    from home.models import ArticleIndexPage, ArticlePage
    from tests.home.conftest import publish

    build_tree()
    gz = Organization.objects.get(slug="guangzhou").branch.specific
    article = publish(publish(gz, ArticleIndexPage(title="团青资讯", slug="news")),
                      ArticlePage(title="广州启动青年之声服务周", slug="week", summary="集中服务一周"))
    UserFactory(username="xiaoming", display_name="小明")
    UserFactory(username="xiaohong", display_name="小红")
    url = live_server.url + article.url

    first = page.goto(url)  # an anonymous visitor stores the shared page
    assert first.headers.get("x-yv-cache") == "miss"
    assert page.locator(".header-nav").get_by_role("link", name="登录").is_visible()

    page.goto(live_server.url + "/accounts/login/?next=" + article.url)
    page.fill("input[name=username]", "xiaoming")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/news/week/")
    response = page.goto(url)
    assert response.headers.get("x-yv-cache") == "hit" and "private" in response.headers.get("cache-control")
    assert page.locator(".header-nav .who").inner_text() == "小明"
    assert page.get_by_role("heading", name="广州启动青年之声服务周").is_visible()
    assert "小红" not in page.content()
    page.screenshot(path=f"{SHOTS}/user-frame-cached-article.png", full_page=True)

    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()
    response = page.goto(url)
    assert response.headers.get("x-yv-cache") == "hit"
    assert page.locator(".header-nav .who").count() == 0 and "小明" not in page.content()


def test_a_station_page_from_the_cache_shows_the_users_own_bookings(live_server, page, browser, early_cache):
    from stations import services
    from tests.stations.conftest import make_station

    tree = build_tree()
    station = make_station(tree.tianhe)
    services.generate_slots(station=station)
    UserFactory(username="xiaoming", display_name="小明")
    url = live_server.url + station.url
    page.route("**/*tile*/**", lambda route: route.abort())

    assert page.goto(url).headers.get("x-yv-cache") == "miss"
    assert page.locator("#book a.button").first.is_visible()  # 登录后预约
    assert not page.locator("#book button[type=submit]").first.is_visible()
    page.locator("#book a.button").first.click()
    page.fill("input[name=username]", "xiaoming")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**{station.url}*")
    response = page.goto(url)
    assert response.headers.get("x-yv-cache") == "hit"
    assert page.locator(".header-nav .who").inner_text() == "小明"
    assert page.locator("#book button[type=submit]").first.is_visible()  # 预约这个时段
    assert not page.locator("#book a.button").first.is_visible()
    page.locator("#book textarea").first.fill("想了解创业补贴")
    page.locator("#book button[type=submit]").first.click()
    page.wait_for_url("**/stations/my/")

    visitor = browser.new_context(locale="zh-CN")  # a visitor stores the page again after the booking
    assert visitor.new_page().goto(url).headers.get("x-yv-cache") == "miss"
    visitor.close()
    response = page.goto(url)
    assert response.headers.get("x-yv-cache") == "hit"
    mine = page.locator(".st-me")
    mine.get_by_text("您在本站的预约").wait_for()  # filled by GET /stations/me/<id>/
    page.screenshot(path=f"{SHOTS}/user-frame-cached-station.png", full_page=True)
