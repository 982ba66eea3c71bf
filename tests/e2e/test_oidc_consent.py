"""The 一号通 consent screen in a real browser: Chinese, names the partner and the scopes, and its
redirect back to the partner is not blocked by our CSP (form-action covers redirects in Chromium)."""

import base64
import hashlib
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from demo import partners as demo
from tests.conftest import build_tree
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def test_youth_consents_and_returns_to_the_partner(live_server, page):
    tree = build_tree()
    demo.load()
    youth = UserFactory(username="e2e_oidc_youth", display_name="小明", organization=tree.tianhe)
    c = Client()
    c.force_login(youth)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    landed = []
    page.route("http://127.0.0.1:8765/**", lambda route: (landed.append(route.request.url),
                                                          route.fulfill(status=200, body="partner")))
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode({"client_id": demo.DEMO_CLIENT_ID, "response_type": "code", "redirect_uri": demo.DEMO_REDIRECT_URI,
                       "scope": "openid profile phone qa:write", "state": "s1", "code_challenge": challenge,
                       "code_challenge_method": "S256"})
    page.goto(f"{live_server.url}/oauth/authorize/?{query}")
    assert page.locator("h1").inner_text() == "使用青年之声账号登录「广东志愿者平台 (demo)」"
    assert "已验证的手机号" in page.content() and "以你的名义提问" in page.content()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "oidc-consent.png"), full_page=True)
    page.get_by_role("button", name="同意并登录").click()
    page.wait_for_url("http://127.0.0.1:8765/**")
    assert landed and parse_qs(urlsplit(landed[-1]).query)["state"] == ["s1"]
    assert "code" in parse_qs(urlsplit(landed[-1]).query)
