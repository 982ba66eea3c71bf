import importlib.util
import time
from contextlib import contextmanager
from datetime import timedelta
from importlib import import_module

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

# Each app with demo data has a module here (demo/<app>.py) with `load(stdout)`; they run in this order (later ones use the
# organisations and users made by earlier ones). Every loader is idempotent.
DEMO_MODULES = [
    "demo.organizations",
    "demo.accounts",
    "demo.home",
    "demo.alliances",
    "demo.stations",
    "demo.community",
    "demo.appeals",
    "demo.insights",
    "demo.search",
    "demo.partners",
    "demo.moderation",  # last: the word list must not screen the demo content loaded before it
]


class Command(BaseCommand):
    help = "Load the demo data: real Guangdong organisations, branches, demo users and Chinese content. Idempotent."

    def handle(self, *args, **options):
        from django.core.management import call_command

        from moderation.services import rate_limits_suspended
        from search.signals import defer_indexing

        started = timezone.now()
        self._clock = (time.monotonic(), time.process_time())
        # Nothing is indexed object by object while loading (a quarter of the load time): the index is
        # rebuilt once at the end, when anything indexed was saved (a second run saves nothing).
        with rate_limits_suspended(), defer_indexing() as deferred, deferred_reference_index() as references:
            self._load()
        self._progress(f"reference index updated: {references['saves']} saves, {references['objects']} objects")
        with transaction.atomic():
            settled = settle_history(started)
        self._progress(f"history dated: {settled}")
        if deferred["skipped"] or deferred.get("rebuild"):
            call_command("rebuild_search_index", verbosity=0)
            self._progress(f"search index rebuilt ({deferred['skipped']} saves indexed at once)")
        self._progress(f"caches emptied and warmed: {warm_caches()} renders")
        wall, cpu = self._elapsed()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {wall:.1f} s ({cpu:.1f} s CPU)."))

    def _elapsed(self):
        return time.monotonic() - self._clock[0], time.process_time() - self._clock[1]

    def _progress(self, what):
        # wall and CPU time: on a busy machine the CPU time is what the loading itself costs
        wall, cpu = self._elapsed()
        self.stdout.write(f"[{wall:6.1f} s, {cpu:5.1f} s CPU] {what}")
        self.stdout.flush()

    def _load(self):
        for name in DEMO_MODULES:
            if importlib.util.find_spec(name) is None:
                continue
            self._progress(f"{name} …")
            with transaction.atomic():
                import_module(name).load(stdout=self.stdout)
            self.stdout.flush()


def warm_caches() -> int:
    """Empty every cache (what an earlier database left there must not meet this one: the embedded
    default keeps its cache in files), then fill what the first visitors read: the province's and
    the cities' pages with their fragments (home.services.warm_branches)."""
    from django.conf import settings
    from django.core.cache import caches

    from home.services import warm_branches

    for alias in settings.CACHES:
        caches[alias].clear()
    return warm_branches(max_depth=3)


@contextmanager
def deferred_reference_index():
    """Wagtail's reference index (what uses an image, a page, a snippet) is updated on every save of a
    tracked model; the demo saves a page up to three times (created, revision, published). Here each
    saved object is noted, and its references are indexed once when the block ends (as Wagtail's own
    task does: a child row indexes its parent)."""
    from django.db.models.signals import post_save
    from wagtail.models import ReferenceIndex
    from wagtail.signal_handlers import update_reference_index_on_save
    from wagtail.tasks import update_reference_index_task

    models = list(ReferenceIndex.tracked_models)
    saved = {}
    stats = {"saves": 0, "objects": 0}

    def note(sender, instance, raw=False, **kwargs):
        if not raw:
            stats["saves"] += 1
            saved[(instance._meta.app_label, instance._meta.model_name, str(instance.pk))] = None

    for model in models:
        post_save.disconnect(update_reference_index_on_save, sender=model)
        post_save.connect(note, sender=model, weak=False, dispatch_uid=f"demo-references-{model._meta.label}")
    try:
        yield stats
    finally:
        for model in models:
            post_save.disconnect(sender=model, dispatch_uid=f"demo-references-{model._meta.label}")
            post_save.connect(update_reference_index_on_save, sender=model)
    with transaction.atomic():
        for app_label, model_name, pk in saved:
            try:
                update_reference_index_task.call(app_label, model_name, pk)
            except ObjectDoesNotExist:  # deleted later in the load
                continue
            stats["objects"] += 1


def settle_history(started) -> dict:
    """Make what this run created look like a live site's history, so that every demo user can act
    at once with the rate limits on:

    - users created by this run joined months ago (not "new users" on their first day);
    - the rate-limit records (moderation.PostRecord) written while loading are replaced by one per
      question, answer and comment that the demo dated within the limits' window (the loaders
      back-date their content; the records were all stamped "now")."""
    from django.contrib.auth import get_user_model

    from community.models import Answer, Comment, Question
    from moderation.models import PostRecord
    from moderation.services import _text_hash

    User = get_user_model()
    now = timezone.now()
    joined = list(User.objects.filter(date_joined__gte=started).only("pk"))
    for user in joined:  # 60–240 days ago, the same for a user in every run
        user.date_joined = now - timedelta(days=60 + (user.pk * 37) % 180, hours=(user.pk * 7) % 24)
    User.objects.bulk_update(joined, ["date_joined"], batch_size=500)
    dropped = PostRecord.objects.filter(created_at__gte=started).delete()[0]
    window = now - timedelta(days=2)  # what the rate limits look at (records older are pruned)
    rows = [PostRecord(user_id=u, kind="question", text_hash=_text_hash(f"{t}\n{b}"), created_at=at)
            for u, t, b, at in Question.objects.filter(asked_at__gte=window, asked_at__lte=now)
            .values_list("asker_id", "title", "body", "asked_at")]
    rows += [PostRecord(user_id=u, kind="answer", text_hash=_text_hash(b), created_at=at)
             for u, b, at in Answer.objects.filter(created_at__gte=window, created_at__lte=now)
             .values_list("author_id", "body", "created_at")]
    rows += [PostRecord(user_id=u, kind="comment", text_hash=_text_hash(b), created_at=at)
             for u, b, at in Comment.objects.filter(created_at__gte=window, created_at__lte=now)
             .values_list("author_id", "body", "created_at")]
    PostRecord.objects.bulk_create(rows, batch_size=500)
    return {"users": len(joined), "rate-limit records": f"{dropped} → {len(rows)}"}
