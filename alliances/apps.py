from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliancesConfig(AppConfig):
    name = "alliances"
    verbose_name = _("Service alliances and experts")

    def ready(self):
        from community import experts

        from .experts import DIRECTORY

        experts.register(DIRECTORY)  # who is an expert, for the Q&A app (community.experts)
