"""The account forms' success messages reach the next page, also across the log-in of a sign-up and
the log-out of a closed account (accounts.signup_views._submit)."""

import pytest
from django.contrib.messages import get_messages

from accounts.sms.backends import last_code
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
GOOD = "Qingnian-2026!"


def _next_messages(client, response):
    assert response.status_code == 302, response.content.decode()[:500]
    page = client.get(response["Location"])
    return [str(m) for m in get_messages(page.wsgi_request)]


def test_closing_the_account_says_so_after_the_log_out(client, tree):
    client.force_login(UserFactory(phone="13512345679", organization=tree.tianhe))
    response = client.post("/accounts/profile/close/", {"password": PASSWORD, "confirm": "on"})
    assert "账号已注销，感谢你曾使用青年之声" in _next_messages(client, response)


def test_signing_up_says_welcome_after_the_log_in(client, tree):
    client.post("/accounts/signup/", {"phone": "13512345670", "action": "send"})
    response = client.post("/accounts/signup/", {
        "phone": "13512345670", "code": last_code("13512345670"), "display_name": "新青年", "organization": tree.tianhe.pk,
        "birth_year": 2000, "password1": GOOD, "password2": GOOD, "agree_privacy": "on", "action": "signup"})
    assert "注册成功，欢迎加入青年之声！" in _next_messages(client, response)
