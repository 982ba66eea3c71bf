"""The access matrix [issue 11, item 1]: every API operation and every admin view of our apps,
called as every column of tests/access/policy.py (anonymous, the owning youth, another youth, an
expert, the station's administrator, the appeal operations group, and org admin / liaison /
moderator of the resource's own organisation, its parent, a sibling and a child), against one shared
fixture world. TOTP is required, as in production: the provincial administrators (admin@parent)
call with a session that passed the TOTP step, and a test shows that one without it is refused on
every staff operation. A new endpoint or admin view fails `test_every_endpoint_is_in_the_table` until it is
added to the policy table; docs/access-matrix.md is generated from the same table."""

import json
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client, override_settings

from tests.access import matrix, policy
from tests.access.world import COLUMNS, build_world

DOC = Path(__file__).resolve().parent.parent / "docs" / "access-matrix.md"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end; each test
    runs in a savepoint inside it, each cell in a savepoint of its own."""
    from organizations.permissions import is_provincial_admin

    with django_db_blocker.unblock(), override_settings(YV_OTP_REQUIRED=True):
        with transaction.atomic():
            w = build_world()
            for column in COLUMNS:
                client = Client(raise_request_exception=False)
                user = w.users[column]
                if user is not None:
                    client.force_login(user)
                    if is_provincial_admin(user):
                        _pass_totp_step(client, user)
                w.clients[column] = client
            yield w
            transaction.set_rollback(True)


def _pass_totp_step(client, user):
    """What /accounts/otp/verify/ does with a valid code (django_otp.login): the session remembers the
    device, and django-otp's OTPMiddleware then verifies every request of that session, API included."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _body(body, ids):
    """Fill "$name" placeholders of a rule's body with the world's ids."""
    if isinstance(body, dict):
        return {k: _body(v, ids) for k, v in body.items()}
    if isinstance(body, list):
        return [_body(v, ids) for v in body]
    if isinstance(body, str) and body.startswith("$"):
        return ids[body[1:]]
    return body


def _sees(response, ids, name) -> bool:
    return bool(re.search(rf'"id":\s*{ids[name]}\b', response.content.decode()))


def _row(world, method, url, rule, outcome) -> tuple[dict, list]:
    """Call every column; return {column: status} and the list of cells that disagree with the rule."""
    statuses, wrong = {}, []
    body = _body(rule.body, world.ids)
    for column in COLUMNS:
        response = matrix.call(world.clients[column], method, url, body)
        statuses[column] = response.status_code
        assert response.status_code < 500, f"{method} {url} as {column}: {response.status_code}"
        got = outcome(response)
        if got == "allowed" and rule.sees and not _sees(response, world.ids, rule.sees):
            got = "refused"
        expected = "allowed" if column in rule.allow else "refused"
        if got != expected:
            wrong.append(f"{column}: expected {expected}, got {response.status_code}")
    return statuses, wrong


def test_every_endpoint_is_in_the_table():
    """New endpoints and admin views fail here until they are added to tests/access/policy.py."""
    api, admin = set(matrix.api_endpoints()), set(matrix.admin_views())
    missing = sorted((api - set(policy.API)) | (admin - set(policy.ADMIN)))
    stale = sorted((set(policy.API) - api) | (set(policy.ADMIN) - admin))
    assert not missing, "Add these to tests/access/policy.py:\n" + "\n".join(missing)
    assert not stale, "These rows of tests/access/policy.py no longer exist:\n" + "\n".join(stale)


def test_the_doc_is_generated_from_the_table():
    assert DOC.read_text(encoding="utf-8") == policy.markdown(), (
        "docs/access-matrix.md is out of date: python -m tests.access.policy > docs/access-matrix.md")


def test_the_table_has_both_answers():
    """A matrix where a whole surface is allowed or refused for everyone cannot fail usefully."""
    rules = [*policy.API.values(), *policy.ADMIN.values()]
    assert any(r.allow == policy.ANYONE for r in rules)
    assert any(not r.allow for r in rules)
    assert any(r.allow and r.allow != policy.ANYONE for r in rules)
    # Every column is allowed somewhere and refused somewhere.
    for column in COLUMNS:
        assert any(column in r.allow for r in rules) and any(column not in r.allow for r in rules), column


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(policy.API))
def test_api(world, key):
    method, path = key.split(" ", 1)
    rule = policy.API[key]
    url = matrix.fill_api(path, world.ids) + (f"?{rule.query}" if rule.query else "")
    statuses, wrong = _row(world, method, url, rule, matrix.api_outcome)
    assert not wrong, f"{key}\n" + "\n".join(wrong) + f"\nall: {json.dumps(statuses)}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(policy.ADMIN))
def test_admin(world, path):
    rule = policy.ADMIN[path]
    method = "POST" if path in policy.ADMIN_POST else "GET"
    url = matrix.fill_admin(path, world.ids)
    statuses, wrong = _row(world, method, url, rule, lambda r: matrix.admin_outcome(r, url))
    assert not wrong, f"{method} {path}\n" + "\n".join(wrong) + f"\nall: {json.dumps(statuses)}"


@pytest.mark.django_db
def test_a_provincial_admin_without_the_totp_step_is_refused_on_the_staff_api(world):
    """The same provincial administrator, logged in but without passing the TOTP step: every staff
    operation the matrix allows them is 403 `otp_required` (bilingual); public reads still answer; the
    verified session of the matrix is allowed."""
    from youthvoice.api import api

    paths = api.get_openapi_schema(path_prefix="/api")["paths"]
    with override_settings(YV_OTP_REQUIRED=True):
        user = world.users["admin@parent"]
        unverified = Client(raise_request_exception=False)
        unverified.force_login(user)
        staff_calls = public_calls = 0
        for key, rule in sorted(policy.API.items()):
            method, path = key.split(" ", 1)
            if method != "GET" or "admin@parent" not in rule.allow:
                continue
            url = matrix.fill_api(path, world.ids) + (f"?{rule.query}" if rule.query else "")
            response = matrix.call(unverified, method, url)
            body = response.json() if response["Content-Type"].startswith("application/json") else {}
            if paths[path][method.lower()].get("security"):  # the operation needs a session
                staff_calls += 1
                assert response.status_code == 403 and body["code"] == "otp_required", (key, response.status_code, body)
                assert "两步验证" in body["detail"] and "Two-step verification" in body["detail"]
                assert matrix.call(world.clients["admin@parent"], method, url).status_code not in matrix.API_REFUSED
            else:
                public_calls += 1
                assert not (isinstance(body, dict) and body.get("code") == "otp_required"), key
        assert staff_calls >= 15 and public_calls >= 15, (staff_calls, public_calls)
    with override_settings(YV_OTP_REQUIRED=False):  # the demo switch (never in production)
        assert unverified.get("/api/notifications/unread-count/").status_code == 200

