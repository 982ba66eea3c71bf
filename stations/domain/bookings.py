"""A booking's states and the moves allowed between them [A3.3]: the one table every state change
of a booking is checked against (stations.services.transition_booking). Pure, no models: the
values are those of stations.models.BookingStatus.

    pending   → confirmed (the station accepts), declined (it refuses), cancelled (the youth
                withdraws), expired (nobody answered before the slot began)
    confirmed → completed (the result is recorded), declined, cancelled
    declined, cancelled, expired, completed: final
"""

PENDING = "pending"
CONFIRMED = "confirmed"
DECLINED = "declined"
CANCELLED = "cancelled"
EXPIRED = "expired"
COMPLETED = "completed"

STATES = (PENDING, CONFIRMED, DECLINED, CANCELLED, EXPIRED, COMPLETED)

ALLOWED_MOVES: dict[str, frozenset[str]] = {
    PENDING: frozenset({CONFIRMED, DECLINED, CANCELLED, EXPIRED}),
    CONFIRMED: frozenset({COMPLETED, DECLINED, CANCELLED}),
    DECLINED: frozenset(),
    CANCELLED: frozenset(),
    EXPIRED: frozenset(),
    COMPLETED: frozenset(),
}

# Moving into these gives the booking's place on its slot back.
RELEASES_PLACE = frozenset({DECLINED, CANCELLED, EXPIRED})


def can_move(current: str, target: str) -> bool:
    """May a booking in state `current` move to `target`?"""
    return target in ALLOWED_MOVES.get(current, frozenset())
