from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("Youth stations")

    def ready(self):
        from . import registrations, signals

        signals.connect()
        registrations.register()  # accounts.hooks.personal_data: bookings
