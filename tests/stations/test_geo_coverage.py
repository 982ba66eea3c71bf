"""Nearest-station ordering, coordinates validation, the service map page, coverage gaps, referral."""

from datetime import datetime

import pytest
from freezegun import freeze_time

from core.errors import Invalid
from notifications.models import Notification
from organizations.models import StaffRole
from stations import coverage
from stations.domain.calendar import CHINA
from stations.domain.geo import bounding_box, haversine_km
from stations.models import Referral

from .conftest import make_station


def test_haversine_and_box():
    # Guangzhou Tower to Shenzhen Civic Center ≈ 98 km in a straight line
    assert 95 < haversine_km(23.1066, 113.3245, 22.5431, 114.0579) < 100
    lo_lat, hi_lat, lo_lng, hi_lng = bounding_box(23.0, 113.0, 10)
    assert lo_lat < 23 < hi_lat and lo_lng < 113 < hi_lng
    assert haversine_km(23.0, 113.0, hi_lat, 113.0) == pytest.approx(10, rel=1e-3)


@pytest.fixture
def three(tree):
    return [
        make_station(tree.tianhe, title="天河站", lat="23.1250", lng="113.3610"),
        make_station(tree.yuexiu, title="越秀站", lat="23.1290", lng="113.2670"),
        make_station(tree.nanshan, title="南山站", lat="22.5330", lng="113.9300", services_=[
            {"name": "法律咨询", "duration_minutes": 30, "slot_capacity": 2}]),
    ]


def test_nearest_orders_by_great_circle_distance(three, client):
    # from 越秀公园: 越秀 (≈1 km), 天河 (≈10 km), 南山 (≈100 km)
    r = client.get("/api/stations/nearest", {"lat": 23.139, "lng": 113.265, "limit": 3})
    assert r.status_code == 200
    items = r.json()
    assert [s["title"] for s in items] == ["越秀站", "天河站", "南山站"]
    assert items[0]["distance_km"] < items[1]["distance_km"] < items[2]["distance_km"]
    # from Shenzhen the order flips
    r = client.get("/api/stations/nearest", {"lat": 22.54, "lng": 113.95, "limit": 2})
    assert [s["title"] for s in r.json()] == ["南山站", "天河站"]
    # filtered by service
    r = client.get("/api/stations/nearest", {"lat": 23.139, "lng": 113.265, "service": "法律"})
    assert [s["title"] for s in r.json()] == ["南山站"]


