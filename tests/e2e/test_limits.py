"""A comment flood in the browser (issue 25, finding 6): the page refuses the 11th comment of the
minute in Chinese, and the asker's notification centre shows the flood as one notice with a count."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import build_tree
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/yv-e2e-limits"


def login(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()


def test_comment_flood_is_stopped_and_coalesced(live_server, page, settings):
    import os

    from community.models import Question

    settings.YV_RATE_LIMITS_ENABLED = True
    os.makedirs(SHOTS, exist_ok=True)
    tree = build_tree()
    long_ago = timezone.now() - timedelta(days=90)
    asker = UserFactory(username="asker", display_name="小红", organization=tree.tianhe, date_joined=long_ago)
    UserFactory(username="flooder", display_name="刷屏者", organization=tree.tianhe, date_joined=long_ago)
    now = timezone.now()
    q = Question.objects.create(asker=asker, title="毕业后档案应该放在哪里", domain="employment", organization=tree.tianhe,
                                asked_at=now, clock_started_at=now, remind_at=now + timedelta(hours=2),
                                deadline_at=now + timedelta(hours=3), last_activity_at=now)
    login(page, live_server.url, "flooder")
    for i in range(11):
        page.goto(f"{live_server.url}/qa/{q.pk}/")
        page.locator(".qa-comment-form input[name=body]").first.fill(f"刷屏评论第 {i + 1} 条")
        page.locator(".qa-comment-form button[type=submit]").first.click()
        page.wait_for_load_state()
    body = page.locator("body").inner_text()
    assert "操作太频繁：每分钟最多评论 10 次，请稍后再试" in body
    assert "please" not in body
    page.screenshot(path=f"{SHOTS}/comment-limit.png", full_page=True)
    assert q.comments.count() == 10

    page.context.clear_cookies()
    login(page, live_server.url, "asker")
    page.goto(live_server.url + "/notifications/")
    assert page.locator(".notification-list li").count() == 1
    assert "共 10 条" in page.locator(".notification-list").inner_text()
    page.screenshot(path=f"{SHOTS}/notifications.png", full_page=True)
