"""Wagtail admin views for moderators and liaison officers. Thin: every write calls a service."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from core.errors import ServiceError
from core.redirects import safe_next
from organizations import permissions
from organizations.models import ALL_STAFF_ROLES, MODERATION_ROLES, Organization

from . import services
from .models import AlertStatus, CaseReason, CaseStatus, DecisionAction, ModerationCase, TermWindowCount

AGE_FILTERS = {"1h": timedelta(hours=1), "24h": timedelta(days=1), "7d": timedelta(days=7)}


def _page(request, template, context):
    """An admin page: Wagtail 8's generic base titles the page (<title> and header) from `header_title`."""
    context.setdefault("header_title", context.get("page_title"))
    return TemplateResponse(request, template, context)


def _require(user, roles):
    if not permissions.is_staff_anywhere(user, roles):
        raise PermissionDenied


def queue(request):
    _require(request.user, MODERATION_ROLES)
    status = request.GET.get("status") or CaseStatus.OPEN
    reason = request.GET.get("reason") or None
    org = None
    if request.GET.get("organization"):
        org = permissions.organizations_for(request.user, MODERATION_ROLES).filter(pk=request.GET["organization"]).first()
    qs = services.queue_for(request.user, status=status if status in CaseStatus.values else CaseStatus.OPEN,
                            reason=reason if reason in CaseReason.values else None, organization=org)
    age = request.GET.get("age")
    if age in AGE_FILTERS:
        qs = qs.filter(created_at__lte=timezone.now() - AGE_FILTERS[age])
    page = Paginator(qs, 50).get_page(request.GET.get("p"))
    branches = permissions.organizations_for(request.user, MODERATION_ROLES).filter(depth__lte=2).order_by("path")
    return _page(request, "moderation/admin/queue.html", {
        "page_title": _("Moderation queue"), "header_icon": "warning", "page_obj": page,
        "statuses": CaseStatus.choices, "reasons": CaseReason.choices, "branches": branches,
        "actions": [(DecisionAction.APPROVE, _("Approve")), (DecisionAction.REMOVE, _("Remove")),
                    (DecisionAction.RESTORE, _("Restore"))],
        "filters": {"status": status, "reason": reason or "", "organization": request.GET.get("organization", ""),
                    "age": age or ""},
        "ages": [("1h", _("older than 1 hour")), ("24h", _("older than 1 day")), ("7d", _("older than 7 days"))],
    })


@require_POST
def bulk_decide(request):
    _require(request.user, MODERATION_ROLES)
    ids = [int(i) for i in request.POST.getlist("case") if i.isdigit()]
    if not ids:
        messages.error(request, _("Select at least one item."))
        return redirect("moderation_queue")
    result = services.bulk_decide(moderator=request.user, case_ids=ids, action=request.POST.get("action", ""),
                                  reason=request.POST.get("reason", ""))
    if result["done"]:
        messages.success(request, _("%(n)d item(s) decided.") % {"n": len(result["done"])})
    for pk, message in result["refused"].items():
        messages.error(request, f"#{pk}: {message}")
    return redirect(safe_next(request, "moderation_queue"))


def case_detail(request, case_id):
    case = get_object_or_404(ModerationCase.objects.select_related("organization", "author", "content_type"), pk=case_id)
    if not permissions.can_act(request.user, case.organization, MODERATION_ROLES):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.decide(moderator=request.user, case=case, action=request.POST.get("action", ""),
                            reason=request.POST.get("reason", ""))
            messages.success(request, _("Decision recorded."))
        except ServiceError as exc:
            messages.error(request, exc.localized)
        return redirect("moderation_case", case_id=case.pk)
    return _page(request, "moderation/admin/case.html", {
        "page_title": _("Moderation case #%(id)s") % {"id": case.pk}, "header_icon": "warning", "case": case,
        "decisions": case.decisions.select_related("moderator"), "reports": case.reports.select_related("reporter"),
        "content": case.content_object,
    })


def alerts(request):
    _require(request.user, ALL_STAFF_ROLES)
    qs = services.alerts_for(request.user).order_by("-created_at")
    page = Paginator(qs, 50).get_page(request.GET.get("p"))
    return _page(request, "moderation/admin/alerts.html", {
        "page_title": _("Monitoring alerts"), "header_icon": "doc-full", "page_obj": page,
        "trend": _trend(request.user),
    })


