import pytest

from tests.conftest import build_tree

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_youth_browses_from_province_to_a_district(live_server, page):
    build_tree()
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "共青团广东省委员会"
    page.get_by_role("link", name="广州市").click()
    page.wait_for_url("**/guangzhou/")
    assert page.locator("h1").inner_text() == "共青团广州市委员会"
    page.get_by_role("link", name="天河区").click()
    page.wait_for_url("**/guangzhou/440106/")
    assert "天河区" in page.locator("h1").inner_text()
    # breadcrumb back to the city
    page.get_by_role("navigation", name="面包屑").get_by_role("link", name="广州市").click()
    page.wait_for_url("**/guangzhou/")
