"""Reads on stations reused by pages, the API, admin and tasks."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from organizations.domain.calendar import statutory_holiday
from organizations.models import Organization, StaffRole
from organizations.permissions import can_act, scope_queryset
from organizations.selectors import calendar_overrides

from .domain import geo
from .domain.calendar import WorkingCalendar
from .models import (
    HOLDING_STATUSES,
    Booking,
    BookingStatus,
    HoursException,
    OpeningHours,
    Referral,
    ServiceSlot,
    StationPage,
    StationService,
)

# Who manages a station's bookings, besides its explicit admins.
MANAGING_ROLES = frozenset({StaffRole.STATION_ADMIN, StaffRole.ORG_ADMIN, StaffRole.LIAISON})


def can_manage(user, station: StationPage) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if can_act(user, station.organization, MANAGING_ROLES):
        return True
    return station.admins.filter(pk=user.pk).exists()


def managed_stations(user):
    """Stations whose bookings `user` may handle."""
    if user is None or not user.is_authenticated:
        return StationPage.objects.none()
    by_role = scope_queryset(StationPage.objects.all(), user, roles=MANAGING_ROLES).values("pk")
    return StationPage.objects.filter(Q(pk__in=by_role) | Q(admins=user)).distinct()


def station_admin_users(station: StationPage):
    """Who is notified about a station's bookings: explicit admins and station-admin staff of its organisation."""
    from django.contrib.auth import get_user_model

    from organizations.models import StaffMembership

    staff = StaffMembership.objects.active().filter(organization=station.organization_id, role=StaffRole.STATION_ADMIN)
    return get_user_model().objects.filter(
        Q(pk__in=staff.values("user_id")) | Q(administered_stations=station), is_active=True
    ).distinct()


def escalation_users(station: StationPage):
    """The liaison officers of the station's branch, or of the nearest ancestor that has some."""
    from organizations.selectors import ancestors, liaison_users

    org = station.organization
    for candidate in [org, *reversed(ancestors(org))]:
        users = list(liaison_users(candidate))
        if users:
            return users
    return []


def working_calendar(station: StationPage, *, hours=None, exceptions=None) -> WorkingCalendar:
    hours = hours if hours is not None else OpeningHours.objects.filter(station=station)
    exceptions = exceptions if exceptions is not None else HoursException.objects.filter(
        station=station, date__gte=timezone.localdate() - timedelta(days=1))
    weekly: dict = {}
    for h in hours:
        weekly.setdefault(h.weekday, []).append((h.opens, h.closes))
    exc: dict = {}
    for e in exceptions:
        exc.setdefault(e.date, [])
        if e.opens and e.closes:
            exc[e.date].append((e.opens, e.closes))
    overrides = calendar_overrides()
    return WorkingCalendar(weekly=weekly, exceptions=exc, follows_public_holidays=station.follows_public_holidays,
                           holiday_lookup=functools.partial(statutory_holiday, overrides=overrides))


def live_stations():
    return StationPage.objects.live().select_related("organization")


def station_list(*, organization: Organization | None = None, city: Organization | None = None,
                 service: str | None = None, q: str | None = None):
    qs = live_stations()
    for org in (organization, city):
        if org is not None:
            qs = qs.filter(organization__path__startswith=org.path)
    if service:
        qs = qs.filter(services__name__icontains=service, services__is_active=True).distinct()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(address__icontains=q))
    return qs.order_by("organization__path", "title")


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


_radius_hint: dict[int, float] = {}


@dataclass
class Nearby:
    station: StationPage
    distance_km: float


def nearest(lat: float, lng: float, *, limit: int = 10, queryset=None, max_radius_km: float = 2000.0) -> list[Nearby]:
    """Stations nearest to (lat, lng) by great-circle distance.

    A bounding box on the (latitude, longitude) index narrows the candidates first (reading only
    ids and coordinates); only candidates inside the box's inscribed circle are certain, so the box
    grows — guided by the density seen so far — until `limit` certain ones are found. The winners
    are then fetched with whatever the caller's queryset selects or prefetches, in one query."""
    qs = queryset if queryset is not None else live_stations()
    light = qs.prefetch_related(None).order_by()
    # Start from the radius recent searches ended with (any start gives the same, exact answer;
    # a good one saves rounds).
    radius = _radius_hint.get(limit, 10.0)
    while True:
        lo_lat, hi_lat, lo_lng, hi_lng = geo.bounding_box(lat, lng, radius)
        rows = light.filter(latitude__gte=lo_lat, latitude__lte=hi_lat,
                            longitude__gte=lo_lng, longitude__lte=hi_lng).values_list("pk", "latitude", "longitude")
        scored = sorted((geo.haversine_km(lat, lng, float(a), float(b)), pk) for pk, a, b in rows)
        certain = [(d, pk) for d, pk in scored if d <= radius]
        if len(certain) >= limit or radius >= max_radius_km:
            break
        # k stations within r means about k·(R/r)² within R: aim for 1.5× the needed count.
        radius = min(max_radius_km, radius * (4.0 if not certain else max(1.3, min(4.0, (1.5 * limit / len(certain)) ** 0.5))))
    _radius_hint[limit] = min(500.0, max(2.0, 0.8 * _radius_hint.get(limit, radius) + 0.2 * radius))
    top = certain[:limit]
    objects = qs.in_bulk([pk for _, pk in top])
    return [Nearby(objects[pk], d) for d, pk in top if pk in objects]


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


def station_page_context(station: StationPage, user, referral_id=None) -> dict:
    services = list(StationService.objects.filter(station=station, is_active=True))
    slots = list(upcoming_slots(station))
    by_service: dict = {}
    for slot in slots:
        by_service.setdefault(slot.service_id, []).append(slot)
    referral = None
    if referral_id and str(referral_id).isdigit() and user.is_authenticated:
        referral = Referral.objects.filter(pk=int(referral_id), asker=user, station=station).first()
    mine = []
    if user.is_authenticated:
        mine = list(Booking.objects.filter(user=user, station=station, status__in=HOLDING_STATUSES)
                    .select_related("slot__service"))
    return {
        "services": [{"service": s, "slots": by_service.get(s.pk, [])} for s in services],
        "hours": OpeningHours.objects.filter(station=station).order_by("weekday", "opens"),
        "rating": rating_summary(station),
        "ratings": recent_ratings(station),
        "referral": referral,
        "my_bookings": mine,
        "can_manage": can_manage(user, station),
        "ask_url": f"/qa/ask/?station={station.pk}",
        "is_open_now": working_calendar(station).is_open(timezone.now()),
    }


def overdue_pending(now=None):
    now = now or timezone.now()
    return Booking.objects.filter(status=BookingStatus.PENDING, respond_by__lt=now, escalated_at__isnull=True)


def stale_pending(now=None):
    """Pending requests whose slot has begun: nobody can confirm them any more."""
    now = now or timezone.now()
    return Booking.objects.filter(status=BookingStatus.PENDING, slot__starts_at__lte=now)
