"""Rebuild the search index with the current user dictionary.

    python manage.py rebuild_search_index            # every indexed model (Wagtail's update_index)
    python manage.py rebuild_search_index --chunk 2000
    python manage.py rebuild_search_index --model community.Question --workers 2   # bulk, PostgreSQL

Reloads the segmenter first, so that terms added to the dictionary since the last build are
kept whole in every document. Without ``--model``: Wagtail's ``update_index`` after a reload.
With ``--model``: the bulk indexer (``search.bulk``: worker processes, one upsert per batch), for
large tables; it re-indexes every row of those models and leaves other models alone.
"""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from search import segmenter


class Command(BaseCommand):
    help = "Reload the Chinese dictionary and rebuild the search index (Wagtail update_index, or bulk per model)."

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=1000, help="Objects per indexing batch")
        parser.add_argument("--backend", default=None, help="Only this WAGTAILSEARCH_BACKENDS entry")
        parser.add_argument("--model", action="append", default=[], help="app_label.Model to bulk-index (repeatable)")
        parser.add_argument("--workers", type=int, default=2, help="Bulk indexing: worker processes")
        parser.add_argument("--drop-gin", action="store_true",
                            help="Bulk indexing: drop the GIN indexes while loading, recreate them after (offline rebuild)")

    def handle(self, *args, chunk, backend, model, workers, drop_gin, **options):
        segmenter.reload()
        if model:
            from modelsearch.backends import get_search_backend

            from search.bulk import index_model

            search_backend = get_search_backend(backend or "default")
            for label in model:
                try:
                    m = apps.get_model(label)
                except (LookupError, ValueError) as exc:
                    raise CommandError(f"Unknown model {label!r}") from exc
                result = index_model(m, backend=search_backend, workers=workers, chunk=chunk,
                                     drop_gin=drop_gin, progress=self._progress)
                self.stdout.write(f"{label}: {result.docs} documents in {result.seconds:.1f} s "
                                  f"({result.rate:,.0f} docs/s)")
            return
        kwargs = {"chunk_size": chunk, "verbosity": options.get("verbosity", 1)}
        if backend:
            kwargs["backend_name"] = backend
        call_command("update_index", **kwargs)

    def _progress(self, n, seconds):
        if n and (n // 20000) != getattr(self, "_last", -1):
            self._last = n // 20000
            self.stdout.write(f"  {n} documents, {seconds:.0f} s, {n / seconds:,.0f} docs/s")
