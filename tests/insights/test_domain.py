"""Pure rules: histogram percentiles, periods and ranges, scores."""

from datetime import date

import pytest

from insights.domain import histogram, periods, scoring


def test_bucket_boundaries():
    assert histogram.bucket_of(0) == 0
    assert histogram.bucket_of(4 * 60 + 59) == 0
    assert histogram.bucket_of(5 * 60) == 1
    assert histogram.bucket_of(180 * 60 - 1) == histogram.bucket_of(150 * 60)  # 150–180 min
    assert histogram.bucket_of(180 * 60) != histogram.bucket_of(180 * 60 - 1)  # the 3-hour deadline is a bound
    assert histogram.bucket_of(720 * 60) != histogram.bucket_of(720 * 60 - 1)  # so is 12 hours
    assert histogram.bucket_of(10**9) == histogram.BUCKETS - 1
    assert histogram.bucket_of(-5) == 0


def test_percentile_lies_in_the_true_values_bucket_and_combines():
    a = [12, 40, 41, 95, 200]
    b = [3, 61, 62, 63, 700, 1500]
    combined = histogram.combine(histogram.histogram([m * 60 for m in a]), histogram.histogram([m * 60 for m in b]))
    assert combined == histogram.histogram([m * 60 for m in a + b])
    for p in (0.5, 0.9):
        true = histogram.exact_percentile(sorted(a + b), p)
        estimate = histogram.percentile_minutes(combined, p)
        lower, upper = histogram.bucket_range(histogram.bucket_of(true * 60))
        # the estimate lies in the bucket of a neighbouring rank at worst
        assert histogram.bucket_range(histogram.bucket_of(estimate * 60))[0] >= histogram.bucket_range(
            max(0, histogram.bucket_of(true * 60) - 1))[0]
        assert estimate <= histogram.bucket_range(min(histogram.BUCKETS - 1, histogram.bucket_of(true * 60) + 1))[1]
        assert lower <= upper


def test_percentile_edge_cases():
    assert histogram.percentile_minutes([0] * histogram.BUCKETS, 0.5) is None
    one = histogram.histogram([20 * 60])
    assert 15 <= histogram.percentile_minutes(one, 0.5) <= 30
    assert histogram.exact_percentile([], 0.5) is None
    assert histogram.exact_percentile([30, 240], 0.5) == 135
    assert histogram.exact_percentile([30, 240], 0.9) == pytest.approx(219)


def test_period_starts():
    assert periods.period_start(date(2026, 3, 10), "week") == date(2026, 3, 9)
    assert periods.period_start(date(2026, 3, 10), "month") == date(2026, 3, 1)
    assert periods.period_start(date(2026, 3, 10), "year") == date(2026, 1, 1)
    assert periods.period_starts(date(2026, 1, 30), date(2026, 3, 2), "month") == [
        date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert periods.period_starts(date(2025, 12, 31), date(2026, 1, 1), "year") == [date(2025, 1, 1), date(2026, 1, 1)]
    assert len(periods.period_starts(date(2026, 1, 1), date(2026, 12, 31), "day")) == 365
    assert periods.period_starts(date(2026, 3, 8), date(2026, 3, 16), "week") == [
        date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]


def test_range_rules():
    limits = {"day": 366, "month": 1830}
    assert periods.check_range(date(2026, 1, 1), date(2026, 12, 31), "day", limits) is None
    assert periods.check_range(date(2026, 1, 2), date(2026, 1, 1), "day", limits) == "inverted range"
    assert "longer" in periods.check_range(date(2025, 1, 1), date(2026, 3, 1), "day", limits)
    assert periods.check_range(date(2025, 1, 1), date(2026, 3, 1), "month", limits) is None
    assert periods.check_range(date(2025, 1, 1), date(2026, 3, 1), "decade", limits) == "unknown granularity"


def test_contribution_score_formula():
    kpis = {"answers": 10, "first_responses": 6, "on_time": 5, "accepted": 2, "solved": 1, "partly": 1,
            "invitations_answered": 1, "bookings_on_time": 3, "comments": 5, "ratings": 2, "rating_sum": 9}
    expected = 10 * 1 + 6 * 2 + 5 * 3 + 2 * 3 + 1 * 4 + 1 * 1.5 + 1 * 2 + 3 * 2 + 5 * 0.2 + 2 * (4.5 - 3) * 2 - 2 * 1
    assert scoring.contribution_score(kpis) == round(expected, 1)
    assert scoring.contribution_score({}) == 0
    # configurable: weights from settings replace the defaults, unknown keys are ignored
    assert scoring.contribution_score({"answers": 3}, {"answers": 10, "bogus": 99}) == 30
    # poor ratings subtract
    assert scoring.contribution_score({"ratings": 2, "rating_sum": 2}) == 2 * (1 - 3) * 2


def test_org_score_and_ranking():
    assert scoring.org_score({"answer_rate": 1, "on_time_rate": 0.5, "satisfaction_rate": None,
                              "booking_on_time_rate": 1}) == 40 + 15 + 0 + 10
    rows = scoring.ranked([{"name": "乙", "score": 5}, {"name": "甲", "score": 7}, {"name": "丙", "score": 5}])
    assert [(r["name"], r["rank"]) for r in rows] == [("甲", 1), ("丙", 2), ("乙", 2)]
    assert scoring.rate(1, 0) is None and scoring.rate(1, 4) == 0.25
    assert scoring.mean(None, 0) is None
