"""Rules for sign-ups and votes that need no database."""

from datetime import datetime


def signup_state(*, enabled: bool, capacity: int, taken: int, deadline: datetime | None, starts_at: datetime | None,
                 now: datetime) -> str:
    """One of: closed (sign-up not offered), ended (deadline or start passed), full, open."""
    if not enabled:
        return "closed"
    cutoff = deadline or starts_at
    if cutoff is not None and now >= cutoff:
        return "ended"
    if capacity and taken >= capacity:
        return "full"
    return "open"


def voting_state(*, starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> str:
    """not_started, open or closed."""
    if starts_at is not None and now < starts_at:
        return "not_started"
    if ends_at is not None and now >= ends_at:
        return "closed"
    return "open"


def results_visible(*, visibility: str, voting: str, is_staff: bool) -> bool:
    """`always` shows live counts; `after_close` once voting closed; `staff` only to the branch's staff."""
    if is_staff:
        return True
    if visibility == "always":
        return True
    if visibility == "after_close":
        return voting == "closed"
    return False
