from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliancesConfig(AppConfig):
    name = "alliances"
    verbose_name = _("Service alliances and experts")

    def ready(self):
        from . import registrations

        registrations.register()  # community.hooks.expert_directory: who is an expert, for the Q&A app
