"""SMS one-time codes: issue (with the send limits and the human check) and check (constant time,
single use, expiring, a few attempts). Only an HMAC of each code is stored (accounts.PhoneCode).

Limits (settings.YV_SMS_LIMITS, counted on PhoneCode rows, so that frozen-time tests and several
processes agree): per number one send a minute, `number_hour` an hour and `number_day` a day; per
client address `ip_hour` an hour and `ip_day` a day; across the platform `total_day` a day. From
`captcha_after` sends in the last hour by the same number or address, a send needs the image captcha."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import Invalid, TooManyRequests

DEFAULT_LIMITS = {"interval_seconds": 60, "number_hour": 5, "number_day": 10, "ip_hour": 20, "ip_day": 60,
                  "total_day": 100000, "captcha_after": 2}

WRONG_CODE = _("The code is wrong or has expired: request a new one")


def limits() -> dict:
    return {**DEFAULT_LIMITS, **getattr(settings, "YV_SMS_LIMITS", {})}


def ttl_seconds() -> int:
    return int(getattr(settings, "YV_SMS_CODE_TTL", 300))


def max_attempts() -> int:
    return int(getattr(settings, "YV_SMS_CODE_ATTEMPTS", 5))


def code_hash(phone: str, purpose: str, code: str) -> str:
    message = f"{phone}:{purpose}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def phone_hash(phone: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"phone:{phone}".encode(), hashlib.sha256).hexdigest()


def _recent(**filters):
    from accounts.models import PhoneCode

    return PhoneCode.objects.filter(**filters)


def captcha_needed(*, phone: str = "", ip: str | None = None, now=None) -> bool:
    now = now or timezone.now()
    since = now - timedelta(hours=1)
    after = limits()["captcha_after"]
    if ip and _recent(ip_address=ip, created_at__gte=since).count() >= after:
        return True
    return bool(phone) and _recent(phone=phone, created_at__gte=since).count() >= after


def check_limits(*, phone: str, ip: str | None, now) -> None:
    lim = limits()
    last = _recent(phone=phone).order_by("-created_at").values_list("created_at", flat=True).first()
    if last and (now - last).total_seconds() < lim["interval_seconds"]:
        wait = int(lim["interval_seconds"] - (now - last).total_seconds()) + 1
        raise TooManyRequests(_("Too many codes: try again in %(wait)s s"), params={"wait": wait},
                              fields={"phone": "too_soon"})
    hour, day = now - timedelta(hours=1), now - timedelta(days=1)
    if (_recent(phone=phone, created_at__gte=hour).count() >= lim["number_hour"]
            or _recent(phone=phone, created_at__gte=day).count() >= lim["number_day"]):
        raise TooManyRequests(_("Too many codes for this number: try later"),
                              fields={"phone": "number_limit"})
    if ip and (_recent(ip_address=ip, created_at__gte=hour).count() >= lim["ip_hour"]
               or _recent(ip_address=ip, created_at__gte=day).count() >= lim["ip_day"]):
        raise TooManyRequests(_("Too many codes from this address: try later"),
                              fields={"phone": "ip_limit"})
    if _recent(created_at__gte=day).count() >= lim["total_day"]:
        raise TooManyRequests(_("The daily SMS budget is spent: try tomorrow"),
                              fields={"phone": "daily_limit"})


def issue(*, phone: str, purpose: str, ip: str | None, captcha_ok: bool, deliver: bool = True,
          template: str = "code") -> None:
    """Check the limits and the human check, store the code's hash, and send it (unless `deliver` is
    False: a login or reset code for an unknown number is counted like any other but not sent)."""
    from accounts.models import PhoneCode

    from . import send_sms

    now = timezone.now()
    check_limits(phone=phone, ip=ip, now=now)
    if captcha_needed(phone=phone, ip=ip, now=now) and not captcha_ok:
        raise Invalid(_("Solve the image captcha first"), code="captcha_required",
                      fields={"captcha": "required"})
    code = f"{secrets.randbelow(10**6):06d}"
    PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).update(used_at=now)
    PhoneCode.objects.create(phone=phone, purpose=purpose, code_hash=code_hash(phone, purpose, code), ip_address=ip,
                             created_at=now, expires_at=now + timedelta(seconds=ttl_seconds()), sent=deliver)
    if deliver:
        send_sms(phone=phone, template=template, params=[code, str(ttl_seconds() // 60)])


def check(*, phone: str, purpose: str, code: str, consume: bool = True) -> None:
    """Raise Invalid unless `code` is the live code for (phone, purpose). A wrong guess counts an
    attempt (kept even if the caller's transaction is rolled back: called outside it); the code is
    spent on success, atomically (a second use of the same code fails)."""
    from accounts.models import PhoneCode

    now = timezone.now()
    code = (code or "").strip()
    row = (PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
           .order_by("-created_at").first())
    if row is None or row.attempts >= max_attempts() or not code:
        raise Invalid(WRONG_CODE, code="wrong_code", fields={"code": "wrong"})
    if not hmac.compare_digest(code_hash(phone, purpose, code), row.code_hash):
        PhoneCode.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
        raise Invalid(WRONG_CODE, code="wrong_code", fields={"code": "wrong"})
    if consume and not PhoneCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        raise Invalid(WRONG_CODE, code="wrong_code", fields={"code": "wrong"})
