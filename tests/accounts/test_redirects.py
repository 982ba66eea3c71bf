"""Issue 25, finding 8 (low): /admin/moderation/queue/bulk/ redirected to any `next=`. Every view that
follows `next` now asks core.redirects.safe_next (or an equivalent check): our host only."""

import pytest

from core.redirects import safe_next
from organizations.models import StaffRole

EVIL = ["https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
        "https:evil.example", " //evil.example"]


@pytest.mark.parametrize("target", EVIL)
def test_safe_next_refuses_other_hosts(rf, target):
    assert safe_next(rf.post("/x", {"next": target}), "/fallback/") == "/fallback/"


def test_safe_next_keeps_our_own_paths(rf):
    assert safe_next(rf.post("/x", {"next": "/admin/moderation/queue/?status=open"}), "/f/") == \
        "/admin/moderation/queue/?status=open"
    assert safe_next(rf.get("/x", {"next": "http://testserver/qa/"}), "/f/") == "http://testserver/qa/"
    assert safe_next(rf.get("/x", {"next": "http://testserver/qa/"}, secure=True), "/f/") == "/f/"  # no downgrade
    assert safe_next(rf.post("/x"), "moderation_queue") == "/admin/moderation/queue/"  # a URL name


@pytest.mark.parametrize("target", EVIL[:3])
def test_moderation_bulk_decision_does_not_redirect_off_site(tree, make_staff, client_for, target):
    moderator = make_staff(tree.guangzhou, role=StaffRole.MODERATOR)
    r = client_for(moderator).post("/admin/moderation/queue/bulk/",
                                   {"case": ["999999"], "action": "approve", "next": target})
    assert r.status_code == 302 and r["Location"] == "/admin/moderation/queue/"


def test_moderation_bulk_decision_returns_to_the_filtered_queue(tree, make_staff, client_for):
    moderator = make_staff(tree.guangzhou, role=StaffRole.MODERATOR)
    r = client_for(moderator).post("/admin/moderation/queue/bulk/", {
        "case": ["999999"], "action": "approve", "next": "/admin/moderation/queue/?status=open"})
    assert r.status_code == 302 and r["Location"] == "/admin/moderation/queue/?status=open"


@pytest.mark.parametrize("target", EVIL[:3])
def test_station_booking_actions_do_not_redirect_off_site(youth, client_for, target):
    r = client_for(youth).post("/stations/bookings/999999/cancel/", {"next": target})
    assert r.status_code == 302 and r["Location"].startswith("/") and "evil" not in r["Location"]
