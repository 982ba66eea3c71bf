"""Expert statistics over community's real models (questions, answers, invitations) and stations'
bookings must equal a hand-computed fixture, with one aggregate query per table (no per-expert loop),
on PostgreSQL and through the pure-Python path alike."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances import selectors
from alliances.sources import community_sources
from community.models import Answer, Invitation, Question
from stations.models import Booking, ServiceSlot
from tests.factories import UserFactory
from tests.stations.conftest import make_station

from .conftest import make_expert

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SINCE, UNTIL = T0 - timedelta(days=1), T0 + timedelta(days=30)
H = timedelta(hours=1)

# By hand (period [T0 - 1 day, T0 + 30 days)):
# 甲 (e10) answers q1 after 1 h (on time, accepted, outcome 5), q2 after 4 h (late; nothing accepted, his
#   answer stopped the clock, outcome 3), q3 after 2 h (on time, unrated); a removed answer does not count.
#   Median of 3600/14400/7200 s = 7200, mean 8400; rating (5 + 3) / 2 = 4 from 2 ratings.
#   Invited to q1 (answered 1 h in, deadline 3 h: on time) and q2 (answered after its deadline): 2 accepted,
#   1 on time. Two services completed at his home station in the period (one before it, one only confirmed).
# 乙 (e20) answers q1 after 30 min (on time, stopped the clock, but q1's accepted answer is 甲's, so q1's
#   rating is not his) and q9 a year before the period (not counted). Invited to q2 (declined) and q3
#   (pending): 2 invitations, none accepted. No home station.
EXPECTED = {
    "e10": dict(answers=3, accepted=1, on_time=2, median_response_seconds=7200.0, mean_response_seconds=8400.0,
                rating=4.0, ratings=2, invitations=2, invitations_accepted=2, invitations_answered_on_time=1,
                offline_services=2),
    "e20": dict(answers=1, accepted=0, on_time=1, median_response_seconds=1800.0, mean_response_seconds=1800.0,
                rating=None, ratings=0, invitations=2, invitations_accepted=0, invitations_answered_on_time=0,
                offline_services=0),
}


def question(org, asker, asked_at, title, hours=3):
    return Question.objects.create(
        asker=asker, title=title, domain="legal", organization=org, asked_at=asked_at, clock_started_at=asked_at,
        remind_at=asked_at + timedelta(hours=hours - 1), deadline_at=asked_at + timedelta(hours=hours),
        last_activity_at=asked_at)


def answer(q, author, at, stops=True, removed=False):
    return Answer.objects.create(question=q, author=author, role="expert", body="回答内容" * 5, stops_clock=stops,
                                 created_at=at, is_removed=removed)


def invitation(q, invitee, inviter, created, status, deadline=None, answered=None):
    inv = Invitation.objects.create(question=q, invitee=invitee, inviter=inviter, status=status, deadline_at=deadline,
                                    answered_at=answered)
    Invitation.objects.filter(pk=inv.pk).update(created_at=created)


@pytest.fixture
def fixture(tree):
    station = make_station(tree.tianhe)
    e10 = make_expert(tree.tianhe, name="甲", home_station=station)
    e20 = make_expert(tree.nanshan, name="乙")
    u10, u20 = e10.user, e20.user
    asker, staff = UserFactory(), UserFactory()
    q1 = question(tree.tianhe, asker, T0, "工资被拖欠")
    q2 = question(tree.tianhe, asker, T0 + H, "合同纠纷")
    q3 = question(tree.nanshan, asker, T0 + timedelta(days=1), "租房押金")
    q9 = question(tree.nanshan, asker, T0 - timedelta(days=401), "去年的问题")
    a1 = answer(q1, u10, T0 + H)
    answer(q2, u10, T0 + 5 * H)
    answer(q3, u10, q3.asked_at + 2 * H, stops=False)
    answer(q3, u10, q3.asked_at + H, removed=True)
    answer(q1, u20, T0 + timedelta(minutes=30))
    a9 = answer(q9, u20, q9.asked_at + H)
    Question.objects.filter(pk=q1.pk).update(accepted_answer=a1, outcome="solved", outcome_rating=5)
    Question.objects.filter(pk=q2.pk).update(outcome="partly", outcome_rating=3)
    Question.objects.filter(pk=q9.pk).update(accepted_answer=a9, outcome="solved", outcome_rating=1)
    invitation(q1, u10, staff, T0 + timedelta(minutes=5), "answered", deadline=T0 + 3 * H, answered=T0 + H)
    invitation(q2, u10, staff, T0 + H, "answered", deadline=T0 + 4 * H, answered=T0 + 5 * H)
    invitation(q2, u20, staff, T0 + H, "declined")
    invitation(q3, u20, staff, q3.asked_at, "pending")
    invitation(q9, u20, staff, q9.asked_at, "answered", deadline=q9.asked_at + 3 * H, answered=q9.asked_at + H)
    slot = ServiceSlot.objects.create(service=station.services.first(), station=station, starts_at=T0 + 48 * H,
                                      ends_at=T0 + 49 * H, capacity=5, booked=4)
    for user, status, completed in [(UserFactory(), "completed", T0 + 49 * H), (UserFactory(), "completed", T0 + 50 * H),
                                    (UserFactory(), "completed", T0 - timedelta(days=100)),
                                    (UserFactory(), "confirmed", None)]:
        Booking.objects.create(slot=slot, station=station, user=user, status=status, requested_at=T0,
                               respond_by=T0 + H, completed_at=completed)
    return {"e10": u10.pk, "e20": u20.pk}


def check(out, ids):
    for name, expected in EXPECTED.items():
        got = out[ids[name]].as_dict()
        for key, value in expected.items():
            assert got[key] == (pytest.approx(value) if value is not None else None), (name, key)


def test_statistics_on_community_models_match_the_hand_computed_fixture(fixture):
    ids = fixture
    with CaptureQueriesContext(connection) as ctx:
        out = selectors.expert_statistics(sources=community_sources(), since=SINCE, until=UNTIL)
    check(out, ids)
    selects = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    if connection.vendor == "postgresql":
        # answers (+ questions), invitations, bookings per station, the experts based at those stations
        assert len(selects) == 4, selects
        # invitations read their own answered_at/deadline (no EXISTS over answers); the answers' only
        # EXISTS are over question events: the on-time verdict stored when the answer was written
        from community.models import Answer as A
        from community.models import QuestionEvent

        events = QuestionEvent._meta.db_table
        assert not any("EXISTS" in sql and A._meta.db_table not in sql for sql in selects)
        assert all(sql.count("EXISTS") == sql.count(f'FROM "{events}"') for sql in selects)


def test_statistics_for_some_experts_only(fixture):
    ids = fixture
    out = selectors.expert_statistics(sources=community_sources(), since=SINCE, until=UNTIL, user_ids=[ids["e20"]])
    assert set(out) == {ids["e20"]}
    for key, value in EXPECTED["e20"].items():
        got = out[ids["e20"]].as_dict()[key]
        assert got == (pytest.approx(value) if value is not None else None), key


def test_python_path_computes_the_same(fixture):
    """The SQLite fallback (rows fetched, the pure function computes) agrees with the fixture too."""
    ids = fixture
    out = selectors._statistics_in_python(community_sources(), SINCE, UNTIL, None)
    check(out, ids)


def test_matching_on_community_invitations_prefers_idle_local_experts(tree):
    """Loads are open invitations in community's table: the idle expert of the question's city and
    domain comes before a busy one there and an idle one in another city; wrong domain never."""
    from alliances.models import Availability

    idle_local = make_expert(tree.tianhe, name="闲本地")
    busy_local = make_expert(tree.tianhe, name="忙本地")
    make_expert(tree.nanshan, name="闲外地")
    make_expert(tree.tianhe, domains=("psychology",), name="错领域")
    make_expert(tree.tianhe, name="离开", availability=Availability.AWAY)
    asker, staff = UserFactory(), UserFactory()
    for i in range(2):
        q = question(tree.tianhe, asker, T0 + i * H, f"问题{i}")
        invitation(q, busy_local.user, staff, T0, "pending" if i else "accepted", deadline=T0 + 3 * H)
    done = question(tree.tianhe, asker, T0, "已答")
    invitation(done, idle_local.user, staff, T0, "answered", deadline=T0 + 3 * H, answered=T0 + H)
    got = selectors.suggest_experts(domain="legal", organization=tree.tianhe, sources=community_sources())
    assert [s["expert"].real_name for s in got] == ["闲本地", "忙本地", "闲外地"]
    assert [s["load"] for s in got] == [0, 2, 0]
