"""Keep the index fresh for what Wagtail's own signal handlers do not see, and the dictionary
live in every process.

* Experts are indexed through the ``SearchableExpert`` proxy, but ``ExpertProfile`` saves send
  signals for the concrete model: we re-index on commit (and when its domains change).
* Answers likewise through the ``SearchableAnswer`` proxy: re-indexed on commit when saved
  (a removal or a moderation decision saves the answer), dropped from the index when deleted.
* A dictionary change bumps the dictionary version on commit (``search.segmenter``).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from modelsearch import index

from alliances.models import ExpertDomain, ExpertProfile
from community.models import Answer

from .models import DictionaryTerm, SearchableAnswer, SearchableExpert


def _reindex_expert(expert_id):
    expert = SearchableExpert.objects.filter(pk=expert_id).first()
    if expert is not None:
        index.insert_or_update_object(expert)


@receiver(post_save, sender=ExpertProfile)
def expert_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        transaction.on_commit(lambda: _reindex_expert(instance.pk))


@receiver(post_delete, sender=ExpertProfile)
def expert_deleted(sender, instance, **kwargs):
    proxy = SearchableExpert(pk=instance.pk)
    index.remove_object(proxy)


@receiver([post_save, post_delete], sender=ExpertDomain)
def expert_domain_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        expert_id = instance.expert_id
        transaction.on_commit(lambda: _reindex_expert(expert_id))


def _reindex_answer(answer_id):
    answer = SearchableAnswer.objects.filter(pk=answer_id).first()
    if answer is not None:
        index.insert_or_update_object(answer)


@receiver(post_save, sender=Answer)
def answer_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        transaction.on_commit(lambda: _reindex_answer(instance.pk))


@receiver(post_delete, sender=Answer)
def answer_deleted(sender, instance, **kwargs):
    index.remove_object(SearchableAnswer(pk=instance.pk))


@receiver([post_save, post_delete], sender=DictionaryTerm)
def dictionary_changed(sender, instance, raw=False, **kwargs):
    from . import segmenter

    if not raw:
        transaction.on_commit(segmenter.bump_version)
