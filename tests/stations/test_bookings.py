"""Bookings through the HTTP API: the whole lifecycle, bad input, permissions, notifications."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from core.errors import Invalid
from notifications.models import Notification, OutboxMessage
from organizations.models import StaffRole
from stations import services
from stations.domain.calendar import CHINA
from stations.models import Booking, BookingStatus, ServiceSlot
from tests.factories import UserFactory

from .conftest import make_station

# Wednesday 25 November 2026, 10:00 in Guangzhou: inside the station's hours (9–12, 14–18)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)


def slot_at(station, when):
    services.generate_slots(station=station, days=3, start=NOW.date())
    return ServiceSlot.objects.get(station=station, starts_at=when)


@pytest.fixture
def slot(station):
    with freeze_time(NOW):
        return slot_at(station, datetime(2026, 11, 26, 9, 0, tzinfo=CHINA))


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@freeze_time(NOW)
def test_full_lifecycle_with_notifications(station, slot, youth, station_admin, client_for):
    yc, ac = client_for(youth), client_for(station_admin)
    r = post(yc, "/api/stations/bookings", {"slot_id": slot.pk, "note": "想咨询学业压力"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "pending"
    # requested inside working hours: answer within one hour
    assert datetime.fromisoformat(body["respond_by"]) == NOW + timedelta(hours=1)
    slot.refresh_from_db()
    assert slot.booked == 1
    assert Notification.objects.filter(recipient=station_admin, kind="station_booking").count() == 1
    bid = body["id"]
    r = post(ac, f"/api/stations/bookings/{bid}/confirm")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    # the result cannot be recorded before the service starts; rating before the service is refused
    assert post(ac, f"/api/stations/bookings/{bid}/result", {"result": "已完成咨询"}).status_code == 400
    assert post(yc, f"/api/stations/bookings/{bid}/rating", {"score": 5}).status_code == 409
    with freeze_time(datetime(2026, 11, 26, 10, 0, tzinfo=CHINA)):
        r = post(ac, f"/api/stations/bookings/{bid}/result", {"result": "完成一次个体心理咨询，建议两周后复访"})
        assert r.status_code == 200 and r.json()["status"] == "completed"
        r = post(yc, f"/api/stations/bookings/{bid}/rating", {"score": 5, "comment": "老师很耐心"})
        assert r.status_code == 200 and r.json()["rating"] == 5
        r = post(yc, f"/api/stations/bookings/{bid}/rating", {"score": 4})
        assert r.status_code == 409 and "已评价" in r.json()["detail"]
    b = Booking.objects.get(pk=bid)
    assert (b.rating, b.status) == (5, BookingStatus.COMPLETED)
    kinds = list(Notification.objects.filter(recipient=youth).values_list("title", flat=True))
    assert len(kinds) == 3  # submitted, confirmed, completed
    assert OutboxMessage.objects.count() >= 1 or not youth.email
    r = yc.get(f"/api/stations/{station.pk}/ratings")
    assert r.json()[0]["comment"] == "老师很耐心"


@freeze_time(NOW)
def test_decline_releases_the_place_and_shows_who_and_why(station, slot, youth, station_admin, client_for):
    bid = post(client_for(youth), "/api/stations/bookings", {"slot_id": slot.pk}).json()["id"]
    assert post(client_for(station_admin), f"/api/stations/bookings/{bid}/decline", {"reason": ""}).status_code == 422
    r = post(client_for(station_admin), f"/api/stations/bookings/{bid}/decline", {"reason": "当天老师外出培训"})
    assert r.status_code == 200
    assert r.json()["decline_reason"] == "当天老师外出培训"
    assert r.json()["responded_by"] == station_admin.public_name
    slot.refresh_from_db()
    assert slot.booked == 0
    n = Notification.objects.filter(recipient=youth).first()
    assert "当天老师外出培训" in n.body


@freeze_time(NOW)
def test_cancel_releases_and_only_owner_may_cancel(slot, youth, client_for):
    bid = post(client_for(youth), "/api/stations/bookings", {"slot_id": slot.pk}).json()["id"]
    assert post(client_for(UserFactory()), f"/api/stations/bookings/{bid}/cancel").status_code == 403
    assert post(client_for(youth), f"/api/stations/bookings/{bid}/cancel").json()["status"] == "cancelled"
    slot.refresh_from_db()
    assert slot.booked == 0
    assert post(client_for(youth), f"/api/stations/bookings/{bid}/cancel").status_code == 409


@freeze_time(NOW)
def test_bad_input_writes_nothing(station, slot, youth, client_for):
    c = client_for(youth)
    past = ServiceSlot.objects.create(service=slot.service, station=station, capacity=3,
                                      starts_at=NOW - timedelta(hours=1), ends_at=NOW)
    r = post(c, "/api/stations/bookings", {"slot_id": past.pk})
    assert r.status_code == 400 and "已过" in r.json()["detail"]
    assert post(c, "/api/stations/bookings", {"slot_id": 999999}).status_code == 404
    assert post(c, "/api/stations/bookings", {"slot_id": "abc"}).status_code == 422
    assert post(client_for(), "/api/stations/bookings", {"slot_id": slot.pk}).status_code == 401
    assert Booking.objects.count() == 0
    assert post(c, "/api/stations/bookings", {"slot_id": slot.pk}).status_code == 201
    r = post(c, "/api/stations/bookings", {"slot_id": slot.pk})
    assert r.status_code == 409 and r.json()["code"] == "duplicate"
    for _ in range(2):
        assert post(client_for(UserFactory()), "/api/stations/bookings", {"slot_id": slot.pk}).status_code == 201
    r = post(client_for(UserFactory()), "/api/stations/bookings", {"slot_id": slot.pk})
    assert r.status_code == 409 and r.json()["code"] == "full"
    slot.refresh_from_db()
    assert slot.booked == 3 and Booking.objects.count() == 3


@freeze_time(NOW)
def test_confirming_someone_elses_station_is_forbidden(tree, slot, youth, make_staff, client_for):
    other_station = make_station(tree.nanshan, title="南山青年之家", lat="22.53", lng="113.93")
    other_admin = other_station.admins.first()
    sz_station_admin = make_staff(tree.nanshan, StaffRole.STATION_ADMIN)
    bid = post(client_for(youth), "/api/stations/bookings", {"slot_id": slot.pk}).json()["id"]
    for outsider in (other_admin, sz_station_admin, youth):
        r = post(client_for(outsider), f"/api/stations/bookings/{bid}/confirm")
        assert r.status_code == 403, outsider
    assert Booking.objects.get(pk=bid).status == BookingStatus.PENDING
    # a station admin of the station's organisation may, as may the city's liaison above it
    assert post(client_for(make_staff(tree.tianhe, StaffRole.STATION_ADMIN)), f"/api/stations/bookings/{bid}/confirm").status_code == 200


@freeze_time(NOW)
def test_bad_ratings_are_rejected(slot, youth, station_admin, client_for):
    bid = post(client_for(youth), "/api/stations/bookings", {"slot_id": slot.pk}).json()["id"]
    for score in (0, 6, "x"):
        assert post(client_for(youth), f"/api/stations/bookings/{bid}/rating", {"score": score}).status_code == 422
    with pytest.raises(Invalid):
        services.rate_booking(actor=youth, booking_id=bid, score=9)


def test_out_of_hours_request_gets_twelve_clock_hours(station, youth, station_admin):
    # Friday 27 November 2026, 20:00 → Saturday 08:00 (attachment 3: 12 hours; it used to be 12
    # working hours, Tuesday 16:00); the reminder and the escalation follow that deadline.
    with freeze_time(datetime(2026, 11, 27, 20, 0, tzinfo=CHINA)):
        services.generate_slots(station=station, days=7)
        slot = ServiceSlot.objects.filter(station=station).order_by("starts_at").last()
        b = services.request_booking(user=youth, slot_id=slot.pk)
    assert b.in_working_hours is False
    assert b.respond_by == datetime(2026, 11, 28, 8, 0, tzinfo=CHINA)
    with freeze_time(datetime(2026, 11, 28, 7, 59, tzinfo=CHINA)):
        assert services.escalate_overdue() == 0
    with freeze_time(datetime(2026, 11, 28, 8, 1, tzinfo=CHINA)):
        assert services.escalate_overdue() == 1
    assert Notification.objects.filter(recipient=station_admin, kind="station_overdue").count() == 1


def test_overdue_escalates_to_liaison_once_and_stale_expires(station, slot, youth, station_admin, tianhe_liaison):
    with freeze_time(NOW):
        b = services.request_booking(user=youth, slot_id=slot.pk)
    with freeze_time(NOW + timedelta(hours=2)):
        assert services.escalate_overdue() == 1
        assert services.escalate_overdue() == 0  # idempotent
    assert Notification.objects.filter(recipient=tianhe_liaison, kind="station_overdue").count() == 1
    assert Notification.objects.filter(recipient=station_admin, kind="station_overdue").count() == 1
    assert Notification.objects.filter(recipient=youth, title__contains="尚未答复").count() == 1
    with freeze_time(slot.starts_at + timedelta(minutes=1)):
        assert services.expire_stale() == 1
    b.refresh_from_db()
    slot.refresh_from_db()
    assert b.status == BookingStatus.EXPIRED and slot.booked == 0


@freeze_time(NOW)
def test_booking_lists_do_not_grow_queries(station, slot, youth, station_admin, client_for):
    for _ in range(3):
        services.request_booking(user=UserFactory(), slot_id=slot.pk)
    ac = client_for(station_admin)

    def count(limit):
        with CaptureQueriesContext(connection) as ctx:
            assert ac.get("/api/stations/bookings/managed", {"limit": limit}).status_code == 200
        return len(ctx.captured_queries)

    count(1)
    assert count(1) == count(3)


@freeze_time(NOW)
def test_other_lists_do_not_grow_queries(station, slot, youth, client_for):
    from stations.models import ServiceSlot as Slot

    later = list(Slot.objects.filter(station=station, starts_at__gt=slot.starts_at).order_by("starts_at")[:3])
    admin = station.admins.first()
    ids = []
    for s in later:
        b = services.request_booking(user=youth, slot_id=s.pk)
        services.confirm_booking(actor=admin, booking_id=b.pk)
        ids.append(b.pk)
    with freeze_time(datetime(2026, 11, 27, 20, 0, tzinfo=CHINA)):
        for i, pk in enumerate(ids):
            services.record_result(actor=admin, booking_id=pk, result="已完成")
            services.rate_booking(actor=youth, booking_id=pk, score=3 + i % 3, comment="好")
    yc = client_for(youth)
    assert len(yc.get(f"/api/stations/{station.pk}/ratings").json()) == 3

    def count(url, **params):
        with CaptureQueriesContext(connection) as ctx:
            assert yc.get(url, params).status_code == 200
        return len(ctx.captured_queries)

    for url in ("/api/stations/bookings", f"/api/stations/{station.pk}/ratings"):
        count(url, limit=1)
        assert count(url, limit=1) == count(url, limit=3), url
    # Slots have no page size (an undeclared `limit` is a 422): the window in days widens instead.
    url = f"/api/stations/{station.pk}/slots"
    count(url, days=1)
    assert count(url, days=1) == count(url, days=31)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the single-statement place taking is PostgreSQL's")
@freeze_time(NOW)
def test_a_booking_reads_no_calendar_rows_and_writes_in_few_queries(station, youth, client_for):
    """Per booking: take the place (one conditional UPDATE … RETURNING that locks the slot), insert
    the booking, its log entry, read the admins (their ids are cached), insert both notifications
    in one batch. The station's hours, exceptions and the calendar overrides come from the cache
    (no query while they are unchanged); no ban lookup (cached per user), no savepoint."""
    from stations.models import ServiceSlot as Slot

    with freeze_time(NOW):
        services.generate_slots(station=station, days=3, start=NOW.date())
    first, second = Slot.objects.filter(station=station).order_by("starts_at")[:2]
    yc = client_for(youth)
    assert post(yc, "/api/stations/bookings", {"slot_id": first.pk}).status_code == 201  # warms the calendar cache
    with CaptureQueriesContext(connection) as ctx:
        r = post(yc, "/api/stations/bookings", {"slot_id": second.pk})
    assert r.status_code == 201, r.content
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not [s for s in sql if "openinghours" in s or "hoursexception" in s or "calendaroverride" in s], sql
    in_service = sql[sql.index(next(s for s in sql if "UPDATE stations_serviceslot" in s)):]
    # take the place, booking, log entry, admins, notifications, commit
    assert len(in_service) <= 6, "\n".join(in_service)
    assert len(sql) <= 8, "\n".join(sql)  # + the session's user and BEGIN
    assert not [s for s in sql if "moderation_sanction" in s or "staffmembership" in s], sql
    assert sum(s.startswith("SAVEPOINT") for s in sql) == 1  # the booking's own atomic block, nested in the test's
    assert sum(s.startswith('INSERT INTO "notifications_notification"') for s in sql) == 1  # admins and youth at once
    assert Notification.objects.filter(subject=f"stations.booking:{r.json()['id']}").count() == 2


@freeze_time(NOW)
def test_cached_calendar_follows_hours_exceptions_and_overrides(station, youth):
    """The response deadline follows a change of hours, a new exception and a calendar override at
    once (the cached calendar's version token is bumped by signals)."""
    from datetime import date, time

    from organizations.models import CalendarOverride
    from stations import selectors
    from stations.models import HoursException, OpeningHours

    assert selectors.working_calendar(station).is_open(NOW)
    OpeningHours.objects.filter(station=station, weekday=2, opens=time(9, 0)).update(opens=time(10, 30))
    assert selectors.working_calendar(station).is_open(NOW)  # a queryset update sends no signal: still cached
    h = OpeningHours.objects.get(station=station, weekday=2, opens=time(10, 30))
    h.save()
    assert not selectors.working_calendar(station).is_open(NOW)
    h.opens = time(9, 0)
    h.save()
    assert selectors.working_calendar(station).is_open(NOW)
    exc = HoursException.objects.create(station=station, date=NOW.date())  # closed today
    assert not selectors.working_calendar(station).is_open(NOW)
    exc.delete()
    assert selectors.working_calendar(station).is_open(NOW)
    override = CalendarOverride.objects.create(date=date(2026, 11, 25), is_workday=False, note="测试假日")
    assert not selectors.working_calendar(station).is_open(NOW)  # a statutory day off now
    override.delete()
    assert selectors.working_calendar(station).is_open(NOW)


@freeze_time(NOW)
def test_new_station_admins_are_notified_at_once(tree, station, station_admin, youth, make_staff, client_for):
    """The admins of a station are cached per process for bookings; adding an explicit admin, a
    station-admin staff member of its organisation, or ending that membership takes effect on the
    next booking."""
    from stations.models import ServiceSlot as Slot

    services.generate_slots(station=station, days=3, start=NOW.date())
    slots = list(Slot.objects.filter(station=station).order_by("starts_at")[:6])
    yc = client_for(youth)

    def book_and_notified(slot):
        r = post(yc, "/api/stations/bookings", {"slot_id": slot.pk})
        assert r.status_code == 201, r.content
        return set(Notification.objects.filter(subject=f"stations.booking:{r.json()['id']}")
                   .exclude(recipient=youth).values_list("recipient__username", flat=True))

    assert book_and_notified(slots[0]) == {"station_admin"}  # cached now
    extra = UserFactory(username="second_admin")
    station.admins.add(extra)
    station.save()
    assert book_and_notified(slots[1]) == {"station_admin", "second_admin"}
    staff = make_staff(tree.tianhe, StaffRole.STATION_ADMIN)
    assert book_and_notified(slots[2]) == {"station_admin", "second_admin", staff.username}
    membership = staff.staff_memberships.get()
    membership.is_active = False
    membership.save()
    assert book_and_notified(slots[3]) == {"station_admin", "second_admin"}
    extra.is_active = False  # an admin's account closed: no longer notified
    extra.save()
    assert book_and_notified(slots[4]) == {"station_admin"}
    station_admin.email = "new-address@example.cn"  # e-mail goes to the new address at once
    station_admin.save(update_fields=["email"])
    r = post(yc, "/api/stations/bookings", {"slot_id": slots[5].pk})
    assert OutboxMessage.objects.filter(notification__subject=f"stations.booking:{r.json()['id']}",
                                        to_email="new-address@example.cn").exists()
