"""Issue 25, finding 2: a provincial administrator logged in with a password only (TOTP required, the
session not verified) must get no staff capability anywhere: not in /admin/, not in the API, and not
on the site's own staff views and exports (the probe got youths' names and phones from
/content/activities/<id>/signups/?format=csv and confirmed bookings at /stations/bookings/<id>/confirm/).

The walk: every URL pattern of the project (django.urls resolver), ids filled from the access
matrix's fixture world (tests/access/world.py), every page of the site, GET (and GET ?format=csv) and
POST (every API method), as that unverified session and, for comparison, as a plain youth with no
role. The unverified session must never do better than the youth: not allowed where the youth is
refused, no table written that the youth's same request does not write, no export, no personal data
of others and no staff form the youth's page does not carry."""

import re

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.access import matrix
from tests.access.world import build_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Values for path parameters that are not ids of the world.
ACTIONS = ("feature", "confirm", "decline", "cancel", "result", "rate", "accept", "answer", "comment", "like",
           "unlike", "follow", "unfollow", "outcome", "invite", "transfer", "invite_suggested", "refer",
           "approve", "reject", "suspend", "reinstate", "remove")
EXTRA_PARAMS = {"pk": None, "restriction_id": 1, "page_view_restriction_id": 1, "name": "verify", "fmt": "csv"}
# Whatever a staff form might ask for: the same body for both sessions.
POST_BODY = {"featured": "1", "reason": "测试原因", "body": "测试内容测试内容", "result": "已完成服务", "score": "5",
             "note": "备注", "outcome": "resolved", "rating": "5", "message": "请回答", "title": "测试标题",
             "accept": "1", "status": "confirmed", "next": "/"}
# Tables whose writes are bookkeeping of any request, not an action.
BOOKKEEPING = {"django_session", "accounts_loginfailure", "wagtailusers_userprofile"}
# The TOTP step itself: the one place the unverified session must reach (enrolment creates its device).
THE_STEP = ("/accounts/otp/",)
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)


