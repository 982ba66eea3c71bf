"""Public directory and staff pages at /alliances/ (thin: selectors and services do the work)."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.domains import ServiceDomain
from core.errors import ServiceError
from core.page_cache import anonymous_cacheable
from organizations import permissions
from organizations.models import Organization

from . import exports, selectors, services
from .domain import demand as demand_rules
from .domain.stats import RANK_KEYS, ExpertStats, format_duration
from .models import AllianceMembership, AlliancePage, ExpertKind
from .sources import community_sources


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@anonymous_cacheable  # anonymous visitors only: a signed-in user's page has their quick links
def directory(request):
    domain = request.GET.get("domain") if request.GET.get("domain") in ServiceDomain.values else ""
    kind = request.GET.get("kind") if request.GET.get("kind") in ExpertKind.values else ""
    city = Organization.objects.filter(pk=_int(request.GET.get("city"))).first()
    station = _int(request.GET.get("station"))
    q = (request.GET.get("q") or "").strip()[:40]
    experts = selectors.directory(domain=domain or None, city=city, station_id=station, q=q or None, kind=kind or None)
    page = Paginator(experts, 24).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "alliances/directory.html", {
        "page_obj": page, "domains": ServiceDomain.choices, "kinds": ExpertKind.choices, "cities": selectors.cities(),
        "selected": {"domain": domain, "kind": kind, "city": city.pk if city else None, "q": q, "station": station},
        "alliances": selectors.live_alliances(domain=domain or None, organization=city)[:60],
        "querystring": params.urlencode(),
    })


@anonymous_cacheable  # anonymous visitors only: a manager sees their tools
def expert_detail(request, pk: int):
    expert = get_object_or_404(selectors.public_experts(), pk=pk)
    sources = community_sources()
    stats = None
    if sources is not None:
        end = timezone.now()
        stats = selectors.expert_statistics(sources=sources, since=end - timedelta(days=365), until=end,
                                            user_ids=[expert.user_id]).get(expert.user_id)
    stats = stats or ExpertStats(expert_user_id=expert.user_id)
    return render(request, "alliances/expert_detail.html", {
        "expert": expert, "stats": stats, "stats_available": sources is not None,
        "median_response": format_duration(stats.median_response_seconds),
        "mean_response": format_duration(stats.mean_response_seconds),
        "alliances": selectors.alliances_of_expert(expert),
        "can_manage": services.can_manage_expert(request.user, expert),
    })


def _range(request):
    since, until = demand_rules.resolve_range(_date(request.GET.get("since")), _date(request.GET.get("until")),
                                              timezone.localdate())
    tz = timezone.get_current_timezone()
    return since, until, datetime.combine(since, time.min, tzinfo=tz), datetime.combine(until + timedelta(days=1),
                                                                                           time.min, tzinfo=tz)


@login_required
def statistics(request):
    """Liaison officers: their alliances' members ranked; export CSV/XLSX."""
    alliances = list(selectors.manageable_alliances(request.user))
    if not alliances:
        raise PermissionDenied
    alliance = next((a for a in alliances if a.pk == _int(request.GET.get("alliance"))), alliances[0])
    order = request.GET.get("order") if request.GET.get("order") in RANK_KEYS else "answers"
    try:
        since, until, start, end = _range(request)
    except ServiceError as exc:
        return render(request, "alliances/error.html", {"error": exc}, status=exc.status)
    sources = community_sources()
    rows, ranked = selectors.ranked_members(alliance=alliance, sources=sources, since=start, until=end, order=order)
    fmt = request.GET.get("format")
    filename = f"alliance-{alliance.pk}-{since}-{until}"
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(ranked), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(exports.to_xlsx(ranked),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    return render(request, "alliances/statistics.html", {
        "alliances": alliances, "alliance": alliance, "order": order, "orders": list(RANK_KEYS),
        "since": since, "until": until, "stats_available": sources is not None,
        "ranked": [{"expert": e, "stats": s, "median": format_duration(s.median_response_seconds)} for e, s in ranked],
        "totals": selectors.alliance_totals(rows),
    })


@login_required
def demand(request):
    """Staff and experts (member organisations' people): where the questions are."""
    if not (permissions.is_staff_anywhere(request.user) or selectors.is_expert(request.user)):
        raise PermissionDenied
    period = request.GET.get("period") if request.GET.get("period") in demand_rules.PERIODS else "month"
    domain = request.GET.get("domain") if request.GET.get("domain") in ServiceDomain.values else None
    region = Organization.objects.filter(pk=_int(request.GET.get("region"))).first()
    try:
        since, until, start, end = _range(request)
    except ServiceError as exc:
        return render(request, "alliances/error.html", {"error": exc}, status=exc.status)
    sources = community_sources()
    data = None
    if sources is not None and sources.questions is not None:
        data = selectors.demand(sources=sources, since=start, until=end, period=period, region=region, domain=domain)
        labels = dict(ServiceDomain.choices)
        data["domain_bars"] = demand_rules.bars(data["by_domain"]["row_totals"], labels=labels)
        data["region_bars"] = demand_rules.bars(data["by_region"]["row_totals"])
    return render(request, "alliances/demand.html", {
        "data": data, "period": period, "periods": demand_rules.PERIODS, "domain": domain, "region": region,
        "domains": ServiceDomain.choices, "regions": selectors.cities(), "since": since, "until": until,
    })


@login_required
def queue(request):
    """The expert's personal queue: open invitations, earliest deadline first."""
    expert = selectors.active_expert(request.user)
    if expert is None:
        raise PermissionDenied
    items = selectors.expert_queue(request.user, community_sources())
    now = timezone.now()
    for item in items:
        item["overdue"] = bool(item["deadline"] and item["deadline"] < now)
    memberships = AllianceMembership.objects.filter(expert=expert).select_related("alliance").order_by("-created_at")
    return render(request, "alliances/queue.html", {"expert": expert, "items": items, "memberships": memberships})


@login_required
@require_POST
def apply(request, alliance_id: int):
    alliance = get_object_or_404(AlliancePage.objects.live(), pk=alliance_id)
    try:
        services.apply_to_alliance(actor=request.user, alliance=alliance,
                                   real_name=request.POST.get("real_name", "")[:40],
                                   title=request.POST.get("title", "")[:80],
                                   message=request.POST.get("message", "")[:300])
        messages.success(request, _("Your application was sent to the alliance's liaison officers."))
    except ServiceError as exc:
        messages.error(request, exc.localized)
    return redirect(alliance.url)


@login_required
@require_POST
def act_on_membership(request, pk: int, action: str):
    membership = get_object_or_404(AllianceMembership.objects.select_related("alliance"), pk=pk)
    reason = request.POST.get("reason", "")[:300]
    actions = {
        "approve": lambda: services.decide_application(actor=request.user, membership=membership, approve=True),
        "reject": lambda: services.decide_application(actor=request.user, membership=membership, approve=False,
                                                      reason=reason),
        "suspend": lambda: services.suspend_membership(actor=request.user, membership=membership, reason=reason),
        "reinstate": lambda: services.reinstate_membership(actor=request.user, membership=membership, reason=reason),
        "remove": lambda: services.remove_membership(actor=request.user, membership=membership, reason=reason),
        "accept": lambda: services.respond_to_invitation(actor=request.user, membership=membership, accept=True),
        "decline": lambda: services.respond_to_invitation(actor=request.user, membership=membership, accept=False),
    }
    if action not in actions:
        return HttpResponse(status=404)
    try:
        actions[action]()
        messages.success(request, _("Done."))
    except ServiceError as exc:
        messages.error(request, exc.localized)
        if exc.status == 403:
            raise PermissionDenied from exc
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = membership.alliance.url or "/alliances/"
    return redirect(target)
