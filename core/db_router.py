"""Safe reads to a streaming read replica, everything else to the primary (issue 23; docs/operations.md
"Read replicas").

Installed only when a replica is configured (DATABASE_REPLICA_URL → DATABASES["replica"], listed in
settings.YV_DB_REPLICAS); without one, DATABASE_ROUTERS is empty and nothing changes.

Where a query goes:
* writes (`save`, `create`, `update`, `delete`, `get_or_create`…) and `select_for_update`: the primary;
* reads inside a `transaction.atomic` block (not the test runner's own blocks): the primary;
* every read of a request or a task after its first write: the primary (read-your-writes). The first
  write "pins" the request/task: any INSERT/UPDATE/DELETE the primary connection executes (ORM or
  raw SQL: an execute wrapper watches it);
* the NEXT requests of a client that just wrote (the redirect after a POST): the primary for
  YV_DB_REPLICA_PIN_SECONDS — a short cookie (browsers) or a cache flag keyed by the Authorization
  header (API clients without cookies);
* tasks published by a pinned request or task: the primary for the same window (a header on the
  message: the row the task is about may not have reached the replica yet);
* the admin, the sign-in/OAuth paths (YV_DB_PRIMARY_PATHS), the authentication models
  (YV_DB_PRIMARY_APPS: sessions, OTP devices, OAuth tokens, SMS codes, permissions) and the loading
  of the request's user (PrimaryAuthMiddleware): always the primary;
* an anonymous render the early page cache will store (core.page_cache): the primary, so that a
  cached page is never older than the invalidation that caused its render;
* any other read: a replica (one per request, chosen at random when there are several; one that
  cannot be reached is skipped for YV_DB_REPLICA_RETRY_SECONDS, and with none the primary reads).
Migrations run on the primary only (allow_migrate).

The per-request state lives in a context variable, replaced on every request_started and
request_finished (and around every Celery task), so nothing leaks from one request to the next.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)
PIN_COOKIE = "yv_primary"
_WRITE_PREFIXES = ("INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "CREATE", "ALTER", "DROP", "COPY")


class _State:
    __slots__ = ("pinned", "replica", "reason", "wrote")

    def __init__(self, pinned: bool = False, reason: str = ""):
        self.pinned = pinned
        self.reason = reason  # why the primary: "write", "cookie", "token", "path", "published-by-writer"
        self.wrote = False
        self.replica: str | None = None


_state: ContextVar[_State | None] = ContextVar("yv_db_router_state", default=None)


def _current() -> _State:
    state = _state.get()
    if state is None:
        state = _State()
        _state.set(state)
    return state


def reset(pinned: bool = False, reason: str = "") -> None:
    """A fresh state: a new request or task starts unpinned (or pinned, when it must read the primary)."""
    _state.set(_State(pinned, reason))


def pin(reason: str = "write") -> None:
    """Every further read of this request/task goes to the primary."""
    state = _current()
    if not state.pinned:
        state.pinned, state.reason = True, reason
    if reason == "write":
        state.wrote = True


@contextmanager
def primary():
    """Reads in this block go to the primary (a write inside keeps the flow pinned after it)."""
    state = _current()
    was = state.pinned, state.reason
    state.pinned, state.reason = True, state.reason or "block"
    try:
        yield
    finally:
        state.pinned, state.reason = (True, state.reason) if state.wrote else was


def is_pinned() -> bool:
    state = _state.get()
    return bool(state and state.pinned)


def replicas() -> list[str]:
    return list(getattr(settings, "YV_DB_REPLICAS", ()))


def pin_seconds() -> int:
    return int(getattr(settings, "YV_DB_REPLICA_PIN_SECONDS", 5))


def _in_atomic_block(alias: str = DEFAULT_DB_ALIAS) -> bool:
    conn = connections[alias]
    if not conn.in_atomic_block:
        return False
    # TestCase wraps every test in atomic blocks of its own: those are not the application's.
    return any(not getattr(block, "_from_testcase", False) for block in conn.atomic_blocks)


def _watch_writes(execute, sql, params, many, context):
    """Execute wrapper on the primary connection: any write statement pins (raw SQL included)."""
    if isinstance(sql, str) and sql.lstrip()[:8].upper().startswith(_WRITE_PREFIXES):
        pin("write")
    return execute(sql, params, many, context)


def watch_primary() -> None:
    """Install the write watcher on this thread's primary connection (once per connection object)."""
    conn = connections[DEFAULT_DB_ALIAS]
    if _watch_writes not in conn.execute_wrappers:
        conn.execute_wrappers.append(_watch_writes)


_down_until: dict[str, float] = {}


