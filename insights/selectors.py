"""Reads of the KPI tables, shared by the API, the admin dashboard and the exports.

A subtree over a range is one aggregate query over DailyOrgMetric joined to the organisation
(`path LIKE 'prefix%'`); a series adds a GROUP BY on the truncated day; the drill-down groups by the
child's path prefix (one query for all children). Rates, means and percentiles are derived from
the summed columns by `derive()`.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek, TruncYear

from organizations.models import Organization, StaffMembership, StaffRole

from .domain import histogram, scoring
from .domain.periods import period_starts
from .models import (
    HISTOGRAM_FIELDS,
    ORG_COUNT_FIELDS,
    PERSON_COUNT_FIELDS,
    DailyOrgMetric,
    DailyPersonMetric,
    MonthlyOrgMetric,
    MonthlyPersonMetric,
)

ORG_SUM_FIELDS = (*ORG_COUNT_FIELDS, *HISTOGRAM_FIELDS)
PERSON_SUM_FIELDS = (*PERSON_COUNT_FIELDS, *HISTOGRAM_FIELDS)
TRUNC = {"week": TruncWeek, "month": TruncMonth, "year": TruncYear}


def _sums(fields):
    return {f: Sum(f) for f in fields}


def _fetch(qs) -> list[dict]:
    """Run an aggregate values() queryset on a cursor: the ~60 summed columns of hundreds of rows
    skip the ORM's per-value converters (measurably slower than the query itself)."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # e.g. an empty `__in` list: nothing to read
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _clean(row: dict, fields) -> dict:
    return {f: int(row.get(f) or 0) for f in fields}


def derive(s: dict) -> dict:
    """The KPIs of summed org columns `s` (rates in [0, 1] or None when nothing to measure)."""
    hist = [s.get(f, 0) for f in HISTOGRAM_FIELDS]
    answers = s["answers"]
    k = {
        "registered_users": s["registered_users"],
        "active_users": s["active_users"],
        "questions": s["questions"],
        "questions_answered": s["questions_answered"],
        "answer_rate": scoring.rate(s["questions_answered"], s["questions"]),
        "on_time_rate": scoring.rate(s["questions_on_time"], s["questions"]),
        "first_response_mean_min": (round(s["first_response_seconds"] / 60 / s["first_response_count"], 1)
                                    if s["first_response_count"] else None),
        "first_response_median_min": histogram.percentile_minutes(hist, 0.5),
        "first_response_p90_min": histogram.percentile_minutes(hist, 0.9),
        "answers": answers,
        "staff_answer_share": scoring.rate(s["answers_staff"], answers),
        "expert_answer_share": scoring.rate(s["answers_expert"], answers),
        "peer_answer_share": scoring.rate(s["answers_peer"], answers),
        "comments": s["comments"],
        "outcomes_solved": s["outcomes_solved"],
        "outcomes_partly": s["outcomes_partly"],
        "outcomes_not_solved": s["outcomes_not_solved"],
        "qa_satisfaction": _round(scoring.mean(s["outcome_rating_sum"], s["outcome_ratings"])),
        "bookings": s["bookings"],
        "bookings_completed": s["bookings_completed"],
        "booking_on_time_rate": scoring.rate(s["bookings_on_time"], s["bookings_responded"]),
        "booking_satisfaction": _round(scoring.mean(s["booking_rating_sum"], s["booking_ratings"])),
        "invitations_sent": s["invitations_sent"],
        "invitations_accepted": s["invitations_accepted"],
        "invitations_answered": s["invitations_answered"],
        "alliance_joins": s["alliance_joins"],
        "expert_answers": s["answers_expert"],
        "appeals_opened": s["appeals_opened"],
        "appeals_closed": s["appeals_closed"],
        "appeals_on_time_rate": scoring.rate(s["appeals_closed_on_time"], s["appeals_closed"]),
        "appeals_sent_back": s["appeals_sent_back"],
        "appeal_satisfaction_rate": scoring.rate(
            s["appeals_satisfied"] + 0.5 * s["appeals_partly"],
            s["appeals_satisfied"] + s["appeals_partly"] + s["appeals_not_satisfied"]),
        "cadre_interactions": s["cadre_answers"] + s["cadre_comments"] + s["cadre_invitations"],
    }
    ratings = s["outcome_ratings"] + s["booking_ratings"]
    k["satisfaction_rate"] = (scoring.rate(s["outcome_rating_sum"] + s["booking_rating_sum"], 5 * ratings)
                              if ratings else None)
    k["score"] = scoring.org_score(k, getattr(settings, "INSIGHTS_ORG_SCORE_WEIGHTS", None))
    return k


def _round(value, digits=2):
    return None if value is None else round(value, digits)


def _as_date(value) -> date:
    """Truncated days come back as date (PostgreSQL), datetime or text (SQLite) from a raw cursor."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value


def subtree_rows(org: Organization, first: date, last: date):
    """The organisation's subtree rollup rows (one per day with activity)."""
    return DailyOrgMetric.objects.filter(organization=org, subtree=True, day__gte=first, day__lte=last)


