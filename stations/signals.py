"""Cache invalidation: a station's cached working calendar (stations.selectors.working_calendar)
is dropped when its hours, exceptions or page change, and every calendar when an admin calendar
override changes. Connected in StationsConfig.ready()."""

from django.db.models.signals import post_delete, post_save

from organizations.models import CalendarOverride

from . import selectors
from .models import HoursException, OpeningHours, StationPage


def _station_rows_changed(sender, instance, **kwargs):
    if instance.station_id:
        selectors.bump_calendar_version(selectors.calendar_version_key(instance.station_id))


def _station_changed(sender, instance, created=False, **kwargs):
    if not created:  # a new station has nothing cached yet
        selectors.bump_calendar_version(selectors.calendar_version_key(instance.pk))


def _overrides_changed(sender, instance, **kwargs):
    selectors.bump_calendar_version(selectors.CALENDAR_OVERRIDES_VERSION)


def connect():
    for model in (OpeningHours, HoursException):
        post_save.connect(_station_rows_changed, sender=model, dispatch_uid=f"stations-calendar-{model.__name__}-save")
        post_delete.connect(_station_rows_changed, sender=model, dispatch_uid=f"stations-calendar-{model.__name__}-del")
    post_save.connect(_station_changed, sender=StationPage, dispatch_uid="stations-calendar-page-save")
    post_delete.connect(_station_changed, sender=StationPage, dispatch_uid="stations-calendar-page-del")
    post_save.connect(_overrides_changed, sender=CalendarOverride, dispatch_uid="stations-calendar-overrides-save")
    post_delete.connect(_overrides_changed, sender=CalendarOverride, dispatch_uid="stations-calendar-overrides-del")
