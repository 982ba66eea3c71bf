"""The Chinese working calendar, once for every app: is a day a workday, is it a statutory holiday?

Each day is answered from the first source that knows it:

1. a declared day (`organizations.CalendarOverride`): a row of a year's official schedule imported
   from the State Council's notice (`HolidaySchedule`), or a day an administrator declared by hand;
2. a year whose official schedule has been imported (`confirmed_years`): every day the notice does
   not name is an ordinary day (Monday–Friday work, weekends rest);
3. the `chinese-calendar` package, for the years it knows (up to 2026 in 1.11.0): official too;
4. otherwise a PROVISIONAL calendar computed from the statutory rules (《全国年节及纪念日放假办法》
   as amended in 2024): 元旦 1 day, 春节 4 days (除夕 to 初三), 清明 1 (the solar term), 劳动节 2
   (5/1–5/2), 端午 1, 中秋 1, 国庆 3 (10/1–10/3); lunar dates from `lunardate`; a holiday that falls
   on a weekend (or on another holiday) is made up on the next working day (Art. 4, 补假); weekends
   rest. Make-up workdays (调休上班) cannot be predicted: the provisional calendar has none.

So the calendar never silently runs out: a year nobody confirmed is computed and marked provisional
(`Day.source == "provisional"`), and `year_confirmed` tells the admin dashboard and /healthz.

Pure: the rows are passed in (`organizations.selectors.work_calendar` reads them). Q&A deadlines
(community), station hours and booking deadlines (stations), appeal step deadlines (appeals),
duty-hour e-mails and holiday rosters (community, organizations) all read a `Calendar`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

OFFICIAL = "official"  # the year's imported State Council schedule
PACKAGE = "package"  # chinese-calendar (official schedules it ships)
PROVISIONAL = "provisional"  # computed from the statutory rules
DECLARED = "declared"  # a day an administrator declared by hand

# From this month on, administrators are warned when next year's schedule is not confirmed yet
# (the State Council's notice usually comes out in November or December).
WARN_FROM_MONTH = 10

SOURCE_LABELS = {OFFICIAL: "国务院通知（已确认）", PACKAGE: "国务院通知（chinese-calendar 软件包）",
                 PROVISIONAL: "临时（按法定规则推算，待确认）", DECLARED: "管理员手工设定"}

_PACKAGE_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
}


@dataclass(frozen=True)
class Entry:
    """A declared day: `official` when it is a row of an imported schedule."""

    is_workday: bool
    name: str = ""
    official: bool = False


@dataclass(frozen=True)
class Day:
    date: date
    is_workday: bool
    holiday: bool  # a statutory holiday (or a day of its block, or its 补假): stations that follow holidays close
    name: str
    source: str

    @property
    def provisional(self) -> bool:
        return self.source == PROVISIONAL

    @property
    def ordinary(self) -> bool:
        """Nothing to say about the day: a Monday–Friday workday or a plain weekend."""
        return not self.holiday and not self.name and self.is_workday == (self.date.weekday() < 5)


# --- the provisional calendar: the statutory rules ------------------------------------------------

def _lunar(year: int, month: int, day: int) -> date | None:
    import lunardate

    try:
        return lunardate.LunarDate(year, month, day).to_solar_date()
    except ValueError:  # outside the package's years (1900–2099)
        return None


def _qingming(year: int) -> date | None:
    """清明: the day of the solar term (the sun at 15° longitude), from chinese-calendar's terms."""
    try:
        terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    except NotImplementedError:
        return None
    return next((d for d, name in terms if name == "清明"), None)


def statutory_days(year: int) -> list[tuple[str, list[date]]]:
    """The festivals of 《全国年节及纪念日放假办法》 Art. 2 (2024) and their days, in date order."""
    festivals: list[tuple[str, list[date]]] = [("元旦", [date(year, 1, 1)])]
    new_year = _lunar(year, 1, 1)
    if new_year:
        festivals.append(("春节", [new_year + timedelta(days=i) for i in range(-1, 3)]))  # 除夕 to 初三
    for name, when in (("清明节", _qingming(year)), ("端午节", _lunar(year, 5, 5)), ("中秋节", _lunar(year, 8, 15))):
        if when:
            festivals.append((name, [when]))
    festivals.append(("劳动节", [date(year, 5, 1), date(year, 5, 2)]))
    festivals.append(("国庆节", [date(year, 10, i) for i in (1, 2, 3)]))
    return sorted(festivals, key=lambda f: f[1][0])


