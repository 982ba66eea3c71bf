"""The "hot" ranking. Pure.

    hot = log10(max(1, 3·answers + 2·likes + follows + views/20 + 5·featured)) + (asked_at − 2024-01-01) / 45 000 s

Engagement counts on a log scale, age as a linear bonus for newness: ten times the engagement is
worth 12.5 hours of recency, so a question needs ever more activity to stay on top as it ages (time
decay) — and the score of a question does not change while nothing happens to it, so it is stored
and indexed and a hot feed is one index scan (the Reddit formula)."""

import math
from datetime import UTC, datetime

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
DECAY_SECONDS = 45_000


def engagement(*, answers: int, likes: int, follows: int, views: int, featured: bool) -> float:
    return 3 * answers + 2 * likes + follows + views / 20 + (5 if featured else 0)


def hot_score(*, asked_at: datetime, answers: int = 0, likes: int = 0, follows: int = 0, views: int = 0,
              featured: bool = False) -> float:
    e = engagement(answers=answers, likes=likes, follows=follows, views=views, featured=featured)
    return round(math.log10(max(1.0, e)) + (asked_at - EPOCH).total_seconds() / DECAY_SECONDS, 6)
