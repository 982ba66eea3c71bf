"""Stations API: stations (geo filters, nearest), services, slots, bookings, ratings, referrals,
coverage. Thin: reads go through selectors, writes through services."""

from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from core.errors import forbidden
from core.pagination import MAX_INT, MAX_LIMIT, MAX_OFFSET, LimitOffsetPagination
from core.schemas import StrictInt
from organizations.models import Organization

from . import coverage, hooks, selectors, services
from .domain.geo import CHINA_BOUNDS
from .models import BaseType, Booking, BookingStatus, StationService

router = Router()


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    duration_minutes: int
    slot_capacity: int


class StationFields(Schema):
    """What every station answer shows; StationOut reads it from a page, NearbyOut from one SQL row."""

    id: int
    title: str
    url: str | None = None
    organization_id: int
    organization: str
    base_type: BaseType
    batch: int
    address: str
    latitude: Decimal
    longitude: Decimal
    contact_phone: str
    services: list[ServiceOut] = []
    distance_km: float | None = None


class StationOut(StationFields):
    organization: str = Field(..., alias="organization.display_name")

    @staticmethod
    def resolve_services(obj):
        return [s for s in obj.services.all() if s.is_active]

    @staticmethod
    def resolve_url(obj, context):
        return obj.get_url(context["request"]) if context else obj.url


class StationDetail(StationOut):
    summary: str
    capacity: int
    contact_person: str
    hours: list[dict]
    rating_average: float | None
    rating_count: int
    ask_url: str

    @staticmethod
    def resolve_hours(obj):
        return [{"weekday": h.weekday, "opens": h.opens.strftime("%H:%M"), "closes": h.closes.strftime("%H:%M")}
                for h in obj.hours.order_by("weekday", "opens")]


class StationFilter(FilterSchema):
    organization: int | None = Field(None, description="Stations of this organisation and those below it (city, district)")
    service: str | None = Field(None, max_length=30, description="Offers a service whose name contains this")
    q: str | None = Field(None, max_length=40, description="Name or address contains")
    open_now: bool = False


class BookingOut(Schema):
    id: int
    station_id: int
    station: str = Field(..., alias="station.title")
    service: str = Field(..., alias="slot.service.name")
    slot_id: int
    starts_at: datetime = Field(..., alias="slot.starts_at")
    user: str = Field(..., alias="user.public_name")
    status: BookingStatus
    note: str
    requested_at: datetime
    respond_by: datetime
    is_overdue: bool
    responded_by: str | None = None
    decline_reason: str
    result: str
    rating: int | None
    rating_comment: str

    @staticmethod
    def resolve_responded_by(obj):
        return obj.responded_by.public_name if obj.responded_by_id else None


class CoverageRowOut(Schema):
    organization_id: int = Field(..., alias="unit.org_id")
    name: str = Field(..., alias="unit.name")
    kind: str = Field(..., alias="unit.kind")
    requirement: str
    required: int
    actual: int
    gap: int
    by_batch: dict[int, int] = Field(..., alias="unit.total_by_batch")


def _stations_qs():
    return selectors.live_stations().prefetch_related(
        Prefetch("services", queryset=StationService.objects.order_by("sort_order")))


def _filtered(filters: StationFilter):
    org = None
    if filters.organization:
        org = get_object_or_404(Organization, pk=filters.organization)
    return selectors.station_list(organization=org, service=filters.service, q=filters.q, open_now=filters.open_now)


class ClampedPagination(LimitOffsetPagination):
    """The station list's pages: a `limit` above MAX_LIMIT or an `offset` above MAX_OFFSET is clamped
    (a normal answer, bounded work) instead of a 422."""

    class Input(Schema):
        limit: int = Field(20, ge=1, le=MAX_INT, description=f"Items per page (at most {MAX_LIMIT}; more is clamped)")
        offset: int = Field(0, ge=0, le=MAX_INT, description=f"Items to skip (at most {MAX_OFFSET})")

    def paginate_queryset(self, queryset, pagination, request, **params):
        pagination.offset = min(pagination.offset, MAX_OFFSET)
        return super().paginate_queryset(queryset, pagination, request, **params)


@router.get("", response=list[StationOut], summary="List stations (filter by organisation, service, open now)")
@paginate(ClampedPagination)
def list_stations(request, filters: Query[StationFilter]):
    # Open now is a SQL filter (selectors.open_now_q): counted and sliced by the database.
    return _filtered(filters).prefetch_related(
        Prefetch("services", queryset=StationService.objects.order_by("sort_order")))


class NearbyOut(StationFields):
    """A station in the nearest-stations answer (from one SQL row), always with its distance."""

    distance_km: float


