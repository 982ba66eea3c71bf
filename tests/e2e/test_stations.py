"""Browser: the service map (markers + accessible list, tiles blocked) and the booking flow from a
youth's request to the station admin's confirmation. Screenshots go to $YV_SCREENSHOTS (default /tmp)."""

import os
from datetime import time

import pytest

from stations import services
from tests.conftest import build_tree
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("YV_SCREENSHOTS", "/tmp")
ALL_DAY = {d: [(time(0), time(23, 59))] for d in range(7)}


def _station(org, admin, title, lat, lng):
    s = services.create_station(
        actor=None, organization=org, title=title, address=f"{org.short_name}青年路 1 号", latitude=lat, longitude=lng,
        services=[{"name": "心理咨询", "duration_minutes": 60, "slot_capacity": 2}], hours=ALL_DAY, admins=[admin],
        follows_public_holidays=False,
    )
    services.generate_slots(station=s, days=2)
    return s


def _login(page, base, username, next_url):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("用户名或手机号").or_(page.locator("#id_username")).first.fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()


def test_map_page_shows_markers_and_list(live_server, page):
    tree = build_tree()
    admin = UserFactory()
    _station(tree.tianhe, admin, "天河青年之家", "23.1250", "113.3610")
    _station(tree.nanshan, admin, "南山青年之家", "22.5330", "113.9300")
    page.route("**/*tile*/**", lambda route: route.abort())  # no network: the page must still work
    page.goto(live_server.url + "/stations/")
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator(".leaflet-marker-icon").count() == 2
    cards = page.locator("#station-list > li h3")
    assert sorted(cards.all_inner_texts()) == ["南山青年之家", "天河青年之家"]
    page.screenshot(path=f"{SHOTS}/stations-map.png", full_page=True)
    # nearest to a point in Shenzhen: 南山 first
    page.goto(live_server.url + "/stations/?lat=22.54&lng=113.95")
    assert page.locator("#station-list > li h3").first.inner_text() == "南山青年之家"
    assert "km" in page.locator("#station-list .st-distance").first.inner_text()
    # a marker popup links to the station page
    # (a DOM click: a pointer click can land beside a marker the map is still panning to)
    page.locator(".leaflet-marker-icon").first.dispatch_event("click")
    link = page.locator(".leaflet-popup-content a")
    assert "/stations/" in link.get_attribute("href")
    # a DOM click too (the popup may still be opening); the station page's own map tiles are
    # refused, so wait for its document rather than for every resource (slow when both cores are busy)
    link.dispatch_event("click")
    page.wait_for_url("**/stations/*/", wait_until="domcontentloaded", timeout=30_000)
    assert page.locator("h1").inner_text() in ("南山青年之家", "天河青年之家")


def test_booking_flow_youth_requests_admin_confirms(live_server, page, browser):
    tree = build_tree()
    admin = UserFactory(username="stationboss")
    youth = UserFactory(username="xiaoming")
    station = _station(tree.tianhe, admin, "天河青年之家", "23.1250", "113.3610")
    page.route("**/*tile*/**", lambda route: route.abort())
    page.goto(live_server.url + station.url)
    page.locator("#book a.button").first.click()  # log in to book
    page.locator("#id_username").fill(youth.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{station.url}*")
    page.locator("#book textarea").first.fill("最近考研压力大，想和老师聊聊")
    page.screenshot(path=f"{SHOTS}/stations-book.png", full_page=True)
    page.locator("#book button[type=submit]").first.click()
    page.wait_for_url("**/stations/my/")
    assert page.locator(".st-booking.st-pending").count() == 1
    page.screenshot(path=f"{SHOTS}/stations-my-pending.png", full_page=True)

    admin_ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    ap = admin_ctx.new_page()
    _login(ap, live_server.url, admin.username, "/stations/manage/")
    ap.wait_for_url("**/stations/manage/")
    assert "最近考研压力大" in ap.locator(".st-booking").first.inner_text()
    ap.screenshot(path=f"{SHOTS}/stations-manage.png", full_page=True)
    ap.locator(".st-booking form[action$='/confirm/'] button").click()
    ap.wait_for_url("**/stations/manage/*")
    assert ap.locator(".st-msg-success").count() == 1
    admin_ctx.close()

    page.reload()
    assert page.locator(".st-booking.st-confirmed").count() == 1
    page.screenshot(path=f"{SHOTS}/stations-my-confirmed.png", full_page=True)
    # the youth was notified at each step
    page.goto(live_server.url + "/notifications/")
    assert page.locator(".notification-list li").count() >= 2