@functools.lru_cache(maxsize=64)
def provisional_holidays(year: int) -> dict[date, str]:
    """The provisional days off of `year` (weekends aside): each festival's days, and for each of its
    days that falls on a weekend or on another festival a 补假 day, the next working day after the
    rest days that follow the festival (Art. 4)."""
    off: dict[date, str] = {}

    def resting(d: date) -> bool:
        return d.weekday() >= 5 or d in off

    for name, days in statutory_days(year):
        owed = sum(1 for d in days if resting(d))
        for d in days:
            off.setdefault(d, name)
        d = days[-1]
        while owed:
            d += timedelta(days=1)
            if not resting(d):
                off[d] = f"{name}（补假）"
                owed -= 1
    return off


def provisional_day(day: date) -> Day:
    name = provisional_holidays(day.year).get(day, "")
    if name:
        return Day(day, False, True, name, PROVISIONAL)
    return Day(day, day.weekday() < 5, False, "", PROVISIONAL)


# --- the package ----------------------------------------------------------------------------------

def package_covers(year: int) -> bool:
    """Does chinese-calendar know this year's official schedule?"""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _package_day(day: date) -> Day | None:
    try:
        workday = bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    zh = _PACKAGE_NAMES.get(name or "", name or "")
    if workday and day.weekday() >= 5:
        return Day(day, True, False, f"{zh}调休上班" if zh else "调休上班", PACKAGE)
    return Day(day, workday, bool(on_holiday and name), zh if on_holiday else "", PACKAGE)


# --- the calendar -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Calendar:
    """The working calendar: declared days and the years with an imported official schedule, over
    the package and the provisional rules. Build it with `organizations.selectors.work_calendar`."""

    entries: Mapping[date, Entry] = field(default_factory=dict)
    confirmed_years: frozenset[int] = frozenset()

    def day(self, day: date) -> Day:
        entry = self.entries.get(day)
        if entry is not None:
            holiday = not entry.is_workday and (entry.official or day.weekday() < 5)
            return Day(day, entry.is_workday, holiday, entry.name, OFFICIAL if entry.official else DECLARED)
        if day.year in self.confirmed_years:
            return Day(day, day.weekday() < 5, False, "", OFFICIAL)
        return _package_day(day) or provisional_day(day)

    def is_workday(self, day: date) -> bool:
        return self.day(day).is_workday

    def statutory_holiday(self, day: date) -> tuple[bool, bool]:
        """(is_workday, is_statutory_holiday)."""
        d = self.day(day)
        return d.is_workday, d.holiday

    def year_confirmed(self, year: int) -> bool:
        """Is the year's schedule official (imported, or shipped by the package)?"""
        return year in self.confirmed_years or package_covers(year)

    def special_days(self, year: int) -> list[Day]:
        """The days of `year` that are not ordinary: holidays, make-up workdays, declared days."""
        start, out = date(year, 1, 1), []
        for i in range((date(year + 1, 1, 1) - start).days):
            d = self.day(start + timedelta(days=i))
            if not d.ordinary or d.source == DECLARED:
                out.append(d)
        return out


def as_calendar(calendar: Calendar | Mapping[date, bool] | None) -> Calendar:
    """A `Calendar` from a calendar, a {date: is_workday} mapping of declared days, or None."""
    if isinstance(calendar, Calendar):
        return calendar
    if not calendar:
        return _EMPTY
    return Calendar(entries={d: Entry(bool(w)) for d, w in calendar.items()})


_EMPTY = Calendar()


def calendar_covers(day: date) -> bool:
    """Is the day's year officially known without an import (the package)?"""
    return package_covers(day.year)


def is_workday(day: date, calendar: Calendar | Mapping[date, bool] | None = None) -> bool:
    return as_calendar(calendar).is_workday(day)


def statutory_holiday(day: date, calendar: Calendar | Mapping[date, bool] | None = None) -> tuple[bool, bool]:
    """(is_workday, is_statutory_holiday)."""
    return as_calendar(calendar).statutory_holiday(day)


def workday_predicate(calendar: Calendar | Mapping[date, bool] | None = None) -> Callable[[date], bool]:
    """`is_workday` with the calendar bound, for functions that take a predicate."""
    return as_calendar(calendar).is_workday


# --- importing a year's schedule ----------------------------------------------------------------------

HOLIDAY_WORDS = {"holiday", "off", "rest", "放假", "休", "假", "休息", "假日"}
WORKDAY_WORDS = {"workday", "work", "班", "上班", "调休上班", "补班", "工作日"}
# A notice may start the New Year break in the last days of the year before (2019's did: 2018-12-29..31).
EARLIEST_DAY_OF_PREVIOUS_YEAR = 20


