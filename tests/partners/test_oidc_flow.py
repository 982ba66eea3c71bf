"""一号通 against a live server with a real OIDC client library (authlib): code + PKCE, the ID token
verified with the JWKS, the API called with the access token, refresh, revocation, logout."""

import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from demo.partners import DEMO_CLIENT_ID, DEMO_LOGOUT_URI, DEMO_REDIRECT_URI
from tests.factories import UserFactory

from .conftest import browser_for, submit_consent

pytestmark = pytest.mark.django_db(transaction=True)


def _authorize(live_server, browser, scope, *, verifier=None, nonce="n-0S6_WzA2Mj", redirect_uri=DEMO_REDIRECT_URI):
    meta = requests.get(live_server.url + "/.well-known/openid-configuration", timeout=10).json()
    client = OAuth2Session(DEMO_CLIENT_ID, redirect_uri=redirect_uri, scope=scope, code_challenge_method="S256")
    verifier = verifier or generate_token(48)
    url, state = client.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    page = browser.get(url, allow_redirects=False)
    return meta, client, verifier, state, url, page


def _consent_and_code(live_server, browser, scope, **kwargs):
    meta, client, verifier, state, url, page = _authorize(live_server, browser, scope, **kwargs)
    if page.status_code == 302 and kwargs.pop("remembered", True):  # consent already given for these scopes
        return meta, client, verifier, page.headers["Location"]
    assert page.status_code == 200, page.text[:500]
    from django.conf import settings

    assert "使用青年之声账号登录「广东志愿者平台 (demo)」" in page.text  # the consent names the partner…
    assert all(settings.YV_PARTNER_SCOPES[s] in page.text for s in scope.split())  # …and each scope in Chinese
    redirect = submit_consent(browser, page.text, url)
    assert redirect.status_code == 302, redirect.text[:300]
    location = redirect.headers["Location"]
    assert location.startswith(DEMO_REDIRECT_URI)
    assert parse_qs(urlsplit(location).query)["state"] == [state]
    return meta, client, verifier, location


def test_youth_logs_in_to_the_demo_partner_asks_refreshes_and_logs_out(live_server, demo_partner, tree):
    youth = UserFactory(username="oidc_youth", display_name="小明", phone="13900000111", organization=tree.tianhe)
    browser = browser_for(live_server, youth)
    scope = "openid profile phone organization qa:read qa:write"
    meta, client, verifier, location = _consent_and_code(live_server, browser, scope)
    assert meta["issuer"] == live_server.url
    assert "S256" in meta["code_challenge_methods_supported"]

    token = client.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier)
    assert {"access_token", "refresh_token", "id_token"} <= set(token)

    # The ID token verifies with the published JWKS; pairwise sub; claims per scope.
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    id_token = jwt.decode(token["id_token"], keys)
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": live_server.url},
                          aud={"essential": True, "value": DEMO_CLIENT_ID},
                          nonce={"essential": True, "value": "n-0S6_WzA2Mj"}).validate(id_token.claims)
    claims = id_token.claims
    assert claims["sub"] != str(youth.pk) and len(claims["sub"]) == 40  # not trusted: pairwise
    assert claims["name"] == "小明"
    assert claims["phone_number"] == "+8613900000111"
    assert claims["organization"]["id"] == tree.tianhe.pk
    assert "real_name" not in claims and "roles" not in claims  # scopes not asked

    userinfo = client.get(meta["userinfo_endpoint"]).json()
    assert userinfo["sub"] == claims["sub"]

    # The access token asks a question through /api/ (no cookie, no CSRF token).
    api = live_server.url + "/api/community"
    r = client.post(api + "/questions/", json={"title": "一号通登录后提问：社保怎么转？", "body": "从志愿者平台过来",
                                                "domain": "employment"})
    assert r.status_code == 201, r.text
    assert len(client.get(api + "/mine/").json()["items"]) == 1

    # Refresh: a new access token works, the old one (rotated) is refused.
    old = token["access_token"]
    new = client.refresh_token(meta["token_endpoint"])
    assert new["access_token"] != old
    assert client.get(api + "/mine/").status_code == 200
    refused = requests.get(api + "/mine/", headers={"Authorization": f"Bearer {old}"}, timeout=10)
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_token"
    assert refused.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')

    # RP-initiated logout: the browser session ends, the tokens are deleted.
    logout = browser.get(meta["end_session_endpoint"], params={
        "id_token_hint": new["id_token"], "post_logout_redirect_uri": DEMO_LOGOUT_URI, "state": "bye",
        "client_id": DEMO_CLIENT_ID}, allow_redirects=False)
    assert logout.status_code == 302 and logout.headers["Location"].startswith(DEMO_LOGOUT_URI)
    assert browser.get(api + "/mine/").status_code == 401
    assert client.get(api + "/mine/").status_code == 401


