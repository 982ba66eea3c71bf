from django.conf import settings

from . import selectors


def site_chrome(request):
    """What every public page shows: the League's service links and the language switch."""
    if request.path.startswith("/admin/"):
        return {}
    from notifications.services import unread_count

    return {
        "service_links": selectors.service_links(),
        "LANGUAGES": settings.LANGUAGES,
        "unread_notifications": unread_count(getattr(request, "user", None)),
    }