def split_range(first: date, last: date) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """[first, last] as (day spans outside whole months, whole months span (first month, last month))."""
    start = first if first.day == 1 else (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    after = last + timedelta(days=1)
    end = after.replace(day=1)  # first day of the month after the last whole month
    if start >= end:
        return [(first, last)], None
    spans = []
    if first < start:
        spans.append((first, start - timedelta(days=1)))
    if end <= last:
        spans.append((end, last))
    last_month = (end - timedelta(days=1)).replace(day=1)
    return spans, (start, last_month)


def ranged_sums(daily_model, monthly_model, filters: Q, keys: tuple[str, ...], fields, first: date, last: date):
    """{key tuple: summed row} over [first, last]: whole months from the monthly table, the days at
    the edges from the daily table; at most three aggregate queries whatever the range."""
    spans, months = split_range(first, last)
    parts = []
    for a, b in spans:
        parts += _fetch(daily_model.objects.filter(filters, day__gte=a, day__lte=b).values(*keys).annotate(**_sums(fields)))
    if months:
        parts += _fetch(monthly_model.objects.filter(filters, month__gte=months[0], month__lte=months[1])
                        .values(*keys).annotate(**_sums(fields)))
    out: dict[tuple, dict] = {}
    for row in parts:
        key = tuple(row[k] for k in keys)
        acc = out.setdefault(key, {k: row[k] for k in keys})
        for f in fields:
            acc[f] = acc.get(f, 0) + int(row.get(f) or 0)
    return out


def org_totals(org: Organization, first: date, last: date) -> dict:
    rows = ranged_sums(DailyOrgMetric, MonthlyOrgMetric, Q(organization=org, subtree=True), ("organization_id",),
                       ORG_SUM_FIELDS, first, last)
    return derive(_clean(rows.get((org.pk,), {}), ORG_SUM_FIELDS))


def org_series(org: Organization, first: date, last: date, granularity: str) -> list[dict]:
    """One entry per period (empty periods included), oldest first."""
    qs = subtree_rows(org, first, last)
    if granularity == "day":
        qs = qs.values(period=F("day"))
    else:
        qs = qs.annotate(period=TRUNC[granularity]("day")).values("period")
    rows = {_as_date(r["period"]): r for r in _fetch(qs.annotate(**_sums(ORG_SUM_FIELDS)).order_by("period"))}
    out = []
    for start in period_starts(first, last, granularity):
        row = rows.get(start) or {}
        out.append({"period": start, **derive(_clean(row, ORG_SUM_FIELDS))})
    return out


def children_totals(org: Organization, first: date, last: date) -> list[dict]:
    """The drill-down: one row per direct child (its whole subtree, from the children's rollup rows)
    plus the organisation's own level ("本级"), in one GROUP BY."""
    children = list(Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path"))
    rows = list(ranged_sums(DailyOrgMetric, MonthlyOrgMetric,
                            Q(organization__in=children, subtree=True) | Q(organization=org, subtree=False),
                            ("organization_id", "subtree"), ORG_SUM_FIELDS, first, last).values())
    by_child = {r["organization_id"]: r for r in rows if r["subtree"]}
    own = next((r for r in rows if not r["subtree"]), None)
    out = []
    for child in children:
        out.append({"organization": child, "name": child.display_name, "id": child.pk, "kind": child.kind,
                    "has_children": child.numchild > 0,
                    **derive(_clean(by_child.get(child.pk, {}), ORG_SUM_FIELDS))})
    if own:
        out.append({"organization": org, "name": f"{org.display_name}（本级）", "id": org.pk, "kind": org.kind,
                    "has_children": False, "own_level": True, **derive(_clean(own, ORG_SUM_FIELDS))})
    return out


def org_leaderboard(org: Organization, first: date, last: date, rows: list[dict] | None = None) -> list[dict]:
    """Children ranked by organisation score, then the own level (unranked) if it has figures."""
    rows = children_totals(org, first, last) if rows is None else rows
    return scoring.ranked([r for r in rows if not r.get("own_level")]) + [r for r in rows if r.get("own_level")]


def station_map(org: Organization, first: date, last: date, rows: list[dict] | None = None) -> list[dict]:
    """Station service per child organisation (cities under the province, districts under a city),
    with coordinates for the map."""
    out = []
    for row in children_totals(org, first, last) if rows is None else rows:
        o = row["organization"]
        if row.get("own_level") or o.latitude is None or o.longitude is None:
            continue
        out.append({"id": o.pk, "name": row["name"], "lat": float(o.latitude), "lng": float(o.longitude),
                    "bookings": row["bookings"], "completed": row["bookings_completed"],
                    "satisfaction": row["booking_satisfaction"]})
    return out


# ---------------------------------------------------------------- people

PERSON_KINDS = ("cadre", "liaison", "expert")


def people_in_subtree(org: Organization, kind: str) -> dict[int, dict]:
    """user id -> {name, organisation} of the people of `kind` whose organisation lies in the subtree.
    cadre: any active staff membership, or an expert profile of a full-/part-time League cadre;
    liaison: an active liaison-officer membership; expert: a professional expert profile."""
    from alliances.models import ExpertProfile

    people: dict[int, dict] = {}
    in_tree = Q(organization__path__startswith=org.path)
    if kind in ("cadre", "liaison"):
        memberships = StaffMembership.objects.active().filter(in_tree)
        if kind == "liaison":
            memberships = memberships.filter(role=StaffRole.LIAISON)
        for user_id, real, display, username, org_name, org_id in memberships.order_by("organization__path").values_list(
                "user_id", "user__real_name", "user__display_name", "user__username", "organization__short_name",
                "organization_id"):
            people.setdefault(user_id, {"name": real or display or username, "organization": org_name,
                                        "organization_id": org_id})
    if kind in ("cadre", "expert"):
        kinds = ("cadre_full", "cadre_part") if kind == "cadre" else ("professional",)
        for user_id, real, org_name, org_id in ExpertProfile.objects.filter(in_tree, kind__in=kinds).values_list(
                "user_id", "real_name", "organization__short_name", "organization_id"):
            people.setdefault(user_id, {"name": real, "organization": org_name or "", "organization_id": org_id})
    return people


def derive_person(s: dict) -> dict:
    hist = [s.get(f, 0) for f in HISTOGRAM_FIELDS]
    k = {f: s[f] for f in PERSON_COUNT_FIELDS if f != "response_seconds"}
    k["on_time_rate"] = scoring.rate(s["on_time"], s["first_responses"])
    k["first_response_mean_min"] = (round(s["response_seconds"] / 60 / s["first_responses"], 1)
                                    if s["first_responses"] else None)
    k["first_response_median_min"] = histogram.percentile_minutes(hist, 0.5)
    k["first_response_p90_min"] = histogram.percentile_minutes(hist, 0.9)
    k["satisfaction"] = _round(scoring.mean(s["rating_sum"], s["ratings"]))
    k["score"] = scoring.contribution_score(s, getattr(settings, "INSIGHTS_SCORE_WEIGHTS", None))
    return k


def people_totals(org: Organization, first: date, last: date, kind: str) -> list[dict]:
    """Every person of `kind` in the subtree with their KPIs and score over the range, ranked."""
    people = people_in_subtree(org, kind)
    rows = ranged_sums(DailyPersonMetric, MonthlyPersonMetric, Q(user_id__in=list(people)), ("user_id",),
                       PERSON_SUM_FIELDS, first, last)
    by_user = {key[0]: r for key, r in rows.items()}
    out = []
    for user_id, info in people.items():
        out.append({"user_id": user_id, **info, **derive_person(_clean(by_user.get(user_id, {}), PERSON_SUM_FIELDS))})
    return scoring.ranked(out)


def person_series(user, first: date, last: date, granularity: str) -> list[dict]:
    qs = DailyPersonMetric.objects.filter(user=user, day__gte=first, day__lte=last)
    if granularity == "day":
        qs = qs.values(period=F("day"))
    else:
        qs = qs.annotate(period=TRUNC[granularity]("day")).values("period")
    rows = {_as_date(r["period"]): r for r in _fetch(qs.annotate(**_sums(PERSON_SUM_FIELDS)).order_by("period"))}
    return [{"period": start, **derive_person(_clean(rows.get(start) or {}, PERSON_SUM_FIELDS))}
            for start in period_starts(first, last, granularity)]


# ---------------------------------------------------------------- supervision (staff management)

def staff_list(org: Organization):
    """Active staff memberships in the subtree (who works where, in which role)."""
    return (StaffMembership.objects.active().filter(organization__path__startswith=org.path)
            .select_related("user", "organization").order_by("organization__path", "role", "user__username"))


def recent_work(user, *, limit: int = 20) -> dict:
    """What a staff member did lately, read from the activity tables (the supervision view)."""
    from community.models import Answer, Invitation
    from organizations.models import DutyShift
    from stations.models import Booking

    from .models import TrainingRecord

    return {
        "answers": list(Answer.objects.filter(author=user).select_related("question", "question__organization")
                        .order_by("-created_at")[:limit]),
        "invitations": list(Invitation.objects.filter(invitee=user).select_related("question")
                            .order_by("-created_at")[:limit]),
        "bookings": list(Booking.objects.filter(responded_by=user).select_related("station")
                         .order_by("-responded_at")[:limit]),
        "shifts": list(DutyShift.objects.filter(user=user, cancelled_at__isnull=True).select_related("organization")
                       .order_by("-starts_at")[:limit]),
        "trainings": list(TrainingRecord.objects.filter(user=user).select_related("organization")[:limit]),
    }
