import re

import pytest

from organizations.models import Organization
from tests.conftest import build_tree
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_youth_finds_a_featured_activity_and_signs_up(live_server, page):
    from home.models import ActivityIndexPage, FeaturedItem
    from tests.home.conftest import make_activity, publish

    build_tree()
    gz = Organization.objects.get(slug="guangzhou").branch.specific
    activity = make_activity(publish(gz, ActivityIndexPage(title="主题活动", slug="activities")), capacity=2)
    gz.featured_items.add(FeaturedItem(link_page=activity, summary="名额有限，报名从速"))
    gz.save_revision().publish()
    UserFactory(username="xiaoming", display_name="小明")

    page.goto(live_server.url + "/guangzhou/")
    page.get_by_role("link", name="青年志愿服务行动").first.click()
    page.wait_for_url("**/activities/act/")
    page.get_by_role("link", name=re.compile("登录后报名|Log in to sign up")).click()  # until the lead merges the .po
    page.fill("input[name=username]", "xiaoming")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/activities/act/")
    page.locator("input[name=phone]").fill("13900000001")
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url("**/activities/act/")
    assert page.get_by_role("status").inner_text().strip() in ("报名成功！", "You have signed up.")
    assert activity.signups.count() == 1
