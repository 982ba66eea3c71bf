"""Whole-response cache for anonymous visitors of editorial pages and of the page API (shared
infrastructure: home, community, stations and search use it; it knows no app — the apps' URL
prefixes come from settings.YV_APP_URLS).

Pages opt in (`EditorialPageMixin.serve` marks the response); the page API (home.api_v2) marks its
responses too. Keys carry a content generation number that every publish, unpublish, move or
delete of a page bumps, so an editor's change shows at once; anything else (sign-up counts, vote
results, hot scores) is at most YV_PAGE_CACHE_SECONDS old for anonymous visitors. Logged-in users
are never served from this cache (the early cache below may serve them a shared page with their frame).

The backend is Django's default cache: files under var/cache in the embedded default, Redis with REDIS_URL.
CSRF tokens are not shared: the stored HTML holds a marker that is replaced, per request, by
the visitor's own token (which also sets their CSRF cookie)."""

import functools
import hashlib
import logging
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token

from core import request_memo

logger = logging.getLogger(__name__)
GENERATION_KEY = "yv:content-generation"
request_memo.register(GENERATION_KEY)
CSRF_MARKER = "__YV_CSRF_TOKEN__"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")')
SKIP_PREFIXES = ("/healthz", "/admin/", "/django-admin/", "/accounts/", "/i18n/", "/static/", "/media/", "/documents/",
                 "/api/v2/page_preview/")


def timeout() -> int:
    return getattr(settings, "YV_PAGE_CACHE_SECONDS", 120)


def fresh_counter() -> int:
    """The first value of a counter that keys cached entries (a generation): taken from the clock, so
    that a counter evicted from the cache comes back above every value it had, never as an old one
    whose entries may still be cached (they may live for an hour: home.selectors.KEPT_TTL)."""
    import time

    # microseconds: a counter goes up by one per change, and no change takes less than a microsecond
    return time.time_ns() // 1000


def generation() -> int:
    try:
        value = request_memo.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, fresh_counter(), None)
            request_memo.forget(GENERATION_KEY)
            value = cache.get(GENERATION_KEY) or 1
    except Exception:  # callers render uncached
        logger.warning("page cache unavailable", exc_info=True)
        return 0
    return value


def invalidate(**kwargs) -> None:
    """Forget every cached anonymous response (connected to page publish/unpublish/move/delete)."""
    request_memo.forget(GENERATION_KEY)
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, fresh_counter(), None)
    except Exception:  # publishing must not fail on a dead cache; entries expire anyway
        logger.warning("page cache unavailable: not invalidated", exc_info=True)


def _key(request, gen: int) -> str:
    raw = f"{request.get_host()}|{getattr(request, 'LANGUAGE_CODE', '')}|{request.get_full_path()}"
    return f"yv:resp:{gen}:{hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()}"


@functools.cache
def _uncacheable_prefixes() -> tuple[str, ...]:
    """Paths whose responses never opt in: our own API (not the page API) and the apps' views. Not
    asking the cache for them saves two cache round trips on every such request."""
    return (*SKIP_PREFIXES, *(f"/{prefix}/" for _, prefix in getattr(settings, "YV_APP_URLS", ())))


def _candidate(request) -> bool:
    if request.method not in ("GET", "HEAD") or not getattr(settings, "YV_PAGE_CACHE_ENABLED", True):
        return False
    path = request.path
    if path.startswith(_uncacheable_prefixes()) or (path.startswith("/api/") and not path.startswith("/api/v2/")):
        return False
    if request.user.is_authenticated or getattr(request, "_yv_early", False):
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
        except Exception:  # a dead cache must not take the site down; serve uncached
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
        # A response with its own scope (a station page) is kept only by the early cache, which checks it.
        if (getattr(response, "yv_cacheable", False) and response.status_code == 200 and not response.cookies
                and not getattr(response, "streaming", False) and not getattr(response, "yv_scope", None)):
            body = _CSRF_INPUT.sub(rb"\g<1>" + CSRF_MARKER.encode() + rb"\g<2>", response.content)
            try:
                cache.set(key, (response.status_code, response["Content-Type"], body), timeout())
                response["X-YV-Cache"] = "miss"
            except Exception:
                logger.warning("page cache unavailable", exc_info=True)
        return response


