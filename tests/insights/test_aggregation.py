"""Every KPI of the hand-built day (tests/insights/conftest.py) against its known answer."""

from datetime import date, timedelta

import pytest
from django.db import connection

from insights import selectors, services
from insights.domain import histogram, scoring
from insights.models import HISTOGRAM_FIELDS, DailyOrgMetric, DailyPersonMetric

from .conftest import D

pytestmark = pytest.mark.django_db


def own(org) -> DailyOrgMetric:
    return DailyOrgMetric.objects.get(organization=org, day=D, subtree=False)


def hist_of(*minutes):
    return histogram.histogram([m * 60 for m in minutes])


def row_hist(row):
    return [getattr(row, f) for f in HISTOGRAM_FIELDS]


def test_tianhe_own_row(world):
    r = own(world.tree.tianhe)
    assert (r.registered_users, r.active_users) == (1, 2)  # youth1 joined; youth1 and the cadre expert posted
    assert (r.questions, r.questions_answered, r.questions_on_time) == (3, 2, 1)  # q1 q2 q3; q6 removed
    assert (r.first_response_count, r.first_response_seconds) == (2, (30 + 240) * 60)
    assert row_hist(r) == hist_of(30, 240)
    assert (r.first_response_median_min, r.first_response_p90_min) == (135.0, 219.0)  # percentile_cont
    # answers on D: a1 (staff), a2 (expert), a7 (staff, to yesterday's q7)
    assert (r.answers, r.answers_staff, r.answers_expert, r.answers_peer, r.cadre_answers) == (3, 2, 1, 0, 2)
    assert (r.comments, r.cadre_comments) == (2, 1)
    assert (r.outcomes_solved, r.outcomes_partly, r.outcomes_not_solved) == (1, 1, 0)
    assert (r.outcome_ratings, r.outcome_rating_sum) == (2, 8)
    assert (r.invitations_sent, r.invitations_accepted, r.invitations_declined, r.invitations_answered) == (2, 1, 1, 1)
    assert r.cadre_invitations == 1  # the cadre expert declined inv2
    assert (r.bookings, r.bookings_responded, r.bookings_on_time, r.bookings_completed) == (3, 2, 1, 1)
    assert (r.booking_ratings, r.booking_rating_sum) == (1, 4)
    assert r.appeals_opened == 0


def test_other_rows(world):
    t = world.tree
    y = own(t.yuexiu)
    assert (y.active_users, y.questions, y.questions_answered, y.questions_on_time) == (1, 1, 1, 1)
    assert (y.answers, y.answers_staff, y.answers_peer, y.cadre_answers) == (2, 1, 1, 1)
    assert (y.first_response_median_min, y.first_response_p90_min) == (60.0, 60.0)
    n = own(t.nanshan)
    assert (n.registered_users, n.active_users, n.questions, n.questions_on_time) == (1, 1, 1, 1)
    assert (n.answers_expert, n.cadre_answers, n.first_response_seconds) == (1, 1, 120 * 60)
    g = own(t.guangzhou)
    assert (g.active_users, g.alliance_joins) == (1, 1)  # the expert (located in 广州) answered
    assert (g.appeals_opened, g.appeals_closed, g.appeals_closed_on_time, g.appeals_sent_back) == (1, 2, 1, 1)
    assert (g.appeals_satisfied, g.appeals_partly, g.appeals_not_satisfied) == (1, 0, 1)
    assert not DailyOrgMetric.objects.filter(organization__in=[t.sysu, t.shenzhen], day=D, subtree=False).exists()
    assert not DailyOrgMetric.objects.filter(organization=t.sysu, day=D).exists()
    # q7 was asked on D-1: its cohort row is there, with its 90-minute first response
    prev = DailyOrgMetric.objects.get(organization=t.tianhe, day=D - timedelta(days=1), subtree=False)
    assert (prev.questions, prev.questions_on_time, prev.first_response_seconds) == (1, 1, 90 * 60)


def test_subtree_rows_are_the_sums_of_the_own_rows(world):
    t = world.tree
    cols = [f.name for f in DailyOrgMetric._meta.fields
            if f.name not in ("id", "organization", "day", "subtree", "computed_at")
            and not f.name.startswith("first_response_m") and not f.name.endswith("p90_min")]
    for org, members in [(t.guangzhou, [t.guangzhou, t.tianhe, t.yuexiu]), (t.shenzhen, [t.nanshan]),
                         (t.tianhe, [t.tianhe]), (t.province, [t.guangzhou, t.tianhe, t.yuexiu, t.nanshan])]:
        rollup = DailyOrgMetric.objects.get(organization=org, day=D, subtree=True)
        parts = DailyOrgMetric.objects.filter(organization__in=members, day=D, subtree=False)
        for c in cols:
            assert getattr(rollup, c) == sum(getattr(p, c) for p in parts), (org, c)


