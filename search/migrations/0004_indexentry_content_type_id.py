"""PostgreSQL: a B-tree on (content_type_id, id) of Wagtail's search index table.

The probe of a big source (search/backends/database.py) reads the newest entries *of that
source's content type*: without this index it could only bound the walk by the newest ids of the
whole table, which hold no question once answers were indexed after them (and few when both are
written as they come). SQLite and other databases: nothing to do."""

from django.db import migrations

INDEX = "yvsearch_indexentry_ct_id"


def table(apps):
    return apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON "{table(apps)}" (content_type_id, id)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("yvsearch", "0003_searchable_answer"),
    ]

    operations = [migrations.RunPython(create, drop)]
