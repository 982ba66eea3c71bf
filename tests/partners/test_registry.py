"""The partner registry: provincial administrators only; its links on every branch; the OAuth client
follows the partner; OpenAPI declares the OAuth2 flows and each operation's scope."""

import pytest

from demo import partners as demo
from organizations.models import StaffRole
from partners.models import Partner
from tests.factories import UserFactory


def test_footer_shows_the_partner_rows_on_every_branch(tree, client):
    demo.load()
    for url in ("/", "/guangzhou/"):
        html = client.get(url).content.decode()
        for name, *_rest in demo.LEAGUE_SYSTEMS:
            assert name in html
        assert "广东志愿者平台 (demo)" not in html  # not shown in the footer


def test_demo_partner_is_the_documented_public_client(tree):
    demo.load()
    demo.load()  # idempotent
    partner = Partner.objects.get(name="广东志愿者平台 (demo)")
    assert partner.client_id == demo.DEMO_CLIENT_ID
    assert partner.application.client_type == "public" and partner.application.redirect_uris == demo.DEMO_REDIRECT_URI
    assert Partner.objects.count() == 7


@pytest.mark.parametrize("who", ["county_admin", "youth"])
def test_only_provincial_admins_manage_partners(tree, client_for, make_staff, who):
    user = make_staff(tree.tianhe, StaffRole.ORG_ADMIN) if who == "county_admin" else UserFactory()
    c = client_for(user)
    r = c.get("/admin/snippets/partners/partner/")
    assert r.status_code in (302, 403)
    assert c.get("/admin/partners/deliveries/").status_code in (302, 403)


def test_provincial_admin_registers_a_partner_and_its_client_follows(tree, client_for, make_staff):
    admin = make_staff(tree.province, StaffRole.ORG_ADMIN)
    c = client_for(admin)
    assert c.get("/admin/snippets/partners/partner/").status_code == 200
    data = {"name": "就业见习系统", "description": "", "icon": "", "home_url": "https://jobs.example.org/",
            "sort_order": "1", "show_in_footer": "on", "is_active": "on", "confidential": "on",
            "redirect_uris": "https://jobs.example.org/cb", "post_logout_redirect_uris": "",
            "allowed_scopes": "openid profile", "organizations": [str(tree.guangzhou.pk)],
            "endpoints-TOTAL_FORMS": "1", "endpoints-INITIAL_FORMS": "0", "endpoints-MIN_NUM_FORMS": "0",
            "endpoints-MAX_NUM_FORMS": "1000", "endpoints-0-url": "https://jobs.example.org/hooks",
            "endpoints-0-event_types": "question.asked", "endpoints-0-is_active": "on", "endpoints-0-secret": "",
            "endpoints-0-ORDER": "0", "endpoints-0-DELETE": ""}
    r = c.post("/admin/snippets/partners/partner/add/", data, follow=True)
    assert r.status_code == 200
    partner = Partner.objects.get(name="就业见习系统")
    assert partner.application.redirect_uris == "https://jobs.example.org/cb"
    assert partner.application.client_type == "confidential"
    assert "客户端密钥" in r.content.decode()
    endpoint = partner.endpoints.get()
    assert endpoint.secret.startswith("whsec_")
    # a bad scope or an http redirect URI is refused with a Chinese message, nothing saved
    bad = {**data, "name": "坏的", "allowed_scopes": "openid admin", "redirect_uris": "http://evil.example.org/cb"}
    r = c.post("/admin/snippets/partners/partner/add/", bad)
    assert r.status_code == 200 and "未知的权限范围" in r.content.decode()
    assert not Partner.objects.filter(name="坏的").exists()


def test_openapi_declares_oauth2_and_each_operations_scope(client):
    schema = client.get("/api/openapi.json").json()
    oauth = schema["components"]["securitySchemes"]["OAuth2"]
    assert set(oauth["flows"]) == {"authorizationCode", "clientCredentials"}
    assert oauth["flows"]["authorizationCode"]["tokenUrl"].endswith("/oauth/token/")
    ops = {(path, method): op for path, item in schema["paths"].items() for method, op in item.items()}
    assert ops[("/api/community/questions/", "post")]["security"][0] == {"OAuth2": ["qa:write"]}
    assert ops[("/api/community/mine/", "get")]["security"][0] == {"OAuth2": ["qa:read"]}
    assert ops[("/api/community/queue/", "get")]["security"][0] == {"OAuth2": ["staff"]}
    assert ops[("/api/stations/bookings", "post")]["security"][0] == {"OAuth2": ["bookings"]}
    assert ops[("/api/export/{table}/changes", "get")]["security"] == [{"OAuth2": ["export"]}]
    assert {"StaffSessionAuth": []} in ops[("/api/community/questions/", "post")]["security"]
