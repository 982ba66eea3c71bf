"""Pure rules: matching score, statistics definitions (hand-computed), demand buckets."""

from datetime import UTC, date, datetime, timedelta

import pytest

from alliances.domain import demand, matching, stats
from core.errors import Invalid

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GZ = "00010001"  # city path
TIANHE = "000100010001"
SZ_NANSHAN = "000100020001"


def cand(i, *, domains=("legal",), org=TIANHE, load=0, cap=5, avail="available", station=None, verified=False,
         active=True):
    return matching.Candidate(expert_id=i, domains=frozenset(domains), org_path=org, open_load=load, capacity=cap,
                              availability=avail, home_station_id=station, verified=verified, active=active)


def test_idle_right_domain_right_city_beats_busy_or_distant():
    q = matching.QuestionInfo(domain="legal", org_path=TIANHE)
    idle_local = cand(1)
    busy_local = cand(2, load=3)
    idle_distant = cand(3, org=SZ_NANSHAN)
    wrong_domain = cand(4, domains=("psychology",))
    same_city_other_district = cand(5, org="000100010002")
    ranked = [s.expert_id for s in matching.suggest([busy_local, idle_distant, wrong_domain, idle_local,
                                                     same_city_other_district], q)]
    assert ranked[0] == 1
    assert ranked.index(5) < ranked.index(3)  # same city before another city
    assert ranked.index(1) < ranked.index(2)  # idle before busy
    assert 4 not in ranked


@pytest.mark.parametrize("c", [cand(1, load=5, cap=5), cand(1, avail="away"), cand(1, active=False),
                               cand(1, domains=("employment",))])
def test_ineligible_candidates_are_never_suggested(c):
    assert matching.suggest([c], matching.QuestionInfo(domain="legal", org_path=TIANHE)) == []


def test_station_and_verification_and_busy_flag_move_the_score():
    q = matching.QuestionInfo(domain="legal", org_path=TIANHE, station_id=7)
    at_station = matching.score(cand(1, station=7), q)
    elsewhere = matching.score(cand(2), q)
    assert at_station.score - elsewhere.score == matching.SAME_STATION
    assert matching.score(cand(3, verified=True), q).score - elsewhere.score == matching.VERIFIED_BONUS
    assert elsewhere.score - matching.score(cand(4, avail="busy"), q).score == matching.BUSY_PENALTY
    assert matching.score(cand(5, org="0001"), q).reasons == ("province_expert",)


def test_ties_break_on_load_then_id_and_limit_and_exclude():
    q = matching.QuestionInfo(domain="legal", org_path=TIANHE)
    cs = [cand(3), cand(2), cand(1)]
    assert [s.expert_id for s in matching.suggest(cs, q, limit=2)] == [1, 2]
    assert [s.expert_id for s in matching.suggest(cs, q, exclude=[1])] == [2, 3]
    assert matching.suggest(cs, q, limit=0) == []


def hand_fixture():
    """Two experts (users 10 and 20), three questions, one answer outside the period."""
    q1, q2, q3 = T0, T0 + timedelta(hours=1), T0 + timedelta(days=1)
    dl = {1: q1 + timedelta(hours=3), 2: q2 + timedelta(hours=3), 3: None}
    answers = [
        # user 10: responses 1h (on time, accepted, rating 5), 4h (late, rating 3), 2h (no deadline, unrated)
        dict(author_id=10, question_id=1, created_at=q1 + timedelta(hours=1), question_created_at=q1, deadline=dl[1],
             accepted=True, rating=5),
        dict(author_id=10, question_id=2, created_at=q2 + timedelta(hours=4), question_created_at=q2, deadline=dl[2],
             accepted=False, rating=3),
        dict(author_id=10, question_id=3, created_at=q3 + timedelta(hours=2), question_created_at=q3, deadline=None,
             accepted=False, rating=None),
        # user 20: 30 min on q1 (on time), and one answer a year earlier (outside the period)
        dict(author_id=20, question_id=1, created_at=q1 + timedelta(minutes=30), question_created_at=q1,
             deadline=dl[1], accepted=False, rating=4),
        dict(author_id=20, question_id=9, created_at=T0 - timedelta(days=400), question_created_at=T0 - timedelta(days=401),
             deadline=None, accepted=True, rating=1),
    ]
    invitations = [
        dict(invitee_id=10, question_id=1, created_at=q1, status="answered"),  # answered on time
        dict(invitee_id=10, question_id=2, created_at=q2, status="accepted"),  # answered late
        dict(invitee_id=20, question_id=2, created_at=q2, status="declined"),  # never answered
        dict(invitee_id=20, question_id=3, created_at=q3, status="pending"),
    ]
    return answers, invitations


