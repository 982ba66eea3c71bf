from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home and branches")

    def ready(self):
        from . import registrations, signals

        signals.connect()
        registrations.register()  # branch pages for organisations (organizations.signals/hooks)
        # home's page API endpoints (home.api_v2) are registered by youthvoice/api_v2.py.
