import pytest

from alliances.models import AllianceMembership, MembershipStatus
from organizations.models import StaffRole
from organizations.services import add_staff
from tests.alliances.conftest import make_alliance, make_expert
from tests.conftest import build_tree
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()


def test_youth_filters_the_directory_and_opens_an_expert(live_server, page):
    tree = build_tree()
    make_expert(tree.tianhe, name="王律师", bio="劳动争议十年")
    make_expert(tree.nanshan, domains=("psychology",), name="林老师")
    page.goto(live_server.url + "/alliances/")
    page.select_option("#f-domain", "psychology")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**domain=psychology**")
    assert page.get_by_role("link", name="林老师").is_visible()
    assert page.get_by_role("link", name="王律师").count() == 0
    page.get_by_role("link", name="林老师").click()
    page.wait_for_url("**/alliances/experts/**")
    assert "林老师" in page.locator("h1").inner_text()


def test_youth_applies_and_liaison_approves_in_the_browser(live_server, page):
    tree = build_tree()
    liaison = UserFactory(username="gzl")
    add_staff(actor=None, user=liaison, organization=tree.guangzhou, role=StaffRole.LIAISON)
    UserFactory(username="applicant", organization=tree.tianhe)
    alliance = make_alliance(tree.guangzhou, "legal")
    login(page, live_server, "applicant")
    page.goto(live_server.url + alliance.url)
    page.fill("#a-name", "周律师")
    page.fill("#a-msg", "愿意为青年提供法律咨询")
    page.locator("form.apply-form button[type=submit]").click()
    page.wait_for_url("**" + alliance.url)
    assert AllianceMembership.objects.get().status == MembershipStatus.APPLIED
    page.context.clear_cookies()
    login(page, live_server, "gzl")
    page.goto(live_server.url + alliance.url)
    page.locator(".pending-row form").first.locator("button").click()
    page.wait_for_url("**" + alliance.url)
    assert AllianceMembership.objects.get().status == MembershipStatus.ACTIVE
