"""Rates, the liaison contribution score and the organisation score [A1.10, G4.2]. Pure functions.

Contribution score of a person (cadre, liaison officer or expert) over a period, from their KPIs:

    score = Σ weight[k] · count[k]                                  (volume of work)
          + weight["satisfaction"] · (rating_sum − 3 · ratings)     (= (mean rating − 3) · ratings:
                                                                     ratings above 3 add, below subtract)
          − weight["late_penalty"] · max(0, first_responses − on_time)   (late first responses)

with the counts k = answers, first_responses, on_time (first responses within the deadline),
accepted, solved, partly, invitations_answered, bookings_on_time, comments, promotions (promotion
activities credited to the person, A1 第三条) and promotion_reach (the people they reached: 0.001 a
person, one point per thousand). Weights come from
settings.INSIGHTS_SCORE_WEIGHTS (defaults in DEFAULT_WEIGHTS; unknown keys are ignored, missing
ones default). The arithmetic is exact decimal (each weight is taken as the decimal it is written
as, e.g. 0.2, not the nearest binary float) and the score is rounded to one decimal, halves away
from zero. This function is the rule; the leaderboards compute the same expression in SQL
(insights.selectors.people_ranking, PostgreSQL numeric: same arithmetic, same rounding), and a test
checks that both agree.

Leaderboards order by score (highest first), then name (code-point order), then user id; equal
scores share a rank (1, 2, 2, 4).

Organisation score (for the organisation leaderboard), from its subtree's KPIs over the period:

    org_score = 40·answer_rate + 30·on_time_rate + 20·satisfaction_rate + 10·booking_on_time_rate

each rate in [0, 1] (a rate with nothing to measure counts as 0 for the score but is shown as
"—"); weights in settings.INSIGHTS_ORG_SCORE_WEIGHTS.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_WEIGHTS: dict[str, float] = {
    "answers": 1.0,
    "first_responses": 2.0,
    "on_time": 3.0,
    "accepted": 3.0,
    "solved": 4.0,
    "partly": 1.5,
    "invitations_answered": 2.0,
    "bookings_on_time": 2.0,
    "comments": 0.2,
    "promotions": 3.0,
    "promotion_reach": 0.001,
    "satisfaction": 2.0,
    "late_penalty": 2.0,
}

DEFAULT_ORG_WEIGHTS: dict[str, float] = {
    "answer_rate": 40.0,
    "on_time_rate": 30.0,
    "satisfaction_rate": 20.0,
    "booking_on_time_rate": 10.0,
}

VOLUME_KEYS = ("answers", "first_responses", "on_time", "accepted", "solved", "partly", "invitations_answered",
               "bookings_on_time", "comments", "promotions", "promotion_reach")


def rate(part: float | None, whole: float | None) -> float | None:
    """part / whole, None when there is nothing to measure."""
    if not whole:
        return None
    return (part or 0) / whole


def mean(total: float | None, count: float | None) -> float | None:
    if not count:
        return None
    return (total or 0) / count


def merged(weights: Mapping[str, float] | None, defaults: Mapping[str, float]) -> dict[str, float]:
    out = dict(defaults)
    for key, value in (weights or {}).items():
        if key in defaults:
            out[key] = float(value)
    return out


def decimal_weights(weights: Mapping[str, float] | None = None) -> dict[str, Decimal]:
    """The contribution weights as exact decimals (as written: 0.2 is 2/10)."""
    return {k: Decimal(str(v)) for k, v in merged(weights, DEFAULT_WEIGHTS).items()}


def _count(value: object) -> Decimal:
    return Decimal(value) if isinstance(value, int) else Decimal(str(value or 0))


ONE_DECIMAL = Decimal("0.1")


def contribution_score(kpis: Mapping[str, float], weights: Mapping[str, float] | None = None) -> float:
    w = decimal_weights(weights)
    c = {k: _count(kpis.get(k) or 0) for k in (*VOLUME_KEYS, "ratings", "rating_sum")}
    score = sum((w[k] * c[k] for k in VOLUME_KEYS), Decimal(0))
    score += w["satisfaction"] * (c["rating_sum"] - 3 * c["ratings"])
    score -= w["late_penalty"] * max(Decimal(0), c["first_responses"] - c["on_time"])
    return float(score.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def org_score(kpis: Mapping[str, float | None], weights: Mapping[str, float] | None = None) -> float:
    w = merged(weights, DEFAULT_ORG_WEIGHTS)
    return round(sum(w[k] * (kpis.get(k) or 0) for k in DEFAULT_ORG_WEIGHTS), 1)


def ranked(rows: list[dict], key: str = "score") -> list[dict]:
    """Sort by score (desc), ties by name (code points), then user id; adds 1-based `rank` (equal
    scores share a rank)."""
    rows = sorted(rows, key=lambda r: (-(r.get(key) or 0), str(r.get("name", "")), r.get("user_id") or 0))
    last, last_rank = None, 0
    for i, row in enumerate(rows, start=1):
        if row.get(key) != last:
            last, last_rank = row.get(key), i
        row["rank"] = last_rank
    return rows
