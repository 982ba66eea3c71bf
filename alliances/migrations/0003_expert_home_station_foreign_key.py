"""ExpertProfile.home_station: the station page id kept as an integer while stations were built in
parallel becomes a real foreign key. Ids of stations that no longer exist are dropped (set NULL)."""

import django.db.models.deletion
from django.db import migrations, models


def copy_existing(apps, schema_editor):
    expert = apps.get_model("alliances", "ExpertProfile")
    station = apps.get_model("stations", "StationPage")
    known = set(station.objects.values_list("pk", flat=True))
    for pk, legacy in expert.objects.filter(legacy_home_station__isnull=False).values_list("pk", "legacy_home_station"):
        if legacy in known:
            expert.objects.filter(pk=pk).update(home_station_id=legacy)


def copy_back(apps, schema_editor):
    expert = apps.get_model("alliances", "ExpertProfile")
    for pk, station_id in expert.objects.filter(home_station__isnull=False).values_list("pk", "home_station_id"):
        expert.objects.filter(pk=pk).update(legacy_home_station=station_id)


class Migration(migrations.Migration):

    dependencies = [
        ("alliances", "0002_alliances_pages_memberships_expert_details"),
        ("stations", "0001_stations_bookings_referrals"),
    ]

    operations = [
        migrations.RenameField("expertprofile", "home_station_id", "legacy_home_station"),
        migrations.AddField(
            model_name="expertprofile",
            name="home_station",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="home_experts",
                to="stations.stationpage", verbose_name="home station",
            ),
        ),
        migrations.RunPython(copy_existing, copy_back),
        migrations.RemoveField("expertprofile", "legacy_home_station"),
    ]
