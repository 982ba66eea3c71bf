"""The station page's schedule (hours, services, slots with their free places, photos) is kept in the
shared cache between renders (stations.selectors.station_schedule): every change still shows on the
next render — a booking taking or freeing a place, new slots, a publish, a slot that has begun."""

import re
from datetime import datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from stations import services
from stations.domain.calendar import CHINA
from stations.models import ServiceSlot, StationPage
from tests.factories import UserFactory

# Wednesday 25 November 2026, 10:00 in Guangzhou: inside the station's hours (9–12, 14–18)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)


def _option(client, url, slot) -> str | None:
    html = client.get(url).content.decode()
    found = re.search(rf'<option value="{slot.pk}"[^>]*>[^<]*</option>', html)
    return found.group(0) if found else None


@freeze_time(NOW)
def test_the_cached_schedule_shows_every_change_at_once(station, youth, client, settings):
    settings.YV_PAGE_CACHE_ENABLED = False  # every request renders
    url = station.url
    assert "未来两周暂无可预约时段" in client.get(url).content.decode()
    services.generate_slots(station=station, days=3, start=NOW.date())  # new slots: shown at once
    slot = ServiceSlot.objects.filter(station=station).order_by("starts_at").first()
    assert slot.starts_at == datetime(2026, 11, 25, 11, 0, tzinfo=CHINA)
    assert "剩余 3 个名额" in _option(client, url, slot)
    with CaptureQueriesContext(connection) as ctx:
        assert "剩余 3 个名额" in _option(client, url, slot)
    assert not any('FROM "stations_serviceslot"' in q["sql"] for q in ctx.captured_queries)  # from the cache

    booking = services.request_booking(user=youth, slot_id=slot.pk)  # a place taken
    assert "剩余 2 个名额" in _option(client, url, slot)
    services.cancel_booking(actor=youth, booking_id=booking.pk)  # and freed
    assert "剩余 3 个名额" in _option(client, url, slot)
    for _ in range(3):
        services.request_booking(user=UserFactory(), slot_id=slot.pk)
    assert "已约满" in _option(client, url, slot) and " disabled" in _option(client, url, slot)

    page = StationPage.objects.get(pk=station.pk)  # an editor renames the service and publishes
    offered = list(page.services.all())
    offered[0].name = "学业规划"
    page.services = offered
    page.save_revision().publish()
    html = client.get(url).content.decode()
    assert "学业规划" in html and "心理咨询" not in html


@freeze_time(NOW)
def test_a_slot_that_has_begun_is_no_longer_offered(station, client, settings):
    settings.YV_PAGE_CACHE_ENABLED = False
    services.generate_slots(station=station, days=3, start=NOW.date())
    first, second = ServiceSlot.objects.filter(station=station).order_by("starts_at")[:2]
    assert _option(client, station.url, first) and _option(client, station.url, second)
    with freeze_time(first.starts_at + timedelta(minutes=1)):
        assert _option(client, station.url, first) is None and _option(client, station.url, second)


def test_photos_hours_and_exceptions_come_with_the_schedule(station, client, settings):
    """Hours, date exceptions, services, photos and slots are read in one query (a UNION ALL), and
    the photos' images in one more only when the station has photos."""
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Collection

    from stations.models import HoursException, StationPhoto

    settings.YV_PAGE_CACHE_ENABLED = False
    Collection.get_first_root_node() or Collection.add_root(name="Root")
    page = StationPage.objects.get(pk=station.pk)
    page.photos = [StationPhoto(image=Image.objects.create(title="活动室", file=get_test_image_file()), caption="二楼活动室")]
    page.save_revision().publish()
    HoursException.objects.create(station=page, date=datetime.now(CHINA).date() + timedelta(days=1), note="停电检修")
    client.get(station.url)
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(station.url).content.decode()
    assert "二楼活动室" in html and 'class="st-photos"' in html and "<img" in html
    assert "星期一 09:00–12:00" in html and "星期五 14:00–18:00" in html
    schedule = [q["sql"] for q in ctx.captured_queries if "stations_openinghours" in q["sql"]]
    assert len(schedule) == 1 and "stations_stationphoto" in schedule[0] and "stations_serviceslot" in schedule[0]