def test_nearest_is_one_query_and_matches_brute_force(three, tree, client):
    """The endpoint is the selector's one SQL query (box, haversine, order, limit in SQL) — no
    page, organisation or service queries — and agrees with sorting every station by distance."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stations import selectors

    client.get("/api/stations/nearest", {"lat": 23.139, "lng": 113.265})  # warm the site root paths
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/api/stations/nearest", {"lat": 23.139, "lng": 113.265, "limit": 2})
    assert r.status_code == 200 and len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]
    first = r.json()[0]
    assert first["url"] == three[1].url and first["organization"] == tree.yuexiu.display_name
    for lat, lng in [(23.139, 113.265), (22.0, 114.5), (25.0, 110.0)]:
        expected = sorted(three, key=lambda s: haversine_km(lat, lng, float(s.latitude), float(s.longitude)))
        assert [row["id"] for row in selectors.nearest_rows(lat, lng, limit=3)] == [s.pk for s in expected]
    # organisation filter (the map page's city/district) and a LIKE wildcard in the service filter
    assert [row["id"] for row in selectors.nearest_rows(23.0, 113.0, limit=3, organization=tree.guangzhou)] == [
        three[1].pk, three[0].pk]
    assert selectors.nearest_rows(23.0, 113.0, limit=3, service="法%") == []


def test_coordinates_outside_china_are_rejected(tree, client):
    r = client.get("/api/stations/nearest", {"lat": 48.85, "lng": 2.35})  # the schema's bounds are China's box
    assert r.status_code == 422 and [e["loc"][-1] for e in r.json()["errors"]] == ["lng"]
    assert client.get("/api/stations/nearest", {"lat": 0.35, "lng": 0.35}).status_code == 422
    with pytest.raises(Invalid):
        make_station(tree.tianhe, lat="51.5", lng="-0.12")
    assert client.get("/api/stations/nearest", {"lat": 123, "lng": 113}).status_code == 422


def test_list_filters_and_query_count(three, tree, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    r = client.get("/api/stations/", {"organization": tree.guangzhou.pk})
    assert {s["title"] for s in r.json()["items"]} == {"天河站", "越秀站"}
    r = client.get("/api/stations/", {"service": "法律"})
    assert [s["title"] for s in r.json()["items"]] == ["南山站"]

    def count(limit):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/stations/", {"limit": limit}).status_code == 200
        return len(ctx.captured_queries)

    count(1)
    assert count(1) == count(3)


def test_open_now_filter(three, client):
    with freeze_time(datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)):
        assert client.get("/api/stations/", {"open_now": True}).json()["count"] == 3
    with freeze_time(datetime(2026, 11, 25, 13, 0, tzinfo=CHINA)):  # lunch break
        assert client.get("/api/stations/", {"open_now": True}).json()["count"] == 0


def test_map_page_lists_and_orders_by_distance(three, tree, client):
    r = client.get("/stations/")
    assert r.status_code == 200
    html = r.content.decode()
    # The markers come from /api/stations/map (tests/stations/test_scale.py), not from the page.
    assert "天河站" in html and "南山站" in html and "/api/stations/map" in html
    assert "unpkg.com" not in html and "leaflet-1.9.4/leaflet.js" in html
    r = client.get("/stations/", {"city": tree.guangzhou.pk, "district": tree.yuexiu.pk})
    assert "越秀站" in r.content.decode() and "天河站" not in r.content.decode()
    r = client.get("/stations/", {"lat": "22.54", "lng": "113.95"}, follow=True)  # → lat=22.540 (canonical)
    html = r.content.decode()
    assert html.index("南山站") < html.index("天河站") < html.index("越秀站")
    assert client.get("/stations/", {"lat": "x", "lng": "1e999"}, follow=True).status_code == 200


def test_station_page_and_ask_link(three, client):
    r = client.get(three[0].url)
    assert r.status_code == 200
    assert f"/qa/ask/?station={three[0].pk}" in r.content.decode()
    assert client.get(f"/api/v2/pages/{three[0].pk}/").json()["address"].startswith("广州市")


def test_coverage_lists_county_without_station(tree):
    make_station(tree.guangzhou, title="广州市青年之家", batch=1)
    make_station(tree.tianhe, title="天河站", batch=2)
    rows = {r.unit.name: r for r in coverage.report()}
    assert rows["广州市"].met and rows["天河区"].met
    assert not rows["越秀区"].met and rows["越秀区"].gap == 1
    assert not rows["深圳市"].met  # no city-level station
    assert not rows["中大"].met
    assert rows["广州市"].unit.total_by_batch == {1: 1, 2: 1}
    gaps = {r.unit.name for r in rows.values() if not r.met}
    assert gaps == {"越秀区", "深圳市", "南山区", "中大"}


def test_coverage_api_is_staff_only(tree, make_staff, client_for, youth):
    assert client_for(youth).get("/api/stations/coverage").status_code == 403
    r = client_for(make_staff(tree.guangzhou, StaffRole.LIAISON)).get("/api/stations/coverage", {"gaps_only": True})
    assert r.status_code == 200 and "越秀区" in {row["name"] for row in r.json()}


def test_referral_offers_booking(three, tree, youth, make_staff, client_for):
    from community.services import ask_question

    liaison = make_staff(tree.guangzhou, StaffRole.LIAISON)
    question = ask_question(asker=youth, title="毕业后档案怎么转？", domain="employment", organization=tree.tianhe)
    payload = {"question_id": question.pk, "question_title": "毕业后档案怎么转？", "question_url": f"/qa/{question.pk}/",
               "asker_id": youth.pk, "station_id": three[0].pk}
    assert client_for(youth).post("/api/stations/referrals", payload, content_type="application/json").status_code == 403
    # Only the question's own staff, and only to its asker (found by the access matrix).
    sibling = make_staff(tree.shenzhen, StaffRole.LIAISON)
    assert client_for(sibling).post("/api/stations/referrals", payload, content_type="application/json").status_code == 403
    other = {**payload, "asker_id": liaison.pk}
    assert client_for(liaison).post("/api/stations/referrals", other, content_type="application/json").status_code == 400
    r = client_for(liaison).post("/api/stations/referrals", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["booking_url"].endswith(f"?referral={r.json()['id']}#book")
    n = Notification.objects.get(recipient=youth, kind="station_referral")
    assert "referral=" in n.url
    assert client_for(liaison).post("/api/stations/referrals", payload, content_type="application/json").status_code == 409
    page = client_for(youth).get(n.url.split("#")[0])
    assert "毕业后档案怎么转" in page.content.decode()
    assert Referral.objects.count() == 1


def test_one_referral_rule_for_both_apis(three, tree, youth, make_staff, client_for):
    """Who may refer is decided once (stations.services.check_referral, on the one referral path
    community.services._refer): the Q&A endpoint and the stations endpoint agree for every role."""
    from community.services import ask_question
    from stations.services import REFERRAL_ROLES

    question = ask_question(asker=youth, title="周末可以去站点咨询吗？", domain="employment", organization=tree.tianhe)
    for i, role in enumerate([StaffRole.DUTY, StaffRole.STATION_ADMIN, StaffRole.EDITOR, StaffRole.MODERATOR]):
        allowed = role in REFERRAL_ROLES
        staff = make_staff(tree.guangzhou, role)
        r = client_for(staff).post(f"/api/community/questions/{question.pk}/referrals/", {"station_id": three[i % 2].pk},
                                   content_type="application/json")
        assert (r.status_code == 201) == allowed, (role, r.status_code, r.content)
        payload = {"question_id": question.pk, "asker_id": youth.pk, "station_id": three[2].pk}
        r = client_for(staff).post("/api/stations/referrals", payload, content_type="application/json")
        assert r.status_code in ((201, 409) if allowed else (403,)), (role, r.status_code, r.content)
    referral = Referral.objects.filter(station=three[2]).get()
    assert referral.question_title == question.title and referral.question_url == question.get_absolute_url()
