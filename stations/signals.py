"""Cache invalidation: a station's cached working calendar (stations.selectors.working_calendar)
is dropped when its hours, exceptions or page change, and every calendar when an admin calendar
override changes; a station's cached admins (selectors._admin_rows, behind station_admin_ids and
station_admin_recipients) when its admins change, and every station's when a staff membership
changes or a user's e-mail or active flag may have changed; the cached map of every station
(selectors.map_data) when a station is saved, published, unpublished, moved or deleted, or an
organisation changes. Connected in StationsConfig.ready()."""

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from organizations.models import CalendarOverride, HolidaySchedule, Organization, StaffMembership
from organizations.signals import calendar_changed

from . import selectors
from .models import HoursException, OpeningHours, StationPage


def _station_rows_changed(sender, instance, **kwargs):
    if instance.station_id:
        selectors.bump_version(selectors.calendar_version_key(instance.station_id))


def _station_changed(sender, instance, created=False, **kwargs):
    if not created:  # a new station has nothing cached yet
        selectors.bump_version(selectors.calendar_version_key(instance.pk))


def _overrides_changed(sender, instance=None, **kwargs):
    selectors.bump_version(selectors.CALENDAR_OVERRIDES_VERSION)


def _admins_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:  # station.admins.add/remove/set/clear (also what a page save commits)
        selectors.bump_version(selectors.admins_version_key(instance.pk))
        return
    # user.<related>.add/remove(stations...): the stations in pk_set; clear() gives no pk_set
    station_ids = pk_set if pk_set is not None else StationPage.objects.values_list("pk", flat=True)
    for pk in station_ids:
        selectors.bump_version(selectors.admins_version_key(pk))


def _staff_changed(sender, instance, **kwargs):
    selectors.bump_version(selectors.STAFF_ADMINS_VERSION)


def _user_changed(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    # The cached admin rows hold each admin's e-mail and active flag; a login (last_login only)
    # or a new user changes neither for an existing admin.
    if created or raw or (update_fields is not None and not {"email", "is_active"} & set(update_fields)):
        return
    selectors.bump_version(selectors.STAFF_ADMINS_VERSION)


def _map_changed(sender, instance=None, **kwargs):
    selectors.forget_map()


def _page_event(sender, instance=None, **kwargs):
    # Publishing or unpublishing a station; any move (rare) in case a station or one of its ancestors moved.
    if isinstance(instance, StationPage) or kwargs.get("signal") is post_page_move:
        selectors.forget_map()


def connect():
    for signal in (post_save, post_delete):
        signal.connect(_map_changed, sender=StationPage, dispatch_uid=f"stations-map-{signal is post_save}")
        signal.connect(_map_changed, sender=Organization, dispatch_uid=f"stations-map-org-{signal is post_save}")
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(_page_event, dispatch_uid=f"stations-map-{signal is post_page_move}-{signal is page_published}")
    for model in (OpeningHours, HoursException):
        post_save.connect(_station_rows_changed, sender=model, dispatch_uid=f"stations-calendar-{model.__name__}-save")
        post_delete.connect(_station_rows_changed, sender=model, dispatch_uid=f"stations-calendar-{model.__name__}-del")
    post_save.connect(_station_changed, sender=StationPage, dispatch_uid="stations-calendar-page-save")
    post_delete.connect(_station_changed, sender=StationPage, dispatch_uid="stations-calendar-page-del")
    post_save.connect(_overrides_changed, sender=CalendarOverride, dispatch_uid="stations-calendar-overrides-save")
    post_delete.connect(_overrides_changed, sender=CalendarOverride, dispatch_uid="stations-calendar-overrides-del")
    calendar_changed.connect(_overrides_changed, dispatch_uid="stations-calendar-imported")
    post_delete.connect(_overrides_changed, sender=HolidaySchedule, dispatch_uid="stations-calendar-schedule-del")
    m2m_changed.connect(_admins_changed, sender=StationPage.admins.through, dispatch_uid="stations-admins-m2m")
    post_save.connect(_staff_changed, sender=StaffMembership, dispatch_uid="stations-admins-staff-save")
    post_delete.connect(_staff_changed, sender=StaffMembership, dispatch_uid="stations-admins-staff-del")
    post_save.connect(_user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="stations-admins-user-save")
    post_delete.connect(_staff_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid="stations-admins-user-del")
