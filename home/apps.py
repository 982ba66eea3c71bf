from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home and branches")

    def ready(self):
        from . import registrations, signals

        signals.connect()
        _skip_view_restriction_queries()
        registrations.register()  # branch pages for organisations (organizations.signals/hooks)
        # home's page API endpoints (home.api_v2) are registered by youthvoice/api_v2.py.


def _skip_view_restriction_queries() -> None:
    """Wagtail checks the view restrictions of a page and its ancestors on every serve (two queries);
    this site has none almost always: the check is skipped while no restriction exists anywhere
    (home.selectors.any_view_restriction, cached under the editorial generation that home.signals
    bumps when a restriction is saved or deleted)."""
    from wagtail.models import Page, PageViewRestriction

    original = Page.get_view_restrictions
    if getattr(original, "yv_patched", False):
        return

    def get_view_restrictions(self):
        from .selectors import any_view_restriction

        if not any_view_restriction():
            return PageViewRestriction.objects.none()
        return original(self)

    get_view_restrictions.yv_patched = True  # type: ignore[attr-defined]
    Page.get_view_restrictions = get_view_restrictions
