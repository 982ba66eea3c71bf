from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "yvsearch"
    verbose_name = _("Search")

    def ready(self):
        from core.page_cache import register_api_endpoint

        from . import signals  # noqa: F401
        from .api import cache_key

        # anonymous /api/search/ answers: the early page cache, scope "search" (short TTL, as /search/)
        register_api_endpoint("/api/search/", scope="search", key=cache_key)
