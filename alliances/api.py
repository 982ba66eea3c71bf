"""Alliances and experts over REST (mounted at /api/alliances/). Anonymous callers see public expert
fields only (never phone numbers, ID numbers or user ids); staff-only fields come from the
/experts/{id}/staff endpoint for those who manage the expert. Endpoints are thin: services and
selectors do the work."""

from datetime import date, datetime, time, timedelta
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, FilterSchema, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from core.domains import ServiceDomain
from core.errors import forbidden
from core.pagination import LimitOffsetPagination
from core.schemas import Date, StrictBool, StrictInt
from organizations import permissions
from organizations.models import Organization

from . import selectors, services
from .domain.demand import PERIODS, resolve_range
from .domain.stats import RANK_KEYS, ExpertStats
from .models import (
    AllianceMembership,
    AlliancePage,
    Availability,
    ExpertKind,
    ExpertProfile,
    MemberOrganization,
    MemberOrganizationKind,
    MembershipStatus,
)
from .sources import community_sources

router = Router()
RANK_ORDERS = tuple(RANK_KEYS)


# ---- schemas -------------------------------------------------------------------------------------

class OrgBrief(Schema):
    id: int
    name: str


class AllianceOut(Schema):
    id: int
    title: str
    domain: ServiceDomain
    domain_label: str = Field(..., alias="get_domain_display")
    organization: OrgBrief
    intro: str
    url: str | None = Field(None, description="Public page URL")
    members: int = 0

    @staticmethod
    def resolve_url(obj):
        return obj.url


class ExpertOut(Schema):
    """Public fields only."""

    id: int
    real_name: str
    title: str
    kind: ExpertKind
    workplace: str
    credentials: str
    bio: str
    domains: list[str] = Field(..., alias="domain_list")
    organization: OrgBrief | None
    home_station_id: int | None
    availability: Availability
    verified: bool = Field(..., alias="is_verified")
    email: str = Field("", alias="public_email", description="Shown only when the expert chose to")


class ExpertStaffOut(ExpertOut):
    """For staff who manage the expert: adds contact and verification fields."""

    user_id: int
    status: str
    status_reason: str
    contact_phone: str
    contact_email: str
    id_number: str
    staff_notes: str
    max_open_questions: int
    verified_at: datetime | None


class MemberOrganizationOut(Schema):
    id: int
    name: str
    kind: MemberOrganizationKind
    licence_number: str
    domains: list[str]
    organization: OrgBrief
    description: str
    website: str


class AllianceDetail(AllianceOut):
    charter: str
    liaisons: list[str] = Field(..., alias="liaison_names")
    experts: list[ExpertOut]
    member_organizations: list[MemberOrganizationOut]


class MembershipOut(Schema):
    id: int
    alliance_id: int
    alliance_title: str = Field(..., alias="alliance.title")
    expert_id: int | None
    expert_name: str | None = None
    member_organization_id: int | None
    status: MembershipStatus
    message: str
    reason: str
    created_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_expert_name(obj):
        return obj.expert.real_name if obj.expert_id else None


class ExpertFiguresOut(Schema):
    answers: int
    accepted: int
    on_time: int
    median_response_seconds: float | None
    mean_response_seconds: float | None
    rating: float | None
    ratings: int
    invitations: int
    invitations_accepted: int
    invitations_answered_on_time: int
    offline_services: int
    accepted_rate: float | None
    on_time_rate: float | None
    invitation_accept_rate: float | None
    out_of_domain: int | None = Field(None, description="Answers outside the expert's domains (only when configured)")


class ExpertStatsOut(Schema):
    expert: ExpertOut
    available: bool = Field(..., description="False while Q&A data is not connected")
    stats: ExpertFiguresOut


class RankedOut(Schema):
    rank: int
    expert: ExpertOut
    stats: ExpertFiguresOut


class AllianceStatsOut(Schema):
    since: date
    until: date
    available: bool
    members: list[RankedOut]