NEAREST_MAX = 50


@router.get("/nearest", response=list[NearbyOut], summary="Stations nearest to a point (great-circle distance)")
def nearest_stations(request,
                     lat: float = Query(..., ge=CHINA_BOUNDS[0], le=CHINA_BOUNDS[1], description="Latitude, within China"),
                     lng: float = Query(..., ge=CHINA_BOUNDS[2], le=CHINA_BOUNDS[3], description="Longitude, within China"),
                     limit: int = Query(10, ge=1, le=MAX_INT, description=f"At most {NEAREST_MAX} (a larger value is clamped)"),
                     service: str | None = Query(None, max_length=30)):
    # The bounds are China's box (stations.domain.geo.CHINA_BOUNDS), so a point outside China is a 422.
    # One SQL query (selectors.nearest_rows) gives every field; no model objects are built.
    rows = selectors.nearest_rows(lat, lng, limit=min(limit, NEAREST_MAX), service=service)
    for row, url in zip(rows, selectors.page_urls([r["url_path"] for r in rows], request), strict=True):
        row["url"], row["distance_km"] = url, round(row["distance_km"], 3)
    return rows


MAP_CACHE_CONTROL = "public, max-age=0, must-revalidate"


@router.get("/map", summary="Every live station for the map, compact: [id, lat, lng, name, city index]",
            description="One cached JSON document (ETag; If-None-Match → 304). `bbox=south,west,north,east` keeps "
                        "the stations inside (clamped to China). Popups link to `url` with the station's id.")
def station_map(request, bbox: str | None = Query(None, max_length=100, description="south,west,north,east")):
    return map_response(request, bbox)


def map_response(request, bbox: str | None = None) -> HttpResponse:
    """The map's JSON (also at /stations/map.json, `stations:map-data`), with its ETag and 304."""
    body, etag = selectors.map_data()
    box = _bbox(bbox)
    if box is not None:
        body, etag = _in_box(body, box), f'"{etag.strip(chr(34))}-{"_".join(f"{v:g}" for v in box)}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"], response["Cache-Control"] = etag, MAP_CACHE_CONTROL
    return response


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """`south,west,north,east` clamped to China's box; None when absent, unreadable or covering all of it."""
    if not text:
        return None
    try:
        south, west, north, east = (float(v) for v in text.split(","))
    except ValueError:
        return None
    lo_lat, hi_lat, lo_lng, hi_lng = CHINA_BOUNDS
    box = (max(lo_lat, min(south, north)), max(lo_lng, min(west, east)),
           min(hi_lat, max(south, north)), min(hi_lng, max(west, east)))
    if any(v != v for v in box) or box == (lo_lat, lo_lng, hi_lat, hi_lng):  # NaN, or the whole country
        return None
    return tuple(round(v, 4) for v in box)


def _in_box(body: bytes, box) -> bytes:
    import json

    data = json.loads(body)
    south, west, north, east = box
    data["stations"] = [s for s in data["stations"] if south <= s[1] <= north and west <= s[2] <= east]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


@router.get("/bookings", response=list[BookingOut], auth=django_auth, summary="My bookings")
@paginate(LimitOffsetPagination)
def my_bookings(request, status: BookingStatus | None = None):
    qs = selectors.bookings_for_user(request.user)
    return qs.filter(status=status) if status else qs


@router.get("/bookings/managed", response=list[BookingOut], auth=django_auth,
            summary="Bookings of the stations I administer (by response deadline)")
@paginate(LimitOffsetPagination)
def managed_bookings(request, status: BookingStatus | None = None):
    return selectors.bookings_for_manager(request.user, status=status)


@router.get("/coverage", response=list[CoverageRowOut], auth=django_auth,
            summary="Coverage per city, county and university against A3.2 (staff)")
def coverage_report(request, gaps_only: bool = False):
    from organizations.permissions import is_staff_anywhere

    if not is_staff_anywhere(request.user):
        raise forbidden()
    rows = coverage.report()
    return [r for r in rows if not r.met] if gaps_only else rows


# --- bookings -----------------------------------------------------------------------------------

class BookingIn(Schema):
    slot_id: StrictInt
    note: str = Field("", max_length=300)
    referral_id: StrictInt | None = None


def _booking(booking_id: int) -> Booking:
    return Booking.objects.select_related("slot__service", "station", "user", "responded_by").get(pk=booking_id)


@router.post("/bookings", response={201: BookingOut}, auth=django_auth, summary="Request a slot")
def create_booking(request, payload: BookingIn):
    b = services.request_booking(user=request.user, slot_id=payload.slot_id, note=payload.note,
                                 referral_id=payload.referral_id)
    return 201, b  # slot, service, station and user are already loaded


class BookingDeclineIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class ResultIn(Schema):
    result: str = Field(..., min_length=1, max_length=2000)


class RatingIn(Schema):
    score: StrictInt = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


@router.post("/bookings/{booking_id}/confirm", response=BookingOut, auth=django_auth, summary="Confirm (station admin)")
def confirm(request, booking_id: int):
    return _booking(services.confirm_booking(actor=request.user, booking_id=booking_id).pk)


@router.post("/bookings/{booking_id}/decline", response=BookingOut, auth=django_auth, summary="Decline with a reason")
def decline(request, booking_id: int, payload: BookingDeclineIn):
    return _booking(services.decline_booking(actor=request.user, booking_id=booking_id, reason=payload.reason).pk)


@router.post("/bookings/{booking_id}/cancel", response=BookingOut, auth=django_auth, summary="Cancel my booking")
def cancel(request, booking_id: int):
    return _booking(services.cancel_booking(actor=request.user, booking_id=booking_id).pk)


@router.post("/bookings/{booking_id}/result", response=BookingOut, auth=django_auth, summary="Record the service result")
def result(request, booking_id: int, payload: ResultIn):
    return _booking(services.record_result(actor=request.user, booking_id=booking_id, result=payload.result).pk)


@router.post("/bookings/{booking_id}/rating", response=BookingOut, auth=django_auth, summary="Rate the service 1–5")
def rate(request, booking_id: int, payload: RatingIn):
    return _booking(services.rate_booking(actor=request.user, booking_id=booking_id, score=payload.score,
                                          comment=payload.comment).pk)


# --- referral -----------------------------------------------------------------------------------

class ReferralIn(Schema):
    question_id: StrictInt = Field(..., ge=1, le=MAX_INT)
    question_title: str = Field("", max_length=200)
    question_url: str = Field("", max_length=300)
    asker_id: StrictInt
    station_id: StrictInt
    service_id: StrictInt | None = None
    note: str = Field("", max_length=300)


class ReferralOut(Schema):
    id: int
    question_id: int
    station_id: int
    asker_id: int
    booking_url: str


@router.post("/referrals", response={201: ReferralOut}, auth=django_auth,
             summary="Refer a question to a station, offering the asker a booking (staff)")
def create_referral(request, payload: ReferralIn):
    from django.contrib.auth import get_user_model

    station = get_object_or_404(selectors.live_stations(), pk=payload.station_id)
    asker = get_object_or_404(get_user_model(), pk=payload.asker_id)
    service = None
    if payload.service_id:
        service = get_object_or_404(StationService, pk=payload.service_id)
    # The Q&A app's referral (stations.hooks): the question's own title and address are used
    # (question_title/question_url are ignored), the same path as the Q&A endpoint.
    r = hooks.question_referral(actor=request.user, question_id=payload.question_id, asker=asker, station=station,
                                service=service, note=payload.note)
    r.booking_url = f"{station.url}?referral={r.pk}#book"
    return 201, r


# --- one station: declared last, because `/{station_id}` would match `/referrals` and the like ----

@router.get("/{station_id}", response=StationDetail, summary="A station")
def station_detail(request, station_id: int):
    s = get_object_or_404(_stations_qs(), pk=station_id)
    summary = selectors.rating_summary(s)
    s.rating_average, s.rating_count = summary["average"], summary["count"]
    s.ask_url = f"/qa/ask/?station={s.pk}"
    return s


class SlotOut(Schema):
    id: int
    service_id: int
    service: str = Field(..., alias="service.name")
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    places_left: int


@router.get("/{station_id}/slots", response=list[SlotOut], summary="Upcoming bookable slots")
def station_slots(request, station_id: int, service: int | None = None, days: int = Query(14, ge=1, le=31)):
    station = get_object_or_404(selectors.live_stations(), pk=station_id)
    return list(selectors.upcoming_slots(station, service_id=service, days=days, limit=200))


class RatingOut(Schema):
    score: int = Field(..., alias="rating")
    comment: str = Field(..., alias="rating_comment")
    service: str = Field(..., alias="slot.service.name")
    rated_at: datetime
    by: str = Field(..., alias="user.public_name")


@router.get("/{station_id}/ratings", response=list[RatingOut], summary="Recent ratings of a station")
def station_ratings(request, station_id: int, limit: int = Query(20, ge=1, le=100)):
    station = get_object_or_404(selectors.live_stations(), pk=station_id)
    return list(selectors.recent_ratings(station, limit=limit))
