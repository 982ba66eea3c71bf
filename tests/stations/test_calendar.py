"""The response deadline as attachment 3 writes it: a request made in the station's working time is
answered within 1 hour, any other request within 12 hours — clock hours, not working hours."""

from datetime import date, datetime, time

import pytest

from stations.domain.calendar import (
    CHINA,
    REPLY_RULE,
    WorkingCalendar,
    parse_hours,
    public_holiday,
    response_deadline,
    slot_starts,
)

WEEKDAYS_9_TO_18 = {d: [(time(9), time(18))] for d in range(5)}


def at(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=CHINA)


def cal(**kw):
    return WorkingCalendar(weekly=kw.pop("weekly", WEEKDAYS_9_TO_18), **kw)


def test_the_rule_as_written():
    assert REPLY_RULE == "工作时间内提交的预约1小时内回复，其他时间12小时内回复"


@pytest.mark.parametrize(("requested", "due"), [
    (at(2026, 11, 25, 8, 59), at(2026, 11, 25, 20, 59)),  # Wednesday before opening: 12 h
    (at(2026, 11, 25, 9, 0), at(2026, 11, 25, 10, 0)),  # at opening: 1 h
    (at(2026, 11, 25, 17, 30), at(2026, 11, 25, 18, 30)),  # half an hour before closing: still 1 clock hour
    (at(2026, 11, 25, 19, 0), at(2026, 11, 26, 7, 0)),  # after closing: 12 h
    (at(2026, 11, 27, 19, 0), at(2026, 11, 28, 7, 0)),  # Friday 19:00: Saturday 07:00, not Tuesday 09:30
    (at(2025, 10, 1, 10, 0), at(2025, 10, 1, 22, 0)),  # 国庆 holiday: closed, 12 h
])
def test_booking_reply_deadlines(requested, due):
    assert response_deadline(requested, cal()) == due


def test_holiday_eve_is_twelve_hours_not_days():
    # 2025-09-30 20:00 before the National Day week: the old rule counted working hours (due 10 October)
    assert public_holiday(date(2025, 10, 1)) == (False, True)
    assert response_deadline(at(2025, 9, 30, 20), cal()) == at(2025, 10, 1, 8)


def test_lunch_break_is_outside_working_time():
    lunch = cal(weekly={d: [(time(9), time(12)), (time(14), time(18))] for d in range(5)})
    assert response_deadline(at(2026, 11, 25, 11, 30), lunch) == at(2026, 11, 25, 12, 30)
    assert response_deadline(at(2026, 11, 25, 12, 30), lunch) == at(2026, 11, 26, 0, 30)


def test_a_station_working_through_holidays_answers_within_an_hour_then():
    assert response_deadline(at(2025, 10, 1, 10), cal(follows_public_holidays=False)) == at(2025, 10, 1, 11)


def test_make_up_workday_uses_monday_hours():
    c = cal()
    assert c.intervals_on(date(2025, 10, 11)) == [(time(9), time(18))]  # Saturday, 调休
    assert c.intervals_on(date(2025, 10, 18)) == []  # an ordinary Saturday
    assert response_deadline(at(2025, 10, 11, 10), c) == at(2025, 10, 11, 11)


def test_2027_provisional_holidays_close_the_station():
    # No official 2027 schedule: the provisional calendar still knows 元旦 and the Spring Festival week.
    assert public_holiday(date(2027, 1, 1)) == (False, True)
    assert public_holiday(date(2027, 2, 8)) == (False, True)
    assert public_holiday(date(2027, 3, 3)) == (True, False)
    assert response_deadline(at(2027, 1, 1, 10), cal()) == at(2027, 1, 1, 22)
    assert response_deadline(at(2027, 2, 8, 10), cal()) == at(2027, 2, 8, 22)
    assert response_deadline(at(2027, 3, 3, 10), cal()) == at(2027, 3, 3, 11)


def test_exception_day_overrides_hours():
    c = cal(exceptions={date(2026, 11, 26): []})  # Thursday closed
    assert response_deadline(at(2026, 11, 26, 10), c) == at(2026, 11, 26, 22)


def test_station_without_hours_gets_twelve_hours():
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
