import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import Organization, StaffRole


def test_list_filters_by_kind_and_parent(tree, client):
    r = client.get("/api/organizations/", {"kind": "city"})
    assert r.status_code == 200
    names = [o["name"] for o in r.json()["items"]]
    assert names == ["共青团广州市委员会", "共青团深圳市委员会"]
    r = client.get("/api/organizations/", {"parent": tree.guangzhou.pk})
    items = r.json()["items"]
    assert {o["short_name"] for o in items} == {"天河区", "越秀区"}
    assert all(o["parent_id"] == tree.guangzhou.pk for o in items)
    assert items[0]["branch_url"].startswith("/guangzhou/")


def test_detail_has_ancestors_and_children(tree, client):
    r = client.get(f"/api/organizations/{tree.tianhe.pk}/")
    assert r.status_code == 200
    body = r.json()
    assert [a["name"] for a in body["ancestors"]] == ["共青团广东省委员会", "共青团广州市委员会"]
    assert body["children"] == []
    assert body["kind"] == "county" and body["adcode"] == "440106"


def test_unknown_id_is_404_json(tree, client):
    r = client.get("/api/organizations/999999/")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert "不存在" in r.json()["detail"] and "Not found" in r.json()["detail"]


@pytest.mark.parametrize("params", [{"kind": "planet"}, {"parent": "abc"}, {"limit": "-1"}])
def test_bad_filters_are_422_with_field_errors(tree, client, params):
    r = client.get("/api/organizations/", params)
    assert r.status_code == 422
    assert r.json()["errors"]


def test_list_query_count_does_not_grow_with_page_size(tree, client):
    def count(limit):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/organizations/", {"limit": limit}).status_code == 200
        return len(ctx.captured_queries)

    count(1)  # warm caches (content types, site) so that only the list's own queries are counted
    assert count(2) == count(7)
    assert count(7) <= 4


@pytest.mark.parametrize(
    "role_org, target, status",
    [
        ("guangzhou", "guangzhou", 200),
        ("guangzhou", "tianhe", 200),  # a child
        ("guangzhou", "shenzhen", 403),  # a sibling city
        ("guangzhou", "nanshan", 403),  # a sibling city's child
        ("guangzhou", "province", 403),  # the parent
        ("tianhe", "guangzhou", 403),
        ("province", "nanshan", 200),
    ],
)
def test_patch_is_scoped_to_subtree(tree, make_staff, client_for, role_org, target, status):
    admin = make_staff(getattr(tree, role_org), StaffRole.ORG_ADMIN)
    org = getattr(tree, target)
    r = client_for(admin).patch(f"/api/organizations/{org.pk}/", {"short_name": "新简称"}, content_type="application/json")
    assert r.status_code == status, r.content
    org.refresh_from_db()
    assert (org.short_name == "新简称") is (status == 200)


def test_patch_requires_login_and_admin_role(tree, make_staff, client_for, youth):
    r = client_for().patch(f"/api/organizations/{tree.tianhe.pk}/", {"short_name": "x"}, content_type="application/json")
    assert r.status_code == 401
    r = client_for(youth).patch(f"/api/organizations/{tree.tianhe.pk}/", {"short_name": "x"}, content_type="application/json")
    assert r.status_code == 403
    duty = make_staff(tree.tianhe, StaffRole.DUTY)
    r = client_for(duty).patch(f"/api/organizations/{tree.tianhe.pk}/", {"short_name": "x"}, content_type="application/json")
    assert r.status_code == 403
    assert Organization.objects.get(pk=tree.tianhe.pk).short_name == "天河区"


@pytest.mark.parametrize("payload", [{"latitude": 95}, {"name": ""}, {"name": "长" * 81}, {"longitude": "east"}])
def test_patch_validates(tree, make_staff, client_for, payload):
    admin = make_staff(tree.guangzhou)
    r = client_for(admin).patch(f"/api/organizations/{tree.tianhe.pk}/", payload, content_type="application/json")
    assert r.status_code in (400, 422)
    assert r.json()["detail"]


def test_openapi_and_docs(client, db):
    schema = client.get("/api/openapi.json").json()
    assert "/api/organizations/" in schema["paths"]
    assert "/api/organizations/{org_id}/" in schema["paths"]
    assert client.get("/api/docs").status_code == 200
