"""Read-through cache of a question's public detail (the API's `GET /questions/{id}/`).

The payload every visitor sees — question, visible answers and comments, routing history — is
built once and kept in the cache (Redis in production) for `DETAIL_TTL` seconds. It is dropped after
commit whenever a row it shows is saved or deleted (signals below on Question, Answer, Comment,
QuestionEvent: creates, edits, moderation decisions, routing) and by the services after their
counter UPDATEs (likes, follows, answers, comments), so readers see a write as soon as it commits.
What may lag by at most the TTL: an author's changed display name.

Only public questions are cached; a held question (shown to its asker only) is built per request.
The viewer-dependent part — the real name behind an anonymous question, for its asker and the
staff who may see it — is applied per request from the private `_anon` entry.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

DETAIL_TTL = 60


def detail_key(question_id: int) -> str:
    return f"qa:detail:v1:{question_id}"


def get_detail(question_id: int):
    return cache.get(detail_key(question_id))


def set_detail(question_id: int, payload: dict) -> None:
    cache.set(detail_key(question_id), payload, DETAIL_TTL)


def invalidate(question_id: int | None) -> None:
    """Drop the cached detail now and again once the current transaction commits (a reader between
    the two could have cached the state before the commit)."""
    if question_id:
        key = detail_key(question_id)
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))


def invalidate_many(question_ids) -> None:
    """`invalidate` for rows changed in bulk (UPDATE, bulk_create: no signals fire)."""
    keys = [detail_key(pk) for pk in question_ids if pk]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


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
