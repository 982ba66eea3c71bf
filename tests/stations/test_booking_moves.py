"""The table of allowed booking moves (stations.domain.bookings): every allowed and every
forbidden move, pure unit tests."""

import itertools

import pytest

from stations.domain.bookings import ALLOWED_MOVES, RELEASES_PLACE, STATES, can_move
from stations.models import HOLDING_STATUSES, BookingStatus

ALLOWED = {
    ("pending", "confirmed"),
    ("pending", "declined"),
    ("pending", "cancelled"),
    ("pending", "expired"),
    ("confirmed", "completed"),
    ("confirmed", "declined"),
    ("confirmed", "cancelled"),
}


def test_states_are_the_models_states():
    assert set(STATES) == set(BookingStatus.values)
    assert set(ALLOWED_MOVES) == set(STATES)


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_move(current, target):
    assert can_move(current, target)
    assert can_move(BookingStatus(current), BookingStatus(target))


@pytest.mark.parametrize(("current", "target"),
                         sorted(set(itertools.product(STATES, STATES)) - ALLOWED))
def test_forbidden_move(current, target):
    assert not can_move(current, target)


def test_unknown_state_moves_nowhere():
    assert not can_move("lost", "confirmed")


def test_final_states_and_held_places():
    assert {s for s in STATES if not ALLOWED_MOVES[s]} == {"declined", "cancelled", "expired", "completed"}
    # only a state that holds a place (pending, confirmed) can give one back
    for current, target in ALLOWED:
        if target in RELEASES_PLACE:
            assert current in HOLDING_STATUSES
    assert RELEASES_PLACE == {"declined", "cancelled", "expired"}
