"""In a real browser (issue 25, finding 1): the probe's interleaved attack through the login form —
wrong passwords for a victim between successful logins as the attacker's own account — ends on the
throttle page, while the victim's own browser (device cookie from an earlier login) still gets in.
Screenshot: $YV_SCREENSHOTS/login-throttle.png (default /tmp)."""

import os

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("YV_SCREENSHOTS", "/tmp")


def _submit(page, base, username, password):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def test_interleaved_attack_ends_on_the_throttle_page_and_the_owner_still_gets_in(live_server, browser):
    UserFactory(username="victim")
    UserFactory(username="attacker")
    owner = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    _submit(owner, live_server.url, "victim", PASSWORD)  # the owner's browser gets its device cookie
    assert any(c["name"] == "yv_login_device" for c in owner.context.cookies())
    owner.context.clear_cookies(name="sessionid")

    attacker = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    for _round in range(3):
        for _ in range(4):
            _submit(attacker, live_server.url, "victim", "wrong-password")
        attacker.context.clear_cookies(name="sessionid")
        _submit(attacker, live_server.url, "attacker", PASSWORD)
        attacker.context.clear_cookies(name="sessionid")
    _submit(attacker, live_server.url, "victim", PASSWORD)
    assert attacker.locator("#lock-title").count() == 1
    assert "登录失败次数过多" in attacker.content()
    attacker.screenshot(path=f"{SHOTS}/login-throttle.png", full_page=True)

    _submit(owner, live_server.url, "victim", PASSWORD)
    assert owner.locator("#lock-title").count() == 0
    assert any(c["name"] == "sessionid" for c in owner.context.cookies())
