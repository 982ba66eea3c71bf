"""The machinery of the access matrix: enumerate what exists (every API operation in the ninja
OpenAPI schema, every admin URL our apps register), fill in path parameters from the fixture world,
call one cell and classify the answer as allowed or refused."""

import json
import re

from django.db import transaction
from django.test import Client

OUR_APPS = {"accounts", "organizations", "home", "community", "stations", "alliances", "appeals", "insights",
            "search", "notifications", "moderation"}

# An API cell is refused with one of these; anything else below 500 means the permission check passed
# (a 400/409/422 for a minimal body is an allowed role that reached the business rules).
API_REFUSED = {401, 403, 404}

# Admin URL prefix (viewset url_prefix or hook path) -> the world id that fills its `pk`.
ADMIN_PK = {
    "organizations": "org_id", "roster": "shift_id", "staff": "staff_membership_id", "calendar": "override_id",
    "qa_tags": "tag_id", "experts": "expert_id", "member_organizations": "member_org_id",
    "alliance_memberships": "membership_id", "appeal_handlers": "handler_id",
    "appeal_step_deadlines": "step_deadline_id", "appeals": "appeal_id",
    "snippets/home/servicelink": "link_id", "snippets/choose/home/servicelink": "link_id",
    "snippets/yvsearch/dictionaryterm": "term_id", "insights_training": "training_id",
    "insights_promotion": "promotion_id",
    "personal_data_access": "access_id", "home/question-chooser": "question_id", "users": "cadre_user_id",
    "snippets/moderation/sensitiveword": "sensitive_id", "snippets/choose/moderation/sensitiveword": "sensitive_id",
    "snippets/moderation/allowedword": "allowed_id", "snippets/choose/moderation/allowedword": "allowed_id",
}
# Path parameters that are not ids of the world.
FIXED_PARAMS = {"name": "verify", "fmt": "csv", "year": "2026", "table": "questions"}
# Path parameters filled from another world id under some admin prefixes.
ADMIN_PARAM_BY_PREFIX = {("/admin/insights/staff/", "user_id"): "cadre_user_id"}


def api_endpoints() -> list[str]:
    """'METHOD /api/path/{param}/' for every operation of the one NinjaAPI."""
    from youthvoice.api import api

    schema = api.get_openapi_schema(path_prefix="/api")
    return sorted(f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops)


def _walk(patterns, prefix=""):
    from django.urls import URLResolver

    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern)


def admin_views() -> list[str]:
    """'/admin/<path>' of every admin view our apps register: their viewsets (ModelViewSet,
    SnippetViewSet, snippets registered on our models, with their choosers) and their
    `register_admin_urls` hooks. Wagtail's own views (pages, images, users…) are Wagtail's matrix."""
    from django.urls import get_resolver
    from wagtail import hooks
    from wagtail.admin.viewsets import viewsets

    _ = get_resolver().url_patterns  # the admin URLconf populates the viewset registry
    found = set()
    for vs in viewsets.viewsets:
        module = type(vs).__module__
        model = getattr(vs, "model", None)
        label = getattr(getattr(model, "_meta", None), "app_label", None)
        ours = module.split(".")[0] in OUR_APPS or (module.startswith("wagtail.snippets.") and label in OUR_APPS)
        if ours:
            found.update(f"/admin/{vs.url_prefix}/{path}" for path in _walk(vs.get_urlpatterns()))
    for fn in hooks.get_hooks("register_admin_urls"):
        if fn.__module__.split(".")[0] in OUR_APPS:
            found.update(f"/admin/{path}" for path in _walk(fn()))
    return sorted(found)


def fill_api(path: str, ids: dict) -> str:
    def sub(m):
        name = m.group(1)
        return str(FIXED_PARAMS[name] if name in FIXED_PARAMS else ids[name])

    return re.sub(r"\{(\w+)\}", sub, path)


def fill_admin(path: str, ids: dict) -> str:
    def sub(m):
        name = m.group(1)
        if name in FIXED_PARAMS:
            return FIXED_PARAMS[name]
        if name == "pk":
            prefix = max((p for p in ADMIN_PK if path.startswith(f"/admin/{p}/")), key=len)
            return str(ids[ADMIN_PK[prefix]])
        for (prefix, param), world_id in ADMIN_PARAM_BY_PREFIX.items():
            if param == name and path.startswith(prefix):
                return str(ids[world_id])
        return str(ids[name])

    return re.sub(r"<(?:\w+:)?(\w+)>", sub, path)


def call(client: Client, method: str, url: str, body=None):
    """One request, inside a savepoint that is rolled back: a write by one column does not change
    what the next column sees. Returns the response (or None when the view raised)."""
    with transaction.atomic():
        kwargs = {}
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            if url.startswith("/api/"):
                kwargs = {"data": json.dumps(body if body is not None else {}), "content_type": "application/json"}
            else:
                kwargs = {"data": body or {}}
        response = getattr(client, method.lower())(url, **kwargs)
        transaction.set_rollback(True)
    return response


def api_outcome(response) -> str:
    return "refused" if response.status_code in API_REFUSED else "allowed"


def admin_outcome(response, url: str) -> str:
    """Admin refusals are a redirect to the login page or the dashboard (Wagtail's "no permission"
    message), a 403 or a 404. Allowed is a page (200) or, for an action, a redirect elsewhere."""
    code = response.status_code
    if code in (403, 404):
        return "refused"
    if code in (301, 302):
        target = response.headers.get("Location", "")
        if "/login/" in target or target.rstrip("/") in ("/admin", ""):
            return "refused"
        return "allowed"
    return "allowed"
