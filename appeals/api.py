"""Appeals API (thin; rules live in services/selectors). Staff endpoints need an appeal role and are
scoped to the handler's subtree; `/mine/` endpoints are the youth's own view, without internal opinions."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from accounts.selectors import reveal
from core.errors import Forbidden, NotFound
from core.pagination import MAX_BIGINT, MAX_INT, MAX_LIMIT, MAX_OFFSET, LimitOffsetPagination
from core.schemas import Date, DateTime, StrictInt
from organizations.models import Organization

from . import exports, permissions, selectors, services
from .domain.workflow import TRANSITIONS
from .models import Appeal, AppealKind

router = Router(auth=django_auth)


def _staff(request):
    if not permissions.is_handler_anywhere(request.user):
        raise Forbidden(_("Only appeal handlers may do this"))


def _org(org_id: int | None, field: str) -> Organization | None:
    if org_id is None:
        return None
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        raise NotFound(_("Organisation not found"), fields={field: org_id})
    return org


def _staff_appeal(request, appeal_id: int) -> Appeal:
    appeal = Appeal.objects.select_related("organization", "lead_organization").filter(pk=appeal_id).first()
    if appeal is None or not permissions.can_view(request.user, appeal):
        raise NotFound(_("Appeal not found"))
    return appeal


class SourceOut(Schema):
    kind: str
    question_id: int | None
    external_ref: str
    title: str
    url: str


class AppealListOut(Schema):
    id: int
    reference: str
    kind: AppealKind
    state: str
    state_label: str
    theme: str
    organization_id: int
    lead_organization_id: int | None
    step_due_at: datetime | None
    handoff_count: int
    escalation_level: int
    version: int
    created_at: datetime


class AppealEventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor_id: int | None
    actor_role: str
    comment: str
    public: bool
    data: dict
    created_at: datetime


class AppealOut(AppealListOut):
    filed_on: date | None
    youth_group: str
    period_start: date | None
    period_end: date | None
    thread_count: int | None
    user_count: int | None
    user_name: str
    reported_at: datetime | None
    reply_count: int | None
    location: str
    details: str
    details_and_proposal: str
    coordination_opinion: str
    result_feedback: str
    leader_instruction: str
    co_handler_ids: list[int]
    rating: str
    rating_comment: str
    sources: list[SourceOut]
    events: list[AppealEventOut]
    actions: list[str]


class AppealFilter(FilterSchema):
    state: str | None = Field(None, max_length=16)
    kind: AppealKind | None = None
    view: str | None = Field(None, pattern="^(all|tasks|overdue)$", description="all (default), tasks, overdue")


class ThreadRef(Schema):
    question_id: StrictInt | None = Field(None, gt=0, le=MAX_INT)
    title: str = Field("", max_length=200)
    url: str = Field("", max_length=500)


class CollectiveIn(Schema):
    organization_id: StrictInt
    theme: str = Field(..., max_length=200)
    youth_group: str = Field(..., max_length=200)
    period_start: Date | None = None
    period_end: Date | None = None
    thread_count: StrictInt | None = Field(None, ge=0, le=MAX_INT)
    user_count: StrictInt | None = Field(None, ge=0, le=MAX_INT)
    location: str = Field("", max_length=120)
    details: str = Field("", max_length=10000)
    thread_refs: list[ThreadRef] = Field(default_factory=list, max_length=500)
    alert_ref: str = Field("", max_length=80)


class IndividualIn(Schema):
    organization_id: StrictInt
    theme: str = Field(..., max_length=200)
    user_name: str = Field("", max_length=80)
    requester_id: StrictInt | None = None
    reported_at: DateTime | None = None
    reply_count: StrictInt | None = Field(None, ge=0, le=MAX_INT)
    location: str = Field("", max_length=120)
    details: str = Field("", max_length=10000)
    source_kind: str = Field("question", pattern="^(question|report|direct)$")
    question_id: StrictInt | None = Field(None, gt=0, le=MAX_INT)
    source_title: str = Field("", max_length=200)
    source_url: str = Field("", max_length=500)
    external_ref: str = Field("", max_length=80)


class TransitionIn(Schema):
    comment: str = Field("", max_length=5000)
    fields: dict[str, str] = Field(default_factory=dict)
    lead_organization_id: StrictInt | None = None
    co_handler_ids: list[StrictInt] = Field(default_factory=list, max_length=20)
    rating: str | None = Field(None, max_length=16)
    version: StrictInt | None = Field(None, description="The version you saw; a stale one gets 409")


class FormPatch(Schema):
    """Header fields of the form the operations group may correct while the record is open."""

    filed_on: Date | None = None
    youth_group: str | None = Field(None, max_length=200)
    period_start: Date | None = None
    period_end: Date | None = None
    thread_count: StrictInt | None = Field(None, ge=0, le=MAX_INT)
    user_count: StrictInt | None = Field(None, ge=0, le=MAX_INT)
    user_name: str | None = Field(None, max_length=80)
    reported_at: DateTime | None = None
    reply_count: StrictInt | None = Field(None, ge=0, le=MAX_INT)
    location: str | None = Field(None, max_length=120)
    theme: str | None = Field(None, max_length=200)
    version: StrictInt | None = None


_BLANK = r"\s\x00\x1c-\x1f"  # what str.strip() removes (\s in Python), and NUL


class HelpIn(Schema):
    # The patterns count what the service keeps: NUL characters dropped, blanks around the text stripped.
    theme: str = Field(..., min_length=1, max_length=200, pattern=rf"[^{_BLANK}]")
    details: str = Field(..., min_length=10, max_length=10000, pattern=rf"[^{_BLANK}](?:\x00*[^\x00]){{8,}}\x00*[^{_BLANK}]",
                         description="At least 10 characters, not counting blanks around them")
    consent: Literal[True] = Field(..., description="Consent to share your details with the handlers (required)")
    organization_id: StrictInt | None = None
    location: str = Field("", max_length=120)
    question_id: StrictInt | None = Field(None, gt=0, le=MAX_INT)


class RateIn(Schema):
    rating: str = Field(..., pattern="^(satisfied|partly|not_satisfied)$")
    comment: str = Field("", max_length=500)


class WithdrawIn(Schema):
    reason: str = Field(..., max_length=2000)


class StepOut(Schema):
    at: datetime
    label: str
    message: str


class ProgressOut(Schema):
    id: int
    reference: str
    kind: str
    theme: str
    state: str
    state_label: str
    created_at: datetime
    can_rate: bool
    can_withdraw: bool
    rating: str | None
    steps: list[StepOut]


def _detail(request, appeal: Appeal) -> dict:
    data = {f: getattr(appeal, f) for f in AppealOut.model_fields if hasattr(appeal, f) and f not in ("sources", "events")}
    data["co_handler_ids"] = list(appeal.co_handlers.values_list("pk", flat=True))
    data["sources"] = list(appeal.sources.all())
    data["events"] = list(appeal.events.all())
    data["actions"] = [a["name"] for a in selectors.actions_for(request.user, appeal)]
    if appeal.user_name:  # the requester's name: masked outside the viewer's subtree, logged when shown
        data["user_name"] = reveal(request.user, appeal.requester, {"real_name": appeal.user_name},
                                   where=f"api:appeals detail ({appeal.reference})", request=request,
                                   label=appeal.reference,
                                   allowed=permissions.can_see_requester(request.user, appeal))["real_name"]
    return data


# ---- staff ----

@router.get("/", response=list[AppealListOut], summary="Appeals I handle (my subtree), filter by state/kind/view")
@paginate(LimitOffsetPagination)
def list_appeals(request, filters: Query[AppealFilter]):
    _staff(request)
    if filters.view == "tasks":
        qs = selectors.my_tasks(request.user)
    elif filters.view == "overdue":
        qs = selectors.overdue(request.user)
    else:
        qs = selectors.staff_queryset(request.user)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.order_by("-created_at", "-pk")


@router.post("/collective/", response={201: AppealOut}, summary="Open a collective appeal (operations group)")
def create_collective(request, payload: CollectiveIn):
    appeal = services.open_collective_appeal(
        actor=request.user, organization=_org(payload.organization_id, "organization_id"), theme=payload.theme,
        youth_group=payload.youth_group, period_start=payload.period_start, period_end=payload.period_end,
        thread_count=payload.thread_count, user_count=payload.user_count, location=payload.location,
        details=payload.details, thread_refs=[r.dict() for r in payload.thread_refs], alert_ref=payload.alert_ref,
    )
    return 201, _detail(request, appeal)


@router.post("/individual/", response={201: AppealOut}, summary="Open an individual case from a question or report")
def create_individual(request, payload: IndividualIn):
    from django.contrib.auth import get_user_model

    requester = None
    if payload.requester_id is not None:
        requester = get_user_model().objects.filter(pk=payload.requester_id, is_active=True).first()
        if requester is None:
            raise NotFound(_("User not found"), fields={"requester_id": payload.requester_id})
    appeal = services.open_individual_case(
        actor=request.user, organization=_org(payload.organization_id, "organization_id"), theme=payload.theme,
        user_name=payload.user_name, requester=requester, reported_at=payload.reported_at,
        reply_count=payload.reply_count, location=payload.location, details=payload.details,
        source_kind=payload.source_kind, question_id=payload.question_id, source_title=payload.source_title,
        source_url=payload.source_url, external_ref=payload.external_ref,
    )
    return 201, _detail(request, appeal)


@router.get("/export.{fmt}", summary="Export the appeals I handle (csv or xlsx)")
def export(request, fmt: str, filters: Query[AppealFilter]):
    _staff(request)
    if fmt not in ("csv", "xlsx"):
        raise NotFound(_("Unknown format"))
    qs = selectors.staff_queryset(request.user)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return exports.response(qs.order_by("pk"), fmt, viewer=request.user, request=request)


@router.get("/{int:appeal_id}/", response=AppealOut, summary="One appeal with its form, sources and timeline")
def get_appeal(request, appeal_id: int):
    _staff(request)
    return _detail(request, _staff_appeal(request, appeal_id))


@router.patch("/{int:appeal_id}/", response=AppealOut, summary="Correct the form's header (operations group)")
def patch_appeal(request, appeal_id: int, payload: FormPatch):
    _staff(request)
    _staff_appeal(request, appeal_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    appeal = services.update_form(actor=request.user, appeal_id=appeal_id, expected_version=version, **changes)
    return _detail(request, appeal)


@router.get("/{appeal_id}/form.pdf", summary="The record as its official form (PDF)")
def form_pdf(request, appeal_id: int):
    _staff(request)
    appeal = _staff_appeal(request, appeal_id)
    from .pdf import render_form, user_name_for_form

    name = None
    if appeal.kind == "individual" and user_name_for_form(appeal):  # the personal-data rule, as on the page
        name = reveal(request.user, appeal.requester, {"real_name": user_name_for_form(appeal)},
                      where=f"api:appeals form PDF ({appeal.reference})", request=request, label=appeal.reference,
                      allowed=permissions.can_see_requester(request.user, appeal))["real_name"]
    response = HttpResponse(render_form(appeal, user_name=name), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{appeal.reference}.pdf"'
    return response


@router.post("/{int:appeal_id}/transitions/{name}/", response=AppealOut, summary="Take a workflow step")
def take_step(request, appeal_id: int, name: str, payload: TransitionIn):
    _staff(request)
    if name not in TRANSITIONS:
        raise NotFound(_("Unknown workflow step"))
    _staff_appeal(request, appeal_id)
    # An id beyond bigint cannot exist (and would overflow the IN list): it is simply not found.
    co = list(Organization.objects.filter(pk__in=[i for i in payload.co_handler_ids if 0 < i <= MAX_BIGINT]))
    if len(co) != len(set(payload.co_handler_ids)):
        raise NotFound(_("Co-handler not found"), fields={"co_handler_ids": payload.co_handler_ids})
    appeal = services.transition(
        actor=request.user, appeal_id=appeal_id, name=name, comment=payload.comment, fields=payload.fields,
        lead_organization=_org(payload.lead_organization_id, "lead_organization_id"), co_handlers=co,
        rating=payload.rating, expected_version=payload.version,
    )
    return _detail(request, appeal)


# ---- the youth ----

@router.post("/mine/", response={201: ProgressOut}, summary="Ask the League for help (individual case)")
def request_help(request, payload: HelpIn):
    appeal = services.request_help(
        actor=request.user, theme=payload.theme, details=payload.details, consent=payload.consent,
        organization=_org(payload.organization_id, "organization_id"), location=payload.location,
        question_id=payload.question_id,
    )
    return 201, selectors.public_progress(appeal)


class ProgressPage(Schema):
    items: list[ProgressOut]
    count: int


@router.get("/mine/", response=ProgressPage, summary="My appeals and their progress")
def my_appeals(request, limit: int = Query(20, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0, le=MAX_OFFSET)):
    qs = Appeal.objects.filter(requester=request.user).order_by("-created_at", "-pk")
    page = qs.prefetch_related("events")[offset:offset + limit]
    return {"items": [selectors.public_progress(a) for a in page], "count": qs.count()}


def _own(request, appeal_id: int) -> Appeal:
    appeal = Appeal.objects.filter(pk=appeal_id, requester=request.user).first()
    if appeal is None:
        raise NotFound(_("Appeal not found"))
    return appeal


@router.get("/mine/{int:appeal_id}/", response=ProgressOut, summary="My appeal's progress (no internal opinions)")
def my_appeal(request, appeal_id: int):
    return selectors.public_progress(_own(request, appeal_id))


@router.post("/mine/{int:appeal_id}/rate/", response=ProgressOut, summary="Rate the handling (return visit)")
def rate(request, appeal_id: int, payload: RateIn):
    appeal = services.transition(actor=request.user, appeal_id=_own(request, appeal_id).pk, name="return_visit",
                                 comment=payload.comment, rating=payload.rating)
    return selectors.public_progress(appeal)


@router.post("/mine/{int:appeal_id}/withdraw/", response=ProgressOut, summary="Withdraw my appeal, with a reason")
def withdraw(request, appeal_id: int, payload: WithdrawIn):
    appeal = services.transition(actor=request.user, appeal_id=_own(request, appeal_id).pk, name="withdraw",
                                 comment=payload.reason)
    return selectors.public_progress(appeal)
