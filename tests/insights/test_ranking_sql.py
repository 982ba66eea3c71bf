"""The people leaderboards score and rank in SQL; the pure rule (insights.domain.scoring) is the
reference: on a fixture of people with varied figures and weights chosen to land on rounding halves,
the SQL ranking gives exactly the scores, order and ranks of the pure functions."""

import random
from datetime import date, timedelta

import pytest

from insights import selectors, services
from insights.domain import scoring
from insights.models import PERSON_COUNT_FIELDS, DailyPersonMetric
from organizations.models import StaffRole
from organizations.services import add_staff
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2026, 1, 20), date(2026, 3, 12)  # edge days of January and March, February whole
# Weights written as decimals a binary float cannot hold, several giving x.x5 sums (halves).
WEIGHTS = {"answers": 1.1, "first_responses": 0.35, "on_time": 3.0, "accepted": 0.05, "solved": 4.0, "partly": 1.25,
           "invitations_answered": 0.15, "bookings_on_time": 2.0, "comments": 0.2, "satisfaction": 0.45,
           "late_penalty": 2.05}


def _people(world, n=40):
    rng = random.Random(10)
    orgs = [world.tree.tianhe, world.tree.yuexiu, world.tree.nanshan, world.tree.guangzhou]
    users = []
    for i in range(n):
        # some share a name, so ties on the score fall back to the name, then the user id
        user = UserFactory(real_name=f"干部{i % 7}" if i % 3 else f"Cadre {chr(65 + i % 5)}")
        add_staff(actor=None, user=user, organization=orgs[i % len(orgs)], role=StaffRole.DUTY)
        users.append(user)
    rows = []
    for user in users:
        days = rng.sample(range((LAST - FIRST).days + 20), rng.randint(0, 6))
        for offset in days:
            values = {f: rng.randint(0, 9) for f in PERSON_COUNT_FIELDS}
            values["on_time"] = min(values["on_time"], values["first_responses"] + rng.randint(0, 1))
            values["rating_sum"] = values["ratings"] * rng.randint(1, 5)
            if rng.random() < 0.2:  # identical work: equal scores share a rank
                values = {f: 1 for f in PERSON_COUNT_FIELDS}
            rows.append(DailyPersonMetric(user=user, day=FIRST - timedelta(days=10) + timedelta(days=offset), **values))
    DailyPersonMetric.objects.bulk_create(rows)
    for month in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)):
        services.roll_month(month)
    return users


def _name(user):
    return user.real_name or user.display_name or user.username


def _python_ranking(people, weights):
    """The reference: sum each person's daily rows in Python, score with the pure rule, rank."""
    out = []
    for user, name in people:
        sums = dict.fromkeys(PERSON_COUNT_FIELDS, 0)
        for row in DailyPersonMetric.objects.filter(user=user, day__gte=FIRST, day__lte=LAST):
            for f in PERSON_COUNT_FIELDS:
                sums[f] += getattr(row, f)
        out.append({"user_id": user.pk, "name": name, "score": scoring.contribution_score(sums, weights),
                    "answers": sums["answers"]})
    return scoring.ranked(out)


@pytest.mark.parametrize("weights", [None, WEIGHTS])
def test_sql_ranking_agrees_with_the_pure_rule(world, settings, weights):
    settings.INSIGHTS_SCORE_WEIGHTS = weights
    users = _people(world)
    # 广州's cadres: the fixture's people but those of 南山, the hand-built day's staff and the cadre expert
    people = [(u, _name(u)) for i, u in enumerate(users) if i % 4 != 2]
    people += [(u, _name(u)) for u in (world.staff_t, world.liaison_gz, world.gz_admin)] + [(world.cadre_c, "李团干")]
    expected = _python_ranking(people, weights)
    got = selectors.people_totals(world.tree.guangzhou, FIRST, LAST, "cadre")
    assert [(r["user_id"], r["score"], r["answers"]) for r in got] == [
        (r["user_id"], r["score"], r["answers"]) for r in expected]
    assert [r["rank"] for r in got] == [r["rank"] for r in expected]
    assert any(r["score"] != int(r["score"]) for r in got)  # fractional scores were compared
    assert len({r["score"] for r in got}) < len(got)  # and shared ranks


def test_ranking_pages_agree_with_the_whole_list(world):
    _people(world)
    whole, total = selectors.people_ranking(world.tree.province, FIRST, LAST, "cadre")
    assert total == len(whole) >= 40
    page, count = selectors.people_ranking(world.tree.province, FIRST, LAST, "cadre", limit=7, offset=14)
    assert count == total and page == whole[14:21]
    assert selectors.people_ranking(world.tree.province, FIRST, LAST, "cadre", limit=5, offset=10_000) == ([], total)


def test_rounding_is_exact_decimal_half_away_from_zero():
    # 0.05 and 0.15 are not representable in binary; the rule works on the decimals as written
    assert scoring.contribution_score({"accepted": 1}, {"accepted": 0.05}) == 0.1
    assert scoring.contribution_score({"accepted": 3}, {"accepted": 0.05}) == 0.2  # 0.15 → 0.2
    assert scoring.contribution_score({"first_responses": 1}, {"first_responses": 0, "late_penalty": 0.05}) == -0.1
