from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")


from wagtail.users.apps import WagtailUsersAppConfig  # noqa: E402


class YouthVoiceUsersAppConfig(WagtailUsersAppConfig):
    """wagtail.users with our user viewset (accounts/admin_users.py): the user forms show and edit the
    mobile number, real name and real-name status, and the list is scoped to the admin's subtree."""

    user_viewset = "accounts.admin_users.UserViewSet"
