"""Login throttling (issue 25, finding 1): soft lockout per account, per client address and per known
browser, which a successful login as another account cannot reset.

- Every failed login (Django's `user_login_failed`) is one `LoginFailure` row: the account it named
  (username and mobile number of one user count together), the client address, and the browser's
  device id if it carries a valid device cookie for that account.
- Before a password is checked (`accounts.backends.LoginThrottleBackend`, first backend) the attempt
  waits for the longest of: the account's delay and the address's delay (accounts/domain/login_throttle.py:
  a few free failures, then 15 s doubling up to 15 minutes, at most 100 an hour). A browser holding a
  device cookie for the account it names (set at each successful login, OWASP's "device cookies")
  is judged by its own failures only, so guessing at an account cannot shut its owner out.
- A successful login clears only that account's failures; the address's count stays until it ages out.
- A throttled attempt is answered 429 with Retry-After (a page, or bilingual JSON under /api/) by
  `LoginThrottleMiddleware`; it checks no password and is not counted.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from .domain import login_throttle as rule

DEVICE_COOKIE = "yv_login_device"
DEVICE_SALT = "accounts.security.device"
DEVICE_MAX_AGE = 180 * 24 * 3600
KEEP_ROWS = timedelta(days=1)


def lockout_username(request, credentials) -> str:
    """The account a login names: a mobile number and a username of one user count together."""
    from django.contrib.auth import get_user_model

    submitted = ""
    if credentials:
        submitted = credentials.get("username") or ""
    if not submitted and request is not None and request.method == "POST":
        submitted = request.POST.get("username", "")
    submitted = (submitted or "").strip()[:150]
    if not submitted:
        return ""
    User = get_user_model()
    match = (User._default_manager.filter(Q(username__iexact=submitted) | Q(phone=submitted))
             .order_by("pk").values_list("username", flat=True).first())
    return (match or submitted).lower()


def client_ip(request) -> str:
    """REMOTE_ADDR, or the address the last trusted proxy saw (YV_TRUSTED_PROXY_COUNT proxies)."""
    hops = getattr(settings, "YV_TRUSTED_PROXY_COUNT", 0)
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if hops <= 0:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
    if len(forwarded) >= hops:
        return forwarded[-hops]
    return remote


def _ip_or_none(request):
    from django.core.validators import validate_ipv46_address
    from django.core.exceptions import ValidationError

    ip = client_ip(request)
    try:
        validate_ipv46_address(ip)
    except ValidationError:
        return None
    return ip


def device_id(request, account: str) -> str:
    """The id of this browser if it carries a valid device cookie for `account` ("" otherwise)."""
    raw = request.COOKIES.get(DEVICE_COOKIE) if request is not None else None
    if not raw or not account:
        return ""
    try:
        data = signing.loads(raw, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return ""
    if not isinstance(data, dict) or data.get("a") != account or not isinstance(data.get("d"), str):
        return ""
    return data["d"][:32]


def _failure_times(**filters) -> list:
    from .models import LoginFailure

    since = timezone.now() - rule.WINDOW
    return list(LoginFailure.objects.filter(at__gt=since, **filters).values_list("at", flat=True))


def attempt_wait(request, account: str) -> int:
    """Seconds this login attempt must wait (0: check the password now)."""
    now = timezone.now()
    device = device_id(request, account)
    if device:
        return rule.retry_after(rule.DEVICE, _failure_times(device=device), now)
    waits = [0]
    if account:
        waits.append(rule.retry_after(rule.ACCOUNT, _failure_times(account=account), now))
    ip = _ip_or_none(request)
    if ip:
        waits.append(rule.retry_after(rule.ADDRESS, _failure_times(ip_address=ip), now))
    return max(waits)


def record_failure(request, account: str) -> None:
    from .models import LoginFailure

    now = timezone.now()
    LoginFailure.objects.create(account=account, ip_address=_ip_or_none(request),
                                device=device_id(request, account), at=now)
    LoginFailure.objects.filter(at__lt=now - KEEP_ROWS).delete()


def login_succeeded(request, user) -> None:
    """Clear this account's failures (only this account's: the address keeps its count) and give the
    browser a device cookie for the account (set by LoginThrottleMiddleware)."""
    from .models import LoginFailure

    account = user.get_username().lower()
    LoginFailure.objects.filter(account=account).delete()
    if request is not None:
        request.yv_login_device = signing.dumps({"a": account, "d": secrets.token_hex(16)}, salt=DEVICE_SALT)


def on_login_failed(sender, credentials=None, request=None, **kwargs):
    if request is None or getattr(request, "yv_login_retry_after", 0):
        return  # not a network login, or a throttled attempt (no password was checked)
    record_failure(request, lockout_username(request, credentials))


def on_logged_in(sender, request=None, user=None, **kwargs):
    if user is not None:
        login_succeeded(request, user)


def _wait_text(seconds: int) -> tuple[str, str]:
    if seconds < 60:
        return f"{seconds} 秒", f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} 分钟", f"{minutes} minute{'s' if minutes != 1 else ''}"


def lockout_response(request, retry_after: int = 900):
    zh_wait, en_wait = _wait_text(retry_after)
    message_zh = f"登录失败次数过多，请 {zh_wait}后再试。"
    message_en = f"Too many failed logins. Please try again in {en_wait}."
    if request.path.startswith("/api/") and not request.path.startswith("/api/v2/"):
        response = JsonResponse({"detail": f"{message_zh} / {message_en}", "code": "locked_out"}, status=429)
    else:
        response = render(request, "accounts/lockout.html", {"message_zh": message_zh, "message_en": message_en},
                          status=429)
    response["Retry-After"] = str(retry_after)
    return response


class LoginThrottleMiddleware:
    """Answers a throttled login with 429 and hands out the device cookie after a successful one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        wait = getattr(request, "yv_login_retry_after", 0)
        if wait:
            return lockout_response(request, wait)
        device = getattr(request, "yv_login_device", None)
        if device:
            response.set_cookie(DEVICE_COOKIE, device, max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response