# --------------------------------------------------------------------------- early page cache (issue 23)
# `EarlyPageCacheMiddleware` is the outermost middleware: an anonymous visitor (no session cookie,
# no pending messages, no Authorization header) is answered from the cache before sessions,
# authentication, CSRF, CSP and the rest run, so a hit costs less than a bare one-query view. What it
# stores is the finished response (headers the inner middleware added included), minus its cookies,
# with the visitor-specific parts replaced by markers: the CSRF token (each visitor gets their own,
# masked from their own csrftoken cookie or a new one) and the CSP nonce (a fresh one per hit).
#
# Keys carry two generation numbers: the editorial one above (bumped on every publish, unpublish,
# move, delete) and the path's *scope* (`qa`, `stations`, `search`…), bumped by the app that owns the
# data (a new answer, a moderation decision, a booking that changes a slot's free places). A scope
# may also bound its entries' age (search results: `YV_PAGE_CACHE_SCOPE_SECONDS`).
#
# Responses carry a weak ETag and `Cache-Control: public, max-age=0, must-revalidate` with `Vary:
# Cookie, Accept-Language`: nginx or a CDN in front may keep them and revalidate each request with
# If-None-Match, which a hit answers with 304 — so invalidation reaches them within a request.

NONCE_MARKER = "__YV_CSP_NONCE__"
SCOPE_KEY = "yv:scope-generation:"
_HIT_HOOKS: dict[str, object] = {}


