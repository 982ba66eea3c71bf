"""Two-step login for staff (django-otp TOTP).

- Any staff member may enrol an authenticator app at /accounts/otp/setup/; from then on the Wagtail
  admin asks for a code once per login.
- Provincial administrators (org_admin of a root organisation) and superusers must use it while
  `YV_OTP_REQUIRED` is on (always in production): without a device they are sent to enrolment.
- The staff API (operations that need a session) refuses such a session with 403 `otp_required` until
  it is verified (the same rule, `organizations.permissions.second_factor_missing`, youthvoice/api.py).
  The public site and the API's public reads are not gated (docs/security.md).
"""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect

from organizations import permissions

SETUP_URL = "/accounts/otp/setup/"
VERIFY_URL = "/accounts/otp/verify/"
# Admin URLs that stay reachable before the second step: logging in and out, and Wagtail's
# translations/JS catalogue used by the login page.
ADMIN_OPEN_PREFIXES = ("/admin/login/", "/admin/logout/", "/admin/jsi18n/")


def is_provincial_admin(user) -> bool:
    """Superusers and administrators of a root (provincial) organisation (organizations.permissions)."""
    return permissions.is_provincial_admin(user)


def otp_required(user) -> bool:
    return bool(getattr(settings, "YV_OTP_REQUIRED", True)) and is_provincial_admin(user)


def confirmed_devices(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True)


def has_device(user) -> bool:
    return confirmed_devices(user).exists()


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}"


class AdminOTPMiddleware:
    """Sends an admin request to the TOTP step when the session is not yet verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        user = getattr(request, "user", None)
        if (path.startswith("/admin/") and not path.startswith(ADMIN_OPEN_PREFIXES)
                and user is not None and user.is_authenticated and not user.is_verified()):
            if has_device(user):
                return redirect(_with_next(VERIFY_URL, request.get_full_path()))
            if otp_required(user):
                return redirect(_with_next(SETUP_URL, request.get_full_path()))
        return self.get_response(request)
