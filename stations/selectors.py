"""Reads on stations reused by pages, the API, admin and tasks."""

from __future__ import annotations

import functools
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from organizations.models import Organization, StaffRole
from organizations.permissions import can_act, scope_queryset, second_factor_missing
from organizations.selectors import work_calendar

from .domain import geo
from .domain.calendar import CHINA, WorkingCalendar
from .models import (
    HOLDING_STATUSES,
    Booking,
    BookingStatus,
    HoursException,
    OpeningHours,
    Referral,
    ServiceSlot,
    StationPage,
    StationPhoto,
    StationService,
)

logger = logging.getLogger(__name__)

# Who manages a station's bookings, besides its explicit admins.
MANAGING_ROLES = frozenset({StaffRole.STATION_ADMIN, StaffRole.ORG_ADMIN, StaffRole.LIAISON})


def can_manage(user, station: StationPage) -> bool:
    # A session still missing its second factor holds no role, listed station admin included.
    if user is None or not user.is_authenticated or second_factor_missing(user):
        return False
    if can_act(user, station.organization, MANAGING_ROLES):
        return True
    return station.admins.filter(pk=user.pk).exists()


def managed_stations(user):
    """Stations whose bookings `user` may handle."""
    if user is None or not user.is_authenticated or second_factor_missing(user):
        return StationPage.objects.none()
    by_role = scope_queryset(StationPage.objects.all(), user, roles=MANAGING_ROLES).values("pk")
    return StationPage.objects.filter(Q(pk__in=by_role) | Q(admins=user)).distinct()


def station_admin_users(station: StationPage):
    """Who is notified about a station's bookings: explicit admins and station-admin staff of its
    organisation (active users only)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk__in=station_admin_ids(station), is_active=True)


def station_admin_ids(station: StationPage) -> list[int]:
    return [pk for pk, _ in _admin_rows(station)]


def station_admin_recipients(station: StationPage) -> list:
    """`station_admin_users` as the notifier needs them (id, e-mail, active) for a booking's
    notification, from the cached rows without a query. Other fields of these users are not loaded."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return [loaded(User, id=pk, email=email, is_active=True) for pk, email in _admin_rows(station)]


def _admin_rows(station: StationPage) -> list[tuple[int, str]]:
    """(id, e-mail) of the station's active admins, read on every booking and changed rarely: cached
    per process under the station's admins token and the staff token (stations.signals bumps them
    when the station's admins, any staff membership, or a user's e-mail or active flag change)."""
    from django.contrib.auth import get_user_model

    from organizations.models import StaffMembership

    def build():
        # One list of ids (a UNION): an OR across the admins join would scan every user.
        staff = StaffMembership.objects.active().filter(organization=station.organization_id,
                                                        role=StaffRole.STATION_ADMIN)
        admins = StationPage.admins.through.objects.filter(stationpage_id=station.pk)
        ids = staff.values("user_id").union(admins.values("user_id"))
        return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk")
                    .values_list("pk", "email"))

    keys = [admins_version_key(station.pk), STAFF_ADMINS_VERSION]
    versions = _versions(keys)
    if versions is None:
        return build()
    return _memo(_admin_rows_memo, (station.pk, station.organization_id, versions[keys[0]], versions[keys[1]]), build)


def loaded(model, **values):
    """An instance as the ORM would load it with `.only(*values)` (the other fields deferred), from
    values read without it (a cache, a raw `RETURNING`)."""
    from django.db import connection
    from django.db.models import DEFERRED

    fields = model._meta.concrete_fields
    return model.from_db(connection.alias, [f.attname for f in fields if f.attname in values],
                         [values.get(f.attname, DEFERRED) for f in fields])


def escalation_users(station: StationPage):
    """The liaison officers of the station's branch, or of the nearest ancestor that has some."""
    from organizations.selectors import ancestors, liaison_users

    org = station.organization
    for candidate in [org, *reversed(ancestors(org))]:
        users = list(liaison_users(candidate))
        if users:
            return users
    return []


# --- working calendars: read on every booking, changed a few times a year --------------------------
#
# A station's calendar (weekly hours, date exceptions, whether it follows public holidays) and the
# admin calendar overrides are cached per process, keyed by version tokens kept in the shared
# cache. `stations.signals` bumps a station's token when its hours, exceptions or page change, and
# the overrides' token when an override changes (at once and again at commit, so a reader that
# built from the old rows between the two is corrected). A booking reads both tokens in one cache
# round trip instead of three queries.