class SuggestionOut(Schema):
    expert: ExpertOut
    score: int
    reasons: list[str]
    load: int


class DemandRow(Schema):
    domain: str
    region: str
    period: date
    count: int


class DemandOut(Schema):
    since: date
    until: date
    period: str
    available: bool
    total: int
    rows: list[DemandRow]


class ApplicationIn(Schema):
    real_name: str = Field("", max_length=40)
    title: str = Field("", max_length=80)
    workplace: str = Field("", max_length=80)
    credentials: str = Field("", max_length=1000)
    bio: str = Field("", max_length=2000)
    domains: list[ServiceDomain] = Field(default_factory=list, max_length=7)
    message: str = Field("", max_length=300)


class InvitationIn(Schema):
    expert_id: StrictInt
    message: str = Field("", max_length=300)


class MembershipDecisionIn(Schema):
    approve: StrictBool
    reason: str = Field("", max_length=300)


class ReasonIn(Schema):
    reason: str = Field("", max_length=300)


class MembershipResponseIn(Schema):
    accept: StrictBool


class ProfilePatch(Schema):
    real_name: str | None = Field(None, max_length=40)
    title: str | None = Field(None, max_length=80)
    workplace: str | None = Field(None, max_length=80)
    credentials: str | None = Field(None, max_length=1000)
    bio: str | None = Field(None, max_length=2000)
    contact_phone: str | None = Field(None, max_length=20)
    contact_email: str | None = Field(None, max_length=254)
    contact_public: StrictBool | None = None
    availability: Availability | None = None
    domains: list[ServiceDomain] | None = Field(None, max_length=7)


class AllianceFilter(FilterSchema):
    domain: ServiceDomain | None = None
    organization: int | None = Field(None, description="Organisation id: alliances in its subtree")


class ExpertFilter(FilterSchema):
    domain: ServiceDomain | None = None
    city: int | None = Field(None, description="City organisation id")
    organization: int | None = Field(None, description="Any organisation id: experts in its subtree")
    station: int | None = Field(None, description="Home station page id")
    kind: ExpertKind | None = None
    q: str | None = Field(None, max_length=40)


class PeriodQuery(Schema):
    since: Date | None = None
    until: Date | None = None


# ---- helpers -------------------------------------------------------------------------------------

def _org(org_id):
    return get_object_or_404(Organization, pk=org_id) if org_id is not None else None


DEFAULT_DAYS = 365
EARLIEST = date(2000, 1, 1)  # before the platform: no data; also keeps far dates clear of datetime's limits


def _range(period: PeriodQuery):
    """The requested dates, and the window to query: the same days, cut to [2000, today], where all data is
    (so that year 1 or 9999 are valid requests, not datetime overflows)."""
    today = timezone.localdate()
    since = period.since
    if since is None and period.until is not None and (period.until - date.min).days < DEFAULT_DAYS:
        since = date.min  # the default year before `until` would begin before year 1
    since, until = resolve_range(since, period.until, today, default_days=DEFAULT_DAYS)
    tz = timezone.get_current_timezone()
    start = datetime.combine(min(max(since, EARLIEST), today), time.min, tzinfo=tz)
    end = datetime.combine(min(max(until, EARLIEST), today) + timedelta(days=1), time.min, tzinfo=tz)
    return since, until, start, end


def _stats_dict(stats: ExpertStats | None, user_id: int) -> dict:
    return (stats or ExpertStats(expert_user_id=user_id)).as_dict()


# ---- alliances -----------------------------------------------------------------------------------

@router.get("", response=list[AllianceOut], summary="List alliances")
@paginate(LimitOffsetPagination)
def list_alliances(request, filters: Query[AllianceFilter]):
    return selectors.live_alliances(domain=filters.domain, organization=_org(filters.organization))


@router.get("/experts", response=list[ExpertOut], summary="Expert directory (public fields)")
@paginate(LimitOffsetPagination)
def list_experts(request, filters: Query[ExpertFilter]):
    return selectors.directory(domain=filters.domain, city=_org(filters.city), organization=_org(filters.organization),
                               station_id=filters.station, q=filters.q, kind=filters.kind)


