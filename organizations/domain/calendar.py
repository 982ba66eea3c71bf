"""The Chinese working calendar, once for every app: is a day a workday, is it a statutory holiday?

Statutory holidays and make-up workdays (调休) come from the `chinese-calendar` package; for a year
the package does not cover (it raises NotImplementedError) Monday–Friday are workdays and there are
no statutory holidays. An admin-editable override (`organizations.CalendarOverride`, read by
`organizations.selectors.calendar_overrides`) wins over both: that is how a new year's holidays are
entered before the package knows them.

Pure: the overrides are passed in. Q&A deadlines (community), station booking deadlines (stations),
appeal step deadlines (appeals) and holiday duty rosters (organizations) all call these functions.
"""

from collections.abc import Callable, Mapping
from datetime import date

import chinese_calendar

Overrides = Mapping[date, bool]


def package_is_workday(day: date) -> bool | None:
    """The package's answer, or None for a year it does not know."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def calendar_covers(day: date) -> bool:
    """Does chinese-calendar know this day's year? (Admins are told to add overrides otherwise.)"""
    return package_is_workday(day) is not None


def is_workday(day: date, overrides: Overrides | None = None) -> bool:
    if overrides and day in overrides:
        return bool(overrides[day])
    known = package_is_workday(day)
    return known if known is not None else day.weekday() < 5


def statutory_holiday(day: date, overrides: Overrides | None = None) -> tuple[bool, bool]:
    """(is_workday, is_statutory_holiday). An override day off that falls on a weekday counts as
    a holiday; an override workday never is one."""
    workday = is_workday(day, overrides)
    if overrides and day in overrides:
        return workday, not workday and day.weekday() < 5
    if package_is_workday(day) is None:
        return workday, False
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return workday, bool(on_holiday and name)


def workday_predicate(overrides: Overrides | None = None) -> Callable[[date], bool]:
    """`is_workday` with the overrides bound, for functions that take a predicate."""
    return lambda day: is_workday(day, overrides)
