"""Browser: a city administrator rejects a real name in Wagtail's user editor; the decision goes through
organizations.services.verify_real_name (a reason is required, shown as a form error). Screenshots go
to $YV_SCREENSHOTS (default /tmp)."""

import os

import pytest
from django.contrib.auth.models import Permission

from accounts.models import RealNameStatus
from organizations.models import StaffRole
from organizations.services import add_staff
from tests.conftest import build_tree
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("YV_SCREENSHOTS", "/tmp")


def test_city_admin_rejects_a_real_name_with_a_reason(live_server, page):
    tree = build_tree()
    admin = UserFactory(username="gzadmin", is_staff=True)
    add_staff(actor=None, user=admin, organization=tree.guangzhou, role=StaffRole.ORG_ADMIN)
    admin.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "view_user"]))
    person = UserFactory(organization=tree.tianhe, real_name="李四", real_name_status=RealNameStatus.PENDING)
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(f"{live_server.url}/accounts/login/?next=/admin/users/edit/{person.pk}/")
    page.locator("#id_username").fill("gzadmin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**/admin/users/edit/{person.pk}/**")

    page.select_option("#id_real_name_status", "rejected")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_selector("text=驳回须填写原因")
    page.screenshot(path=f"{SHOTS}/admin-user-reject-needs-reason.png", full_page=True)
    person.refresh_from_db()
    assert person.real_name_status == RealNameStatus.PENDING

    page.select_option("#id_real_name_status", "rejected")
    page.fill("#id_real_name_reason", "姓名与证件不符")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/admin/users/")
    person.refresh_from_db()
    assert person.real_name_status == RealNameStatus.REJECTED
