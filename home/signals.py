"""Page changes that make cached anonymous responses stale, and Q&A questions leaving the public
(removed or held: they may be in a branch's featured or hot slots, or on a topic page)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from core import page_cache as cache


def connect() -> None:
    from wagtail.models import Page

    page_published.connect(cache.invalidate, dispatch_uid="yv_cache_published")
    page_unpublished.connect(cache.invalidate, dispatch_uid="yv_cache_unpublished")
    post_page_move.connect(cache.invalidate, dispatch_uid="yv_cache_moved")
    post_delete.connect(_deleted, sender=Page, dispatch_uid="yv_cache_deleted")


def connect_questions(source) -> None:
    """The questions registered by the Q&A app (home.registry.register_questions)."""
    import functools

    saved = functools.partial(_question_saved, visibility_fields=source.visibility_fields)
    post_save.connect(saved, sender=source.model, weak=False, dispatch_uid="yv_cache_question_visibility")
    post_delete.connect(_deleted, sender=source.model, dispatch_uid="yv_cache_question_deleted")


def _question_saved(sender, instance, created=False, update_fields=None, raw=False, *, visibility_fields=(), **kwargs):
    """A moderation decision or a removal saves the visibility fields: drop cached pages that may show
    the question. Asking (created) and counters (saved with other fields or updated in SQL) do not."""
    if raw or created:
        return
    if update_fields is None or visibility_fields & set(update_fields):
        transaction.on_commit(cache.invalidate)


def _deleted(sender, instance, **kwargs):
    cache.invalidate()
