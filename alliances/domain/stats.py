"""Expert statistics [A2.5, A1.10] as pure functions over plain rows.

The database selectors (alliances.selectors.expert_statistics) compute the same figures with one
aggregate query per source; these functions define them, are used for small in-memory sets and are
what the tests check the selectors against (a hand-computed fixture).

Definitions, per expert and period [since, until):
- answers: answers written in the period; accepted: of those, the accepted ones.
- response time of an answer: answer.created_at - question.created_at (seconds); median and mean.
- on time: answers written no later than the question's deadline (questions without one count as on time).
- rating: mean of the ratings given to the expert's answers (1–5), ignoring unrated answers. Where
  the rating is the asker's outcome of the whole question (community), it counts for the answer that
  helped: the accepted answer, or, with none accepted, the answers that stopped the question's clock.
- invitations received in the period; accepted (status accepted or answered); answered on time
  (the invitee answered the question no later than its deadline). Where the invitation records when
  the invitee answered and the deadline it gave them on acceptance (community), those two decide
  (an invitation row may then carry `answered_on_time`).
- offline services: services delivered at the expert's home station in the period (from stations).
- out of domain (only when settings.YV_ALLIANCES_FLAG_OUT_OF_DOMAIN): answers to questions whose domain
  is not one of the expert's domains. Answering outside one's domain is always allowed.
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

ACCEPTED_INVITATION_STATUSES = frozenset({"accepted", "answered"})


@dataclass
class ExpertStats:
    expert_user_id: int
    answers: int = 0
    accepted: int = 0
    on_time: int = 0
    median_response_seconds: float | None = None
    mean_response_seconds: float | None = None
    rating: float | None = None
    ratings: int = 0
    invitations: int = 0
    invitations_accepted: int = 0
    invitations_answered_on_time: int = 0
    offline_services: int = 0
    out_of_domain: int | None = None  # answers outside the expert's domains, when that is configured

    @property
    def accepted_rate(self) -> float | None:
        return self.accepted / self.answers if self.answers else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.answers if self.answers else None

    @property
    def invitation_accept_rate(self) -> float | None:
        return self.invitations_accepted / self.invitations if self.invitations else None

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(accepted_rate=self.accepted_rate, on_time_rate=self.on_time_rate,
                    invitation_accept_rate=self.invitation_accept_rate)
        return data


def median(values: list[float]) -> float | None:
    """The median (mean of the two middle values for an even count), as PostgreSQL percentile_cont(0.5)."""
    if not values:
        return None
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return float(ordered[mid]) if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _in(ts: datetime, since: datetime, until: datetime) -> bool:
    return since <= ts < until


def compute(
    *,
    answers: Iterable[Mapping],
    invitations: Iterable[Mapping] = (),
    offline_services: Mapping[int, int] | None = None,
    since: datetime,
    until: datetime,
    expert_domains: Mapping[int, set[str]] | None = None,
) -> dict[int, ExpertStats]:
    """answers: {author_id, question_id, created_at, question_created_at, deadline, accepted, rating};
    invitations: {invitee_id, question_id, created_at, status}. Returns author/invitee id -> ExpertStats."""
    out: dict[int, ExpertStats] = {}
    responses: dict[int, list[float]] = {}
    ratings: dict[int, list[float]] = {}
    answered_by: dict[tuple[int, int], datetime] = {}
    deadlines: dict[int, datetime | None] = {}

    def get(uid: int) -> ExpertStats:
        if uid not in out:
            out[uid] = ExpertStats(expert_user_id=uid)
        return out[uid]

    for a in answers:
        deadlines[a["question_id"]] = a.get("deadline")
        key = (a["author_id"], a["question_id"])
        if key not in answered_by or a["created_at"] < answered_by[key]:
            answered_by[key] = a["created_at"]
        if not _in(a["created_at"], since, until):
            continue
        s = get(a["author_id"])
        s.answers += 1
        s.accepted += bool(a.get("accepted"))
        deadline = a.get("deadline")
        if "on_time" in a:  # the verdict stored when the answer was written
            s.on_time += bool(a["on_time"])
        else:
            s.on_time += deadline is None or a["created_at"] <= deadline
        responses.setdefault(s.expert_user_id, []).append((a["created_at"] - a["question_created_at"]).total_seconds())
        if a.get("rating") is not None:
            ratings.setdefault(s.expert_user_id, []).append(a["rating"])
        if expert_domains is not None:
            outside = a.get("domain") not in expert_domains.get(a["author_id"], set())
            s.out_of_domain = (s.out_of_domain or 0) + outside
    for inv in invitations:
        if not _in(inv["created_at"], since, until):
            continue
        s = get(inv["invitee_id"])
        s.invitations += 1
        s.invitations_accepted += inv["status"] in ACCEPTED_INVITATION_STATUSES
        if "answered_on_time" in inv:  # recorded on the invitation itself
            s.invitations_answered_on_time += bool(inv["answered_on_time"])
            continue
        answered_at = answered_by.get((inv["invitee_id"], inv["question_id"]))
        deadline = deadlines.get(inv["question_id"], inv.get("deadline"))
        if answered_at is not None and (deadline is None or answered_at <= deadline):
            s.invitations_answered_on_time += 1
    for uid, values in responses.items():
        out[uid].median_response_seconds = median(values)
        out[uid].mean_response_seconds = sum(values) / len(values)
    for uid, values in ratings.items():
        out[uid].rating = sum(values) / len(values)
        out[uid].ratings = len(values)
    for uid, count in (offline_services or {}).items():
        get(uid).offline_services = count
    return out


RANK_KEYS = {
    "answers": lambda s: (-s.answers, -s.accepted, s.expert_user_id),
    "accepted": lambda s: (-s.accepted, -s.answers, s.expert_user_id),
    "rating": lambda s: (-(s.rating or 0), -s.ratings, s.expert_user_id),
    "response": lambda s: (s.median_response_seconds is None, s.median_response_seconds or 0, s.expert_user_id),
    "on_time": lambda s: (-(s.on_time_rate or 0), -s.answers, s.expert_user_id),
}


def rank(stats: Iterable[ExpertStats], by: str = "answers") -> list[ExpertStats]:
    """Members ranked for liaison officers; unknown keys fall back to answers."""
    return sorted(stats, key=RANK_KEYS.get(by, RANK_KEYS["answers"]))


def format_duration(seconds: float | None) -> str:
    """'2小时5分' style, for pages and exports."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes}分钟"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
    days, hours = divmod(hours, 24)
    return f"{days}天{hours}小时" if hours else f"{days}天"