CALENDAR_OVERRIDES_VERSION = "stations:calendar:overrides"
_calendars: dict = {}
_overrides: dict = {}
_MEMO_MAX = 4096


STAFF_ADMINS_VERSION = "stations:admins:staff"
_admin_rows_memo: dict = {}


def admins_version_key(station_id: int) -> str:
    return f"stations:admins:{station_id}"


def calendar_version_key(station_id: int) -> str:
    return f"stations:calendar:{station_id}"


def bump_version(key: str) -> None:
    """Invalidate what is cached under the version token `key` — calendars, admins — (now, and again
    when the transaction commits)."""
    from django.core.cache import cache
    from django.db import transaction

    def bump():
        try:
            cache.set(key, uuid.uuid4().hex, None)
        except Exception:  # an unreachable cache only disables caching (see _versions)
            logger.warning("calendar cache unavailable: %s not bumped", key, exc_info=True)

    bump()
    transaction.on_commit(bump)


def _versions(keys: list[str]) -> dict | None:
    """The current tokens of `keys` (created when missing), or None when the cache is unreachable."""
    from django.core.cache import cache

    try:
        found = cache.get_many(keys)
        for key in keys:
            if key not in found:
                cache.add(key, uuid.uuid4().hex, None)
                found[key] = cache.get(key)
    except Exception:  # fall back to the database
        logger.warning("calendar cache unavailable", exc_info=True)
        return None
    return found


def _memo(store: dict, key, build):
    value = store.get(key)
    if value is None:
        if len(store) >= _MEMO_MAX:
            store.clear()
        value = store[key] = build()
    return value


def _holiday_lookup(calendar):
    return functools.lru_cache(maxsize=1024)(calendar.statutory_holiday)


def holiday_lookup(version=None):
    """The statutory-holiday lookup of the one working calendar (organizations.selectors.work_calendar:
    imported schedules, declared days, the package, the provisional calendar), cached per version."""
    today = timezone.localdate()
    if version is None:
        versions = _versions([CALENDAR_OVERRIDES_VERSION])
        if versions is None:
            return _holiday_lookup(work_calendar())
        version = versions[CALENDAR_OVERRIDES_VERSION]
    return _memo(_overrides, (version, today.year), lambda: _holiday_lookup(work_calendar(today)))


def _build_calendar(station: StationPage, hours, exceptions, lookup) -> WorkingCalendar:
    weekly: dict = {}
    for h in hours:
        weekly.setdefault(h.weekday, []).append((h.opens, h.closes))
    exc: dict = {}
    for e in exceptions:
        exc.setdefault(e.date, [])
        if e.opens and e.closes:
            exc[e.date].append((e.opens, e.closes))
    return WorkingCalendar(weekly=weekly, exceptions=exc, follows_public_holidays=station.follows_public_holidays,
                           holiday_lookup=lookup)


def working_calendar(station: StationPage, *, hours=None, exceptions=None, known_hours=None,
                     known_exceptions=None, versions=None) -> WorkingCalendar:
    """The station's working calendar. With `hours`/`exceptions` given (rows read by the caller for
    many stations at once) it is built from them; otherwise it comes from the per-process cache
    (no query while the version tokens are unchanged), built when missing from `known_hours` and
    `known_exceptions` (from yesterday on) if the caller has read them (the station page has).
    `versions`: the tokens `calendar_versions` returned, when the caller has read them already."""
    if hours is not None or exceptions is not None:
        return _build_calendar(station, hours or [], exceptions or [], holiday_lookup())
    today = timezone.localdate()

    def build(lookup):
        return _build_calendar(
            station, known_hours if known_hours is not None else OpeningHours.objects.filter(station=station),
            known_exceptions if known_exceptions is not None else upcoming_exceptions(station, today), lookup)

    station_key = calendar_version_key(station.pk)
    if versions is None:
        versions = calendar_versions(station)
    if versions is None:
        return build(holiday_lookup())
    lookup = holiday_lookup(versions[CALENDAR_OVERRIDES_VERSION])
    key = (station.pk, versions[station_key], versions[CALENDAR_OVERRIDES_VERSION], today)
    return _memo(_calendars, key, lambda: build(lookup))