@dataclass(frozen=True)
class ScheduleLine:
    line: int
    date: date
    is_workday: bool
    name: str


def _parse_date(text: str) -> date:
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text.strip())
    if not m:
        raise ValueError(f"无法识别的日期“{text.strip()}”（应为 2027-01-01）")
    try:
        return date(*(int(x) for x in m.groups()))
    except ValueError:
        raise ValueError(f"日期不存在“{text.strip()}”") from None


def parse_schedule(text: str, year: int) -> tuple[list[ScheduleLine], list[tuple[int, str]]]:
    """Read a year's schedule, one day a line: `date, kind, name` (kind: holiday/放假 or workday/上班;
    commas, Chinese commas or tabs between). Returns (lines, errors); errors are (line number,
    Chinese message) and name every offending line: a line that cannot be read, a day that does not
    exist or is not in `year`, a make-up workday that is not a weekend day, the same day twice
    (repeated or contradictory). An import with any error must be refused whole."""
    lines: list[ScheduleLine] = []
    errors: list[tuple[int, str]] = []
    seen: dict[date, ScheduleLine] = {}
    earliest = date(year - 1, 12, EARLIEST_DAY_OF_PREVIOUS_YEAR)
    for number, raw in enumerate(text.splitlines(), start=1):
        row = raw.strip().lstrip("\ufeff")
        if not row or row.startswith("#"):
            continue
        parts = [p.strip() for p in re.split(r"[,，\t;；]", row, maxsplit=2)]
        if len(parts) == 1:
            parts = row.split(None, 2)
        if parts[0].lower() in ("date", "日期"):
            continue  # a header
        if len(parts) < 2:
            errors.append((number, "应为“日期,类型,名称”三栏"))
            continue
        try:
            day = _parse_date(parts[0])
        except ValueError as exc:
            errors.append((number, str(exc)))
            continue
        kind = parts[1].lower()
        if kind in HOLIDAY_WORDS:
            workday = False
        elif kind in WORKDAY_WORDS:
            workday = True
        else:
            errors.append((number, f"无法识别的类型“{parts[1]}”（应为 holiday/放假 或 workday/上班）"))
            continue
        name = (parts[2] if len(parts) > 2 else "").strip()[:100]
        if not earliest <= day <= date(year, 12, 31):
            errors.append((number, f"{day:%Y-%m-%d} 不属于 {year} 年的安排"))
            continue
        if workday and day.weekday() < 5:
            errors.append((number, f"{day:%Y-%m-%d} 是周一至周五，调休上班日应为周六或周日"))
            continue
        before = seen.get(day)
        if before is not None:
            what = "重复" if before.is_workday == workday else "矛盾（一行放假、一行上班）"
            errors.append((number, f"{day:%Y-%m-%d} 与第 {before.line} 行{what}"))
            continue
        seen[day] = ScheduleLine(number, day, workday, name)
        lines.append(seen[day])
    if not lines and not errors:
        errors.append((0, "没有任何日期"))
    elif lines and not any(not x.is_workday for x in lines) and not errors:
        errors.append((0, "没有放假日：请按通知逐日填写放假日和调休上班日"))
    return lines, errors


def package_lines(year: int) -> list[str]:
    """The year's holidays as the `holidays` package lists them (its observed days included), as
    import lines: a starting point to check against the notice, never confirmed by itself."""
    import holidays

    names = {"New Year's Day": "元旦", "Chinese New Year's Eve": "春节", "Chinese New Year (Spring Festival)": "春节",
             "Tomb-Sweeping Day": "清明节", "Labor Day": "劳动节", "Dragon Boat Festival": "端午节",
             "Mid-Autumn Festival": "中秋节", "National Day": "国庆节"}
    cn = holidays.China(years=year)
    rows = []
    for d, label in sorted(cn.items()):
        base = label.replace(" (observed)", "")
        name = names.get(base, base)
        if label.endswith("(observed)"):
            name += "（补假）"
        rows.append(f"{d:%Y-%m-%d},holiday,{name}")
    for d in sorted(x for x in getattr(cn, "weekend_workdays", ()) if x.year == year):
        rows.append(f"{d:%Y-%m-%d},workday,调休上班")
    return rows


def describe_errors(errors: Iterable[tuple[int, str]]) -> list[str]:
    return [f"第 {n} 行：{msg}" if n else msg for n, msg in errors]