def test_revoked_token_is_refused(live_server, demo_partner, tree):
    youth = UserFactory(organization=tree.tianhe)
    browser = browser_for(live_server, youth)
    meta, client, verifier, location = _consent_and_code(live_server, browser, "openid qa:read")
    token = client.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier)
    api = live_server.url + "/api/community/mine/"
    assert client.get(api).status_code == 200
    client.revoke_token(meta["revocation_endpoint"], token=token["access_token"], token_type_hint="access_token")
    r = client.get(api)
    assert r.status_code == 401
    assert r.json() == {"detail": "访问令牌无效或已撤销 / The access token is invalid or was revoked", "code": "invalid_token"}


def test_bad_requests_get_the_spec_errors(live_server, demo_partner, tree):
    youth = UserFactory(organization=tree.tianhe)
    browser = browser_for(live_server, youth)
    meta = requests.get(live_server.url + "/.well-known/openid-configuration", timeout=10).json()
    authorize = meta["authorization_endpoint"]
    base = {"response_type": "code", "scope": "openid", "code_challenge": "x" * 43, "code_challenge_method": "S256"}

    # Unknown client and wrong redirect URI: an error page, never a redirect to the URI given.
    r = browser.get(authorize, params={**base, "client_id": "nope", "redirect_uri": DEMO_REDIRECT_URI}, allow_redirects=False)
    assert r.status_code == 400 and "未知的对接系统" in r.text and "invalid_request" in r.text
    r = browser.get(authorize, params={**base, "client_id": DEMO_CLIENT_ID, "redirect_uri": "http://127.0.0.1:9/evil"},
                    allow_redirects=False)
    assert r.status_code == 400 and "回调地址与该系统登记的不一致" in r.text

    # A public client without PKCE: the error comes back to the redirect URI (RFC 7636 §4.4.1).
    r = browser.get(authorize, params={"response_type": "code", "scope": "openid", "client_id": DEMO_CLIENT_ID,
                                       "redirect_uri": DEMO_REDIRECT_URI}, allow_redirects=False)
    assert r.status_code == 302
    assert parse_qs(urlsplit(r.headers["Location"]).query)["error"] == ["invalid_request"]

    # A scope the partner may not ask.
    r = browser.get(authorize, params={**base, "client_id": DEMO_CLIENT_ID, "redirect_uri": DEMO_REDIRECT_URI,
                                       "scope": "openid export"}, allow_redirects=False)
    assert parse_qs(urlsplit(r.headers["Location"]).query)["error"] == ["invalid_scope"]

    # Missing and wrong verifier, then a replayed code.
    meta, client, verifier, location = _consent_and_code(live_server, browser, "openid qa:read")
    code = parse_qs(urlsplit(location).query)["code"][0]
    token_url = meta["token_endpoint"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": DEMO_REDIRECT_URI, "client_id": DEMO_CLIENT_ID}
    r = requests.post(token_url, data=form, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"  # code_verifier missing
    r = requests.post(token_url, data={**form, "code_verifier": secrets.token_urlsafe(48)}, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    meta, client, verifier, location = _consent_and_code(live_server, browser, "openid qa:read")
    code = parse_qs(urlsplit(location).query)["code"][0]
    form["code"] = code
    assert requests.post(token_url, data={**form, "code_verifier": verifier}, timeout=10).status_code == 200
    r = requests.post(token_url, data={**form, "code_verifier": verifier}, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"  # replayed

    # A token without the operation's scope: 403 insufficient_scope, nothing written.
    meta, client, verifier, location = _consent_and_code(live_server, browser, "openid qa:read")
    client.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier)
    r = client.post(live_server.url + "/api/community/questions/", json={"title": "没有提问权限的令牌试试", "domain": "legal"})
    assert r.status_code == 403 and r.json()["code"] == "insufficient_scope"
    assert 'scope="qa:write"' in r.headers["WWW-Authenticate"]
    from community.models import Question

    assert not Question.objects.exists()

    # An expired token.
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    AccessToken.objects.filter(user=youth).update(expires=timezone.now())
    r = client.get(live_server.url + "/api/community/mine/")
    assert r.status_code == 401 and r.json()["code"] == "invalid_token" and "过期" in r.json()["detail"]