def anonymous_cacheable(view=None, *, on_hit: tuple[str, str] | None = None, users: bool = False):
    """Decorate an app view whose anonymous response is the same for every anonymous visitor: the
    early page cache may store it. `on_hit=(hook, kwarg)` runs `hook(kwargs[kwarg])` on each hit.
    `users=True`: the page shows nothing personal outside the frame's user area, so logged-in users
    are served the same entry with their own frame composed in (see "Logged-in users" below);
    `users=callable(request)` decides it per URL (the `/qa/` feed: only when it names its place)."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(request, *args, **kwargs):
            response = fn(request, *args, **kwargs)
            if not request.user.is_authenticated and response.status_code == 200:
                response.yv_cacheable = True
                response.yv_users = users(request) if callable(users) else users
                if on_hit:
                    response.yv_on_hit = (on_hit[0], kwargs.get(on_hit[1]))
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


def register_hit_hook(name: str, fn) -> None:
    """`fn(arg)` runs on every cache hit of a response stored with `response.yv_on_hit = (name, arg)`
    (a question page counts its view this way)."""
    _HIT_HOOKS[name] = fn


def scope_of(path: str) -> str:
    """The scope whose generation a path's entry is checked against, unless the view declares
    another (`response.yv_scope`): the first path segment for the apps' views (`qa`, `stations`,
    `search`), `qa:<id>` for a question page, `pages` for the editorial pages (which follow only the
    editorial generation)."""
    if path in _API_ENDPOINTS:
        return _API_ENDPOINTS[path][0]
    parts = path.strip("/").split("/")
    if parts[0] not in getattr(settings, "YV_PAGE_CACHE_SCOPES", ()):
        return "pages"
    if parts[0] == "qa" and len(parts) == 2 and parts[1].isdigit():
        return f"qa:{parts[1]}"
    return parts[0]


def bump(scope: str) -> None:
    """Forget every cached anonymous response of one scope (`qa`, `stations`, …): now and again
    when the current transaction commits (a reader in between could have cached the old state)."""
    from django.db import transaction

    def _bump():
        request_memo.forget(SCOPE_KEY + scope)
        try:
            cache.incr(SCOPE_KEY + scope)
        except ValueError:
            cache.set(SCOPE_KEY + scope, 2, None)
        except Exception:  # a write must not fail on a dead cache; entries expire anyway
            logger.warning("page cache unavailable: %s not invalidated", scope, exc_info=True)

    _bump()
    transaction.on_commit(_bump)


_API_ENDPOINTS: dict[str, tuple[str, object]] = {}


def register_api_endpoint(path: str, *, scope: str, key) -> None:
    """Let the early cache store one of our own API endpoints (`/api/` paths other than the page API
    are otherwise never candidates): the exact `path`, checked against `scope`'s generation and
    timeout, and keyed by `key(request) -> str | None` — the request's canonical form (normalised,
    bounded parameters, unknown ones dropped: a cache-busting query string maps to the same entry), or
    None to leave the request uncached. The endpoint opts each response in itself (`anonymous_cacheable`
    through ninja's `decorate_view`)."""
    _API_ENDPOINTS[path] = (scope, key)


def _early_candidate(request) -> bool:
    """Anonymous visitors and, when YV_PAGE_CACHE_USERS is on, session holders (checked on a hit)."""
    if request.method not in ("GET", "HEAD") or not getattr(settings, "YV_PAGE_CACHE_ENABLED", True):
        return False
    if not getattr(settings, "YV_PAGE_CACHE_EARLY", True):
        return False
    cookies = request.COOKIES
    if "messages" in cookies or "HTTP_AUTHORIZATION" in request.META:
        return False
    if settings.SESSION_COOKIE_NAME in cookies and not getattr(settings, "YV_PAGE_CACHE_USERS", True):
        return False
    path = request.path
    if path in _API_ENDPOINTS:
        return True
    if path.startswith(SKIP_PREFIXES) or (path.startswith("/api/") and not path.startswith("/api/v2/")):
        return False
    return not path.startswith(_early_excluded_prefixes())


@functools.cache
def _early_excluded_prefixes() -> tuple[str, ...]:
    """App URL prefixes whose views never opt in (only the scopes' views may)."""
    scopes = set(getattr(settings, "YV_PAGE_CACHE_SCOPES", ()))
    return tuple(f"/{prefix}/" for _, prefix in getattr(settings, "YV_APP_URLS", ()) if prefix not in scopes)


def _language(request) -> str:
    from django.utils import translation

    return translation.get_language_from_request(request)


def scope_generation(scope: str) -> int:
    """Read before rendering by a view that declares its own scope (`response.yv_scope`)."""
    try:
        return request_memo.get(SCOPE_KEY + scope) or 1
    except Exception:  # noqa: BLE001
        return 0


def _entry_key(request, language: str) -> str | None:
    endpoint = _API_ENDPOINTS.get(request.path)
    if endpoint is not None:
        canonical = endpoint[1](request)
        if canonical is None:
            return None
        raw = f"{request.get_host()}|{language}|{request.path}?{canonical}"
    else:
        raw = f"{request.get_host()}|{language}|{request.get_full_path()}"
    return f"yv:early:{hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()}"


def _csrf_token_for(request) -> tuple[str, str | None]:
    """A masked CSRF token for this visitor and, when they have no valid cookie, the new secret to
    set as their cookie (what CsrfViewMiddleware would have done)."""
    from django.middleware import csrf

    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    try:
        csrf._check_token_format(secret)
        if len(secret) != csrf.CSRF_SECRET_LENGTH:
            raise csrf.InvalidTokenFormat("length")
        new = None
    except csrf.InvalidTokenFormat:
        secret = new = csrf._get_new_csrf_string()
    return csrf._mask_cipher_secret(secret), new


class EarlyPageCacheMiddleware:
    """First in MIDDLEWARE. Serves anonymous hits; stores opted-in anonymous responses."""

    STORED_HEADERS_DROP = {"set-cookie", "x-yv-cache", "content-length"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_memo.scope():  # the small keys every page reads: once per request, in one MGET
            return self._respond(request)

    def _respond(self, request):
        if not _early_candidate(request):
            return self.get_response(request)
        scope = scope_of(request.path)
        try:
            key = _entry_key(request, _language(request))
            if key is None:  # an endpoint's request it does not cache (bad parameters)
                return self.get_response(request)
            values = request_memo.get_many([key, GENERATION_KEY, SCOPE_KEY + scope])
            gens = {GENERATION_KEY: values.get(GENERATION_KEY) or generation(), scope: values.get(SCOPE_KEY + scope) or 1}
            hit = values.get(key)
            if hit is not None and not self._fresh(hit, gens):
                hit = None
        except Exception:  # a dead cache must not take the site down; serve uncached
            logger.warning("page cache unavailable", exc_info=True)
            return self.get_response(request)
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if session_key is not None:  # a session holder: never stored; a shared entry + their frame on a hit
            served = self._serve_session(request, hit, session_key) if hit is not None else None
            return served if served is not None else self.get_response(request)
        if hit is not None:
            return self._serve(request, hit)
        request._yv_early = True
        response = self.get_response(request)
        if self._storable(request, response):
            declared = getattr(response, "yv_scope", None)  # (scope, generation read before rendering)
            entry = self._entry(request, response)
            entry["gen"] = gens[GENERATION_KEY]
            entry["scope"], entry["scope_gen"] = declared or (scope, gens[scope])
            try:
                cache.set(key, entry, self._timeout(entry["scope"]))
                response["X-YV-Cache"] = "miss"
            except Exception:
                logger.warning("page cache unavailable", exc_info=True)
        return response

    def _serve_session(self, request, hit: dict, session_key: str) -> HttpResponse | None:
        """A shared entry for a session holder, or None for the full stack. The session is checked
        the way Django's AuthenticationMiddleware does (`auth.get_user`: the session exists and has
        not expired, the backend still accepts the user — active, not banned —, the session auth
        hash matches); a logged-in user gets their own frame composed into the shared page."""
        if not hit.get("users") or FRAME_START not in hit["body"] or FRAME_END not in hit["body"]:
            return None
        from importlib import import_module

        from django.contrib import auth

        try:
            request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
            if request.session.get("_messages"):  # messages kept in the session: the full stack shows them
                return None
            user = auth.get_user(request)
        except Exception:
            logger.warning("page cache: session not checked", exc_info=True)
            return None
        if request.session.modified:  # flushed (a stale auth hash) or updated: the full stack saves it
            return None
        if not user.is_authenticated:  # an anonymous session, a logged-out, closed or banned account
            response = self._serve(request, hit)
            if request.session.is_empty():  # what SessionMiddleware does with a cookie naming nothing
                response.delete_cookie(settings.SESSION_COOKIE_NAME, path=settings.SESSION_COOKIE_PATH,
                                       domain=settings.SESSION_COOKIE_DOMAIN,
                                       samesite=settings.SESSION_COOKIE_SAMESITE)
            return response
        frame = user_frame(request, user)
        return None if frame is None else self._serve(request, hit, frame)

    @staticmethod
    def _fresh(hit: dict, gens: dict) -> bool:
        if hit.get("gen") != gens[GENERATION_KEY]:
            return False
        scope = hit.get("scope")
        current = gens[scope] if scope in gens else scope_generation(scope)
        return hit.get("scope_gen") == current

    @staticmethod
    def _timeout(scope: str) -> int:
        return getattr(settings, "YV_PAGE_CACHE_SCOPE_SECONDS", {}).get(scope.split(":")[0], timeout())

    @staticmethod
    def _storable(request, response) -> bool:
        if not getattr(response, "yv_cacheable", False) or response.status_code != 200:
            return False
        if getattr(response, "streaming", False) or getattr(request, "user", None) is None:
            return False
        if getattr(request, "_yv_user_seen", False) or request.user.is_authenticated:
            return False
        # Only the CSRF cookie may be set on a shared page (it is re-issued per visitor on a hit).
        return set(response.cookies) <= {settings.CSRF_COOKIE_NAME}

    def _entry(self, request, response) -> dict:
        body = _CSRF_INPUT.sub(rb"\g<1>" + CSRF_MARKER.encode() + rb"\g<2>", response.content)
        headers = {k: v for k, v in response.items() if k.lower() not in self.STORED_HEADERS_DROP}
        nonce = getattr(request, "_csp_nonce", None) or getattr(request, "_yv_csp_nonce", None)
        if nonce:
            body = body.replace(nonce.encode(), NONCE_MARKER.encode())
            headers = {k: v.replace(nonce, NONCE_MARKER) for k, v in headers.items()}
        headers["ETag"] = f'W/"{hashlib.sha1(body, usedforsecurity=False).hexdigest()[:32]}"'
        headers["Cache-Control"] = "public, max-age=0, must-revalidate"
        headers["Vary"] = "Cookie, Accept-Language"
        self._apply(response, headers)
        return {"status": response.status_code, "headers": headers, "body": body,
                "on_hit": getattr(response, "yv_on_hit", None), "users": bool(getattr(response, "yv_users", False))}

    @staticmethod
    def _apply(response, headers: dict) -> None:
        for name in ("ETag", "Cache-Control", "Vary"):
            response[name] = headers[name]

    def _serve(self, request, hit: dict, frame: bytes | None = None) -> HttpResponse:
        on_hit = hit.get("on_hit")
        if on_hit and on_hit[0] in _HIT_HOOKS:
            try:
                _HIT_HOOKS[on_hit[0]](on_hit[1])
            except Exception:  # counting must never break a page
                logger.warning("page cache hit hook %s failed", on_hit[0], exc_info=True)
        headers = hit["headers"]
        if frame is None and request.META.get("HTTP_IF_NONE_MATCH") == headers["ETag"]:
            response = HttpResponse(status=304)
            for name in ("ETag", "Cache-Control", "Vary"):
                response[name] = headers[name]
            response["X-YV-Cache"] = "hit"
            return response
        body = hit["body"]
        if frame is not None:  # a logged-in user: their own frame, and a response no shared cache keeps
            body = compose_frame(body, frame)
            headers = {k: v for k, v in headers.items() if k != "ETag"}
            headers["Cache-Control"] = "private, no-cache"
        new_secret = None
        if CSRF_MARKER.encode() in body:
            token, new_secret = _csrf_token_for(request)
            body = body.replace(CSRF_MARKER.encode(), token.encode())
        nonce = None
        if NONCE_MARKER.encode() in body or any(NONCE_MARKER in v for v in headers.values()):
            nonce = secrets.token_urlsafe(16)
            body = body.replace(NONCE_MARKER.encode(), nonce.encode())
        response = HttpResponse(body if request.method == "GET" else b"", status=hit["status"])
        for name, value in headers.items():
            response[name] = value.replace(NONCE_MARKER, nonce) if nonce else value
        if new_secret:
            response.set_cookie(settings.CSRF_COOKIE_NAME, new_secret, max_age=settings.CSRF_COOKIE_AGE,
                                domain=settings.CSRF_COOKIE_DOMAIN, path=settings.CSRF_COOKIE_PATH,
                                secure=settings.CSRF_COOKIE_SECURE, httponly=settings.CSRF_COOKIE_HTTPONLY,
                                samesite=settings.CSRF_COOKIE_SAMESITE)
        response["X-YV-Cache"] = "hit"
        return response


# --------------------------------------------------------------------------- logged-in users (issue 23)
# A logged-in user is served the same shared entry as an anonymous visitor when the page declares
# that nothing personal is shown outside the frame's user area (`response.yv_users`: editorial pages
# but activities and contests, the search page). base.html wraps the user area (login state, name,
# notification count, log-out form) in FRAME_START/FRAME_END; on such a hit the session is checked
# (`_serve_session`) and the region is replaced by the user's frame, rendered by the renderer that
# accounts registers (`register_frame`) and cached per user, language and fingerprint of the user row
# under a per-user generation that the services changing what it shows bump (`bump_users`: a new or
# read notification). A renderer may answer "personal" (editors: Wagtail's user bar is per page):
# such a user gets the full render. The response is `Cache-Control: private, no-cache`, without ETag.

FRAME_START = b"<!--yv:frame-->"
FRAME_END = b"<!--/yv:frame-->"
USER_GEN_KEY = "yv:frame-generation:"
_FRAME: dict[str, object] = {}


def register_frame(render, fingerprint) -> None:
    """`render(user) -> (html, personal)` in the active language; `fingerprint(user) -> str` names what
    of the user row the frame shows (a changed name makes a new entry without any bump)."""
    _FRAME["render"], _FRAME["fingerprint"] = render, fingerprint


def frame_seconds() -> int:
    return getattr(settings, "YV_PAGE_CACHE_FRAME_SECONDS", 300)


def bump_users(user_ids) -> None:
    """Forget the cached frames of these users: now and again when the transaction commits."""
    from django.db import transaction

    keys = {f"{USER_GEN_KEY}{int(pk)}" for pk in user_ids if pk}
    if not keys:
        return

    def _bump():
        try:  # a random value: an evicted generation comes back as a new one, never as an old one
            cache.set_many({key: secrets.token_hex(6) for key in keys}, 86400)
        except Exception:
            logger.warning("page cache unavailable: frames not invalidated", exc_info=True)

    _bump()
    transaction.on_commit(_bump)


def user_frame(request, user) -> bytes | None:
    """The user's frame HTML (with the CSRF marker), or None when they must get the full render."""
    if not _FRAME:
        return None
    language = _language(request)
    gen_key = f"{USER_GEN_KEY}{user.pk}"
    try:
        gen = cache.get(gen_key)
        if gen is None:
            cache.add(gen_key, secrets.token_hex(6), 86400)
            gen = cache.get(gen_key)
        if gen is None:
            return None
        digest = hashlib.sha1(_FRAME["fingerprint"](user).encode(), usedforsecurity=False).hexdigest()[:16]
        key = f"yv:frame:{user.pk}:{gen}:{language}:{digest}"
        entry = cache.get(key)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)
        return None
    if entry is None:
        from django.utils import translation

        with translation.override(language):
            html, personal = _FRAME["render"](user)
        entry = (html.encode(), bool(personal))
        try:
            cache.set(key, entry, frame_seconds())
        except Exception:
            logger.warning("page cache unavailable", exc_info=True)
    html, personal = entry
    return None if personal else html


def compose_frame(body: bytes, frame: bytes) -> bytes:
    start = body.find(FRAME_START)
    end = body.find(FRAME_END, start)
    return body[:start + len(FRAME_START)] + frame + body[end:]