def calendar_versions(station: StationPage) -> dict | None:
    """The version tokens of the station's calendar and of the calendar overrides (one round trip),
    or None when the cache is unreachable."""
    return _versions([calendar_version_key(station.pk), CALENDAR_OVERRIDES_VERSION])


def upcoming_exceptions(station: StationPage, today=None):
    today = today or timezone.localdate()
    return HoursException.objects.filter(station=station, date__gte=today - timedelta(days=1))


def live_stations():
    return StationPage.objects.live().select_related("organization")


def attach_service_names(stations: list) -> None:
    """Each station's active services' names, in their order, as `service_names` (the list's cards):
    one query of names, no service objects."""
    names: dict[int, list[str]] = {s.pk: [] for s in stations}
    if names:
        for station_id, name in (StationService.objects.filter(station_id__in=list(names), is_active=True)
                                 .order_by("sort_order", "pk").values_list("station_id", "name")):
            names[station_id].append(name)
    for station in stations:
        station.service_names = names[station.pk]


def station_list(*, organization: Organization | None = None, city: Organization | None = None,
                 service: str | None = None, q: str | None = None, open_now: bool = False):
    qs = live_stations()
    if open_now:
        qs = qs.filter(open_now_q())
    for org in (organization, city):
        if org is not None:
            qs = qs.filter(organization__path__startswith=org.path)
    if service:
        qs = qs.filter(services__name__icontains=service, services__is_active=True).distinct()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(address__icontains=q))
    return qs.order_by("organization__path", "title")


def open_now_q(at=None) -> Q:
    """A filter on StationPage: open at `at` (default now), the same rule as
    `WorkingCalendar.is_open` (weekly hours; a date exception replaces them; with
    `follows_public_holidays`, closed on statutory holidays and a weekend made a workday uses that
    weekday's hours or else Monday's) in SQL, so that a page of open stations is counted and sliced
    by the database whatever the number of stations. The holiday lookup runs once in Python."""
    from django.db.models import Exists, F, OuterRef

    at = (at or timezone.now()).astimezone(CHINA)
    day, now = at.date(), at.time()
    workday, statutory = holiday_lookup()(day)

    def weekly(weekday):
        return Exists(OpeningHours.objects.filter(station=OuterRef("pk"), weekday=weekday, opens__lte=now,
                                                  closes__gt=now))

    today_exc = HoursException.objects.filter(station=OuterRef("pk"), date=day)
    by_exception = Exists(today_exc.filter(
        Q(opens__lte=now, closes__gt=now) | Q(closes__lte=F("opens"), opens__lte=now)))
    if statutory:
        following = Q(pk__in=[])
    elif workday and day.weekday() >= 5:
        has_hours = Exists(OpeningHours.objects.filter(station=OuterRef("pk"), weekday=day.weekday()))
        following = Q(weekly(day.weekday())) | (~Q(has_hours) & Q(weekly(0)))
    else:
        following = Q(weekly(day.weekday()))
    by_week = (Q(follows_public_holidays=True) & following) | (Q(follows_public_holidays=False) & Q(weekly(day.weekday())))
    return (Q(Exists(today_exc)) & Q(by_exception)) | (~Q(Exists(today_exc)) & by_week)


def open_now_filter(stations, at=None):
    """Keep stations open at `at` (default now); evaluates the hours of the given stations in 2 queries."""
    at = at or timezone.now()
    stations = list(stations)
    ids = [s.pk for s in stations]
    hours: dict = {}
    for h in OpeningHours.objects.filter(station_id__in=ids):
        hours.setdefault(h.station_id, []).append(h)
    excs: dict = {}
    for e in HoursException.objects.filter(station_id__in=ids, date=timezone.localdate(at)):
        excs.setdefault(e.station_id, []).append(e)
    return [s for s in stations if working_calendar(s, hours=hours.get(s.pk, []), exceptions=excs.get(s.pk, [])).is_open(at)]


# --- the map: every live station in one compact, cached answer ---------------------------------------
#
# GET /api/stations/map reads this. The JSON (bytes) and its ETag are kept in the shared cache under
# MAP_CACHE_KEY; `stations.signals` deletes it when a station is saved, published, unpublished, moved or
# deleted, or an organisation changes (now and again at commit). Built in 2 queries whatever the
# number of stations; an entry is [id, lat, lng, short name, city index] (`cities` lists [id, name]).

