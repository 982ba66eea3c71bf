"""A logged-in youth on a question page served from the shared page cache (issue 23, the Q&A part): the
page is the visitor's entry with the youth's frame; community/me.js fills in their own state from
GET /qa/me/<id>/; liking and following post as before and show at once."""

import os

import pytest
from django.conf import settings
from django.test import Client

from community import services
from organizations.models import StaffRole
from tests.conftest import build_tree
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("YV_SCREENSHOTS", "/tmp")


def test_a_youth_likes_and_follows_on_a_cached_question_page(live_server, page, early_cache):
    from organizations.services import add_staff

    tree = build_tree()
    asker = UserFactory(display_name="阿华")
    youth = UserFactory(username="e2e_liker", display_name="小林")
    duty = UserFactory(display_name="天河团干")
    add_staff(actor=None, user=duty, organization=tree.tianhe, role=StaffRole.DUTY)
    q = services.ask_question(asker=asker, title="毕业生三方协议违约金怎么算？", body="签了三方协议想换工作，违约金怎么算",
                              organization=tree.tianhe, domain="legal")
    answer = services.answer_question(actor=duty, question=q, body="违约金以三方协议约定为准，一般不超过5000元。")
    url = f"{live_server.url}/qa/{q.pk}/"
    host = live_server.url.split("//", 1)[1]

    def visitor():  # a visitor stores the page again (a like or a follow bumped its scope): nobody's state in it
        assert Client(HTTP_HOST=host).get(f"/qa/{q.pk}/")["X-YV-Cache"] == "miss"

    assert page.goto(url).headers.get("x-yv-cache") == "miss"  # a visitor stores the shared page
    assert page.locator("form[data-yv-like='q']").is_hidden()  # a visitor: no buttons, the counts
    c = Client()
    c.force_login(youth)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    response = page.goto(url)
    assert response.headers.get("x-yv-cache") == "hit"  # the shared page, with the youth's frame
    assert page.locator(".header-nav .who").inner_text() == "小林"
    like = page.locator("form[data-yv-like='q'] button")
    assert like.is_visible() and like.get_attribute("aria-pressed") == "false"

    like.click()  # posts as before; the like bumps the question's scope, so the next page is fresh
    page.wait_for_url(url)
    assert page.locator("form[data-yv-like='q'] button").inner_text() == "赞 1"
    visitor()
    response = page.goto(url)
    assert response.headers.get("x-yv-cache") == "hit"
    pressed = page.locator("form[data-yv-like='q'] button[aria-pressed='true']")
    pressed.wait_for()  # community/me.js applied the youth's own state from /qa/me/<id>/
    assert page.locator("form[data-yv-like='q']").get_attribute("action").endswith("/unlike/")

    page.locator("form[data-yv-follow] button").click()
    page.wait_for_url(url)
    assert "取消关注" in page.locator("form[data-yv-follow] button").inner_text()
    page.locator(f"form[data-yv-like='a{answer.pk}'] button").click()
    page.wait_for_url(url)
    visitor()
    assert page.goto(url).headers.get("x-yv-cache") == "hit"
    page.locator(f"form[data-yv-like='a{answer.pk}'] button[aria-pressed='true']").wait_for()
    page.locator("form[data-yv-follow] [data-yv-on]").wait_for()
    assert "取消关注" in page.locator("form[data-yv-follow] button").inner_text()
    assert page.locator("[data-yv-asker-only]").first.is_hidden()  # not the asker: no 采纳
    page.screenshot(path=f"{SHOTS}/qa-shared-question-liked.png", full_page=True)

    # the asker on the same cached page: their own question has no like button they can use
    c = Client()
    c.force_login(asker)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    assert page.goto(url).headers.get("x-yv-cache") == "hit"
    page.get_by_text("这是你的提问").wait_for()
    assert page.locator("form[data-yv-like='q'] button").is_disabled()
    assert page.locator("[data-yv-post='q'] .qa-report").is_hidden()  # no report of their own question
    assert page.locator("[data-yv-asker-only]").first.is_visible()  # 采纳
    page.screenshot(path=f"{SHOTS}/qa-shared-question-asker.png", full_page=True)
