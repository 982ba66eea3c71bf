"""Stations at scale (issue 23): /stations/ is a page of stations (bounded HTML, filters, canonical
query strings, bad pages), the map reads every station from one compact cached endpoint
(/api/stations/map: constant queries, bounded bytes per station, ETag/304, invalidated on every
change), and huge limits or bounding boxes on the stations endpoints are clamped."""

import json
import random
import uuid
from datetime import datetime, time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from stations import selectors, services
from stations.domain.calendar import CHINA
from stations.models import StationPage, StationService

from .conftest import make_station


@pytest.fixture(autouse=True)
def fresh_map():
    cache.delete(selectors.MAP_CACHE_KEY)
    yield
    cache.delete(selectors.MAP_CACHE_KEY)


def bulk_stations(org, n: int, *, prefix="批量站点", seed=1, services_per_station=2):
    """n live stations under `org`'s index page in a few queries (Page rows with computed tree paths,
    then the child rows inserted without save(): no signals, as a data import would)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Locale, Page

    index = Page.objects.get(pk=services.ensure_station_index(organization=org).pk)
    ct = ContentType.objects.get_for_model(StationPage)
    locale = Locale.get_default()
    rng = random.Random(seed)
    start = index.numchild
    pages = [Page(title=f"{prefix}{k}", draft_title=f"{prefix}{k}", slug=f"bulk-{seed}-{k}", content_type=ct,
                  live=True, path=Page._get_path(index.path, index.depth + 1, k), depth=index.depth + 1,
                  numchild=0, url_path=f"{index.url_path}bulk-{seed}-{k}/", locale=locale,
                  translation_key=uuid.uuid4())
             for k in range(start + 1, start + n + 1)]
    Page.objects.bulk_create(pages, batch_size=500)
    created = Page.objects.filter(path__startswith=index.path, depth=index.depth + 1, content_type=ct,
                                  stationpage__isnull=True)
    stations = []
    for page in created:
        sp = StationPage(page_ptr_id=page.pk, organization=org, address=f"{org.name}某路 {page.pk} 号",
                         latitude=Decimal(f"{rng.uniform(21.5, 24.5):.6f}"),
                         longitude=Decimal(f"{rng.uniform(110.5, 116.5):.6f}"))
        sp.__dict__.update({f.attname: getattr(page, f.attname) for f in Page._meta.concrete_fields})
        stations.append(sp)
    StationPage._base_manager._insert(stations, fields=StationPage._meta.local_concrete_fields, using="default")
    StationService.objects.bulk_create([
        StationService(station_id=s.pk, name=name, sort_order=i)
        for s in stations for i, name in enumerate(["心理咨询", "就业指导", "法律咨询"][:services_per_station])])
    Page.objects.filter(pk=index.pk).update(numchild=start + n)
    selectors.forget_map()
    return stations


def _queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url, params)
    return r, len(ctx.captured_queries)


# --- /stations/: a page of stations ------------------------------------------------------------------

def test_list_page_is_bounded_at_300_stations(tree, youth, client_for):
    bulk_stations(tree.tianhe, 300)
    r = Client().get("/stations/")
    html = r.content.decode()
    assert r.status_code == 200 and len(r.content) <= 30_000, len(r.content)
    assert html.count('class="card st-card"') == 20 and "300" in html and "1 / 15" in html
    assert 'rel="next" href="?page=2"' in html
    r = client_for(youth).get("/stations/", {"city": ""})  # the logged-in frame is larger
    assert r.status_code == 200 and len(r.content) <= 48_000, len(r.content)


def test_list_page_queries_do_not_grow_with_stations(tree, client):
    bulk_stations(tree.tianhe, 25, seed=1)
    client.get("/stations/")  # site root paths and the like
    _, few = _queries(client, "/stations/")
    _, few_filtered = _queries(client, "/stations/", city=tree.guangzhou.pk, service="心理", page=2)
    bulk_stations(tree.tianhe, 250, seed=2)
    _, many = _queries(client, "/stations/")
    _, many_filtered = _queries(client, "/stations/", city=tree.guangzhou.pk, service="心理", page=2)
    assert many == few <= 8 and many_filtered == few_filtered <= 9, (few, many, few_filtered, many_filtered)


def test_filters_keyword_city_service_open_now_and_pages(tree, client):
    make_station(tree.tianhe, title="天河站", lat="23.1250", lng="113.3610")
    make_station(tree.nanshan, title="南山站", lat="22.5330", lng="113.9300",
                 services_=[{"name": "法律咨询", "duration_minutes": 30, "slot_capacity": 2}],
                 hours={d: [(time(8), time(22))] for d in range(7)}, follows_public_holidays=False)
    bulk_stations(tree.yuexiu, 45)

    def titles(**params):
        r = client.get("/stations/", params)
        assert r.status_code == 200, (params, r.status_code)
        return [line.split("</a>")[0].rsplit(">", 1)[1] for line in r.content.decode().split("<h3>")[1:]]

    assert titles(q="南山") == ["南山站"]
    assert len(titles(q="某路")) == 20 and "天河站" not in titles(q="某路")  # the keyword matches addresses too
    assert titles(service="法律") == ["南山站"]
    assert titles(city=tree.shenzhen.pk) == ["南山站"]
    assert titles(city=tree.guangzhou.pk, district=tree.tianhe.pk) == ["天河站"]
    on_page = titles(city=tree.guangzhou.pk, district=tree.yuexiu.pk)
    page3 = titles(city=tree.guangzhou.pk, district=tree.yuexiu.pk, page=3)
    assert len(on_page) == 20 and len(page3) == 5 and not set(on_page) & set(page3)
    with freeze_time(datetime(2026, 11, 25, 13, 0, tzinfo=CHINA)):  # a Wednesday lunch break
        assert titles(open_now=1) == ["南山站"]  # bulk stations have no hours; 天河 closes 12–14
    with freeze_time(datetime(2026, 11, 25, 10, 0, tzinfo=CHINA)):
        assert set(titles(open_now=1)) == {"南山站", "天河站"}
    with freeze_time(datetime(2026, 10, 1, 10, 0, tzinfo=CHINA)):  # National Day: 天河 follows public holidays
        assert titles(open_now=1) == ["南山站"]


def test_open_now_in_sql_matches_the_calendar(tree):
    """selectors.open_now_q is the SQL form of WorkingCalendar.is_open: same answer at many instants."""
    a = make_station(tree.tianhe, title="A")
    b = make_station(tree.nanshan, title="B", follows_public_holidays=False, hours={5: [(time(10), time(16))]})
    c = make_station(tree.yuexiu, title="C", hours={})
    from stations.models import HoursException

    HoursException.objects.create(station=c, date=datetime(2026, 11, 28).date(), opens=time(9), closes=time(11))
    HoursException.objects.create(station=a, date=datetime(2026, 11, 26).date())  # closed that Thursday
    stations = [a, b, c]
    for day in (23, 25, 26, 28, 29):
        for hour in (8, 9, 10, 12, 15, 17, 20):
            at = datetime(2026, 11, day, hour, 30, tzinfo=CHINA)
            with freeze_time(at):
                expected = {s.pk for s in selectors.open_now_filter(stations, at)}
                got = set(StationPage.objects.filter(selectors.open_now_q(at)).values_list("pk", flat=True))
            assert got == expected, (at, got, expected)


@pytest.mark.parametrize("query, location", [
    ("page=abc", "/stations/"),
    ("page=0", "/stations/"),
    ("page=-3", "/stations/"),
    ("page=1", "/stations/"),
    ("page=99999999999999999999999", "/stations/"),
    ("utm_source=wx&_=12345", "/stations/"),
    ("service=&q=&district=5", "/stations/"),
    ("q=%20%20&service=%E5%BF%83%E7%90%86", "/stations/?service=%E5%BF%83%E7%90%86"),
    ("lat=22.54&lng=113.95", "/stations/?lat=22.540&lng=113.950"),
    ("lat=48.85&lng=2.35", "/stations/"),
    ("page=2&city=7", "/stations/?city=7&page=2"),
    ("city=7&city=8", "/stations/?city=8"),
    ("q=%E5%BF%83%09%0A", "/stations/?q=%E5%BF%83"),
    ("q=%01", "/stations/"),
])
def test_non_canonical_query_strings_redirect_before_any_work(db, client, query, location):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(f"/stations/?{query}")
    assert r.status_code == 302 and r["Location"] == location and len(ctx.captured_queries) == 0


def test_a_page_past_the_last_goes_to_the_last(tree, client):
    bulk_stations(tree.tianhe, 45)
    r = client.get("/stations/", {"page": 9999})
    assert r.status_code == 302 and r["Location"] == "/stations/?page=3"
    r = client.get("/stations/", {"q": "没有这个", "page": 5})
    assert r.status_code == 302 and r["Location"] == "/stations/?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA"
    r = client.get(r["Location"])
    assert r.status_code == 200 and 'class="card st-card"' not in r.content.decode()


def test_cache_busting_query_strings_create_no_entries(tree, client, settings):
    settings.YV_PAGE_CACHE_EARLY = True
    cache.clear()
    try:
        bulk_stations(tree.tianhe, 30)
        assert Client().get("/stations/")["X-YV-Cache"] == "miss"
        for buster in ("_=1", "_=2", "utm_campaign=x", "page=abc", "page=1", "city=&city=abc&x=1"):
            r = Client().get(f"/stations/?{buster}")
            assert r.status_code == 302 and "X-YV-Cache" not in r, buster
        hit = Client().get("/stations/?page=2")
        assert hit["X-YV-Cache"] == "miss"
        with CaptureQueriesContext(connection) as ctx:
            assert Client().get("/stations/?page=2")["X-YV-Cache"] == "hit"
        assert len(ctx.captured_queries) == 0
    finally:
        cache.clear()


# --- the map: one compact cached endpoint ------------------------------------------------------------

def test_map_endpoint_shape_and_popup_link(tree, client):
    th = make_station(tree.tianhe, title="天河青年之家服务站点很长的名字", lat="23.1250", lng="113.3610")
    r = client.get("/api/stations/map")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    data = r.json()
    assert data["fields"] == ["id", "lat", "lng", "name", "city"]
    [entry] = data["stations"]
    assert entry[:3] == [th.pk, 23.125, 113.361] and entry[3] == th.title[:selectors.MAP_NAME_CHARS - 1] + "…"
    assert data["cities"][entry[4]][0] == tree.guangzhou.pk  # a district's station belongs to its city
    link = data["url"].replace("{id}", str(th.pk))
    assert client.get(link).status_code == 302 and client.get(link)["Location"] == th.url
    assert r["Cache-Control"] == "public, max-age=0, must-revalidate" and r["ETag"].startswith('"')
    again = client.get("/api/stations/map", HTTP_IF_NONE_MATCH=r["ETag"])
    assert again.status_code == 304 and again.content == b""
    from django.urls import reverse  # the same document under the page's own prefix (bench/pages.py finds it)

    same = client.get(reverse("stations:map-data"))
    assert same.content == r.content and same["ETag"] == r["ETag"]
    station_page = client.get(th.url).content.decode()
    assert "/stations/?lat=23.125&amp;lng=113.361" in station_page  # the canonical form: no redirect


@pytest.mark.parametrize("n", [10, 1000])
def test_map_endpoint_queries_are_constant_and_bytes_bounded(tree, n):
    bulk_stations(tree.tianhe, n)
    c = Client()
    r, cold = _queries(c, "/api/stations/map")
    assert r.status_code == 200 and len(r.json()["stations"]) == n
    assert 1 <= cold <= 2, cold
    r, warm = _queries(c, "/api/stations/map")
    assert warm == 0
    per_station = (len(r.content) - len(json.dumps(r.json()["cities"], ensure_ascii=False))) / n
    assert per_station <= 64, per_station  # [id, lat, lng, name ≤ 12 chars, city]


def test_map_is_invalidated_on_publish_change_move_unpublish_delete(tree, client):
    def ids():
        return {s[0]: s for s in client.get("/api/stations/map").json()["stations"]}

    assert ids() == {}
    a = make_station(tree.tianhe, title="天河站")  # published
    assert set(ids()) == {a.pk}
    b = make_station(tree.nanshan, title="南山站", lat="22.5330", lng="113.9300")
    assert set(ids()) == {a.pk, b.pk}
    # changed and published again: moved on the map
    a = StationPage.objects.get(pk=a.pk)
    a.latitude, a.longitude, a.title = Decimal("23.200000"), Decimal("113.400000"), "天河新站"
    a.location = ""  # the editor's map widget point would win over the fields (StationPage.clean)
    a.save_revision().publish()
    assert ids()[a.pk][1:4] == [23.2, 113.4, "天河新站"]
    # moved under another index page (another branch)
    other = services.ensure_station_index(organization=tree.yuexiu)
    assert client.get("/api/stations/map").status_code == 200  # cached
    a.move(other, pos="last-child")
    assert cache.get(selectors.MAP_CACHE_KEY) is None
    assert a.pk in ids()
    # unpublished: gone; published again: back
    b = StationPage.objects.get(pk=b.pk)
    b.unpublish()
    assert set(ids()) == {a.pk}
    b.save_revision().publish()
    assert set(ids()) == {a.pk, b.pk}
    StationPage.objects.get(pk=b.pk).delete()
    assert set(ids()) == {a.pk}


def test_map_bbox_is_clamped(tree, client):
    a = make_station(tree.tianhe, title="天河站", lat="23.1250", lng="113.3610")
    b = make_station(tree.nanshan, title="南山站", lat="22.5330", lng="113.9300")
    box = client.get("/api/stations/map", {"bbox": "23,113,23.5,113.5"})
    assert [s[0] for s in box.json()["stations"]] == [a.pk]
    assert box["ETag"] != client.get("/api/stations/map")["ETag"]
    for huge in ("-90,-180,90,180", "-1e308,-1e308,1e308,1e308", "nan,nan,nan,nan", "x", "1,2,3", "inf,-inf,inf,-inf"):
        r = client.get("/api/stations/map", {"bbox": huge})
        assert r.status_code == 200, huge
        assert {s[0] for s in r.json()["stations"]} <= {a.pk, b.pk}
    assert client.get("/api/stations/map", {"bbox": "x" * 5000}).status_code == 422  # too long: refused unread


# --- huge limits: clamped ------------------------------------------------------------------------------

def test_huge_limits_are_clamped(tree, client):
    bulk_stations(tree.tianhe, 120)
    r = client.get("/api/stations/nearest", {"lat": 23.1, "lng": 113.3, "limit": 10**9})
    assert r.status_code == 200 and len(r.json()) == 50
    r = client.get("/api/stations/", {"limit": 10**6})
    assert r.status_code == 200 and len(r.json()["items"]) == 100 and r.json()["count"] == 120
    r = client.get("/api/stations/", {"offset": 2**31 - 1})
    assert r.status_code == 200 and r.json()["items"] == []
    r = client.get("/api/stations/", {"open_now": True, "limit": 5})
    assert r.status_code == 200  # open now is a SQL filter: counted and sliced by the database


def test_the_station_list_finds_the_site_in_the_cache(station, client, settings):
    """Each card's {% pageurl %} needs the request's Site: read from the cache (home.apps), not with a
    query per request; a changed site is seen at once. The services' names come in one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Site

    settings.YV_PAGE_CACHE_ENABLED = False
    client.get("/stations/")
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/stations/").content.decode()
    assert station.title in html and station.url in html
    assert not [q for q in ctx.captured_queries if '"wagtailcore_site"' in q["sql"]]
    site = Site.objects.get(is_default_site=True)
    site.site_name = "青年之声·测试"
    site.save()
    with CaptureQueriesContext(connection) as ctx:
        client.get("/stations/")
    assert [q for q in ctx.captured_queries if '"wagtailcore_site"' in q["sql"]]
