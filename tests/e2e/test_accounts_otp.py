"""In a real browser: a provincial administrator logs into the Wagtail admin, passes the TOTP step,
and neither the admin nor the public site trips the Content-Security-Policy."""

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from organizations.models import StaffRole
from organizations.services import add_staff
from tests.conftest import build_tree
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KEY = "3132333435363738393031323334353637383930"


def _csp_errors(page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


@override_settings(YV_OTP_REQUIRED=True)
def test_provincial_admin_passes_the_totp_step(live_server, page):
    tree = build_tree()
    user = UserFactory(username="prov_admin")
    add_staff(actor=None, user=user, organization=tree.province, role=StaffRole.ORG_ADMIN)
    device = TOTPDevice.objects.create(user=user, name="phone", key=KEY, confirmed=True)
    errors = _csp_errors(page)

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "prov_admin")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url("**/accounts/otp/verify/**")
    assert page.locator("input[name=token]").count() == 1
    code = f"{totp(bytes.fromhex(device.key), step=30, digits=6):06d}"
    page.fill("input[name=token]", code)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(live_server.url + "/admin/")
    assert page.locator("#wagtail").count() == 1
    page.goto(live_server.url + "/admin/pages/")
    page.goto(live_server.url + "/")
    assert errors == []
