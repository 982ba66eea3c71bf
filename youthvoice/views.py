import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    if not ok:
        raise RuntimeError("cache read-back failed")
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from youthvoice.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def _calendar_state() -> dict:
    """Whether this year's and next year's holiday schedules are confirmed. Informational: an
    unconfirmed year runs on the provisional calendar, so it never fails the health check; from
    1 October an unconfirmed next year is listed under `warnings`."""
    from organizations.selectors import calendar_status

    status = calendar_status()
    this, nxt = status["this_year"], status["next_year"]
    return {
        "year": this["year"], "year_source": this["source"],
        "next_year": nxt["year"], "next_year_confirmed": nxt["confirmed"], "next_year_source": nxt["source"],
        "warnings": [f"{y} holiday schedule not confirmed: the provisional calendar is in use"
                     for y in status["warn_years"]],
    }


@never_cache
def healthz(request):
    """Database, cache and broker state: 200 when all answer, 503 otherwise. Also the working
    calendar's state (`calendar`), which never fails the check."""
    checks = {}
    healthy = True
    for name, check in (("database", _check_database), ("cache", _check_cache), ("broker", _check_broker)):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - a health check reports failures, it does not raise them
            checks[name] = f"error: {exc.__class__.__name__}"
            healthy = False
    body = {"status": "ok" if healthy else "error", "checks": checks}
    if checks.get("database") == "ok":
        try:
            body["calendar"] = _calendar_state()
        except Exception as exc:  # noqa: BLE001 - informational only
            body["calendar"] = {"error": exc.__class__.__name__}
    return JsonResponse(body, status=200 if healthy else 503)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") and not request.path.startswith("/api/v2/")


def page_not_found(request, exception=None):
    """JSON 404 under /api/ (a path that does not resolve, e.g. a non-numeric id), HTML elsewhere."""
    if _wants_json(request):
        return JsonResponse({"detail": "资源不存在 / Not found", "code": "not_found"}, status=404)
    from django.views.defaults import page_not_found as html_404

    return html_404(request, exception)


def csrf_failure(request, reason=""):
    """JSON 403 under /api/ when a session-authenticated write lacks the CSRF token."""
    if _wants_json(request):
        return JsonResponse(
            {"detail": "CSRF 校验失败，请携带 X-CSRFToken / CSRF check failed: send the X-CSRFToken header",
             "code": "csrf_failed"},
            status=403,
        )
    from django.views.csrf import csrf_failure as html_csrf_failure

    return html_csrf_failure(request, reason)


def favicon(request):
    """/favicon.ico, which browsers ask for on every site whatever the page links: the static icon."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("img/favicon.ico"))
