"""Two-step login for staff (django-otp TOTP).

- Any staff member may enrol an authenticator app at /accounts/otp/setup/; from then on the Wagtail
  admin asks for a code once per login.
- Provincial administrators (org_admin of a root organisation) and superusers must use it while
  `YV_OTP_REQUIRED` is on (always in production): without a device they are sent to enrolment.
- Until the session is verified, such a user holds no staff role anywhere: the one rule,
  `organizations.permissions.second_factor_missing`, is part of the staff-membership lookup every
  permission check reads (site views, exports, API, admin policies); the staff API answers 403
  `otp_required` and the admin sends to the step (below). Public pages answer as for a youth.
"""

from urllib.parse import urlencode

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
    """Must the user use TOTP? The rule is organizations.permissions.totp_required."""
    return permissions.totp_required(user)


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
