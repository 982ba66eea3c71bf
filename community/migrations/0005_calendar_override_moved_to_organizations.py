"""The working-calendar override table moves to organizations (one calendar for every app): copy
the rows, then drop community's table."""

from django.db import migrations


def copy_overrides(apps, schema_editor):
    old = apps.get_model("community", "CalendarOverride")
    new = apps.get_model("organizations", "CalendarOverride")
    new.objects.bulk_create(
        [new(date=o.date, is_workday=o.is_workday, note=o.note) for o in old.objects.all()], ignore_conflicts=True
    )


def copy_back(apps, schema_editor):
    old = apps.get_model("community", "CalendarOverride")
    new = apps.get_model("organizations", "CalendarOverride")
    old.objects.bulk_create(
        [old(date=o.date, is_workday=o.is_workday, note=o.note) for o in new.objects.all()], ignore_conflicts=True
    )


class Migration(migrations.Migration):

    dependencies = [
        ("community", "0004_moderation_status_db_default"),
        ("organizations", "0003_calendar_override"),
    ]

    operations = [
        migrations.RunPython(copy_overrides, copy_back),
        migrations.DeleteModel(name="CalendarOverride"),
    ]
