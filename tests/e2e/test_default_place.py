"""A logged-in youth's Q&A feed and station map open on their own place; the reset page offers e-mail."""

import pytest
from django.conf import settings
from django.test import Client

from community import services
from tests.conftest import build_tree
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_feed_opens_on_my_place_and_switches_to_the_province(live_server, page, tmp_path):
    tree = build_tree()
    youth = UserFactory(username="e2e_place", organization=tree.tianhe)
    services.ask_question(asker=youth, title="天河区实习合同问题", domain="legal")
    services.ask_question(asker=youth, title="南山区创业补贴问题", domain="legal", organization=tree.nanshan)
    c = Client()
    c.force_login(youth)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/qa/")
    assert page.get_by_text("南山区创业补贴问题").count() == 0
    page.screenshot(path=str(tmp_path.parent / "signup2_feed.png"), full_page=True)
    page.get_by_role("link", name="查看全省").click()
    page.get_by_text("南山区创业补贴问题").wait_for()
    page.goto(f"{live_server.url}/accounts/password/reset/email/")
    page.screenshot(path=str(tmp_path.parent / "signup2_reset.png"), full_page=True)