def test_subtree_rollup_and_rates(world):
    k = selectors.org_totals(world.tree.guangzhou, D, D)
    assert (k["questions"], k["questions_answered"]) == (4, 3)
    assert k["answer_rate"] == 0.75 and k["on_time_rate"] == 0.5
    assert k["first_response_mean_min"] == 110.0  # (30 + 240 + 60) / 3
    assert k["answers"] == 5 and k["staff_answer_share"] == 3 / 5 and k["peer_answer_share"] == 1 / 5
    assert k["qa_satisfaction"] == 4.0 and k["booking_satisfaction"] == 4.0
    assert k["booking_on_time_rate"] == 0.5
    assert k["appeals_on_time_rate"] == 0.5 and k["appeal_satisfaction_rate"] == 0.5
    assert k["cadre_interactions"] == 2 + 1 + 1 + 1 + 0  # tianhe answers 2, yuexiu 1, comments 1, invitations 1
    assert k["active_users"] == 4 and k["registered_users"] == 1
    assert k["satisfaction_rate"] == (8 + 4) / 15
    # the median of the subtree comes from the combined histogram, inside the true value's bucket
    lower, upper = histogram.bucket_range(histogram.bucket_of(60 * 60))
    assert lower <= k["first_response_median_min"] <= upper
    p = selectors.org_totals(world.tree.province, D, D)
    assert (p["questions"], p["questions_answered"]) == (5, 4) and p["on_time_rate"] == 3 / 5
    s = selectors.org_totals(world.tree.shenzhen, D, D)
    assert (s["questions"], s["answers_expert"] if "answers_expert" in s else s["expert_answers"]) == (1, 1)


def test_long_ranges_read_whole_months_and_agree_with_the_days(world):
    from insights.models import MonthlyOrgMetric, MonthlyPersonMetric

    assert selectors.split_range(date(2026, 2, 15), date(2026, 4, 10)) == (
        [(date(2026, 2, 15), date(2026, 2, 28)), (date(2026, 4, 1), date(2026, 4, 10))],
        (date(2026, 3, 1), date(2026, 3, 1)))
    assert selectors.split_range(date(2026, 3, 2), date(2026, 3, 30)) == ([(date(2026, 3, 2), date(2026, 3, 30))], None)
    assert selectors.split_range(date(2026, 1, 1), date(2026, 12, 31))[0] == []
    m = MonthlyOrgMetric.objects.get(organization=world.tree.guangzhou, subtree=True, month=D.replace(day=1))
    assert m.questions == 5  # 天河 3 + 越秀 1 asked on D, q7 asked on D-1 in 天河
    long = selectors.org_totals(world.tree.province, date(2026, 2, 15), date(2026, 4, 10))
    assert long == selectors.org_totals(world.tree.province, D - timedelta(days=1), D)
    kids = {r["name"]: r["questions"] for r in selectors.children_totals(world.tree.province, date(2026, 1, 1), date(2026, 12, 31))}
    assert kids["广州市"] == 5 and kids["深圳市"] == 1
    people = selectors.people_totals(world.tree.province, date(2026, 1, 1), date(2026, 12, 31), "liaison")
    assert people[0]["first_responses"] == 1
    assert MonthlyPersonMetric.objects.filter(user=world.staff_t, month=D.replace(day=1)).get().answers == 2


def test_series_by_week_and_month(world):
    week = selectors.org_series(world.tree.province, D - timedelta(days=8), D, "week")
    assert [w["period"] for w in week] == [D - timedelta(days=8), D - timedelta(days=1)]  # Mondays 2 and 9 March
    assert [w["questions"] for w in week] == [0, 6]  # q7 (D-1) and D's five
    month = selectors.org_series(world.tree.province, D.replace(day=1), D, "month")
    assert len(month) == 1 and month[0]["questions"] == 6
    days = selectors.org_series(world.tree.tianhe, D - timedelta(days=1), D, "day")
    assert [d["questions"] for d in days] == [1, 3]


def test_children_drilldown(world):
    rows = {r["name"]: r for r in selectors.children_totals(world.tree.province, D, D)}
    assert rows["广州市"]["questions"] == 4 and rows["深圳市"]["questions"] == 1 and rows["中大"]["questions"] == 0
    rows = {r["name"]: r for r in selectors.children_totals(world.tree.guangzhou, D, D)}
    assert rows["天河区"]["questions"] == 3 and rows["越秀区"]["questions"] == 1
    assert rows["广州市（本级）"]["appeals_opened"] == 1  # the city's own level


