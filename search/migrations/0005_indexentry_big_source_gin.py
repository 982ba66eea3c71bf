"""PostgreSQL: a partial GIN index on (title || body) per big source — the questions' entries and
the answers' entries — beside the whole table's (yvsearch.0002).

The probe of a big source ends, for a word that is not frequent among its newest entries, with
"every match of this content type through the GIN index" (search/backends/database.py). Through
the whole table's index that bitmap holds every *other* source's matches too: 心理咨询 matches 18
answers but 370,000 questions, and the planner then ANDs 370,000 entries with a bitmap of the
2.4M answer entries (313 ms at 10⁶ questions and 2.4M answers). Through this index: 0.4 ms.
The content type ids differ between databases, so they are read (or created) here; the planner
picks the partial index for ``content_type_id IN (<that id>)`` (the literal is in the statement).
Built CONCURRENTLY (no lock on writes; 30–40 s each at 3.4M entries). SQLite: nothing to do."""

from django.db import migrations

BIG_SOURCES = [("community", "question"), ("community", "answer")]  # (app_label, model) of the indexed rows


def index_name(model: str) -> str:
    return f"yvsearch_indexentry_{model}_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    table = apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table
    # CONCURRENTLY cannot run inside a transaction (a test's): then a plain build
    concurrently = "" if schema_editor.connection.in_atomic_block else "CONCURRENTLY "
    for app_label, model in BIG_SOURCES:
        ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        schema_editor.execute(
            f'CREATE INDEX {concurrently}IF NOT EXISTS {index_name(model)} ON "{table}" USING gin '
            f"((title || body)) WHERE content_type_id = {int(ct.pk)}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, model in BIG_SOURCES:
        concurrently = "" if schema_editor.connection.in_atomic_block else "CONCURRENTLY "
        schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {index_name(model)}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("yvsearch", "0004_indexentry_content_type_id"),
    ]

    operations = [migrations.RunPython(create, drop)]