EXPECTED = {
    10: dict(answers=3, accepted=1, on_time=2, median_response_seconds=7200.0,
             mean_response_seconds=(3600 + 14400 + 7200) / 3, rating=4.0, ratings=2, invitations=2,
             invitations_accepted=2, invitations_answered_on_time=1),
    20: dict(answers=1, accepted=0, on_time=1, median_response_seconds=1800.0, mean_response_seconds=1800.0,
             rating=4.0, ratings=1, invitations=2, invitations_accepted=0, invitations_answered_on_time=0),
}


def test_statistics_match_the_hand_computed_fixture():
    answers, invitations = hand_fixture()
    out = stats.compute(answers=answers, invitations=invitations, since=T0 - timedelta(days=1),
                        until=T0 + timedelta(days=30), offline_services={10: 4})
    for uid, expected in EXPECTED.items():
        got = out[uid].as_dict()
        for key, value in expected.items():
            assert got[key] == pytest.approx(value), (uid, key)
    assert out[10].offline_services == 4
    assert out[10].on_time_rate == pytest.approx(2 / 3)
    assert out[20].invitation_accept_rate == 0


def test_median_and_duration_format():
    assert stats.median([]) is None
    assert stats.median([5, 1, 3]) == 3
    assert stats.median([4, 1, 3, 2]) == 2.5
    assert stats.format_duration(None) == "—"
    assert stats.format_duration(1800) == "30分钟"
    assert stats.format_duration(3600 * 2 + 300) == "2小时5分"
    assert stats.format_duration(3600 * 50) == "2天2小时"


def test_rank_orders_members():
    a = stats.ExpertStats(1, answers=3, accepted=1, rating=4.5, ratings=2, median_response_seconds=100)
    b = stats.ExpertStats(2, answers=5, accepted=0, rating=None, median_response_seconds=None)
    c = stats.ExpertStats(3, answers=5, accepted=2, rating=3.0, ratings=1, median_response_seconds=50)
    assert [s.expert_user_id for s in stats.rank([a, b, c])] == [3, 2, 1]
    assert [s.expert_user_id for s in stats.rank([a, b, c], "rating")] == [1, 3, 2]
    assert [s.expert_user_id for s in stats.rank([a, b, c], "response")] == [3, 1, 2]
    assert [s.expert_user_id for s in stats.rank([a, b, c], "bogus")] == [3, 2, 1]


def test_demand_pivot_bars_series():
    rows = [dict(domain="legal", region="广州", period=date(2026, 1, 1), count=3),
            dict(domain="legal", region="深圳", period=date(2026, 2, 1), count=1),
            dict(domain="psychology", region="广州", period=date(2026, 2, 1), count=6)]
    p = demand.pivot(rows, "domain", "period")
    assert p["rows"] == ["psychology", "legal"] and p["total"] == 10
    assert p["cells"]["legal"] == {date(2026, 1, 1): 3, date(2026, 2, 1): 1}
    bars = demand.bars(demand.pivot(rows, "region", "domain")["row_totals"])
    assert [(b["key"], b["count"], b["width"]) for b in bars] == [("广州", 9, 100.0), ("深圳", 1, 11.1)]
    assert [(s["period"], s["count"]) for s in demand.series(rows)] == [(date(2026, 1, 1), 3), (date(2026, 2, 1), 7)]
    assert demand.bars({}) == [] and demand.series([]) == []


def test_period_start_and_resolve_range():
    d = datetime(2026, 3, 5, 10, tzinfo=UTC)  # a Thursday
    assert demand.period_start(d, "day") == date(2026, 3, 5)
    assert demand.period_start(d, "week") == date(2026, 3, 2)
    assert demand.period_start(d, "month") == date(2026, 3, 1)
    today = date(2026, 11, 26)
    assert demand.resolve_range(None, None, today) == (date(2025, 11, 27), today)
    with pytest.raises(Invalid):
        demand.resolve_range(date(2026, 5, 1), date(2026, 4, 1), today)
    with pytest.raises(Invalid):
        demand.resolve_range(date(2020, 1, 1), date(2026, 4, 1), today)


def test_out_of_domain_is_counted_only_with_expert_domains():
    rows = [dict(author_id=1, question_id=i, created_at=T0, question_created_at=T0, deadline=None, accepted=False,
                 domain=d) for i, d in enumerate(["legal", "psychology", "legal"])]
    plain = stats.compute(answers=rows, since=T0, until=T0 + timedelta(days=1))
    assert plain[1].out_of_domain is None
    flagged = stats.compute(answers=rows, since=T0, until=T0 + timedelta(days=1), expert_domains={1: {"legal"}})
    assert flagged[1].out_of_domain == 1
