"""Our REST API (django-ninja): one NinjaAPI, one OpenAPI schema at /api/openapi.json, docs at
/api/docs. Each app contributes a router from its api.py; endpoints stay thin and call services.
Service errors become JSON 4xx with bilingual messages; validation errors are 422 with field errors.

Two rules hold for every operation of every router, applied once when the routes are built
(`YouthVoiceAPI._get_bound_routers`), so that no app has to remember them:
- operations that need a session (ninja's `django_auth`) use `session_auth`, which also refuses, with
  403 `otp_required`, a provincial administrator whose session has not passed the TOTP step
  (`organizations.permissions.second_factor_missing`; docs/security.md);
- a query parameter the operation does not declare is a 422 (`unknown_parameter`), checked after
  authentication, like every other validation error;
- a JSON body field the body schema (or a schema nested in it) does not declare is a 422: every body
  schema is built with `extra="forbid"` (the OpenAPI schema says `additionalProperties: false`).
  A schema class may not serve both as a body and as a response (checked when the routes are built).
Field types are strict too (no `false` for an integer, no `0` for a date): youthvoice/schemas.py."""

import importlib
import importlib.util
import typing

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.params.models import BodyModel, QueryModel
from ninja.security import SessionAuth, django_auth
from pydantic import BaseModel

from core.errors import SecondFactorRequired, ServiceError
from youthvoice.middleware import is_id_overflow

ERROR_RESPONSES = {
    "400": "请求无效 / Bad request (a business rule refused it)",
    "401": "未登录 / Authentication required",
    "403": "无权限 / Forbidden",
    "404": "不存在 / Not found",
    "409": "冲突 / Conflict with the current state",
    "422": "参数校验失败 / Validation error",
    "429": "过于频繁 / Rate limited",
}


class StaffSessionAuth(SessionAuth):
    """Django's session (and CSRF on writes, as ninja's SessionAuth), plus the TOTP rule: a provincial
    administrator's session that has not passed the second step is refused with 403 `otp_required`.
    The session is verified by django-otp (`django_otp.login` at /accounts/otp/verify/ stores the device
    in the session; OTPMiddleware sets `request.user.is_verified()` from it on every request, API
    included)."""

    def authenticate(self, request, key):
        from organizations.permissions import second_factor_missing

        user = super().authenticate(request, key)
        if user is not None and second_factor_missing(user):
            raise SecondFactorRequired()
        return user


session_auth = StaffSessionAuth()


def declared_query_names(operation) -> frozenset[str]:
    """The query parameter names an operation declares (plain parameters, `Query[Schema]` fields and
    pagination's limit/offset alike: ninja flattens them all into its query models)."""
    names = set()
    for model in operation.models:
        if issubclass(model, QueryModel):
            names.update(getattr(model, "__ninja_flatten_map__", None) or {
                field.alias or name for name, field in model.model_fields.items()})
    return frozenset(names)


def _refuse_undeclared_query(operation):
    """Wraps an operation's checks (CSRF flag, authentication, throttles): after them, a request naming
    a query parameter the operation does not declare is a 422."""
    declared = declared_query_names(operation)
    run_checks = operation._run_checks

    def checks(request):
        error = run_checks(request)
        if error is not None:
            return error
        unknown = sorted(set(request.GET) - declared)
        if not unknown:
            return None
        return operation.api.create_response(request, {
            "detail": f"未声明的查询参数：{', '.join(unknown)} / Unknown query parameter(s): {', '.join(unknown)}",
            "code": "unknown_parameter",
            "errors": [{"type": "extra_forbidden", "loc": ["query", name], "msg": "Extra inputs are not permitted"}
                       for name in unknown],
        }, status=422)

    operation._run_checks = checks