@router.get("/experts/me", response=ExpertStaffOut, auth=django_auth, summary="My expert profile")
def my_profile(request):
    return get_object_or_404(ExpertProfile.objects.select_related("organization"), user=request.user)


@router.patch("/experts/me", response=ExpertStaffOut, auth=django_auth, summary="Update my expert profile")
def update_my_profile(request, payload: ProfilePatch):
    expert = get_object_or_404(ExpertProfile, user=request.user)
    return services.update_expert_profile(actor=request.user, expert=expert, **payload.dict(exclude_unset=True))


@router.get("/experts/{int:expert_id}/", response=ExpertOut, summary="One expert (public fields)")
def get_expert(request, expert_id: int):
    return get_object_or_404(selectors.public_experts(), pk=expert_id)


@router.get("/experts/{expert_id}/staff", response=ExpertStaffOut, auth=django_auth,
            summary="One expert with staff-only fields (staff who manage the expert)")
def get_expert_staff(request, expert_id: int):
    expert = get_object_or_404(ExpertProfile.objects.select_related("organization"), pk=expert_id)
    if not services.can_manage_expert(request.user, expert):
        raise forbidden()
    return expert


@router.get("/experts/{expert_id}/statistics", response=ExpertStatsOut, summary="An expert's statistics")
def expert_stats(request, expert_id: int, period: Query[PeriodQuery]):
    expert = get_object_or_404(selectors.public_experts(), pk=expert_id)
    _, _, start, end = _range(period)
    sources = community_sources()
    stats = {}
    if sources is not None:
        stats = selectors.expert_statistics(sources=sources, since=start, until=end, user_ids=[expert.user_id])
    return {"expert": expert, "available": sources is not None, "stats": _stats_dict(stats.get(expert.user_id), expert.user_id)}


@router.get("/member-organizations", response=list[MemberOrganizationOut], summary="Member organisations")
@paginate(LimitOffsetPagination)
def list_member_organizations(request, domain: ServiceDomain | None = None):
    qs = MemberOrganization.objects.filter(is_active=True).select_related("organization")
    if domain:
        qs = qs.filter(domains__icontains=f'"{domain}"')
    return qs


@router.get("/suggestions", response=list[SuggestionOut], auth=django_auth,
            summary="Suggested experts for a question (staff): domain, location, current load")
def suggestions(request, domain: ServiceDomain, organization: int | None = None, station: int | None = None,
                limit: int = 5):
    limit = max(1, min(limit, 20))
    if not permissions.is_staff_anywhere(request.user):
        raise forbidden()
    return selectors.suggest_experts(domain=domain, organization=_org(organization), station_id=station,
                                     sources=community_sources(), limit=limit)


@router.get("/demand", response=DemandOut, auth=django_auth,
            summary="Demand analysis: questions per domain, region and period (staff and experts)")
def demand(request, period_q: Query[PeriodQuery], period: Literal[PERIODS] = "month", region: int | None = None,
           domain: ServiceDomain | None = None):
    if not (permissions.is_staff_anywhere(request.user) or selectors.is_expert(request.user)):
        raise forbidden()
    since, until, start, end = _range(period_q)
    sources = community_sources()
    if sources is None or sources.questions is None:
        return {"since": since, "until": until, "period": period, "available": False, "total": 0, "rows": []}
    data = selectors.demand(sources=sources, since=start, until=end, period=period, region=_org(region), domain=domain)
    return {"since": since, "until": until, "period": period, "available": True, "total": data["total"],
            "rows": data["rows"]}


@router.get("/memberships", response=list[MembershipOut], auth=django_auth,
            summary="Memberships and applications of the alliances I run")
@paginate(LimitOffsetPagination)
def list_memberships(request, status: MembershipStatus | None = None):
    return selectors.manageable_memberships(request.user, status=status)