def _trend(user, days: int = 14) -> dict:
    """Posts per day per monitored branch over the last two weeks, for the bar chart."""
    since = timezone.now() - timedelta(days=days)
    orgs = permissions.organizations_for(user, ALL_STAFF_ROLES)
    rows = TermWindowCount.objects.filter(organization__in=orgs, hour__gte=since).values_list("hour", "posts")
    per_day: dict = {}
    for hour, posts in rows:
        day = timezone.localtime(hour).date()
        per_day[day] = per_day.get(day, 0) + posts
    today = timezone.localdate()
    series = [(today - timedelta(days=i), per_day.get(today - timedelta(days=i), 0)) for i in range(days - 1, -1, -1)]
    peak = max([n for _, n in series] + [1])
    bars = []
    for i, (day, n) in enumerate(series):
        height = round(120 * n / peak)
        bars.append({"day": day, "n": n, "x": i * 50 + 5, "y": 135 - height, "h": height, "label_x": i * 50 + 23})
    return {"bars": bars, "peak": peak, "width": days * 50}


def alert_detail(request, alert_id):
    alert = get_object_or_404(services.alerts_for(request.user), pk=alert_id)
    if request.method == "POST":
        try:
            services.advance_alert(actor=request.user, alert=alert, step=request.POST.get("step", ""),
                                   comment=request.POST.get("comment", ""))
            messages.success(request, _("Step recorded."))
        except ServiceError as exc:
            messages.error(request, exc.localized)
        return redirect("moderation_alert", alert_id=alert.pk)
    next_steps = [step for step, (allowed, _to) in services.ALERT_TRANSITIONS.items() if alert.status in allowed]
    appeal = services.appeal_for_alert(alert)
    return _page(request, "moderation/admin/alert.html", {
        "page_title": alert.title, "header_icon": "doc-full", "alert": alert,
        "steps": alert.steps.select_related("actor"), "next_steps": next_steps,
        "parent": alert.organization.get_parent() if not alert.organization.is_root() else None,
        "appeal": appeal,
        "can_open_appeal": appeal is None and alert.kind in services.APPEALABLE_ALERT_KINDS
        and alert.status != AlertStatus.DISMISSED,
        "appeal_defaults": {"theme": services.alert_theme(alert), "group": f"{alert.organization.display_name}青年"},
    })


@require_POST
def alert_to_appeal(request, alert_id):
    """转为集中诉求: open a collective appeal from a concentrated-demand alert (or link to the one
    already opened). Appeals' own checks (operations group) surface as messages."""
    alert = get_object_or_404(services.alerts_for(request.user), pk=alert_id)
    try:
        appeal, created = services.open_appeal_from_alert(
            actor=request.user, alert=alert, theme=request.POST.get("theme", ""), group=request.POST.get("group", ""),
            details=request.POST.get("details", ""))
    except ServiceError as exc:
        messages.error(request, exc.localized)
        return redirect("moderation_alert", alert_id=alert.pk)
    link = reverse("appeals_admin:detail", args=[appeal.pk])
    if created:
        messages.success(request, _("Collective appeal #%(id)s opened.") % {"id": appeal.pk},
                         buttons=[messages.button(link, _("Open the appeal"))])
    else:
        messages.info(request, _("This alert is already collective appeal #%(id)s.") % {"id": appeal.pk},
                      buttons=[messages.button(link, _("Open the appeal"))])
    return redirect("moderation_alert", alert_id=alert.pk)


def word_import(request):
    if not permissions.can_act(request.user, Organization.get_first_root_node(), MODERATION_ROLES):
        raise PermissionDenied
    errors = {}
    if request.method == "POST":
        upload = request.FILES.get("file")
        data = upload.read().decode("utf-8-sig", errors="replace") if upload else request.POST.get("data", "")
        try:
            result = services.import_word_list(actor=request.user, data=data, replace=bool(request.POST.get("replace")))
            messages.success(request, _("%(n)d words imported (%(new)d new).") % {"n": result["imported"], "new": result["new"]})
            return redirect("moderation_word_import")
        except ServiceError as exc:
            messages.error(request, exc.localized)
            errors = exc.fields
    return _page(request, "moderation/admin/word_import.html", {
        "page_title": _("Import sensitive words"), "header_icon": "upload", "errors": sorted(errors.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0),
    })
