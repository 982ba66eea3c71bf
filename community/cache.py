"""Read-through cache of a question's public detail (the API's `GET /questions/{id}/`).

The payload every visitor sees — question, visible answers and comments, routing history — is
built once and kept in the cache (Redis in production) for `DETAIL_TTL` seconds. It is dropped after
commit whenever a row it shows is saved or deleted (signals below on Question, Answer, Comment,
QuestionEvent: creates, edits, moderation decisions, routing) and by the services after their
counter UPDATEs (likes, follows, answers, comments), so readers see a write as soon as it commits.
What may lag by at most the TTL: an author's changed display name.

The entry is the rendered JSON itself, so a hit costs one cache read and no validation or encoding.
Only public questions are cached; a held question (shown to its asker only) is built per request.
The viewer-dependent part — the real name behind an anonymous question, for its asker and the
staff who may see it — is applied per request from the private `_anon` entry.
"""

import atexit
import logging
import threading
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

DETAIL_TTL = 60
logger = logging.getLogger(__name__)


def detail_key(question_id: int) -> str:
    return f"qa:detail:v2:{question_id}"


def get_detail(question_id: int):
    return cache.get(detail_key(question_id))


def set_detail(question_id: int, entry: dict) -> None:
    cache.set(detail_key(question_id), entry, DETAIL_TTL)


def invalidate(question_id: int | None) -> None:
    """Drop the cached detail now and again once the current transaction commits (a reader between
    the two could have cached the state before the commit)."""
    if question_id:
        key = detail_key(question_id)
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))
        _bump_pages([question_id])


def invalidate_many(question_ids) -> None:
    """`invalidate` for rows changed in bulk (UPDATE, bulk_create: no signals fire)."""
    keys = [detail_key(pk) for pk in question_ids if pk]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
        _bump_pages([pk for pk in question_ids if pk])


def _bump_pages(question_ids) -> None:
    """The anonymous page cache (core.page_cache): the question pages and the feeds that show them."""
    from core import page_cache

    for pk in question_ids:
        page_cache.bump(f"qa:{pk}")
    page_cache.bump("qa")


def _question_changed(sender, instance, **kwargs):
    invalidate(instance.pk)


def _child_changed(sender, instance, **kwargs):
    invalidate(getattr(instance, "question_id", None))


def connect_signals() -> None:
    from .models import Answer, Comment, Question, QuestionEvent

    for signal in (post_save, post_delete):
        signal.connect(_question_changed, sender=Question, dispatch_uid=f"qa-cache-question-{signal}")
        for model in (Answer, Comment, QuestionEvent):
            signal.connect(_child_changed, sender=model, dispatch_uid=f"qa-cache-{model.__name__}-{signal}")


# --------------------------------------------------------------------------- buffered view counts
# A view is an HINCRBY on one Redis hash instead of an UPDATE of the question row: reading a
# question writes nothing to PostgreSQL. `services.flush_views` (Celery beat, every
# YV_QA_VIEWS_FLUSH_SECONDS) takes the hash over by RENAME (atomic: views counted meanwhile start a
# new hash) and applies it in one transaction. A flush that fails puts its counts back; a worker
# killed between the commit and the delete leaves its hash behind, and the next flush applies it
# again (views may then count twice, never vanish). Without Redis (the embedded default) views are
# counted with an UPDATE at once.
#
# Redis is a cache here, never a dependency of a page: when it cannot be reached, the view is
# counted with the UPDATE instead (and Redis is not tried again by this process for
# `DOWN_SECONDS`, so that an outage costs one connect timeout, not one per view). The buffer is
# drained, not persistent: a Redis restart without persistence loses the views counted since the
# last flush — at most YV_QA_VIEWS_FLUSH_SECONDS of views (tests/community/test_views_buffer.py).

VIEWS_KEY = "yv:qa:views:pending"
FLUSHING_PREFIX = "yv:qa:views:flushing:"
DOWN_SECONDS = 5
_down_until = 0.0


def _redis():
    """The Redis client behind Django's cache, or None when the cache is not Redis."""
    try:
        from django_redis import get_redis_connection

        return get_redis_connection("default")
    except (ImportError, NotImplementedError):
        return None


