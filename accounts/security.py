"""Login lockout glue for django-axes: one account however it is named, the client address behind a
trusted proxy, and a bilingual 429 (JSON under /api/, a page elsewhere)."""

from django.conf import settings
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render

LOCKOUT_ZH = "登录失败次数过多，账号或网络地址已被锁定 15 分钟，请稍后再试。"
LOCKOUT_EN = "Too many failed logins: this account or address is locked for 15 minutes. Please try again later."


def lockout_username(request, credentials) -> str:
    """The account a login names: a mobile number and a username of one user count together."""
    from django.contrib.auth import get_user_model

    submitted = ""
    if credentials:
        submitted = credentials.get("username") or ""
    if not submitted and request is not None and request.method == "POST":
        submitted = request.POST.get("username", "")
    submitted = (submitted or "").strip()
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


def lockout_response(request, original_response=None, credentials=None):
    status = 429
    if request.path.startswith("/api/") and not request.path.startswith("/api/v2/"):
        return JsonResponse({"detail": f"{LOCKOUT_ZH} / {LOCKOUT_EN}", "code": "locked_out"}, status=status)
    response = render(request, "accounts/lockout.html", {"message_zh": LOCKOUT_ZH, "message_en": LOCKOUT_EN},
                      status=status)
    response["Retry-After"] = str(15 * 60)
    return response
