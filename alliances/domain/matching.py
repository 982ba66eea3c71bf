"""Suggesting experts for a question [A2.2]: domain, location and current load.

Score (higher is better), documented in docs/alliances.md:

    eligible  = expert is active, has the question's domain, is not away, load < capacity
    location  = 40 same home station as the question's target station
              + 30 same organisation as the question
              | 20 same city (organisations share the city-level ancestor)
              | 10 a province-level expert (serves everywhere)
              |  0 elsewhere
    load      = -8 per open (unanswered, not overdue-closed) question assigned to the expert
    busy      = -15 when the expert marked themselves busy
    verified  = +5 when staff verified the real name

Ties break on lower load, then lower expert id, so suggestions are stable.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from organizations.domain.tree import STEPLEN, ancestor_path

CITY_DEPTH = 2

SAME_STATION = 40
SAME_ORG = 30
SAME_CITY = 20
PROVINCE_EXPERT = 10
LOAD_PENALTY = 8
BUSY_PENALTY = 15
VERIFIED_BONUS = 5


@dataclass(frozen=True)
class Candidate:
    expert_id: int
    domains: frozenset[str]
    org_path: str = ""
    home_station_id: int | None = None
    availability: str = "available"
    active: bool = True
    verified: bool = False
    open_load: int = 0
    capacity: int = 5


@dataclass(frozen=True)
class QuestionInfo:
    domain: str
    org_path: str = ""
    station_id: int | None = None


@dataclass(frozen=True)
class Suggestion:
    expert_id: int
    score: int
    reasons: tuple[str, ...] = field(default=())


def city_path(path: str) -> str:
    return ancestor_path(path, CITY_DEPTH) if len(path) >= STEPLEN * CITY_DEPTH else ""


def eligible(c: Candidate, q: QuestionInfo) -> bool:
    return c.active and q.domain in c.domains and c.availability != "away" and c.open_load < c.capacity


def score(c: Candidate, q: QuestionInfo) -> Suggestion:
    points = 0
    reasons = []
    if q.station_id is not None and c.home_station_id == q.station_id:
        points += SAME_STATION
        reasons.append("same_station")
    if c.org_path and q.org_path and c.org_path == q.org_path:
        points += SAME_ORG
        reasons.append("same_org")
    elif c.org_path and city_path(q.org_path) and city_path(c.org_path) == city_path(q.org_path):
        points += SAME_CITY
        reasons.append("same_city")
    elif c.org_path and len(c.org_path) == STEPLEN:
        points += PROVINCE_EXPERT
        reasons.append("province_expert")
    if c.open_load:
        points -= LOAD_PENALTY * c.open_load
        reasons.append(f"load_{c.open_load}")
    if c.availability == "busy":
        points -= BUSY_PENALTY
        reasons.append("busy")
    if c.verified:
        points += VERIFIED_BONUS
        reasons.append("verified")
    return Suggestion(c.expert_id, points, tuple(reasons))


def suggest(candidates: Iterable[Candidate], question: QuestionInfo, limit: int = 5,
            exclude: Iterable[int] = ()) -> list[Suggestion]:
    """The best `limit` eligible candidates, best first."""
    excluded = set(exclude)
    loads = {}
    scored = []
    for c in candidates:
        if c.expert_id in excluded or not eligible(c, question):
            continue
        loads[c.expert_id] = c.open_load
        scored.append(score(c, question))
    scored.sort(key=lambda s: (-s.score, loads[s.expert_id], s.expert_id))
    return scored[: max(0, limit)]