MAP_CACHE_KEY = "stations:map:v1"
MAP_CACHE_SECONDS = 600
MAP_NAME_CHARS = 12


def map_data() -> tuple[bytes, str]:
    """(JSON bytes, ETag) of every live station for the map, from the cache or built (2 queries)."""
    import hashlib

    from django.core.cache import cache

    try:
        hit = cache.get(MAP_CACHE_KEY)
    except Exception:  # an unreachable cache only disables caching
        logger.warning("stations map cache unavailable", exc_info=True)
        hit = None
    if hit is not None:
        return hit
    body = json.dumps(build_map(), ensure_ascii=False, separators=(",", ":")).encode()
    value = (body, f'"{hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20]}"')
    try:
        cache.set(MAP_CACHE_KEY, value, MAP_CACHE_SECONDS)
    except Exception:
        logger.warning("stations map cache unavailable", exc_info=True)
    return value


def build_map() -> dict:
    from organizations.domain.tree import ancestor_path
    from organizations.models import OrganizationKind

    cities = list(Organization.objects.filter(kind=OrganizationKind.CITY).order_by("path")
                  .values_list("pk", "path", "depth", "short_name", "name"))
    city_index = {path: i for i, (_, path, _, _, _) in enumerate(cities)}
    depths = sorted({depth for _, _, depth, _, _ in cities})
    rows = (StationPage.objects.live().order_by("pk")
            .values_list("pk", "latitude", "longitude", "title", "organization__path", "organization__depth"))
    stations = []
    for pk, lat, lng, title, org_path, org_depth in rows:
        city = -1
        for depth in depths:
            if depth <= org_depth:
                city = city_index.get(ancestor_path(org_path, depth), -1)
                if city >= 0:
                    break
        name = title if len(title) <= MAP_NAME_CHARS else title[:MAP_NAME_CHARS - 1] + "…"
        stations.append([pk, round(float(lat), 5), round(float(lng), 5), name, city])
    return {"v": 1, "fields": ["id", "lat", "lng", "name", "city"], "url": "/stations/{id}/",
            "cities": [[pk, short or name] for pk, _, _, short, name in cities], "stations": stations}


def forget_map(**kwargs) -> None:
    """Drop the cached map (now, and again when the current transaction commits)."""
    from django.core.cache import cache
    from django.db import transaction

    def forget():
        try:
            cache.delete(MAP_CACHE_KEY)
        except Exception:
            logger.warning("stations map cache unavailable: not invalidated", exc_info=True)

    forget()
    transaction.on_commit(forget)


_radius_hint: dict[int, float] = {}

# Great-circle distance (haversine, km) from the point (%(lat)s, %(lng)s) to the row `s`, in SQL that
# PostgreSQL and SQLite both run (Django registers the math functions on SQLite; `least` of two
# values is `min` there). `{least}` is filled per vendor.
_HAVERSINE = (
    "2 * %(r)s * asin({least}(1.0, sqrt("
    "power(sin(radians(CAST(s.latitude AS double precision) - %(lat)s) / 2), 2)"
    " + cos(radians(%(lat)s)) * cos(radians(CAST(s.latitude AS double precision)))"
    " * power(sin(radians(CAST(s.longitude AS double precision) - %(lng)s) / 2), 2))))"
)
# What the nearest-station API shows of each station, including its active services as JSON
# (`{services}`: json_agg on PostgreSQL, json_group_array over an ordered subquery on SQLite).
_NEAREST_COLUMNS = """
    , p.title, p.url_path, s.organization_id, coalesce(nullif(o.short_name, ''), o.name) AS organization,
    s.base_type, s.batch, s.address, s.latitude, s.longitude, s.contact_phone, {services} AS services"""
