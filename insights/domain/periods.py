"""Reporting periods: day, ISO week (Monday first), month, year. Pure functions."""

from datetime import date, timedelta

GRANULARITIES = ("day", "week", "month", "year")


def period_start(day: date, granularity: str) -> date:
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "year":
        return day.replace(month=1, day=1)
    raise ValueError(granularity)


def period_starts(first: date, last: date, granularity: str) -> list[date]:
    """Every period start touching [first, last], in order (empty periods included)."""
    out: list[date] = []
    day = first
    while day <= last:
        start = period_start(day, granularity)
        if not out or out[-1] != start:
            out.append(start)
        if granularity == "day":
            day += timedelta(days=1)
        elif granularity == "week":
            day = start + timedelta(days=7)
        elif granularity == "month":
            day = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            day = start.replace(year=start.year + 1)
    return out


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def check_range(first: date, last: date, granularity: str, max_days: dict[str, int]) -> str | None:
    """None when the range is allowed, else the reason (English) it is not."""
    if granularity not in max_days:
        return "unknown granularity"
    if last < first:
        return "inverted range"
    span = (last - first).days + 1
    if span > max_days[granularity]:
        return f"range longer than {max_days[granularity]} days for granularity {granularity}"
    return None
