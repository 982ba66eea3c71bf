from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home and branches")

    def ready(self):
        from youthvoice.api_v2 import api_router

        from . import registrations, signals
        from .api_v2 import ContentPagesAPIViewSet, PagePreviewAPIViewSet

        signals.connect()
        registrations.register()  # branch pages for organisations (organizations.signals/hooks)
        # Our pages endpoint adds ?branch= and anonymous caching; page_preview serves drafts headless.
        api_router.register_endpoint("pages", ContentPagesAPIViewSet)
        api_router.register_endpoint("page_preview", PagePreviewAPIViewSet)
