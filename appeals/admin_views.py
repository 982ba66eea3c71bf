"""Wagtail admin views for appeal handlers: queues per role (my tasks, by state, overdue), the record
page with its form, sources, timeline and the steps the user can take. Thin: reads come from
selectors, writes from services."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import reveal
from core.errors import ServiceError
from organizations.models import Organization

from . import exports, permissions, selectors, services
from .domain.workflow import STATE_LABELS, State
from .models import Appeal, AppealKind
from .pdf import form_rows, user_name_for_form

TABS = [("tasks", _("My tasks")), ("all", _("All")), ("overdue", _("Overdue"))]


def _require_handler(request):
    if not permissions.is_handler_anywhere(request.user):
        raise Http404


def _filtered(request):
    tab = request.GET.get("view", "tasks")
    if tab == "overdue":
        qs = selectors.overdue(request.user)
    elif tab == "all":
        qs = selectors.staff_queryset(request.user)
    else:
        tab = "tasks"
        qs = selectors.my_tasks(request.user)
    state = request.GET.get("state", "")
    if state in State.ALL:
        qs = qs.filter(state=state)
    kind = request.GET.get("kind", "")
    if kind in AppealKind.values:
        qs = qs.filter(kind=kind)
    return tab, state, kind, qs.order_by("step_due_at", "-pk")


def index(request):
    _require_handler(request)
    tab, state, kind, qs = _filtered(request)
    page = Paginator(qs, 30).get_page(request.GET.get("p"))
    return TemplateResponse(request, "appeals/admin/index.html", {
        "page_obj": page, "tab": tab, "tabs": TABS, "state": state, "kind": kind, "now": timezone.now(),
        "states": [(s, STATE_LABELS[s][0]) for s in State.ALL], "kinds": AppealKind.choices,
        "query": request.GET.urlencode(),
    })


def _visible(request, pk) -> Appeal:
    _require_handler(request)
    appeal = Appeal.objects.select_related("organization", "lead_organization", "requester").filter(pk=pk).first()
    if appeal is None or not permissions.can_view(request.user, appeal):
        raise Http404
    return appeal


def _header_rows(request, appeal):
    """The form's header; the requester's name follows the personal-data rule (masked outside the
    viewer's subtree, logged when shown in the clear)."""
    return form_rows(appeal, user_name=_printed_name(request, appeal, "detail"))


def _printed_name(request, appeal, where: str) -> str | None:
    """用户姓名 as this viewer may see it (masked outside their subtree, logged when shown)."""
    if appeal.kind != "individual":
        return None
    name = user_name_for_form(appeal)
    if not name:
        return name
    return reveal(request.user, appeal.requester, {"real_name": name},
                  where=f"admin:appeals {where} ({appeal.reference})", request=request, label=appeal.reference,
                  allowed=permissions.can_see_requester(request.user, appeal))["real_name"]


def detail(request, pk):
    appeal = _visible(request, pk)
    actions = selectors.actions_for(request.user, appeal)
    lead_choices = []
    if any(a["name"] == "assign" for a in actions):
        lead_choices = Organization.objects.filter(path__startswith=appeal.organization.path).exclude(pk=appeal.organization_id)
        if not permissions.is_superuser(request.user):
            lead_choices = [o for o in lead_choices if permissions.has_role_over(request.user, "coordination", o)]
    return TemplateResponse(request, "appeals/admin/detail.html", {
        "appeal": appeal, "actions": actions, "events": selectors.timeline(appeal), "sources": appeal.sources.all(),
        "header_rows": _header_rows(request, appeal), "co_handlers": appeal.co_handlers.all(), "lead_choices": lead_choices,
        "now": timezone.now(),
    })


@require_POST
def step(request, pk, name):
    appeal = _visible(request, pk)
    post = request.POST
    fields = {k[len("field_"):]: v for k, v in post.items() if k.startswith("field_")}
    try:
        lead = Organization.objects.filter(pk=post.get("lead_organization") or 0).first()
        co = list(Organization.objects.filter(pk__in=[int(x) for x in post.getlist("co_handlers") if x.isdigit()]))
        version = int(post["version"]) if post.get("version", "").isdigit() else None
        services.transition(
            actor=request.user, appeal_id=appeal.pk, name=name, comment=post.get("comment", ""), fields=fields,
            lead_organization=lead, co_handlers=co, rating=post.get("rating") or None, expected_version=version,
        )
    except ServiceError as exc:
        messages.error(request, exc.localized)
    else:
        messages.success(request, _("Done."))
    return redirect("appeals_admin:detail", pk=appeal.pk)


def form_pdf(request, pk):
    appeal = _visible(request, pk)
    from .pdf import render_form

    response = HttpResponse(render_form(appeal, user_name=_printed_name(request, appeal, "form PDF")),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{appeal.reference}.pdf"'
    return response


def export(request, fmt):
    _require_handler(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    _, _, _, qs = _filtered(request)
    return exports.response(qs, fmt, viewer=request.user, request=request)
