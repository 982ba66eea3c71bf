"""Booking replies as attachment 3 writes them (issue 22, item 2): a request made in the station's
working time is answered within 1 hour; any other within 12 clock hours. Through the HTTP API, for
a station open 09:00–18:00 on workdays; the station page says which rule applies."""

from datetime import datetime, time, timedelta

import pytest
from freezegun import freeze_time

from stations import services
from stations.domain.calendar import CHINA
from stations.models import Booking, ServiceSlot

from .conftest import make_station

NINE_TO_SIX = {d: [(time(9), time(18))] for d in range(5)}


@pytest.fixture
def nine_to_six(tree, station_admin):
    return make_station(tree.tianhe, admins=[station_admin], title="越秀青年之家", hours=NINE_TO_SIX)


def _book(client, station, now):
    with freeze_time(now):
        services.generate_slots(station=station, days=14, start=now.date())
        slot = ServiceSlot.objects.filter(station=station, starts_at__gt=now + timedelta(hours=13)).order_by("starts_at").first()
        r = client.post("/api/stations/bookings", {"slot_id": slot.pk}, content_type="application/json")
    assert r.status_code == 201, r.content
    return datetime.fromisoformat(r.json()["respond_by"]), Booking.objects.get(pk=r.json()["id"])


@pytest.mark.django_db
@pytest.mark.parametrize(("now", "hours", "in_hours"), [
    (datetime(2026, 11, 25, 8, 59, tzinfo=CHINA), 12, False),  # Wednesday, a minute before opening
    (datetime(2026, 11, 25, 9, 0, tzinfo=CHINA), 1, True),  # at opening
    (datetime(2026, 11, 25, 17, 59, tzinfo=CHINA), 1, True),  # a minute before closing: 18:59, not the next morning
    (datetime(2026, 11, 25, 19, 0, tzinfo=CHINA), 12, False),  # after closing
    (datetime(2026, 11, 27, 19, 0, tzinfo=CHINA), 12, False),  # Friday 19:00: Saturday 07:00 (was Tuesday 09:30)
    (datetime(2026, 10, 1, 10, 0, tzinfo=CHINA), 12, False),  # 国庆, a statutory holiday
    (datetime(2027, 1, 1, 10, 0, tzinfo=CHINA), 12, False),  # 元旦 2027: no official schedule, provisional
    (datetime(2027, 2, 8, 10, 0, tzinfo=CHINA), 12, False),  # Spring Festival week 2027
    (datetime(2027, 3, 3, 10, 0, tzinfo=CHINA), 1, True),  # an ordinary Wednesday in 2027
])
def test_reply_deadline(nine_to_six, youth, client_for, now, hours, in_hours):
    due, booking = _book(client_for(youth), nine_to_six, now)
    assert due == now + timedelta(hours=hours)
    assert booking.in_working_hours is in_hours


@pytest.mark.django_db
def test_reminder_and_escalation_follow_the_twelve_hours(nine_to_six, youth, station_admin, client_for):
    from notifications.models import Notification

    now = datetime(2026, 11, 27, 19, 0, tzinfo=CHINA)  # Friday evening
    due, _booking = _book(client_for(youth), nine_to_six, now)
    with freeze_time(due - timedelta(minutes=1)):
        assert services.escalate_overdue() == 0
    with freeze_time(due + timedelta(minutes=1)):  # Saturday 07:01, not Tuesday
        assert services.escalate_overdue() == 1
    assert Notification.objects.filter(recipient=station_admin, kind="station_overdue").count() == 1


@pytest.mark.django_db
def test_station_page_says_which_rule_applies(nine_to_six, client_for):
    with freeze_time(datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)):
        page = client_for().get(nine_to_six.url).content.decode()
    assert "工作时间内提交的预约1小时内回复，其他时间12小时内回复" in page
    assert "现在是工作时间，此时提交的预约将在1小时内回复" in page
    with freeze_time(datetime(2026, 11, 25, 19, 0, tzinfo=CHINA)):
        page = client_for().get(nine_to_six.url).content.decode()
    assert "现在不是工作时间，此时提交的预约将在12小时内回复" in page
