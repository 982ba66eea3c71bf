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

import logging
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


def buffer_view(question_id: int) -> bool:
    """Count one view in Redis; False when there is no Redis to count in or it cannot be reached
    (the caller then counts the view in the database)."""
    global _down_until
    import redis

    if time.monotonic() < _down_until:
        return False
    client = _redis()
    if client is None:
        return False
    try:
        client.hincrby(VIEWS_KEY, str(question_id), 1)
    except redis.RedisError:
        _down_until = time.monotonic() + DOWN_SECONDS
        logger.warning("Redis unreachable: views counted in the database for %ss", DOWN_SECONDS, exc_info=True)
        return False
    return True


def take_views() -> list[tuple[str, dict[int, int]]]:
    """Hashes of counted views to apply: any left by an interrupted flush, then the current one
    (renamed, so it is this flush's alone). Each is (key, {question id: views})."""
    import uuid

    import redis

    client = _redis()
    if client is None:
        return []
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
