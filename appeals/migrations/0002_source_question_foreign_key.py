"""AppealSource.question: the Q&A question id kept as an integer while the apps were built in
parallel becomes a real foreign key. Ids of questions that do not exist are set NULL (the source's
title and URL stay)."""

import django.db.models.deletion
from django.db import migrations, models


def copy_existing(apps, schema_editor):
    source = apps.get_model("appeals", "AppealSource")
    question = apps.get_model("community", "Question")
    ids = set(source.objects.filter(legacy_question__isnull=False).values_list("legacy_question", flat=True))
    known = set(question.objects.filter(pk__in=ids).values_list("pk", flat=True))
    for qid in known:
        source.objects.filter(legacy_question=qid).update(question_id=qid)


def copy_back(apps, schema_editor):
    source = apps.get_model("appeals", "AppealSource")
    for pk, qid in source.objects.filter(question__isnull=False).values_list("pk", "question_id"):
        source.objects.filter(pk=pk).update(legacy_question=qid)


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0001_appeal_workflow"),
        ("community", "0006_question_target_station_and_referral_event"),
    ]

    operations = [
        migrations.RenameField("appealsource", "question_id", "legacy_question"),
        migrations.AddField(
            model_name="appealsource",
            name="question",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="appeal_sources",
                to="community.question",
            ),
        ),
        migrations.RunPython(copy_existing, copy_back),
        migrations.RemoveField("appealsource", "legacy_question"),
    ]
