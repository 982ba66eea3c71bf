from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True  # this module also holds YouthVoiceUsersAppConfig (for wagtail.users): "accounts" means this one
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import security
        from .templatetags import yv_frame

        yv_frame.connect()  # the cached "may use the admin" flag of the logged-in frame

        user_login_failed.connect(security.on_login_failed, dispatch_uid="accounts.login_failed")
        user_logged_in.connect(security.on_logged_in, dispatch_uid="accounts.logged_in")

        from .uploads import bound_avatar_uploads

        bound_avatar_uploads()

        from . import registrations

        registrations.register()  # organizations.hooks: the cadre application's sensitive-data consent

        from core import page_cache

        from . import frame

        page_cache.register_frame(frame.render, frame.fingerprint)  # the user area of shared cached pages


from wagtail.users.apps import WagtailUsersAppConfig  # noqa: E402


class YouthVoiceUsersAppConfig(WagtailUsersAppConfig):
    """wagtail.users with our user viewset (accounts/admin_users.py): the user forms show and edit the
    mobile number, real name and real-name status, and the list is scoped to the admin's subtree."""

    user_viewset = "accounts.admin_users.UserViewSet"
