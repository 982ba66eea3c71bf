"""Staff operations through a token keep the TOTP rule: `staff` is granted only when the login passed
TOTP (recorded on the grant and its tokens as `otp`), and subtree rules stay the services' own."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from organizations.models import StaffRole
from partners.models import Partner
from partners.services import save_partner

REDIRECT = "https://staff-app.example.org/cb"


@pytest.fixture
def staff_app(tree, settings):
    settings.YV_OTP_REQUIRED = True
    p = Partner(name="团务通", home_url="https://staff-app.example.org/", trusted=True, confidential=False,
                allowed_scopes="openid roles qa:read staff", redirect_uris=REDIRECT)
    save_partner(actor=None, partner=p, check=False, client_id="staff-app")
    p.organizations.set([tree.province])
    return p


def _token(client: Client, scope: str) -> dict:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    r = client.get("/oauth/authorize/", {"client_id": "staff-app", "response_type": "code", "scope": scope,
                                         "redirect_uri": REDIRECT, "code_challenge": challenge,
                                         "code_challenge_method": "S256"})
    assert r.status_code == 302, r.content[:300]  # trusted: no consent screen
    code = parse_qs(urlsplit(r["Location"]).query)["code"][0]
    r = Client().post("/oauth/token/", {"grant_type": "authorization_code", "code": code, "client_id": "staff-app",
                                        "redirect_uri": REDIRECT, "code_verifier": verifier})
    assert r.status_code == 200, r.content
    return r.json()


def test_staff_scope_only_when_the_login_passed_totp(staff_app, tree, make_staff, client_for):
    admin = make_staff(tree.province, StaffRole.ORG_ADMIN)
    browser = client_for(admin)
    token = _token(browser, "openid roles staff")
    assert token["scope"].split() == ["openid", "roles"]  # not verified: staff dropped from the grant
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    r = api.get("/api/community/queue/")
    assert r.status_code == 403 and r.json()["code"] == "insufficient_scope"

    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    token = _token(browser, "openid staff")
    assert set(token["scope"].split()) == {"openid", "staff", "otp"}
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    assert api.get("/api/community/queue/").status_code == 200

    # A token with `staff` but without the TOTP record is refused for a provincial administrator.
    from oauth2_provider.models import AccessToken

    AccessToken.objects.filter(user=admin).update(scope="openid staff")
    r = api.get("/api/community/queue/")
    assert r.status_code == 403 and r.json()["code"] == "otp_required"


def test_a_youth_never_gets_staff_and_county_staff_keep_their_subtree(staff_app, tree, make_staff, client_for):
    from tests.factories import UserFactory

    youth_token = _token(client_for(UserFactory()), "openid staff qa:read")
    assert "staff" not in youth_token["scope"].split()
    county = make_staff(tree.tianhe, StaffRole.ORG_ADMIN)
    token = _token(client_for(county), "openid staff")
    assert "staff" in token["scope"].split()  # the TOTP rule is for provincial administrators
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    r = api.patch(f"/api/organizations/{tree.nanshan.pk}/", {"short_name": "南山"}, content_type="application/json")
    assert r.status_code == 403  # outside their subtree, as with the session


def test_one_token_story_on_wagtail_api_v3(staff_app, tree, make_staff, client_for):
    """/api/v3/ (Wagtail's headless API) takes our staff tokens as well as Wagtail's own API tokens."""
    from wagtail.models import APIToken

    editor = make_staff(tree.tianhe, StaffRole.EDITOR)
    token = _token(client_for(editor), "openid staff")
    r = Client(HTTP_AUTHORIZATION=f"Bearer {token['access_token']}").get("/api/v3/whoami/")
    assert r.status_code == 200 and r.json()["user"]["username"] == editor.username
    reader = _token(client_for(editor), "openid qa:read")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {reader['access_token']}").get("/api/v3/whoami/").status_code == 401
    result = APIToken.create_token(user=editor, name="cms")
    plain = result[1] if isinstance(result, tuple) else result.plaintext
    assert Client(HTTP_AUTHORIZATION=f"Bearer {plain}").get("/api/v3/whoami/").status_code == 200