_SERVICES_JSON = {
    "postgresql": """(SELECT coalesce(json_agg(json_build_object(
         'id', v.id, 'name', v.name, 'description', v.description,
         'duration_minutes', v.duration_minutes, 'slot_capacity', v.slot_capacity) ORDER BY v.sort_order, v.id), '[]')
     FROM stations_stationservice v WHERE v.station_id = s.page_ptr_id AND v.is_active)""",
    "sqlite": """(SELECT coalesce(json_group_array(json_object(
         'id', v.id, 'name', v.name, 'description', v.description,
         'duration_minutes', v.duration_minutes, 'slot_capacity', v.slot_capacity)), '[]')
     FROM (SELECT * FROM stations_stationservice v0 WHERE v0.station_id = s.page_ptr_id AND v0.is_active
           ORDER BY v0.sort_order, v0.id) v)""",
}


@dataclass
class Nearby:
    station: StationPage
    distance_km: float


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def nearest_rows(lat: float, lng: float, *, limit: int = 10, service: str | None = None,
                 organization: Organization | None = None, details: bool = True,
                 max_radius_km: float = 2000.0) -> list[dict]:
    """Live stations nearest to (lat, lng) by great-circle distance, nearest first, as dicts
    (`id`, `distance_km`, and with `details` what the API shows: title, url_path, organisation,
    coordinates, contacts and the active `services`), in one SQL query.

    The query filters on a bounding box first (the (latitude, longitude) index), computes the
    haversine distance in SQL, keeps the stations within the box's inscribed circle (only those are
    certainly the nearest), orders and limits. When fewer than `limit` are within the circle, the
    radius grows and the query runs again; the starting radius follows what recent searches needed,
    so one query is the rule. Optional filters: a service whose name contains `service`, stations of
    `organization` and those below it."""
    from django.db import connection

    params: dict[str, float | str] = {"lat": float(lat), "lng": float(lng), "r": geo.EARTH_RADIUS_KM, "limit": int(limit)}
    where = ["p.live"]
    if organization is not None:
        where.append("o.path LIKE %(org_path)s")
        params["org_path"] = organization.path + "%"
    if service:
        where.append("EXISTS (SELECT 1 FROM stations_stationservice v WHERE v.station_id = s.page_ptr_id"
                     " AND v.is_active AND upper(CAST(v.name AS text)) LIKE upper(%(service)s) ESCAPE '\\')")
        params["service"] = f"%{_like_escape(service)}%"
    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    haversine = _HAVERSINE.format(least="least" if vendor == "postgresql" else "min")
    columns = _NEAREST_COLUMNS.format(services=_SERVICES_JSON[vendor]) if details else ""
    sql = (
        f"SELECT s.page_ptr_id AS id, {haversine} AS distance_km {columns}"
        " FROM stations_stationpage s JOIN wagtailcore_page p ON p.id = s.page_ptr_id"
        " JOIN organizations_organization o ON o.id = s.organization_id"
        " WHERE s.latitude BETWEEN %(lo_lat)s AND %(hi_lat)s AND s.longitude BETWEEN %(lo_lng)s AND %(hi_lng)s"
        f" AND {' AND '.join(where)} AND {haversine} <= %(radius)s"
        " ORDER BY 2, 1 LIMIT %(limit)s"
    )
    radius = _radius_hint.get(limit, 10.0)
    with connection.cursor() as cursor:
        while True:
            lo_lat, hi_lat, lo_lng, hi_lng = geo.bounding_box(lat, lng, radius)
            params.update(lo_lat=lo_lat, hi_lat=hi_lat, lo_lng=lo_lng, hi_lng=hi_lng, radius=radius)
            cursor.execute(sql, params)
            names = [col[0] for col in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            if details and vendor != "postgresql":  # SQLite returns the JSON as text
                for row in rows:
                    if isinstance(row["services"], str):
                        row["services"] = json.loads(row["services"])
            if len(rows) >= limit or radius >= max_radius_km:
                break
            # k stations within r means about k·(R/r)² within R: aim for 1.5× the needed count.
            grow = 4.0 if not rows else max(1.3, min(4.0, (1.5 * limit / len(rows)) ** 0.5))
            radius = min(max_radius_km, radius * grow)
    if len(rows) >= limit:
        # Next time start from a little beyond the distance the limit-th station was at.
        needed = min(500.0, max(2.0, 1.3 * rows[-1]["distance_km"]))
        _radius_hint[limit] = 0.7 * _radius_hint.get(limit, needed) + 0.3 * needed
    return rows


def page_urls(url_paths: list[str], request=None) -> list[str | None]:
    """`Page.get_url(request)` for pages known only by their `url_path`: relative on the request's
    site, absolute elsewhere. Reads the site root paths once (cached by Wagtail) and looks the
    request's site up only when there are several sites."""
    from django.urls import NoReverseMatch, reverse
    from wagtail.models import Site

    cache_on = request if request is not None else object()
    roots = getattr(cache_on, "_wagtail_cached_site_root_paths", None)
    if roots is None:
        roots = Site.get_site_root_paths()
        if request is not None:
            request._wagtail_cached_site_root_paths = roots
    site_ids = {r.site_id for r in roots}
    if len(site_ids) == 1:
        current = next(iter(site_ids))
    else:
        site = Site.find_for_request(request) if request is not None else None
        current = site.pk if site else None
    urls: list[str | None] = []
    for url_path in url_paths:
        candidates = [r for r in roots if url_path.startswith(r.root_path)]
        if not candidates:
            urls.append(None)
            continue
        root = next((r for r in candidates if r.site_id == current), candidates[0])
        try:
            path = reverse("wagtail_serve", args=(url_path[len(root.root_path):],))
        except NoReverseMatch:
            urls.append(None)
            continue
        urls.append(path if root.site_id == current or len(site_ids) == 1 else root.root_url + path)
    return urls


def nearest(lat: float, lng: float, *, limit: int = 10, queryset=None, service: str | None = None,
            organization: Organization | None = None) -> list[Nearby]:
    """`nearest_rows` as model objects, fetched with whatever `queryset` selects or prefetches (one
    more query), for pages that render stations."""
    qs = queryset if queryset is not None else live_stations()
    rows = nearest_rows(lat, lng, limit=limit, service=service, organization=organization, details=False)
    objects = qs.in_bulk([r["id"] for r in rows])
    return [Nearby(objects[r["id"]], r["distance_km"]) for r in rows if r["id"] in objects]


def upcoming_slots(station: StationPage, *, service_id: int | None = None, days: int = 14, limit: int = 60):
    now = timezone.now()
    qs = ServiceSlot.objects.filter(station=station, starts_at__gt=now, starts_at__lt=now + timedelta(days=days),
                                    is_cancelled=False, service__is_active=True).select_related("service")
    if service_id:
        qs = qs.filter(service_id=service_id)
    return qs.order_by("starts_at", "service_id")[:limit]


def rating_summary(station: StationPage) -> dict:
    agg = Booking.objects.filter(station=station, rating__isnull=False).aggregate(avg=Avg("rating"), n=Count("pk"))
    return {"average": round(agg["avg"], 1) if agg["avg"] else None, "count": agg["n"]}


def recent_ratings(station: StationPage, limit: int = 10):
    return (Booking.objects.filter(station=station, rating__isnull=False).select_related("user", "slot__service")
            .order_by("-rated_at")[:limit])


def bookings_for_user(user):
    return Booking.objects.filter(user=user).select_related("slot__service", "station", "user", "responded_by")


def bookings_for_manager(user, *, status: str | None = None):
    qs = Booking.objects.filter(station__in=managed_stations(user).values("pk")).select_related(
        "slot__service", "station", "user", "responded_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("respond_by")


def _ratings(station: StationPage, limit: int = 10) -> dict:
    """`rating_summary` and `recent_ratings` in one query: the newest ratings, each row carrying the
    average and the number of all of them (window aggregates over the whole filtered set)."""
    from django.db.models import Window

    rows = list(recent_ratings(station, limit).annotate(
        _avg=Window(Avg("rating")), _n=Window(Count("pk"))))
    average = rows[0]._avg if rows else None
    return {"rating": {"average": round(average, 1) if average else None, "count": rows[0]._n if rows else 0},
            "ratings": rows}


# --- the station page's schedule: cached, forgotten on every event that changes it ------------------
#
# Its weekly hours, date exceptions, active services with their upcoming slots (the slots' <option>s
# rendered) and photos: five queries and most of the page's rendering. They are kept in the shared
# cache under the station's page-cache scope generation (`station:<id>`, bumped by stations.services
# when a booking takes or frees a place and when slots are generated), the editorial generation (a
# publish: services, hours, photos) and the station's calendar version token (hours, exceptions or the
# station saved), per language and time zone; for at most SCHEDULE_SECONDS, and never past the start
# of the first slot it lists (a slot that has begun is no longer offered).

SCHEDULE_SECONDS = 60


# The columns of `_schedule_rows`: (kind, id, sort_order, int, int, int, date, datetime, datetime,
# time, time, text, text), each kind filling its own (None elsewhere).
_ROW_TYPES = ("int", "int", "int", "int", "int", "int", "date", "datetime", "datetime", "time", "time", "text", "text")
_HOURS, _EXCEPTION, _SERVICE, _PHOTO, _SLOT = range(5)


def _schedule_rows(station: StationPage):
    """The station's weekly hours, date exceptions (from yesterday on), active services, photos and
    upcoming slots (what `upcoming_slots` lists) in ONE query: a UNION ALL of five selects with the
    same typed columns (see _ROW_TYPES), instead of five queries."""
    from django.db.models import CharField, DateField, DateTimeField, F, Field, IntegerField, TimeField, Value
    from django.db.models.functions import Cast

    fields: dict[str, Field] = {"int": IntegerField(), "date": DateField(), "datetime": DateTimeField(),
                                "time": TimeField(), "text": CharField()}

    def select(queryset, kind, *columns):
        exprs: dict = {"c0": Value(kind, output_field=IntegerField())}
        for n, (column, type_) in enumerate(zip(columns, _ROW_TYPES[1:], strict=True), start=1):
            if column is None:
                exprs[f"c{n}"] = Cast(Value(None), fields[type_])  # a typed NULL (PostgreSQL's UNION needs it)
            elif column == "":
                exprs[f"c{n}"] = Value("", output_field=fields[type_])
            else:
                exprs[f"c{n}"] = F(column)
        return queryset.order_by().annotate(**exprs).values_list(*exprs)

    slot_ids = upcoming_slots(station).values("pk")
    return select(OpeningHours.objects.filter(station=station), _HOURS,
                  "id", "sort_order", "weekday", None, None, None, None, None, "opens", "closes", "", "").union(
        select(upcoming_exceptions(station), _EXCEPTION,
               "id", "sort_order", None, None, None, "date", None, None, "opens", "closes", "note", ""),
        select(StationService.objects.filter(station=station, is_active=True), _SERVICE,
               "id", "sort_order", "duration_minutes", "slot_capacity", None, None, None, None, None, None, "name",
               "description"),
        select(StationPhoto.objects.filter(station=station), _PHOTO,
               "id", "sort_order", "image_id", None, None, None, None, None, None, None, "caption", ""),
        select(ServiceSlot.objects.filter(pk__in=slot_ids), _SLOT,
               "id", None, "service_id", "capacity", "booked", None, "starts_at", "ends_at", None, None, "", ""),
        all=True)


def _in_order(rows, *key):
    """Sorted as ORDER BY the `key` attributes (NULLs last)."""
    return sorted(rows, key=lambda obj: tuple((getattr(obj, k) is None, getattr(obj, k)) for k in key))


def _build_schedule(station: StationPage) -> dict:
    from django.template.loader import render_to_string
    from wagtail.images import get_image_model

    found: dict = {kind: [] for kind in range(5)}
    sid = station.pk
    for kind, pk, order, a, b, c, day, at, until, opens, closes, text, text2 in _schedule_rows(station):
        if kind == _HOURS:
            obj = loaded(OpeningHours, id=pk, sort_order=order, station_id=sid, weekday=a, opens=opens, closes=closes)
        elif kind == _EXCEPTION:
            obj = loaded(HoursException, id=pk, sort_order=order, station_id=sid, date=day, opens=opens, closes=closes,
                         note=text)
        elif kind == _SERVICE:
            obj = loaded(StationService, id=pk, sort_order=order, station_id=sid, name=text, description=text2,
                         duration_minutes=a, slot_capacity=b, is_active=True)
        elif kind == _PHOTO:
            obj = loaded(StationPhoto, id=pk, sort_order=order, station_id=sid, image_id=a, caption=text)
        else:
            obj = loaded(ServiceSlot, id=pk, service_id=a, station_id=sid, starts_at=at, ends_at=until, capacity=b,
                         booked=c, is_cancelled=False)
        found[kind].append(obj)
    photos = _in_order(found[_PHOTO], "sort_order", "pk")
    if photos:  # their images (a query only for a station that has photos)
        images = get_image_model().objects.in_bulk([p.image_id for p in photos])
        photos = [p for p in photos if p.image_id in images]
        for photo in photos:
            photo.image = images[photo.image_id]
    slots = _in_order(found[_SLOT], "starts_at", "service_id", "pk")
    by_service: dict = {}
    for slot in slots:
        by_service.setdefault(slot.service_id, []).append(slot)
    services = []
    for service in _in_order(found[_SERVICE], "sort_order", "pk"):
        mine = by_service.get(service.pk, [])
        services.append({"service": service, "slots": mine,
                         "options": render_to_string("stations/_slot_options.html", {"slots": mine})})
    return {
        "hours": _in_order(found[_HOURS], "weekday", "opens"),
        "exceptions": found[_EXCEPTION],
        "services": services,
        "photos": photos,
        "valid_until": slots[0].starts_at if slots else None,
    }


def station_schedule(station: StationPage, versions: dict | None = None) -> dict:
    """{hours, exceptions, services: [{service, slots, options}], photos} of the station page (see above)."""
    from django.core.cache import cache
    from django.utils.translation import get_language

    from core import page_cache

    scope = page_cache.scope_generation(f"station:{station.pk}")
    editorial = page_cache.generation()
    calendar = (versions or {}).get(calendar_version_key(station.pk))
    if not (scope and editorial and calendar):  # the cache is unreachable
        return _build_schedule(station)
    key = (f"stations:schedule:{station.pk}:{scope}:{editorial}:{calendar}:{get_language()}:"
           f"{timezone.get_current_timezone_name()}")
    now = timezone.now()
    try:
        schedule = cache.get(key)
    except Exception:  # render from the database
        logger.warning("station schedule cache unavailable", exc_info=True)
        return _build_schedule(station)
    if schedule is None or (schedule["valid_until"] is not None and schedule["valid_until"] <= now):
        schedule = _build_schedule(station)
        seconds = SCHEDULE_SECONDS
        if schedule["valid_until"] is not None:
            seconds = min(seconds, int((schedule["valid_until"] - now).total_seconds()))
        if seconds > 0:
            try:
                cache.set(key, schedule, seconds)
            except Exception:
                logger.warning("station schedule cache unavailable", exc_info=True)
    return schedule


def station_page_context(station: StationPage, user, referral_id=None) -> dict:
    versions = calendar_versions(station)
    schedule = station_schedule(station, versions)
    hours = schedule["hours"]
    referral = None
    if referral_id and str(referral_id).isdigit() and user.is_authenticated:
        referral = Referral.objects.filter(pk=int(referral_id), asker=user, station=station).first()
    mine = []
    if user.is_authenticated:
        mine = list(Booking.objects.filter(user=user, station=station, status__in=HOLDING_STATUSES)
                    .select_related("slot__service"))
    calendar = working_calendar(station, known_hours=hours, known_exceptions=schedule["exceptions"],
                                versions=versions)
    return {
        "services": schedule["services"],
        "hours": hours,
        "photos": schedule["photos"],
        **_ratings(station),
        "referral": referral,
        "my_bookings": mine,
        "can_manage": can_manage(user, station),
        "ask_url": f"/qa/ask/?station={station.pk}",
        "is_open_now": calendar.is_open(timezone.now()),
    }


def station_for_viewer(page_id: int, user) -> StationPage | None:
    """The live station a logged-in user asks their own state of (None for a visitor)."""
    if user is None or not user.is_authenticated:
        return None
    return StationPage.objects.live().filter(pk=page_id).select_related("organization").first()


def station_viewer_state(station: StationPage, user) -> dict:
    """What of a station page is the user's own: their holding bookings there, the manager's link."""
    return {
        "my_bookings": list(Booking.objects.filter(user=user, station=station, status__in=HOLDING_STATUSES)
                            .select_related("slot__service")),
        "can_manage": can_manage(user, station),
    }


def overdue_pending(now=None):
    now = now or timezone.now()
    return Booking.objects.filter(status=BookingStatus.PENDING, respond_by__lt=now, escalated_at__isnull=True)


def stale_pending(now=None):
    """Pending requests whose slot has begun: nobody can confirm them any more."""
    now = now or timezone.now()
    return Booking.objects.filter(status=BookingStatus.PENDING, slot__starts_at__lte=now)
