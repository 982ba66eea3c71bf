"""One working calendar for every app: an admin override of a day is seen by Q&A deadlines,
station booking deadlines, appeal step deadlines and holiday rosters alike."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from organizations.domain.calendar import is_workday, statutory_holiday
from organizations.models import CalendarOverride

CN = ZoneInfo("Asia/Shanghai")


def test_package_holidays_and_makeup_days():
    assert is_workday(date(2025, 10, 1)) is False  # 国庆节
    assert is_workday(date(2025, 9, 28)) is True  # a Sunday made a workday (调休)
    assert statutory_holiday(date(2025, 10, 1)) == (False, True)
    assert statutory_holiday(date(2025, 9, 28)) == (True, False)


def test_uncovered_year_is_provisional_and_overrides_win():
    assert is_workday(date(2099, 1, 1)) is False  # 元旦 on the provisional calendar (the package stops at 2026)
    assert is_workday(date(2099, 1, 8)) is True  # a plain Thursday
    assert is_workday(date(2099, 1, 3)) is False  # Saturday
    overrides = {date(2099, 1, 1): False, date(2099, 1, 3): True}
    assert statutory_holiday(date(2099, 1, 1), overrides) == (False, True)
    assert statutory_holiday(date(2099, 1, 3), overrides) == (True, False)


@pytest.mark.django_db
def test_one_override_reaches_stations_and_appeals(tree):
    from appeals.domain.deadlines import add_working_days
    from organizations.domain.calendar import workday_predicate
    from organizations.domain.calendar import Entry
    from organizations.selectors import work_calendar
    from stations.domain.calendar import WorkingCalendar, response_deadline

    CalendarOverride.objects.create(date=date(2031, 1, 7), is_workday=False, note="测试假日")  # a Tuesday
    overrides = work_calendar(date(2031, 1, 6))
    assert overrides.entries == {date(2031, 1, 7): Entry(False, "测试假日")}

    # appeals: one working day after Monday skips the declared holiday
    start = datetime(2031, 1, 6, 10, tzinfo=CN)
    assert add_working_days(start, 1, workday_predicate(overrides)).date() == date(2031, 1, 8)
    assert add_working_days(start, 1).date() == date(2031, 1, 7)

    # stations: closed on the declared Tuesday, so a request then gets 12 hours, not 1
    from datetime import time

    weekdays = {d: [(time(9), time(18))] for d in range(5)}
    cal = WorkingCalendar(weekly=weekdays, holiday_lookup=overrides.statutory_holiday)
    assert cal.is_open(datetime(2031, 1, 6, 10, tzinfo=CN))
    assert not cal.is_open(datetime(2031, 1, 7, 10, tzinfo=CN))
    due = response_deadline(datetime(2031, 1, 7, 10, tzinfo=CN), cal)
    assert due == datetime(2031, 1, 7, 22, tzinfo=CN)
