"""Page changes that make cached anonymous responses stale, and Q&A questions leaving the public
(removed or held: they may be in a branch's featured or hot slots, or on a topic page)."""

from django.apps import apps
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
    if apps.is_installed("community"):
        question = apps.get_model("community", "Question")
        post_save.connect(_question_saved, sender=question, dispatch_uid="yv_cache_question_visibility")
        post_delete.connect(_deleted, sender=question, dispatch_uid="yv_cache_question_deleted")


VISIBILITY_FIELDS = {"status", "moderation_status"}


def _question_saved(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    """A moderation decision or a removal saves these fields: drop cached pages that may show the
    question. Asking (created) and counters (saved with other fields or updated in SQL) do not."""
    if raw or created:
        return
    if update_fields is None or VISIBILITY_FIELDS & set(update_fields):
        transaction.on_commit(cache.invalidate)


def _deleted(sender, instance, **kwargs):
    cache.invalidate()
