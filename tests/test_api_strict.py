"""Strict API input (issue 11, findings of the long fuzz run): undeclared query parameters and body
fields are a 422, and field types are not coerced (no `false` for an integer, no `0` for a date);
plus the TOTP rule on the staff API (youthvoice/api.py, youthvoice/schemas.py, docs/security.md)."""

import json

import pytest
from django.test import override_settings

from organizations.models import StaffRole


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_an_undeclared_query_parameter_is_a_422(client, tree):
    assert client.get("/api/organizations/?kind=city").status_code == 200
    assert client.get("/api/organizations/?kind=city&limit=5&offset=0").status_code == 200  # pagination's own
    r = client.get("/api/organizations/?kind=city&colour=red&zz=1")
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "unknown_parameter" and "colour, zz" in body["detail"]
    assert "未声明" in body["detail"] and "Unknown query parameter" in body["detail"]
    assert [e["loc"] for e in body["errors"]] == [["query", "colour"], ["query", "zz"]]
    # An operation with no query parameters at all, and aliased ones (insights' from/to).
    assert client.get(f"/api/organizations/{tree.guangzhou.pk}/?x=1").status_code == 422


@pytest.mark.django_db
def test_authentication_comes_before_the_query_check(client, tree):
    """An anonymous caller learns nothing about an operation's parameters: 401, not 422."""
    assert client.get("/api/notifications/unread-count/?nonsense=1").status_code == 401


@pytest.mark.django_db
def test_an_undeclared_body_field_is_a_422(client_for, youth):
    c = client_for(youth)
    assert _post(c, "/api/notifications/read/", {"ids": None}).status_code == 200
    r = _post(c, "/api/notifications/read/", {"ids": None, "all": True})
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    assert "extra_forbidden" in json.dumps(r.json()["errors"])


@pytest.mark.django_db
@pytest.mark.parametrize("ids", [[False], [True], ["5"], [5.0], ["1_000"]])
def test_integers_are_not_coerced(client_for, youth, ids):
    r = _post(client_for(youth), "/api/notifications/read/", {"ids": ids})
    assert r.status_code == 422, r.content


@pytest.mark.django_db
def test_booleans_are_not_coerced(client_for, make_staff, tree):
    c = client_for(make_staff(tree.province, StaffRole.MODERATOR))
    for value in (1, "true", "yes"):
        r = _post(c, "/api/moderation/words/import/", {"data": "", "replace": value})
        assert r.status_code == 422, (value, r.status_code, r.content)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "1700000000", "2026-1-5", "20260105", "2026-02-30"])
def test_dates_are_iso_text_only(client_for, make_staff, tree, value):
    c = client_for(make_staff(tree.province))
    url = f"/api/insights/orgs/{tree.province.pk}/children"
    assert c.get(f"{url}?from=2026-01-01&to=2026-01-31").status_code == 200
    assert c.get(f"{url}?from=2026-01-01&to={value}").status_code == 422


def test_schema_types():
    from pydantic import TypeAdapter, ValidationError

    from core.schemas import Date, DateTime, StrictBool, StrictInt

    assert TypeAdapter(Date).validate_python("2026-03-01").isoformat() == "2026-03-01"
    assert TypeAdapter(DateTime).validate_python("2026-03-01T08:30:00+08:00").hour == 8
    assert TypeAdapter(DateTime).validate_python("2026-03-01 08:30").minute == 30
    for adapter, bad in [(Date, 0), (Date, "0"), (Date, "2026-03-01T00:00"), (DateTime, 0), (DateTime, "0"),
                         (DateTime, "2026-03-01"), (StrictInt, False), (StrictInt, "1"), (StrictInt, 1.0),
                         (StrictBool, 1), (StrictBool, "true")]:
        with pytest.raises(ValidationError):
            TypeAdapter(adapter).validate_python(bad)


def test_body_schemas_forbid_extra_fields_in_the_openapi_schema():
    """Documented as well as enforced: every request body schema says additionalProperties: false."""
    from youthvoice.api import api

    schema = api.get_openapi_schema(path_prefix="/api")
    components = schema["components"]["schemas"]
    bodies = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            ref = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if "$ref" in ref:
                bodies.add(ref["$ref"].rsplit("/", 1)[1])
    assert len(bodies) >= 30
    assert {name for name in bodies if components[name].get("additionalProperties") is not False} == set()


@pytest.mark.django_db
def test_the_staff_api_asks_a_provincial_admin_for_the_totp_step(client_for, make_staff, tree, youth):
    """The rule is organizations.permissions.second_factor_missing; the access matrix checks it on
    every staff operation. Here: superusers too, other staff and youths are not asked, the switch."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import UserFactory

    url = "/api/notifications/unread-count/"
    province_admin = make_staff(tree.province)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    city_admin = make_staff(tree.guangzhou)
    with override_settings(YV_OTP_REQUIRED=True):
        for user in (province_admin, superuser):
            c = client_for(user)
            r = c.get(url)
            assert r.status_code == 403 and r.json()["code"] == "otp_required"
            device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
            session = c.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            assert c.get(url).status_code == 200
        assert client_for(city_admin).get(url).status_code == 200
        assert client_for(youth).get(url).status_code == 200
        assert client_for().get(url).status_code == 401
        # Public reads are not gated.
        assert client_for(province_admin).get("/api/organizations/").status_code == 200
    with override_settings(YV_OTP_REQUIRED=False):
        assert client_for(province_admin).get(url).status_code == 200
