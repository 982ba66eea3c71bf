from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner systems")

    def ready(self):
        from django.apps import apps

        from . import checks, signals  # noqa: F401

        if apps.is_installed("wagtail.api.v3"):
            from .auth import install_wagtail_v3_tokens

            install_wagtail_v3_tokens()
