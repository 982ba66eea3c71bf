"""Pure rules: display windows, hot score, slot filling, sign-up and voting states."""

from datetime import UTC, datetime, timedelta

from home.domain.brand import results_visible, signup_state, voting_state
from home.domain.featured import fill_slots, hot_score, is_showing

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_display_window_is_inclusive_start_exclusive_end():
    assert is_showing(None, None, NOW)
    assert is_showing(NOW, NOW + H, NOW)
    assert not is_showing(NOW + H, None, NOW)
    assert not is_showing(None, NOW, NOW)
    assert is_showing(None, NOW + H, NOW)


def test_hot_score_prefers_interactions_and_fresh_content():
    fresh = hot_score(views=10, interactions=0, published_at=NOW - H, now=NOW)
    old = hot_score(views=10, interactions=0, published_at=NOW - 48 * H, now=NOW)
    engaged = hot_score(views=10, interactions=5, published_at=NOW - H, now=NOW)
    assert engaged > fresh > old
    assert hot_score(views=0, interactions=0, published_at=NOW + H, now=NOW) > 0  # clock skew is harmless


def test_fill_slots_keeps_editor_order_and_skips_duplicates():
    assert fill_slots(["a", "b"], ["b", "c", "d"], 3) == ["a", "b", "c"]
    assert fill_slots(["a", "b", "c", "d"], ["e"], 3) == ["a", "b", "c"]
    assert fill_slots([], ["x", "x", "y"], 5) == ["x", "y"]


def test_signup_state():
    kw = dict(enabled=True, capacity=2, deadline=None, starts_at=NOW + H, now=NOW)
    assert signup_state(taken=0, **kw) == "open"
    assert signup_state(taken=2, **kw) == "full"
    assert signup_state(taken=0, **{**kw, "deadline": NOW}) == "ended"
    assert signup_state(taken=0, **{**kw, "starts_at": NOW - H}) == "ended"
    assert signup_state(taken=0, **{**kw, "enabled": False}) == "closed"


def test_voting_state_and_results_visibility():
    assert voting_state(starts_at=NOW + H, ends_at=None, now=NOW) == "not_started"
    assert voting_state(starts_at=NOW - H, ends_at=NOW + H, now=NOW) == "open"
    assert voting_state(starts_at=None, ends_at=NOW, now=NOW) == "closed"
    assert results_visible(visibility="always", voting="open", is_staff=False)
    assert not results_visible(visibility="after_close", voting="open", is_staff=False)
    assert results_visible(visibility="after_close", voting="closed", is_staff=False)
    assert not results_visible(visibility="staff", voting="closed", is_staff=False)
    assert results_visible(visibility="staff", voting="open", is_staff=True)