def _schemas_in(annotation):
    """The pydantic models an annotation names (`X`, `list[X]`, `X | None`, `dict[str, X]`…)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _schemas_in(arg)


def _reachable(models) -> set:
    """The models given and every model nested in their fields, at any depth."""
    seen, stack = set(), list(models)
    while stack:
        model = stack.pop()
        if model not in seen:
            seen.add(model)
            stack.extend(m for f in model.model_fields.values() for m in _schemas_in(f.annotation))
    return seen


def _forbid_extra(model, done: set) -> bool:
    """Rebuild `model`, and the models nested in it first, with extra="forbid". True if anything changed."""
    if model in done:
        return False
    done.add(model)
    changed = False
    for field in model.model_fields.values():
        for nested in _schemas_in(field.annotation):
            changed |= _forbid_extra(nested, done)
    if issubclass(model, BodyModel):
        if changed:
            model.model_rebuild(force=True)
        return changed
    if model.model_config.get("extra") != "forbid":
        model.model_config["extra"] = "forbid"
        changed = True
    if changed:
        model.model_rebuild(force=True)
    return changed


def _forbid_extra_body_fields(operations) -> None:
    operations = list(operations)
    outputs = _reachable(model for operation in operations for model in operation.response_models.values()
                         if isinstance(model, type) and issubclass(model, BaseModel))
    done: set = set()
    for operation in operations:
        for model in operation.models:
            if issubclass(model, BodyModel):
                both = _reachable([model]) & outputs
                assert not both, f"{operation.path}: {both} serve both as request body and response; split them"
                _forbid_extra(model, done)


def _accept_tokens(prefix: str, operation) -> None:
    """An operation that takes the session takes a bearer access token with its scope first
    (partners.auth); the session (with CSRF and the TOTP rule) when no token was sent."""
    from partners.auth import OAuth2, operation_scope

    if not any(callback is django_auth or isinstance(callback, SessionAuth) for callback in operation.auth_callbacks):
        extra = getattr(operation.view_func, "_yv_token_scope", None)  # token-only operations (export)
        if extra:
            operation.auth_callbacks = [OAuth2(extra, clients=True)]
            operation._yv_scope = extra
        return
    scope = operation_scope(prefix, operation)
    operation._yv_scope = scope
    operation.auth_callbacks = [OAuth2(scope)] + [
        session_auth if callback is django_auth else callback for callback in operation.auth_callbacks
        if not isinstance(callback, OAuth2)]


class YouthVoiceAPI(NinjaAPI):
    """Documents, on every operation, the error responses our exception handlers produce, with one
    shared Error schema, so that clients (and schemathesis) know every status code they can get; and
    applies the session/TOTP rule and the undeclared-query rule to every operation (module docstring)."""

    def _get_bound_routers(self):
        fresh = self._bound_routers_cache is None
        routers = super()._get_bound_routers()
        if fresh:
            operations = [operation for router in routers for path_view in router.path_operations.values()
                          for operation in path_view.operations]
            for router in routers:
                for path_view in router.path_operations.values():
                    for operation in path_view.operations:
                        _accept_tokens(router.prefix, operation)
            for operation in operations:
                _refuse_undeclared_query(operation)
            _forbid_extra_body_fields(operations)
        return routers

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
        from django.conf import settings as django_settings

        from partners.auth import openapi_security

        scopes = {self.get_openapi_operation_id(operation): operation._yv_scope
                  for router in self._get_bound_routers() for path_view in router.path_operations.values()
                  for operation in path_view.operations if getattr(operation, "_yv_scope", None)}
        openapi_security(schema, scopes, getattr(django_settings, "YV_PUBLIC_BASE_URL", "").rstrip("/"))
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
        "Page content is served by the Wagtail API v2 at /api/v2/. Authenticate with an OAuth2 / OpenID "
        "Connect access token (`Authorization: Bearer …`, 一号通: /.well-known/openid-configuration; each "
        "operation names its scope) or with the session cookie (log in at /accounts/login/) and the CSRF token."
    ),
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if getattr(exc, "www_authenticate", None):
        response["WWW-Authenticate"] = exc.www_authenticate
    return response


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(
        request, {"detail": "资源不存在 / Not found", "code": "not_found"}, status=404
    )


# What Django itself answers with a 400 (a multipart body without a boundary, a body over
# DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad Host) is a 400 here too, whatever DEBUG says:
# ninja hands unknown exceptions to Django only with DEBUG off, and answers 500 with it on.
@api.exception_handler(MultiPartParserError)
@api.exception_handler(SuspiciousOperation)
@api.exception_handler(BadRequest)
def bad_request(request, exc):
    return api.create_response(
        request, {"detail": "请求格式无效或过大 / Malformed or oversized request", "code": "bad_request"}, status=400
    )


@api.exception_handler(OverflowError)
def id_overflow(request, exc):
    if not is_id_overflow(exc):
        raise exc
    return not_found(request, exc)


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


# Each app with an `api.py` exposes `router` (a ninja Router); it is mounted at /api/<prefix>/. An app
# that renders responses itself (a cached body) declares `use_renderer(renderer)` and is given the
# API's renderer here (apps import nothing from youthvoice). Order is the order of the docs page.
API_APPS = [
    ("organizations", "organizations", _("Organisations")),
    ("accounts", "accounts", _("Accounts")),
    ("community", "community", _("Q&A community")),
    ("home", "content", _("Content")),
    ("stations", "stations", _("Youth stations")),
    ("alliances", "alliances", _("Alliances and experts")),
    ("appeals", "appeals", _("Appeals")),
    ("insights", "insights", _("Insights")),
    ("search", "search", _("Search")),
    ("notifications", "notifications", _("Notifications")),
    ("moderation", "moderation", _("Moderation and monitoring")),
    ("partners", "export", _("Incremental export")),
]


def _register_routers():
    for app_label, prefix, tag in API_APPS:
        if importlib.util.find_spec(f"{app_label}.api") is None:
            continue
        module = importlib.import_module(f"{app_label}.api")
        api.add_router(f"/{prefix}/", module.router, tags=[str(tag)])
        if hasattr(module, "use_renderer"):
            module.use_renderer(api.renderer)


_register_routers()
