"""Rates, the liaison contribution score and the organisation score [A1.10, G4.2]. Pure functions.

Contribution score of a person (cadre, liaison officer or expert) over a period, from their KPIs:

    score = Σ weight[k] · count[k]                          (volume of work)
          + weight["satisfaction"] · (mean rating − 3) · ratings   (ratings above 3 add, below subtract)
          − weight["late_penalty"] · late first responses

with the counts k = answers, first_responses, on_time (first responses within the deadline),
accepted, solved, partly, invitations_answered, bookings_on_time, comments. Weights come from
settings.INSIGHTS_SCORE_WEIGHTS (defaults in DEFAULT_WEIGHTS; unknown keys are ignored, missing
ones default). The score is rounded to one decimal.

Organisation score (for the organisation leaderboard), from its subtree's KPIs over the period:

    org_score = 40·answer_rate + 30·on_time_rate + 20·satisfaction_rate + 10·booking_on_time_rate

each rate in [0, 1] (a rate with nothing to measure counts as 0 for the score but is shown as
"—"); weights in settings.INSIGHTS_ORG_SCORE_WEIGHTS.
"""

from collections.abc import Mapping

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
               "bookings_on_time", "comments")


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


def contribution_score(kpis: Mapping[str, float], weights: Mapping[str, float] | None = None) -> float:
    w = merged(weights, DEFAULT_WEIGHTS)
    score = sum(w[k] * (kpis.get(k) or 0) for k in VOLUME_KEYS)
    ratings = kpis.get("ratings") or 0
    if ratings:
        avg = (kpis.get("rating_sum") or 0) / ratings
        score += w["satisfaction"] * (avg - 3) * ratings
    late = max(0, (kpis.get("first_responses") or 0) - (kpis.get("on_time") or 0))
    score -= w["late_penalty"] * late
    return round(score, 1)


def org_score(kpis: Mapping[str, float | None], weights: Mapping[str, float] | None = None) -> float:
    w = merged(weights, DEFAULT_ORG_WEIGHTS)
    return round(sum(w[k] * (kpis.get(k) or 0) for k in DEFAULT_ORG_WEIGHTS), 1)


def ranked(rows: list[dict], key: str = "score") -> list[dict]:
    """Sort by score (desc), ties by name; adds 1-based `rank` (equal scores share a rank)."""
    rows = sorted(rows, key=lambda r: (-(r.get(key) or 0), str(r.get("name", ""))))
    last, last_rank = None, 0
    for i, row in enumerate(rows, start=1):
        if row.get(key) != last:
            last, last_rank = row.get(key), i
        row["rank"] = last_rank
    return rows
