"""Our REST API (django-ninja): one NinjaAPI, one OpenAPI schema at /api/openapi.json, docs at
/api/docs. Each app contributes a router from its api.py; endpoints stay thin and call services.
Service errors become JSON 4xx with bilingual messages; validation errors are 422 with field errors."""

import importlib
import importlib.util

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from youthvoice.errors import ServiceError

ERROR_RESPONSES = {
    "400": "请求无效 / Bad request (a business rule refused it)",
    "401": "未登录 / Authentication required",
    "403": "无权限 / Forbidden",
    "404": "不存在 / Not found",
    "409": "冲突 / Conflict with the current state",
    "422": "参数校验失败 / Validation error",
    "429": "过于频繁 / Rate limited",
}


class YouthVoiceAPI(NinjaAPI):
    """Documents, on every operation, the error responses our exception handlers produce, with one
    shared Error schema, so that clients (and schemathesis) know every status code they can get."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Error"] = {
            "type": "object",
            "required": ["detail", "code"],
            "properties": {
                "detail": {"type": "string", "description": "中文 / English message"},
                "code": {"type": "string"},
                "errors": {"description": "Field errors (object) or validation details (array)"},
            },
        }
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, description in ERROR_RESPONSES.items():
                    responses.setdefault(code, {"description": description, **ref})
        return schema


api = YouthVoiceAPI(
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


HTTP_ERROR_MESSAGES = {
    403: ("请求被拒绝（CSRF 校验失败或无权限）", "Forbidden (CSRF check failed or not allowed)"),
    405: ("不支持的请求方法", "Method not allowed"),
}


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    zh, en = HTTP_ERROR_MESSAGES.get(exc.status_code, ("请求无效", str(exc)))
    code = "csrf_failed" if "CSRF" in str(exc) else f"http_{exc.status_code}"
    return api.create_response(request, {"detail": f"{zh} / {en}", "code": code}, status=exc.status_code)


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
