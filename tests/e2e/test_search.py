import pytest
from wagtail.models import Page

from tests.conftest import build_tree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_youth_types_gets_suggestions_and_highlighted_results(live_server, page):
    tree = build_tree()
    from home.models import BranchHomePage

    gz = BranchHomePage.objects.get(organization=tree.guangzhou)
    gz.add_child(instance=Page(title="青年创业补贴政策解读", slug="cy", live=True))

    page.goto(live_server.url + "/search/")
    box = page.locator("#search-q")
    box.fill("青年创")
    option = page.locator("#search-suggestions").get_by_role("option").first
    assert "青年创业补贴政策解读" in option.inner_text()
    assert box.get_attribute("aria-expanded") == "true"
    box.fill("創業")  # traditional characters
    box.press("Enter")
    page.wait_for_url("**/search/?q=%E5%89%B5%E6%A5%AD*")
    assert page.locator(".search-hit mark").first.inner_text() == "创业"
    page.get_by_role("link", name="青年创业补贴政策解读").click()
    page.wait_for_url("**/guangzhou/cy/")
