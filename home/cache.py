"""Whole-response cache for anonymous visitors of editorial pages and of the page API.

Pages opt in (`EditorialPageMixin.serve` marks the response); the page API (home.api_v2) marks its
responses too. Keys carry a content generation number that every publish, unpublish, move or
delete of a page bumps, so an editor's change shows at once; anything else (sign-up counts, vote
results, hot scores) is at most YV_PAGE_CACHE_SECONDS old for anonymous visitors. Logged-in users
are never served from this cache.

The backend is Django's default cache: local memory in the embedded default, Redis with REDIS_URL.
CSRF tokens are not shared: the stored HTML holds a marker that is replaced, per request, by
the visitor's own token (which also sets their CSRF cookie)."""

import functools
import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token

logger = logging.getLogger(__name__)
GENERATION_KEY = "yv:content-generation"
CSRF_MARKER = "__YV_CSRF_TOKEN__"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")')
SKIP_PREFIXES = ("/healthz", "/admin/", "/django-admin/", "/accounts/", "/i18n/", "/static/", "/media/", "/documents/",
                 "/api/v2/page_preview/")


def timeout() -> int:
    return getattr(settings, "YV_PAGE_CACHE_SECONDS", 120)


def generation() -> int:
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, 1, None)
            value = cache.get(GENERATION_KEY) or 1
    except Exception:  # noqa: BLE001 - callers render uncached
        logger.warning("page cache unavailable", exc_info=True)
        return 0
    return value


def invalidate(**kwargs) -> None:
    """Forget every cached anonymous response (connected to page publish/unpublish/move/delete)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)
    except Exception:  # noqa: BLE001 - publishing must not fail on a dead cache; entries expire anyway
        logger.warning("page cache unavailable: not invalidated", exc_info=True)


def _key(request, gen: int) -> str:
    raw = f"{request.get_host()}|{getattr(request, 'LANGUAGE_CODE', '')}|{request.get_full_path()}"
    return f"yv:resp:{gen}:{hashlib.sha1(raw.encode()).hexdigest()}"


@functools.cache
def _uncacheable_prefixes() -> tuple[str, ...]:
    """Paths whose responses never opt in: our own API (not the page API) and the apps' views. Not
    asking the cache for them saves two cache round trips on every such request."""
    from youthvoice.urls import APP_URLS

    return (*SKIP_PREFIXES, *(f"/{prefix}/" for _, prefix in APP_URLS))


def _candidate(request) -> bool:
    if request.method not in ("GET", "HEAD") or not getattr(settings, "YV_PAGE_CACHE_ENABLED", True):
        return False
    path = request.path
    if path.startswith(_uncacheable_prefixes()) or (path.startswith("/api/") and not path.startswith("/api/v2/")):
        return False
    if request.user.is_authenticated:
        return False
    return not request.COOKIES.get("messages")


class AnonymousPageCacheMiddleware:
    """Place after AuthenticationMiddleware, MessageMiddleware and CsrfViewMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _candidate(request):
            return self.get_response(request)
        try:
            key = _key(request, generation())
            hit = cache.get(key)
        except Exception:  # noqa: BLE001 - a dead cache must not take the site down; serve uncached
            logger.warning("page cache unavailable", exc_info=True)
            return self.get_response(request)
        if hit is not None:
            status, content_type, body = hit
            if CSRF_MARKER.encode() in body:
                body = body.replace(CSRF_MARKER.encode(), get_token(request).encode())
            response = HttpResponse(body, status=status, content_type=content_type)
            response["X-YV-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (getattr(response, "yv_cacheable", False) and response.status_code == 200 and not response.cookies
                and not getattr(response, "streaming", False)):
            body = _CSRF_INPUT.sub(rb"\g<1>" + CSRF_MARKER.encode() + rb"\g<2>", response.content)
            try:
                cache.set(key, (response.status_code, response["Content-Type"], body), timeout())
                response["X-YV-Cache"] = "miss"
            except Exception:  # noqa: BLE001
                logger.warning("page cache unavailable", exc_info=True)
        return response
