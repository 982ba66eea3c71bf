"""search.bulk: the bulk indexer writes the same entries as Wagtail's indexer (PostgreSQL)."""

import pytest
from django.db import connection

from .relevance import DOCS

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk indexer is PostgreSQL's")


@pytest.fixture(autouse=True)
def fresh_content_types():
    """The probe model's content type is created (and rolled back) per test: no stale cached id."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


def _entries(model):
    from django.contrib.contenttypes.models import ContentType
    from modelsearch.conf import get_app_config

    IndexEntry = get_app_config().get_model("IndexEntry")
    ct = ContentType.objects.get_for_model(model)
    rows = IndexEntry.objects.filter(content_type=ct).order_by("object_id")
    return {r.object_id: (str(r.title), str(r.body), str(r.autocomplete), r.title_text, r.body_text) for r in rows}


def test_bulk_entries_match_wagtails_and_are_found(probe, backend, dictionary):
    from search import bulk

    probe.objects.bulk_create([probe(title=t, body=b) for t, b in list(DOCS.values())[:12]])
    backend.add_bulk(probe, list(probe.objects.all()))
    wagtails = _entries(probe)
    result = bulk.index_model(probe, backend=backend, workers=1, chunk=5)
    assert result.docs == 12
    assert _entries(probe) == wagtails  # same vectors (weights, positions), same plain text
    hits = list(backend.search("创业", probe)[:10])
    assert hits and all("创业" in h.title + h.body for h in hits)


def test_rebuild_command_bulk_mode(probe, dictionary):
    from django.core.management import call_command

    probe.objects.create(title="青年之家预约", body="服务时段")
    call_command("rebuild_search_index", model=[probe._meta.label], workers=1)
    assert len(_entries(probe)) == 1
