"""PostgreSQL: a GIN index on (title || body) of Wagtail's search index table.

Wagtail's PostgreSQL backend filters ``(title || body) @@ query``; its own GIN indexes are on
``title`` and ``body`` separately, which that expression cannot use, so every search scanned the
whole table (measured on 200,000 entries: 249 ms sequential scan → 1 ms with this index).
SQLite and other databases: nothing to do."""

from django.db import migrations

INDEX = "yvsearch_indexentry_title_body_gin"


def table(apps):
    return apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON "{table(apps)}" USING GIN ((title || body))')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("yvsearch", "0001_dictionary_and_searchable_expert"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create, drop)]
