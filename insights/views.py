"""Admin views (Wagtail admin, registered in wagtail_hooks): the KPI dashboard per organisation
with drill-down, the staff supervision list and page, and the exports. Thin: they parse the
request, check scope through insights.access and read through insights.selectors."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Invalid, ServiceError
from organizations import permissions
from organizations.models import ALL_STAFF_ROLES, StaffMembership
from organizations.selectors import ancestors

from . import charts, exports, selectors
from .access import checked_range, home_organization, organization_for
from .models import TrainingRecord

EXPORT_TABLES = ("series", "children", "cadre", "liaison", "expert")


def _require_staff(request):
    if not permissions.is_staff_anywhere(request.user, ALL_STAFF_ROLES):
        raise PermissionDenied


def _parse_date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise Invalid(gettext_lazy("Dates must be YYYY-MM-DD"), fields={name: value}) from exc


def _params(request, *, default_days: int = 30):
    """(organisation, first, last, granularity) from the query string; ServiceError when bad."""
    today = timezone.localdate()
    last = _parse_date(request.GET["to"], "to") if request.GET.get("to") else today - timedelta(days=1)
    first = _parse_date(request.GET["from"], "from") if request.GET.get("from") else last - timedelta(days=default_days - 1)
    granularity = request.GET.get("granularity") or ""
    if not granularity:
        span = (last - first).days + 1
        granularity = "day" if span <= 62 else "week" if span <= 200 else "month"
    if granularity not in ("day", "week", "month", "year"):
        raise Invalid(gettext_lazy("Unknown granularity"), fields={"granularity": granularity})
    checked_range(first, last, granularity)
    org_id = request.GET.get("org")
    if org_id:
        if not org_id.isdigit():
            raise Invalid(gettext_lazy("Invalid organisation id"), fields={"org": org_id})
        org = organization_for(request.user, int(org_id))
    else:
        org = home_organization(request.user)
        if org is None:
            raise PermissionDenied
    return org, first, last, granularity


def _error(request, exc: ServiceError):
    return TemplateResponse(request, "insights/admin/error.html", {"error": exc}, status=exc.status)


def _breadcrumb(request, org):
    return [a for a in [*ancestors(org), org] if permissions.can_act(request.user, a, ALL_STAFF_ROLES)]


LABEL_FORMATS = {"day": "%m-%d", "week": "%m-%d", "month": "%Y-%m", "year": "%Y"}


def _label(period: date, granularity: str) -> str:
    return period.strftime(LABEL_FORMATS[granularity])


def _export(rows, columns, fmt: str, name: str):
    headers, body = exports.table(rows, columns)
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(headers, body), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(headers, body, name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def dashboard(request):
    _require_staff(request)
    try:
        org, first, last, granularity = _params(request)
    except ServiceError as exc:
        return _error(request, exc)
    query = {"org": org.pk, "from": first.isoformat(), "to": last.isoformat(), "granularity": granularity}
    fmt, table = request.GET.get("export"), request.GET.get("table")
    if fmt:
        if fmt not in ("csv", "xlsx") or table not in EXPORT_TABLES:
            return _error(request, Invalid(gettext_lazy("Unknown export"), fields={"export": fmt, "table": table}))
        name = f"kpi-{org.slug}-{table}-{first}-{last}"
        if table == "series":
            rows = selectors.org_series(org, first, last, granularity)
            return _export([{**r, "name": org.display_name} for r in rows], exports.ORG_COLUMNS, fmt, name)
        if table == "children":
            return _export(selectors.org_leaderboard(org, first, last), exports.ORG_COLUMNS, fmt, name)
        return _export(selectors.people_totals(org, first, last, table), exports.PERSON_COLUMNS, fmt, name)

    totals = selectors.org_totals(org, first, last)
    series = selectors.org_series(org, first, last, granularity)
    rows = selectors.children_totals(org, first, last)
    children = [r for r in selectors.org_leaderboard(org, first, last, rows) if not r.get("own_level")]
    own = [r for r in rows if r.get("own_level")]
    labels = [_label(s["period"], granularity) for s in series]
    volume_chart = charts.line_chart(
        labels, [(_("Questions"), [s["questions"] for s in series]), (_("Answers"), [s["answers"] for s in series]),
                 (_("Bookings"), [s["bookings"] for s in series])],
        title=_("Questions, answers and bookings"), desc=_("Per period, the organisation and its subtree."), uid="vol")
    response_chart = charts.line_chart(
        labels, [(_("Median (min)"), [s["first_response_median_min"] for s in series]),
                 (_("90th percentile (min)"), [s["first_response_p90_min"] for s in series])],
        title=_("First-response time"), desc=_("Minutes from a question to its first answer."), uid="rt")
    ranking_chart = charts.bar_chart(
        [(c["name"], c["score"]) for c in children[:15]], title=_("Organisation score"),
        desc=_("Score of each organisation below, see docs."), uid="rank") if children else ""
    leaders = {kind: selectors.people_totals(org, first, last, kind, limit=10) for kind in ("liaison", "expert", "cadre")}
    return TemplateResponse(request, "insights/admin/dashboard.html", {
        "org": org, "first": first, "last": last, "granularity": granularity,
        "breadcrumb": _breadcrumb(request, org), "totals": totals, "series": series, "children": children,
        "own": own[0] if own else None, "leaders": leaders,
        "volume_chart": mark_safe(volume_chart), "response_chart": mark_safe(response_chart),  # noqa: S308 (escaped)
        "ranking_chart": mark_safe(ranking_chart),  # noqa: S308
        "station_map": selectors.station_map(org, first, last, rows), "tile_url": settings.YV_MAP_TILE_URL,
        "tile_attribution": settings.YV_MAP_TILE_ATTRIBUTION,
        "query": urlencode(query), "range_query": urlencode({k: v for k, v in query.items() if k != "org"}),
        "granularities": [("day", _("Day")), ("week", _("Week")), ("month", _("Month")), ("year", _("Year"))],
    })


# ---------------------------------------------------------------- staff management

def staff_index(request):
    """Supervision: every staff member of the subtree with their work over the range."""
    _require_staff(request)
    try:
        org, first, last, _granularity = _params(request)
    except ServiceError as exc:
        return _error(request, exc)
    people = selectors.people_totals(org, first, last, "cadre")
    roles: dict[int, list[str]] = {}
    for m in selectors.staff_list(org):
        roles.setdefault(m.user_id, []).append(f"{m.organization.display_name}·{m.get_role_display()}")
    for p in people:
        p["roles"] = "、".join(roles.get(p["user_id"], [])) or _("League cadre (expert)")
    trainings = TrainingRecord.objects.filter(organization__path__startswith=org.path).select_related("user")[:10]
    return TemplateResponse(request, "insights/admin/staff.html", {
        "org": org, "first": first, "last": last, "people": people, "breadcrumb": _breadcrumb(request, org),
        "trainings": trainings,
        "range_query": urlencode({"from": first.isoformat(), "to": last.isoformat()}),
        "roster_url": _safe_reverse("roster:index"), "staff_url": _safe_reverse("staff:index"),
        "training_url": _safe_reverse("insights_training:index"),
        "training_add_url": _safe_reverse("insights_training:add"),
    })


def _safe_reverse(name):
    try:
        return reverse(name)
    except Exception:  # noqa: BLE001 - a viewset missing in a trimmed deployment only hides a link
        return ""


def _person_or_404(request, user_id: int):
    """The person, if the viewer can act on one of the organisations they work for."""
    from alliances.models import ExpertProfile

    person = get_user_model().objects.filter(pk=user_id).first()
    if person is None:
        raise Http404
    orgs = [m.organization for m in StaffMembership.objects.active().filter(user=person).select_related("organization")]
    expert = ExpertProfile.objects.filter(user=person).select_related("organization").first()
    if expert and expert.organization_id:
        orgs.append(expert.organization)
    if not any(permissions.can_act(request.user, o, ALL_STAFF_ROLES) for o in orgs):
        raise Http404
    return person, orgs, expert


def person(request, user_id: int):
    _require_staff(request)
    person, orgs, expert = _person_or_404(request, user_id)
    today = timezone.localdate()
    try:
        first = _parse_date(request.GET["from"], "from") if request.GET.get("from") else today.replace(day=1) - timedelta(days=335)
        last = _parse_date(request.GET["to"], "to") if request.GET.get("to") else today
        checked_range(first, last, "month")
    except ServiceError as exc:
        return _error(request, exc)
    months = selectors.person_series(person, first.replace(day=1), last, "month")
    chart = charts.line_chart(
        [m["period"].strftime("%Y-%m") for m in months],
        [(_("Answers"), [m["answers"] for m in months]), (_("On time"), [m["on_time"] for m in months]),
         (_("Score"), [m["score"] for m in months])],
        title=_("Work by month"), desc=_("Answers, on-time first responses and contribution score by month."),
        uid="person")
    return TemplateResponse(request, "insights/admin/person.html", {
        "person": person, "orgs": orgs, "expert": expert, "months": months, "chart": mark_safe(chart),  # noqa: S308
        "work": selectors.recent_work(person), "years": [today.year, today.year - 1],
        "memberships": StaffMembership.objects.active().filter(user=person).select_related("organization"),
    })


def appraisal(request, user_id: int, year: int):
    _require_staff(request)
    if not 2000 <= year <= 2100:
        raise Http404
    person, orgs, expert = _person_or_404(request, user_id)
    first, last = date(year, 1, 1), date(year, 12, 31)
    months = selectors.person_series(person, first, last, "month")
    total = selectors.person_series(person, first, last, "year")[0]
    roles = "、".join(f"{m.organization.display_name}·{m.get_role_display()}" for m in
                      StaffMembership.objects.active().filter(user=person).select_related("organization"))
    if expert:
        roles = "、".join(filter(None, [roles, str(expert.get_kind_display())]))
    from organizations.models import DutyShift

    shifts = DutyShift.objects.filter(user=person, cancelled_at__isnull=True, starts_at__year=year).count()
    trainings = list(TrainingRecord.objects.filter(user=person, held_on__year=year).order_by("held_on"))
    data = exports.appraisal_xlsx(
        person={"name": person.real_name or person.public_name, "organization": orgs[0].name if orgs else "",
                "roles": roles},
        year=year, months=months, total=total, trainings=trainings, shifts=shifts)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="appraisal-{person.pk}-{year}.xlsx"'
    return response


# ---------------------------------------------------------------- awards rounds (评优表彰)

def _rounds_for(user):
    from .models import AwardRound

    return AwardRound.objects.filter(organization__in=permissions.organizations_for(user, ALL_STAFF_ROLES))


def awards(request):
    """The awards rounds of the user's subtree (a parent organisation sees its children's, to approve),
    and opening a round for an organisation the user administers."""
    from organizations.models import ADMIN_ROLES

    from . import services

    _require_staff(request)
    if request.method == "POST":
        org = permissions.organizations_for(request.user, ADMIN_ROLES).filter(
            pk=request.POST.get("organization") or 0).first()
        try:
            if org is None:
                raise Invalid(gettext_lazy("Choose an organisation you administer"), fields={"organization": "required"})
            year = int(request.POST.get("year") or 0)
            rnd = services.open_award_round(actor=request.user, organization=org, year=year)
        except (ServiceError, ValueError) as exc:
            from django.contrib import messages

            messages.error(request, getattr(exc, "message", "年度无效"))
        else:
            from django.shortcuts import redirect

            return redirect("insights_admin:award_round", round_id=rnd.pk)
    return TemplateResponse(request, "insights/admin/awards.html", {
        "rounds": _rounds_for(request.user).select_related("organization")[:200],
        "admin_orgs": permissions.organizations_for(request.user, ADMIN_ROLES).order_by("path")[:300],
        "this_year": timezone.localdate().year,
    })


def award_round(request, round_id: int):
    """One round: candidates per category ranked by their figures (nominate), nominations (the parent
    organisation approves), publish. Every write goes through insights.services."""
    from django.contrib import messages
    from django.shortcuts import get_object_or_404, redirect

    from organizations.models import ADMIN_ROLES

    from . import services
    from .models import AwardCategory, AwardNomination, NominationStatus

    _require_staff(request)
    rnd = get_object_or_404(_rounds_for(request.user).select_related("organization"), pk=round_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "nominate":
                category = request.POST.get("category", "")
                key = request.POST.get("candidate", "")
                kind, _sep, pk = key.partition(":")
                user = station = None
                if kind == "user":
                    user = get_user_model().objects.filter(pk=int(pk) if pk.isdigit() else 0).first()
                elif kind == "station":
                    from stations.models import StationPage

                    station = StationPage.objects.filter(pk=int(pk) if pk.isdigit() else 0).first()
                services.nominate(actor=request.user, award_round=rnd, category=category, user=user, station=station,
                                  citation=request.POST.get("citation", ""))
            elif action in ("approve", "reject"):
                nomination = get_object_or_404(AwardNomination, pk=request.POST.get("nomination") or 0, round=rnd)
                services.decide_nomination(actor=request.user, nomination=nomination, approve=action == "approve",
                                           note=request.POST.get("note", ""))
            elif action == "publish":
                services.publish_award_round(actor=request.user, award_round=rnd)
            else:
                raise Invalid(gettext_lazy("Unknown action"))
        except ServiceError as exc:
            messages.error(request, exc.localized)
        else:
            messages.success(request, _("Done."))
        return redirect("insights_admin:award_round", round_id=rnd.pk)
    nominated = set()
    nominations = list(rnd.nominations.select_related("decided_by", "nominated_by"))
    for n in nominations:
        nominated.add((n.category, f"user:{n.user_id}" if n.user_id else f"station:{n.station_id}"))
    can_nominate = rnd.status == "open" and permissions.can_act(request.user, rnd.organization, services.AWARD_ROLES)
    categories = []
    for value, label in AwardCategory.choices:
        rows = services.award_candidates(rnd, value)[:20]
        for r in rows:
            r["nominated"] = (value, r["key"]) in nominated
        categories.append({"value": value, "label": label, "candidates": rows})
    approver = services._approver_org(rnd)
    return TemplateResponse(request, "insights/admin/award_round.html", {
        "round": rnd, "categories": categories, "nominations": nominations, "can_nominate": can_nominate,
        "can_decide": rnd.status == "open" and permissions.can_act(request.user, approver, ADMIN_ROLES),
        "can_publish": rnd.status == "open" and permissions.can_act(request.user, rnd.organization, ADMIN_ROLES),
        "approver": approver, "pending": NominationStatus.NOMINATED,
    })