def _patterns(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _urls(world) -> list[str]:
    """Every URL pattern with its parameters filled (one URL per action name for `<slug:action>`)."""
    from wagtail.models import Page

    ids = {**world.ids, "slot_id": world.ids["slot_id"]}
    urls = set()
    for pattern in _patterns(get_resolver().url_patterns):
        if pattern.startswith("^") and "(" in pattern:  # wagtail_serve, media, documents: regexes, below
            continue
        pattern = pattern.replace("^", "").replace("$", "")
        names = re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", pattern)
        names = [a or b for a, b in names]
        if "action" in names:
            variants = [pattern.replace("<slug:action>", a) for a in ACTIONS]
        else:
            variants = [pattern]
        for url in variants:
            def fill(m, url=url):
                name = m.group(1) or m.group(2)
                if name == "pk":
                    if url.startswith("admin/"):
                        prefixes = [p for p in matrix.ADMIN_PK if url.startswith(f"admin/{p}/")]
                        return str(ids[matrix.ADMIN_PK[max(prefixes, key=len)]]) if prefixes else "1"
                    for prefix, key in (("qa/invitations", "invitation_id"), ("qa/", "question_id"),
                                        ("alliances/experts", "expert_id"), ("alliances/memberships", "membership_id"),
                                        ("appeals/", "appeal_id")):
                        if url.startswith(prefix):
                            return str(ids[key])
                    return "1"
                if name in ids:
                    return str(ids[name])
                if name in EXTRA_PARAMS and EXTRA_PARAMS[name] is not None:
                    return str(EXTRA_PARAMS[name])
                return "1"

            urls.add("/" + re.sub(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", fill, url))
    for page in Page.objects.live().specific():
        url = page.get_url()
        if url:
            urls.add(url)
    return sorted(urls)


class _Writes:
    """The tables a request writes (INSERT/UPDATE/DELETE), bookkeeping left out."""

    def __init__(self):
        self.tables = set()

    def __call__(self, execute, sql, params, many, context):
        m = WRITE.match(sql)
        if m and not any(m.group(1).startswith(b) for b in BOOKKEEPING):
            self.tables.add(m.group(1))
        return execute(sql, params, many, context)


def _call(client, method, url):
    writes = _Writes()
    with transaction.atomic(), connection.execute_wrapper(writes):
        kwargs = {}
        if method != "GET":
            if url.startswith("/api/"):
                kwargs = {"data": "{}", "content_type": "application/json"}
            else:
                kwargs = {"data": POST_BODY}
        response = getattr(client, method.lower())(url, **kwargs)
        transaction.set_rollback(True)
    return response, writes.tables


def _allowed(response) -> bool:
    if response.status_code >= 400:
        return False
    if response.status_code in (301, 302, 303, 307, 308):
        target = response.headers.get("Location", "")
        return not any(p in target for p in ("/login/", "/accounts/otp/"))
    return True


FORM_BITS = re.compile(r'<form[^>]*action="([^"]*)"|name="action"\s+value="([^"]*)"|<button[^>]*value="([^"]*)"')


def _controls(response) -> set:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return set()
    html = response.content.decode(errors="replace")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return {m.group(0) for m in FORM_BITS.finditer(html)}


def _exports(response) -> bool:
    kind = response.get("Content-Type", "")
    return response.status_code == 200 and any(k in kind for k in ("csv", "spreadsheet", "pdf", "excel"))


@override_settings(YV_OTP_REQUIRED=True)
def test_a_password_only_provincial_admin_gets_nothing_a_youth_does_not(django_db_blocker):
    from django.utils import timezone
    from wagtail.models import Page

    world = build_world()
    # The world adds its pages without publishing revisions; the home page's hot list needs a date.
    Page.objects.filter(live=True, first_published_at__isnull=True).update(first_published_at=timezone.now())
    admin = world.users["admin@parent"]  # org_admin of the province: must use TOTP
    # Roles held outside staff memberships too: listed station admin, alliance liaison, appeal handler.
    from alliances.models import AllianceLiaison, AlliancePage
    from appeals import services as appeals
    from appeals.domain.workflow import Role as AppealRole
    from stations.models import StationPage

    StationPage.objects.get(pk=world.ids["station_id"]).admins.add(admin)
    AllianceLiaison.objects.create(page=AlliancePage.objects.get(pk=world.ids["alliance_id"]), user=admin)
    appeals.add_handler(actor=None, user=admin, organization=world.tree.guangzhou, role=AppealRole.OPS)
    plain = UserFactory(username="mx_plain")
    unverified, youth = Client(raise_request_exception=False), Client(raise_request_exception=False)
    unverified.force_login(admin)
    youth.force_login(plain)
    # Personal data of others that the world holds: the sign-up's phone and real name.
    secrets = ["13912345678", "李青"]

    from youthvoice.api import api

    schema = api.get_openapi_schema(path_prefix="/api")["paths"]
    api_methods = {matrix.fill_api(path, {**world.ids, **{k: v for k, v in EXTRA_PARAMS.items() if v}}): list(ops)
                   for path, ops in schema.items()}
    wrong, calls = [], 0
    for url in _urls(world):
        if url.startswith(THE_STEP) or "logout" in url:
            continue
        methods = [m.upper() for m in api_methods.get(url, ["get", "post"])]
        if url.startswith("/admin/"):
            methods = ["GET"]  # one gate for the whole admin, by path (accounts.otp.AdminOTPMiddleware)
        if any(f"/{a}/" in url for a in ACTIONS) and not url.startswith(("/api/", "/admin/")):
            methods = ["POST"]  # the site's action views take POST only
        for method in methods:
            plain_get_allowed = False
            for suffix in (("", "?format=csv") if method == "GET" and not url.startswith(("/api/", "/admin/")) else ("",)):
                target = url + suffix
                if suffix and not plain_get_allowed:
                    continue  # the export variant of a view the session cannot open
                ru, writes_u = _call(unverified, method, target)
                calls += 1
                if not suffix:
                    plain_get_allowed = _allowed(ru)
                if ru.status_code >= 500:
                    wrong.append(f"{method} {target}: unverified {ru.status_code} (server error)")
                if not _allowed(ru) and not writes_u:
                    continue  # refused, nothing written: nothing to compare
                ry, writes_y = _call(youth, method, target)
                where = f"{method} {target}: unverified {ru.status_code}, youth {ry.status_code}"
                if _allowed(ru) and not _allowed(ry):
                    wrong.append(f"{where}: allowed where a youth is refused")
                if writes_u - writes_y:
                    wrong.append(f"{where}: wrote {sorted(writes_u - writes_y)}")
                if _exports(ru) and not _exports(ry):
                    wrong.append(f"{where}: an export ({ru['Content-Type']})")
                if ru.status_code == 200 and not getattr(ru, "streaming", False):
                    body_u = ru.content.decode(errors="replace")
                    body_y = ry.content.decode(errors="replace") if not getattr(ry, "streaming", False) else ""
                    leaked = [s for s in secrets if s in body_u and s not in body_y]
                    if leaked:
                        wrong.append(f"{where}: shows {leaked}")
                    extra = _controls(ru) - _controls(ry)
                    if extra:
                        wrong.append(f"{where}: staff controls {sorted(extra)[:3]}")
    assert calls > 600, calls
    assert unverified.session.get("_auth_user_id") == str(admin.pk)  # still logged in: the walk was real
    assert not wrong, f"{len(wrong)} of {calls} calls:\n" + "\n".join(wrong)

    # The same administrator after the TOTP step has the staff powers the probe reached: the walk above
    # is not vacuous.
    from tests.test_access_matrix import _pass_totp_step

    verified = Client()
    verified.force_login(admin)
    _pass_totp_step(verified, admin)
    csv, _ = _call(verified, "GET", f"/content/activities/{world.ids['activity_id']}/signups/?format=csv")
    assert csv.status_code == 200 and "13912345678" in csv.content.decode()
    assert _call(verified, "GET", "/alliances/statistics/?format=csv")[0].status_code == 200
    assert _call(verified, "GET", "/stations/manage/")[0].status_code == 200
    assert "stations_booking" in _call(verified, "POST", f"/stations/bookings/{world.ids['booking_id']}/confirm/")[1]
    assert "community_question" in _call(verified, "POST", f"/qa/{world.ids['question_id']}/feature/")[1]
