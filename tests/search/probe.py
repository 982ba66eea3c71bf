"""A throwaway indexed model for relevance tests and the benchmark: ``title`` + ``body``, like a
question. Created at run time (no migration), removed from the app registry afterwards, so the
product's index and ``update_index`` never see it."""

from __future__ import annotations

import contextlib

from django.apps import apps
from django.db import connection, models
from modelsearch import index


def make_probe_model(name: str = "SearchProbe"):
    attrs = {
        "__module__": __name__,
        "title": models.CharField(max_length=200),
        "body": models.TextField(blank=True),
        "search_fields": [
            index.SearchField("title", boost=2),
            index.SearchField("body"),
            index.AutocompleteField("title"),
        ],
        "Meta": type("Meta", (), {"app_label": "yvsearch", "db_table": f"yvsearch_{name.lower()}"}),
        "search_auto_update": False,
        "__str__": lambda self: self.title,
    }
    model = type(name, (index.Indexed, models.Model), attrs)
    from modelsearch.abstract_models import TextIDGenericRelation
    from modelsearch.conf import get_app_config

    TextIDGenericRelation(get_app_config().get_model("IndexEntry")).contribute_to_class(model, "index_entries")
    return model


@contextlib.contextmanager
def probe_table(name: str = "SearchProbe"):
    """Create the model and its table; drop both afterwards."""
    model = make_probe_model(name)
    with connection.schema_editor() as editor:
        # a run killed earlier (a benchmark interrupted) may have left the table behind
        editor.execute(f"DROP TABLE IF EXISTS {editor.quote_name(model._meta.db_table)}")
        editor.create_model(model)
    try:
        yield model
    finally:
        from django.contrib.contenttypes.models import ContentType
        from modelsearch.conf import get_app_config

        IndexEntry = get_app_config().get_model("IndexEntry")

        ct = ContentType.objects.filter(app_label="yvsearch", model=name.lower()).first()
        if ct is not None:
            IndexEntry.objects.filter(content_type=ct).delete()
        with connection.schema_editor() as editor:
            editor.delete_model(model)
        if ct is not None:
            ct.delete()
        apps.all_models["yvsearch"].pop(name.lower(), None)
        apps.clear_cache()
