"""Is a day a workday in mainland China? Statutory holidays and make-up workdays (调休) come from
the `chinese-calendar` package; years it does not cover fall back to Monday–Friday, and an
admin-editable override table (community.CalendarOverride, when present) wins over both.

Pure: the overrides are passed in; `is_workday` without them asks only the package."""

from datetime import date

import chinese_calendar


def package_is_workday(day: date) -> bool | None:
    """The package's answer, or None for a year it does not know."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def is_workday(day: date, overrides: dict[date, bool] | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    known = package_is_workday(day)
    return known if known is not None else day.weekday() < 5
