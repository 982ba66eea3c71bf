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
from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek, TruncYear

from organizations.models import Organization, StaffMembership, StaffRole

from .cache import cached
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


TABLES = {
    "org": (DailyOrgMetric._meta.db_table, MonthlyOrgMetric._meta.db_table, ORG_SUM_FIELDS),
    "person": (DailyPersonMetric._meta.db_table, MonthlyPersonMetric._meta.db_table, PERSON_SUM_FIELDS),
}


def range_rows_sql(kind: str, keys: tuple[str, ...], where: str, params: list, first: date, last: date):
    """(sql, params) of the rows that make up [first, last]: whole months from the monthly table, the
    days at the edges from the daily one, as one UNION ALL (no grouping). `where` filters both
    tables (its %s placeholders take `params`)."""
    daily, monthly, fields = TABLES[kind]
    cols = ", ".join((*keys, *fields))
    spans, months = split_range(first, last)
    parts, out_params = [], []
    if spans:
        days = " OR ".join("day BETWEEN %s AND %s" for _ in spans)
        parts.append(f"SELECT {cols} FROM {daily} WHERE ({where}) AND ({days})")
        out_params += [*params, *(d for span in spans for d in span)]
    if months:
        parts.append(f"SELECT {cols} FROM {monthly} WHERE ({where}) AND month BETWEEN %s AND %s")
        out_params += [*params, *months]
    return " UNION ALL ".join(parts), out_params


