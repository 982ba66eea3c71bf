"""Page changes that make cached anonymous responses stale, and Q&A questions leaving the public
(removed or held: they may be in a branch's featured or hot slots, or on a topic page)."""

import functools

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
    # What home.selectors caches besides the pages: the footer's links (shown on cached pages too),
    # whether any view restriction exists, the sites.
    from wagtail.models import PageViewRestriction, Site

    from .models import ServiceLink

    for model, name in ((ServiceLink, "service-links"), (PageViewRestriction, "view-restrictions"), (Site, "sites")):
        handler = functools.partial(_changed, name=name)
        post_save.connect(handler, sender=model, weak=False, dispatch_uid=f"yv_cache_saved_{model.__name__}")
        post_delete.connect(handler, sender=model, weak=False, dispatch_uid=f"yv_cache_deleted_{model.__name__}")
    # A tag renamed or deleted in the admin: the pages showing it (home.selectors.page_tags)
    from taggit.models import Tag

    post_save.connect(_tag_changed, sender=Tag, dispatch_uid="yv_cache_tag_saved")
    post_delete.connect(_tag_changed, sender=Tag, dispatch_uid="yv_cache_tag_deleted")
    # Fragment caches filled after a publish (home.tasks.warm_fragments), not on the next visit.
    page_published.connect(_warm_after_publish, dispatch_uid="yv_warm_published")


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


def _tag_changed(sender, instance, created=False, **kwargs):
    if not created:  # a new tag is on no page yet
        transaction.on_commit(cache.invalidate)


def _warm_after_publish(sender, instance, **kwargs):
    from .tasks import warm_fragments

    path = instance.path
    transaction.on_commit(lambda: warm_fragments.delay(path))


def _changed(sender, instance=None, *, name, **kwargs):
    from .selectors import bump

    bump(name)
    transaction.on_commit(lambda: bump(name))
    cache.invalidate()
