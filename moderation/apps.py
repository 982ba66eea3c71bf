from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation and monitoring")

    def ready(self):
        from . import checks, signals  # noqa: F401
