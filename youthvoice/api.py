"""Our REST API (django-ninja): one NinjaAPI, one OpenAPI schema at /api/openapi.json, docs at
/api/docs. Each app contributes a router from its api.py; endpoints stay thin and call services.
Service errors become JSON 4xx with bilingual messages; validation errors are 422 with field errors."""

import importlib
import importlib.util

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from youthvoice.errors import ServiceError

api = NinjaAPI(
    title="青年之声 Youth Voice API",
    version="1.0.0",
    description=(
        "社区数据与服务的接口。Community data and services of the Guangdong Youth Voice platform. "
        "Page content is served by the Wagtail API v2 at /api/v2/. Writes use the session cookie "
        "(log in at /accounts/login/) and the CSRF token."
    ),
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(
        request, {"detail": "资源不存在 / Not found", "code": "not_found"}, status=404
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "请先登录 / Authentication required", "code": "unauthenticated"}, status=401
    )


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    return api.create_response(
        request,
        {"detail": "请求参数无效 / Invalid request", "code": "invalid", "errors": exc.errors},
        status=422,
    )


# Each app with an `api.py` exposes `router` (a ninja Router); it is mounted at /api/<prefix>/.
# Order is the order of the docs page.
API_APPS = [
    ("organizations", "organizations", _("Organisations")),
    ("community", "community", _("Q&A community")),
    ("home", "content", _("Content")),
    ("stations", "stations", _("Youth stations")),
    ("alliances", "alliances", _("Alliances and experts")),
    ("appeals", "appeals", _("Appeals")),
    ("insights", "insights", _("Insights")),
    ("search", "search", _("Search")),
    ("notifications", "notifications", _("Notifications")),
    ("moderation", "moderation", _("Moderation and monitoring")),
]


def _register_routers():
    for app_label, prefix, tag in API_APPS:
        if importlib.util.find_spec(f"{app_label}.api") is None:
            continue
        module = importlib.import_module(f"{app_label}.api")
        api.add_router(f"/{prefix}/", module.router, tags=[str(tag)])


_register_routers()
session_auth = django_auth
