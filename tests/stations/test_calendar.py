"""The response deadline: 1 working hour inside the station's hours, else 12 working hours."""

from datetime import date, datetime, time

import pytest

from stations.domain.calendar import CHINA, WorkingCalendar, parse_hours, public_holiday, response_deadline, slot_starts

WEEKDAYS_9_TO_18 = {d: [(time(9), time(18))] for d in range(5)}


def at(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=CHINA)


def cal(**kw):
    return WorkingCalendar(weekly=kw.pop("weekly", WEEKDAYS_9_TO_18), **kw)


def test_inside_working_hours_is_one_hour():
    # Wednesday 2026-11-25 10:00
    assert response_deadline(at(2026, 11, 25, 10), cal()) == at(2026, 11, 25, 11)


def test_one_hour_crosses_the_lunch_break_and_the_night():
    lunch = cal(weekly={d: [(time(9), time(12)), (time(14), time(18))] for d in range(5)})
    assert response_deadline(at(2026, 11, 25, 11, 30), lunch) == at(2026, 11, 25, 14, 30)
    # 17:30 Wednesday: 30 minutes today, 30 minutes on Thursday morning
    assert response_deadline(at(2026, 11, 25, 17, 30), cal()) == at(2026, 11, 26, 9, 30)


def test_outside_hours_is_twelve_working_hours_across_a_night():
    # Wednesday 20:00 → Thursday 9–18 (9 h) + Friday 9–12 (3 h)
    assert response_deadline(at(2026, 11, 25, 20), cal()) == at(2026, 11, 27, 12)


def test_outside_hours_over_a_weekend():
    # Friday 19:00 → Monday 9–18 (9 h) + Tuesday 9–12
    assert response_deadline(at(2026, 11, 27, 19), cal()) == at(2026, 12, 1, 12)


def test_across_national_day_holiday():
    # 2025-09-30 (Tuesday) 20:00; 1–8 October 2025 are statutory holidays, 2025-10-11 (Saturday) is a
    # make-up workday (调休), so working time resumes Thursday 9 October: 9–18 (9 h) + Friday 10th 9–12.
    assert public_holiday(date(2025, 10, 1)) == (False, True)
    assert response_deadline(at(2025, 9, 30, 20), cal()) == at(2025, 10, 10, 12)
    # Station that ignores public holidays works through them
    assert response_deadline(at(2025, 9, 30, 20), cal(follows_public_holidays=False)) == at(2025, 10, 2, 12)


def test_make_up_workday_uses_monday_hours():
    c = cal()
    assert c.intervals_on(date(2025, 10, 11)) == [(time(9), time(18))]  # Saturday, 调休
    assert c.intervals_on(date(2025, 10, 18)) == []  # an ordinary Saturday


def test_unknown_year_falls_back_to_weekends_off():
    assert public_holiday(date(2099, 1, 1)) == (True, False)  # a Thursday
    assert public_holiday(date(2099, 1, 3)) == (False, False)  # a Saturday
    assert response_deadline(datetime(2099, 1, 2, 20, tzinfo=CHINA), cal()) == datetime(2099, 1, 6, 12, tzinfo=CHINA)


def test_exception_day_overrides_hours():
    c = cal(exceptions={date(2026, 11, 26): []})  # Thursday closed
    assert response_deadline(at(2026, 11, 25, 20), c) == at(2026, 11, 30, 12)  # Friday 9 h + Monday 3 h


def test_station_without_hours_gets_wall_clock_deadline():
    assert response_deadline(at(2026, 11, 25, 10), cal(weekly={})) == at(2026, 11, 25, 22)


def test_slots_fill_intervals():
    from datetime import timedelta

    slots = slot_starts(date(2026, 11, 25), cal(weekly={2: [(time(9), time(11, 30))]}), timedelta(hours=1))
    assert [(a.hour, b.hour) for a, b in slots] == [(9, 10), (10, 11)]


def test_parse_hours():
    assert parse_hours("1-5 09:00-17:30; 6 09:00-12:00") == {
        **{d: [(time(9), time(17, 30))] for d in range(5)}, 5: [(time(9), time(12))]}
    for bad in ("1-5 9-17", "8 09:00-10:00", "1 18:00-09:00", "周一 09:00-10:00"):
        with pytest.raises(ValueError):
            parse_hours(bad)
