from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation and monitoring")

    def ready(self):
        from . import checks, registrations, signals  # noqa: F401

        registrations.register()  # accounts.hooks: the ban check and the screening of display names