def ranged_sums(kind: str, keys: tuple[str, ...], where: str, params: list, first: date, last: date):
    """{key tuple: summed row} over [first, last] in one statement (the sums are done by PostgreSQL),
    whatever the length of the range."""
    fields = TABLES[kind][2]
    rows_sql, rows_params = range_rows_sql(kind, keys, where, params, first, last)
    key_cols = ", ".join(keys)
    sums = ", ".join(f"SUM({f}) AS {f}" for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key_cols}, {sums} FROM ({rows_sql}) r GROUP BY {key_cols}", rows_params)
        names = [c[0] for c in cursor.description]
        return {tuple(row[:len(keys)]): dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def org_totals(org: Organization, first: date, last: date) -> dict:
    return cached("totals", (org.pk, first, last), lambda: _org_totals(org, first, last))


def _org_totals(org: Organization, first: date, last: date) -> dict:
    rows = ranged_sums("org", ("organization_id",), "organization_id = %s AND subtree", [org.pk], first, last)
    return derive(_clean(rows.get((org.pk,), {}), ORG_SUM_FIELDS))


def org_series(org: Organization, first: date, last: date, granularity: str) -> list[dict]:
    """One entry per period (empty periods included), oldest first."""
    return cached("series", (org.pk, first, last, granularity), lambda: _org_series(org, first, last, granularity))


def _org_series(org: Organization, first: date, last: date, granularity: str) -> list[dict]:
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
    return cached("children", (org.pk, first, last), lambda: _children_totals(org, first, last))


def _children_totals(org: Organization, first: date, last: date) -> list[dict]:
    children = list(Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path"))
    ids = [c.pk for c in children] or [0]
    rows = list(ranged_sums("org", ("organization_id", "subtree"),
                            f"(organization_id IN ({', '.join(['%s'] * len(ids))}) AND subtree) "
                            "OR (organization_id = %s AND NOT subtree)", [*ids, org.pk], first, last).values())
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


def _people_sql(org: Organization, kind: str) -> tuple[str, list]:
    """(sql, params) of the people of `kind` whose organisation lies in the subtree, one row per user
    (user_id, name, organization, organization_id). cadre: any active staff membership, or an expert
    profile of a full-/part-time League cadre; liaison: an active liaison-officer membership; expert:
    a professional expert profile. A person is shown at their first membership by tree order, else
    at their expert profile's organisation."""
    from accounts.models import User
    from alliances.models import ExpertProfile

    orgs, users = Organization._meta.db_table, User._meta.db_table
    prefix = org.path + "%"
    parts, params = [], []
    if kind in ("cadre", "liaison"):
        role = " AND m.role = %s" if kind == "liaison" else ""
        parts.append(f"""
            SELECT m.user_id, COALESCE(NULLIF(u.real_name, ''), NULLIF(u.display_name, ''), u.username) AS name,
                   o.short_name AS organization, o.id AS organization_id, 0 AS src, o.path AS ord
            FROM {StaffMembership._meta.db_table} m
            JOIN {orgs} o ON o.id = m.organization_id JOIN {users} u ON u.id = m.user_id
            WHERE m.is_active AND o.path LIKE %s{role}""")
        params += [prefix, *([StaffRole.LIAISON] if kind == "liaison" else [])]
    if kind in ("cadre", "expert"):
        kinds = ("cadre_full", "cadre_part") if kind == "cadre" else ("professional",)
        parts.append(f"""
            SELECT e.user_id, e.real_name AS name, COALESCE(o.short_name, '') AS organization,
                   o.id AS organization_id, 1 AS src, o.path AS ord
            FROM {ExpertProfile._meta.db_table} e JOIN {orgs} o ON o.id = e.organization_id
            WHERE o.path LIKE %s AND e.kind IN ({", ".join(["%s"] * len(kinds))})""")
        params += [prefix, *kinds]
    sql = f"""
        SELECT user_id, name, organization, organization_id FROM (
            SELECT c.*, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY src, ord, organization_id) AS n
            FROM ({" UNION ALL ".join(parts)}) c) p
        WHERE n = 1"""
    return sql, params


def score_sql(weights=None) -> tuple[str, list]:
    """The contribution score (insights.domain.scoring.contribution_score, the documented rule) as an
    SQL expression over the summed person columns: exact numeric arithmetic with the weights as the
    decimals they are written as, rounded to one decimal, halves away from zero (PostgreSQL round)."""
    w = scoring.decimal_weights(weights)
    terms = [f"CAST(%s AS NUMERIC) * {k}" for k in scoring.VOLUME_KEYS]
    params = [str(w[k]) for k in scoring.VOLUME_KEYS]
    terms.append("CAST(%s AS NUMERIC) * (rating_sum - 3 * ratings)")
    terms.append("- CAST(%s AS NUMERIC) * (CASE WHEN first_responses > on_time THEN first_responses - on_time "
                 "ELSE 0 END)")
    params += [str(w["satisfaction"]), str(w["late_penalty"])]
    return f"ROUND({' + '.join(terms[:-1])} {terms[-1]}, 1)", params


def derive_person(s: dict, score: float | None = None) -> dict:
    """A person's KPIs from their summed columns; the score by the pure rule unless given (the SQL
    ranking computes it)."""
    hist = [s.get(f, 0) for f in HISTOGRAM_FIELDS]
    k = {f: s[f] for f in PERSON_COUNT_FIELDS if f != "response_seconds"}
    k["on_time_rate"] = scoring.rate(s["on_time"], s["first_responses"])
    k["first_response_mean_min"] = (round(s["response_seconds"] / 60 / s["first_responses"], 1)
                                    if s["first_responses"] else None)
    k["first_response_median_min"] = histogram.percentile_minutes(hist, 0.5)
    k["first_response_p90_min"] = histogram.percentile_minutes(hist, 0.9)
    k["satisfaction"] = _round(scoring.mean(s["rating_sum"], s["ratings"]))
    k["score"] = (scoring.contribution_score(s, getattr(settings, "INSIGHTS_SCORE_WEIGHTS", None))
                  if score is None else score)
    return k


def people_ranking(org: Organization, first: date, last: date, kind: str, *, limit: int | None = None,
                   offset: int = 0) -> tuple[list[dict], int]:
    """(a page of the people of `kind` in the subtree with their KPIs, score and rank over the range,
    how many there are in all). Selecting the people, summing their days and months, scoring and
    ranking are one SQL statement; only the page is read back."""
    return cached("people", (org.pk, first, last, kind, limit, offset),
                  lambda: _people_ranking(org, first, last, kind, limit, offset))


def _people_ranking(org, first, last, kind, limit, offset):
    people_sql, people_params = _people_sql(org, kind)
    rows_sql, rows_params = range_rows_sql("person", ("user_id",), "user_id IN (SELECT user_id FROM people)", [],
                                           first, last)
    score, score_params = score_sql(getattr(settings, "INSIGHTS_SCORE_WEIGHTS", None))
    sums = ", ".join(f"SUM({f}) AS {f}" for f in PERSON_SUM_FIELDS)
    filled = ", ".join(f"COALESCE(s.{f}, 0) AS {f}" for f in PERSON_SUM_FIELDS)
    collate = 'COLLATE "C"' if connection.vendor == "postgresql" else "COLLATE BINARY"
    page = ""
    page_params = []
    if limit is not None:
        page, page_params = "LIMIT %s OFFSET %s", [limit, offset]
    sql = f"""
        WITH people AS ({people_sql}),
        sums AS (SELECT user_id, {sums} FROM ({rows_sql}) r GROUP BY user_id),
        filled AS (SELECT p.user_id, p.name, p.organization, p.organization_id, {filled}
                   FROM people p LEFT JOIN sums s ON s.user_id = p.user_id),
        scored AS (SELECT f.*, {score} AS score FROM filled f)
        SELECT scored.*, RANK() OVER (ORDER BY score DESC) AS rank, COUNT(*) OVER () AS total_count
        FROM scored ORDER BY score DESC, name {collate}, user_id {page}"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*people_params, *rows_params, *score_params, *page_params])
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        if rows:
            total = rows[0]["total_count"]
        elif offset:
            cursor.execute(f"SELECT COUNT(*) FROM ({people_sql}) p", people_params)
            total = cursor.fetchone()[0]
        else:
            total = 0
    out = []
    for row in rows:
        k = derive_person(_clean(row, PERSON_SUM_FIELDS), score=float(row["score"]))
        out.append({"user_id": row["user_id"], "name": row["name"], "organization": row["organization"] or "",
                    "organization_id": row["organization_id"], **k, "rank": row["rank"]})
    return out, total


def people_totals(org: Organization, first: date, last: date, kind: str, limit: int | None = None) -> list[dict]:
    """Every person of `kind` in the subtree (or the first `limit`), ranked (see people_ranking)."""
    return people_ranking(org, first, last, kind, limit=limit)[0]


class PeoplePage:
    """people_ranking as a lazily sliced sequence for ninja's limit/offset pagination: the slice is
    the SQL LIMIT/OFFSET and the count comes with it (COUNT(*) OVER ())."""

    def __init__(self, org: Organization, first: date, last: date, kind: str):
        self.args = (org, first, last, kind)
        self.total: int | None = None

    def __getitem__(self, item: slice) -> list[dict]:
        start = item.start or 0
        rows, self.total = people_ranking(*self.args, limit=item.stop - start, offset=start)
        return rows

    def __len__(self) -> int:
        if self.total is None:
            self.total = people_ranking(*self.args, limit=1)[1]
        return self.total


def person_series(user, first: date, last: date, granularity: str) -> list[dict]:
    qs: QuerySet = DailyPersonMetric.objects.filter(user=user, day__gte=first, day__lte=last)
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
