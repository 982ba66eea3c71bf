"""A station's working calendar and the booking response deadline [A3.3.4].

Rule (attachment 3, 站点管理员职责): a request made in the station's working time must be answered
within 1 hour, any other request within 12 hours — clock hours both ("须在12小时内完成回复": a
request on Friday 19:00 is due Saturday 07:00, not after the weekend). The working time decides
which rule applies: the station's weekly opening hours, date exceptions, and China's statutory
holidays from `organizations.domain.calendar`, the one working calendar shared by every app
(including the provisional calendar of a year whose official schedule is not imported yet).

Everything here is pure: the caller passes a `WorkingCalendar` built from the station's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from organizations.domain.calendar import statutory_holiday

CHINA = ZoneInfo("Asia/Shanghai")
IN_HOURS_LIMIT = timedelta(hours=1)
OUT_OF_HOURS_LIMIT = timedelta(hours=12)
# A station with no working time in this many days gets a wall-clock deadline instead.
SEARCH_DAYS = 60

Interval = tuple[time, time]


def public_holiday(day: date) -> tuple[bool, bool]:
    """(is_workday, is_statutory_holiday) on the one Chinese working calendar, without overrides;
    `stations.selectors.working_calendar` binds the admin overrides."""
    return statutory_holiday(day)


@dataclass(frozen=True)
class WorkingCalendar:
    """weekly: {0 (Monday) … 6: [(opens, closes), …]}; exceptions: {date: [(opens, closes), …]}
    (an empty list = closed that day). With `follows_public_holidays` the station is closed on
    statutory holidays and works the make-up workdays (调休) with Monday's hours when it has none
    for that weekday."""

    weekly: dict[int, list[Interval]]
    exceptions: dict[date, list[Interval]] = field(default_factory=dict)
    follows_public_holidays: bool = True
    tz: ZoneInfo = CHINA
    holiday_lookup: Callable[[date], tuple[bool, bool]] = public_holiday

    def intervals_on(self, day: date) -> list[Interval]:
        if day in self.exceptions:
            return sorted(self.exceptions[day])
        hours = list(self.weekly.get(day.weekday(), []))
        if self.follows_public_holidays:
            workday, statutory = self.holiday_lookup(day)
            if statutory:
                return []
            if workday and day.weekday() >= 5 and not hours:  # 调休: a weekend made a workday
                hours = list(self.weekly.get(0, []))
        return sorted(hours)

    def windows(self, start: datetime, days: int = SEARCH_DAYS) -> Iterator[tuple[datetime, datetime]]:
        """Working windows (aware datetimes) from `start` on, clipped to start."""
        if not self.weekly and not any(self.exceptions.values()):
            return  # never open: nothing to look for in the next `days` days
        local = start.astimezone(self.tz)
        for offset in range(days + 1):
            day = local.date() + timedelta(days=offset)
            for opens, closes in self.intervals_on(day):
                a = datetime.combine(day, opens, self.tz)
                b = datetime.combine(day, closes, self.tz) if closes > opens else datetime.combine(
                    day + timedelta(days=1), time(0), self.tz)
                if b <= start:
                    continue
                yield max(a, start), b

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.tz)
        for opens, closes in self.intervals_on(local.date()):
            if opens <= local.time() < closes or (closes <= opens and local.time() >= opens):
                return True
        return False


def add_working_time(start: datetime, amount: timedelta, cal: WorkingCalendar) -> datetime | None:
    """`start` plus `amount` of the calendar's working time; None if there is not enough within
    SEARCH_DAYS."""
    remaining = amount
    for a, b in cal.windows(start):
        if b - a >= remaining:
            return a + remaining
        remaining -= b - a
    return None


def response_limit(requested_at: datetime, cal: WorkingCalendar) -> timedelta:
    """1 hour for a request made in the station's working time, else 12 hours."""
    return IN_HOURS_LIMIT if cal.is_open(requested_at) else OUT_OF_HOURS_LIMIT


def response_deadline(requested_at: datetime, cal: WorkingCalendar) -> datetime:
    """When the station must confirm or decline a request made at `requested_at` (clock hours)."""
    return requested_at + response_limit(requested_at, cal)


REPLY_RULE = "工作时间内提交的预约1小时内回复，其他时间12小时内回复"


def slot_starts(day: date, cal: WorkingCalendar, duration: timedelta) -> list[tuple[datetime, datetime]]:
    """Back-to-back slots of `duration` inside the day's working intervals (a remainder is dropped)."""
    result: list[tuple[datetime, datetime]] = []
    if duration <= timedelta(0):
        return result
    for opens, closes in cal.intervals_on(day):
        a = datetime.combine(day, opens, cal.tz)
        end = datetime.combine(day, closes, cal.tz)
        while a + duration <= end:
            result.append((a, a + duration))
            a += duration
    return result


def parse_hours(text: str) -> dict[int, list[Interval]]:
    """Parse the registration form's hours, e.g. "1-5 09:00-17:30; 6 09:00-12:00" (1 = Monday).
    Raises ValueError with a readable message."""
    weekly: dict[int, list[Interval]] = {}
    for part in filter(None, (p.strip() for p in text.replace("；", ";").split(";"))):
        try:
            days, span = part.split()
            if "-" in days:
                d1, d2 = (int(x) for x in days.split("-"))
            else:
                d1 = d2 = int(days)
            t1, t2 = (time.fromisoformat(x) for x in span.split("-"))
        except ValueError as exc:
            raise ValueError(f"无法识别的营业时间“{part}” / cannot read hours '{part}'") from exc
        if not (1 <= d1 <= d2 <= 7) or t1 >= t2:
            raise ValueError(f"营业时间无效“{part}” / invalid hours '{part}'")
        for d in range(d1, d2 + 1):
            weekly.setdefault(d - 1, []).append((t1, t2))
    return weekly