@router.get("/memberships/mine", response=list[MembershipOut], auth=django_auth, summary="My memberships")
def my_memberships(request):
    return list(AllianceMembership.objects.filter(expert__user=request.user)
                .select_related("alliance", "expert").order_by("-created_at")[:100])


def _membership(membership_id):
    return get_object_or_404(AllianceMembership.objects.select_related("alliance", "expert"), pk=membership_id)


@router.post("/memberships/{membership_id}/decision", response=MembershipOut, auth=django_auth,
             summary="Approve or reject an application (the alliance's liaison)")
def decide(request, membership_id: int, payload: MembershipDecisionIn):
    return services.decide_application(actor=request.user, membership=_membership(membership_id),
                                       approve=payload.approve, reason=payload.reason)


@router.post("/memberships/{membership_id}/response", response=MembershipOut, auth=django_auth,
             summary="Accept or decline an invitation (the invited expert)")
def respond(request, membership_id: int, payload: MembershipResponseIn):
    return services.respond_to_invitation(actor=request.user, membership=_membership(membership_id),
                                          accept=payload.accept)


@router.post("/memberships/{membership_id}/suspend", response=MembershipOut, auth=django_auth)
def suspend(request, membership_id: int, payload: ReasonIn):
    return services.suspend_membership(actor=request.user, membership=_membership(membership_id), reason=payload.reason)


@router.post("/memberships/{membership_id}/reinstate", response=MembershipOut, auth=django_auth)
def reinstate(request, membership_id: int, payload: ReasonIn):
    return services.reinstate_membership(actor=request.user, membership=_membership(membership_id),
                                         reason=payload.reason)


@router.post("/memberships/{membership_id}/remove", response=MembershipOut, auth=django_auth)
def remove(request, membership_id: int, payload: ReasonIn):
    return services.remove_membership(actor=request.user, membership=_membership(membership_id), reason=payload.reason)


def _alliance(alliance_id):
    return get_object_or_404(AlliancePage.objects.live().select_related("organization"), pk=alliance_id)


@router.get("/{int:alliance_id}/", response=AllianceDetail, summary="One alliance with its members")
def get_alliance(request, alliance_id: int):
    alliance = _alliance(alliance_id)
    members = list(selectors.alliance_members(alliance).prefetch_related("expert__domains"))
    alliance.experts = [m.expert for m in members if m.expert_id]
    alliance.member_organizations = [m.member_organization for m in members if m.member_organization_id]
    alliance.members = len(members)
    return alliance


@router.post("/{alliance_id}/applications", response={201: MembershipOut}, auth=django_auth,
             summary="Apply to join an alliance as an expert")
def apply(request, alliance_id: int, payload: ApplicationIn):
    membership = services.apply_to_alliance(actor=request.user, alliance=_alliance(alliance_id), **payload.dict())
    return 201, membership


@router.post("/{alliance_id}/invitations", response={201: MembershipOut}, auth=django_auth,
             summary="Invite an expert to join (the alliance's liaison)")
def invite(request, alliance_id: int, payload: InvitationIn):
    expert = get_object_or_404(ExpertProfile, pk=payload.expert_id)
    membership = services.invite_to_alliance(actor=request.user, alliance=_alliance(alliance_id), expert=expert,
                                             message=payload.message)
    return 201, membership


@router.get("/{alliance_id}/statistics", response=AllianceStatsOut, auth=django_auth,
            summary="Members ranked by their statistics (the alliance's liaison)")
def alliance_stats(request, alliance_id: int, period: Query[PeriodQuery], order: Literal[RANK_ORDERS] = "answers"):
    alliance = _alliance(alliance_id)
    if not services.can_manage_alliance(request.user, alliance):
        raise forbidden()
    since, until, start, end = _range(period)
    sources = community_sources()
    _, ranked = selectors.ranked_members(alliance=alliance, sources=sources, since=start, until=end, order=order)
    return {"since": since, "until": until, "available": sources is not None,
            "members": [{"rank": i, "expert": e, "stats": s.as_dict()} for i, (e, s) in enumerate(ranked, start=1)]}
