"""KPI endpoints for staff and for other League systems [G1.2, issue 10 item 7].

All read the daily aggregate tables (never the activity tables) and are scoped to the caller's
subtree: an organisation outside it is 403, an unknown one 404. Dates are ISO `YYYY-MM-DD` (anything
else is 422); an inverted range or one longer than settings.INSIGHTS_MAX_RANGE_DAYS allows for the
granularity is 400. Lists are paginated (limit/offset).
"""

from datetime import date
from typing import Literal

from django.http import JsonResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from core.pagination import LimitOffsetPagination
from core.schemas import Date

from . import selectors
from .access import checked_range, organization_for

router = Router(auth=django_auth)

KPI_DESCRIPTIONS = {
    "registered_users": "Users registered (by their location)",
    "active_users": "Active users, summed per day (user-days: logged in, posted or booked)",
    "questions": "Questions asked",
    "questions_answered": "Questions asked in the range that have an answer",
    "answer_rate": "questions_answered / questions (0–1)",
    "on_time_rate": "Questions answered within their deadline / questions (0–1)",
    "first_response_mean_min": "Mean minutes from the clock start to the first answer",
    "first_response_median_min": "Median first-response minutes (from the combined histogram)",
    "first_response_p90_min": "90th percentile of first-response minutes (from the combined histogram)",
    "answers": "Answers posted",
    "staff_answer_share": "Share of answers by League staff and official accounts (0–1)",
    "expert_answer_share": "Share of answers by experts (0–1)",
    "peer_answer_share": "Share of answers by other youths (0–1)",
    "comments": "Comments posted",
    "outcomes_solved": "Questions marked solved by the asker",
    "outcomes_partly": "Questions marked partly solved",
    "outcomes_not_solved": "Questions marked not solved",
    "qa_satisfaction": "Mean asker rating (1–5)",
    "bookings": "Station bookings requested",
    "bookings_completed": "Bookings served",
    "booking_on_time_rate": "Bookings answered within the response deadline / answered bookings (0–1)",
    "booking_satisfaction": "Mean booking rating (1–5)",
    "invitations_sent": "Invitations to answer sent",
    "invitations_accepted": "Invitations accepted",
    "invitations_answered": "Invitations answered",
    "alliance_joins": "Alliance memberships that became active",
    "expert_answers": "Answers by experts",
    "appeals_opened": "Appeals opened",
    "appeals_closed": "Appeals archived or withdrawn",
    "appeals_on_time_rate": "Closed appeals with no overdue step / closed appeals (0–1)",
    "appeals_sent_back": "Appeal send-backs (proposal, hand-back, result)",
    "appeal_satisfaction_rate": "Return visits: (satisfied + ½ partly) / visits (0–1)",
    "cadre_interactions": "Answers, comments and invitations handled by League cadres",
    "satisfaction_rate": "All ratings (Q&A and bookings) as a share of the maximum (0–1)",
    "score": "Organisation score (docs/insights.md)",
}

PERSON_DESCRIPTIONS = {
    "answers": "Answers posted", "first_responses": "Answers that stopped a question's clock",
    "on_time": "First responses within the deadline", "on_time_rate": "on_time / first_responses",
    "accepted": "Answers accepted", "solved": "Questions solved with their help", "partly": "Partly solved",
    "not_solved": "Not solved", "ratings": "Ratings received", "satisfaction": "Mean rating (1–5)",
    "comments": "Comments", "invitations_received": "Invitations received",
    "invitations_accepted": "Invitations accepted", "invitations_declined": "Invitations declined",
    "invitations_answered": "Invitations answered", "bookings_handled": "Bookings confirmed or declined",
    "bookings_on_time": "Bookings answered on time", "first_response_mean_min": "Mean first-response minutes",
    "first_response_median_min": "Median first-response minutes", "first_response_p90_min": "p90 first-response minutes",
    "rating_sum": "Sum of ratings", "score": "Contribution score (docs/insights.md)",
}


def _schema(name: str, fields: dict, base=Schema, extra: dict | None = None):
    annotations = {k: float | None for k in fields}
    attrs = {k: Field(None, description=d) for k, d in fields.items()}
    annotations.update((extra or {}).get("annotations", {}))
    attrs.update((extra or {}).get("attrs", {}))
    return type(name, (base,), {"__annotations__": annotations, **attrs})


KpisOut = _schema("KpisOut", KPI_DESCRIPTIONS)


class PeriodKpisOut(KpisOut):
    period: date = Field(..., description="First day of the period")


class KpiOrgBrief(Schema):
    id: int
    name: str
    kind: str


class KpiReportOut(Schema):
    organization: KpiOrgBrief
    date_from: date = Field(..., serialization_alias="from")
    date_to: date = Field(..., serialization_alias="to")
    granularity: str
    totals: KpisOut
    series: list[PeriodKpisOut]


class ChildKpisOut(KpisOut):
    id: int
    name: str
    kind: str
    has_children: bool
    own_level: bool = Field(False, description="The organisation's own level, without its children")
    rank: int | None = None


PersonKpisOut = _schema("PersonKpisOut", PERSON_DESCRIPTIONS, extra={
    "annotations": {"user_id": int, "name": str, "organization": str, "rank": int},
    "attrs": {},
})


class RangeQuery(Schema):
    date_from: Date = Field(..., alias="from", description="First day, YYYY-MM-DD")
    date_to: Date = Field(..., alias="to", description="Last day (inclusive), YYYY-MM-DD")


class SeriesQuery(RangeQuery):
    granularity: Literal["day", "week", "month", "year"] = "day"


class PeopleQuery(RangeQuery):
    kind: Literal["cadre", "liaison", "expert"] = "cadre"


@router.get("/orgs/{org_id}/kpis", response=KpiReportOut, by_alias=True,
            summary="KPIs of an organisation and its subtree: totals and a series")
def org_kpis(request, org_id: int, q: Query[SeriesQuery]):
    org = organization_for(request.user, org_id)
    first, last = checked_range(q.date_from, q.date_to, q.granularity)
    # Built as JSON directly: 365 periods × 35 figures through the schema's per-attribute getters
    # cost more than the queries. The shape is the documented KpiReportOut (tested).
    return JsonResponse({
        "organization": {"id": org.pk, "name": org.name, "kind": org.kind},
        "from": first, "to": last, "granularity": q.granularity,
        "totals": _kpis(selectors.org_totals(org, first, last)),
        "series": [{"period": s["period"], **_kpis(s)} for s in selectors.org_series(org, first, last, q.granularity)],
    })


def _kpis(row: dict) -> dict:
    return {k: row.get(k) for k in KPI_DESCRIPTIONS}


@router.get("/orgs/{org_id}/children", response=list[ChildKpisOut],
            summary="Drill-down: each child organisation's subtree KPIs, ranked by organisation score")
@paginate(LimitOffsetPagination)
def org_children(request, org_id: int, q: Query[RangeQuery]):
    org = organization_for(request.user, org_id)
    first, last = checked_range(q.date_from, q.date_to, "range")
    return selectors.org_leaderboard(org, first, last)


@router.get("/orgs/{org_id}/people", response=list[PersonKpisOut],
            summary="Per-person KPIs and contribution scores (cadres, liaison officers or experts), ranked")
@paginate(LimitOffsetPagination)
def org_people(request, org_id: int, q: Query[PeopleQuery]):
    org = organization_for(request.user, org_id)
    first, last = checked_range(q.date_from, q.date_to, "range")
    return selectors.PeoplePage(org, first, last, q.kind)  # ranked and paged in SQL
