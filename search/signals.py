"""Keep the index fresh for what Wagtail's own signal handlers do not see, and the dictionary
live in every process.

* Experts are indexed through the ``SearchableExpert`` proxy, but ``ExpertProfile`` saves send
  signals for the concrete model: we re-index on commit (and when its domains change).
* Answers likewise through the ``SearchableAnswer`` proxy: re-indexed on commit when saved
  (a removal or a moderation decision saves the answer), dropped from the index when deleted.
* A dictionary change bumps the dictionary version on commit (``search.segmenter``).
* The cached private sections (``sources.private_sections``) are dropped when a page view
  restriction changes or a page moves (now and at commit).
"""

import threading
from contextlib import contextmanager

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from modelsearch import index
from wagtail.models import PageViewRestriction
from wagtail.signals import post_page_move

from alliances.models import ExpertDomain, ExpertProfile
from community.models import Answer

from .models import DictionaryTerm, SearchableAnswer, SearchableExpert

_deferred = threading.local()


def indexing_deferred() -> bool:
    return getattr(_deferred, "active", False)


@contextmanager
def defer_indexing():
    """Bulk loading (the demo loader): no object is indexed when saved — each save would segment and
    write its documents one by one, a quarter of the demo's load time — and the caller rebuilds the
    whole index once afterwards (``rebuild_search_index``). Deletions still remove documents. This
    thread only; not reentrant-safe across threads. Yields a dict whose "skipped" counts the saves
    that were not indexed."""
    from modelsearch import signal_handlers
    from modelsearch.index import get_indexed_models

    models = [m for m in get_indexed_models() if getattr(m, "search_auto_update", True)]
    stats = {"skipped": 0}

    def skipped(sender, raw=False, **kwargs):
        if not raw:
            stats["skipped"] += 1

    for model in models:
        post_save.disconnect(signal_handlers.post_save_signal_handler, sender=model)
        post_save.connect(skipped, sender=model, weak=False, dispatch_uid=f"search-deferred-{model._meta.label}")
    _deferred.active, _deferred.stats = True, stats
    try:
        yield stats
    finally:
        _deferred.active = False
        for model in models:
            post_save.disconnect(sender=model, dispatch_uid=f"search-deferred-{model._meta.label}")
            post_save.connect(signal_handlers.post_save_signal_handler, sender=model)


def _reindex(proxy_model, pk) -> None:
    """Re-index the row in the background (search.tasks; at once under CELERY_TASK_ALWAYS_EAGER)."""
    from .tasks import reindex

    reindex.delay(proxy_model._meta.label, pk)


def reindex_now(proxy_model, pk) -> None:
    obj = proxy_model.objects.filter(pk=pk).first()
    if obj is not None:
        index.insert_or_update_object(obj)


def _mirror(source_model, proxy_model) -> None:
    """Keep `proxy_model` (a searchable stand-in of `source_model`'s rows) in the index: re-indexed
    after the saving transaction commits, removed when the row is deleted."""

    def saved(sender, instance, raw=False, **kwargs):
        if indexing_deferred():
            _deferred.stats["skipped"] += 1
        elif not raw:
            transaction.on_commit(lambda: _reindex(proxy_model, instance.pk))

    def deleted(sender, instance, **kwargs):
        index.remove_object(proxy_model(pk=instance.pk))

    uid = f"search-mirror-{source_model._meta.label}"
    post_save.connect(saved, sender=source_model, weak=False, dispatch_uid=f"{uid}-save")
    post_delete.connect(deleted, sender=source_model, weak=False, dispatch_uid=f"{uid}-delete")


_mirror(ExpertProfile, SearchableExpert)
_mirror(Answer, SearchableAnswer)


@receiver([post_save, post_delete], sender=ExpertDomain)
def expert_domain_changed(sender, instance, raw=False, **kwargs):
    if indexing_deferred():
        _deferred.stats["skipped"] += 1
    elif not raw:
        expert_id = instance.expert_id
        transaction.on_commit(lambda: _reindex(SearchableExpert, expert_id))


@receiver([post_save, post_delete], sender=DictionaryTerm)
def dictionary_changed(sender, instance, raw=False, **kwargs):
    from . import segmenter

    if not raw:
        transaction.on_commit(segmenter.bump_version)


@receiver([post_save, post_delete], sender=PageViewRestriction)
@receiver(post_page_move)
def private_sections_changed(sender, **kwargs):
    from .sources import forget_private_sections

    forget_private_sections()
    transaction.on_commit(forget_private_sections)


@receiver([post_save, post_delete], sender="organizations.Organization")
def organizations_changed(sender, **kwargs):
    """The search page's branch filter (``selectors.branch_choices``) is cached: drop it now and at
    commit (a reader in between could have cached the old list)."""
    from .selectors import forget_branch_choices

    forget_branch_choices()
    transaction.on_commit(forget_branch_choices)