# Views are first added up in the process and sent to Redis in one pipelined round trip at most every
# `YV_QA_VIEWS_LOCAL_SECONDS` (1 s) or `LOCAL_MAX` views, and when the process exits: a view is then no
# Redis round trip of its own — a question page served from the page cache costs one cache read,
# like every other page (issue 23: the round trip per hit made it the slowest cache hit). What a
# process holds when it is killed (SIGKILL, not a graceful restart) is lost: at most a second of its
# views. A send that fails applies the counts to the rows at once (nothing is lost to a Redis outage).
LOCAL_MAX = 200
_local: dict[int, int] = {}
_local_since = 0.0
_local_lock = threading.Lock()
_has_redis: bool | None = None  # whether the cache is Redis (asked once per process)


def _local_seconds() -> float:
    from django.conf import settings

    return float(getattr(settings, "YV_QA_VIEWS_LOCAL_SECONDS", 1.0))


def buffer_view(question_id: int) -> bool:
    """Count one view; False when the caller must count it in the database now (Redis unreachable,
    or no Redis and no adding up in the process). Without Redis (the embedded default's local-memory
    cache) views are added up in the process all the same and applied to the rows in one UPDATE per
    question at most every `YV_QA_VIEWS_LOCAL_SECONDS`: a page-cache hit then runs no query."""
    global _local_since, _has_redis
    if _has_redis is None:
        _has_redis = _redis() is not None
    if time.monotonic() < _down_until:
        return False
    window = _local_seconds()
    if window <= 0:
        return bool(_has_redis) and _send({question_id: 1})
    with _local_lock:
        _local[question_id] = _local.get(question_id, 0) + 1
        now = time.monotonic()
        if not _local_since:
            _local_since = now
        due = now - _local_since >= window or sum(_local.values()) >= LOCAL_MAX
    if due:
        push_local_views()
    return True


def push_local_views() -> int:
    """Send the views this process has added up to Redis (`flush_views` and process exit call it too);
    when Redis cannot take them, apply them to the rows. Returns the number of views sent."""
    global _local_since
    with _local_lock:
        counts = dict(_local)
        _local.clear()
        _local_since = 0.0
    if not counts:
        return 0
    if not _send(counts):
        from django.db.models import F

        from .models import Question

        for pk, n in counts.items():
            Question.objects.filter(pk=pk).update(view_count=F("view_count") + n)
    return sum(counts.values())


def _send(counts: dict[int, int]) -> bool:
    global _down_until
    import redis

    client = _redis()
    if client is None or time.monotonic() < _down_until:
        return False
    try:
        pipe = client.pipeline(transaction=False)
        for pk, n in counts.items():
            pipe.hincrby(VIEWS_KEY, str(pk), n)
        pipe.execute()
    except redis.RedisError:
        _down_until = time.monotonic() + DOWN_SECONDS
        logger.warning("Redis unreachable: views counted in the database for %ss", DOWN_SECONDS, exc_info=True)
        return False
    return True


def _push_at_exit() -> None:
    try:
        push_local_views()
    except Exception:  # the database or Redis may be gone at exit
        logger.warning("question views not sent at exit", exc_info=True)


atexit.register(_push_at_exit)


def take_views() -> list[tuple[str, dict[int, int]]]:
    """Hashes of counted views to apply: any left by an interrupted flush, then the current one
    (renamed, so it is this flush's alone). Each is (key, {question id: views})."""
    import uuid

    import redis

    client = _redis()
    if client is None:
        return []
    push_local_views()  # this process's own, not yet sent
    keys = [k.decode() for k in client.scan_iter(match=FLUSHING_PREFIX + "*", count=100)]
    mine = f"{FLUSHING_PREFIX}{uuid.uuid4().hex}"
    try:
        client.rename(VIEWS_KEY, mine)
        keys.append(mine)
    except redis.ResponseError:  # no views since the last flush
        pass
    return [(key, {int(k): int(v) for k, v in client.hgetall(key).items()}) for key in keys]


def views_applied(key: str) -> None:
    _redis().delete(key)


def views_not_applied(key: str, counts: dict[int, int]) -> None:
    """Give the counts back to the pending hash (the flush failed) and drop the taken hash."""
    client = _redis()
    pipe = client.pipeline()
    for pk, n in counts.items():
        pipe.hincrby(VIEWS_KEY, str(pk), n)
    pipe.delete(key)
    pipe.execute()
