"""Answer deadlines [A1.4.1, A2.2]. Pure: no database; the caller passes the working calendar.

    asked on a workday 09:00–20:59:59 (Beijing time)  -> due 3 hours later
    asked on a workday 21:00–08:59:59, or any time on a non-workday -> due 12 hours later

Workdays: `organizations.domain.calendar` (the one Chinese working calendar: imported yearly
schedules and declared days, chinese-calendar, and the provisional statutory calendar for a year
nobody has confirmed — so a question on 2027-01-01 gets 12 hours even before the notice is in).
The reminder goes at 2/3 of the window.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from organizations.domain.calendar import Calendar, calendar_covers, is_workday

__all__ = ["calendar_covers", "is_workday", "answer_deadline", "next_duty_start", "Deadline"]

BEIJING = ZoneInfo("Asia/Shanghai")
DAY_START = time(9, 0)
DAY_END = time(21, 0)
SHORT_WINDOW = timedelta(hours=3)
LONG_WINDOW = timedelta(hours=12)
REMINDER_FRACTION = 2 / 3


@dataclass(frozen=True)
class Deadline:
    start: datetime
    due: datetime
    remind: datetime
    hours: int


def answer_deadline(asked_at: datetime, calendar: Calendar | None = None) -> Deadline:
    """The deadline for a question asked (or reopened, or an invitation accepted) at `asked_at`."""
    if asked_at.tzinfo is None:
        raise ValueError("asked_at must be timezone-aware")
    local = asked_at.astimezone(BEIJING)
    in_hours = is_workday(local.date(), calendar) and DAY_START <= local.time() < DAY_END
    window = SHORT_WINDOW if in_hours else LONG_WINDOW
    return Deadline(
        start=asked_at, due=asked_at + window, remind=asked_at + window * REMINDER_FRACTION,
        hours=int(window.total_seconds() // 3600),
    )


def next_duty_start(at: datetime, calendar: Calendar | None = None) -> datetime:
    """The next moment within duty hours (workday 09:00–21:00), `at` itself if it already is one.
    Used to hold reminder e-mails for staff who are not on duty now."""
    local = at.astimezone(BEIJING)
    if is_workday(local.date(), calendar) and DAY_START <= local.time() < DAY_END:
        return at
    day = local.date() if local.time() < DAY_START else local.date() + timedelta(days=1)
    for _ in range(60):
        if is_workday(day, calendar):
            return datetime.combine(day, DAY_START, tzinfo=BEIJING)
        day += timedelta(days=1)
    return datetime.combine(day, DAY_START, tzinfo=BEIJING)
