from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home and branches")

    def ready(self):
        from . import registrations, signals

        signals.connect()
        _skip_view_restriction_queries()
        _cache_site_lookup()
        _route_by_url_path()
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


def _cache_site_lookup() -> None:
    """Wagtail finds the Site of every request that shows a page link ({% pageurl %}, get_url) with a
    query, once per request: here from the cache (home.selectors.site_for_request), on every page —
    the station list, the Q&A and search pages too, not only the pages Wagtail serves."""
    from wagtail.models import Site

    original = Site._find_for_request
    if getattr(original, "yv_patched", False):
        return

    def _find_for_request(request):
        from . import selectors

        return selectors.site_for_request(request, lookup=original)

    _find_for_request.yv_patched = True  # type: ignore[attr-defined]
    Site._find_for_request = staticmethod(_find_for_request)


def _route_by_url_path() -> None:
    """Wagtail routes a request by finding its Site (one query), the site's root page as its own type
    (one more), then each path segment's child and its specific row (two per level): 6 queries for
    an article three levels down. Here the Site comes from the cache and the page from one lookup by
    URL path (home.selectors.page_at_url_path: one query when warm). A path that is no page, or a
    page that is not live, goes the usual way (the same 404)."""
    from django.http import Http404
    from wagtail.models import Page

    original = Page.route_for_request
    if getattr(original, "yv_patched", False):
        return

    def route_for_request(request, path):
        if not hasattr(request, "_wagtail_route_for_request"):
            from . import selectors

            site = selectors.site_for_request(request)
            if site is not None:
                components = [c for c in path.split("/") if c]
                page = selectors.page_at_url_path(site.root_page.url_path + "".join(c + "/" for c in components),
                                                  root=site.root_page)
                if page is not None and page.live:  # the site is remembered on the request (Site.find_for_request)
                    try:
                        request._wagtail_route_for_request = page.route(request, [])
                    except Http404:
                        pass
        return original(request, path)

    route_for_request.yv_patched = True  # type: ignore[attr-defined]
    Page.route_for_request = staticmethod(route_for_request)
