from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' gate, first in AUTHENTICATION_BACKENDS: refuses locked-out accounts and addresses.

    Every login over HTTP (our login page, Wagtail's admin login) passes the request. A call without a
    request (management commands, shell) is not a login attempt from the network: it is let through
    to the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


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
        from moderation.services import is_banned

        return not is_banned(user)
