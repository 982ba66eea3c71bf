from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Q


class LoginThrottleBackend:
    """The login throttle's gate, first in AUTHENTICATION_BACKENDS (accounts/security.py): an attempt
    that must still wait is refused before any password is checked (PermissionDenied stops Django's
    authenticate(); LoginThrottleMiddleware turns the response into a 429).

    Every login over HTTP (our login page, Wagtail's admin login) passes the request. A call without a
    request (management commands, shell) is not a login attempt from the network: it is let through.
    It has no get_user(): sessions never name it (and the test client's force_login skips it)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        from . import security

        wait = security.attempt_wait(request, security.lockout_username(request, {"username": username}))
        if wait:
            request.yv_login_retry_after = wait
            raise PermissionDenied
        return None


class PhoneOrUsernameBackend(ModelBackend):
    """Log in with either the username or the mobile number, against one password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        user = User._default_manager.filter(Q(username__iexact=username) | Q(phone=username)).order_by("pk").first()
        if user is None:
            # Run the hasher anyway so that timing does not reveal which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user):
        if not super().user_can_authenticate(user):
            return False
        from .hooks import is_banned  # filled by moderation; raises if it is not

        return not is_banned(user)
