from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import security

        user_login_failed.connect(security.on_login_failed, dispatch_uid="accounts.login_failed")
        user_logged_in.connect(security.on_logged_in, dispatch_uid="accounts.logged_in")

        from .uploads import bound_avatar_uploads

        bound_avatar_uploads()
