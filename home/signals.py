"""Page changes that make cached anonymous responses stale."""

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import cache


def connect() -> None:
    from wagtail.models import Page

    page_published.connect(cache.invalidate, dispatch_uid="yv_cache_published")
    page_unpublished.connect(cache.invalidate, dispatch_uid="yv_cache_unpublished")
    post_page_move.connect(cache.invalidate, dispatch_uid="yv_cache_moved")
    post_delete.connect(_deleted, sender=Page, dispatch_uid="yv_cache_deleted")


def _deleted(sender, instance, **kwargs):
    cache.invalidate()
