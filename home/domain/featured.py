"""Featured slots and hot items: display windows, the hot score, and how slots are filled."""

from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")

# Hot score: interactions weigh more than views; older content sinks (gravity, as on news sites).
#   score = (views + INTERACTION_WEIGHT * interactions + 1) / (age_hours + 2) ** GRAVITY
INTERACTION_WEIGHT = 5
GRAVITY = 1.2
HOT_WINDOW_DAYS = 30


def is_showing(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> bool:
    """A slot item shows from `starts_at` (inclusive) until `ends_at` (exclusive); open ends are open."""
    if starts_at is not None and now < starts_at:
        return False
    if ends_at is not None and now >= ends_at:
        return False
    return True


def hot_score(*, views: int, interactions: int, published_at: datetime, now: datetime) -> float:
    age_hours = max((now - published_at).total_seconds() / 3600, 0.0)
    return (max(views, 0) + INTERACTION_WEIGHT * max(interactions, 0) + 1) / (age_hours + 2) ** GRAVITY


def fill_slots(curated: Sequence[T], hot: Iterable[T], slots: int, key: Callable[[T], Hashable] = lambda item: item) -> list[T]:
    """Editors' items first, in their order; empty slots take hot items not already shown."""
    result = list(curated[:slots])
    seen: set[Hashable] = {key(item) for item in result}
    for item in hot:
        if len(result) >= slots:
            break
        k = key(item)
        if k in seen:
            continue
        seen.add(k)
        result.append(item)
    return result