def test_person_rows(world):
    def p(user):
        return DailyPersonMetric.objects.get(user=user, day=D)

    s = p(world.staff_t)
    assert (s.answers, s.first_responses, s.on_time, s.response_seconds) == (2, 2, 2, (30 + 90) * 60)
    assert (s.accepted, s.solved, s.ratings, s.rating_sum, s.comments) == (1, 1, 1, 5, 1)
    assert row_hist(s) == hist_of(30, 90)
    e = p(world.expert_e)
    assert (e.answers, e.first_responses, e.on_time, e.response_seconds) == (1, 1, 0, 240 * 60)
    assert (e.partly, e.ratings, e.rating_sum) == (1, 1, 3)
    assert (e.invitations_received, e.invitations_accepted, e.invitations_answered) == (1, 1, 1)
    c = p(world.cadre_c)
    assert (c.first_responses, c.on_time, c.invitations_received, c.invitations_declined) == (1, 1, 1, 1)
    li = p(world.liaison_gz)
    assert (li.answers, li.first_responses, li.on_time, li.response_seconds) == (1, 1, 1, 3600)
    sa = p(world.station_admin)
    assert (sa.bookings_handled, sa.bookings_on_time, sa.ratings, sa.rating_sum) == (2, 1, 1, 4)
    assert not DailyPersonMetric.objects.filter(user=world.youth1).exists()  # peers are not appraised


def test_people_leaderboards(world):
    liaisons = selectors.people_totals(world.tree.province, D, D, "liaison")
    assert [r["user_id"] for r in liaisons] == [world.liaison_gz.pk]
    expected = scoring.contribution_score({"answers": 1, "first_responses": 1, "on_time": 1})
    assert liaisons[0]["score"] == expected == 1 + 2 + 3
    experts = selectors.people_totals(world.tree.province, D, D, "expert")
    assert [r["user_id"] for r in experts] == [world.expert_e.pk]
    assert experts[0]["on_time_rate"] == 0.0 and experts[0]["satisfaction"] == 3.0
    cadres = selectors.people_totals(world.tree.province, D, D, "cadre")
    ids = [r["user_id"] for r in cadres]
    assert ids[0] == world.staff_t.pk  # most work
    assert world.cadre_c.pk in ids and world.expert_e.pk not in ids
    # scoped: 深圳's cadres do not include 天河's
    assert world.staff_t.pk not in [r["user_id"] for r in selectors.people_totals(world.tree.shenzhen, D, D, "cadre")]


def test_rerunning_a_day_is_idempotent(world):
    def snapshot():
        cols = [f.name for f in DailyOrgMetric._meta.fields if f.name not in ("id", "computed_at")]
        pcols = [f.name for f in DailyPersonMetric._meta.fields if f.name not in ("id", "computed_at")]
        return (sorted(DailyOrgMetric.objects.values_list(*cols)), sorted(DailyPersonMetric.objects.values_list(*pcols)))

    before = snapshot()
    services.aggregate_day(D)
    services.aggregate_day(D)
    assert snapshot() == before


def test_a_change_replaces_the_row(world):
    from community.models import Question

    q = Question.objects.filter(organization=world.tree.tianhe, asked_at__date=D, first_answered_at__isnull=True)
    q.update(status="removed")
    services.aggregate_day(D)
    assert DailyOrgMetric.objects.filter(organization=world.tree.tianhe, day=D).count() == 2  # own + subtree
    assert own(world.tree.tianhe).questions == 2




def test_sqlite_fallback_matches_percentile_cont(world, monkeypatch):
    from insights import metrics

    start, end = metrics.day_bounds(D)
    exact = metrics.first_response_percentiles((start, end))
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert metrics.first_response_percentiles((start, end)) == exact


def test_nightly_task_and_rebuild_command(world):
    from django.conf import settings
    from django.core.management import CommandError, call_command

    from insights import tasks

    assert settings.CELERY_BEAT_SCHEDULE["insights-aggregate-kpis"]["task"] == "insights.tasks.aggregate_kpis"
    DailyOrgMetric.objects.filter(day=D).delete()
    assert tasks.aggregate_kpis.run(day=D.isoformat()) == 1
    assert own(world.tree.tianhe).questions == 3
    # the nightly run re-aggregates the recent days before "today"
    assert services.aggregate_recent(today=D + timedelta(days=1)) == settings.INSIGHTS_REAGGREGATE_DAYS
    DailyOrgMetric.objects.filter(day=D).delete()
    call_command("rebuild_kpis", "--from", D.isoformat(), "--to", D.isoformat(), verbosity=0)
    assert DailyOrgMetric.objects.filter(day=D).exists()
    with pytest.raises(CommandError):
        call_command("rebuild_kpis", "--from", "2026-03-10", "--to", "2026-03-01", verbosity=0)
    with pytest.raises(CommandError):
        call_command("rebuild_kpis", "--from", "10/03/2026", verbosity=0)
