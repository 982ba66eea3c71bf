"""Rebuild the search index with the current user dictionary.

    python manage.py rebuild_search_index            # every indexed model (Wagtail's update_index)
    python manage.py rebuild_search_index --chunk 2000

Reloads the segmenter first, so that terms added to the dictionary since the last build are
kept whole in every document. Equivalent to Wagtail's ``update_index`` after a reload.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from search import segmenter


class Command(BaseCommand):
    help = "Reload the Chinese dictionary and rebuild the search index (Wagtail update_index)."

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=1000, help="Objects per indexing batch")
        parser.add_argument("--backend", default=None, help="Only this WAGTAILSEARCH_BACKENDS entry")

    def handle(self, *args, chunk, backend, **options):
        segmenter.reload()
        kwargs = {"chunk_size": chunk, "verbosity": options.get("verbosity", 1)}
        if backend:
            kwargs["backend_name"] = backend
        call_command("update_index", **kwargs)
