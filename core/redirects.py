"""Where a view may send the browser after a form: `next` only on our own host (issue 25, finding 8:
/admin/moderation/queue/bulk/ redirected to any `next=`)."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str, *, field: str = "next") -> str:
    """`next` from the POST (or the query string) if it is a URL on this host (a relative path, or an
    absolute URL naming our host with the request's scheme); otherwise `default` (a URL or a URL name)."""
    target = request.POST.get(field) or request.GET.get(field) or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return resolve_url(default)