def _pick_replica(names: list[str]) -> str:
    """A replica that answers, for this request or task; the primary when none does (a replica that
    failed to connect is skipped for YV_DB_REPLICA_RETRY_SECONDS: a dead replica slows reads down to
    the primary's pace, it does not take the site down)."""
    now = time.monotonic()
    alive = [n for n in names if _down_until.get(n, 0) <= now]
    random.shuffle(alive)
    for name in alive:
        try:
            connections[name].ensure_connection()
            return name
        except Exception:
            _down_until[name] = now + getattr(settings, "YV_DB_REPLICA_RETRY_SECONDS", 10)
            logger.warning("read replica %s unreachable: reads go to the primary", name, exc_info=True)
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """DATABASE_ROUTERS entry; see the module docstring."""

    def __init__(self):
        self.primary_apps = frozenset(getattr(settings, "YV_DB_PRIMARY_APPS", ()))
        _connect_signals()

    def _primary_model(self, model) -> bool:
        meta = model._meta
        return meta.app_label in self.primary_apps or meta.label in self.primary_apps

    def db_for_read(self, model, **hints):
        names = replicas()
        if not names:
            return None
        watch_primary()
        state = _current()
        if state.pinned or self._primary_model(model) or _in_atomic_block():
            return DEFAULT_DB_ALIAS
        if state.replica is None:
            state.replica = _pick_replica(names)
        return state.replica

    def db_for_write(self, model, **hints):
        # Django also asks this when a related object is merely assigned (a Page built in a template
        # sets its content type): the pin comes from the write statement itself (_watch_writes).
        if not replicas():
            return None
        watch_primary()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        pool = {DEFAULT_DB_ALIAS, *replicas()}
        if obj1._state.db in pool and obj2._state.db in pool:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db in replicas() or settings.DATABASES.get(db, {}).get("TEST", {}).get("MIRROR"):
            return False
        return None


# --------------------------------------------------------------------------- read-your-writes across requests
def _auth_key(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    return "yv:dbpin:" + hashlib.sha256(header.encode()).hexdigest()[:32]


def _pinned_by_client(request) -> str:
    """Why this request must read the primary from its first query on ('' = it need not)."""
    if request.path.startswith(tuple(getattr(settings, "YV_DB_PRIMARY_PATHS", ()))):
        return "path"
    until = request.COOKIES.get(PIN_COOKIE, "")
    if until.isdigit() and int(until) >= time.time():
        return "cookie"
    key = _auth_key(request)
    if key:
        from django.core.cache import cache

        try:
            if cache.get(key):
                return "token"
        except Exception:  # noqa: BLE001 — a dead cache: read the replica (stale by the lag at most)
            pass
    return ""


class ReplicaPinMiddleware:
    """Early in MIDDLEWARE (settings add it with the router). Pins a request that must read the
    primary from the start; after a request that wrote with an unsafe method (POST, PUT, PATCH,
    DELETE), pins the client's next requests for YV_DB_REPLICA_PIN_SECONDS."""

    def __init__(self, get_response):
        self.get_response = get_response
        _connect_signals()

    def __call__(self, request):
        watch_primary()
        reason = _pinned_by_client(request)
        if not reason and getattr(request, "_yv_early", False):
            # A render the early page cache will share with every visitor until the next invalidation:
            # from the primary, or a replica a few ms behind would freeze the old state in the cache
            # after the bump that was meant to replace it. (Misses are rare: hits read no database.)
            reason = "page-cache"
        if reason:
            pin(reason)
        response = self.get_response(request)
        state = _state.get()
        if state and state.wrote and request.method not in ("GET", "HEAD", "OPTIONS"):
            seconds = pin_seconds()
            response.set_cookie(PIN_COOKIE, str(int(time.time()) + seconds), max_age=seconds, httponly=True,
                                samesite="Lax", secure=getattr(settings, "SESSION_COOKIE_SECURE", False))
            key = _auth_key(request)
            if key:
                from django.core.cache import cache

                try:
                    cache.set(key, 1, seconds)
                except Exception:  # noqa: BLE001
                    pass
        return response


class PrimaryAuthMiddleware:
    """Right after the authentication middleware (and django-otp's): the request's user — session,
    user row, OTP device — is loaded from the primary, before anything else reads it. Without a
    session cookie there is nothing to load (an anonymous visitor costs no query)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and hasattr(request, "user"):
            with primary():
                request.user.is_authenticated  # noqa: B018 — evaluates the lazy user now
        return self.get_response(request)


# --------------------------------------------------------------------------- requests and tasks
_HEADER = "yv_primary_until"


def _on_request(**kwargs):
    reset()


def _on_task_publish(headers=None, **kwargs):
    if headers is not None and is_pinned():
        headers[_HEADER] = time.time() + pin_seconds()


def _task_pin_until(task) -> float:
    req = getattr(task, "request", None)
    value = getattr(req, _HEADER, None) or (getattr(req, "headers", None) or {}).get(_HEADER)
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _on_task_start(task_id=None, task=None, **kwargs):
    if getattr(getattr(task, "request", None), "is_eager", False):
        return  # runs inside its caller's request or task: keeps its state
    watch_primary()
    if _task_pin_until(task) > time.time():
        reset(True, "published-by-writer")
    else:
        reset()


def _on_task_end(task_id=None, task=None, **kwargs):
    if not getattr(getattr(task, "request", None), "is_eager", False):
        reset()


_connected = False


def _connect_signals() -> None:
    global _connected
    if _connected:
        return
    _connected = True
    request_started.connect(_on_request, dispatch_uid="yv-db-router-start")
    request_finished.connect(_on_request, dispatch_uid="yv-db-router-finish")
    try:
        from celery.signals import before_task_publish, task_postrun, task_prerun
    except ImportError:  # pragma: no cover — celery is a dependency; kept optional here
        return
    before_task_publish.connect(_on_task_publish, dispatch_uid="yv-db-router-publish", weak=False)
    task_prerun.connect(_on_task_start, dispatch_uid="yv-db-router-task-start", weak=False)
    task_postrun.connect(_on_task_end, dispatch_uid="yv-db-router-task-end", weak=False)
