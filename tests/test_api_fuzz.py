"""Schemathesis over the whole django-ninja OpenAPI schema: every operation, anonymous and
authenticated (a provincial administrator, so that writes get past permission checks), all default
checks (no 5xx, responses match the schema, status codes documented, auth not ignored…).

Every router is fuzzed (a test guards that none is excluded). The number of examples per operation is
bounded so that `make test` stays fast (YV_FUZZ_EXAMPLES, default 6; boundary coverage off; about 2.5
minutes on a busy 2-core box); `make fuzz` runs a longer search. Bad input is a 4xx with the shared
Error body; a request that names nothing that exists (an id, a tag, a cursor we did not issue) is a 404.
An undeclared query parameter or body field, or a value of the wrong JSON type (`false` for an integer,
`0` for a date), is a 422 (youthvoice/api.py, youthvoice/schemas.py). Measured on the shared 2-core box
(load 6–12): YV_FUZZ_EXAMPLES=60 YV_FUZZ_COVERAGE=1, 211 passed in 9 min 56 s; 150 examples with
coverage, 130 of 211 passed and none failed in a 24-minute budget."""

import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from youthvoice.wsgi import application

EXAMPLES = int(os.environ.get("YV_FUZZ_EXAMPLES", "6"))
# The coverage phase (every boundary of every parameter) is thorough and slow: `make fuzz` turns it on.
COVERAGE = os.environ.get("YV_FUZZ_COVERAGE", "0") == "1"
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": COVERAGE}}})
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG)
# Under pytest-xdist schemathesis collects each parametrized test as one item that runs no
# operation at all (tried: a 500 planted in an endpoint passed). make test runs this file in a
# serial pass of its own after the parallel one (scripts/test.sh); a worker skips it, visibly.
pytestmark = pytest.mark.skipif(bool(os.environ.get("PYTEST_XDIST_WORKER")),
                                reason="fuzzed in make test's serial pass: schemathesis runs nothing under xdist")
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Like Django's test client: do not close the test transaction's connection after each request."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The organisation tree and a logged-in provincial administrator whose session passed the TOTP step
    (required, as in production), built once for the module (building
    the tree per operation cost most of the run) inside a transaction rolled back at the end. Each test
    runs in a savepoint inside it (pytest-django's django_db), so what one operation writes is gone
    before the next."""
    from django.db import transaction
    from django.test import Client, override_settings
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from organizations.models import StaffRole
    from organizations.services import add_staff
    from tests.conftest import build_tree
    from tests.factories import UserFactory

    with django_db_blocker.unblock(), override_settings(YV_OTP_REQUIRED=True):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            tree = build_tree()
            admin = UserFactory(username="fuzz-admin")
            add_staff(actor=None, user=admin, organization=tree.province, role=StaffRole.ORG_ADMIN)
            client = Client()
            client.force_login(admin)
            session = client.session  # what /accounts/otp/verify/ does with a valid code
            session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(user=admin, name="phone").persistent_id
            session.save()
            secret = _get_new_csrf_string()
            yield {
                "tree": tree,
                "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": secret},
                "headers": {"X-CSRFToken": _mask_cipher_secret(secret)},
            }
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _semantic(case) -> list:
    """Sign-up, SMS codes and password reset judge what no schema can say (the code sent to that
    number, the password's strength, a number that is not a real mobile number): a schema-valid body
    is a 400 with the bilingual error there, so only the acceptance of positive data is not checked."""
    return [positive_data_acceptance] if case.path.startswith("/api/accounts/") else []


@pytest.fixture
def auth_headers(fuzz_world):
    return fuzz_world


@schema.parametrize()
@FUZZ_SETTINGS
@pytest.mark.django_db
def test_api_anonymous(case, fuzz_world):
    case.call_and_validate(excluded_checks=_semantic(case))


@schema.parametrize()
@FUZZ_SETTINGS
@pytest.mark.django_db
def test_api_authenticated(case, auth_headers):
    # ignored_auth runs in the anonymous test over every operation. Here its "remove the credentials"
    # probe is confounded by the WSGI test client, which keeps the session cookie in its jar.
    case.cookies = {**(case.cookies or {}), **auth_headers["cookies"]}
    case.call_and_validate(headers=auth_headers["headers"], excluded_checks=[ignored_auth, *_semantic(case)])


def test_schema_covers_every_router():
    """Every mounted router is in the fuzzed schema: none is left out of `make test`."""
    from youthvoice.api import api

    mounted = {prefix for prefix, _ in api._routers if prefix}
    paths = {result.ok().path for result in schema.get_all_operations()}
    assert {prefix for prefix in mounted if any(p.startswith(f"/api{prefix}") for p in paths)} == mounted
    assert {"/organizations/", "/community/", "/content/", "/stations/", "/alliances/", "/appeals/", "/search/",
            "/notifications/", "/moderation/"} <= mounted
    assert get_user_model()  # the schema loads with the custom user model


def test_schema_names_are_unique_across_routers():
    """ninja names OpenAPI components after the class: two routers' `EventOut` (or `DeclineIn`) silently
    overwrite each other, and the documented shape of one of them is wrong."""
    from collections import defaultdict

    from ninja import Schema

    from youthvoice.api import API_APPS

    apps = {label for label, _, _ in API_APPS}
    by_name, stack = defaultdict(set), [Schema]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in apps:
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: sorted(where) for name, where in by_name.items() if len(where) > 1} == {}


@pytest.mark.django_db
def test_fuzz_auth_headers_really_authenticate(auth_headers):
    """Guards the authenticated run: the headers it sends are a valid session and CSRF token."""
    from werkzeug.test import Client

    wsgi = Client(application)
    for name, value in auth_headers["cookies"].items():
        wsgi.set_cookie(name, value)
    assert wsgi.get("/api/notifications/unread-count/").status_code == 200
    r = wsgi.post("/api/notifications/read/", json={"ids": None}, headers=auth_headers["headers"])
    assert r.status_code == 200, r.get_data(as_text=True)
