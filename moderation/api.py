"""Moderation API: reporting (any logged-in user); the queue, decisions, sanctions, alerts and the
word list (staff, scoped to their subtree by the services)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from core.errors import Invalid, forbidden
from core.pagination import LimitOffsetPagination
from core.schemas import StrictBool, StrictInt
from organizations import permissions
from organizations.models import ALL_STAFF_ROLES, MODERATION_ROLES, Organization

from . import registry, services
from .models import (
    Alert,
    AlertKind,
    AlertStatus,
    CaseReason,
    CaseStatus,
    DecisionAction,
    ModerationCase,
    ReportReason,
    Sanction,
    SanctionKind,
)

router = Router(auth=django_auth)


class ReportIn(Schema):
    content_kind: str = Field(..., description="What is reported: question, answer, comment, …", max_length=20)
    object_id: StrictInt = Field(..., ge=1)
    reason: ReportReason
    detail: str = Field("", max_length=500)


class ReportOut(Schema):
    id: int
    case_id: int
    reason: str
    created_at: datetime


class DecisionOut(Schema):
    action: str
    reason: str
    moderator_id: int | None
    created_at: datetime


class CaseOut(Schema):
    id: int
    content_kind: str
    object_id: int
    organization_id: int
    organization_name: str
    author_id: int | None
    reason: CaseReason
    status: CaseStatus
    excerpt: str
    hits: list
    report_count: int
    created_at: datetime

    @staticmethod
    def resolve_content_kind(obj):
        return obj.content_type.model

    @staticmethod
    def resolve_organization_name(obj):
        return obj.organization.name


class CaseDetail(CaseOut):
    decisions: list[DecisionOut]

    @staticmethod
    def resolve_decisions(obj):
        return list(obj.decisions.all())


class QueueFilter(Schema):
    status: CaseStatus | None = CaseStatus.OPEN
    reason: CaseReason | None = None
    organization: int | None = Field(None, description="Only this organisation's subtree")


class DecisionIn(Schema):
    action: DecisionAction
    reason: str = Field("", max_length=500)


class BulkDecisionIn(DecisionIn):
    ids: list[StrictInt] = Field(..., min_length=1, max_length=200)


class BulkOut(Schema):
    done: list[int]
    refused: dict[int, str]


class SanctionIn(Schema):
    user_id: StrictInt
    organization_id: StrictInt = Field(..., description="Your organisation (or one below it) imposing the sanction")
    kind: SanctionKind
    hours: StrictInt = Field(..., ge=1, le=24 * 365)
    reason: str = Field(..., min_length=1, max_length=500)
    appeal_note: str = Field("", max_length=500)


class SanctionOut(Schema):
    id: int
    user_id: int
    kind: str
    organization_id: int
    reason: str
    appeal_note: str
    starts_at: datetime
    ends_at: datetime
    lifted_at: datetime | None


class LiftIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class AlertOut(Schema):
    id: int
    kind: AlertKind
    status: AlertStatus
    title: str
    organization_id: int
    reported_to_id: int | None
    terms: list
    score: float
    window_start: datetime
    window_end: datetime
    thread_count: int
    user_count: int
    created_at: datetime


class AlertStepOut(Schema):
    from_status: str
    to_status: str
    comment: str
    actor_id: int | None
    created_at: datetime


class AlertDetail(AlertOut):
    evidence: dict
    steps: list[AlertStepOut]

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.all())


class AlertStepIn(Schema):
    step: str = Field(..., description="verify, dismiss, report, handle, feedback or close")
    comment: str = Field("", max_length=2000)


class WordImportIn(Schema):
    data: str = Field(..., max_length=2_000_000, description='Lines "word,category,action"')
    replace: StrictBool = False


class WordImportOut(Schema):
    imported: int
    new: int


def _content(kind: str, object_id: int):
    try:
        spec = registry.spec_for_kind(kind)
    except KeyError:
        raise Invalid(_("Unknown content kind"), fields={"content_kind": kind})
    return get_object_or_404(spec.model, pk=object_id)


@router.post("/reports/", response={201: ReportOut}, summary="Report content")
def report(request, payload: ReportIn):
    obj = _content(payload.content_kind, payload.object_id)
    r = services.report_content(reporter=request.user, obj=obj, reason=payload.reason, detail=payload.detail)
    return 201, r


def _require_moderator(user):
    if not permissions.is_staff_anywhere(user, MODERATION_ROLES):
        raise forbidden()


@router.get("/queue/", response=list[CaseOut], summary="The moderation queue of my subtree")
@paginate(LimitOffsetPagination)
def queue(request, filters: Query[QueueFilter]):
    _require_moderator(request.user)
    org = get_object_or_404(Organization, pk=filters.organization) if filters.organization else None
    return services.queue_for(request.user, status=filters.status, reason=filters.reason, organization=org)


def _case(request, case_id: int) -> ModerationCase:
    case = get_object_or_404(ModerationCase.objects.select_related("organization", "content_type"), pk=case_id)
    if not permissions.can_act(request.user, case.organization, MODERATION_ROLES):
        raise forbidden()
    return case


@router.get("/queue/{int:case_id}/", response=CaseDetail, summary="One case with its decision history")
def case_detail(request, case_id: int):
    return _case(request, case_id)


@router.post("/queue/{int:case_id}/decision/", response=CaseDetail, summary="Approve, remove or restore")
def decide(request, case_id: int, payload: DecisionIn):
    case = _case(request, case_id)
    services.decide(moderator=request.user, case=case, action=payload.action, reason=payload.reason)
    return _case(request, case_id)


@router.post("/queue/bulk/", response=BulkOut, summary="Decide many cases at once")
def bulk(request, payload: BulkDecisionIn):
    _require_moderator(request.user)
    return services.bulk_decide(moderator=request.user, case_ids=payload.ids, action=payload.action,
                                reason=payload.reason)


@router.post("/sanctions/", response={201: SanctionOut}, summary="Mute or ban a user for a duration")
def impose(request, payload: SanctionIn):
    user = get_object_or_404(get_user_model(), pk=payload.user_id)
    org = get_object_or_404(Organization, pk=payload.organization_id)
    s = services.impose_sanction(moderator=request.user, user=user, organization=org, kind=payload.kind,
                                 hours=payload.hours, reason=payload.reason, appeal_note=payload.appeal_note)
    return 201, s


@router.get("/sanctions/", response=list[SanctionOut], summary="Sanctions imposed in my subtree")
@paginate(LimitOffsetPagination)
def sanctions(request):
    _require_moderator(request.user)
    return permissions.scope_queryset(Sanction.objects.all(), request.user, roles=MODERATION_ROLES)


@router.post("/sanctions/{int:sanction_id}/lift/", response=SanctionOut, summary="Lift a sanction early")
def lift(request, sanction_id: int, payload: LiftIn):
    s = get_object_or_404(Sanction.objects.select_related("organization"), pk=sanction_id)
    return services.lift_sanction(moderator=request.user, sanction=s, reason=payload.reason)


@router.get("/alerts/", response=list[AlertOut], summary="Monitoring alerts of my subtree and those reported to it")
@paginate(LimitOffsetPagination)
def alerts(request, status: AlertStatus | None = None):
    if not permissions.is_staff_anywhere(request.user, ALL_STAFF_ROLES):
        raise forbidden()
    return services.alerts_for(request.user, status=status).order_by("-created_at")


def _alert(request, alert_id: int) -> Alert:
    alert = get_object_or_404(services.alerts_for(request.user), pk=alert_id)
    return alert


@router.get("/alerts/{int:alert_id}/", response=AlertDetail, summary="One alert with evidence and steps")
def alert_detail(request, alert_id: int):
    return _alert(request, alert_id)


@router.post("/alerts/{int:alert_id}/steps/", response=AlertDetail, summary="Advance an alert's handling")
def alert_step(request, alert_id: int, payload: AlertStepIn):
    alert = _alert(request, alert_id)
    services.advance_alert(actor=request.user, alert=alert, step=payload.step, comment=payload.comment)
    return _alert(request, alert_id)


@router.post("/words/import/", response=WordImportOut, summary="Import the sensitive-word list (provincial moderators)")
def import_words(request, payload: WordImportIn):
    return services.import_word_list(actor=request.user, data=payload.data, replace=payload.replace)
