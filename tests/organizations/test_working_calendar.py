"""The working calendar never silently runs out (issue 22, item 1).

chinese-calendar 1.11.0 stops at 2026. With no official 2027 schedule loaded, 2027 runs on the
provisional calendar computed from the statutory rules; a provincial administrator imports the
State Council's notice in the admin (refused whole, lines named, when a line is wrong); from
1 October the dashboard and /healthz say next year is unconfirmed. Every reader — Q&A deadlines,
duty-hour e-mails, appeal steps, rosters, stations — reads the one calendar."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import holidays
import pytest
from freezegun import freeze_time

from organizations.domain.calendar import (
    Calendar,
    package_covers,
    parse_schedule,
    provisional_day,
    provisional_holidays,
    statutory_days,
)
from organizations.models import CalendarOverride, HolidaySchedule, StaffRole

BJ = ZoneInfo("Asia/Shanghai")

# The 2027 notice as a test imports it (the real one: 国务院办公厅关于2027年部分节假日安排的通知).
SCHEDULE_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-05,holiday,春节
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-20,workday,春节调休上班
2027-04-05,holiday,清明节
2027-05-01,holiday,劳动节
2027-05-02,holiday,劳动节
2027-05-03,holiday,劳动节
2027-05-04,holiday,劳动节
2027-05-05,holiday,劳动节
2027-06-09,holiday,端午节
2027-09-15,holiday,中秋节
2027-10-01,holiday,国庆节
2027-10-02,holiday,国庆节
2027-10-03,holiday,国庆节
2027-10-04,holiday,国庆节
2027-10-05,holiday,国庆节
2027-10-06,holiday,国庆节
2027-10-07,holiday,国庆节
2027-09-26,workday,国庆节调休上班
2027-10-09,workday,国庆节调休上班
"""


def bj(*args):
    return datetime(*args, tzinfo=BJ)


# --- the provisional calendar (pure) --------------------------------------------------------------

def test_the_package_stops_at_2026_and_2027_is_provisional():
    assert package_covers(2026) and not package_covers(2027)
    cal = Calendar()
    assert cal.day(date(2027, 1, 1)).provisional
    assert not cal.year_confirmed(2027) and cal.year_confirmed(2026)


def test_statutory_rules_for_2027():
    festivals = dict(statutory_days(2027))
    assert festivals["春节"] == [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]  # 除夕–初三
    assert festivals["清明节"] == [date(2027, 4, 5)]  # the solar term
    assert festivals["端午节"] == [date(2027, 6, 9)] and festivals["中秋节"] == [date(2027, 9, 15)]
    off = provisional_holidays(2027)
    # a festival day on a weekend is made up on the next working day (Art. 4)
    assert off[date(2027, 2, 9)] == off[date(2027, 2, 10)] == "春节（补假）"
    assert off[date(2027, 10, 4)] == off[date(2027, 10, 5)] == "国庆节（补假）"
    assert date(2027, 2, 11) not in off
    assert provisional_day(date(2027, 3, 3)).is_workday
    assert not provisional_day(date(2027, 3, 6)).is_workday  # Saturday


@pytest.mark.parametrize("year", [2027, 2029, 2030])
def test_provisional_days_off_match_the_holidays_package(year):
    """Cross-check: the `holidays` package lists China's holidays with their observed days."""
    mine = {d for d in provisional_holidays(year) if d.weekday() < 5}
    theirs = {d for d in holidays.China(years=year) if d.weekday() < 5}
    assert mine == theirs


def test_parse_schedule_names_every_bad_line():
    text = "\n".join([
        "date,kind,name",
        "2027-02-06,holiday,春节",  # 2 (a Saturday)
        "2027-02-30,holiday,春节",  # 3: no such day
        "2027-02-10,workday,调休",  # 4: a Wednesday cannot be a make-up workday
        "2027-02-06,workday,调休",  # 5: contradicts line 2
        "2027-02-06,holiday,春节",  # 6: repeats line 2
        "2028-01-01,holiday,元旦",  # 7: another year
        "2027-05-01,vacation,劳动节",  # 8: unknown kind
        "hello",  # 9
    ])
    lines, errors = parse_schedule(text, 2027)
    assert [n for n, _ in errors] == [3, 4, 5, 6, 7, 8, 9]
    assert "与第 2 行矛盾" in errors[2][1] and "与第 2 行重复" in errors[3][1]
    assert [x.line for x in lines] == [2]


# --- deadlines on 2027 dates with no official schedule loaded -------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("asked, hours", [
    ("2027-01-01 10:00:00+08:00", 12),  # 元旦 (Friday)
    ("2027-02-08 10:00:00+08:00", 12),  # 初三, Monday of the Spring Festival week
    ("2027-02-10 10:00:00+08:00", 12),  # 春节 补假
    ("2027-04-05 10:00:00+08:00", 12),  # 清明 (Monday)
    ("2027-10-01 10:00:00+08:00", 12),  # 国庆 (Friday)
    ("2027-03-03 10:00:00+08:00", 3),  # an ordinary Wednesday
    ("2027-03-03 21:00:00+08:00", 12),
])
def test_2027_question_deadlines_without_a_schedule(tree, youth, asked, hours):
    from community import services

    assert not HolidaySchedule.objects.exists() and not CalendarOverride.objects.exists()
    with freeze_time(asked):
        q = services.ask_question(asker=youth, title="团员组织关系怎么转接", domain="league")
    assert q.deadline_hours == hours


@pytest.mark.django_db
def test_duty_emails_appeals_and_rosters_read_the_provisional_calendar(tree):
    from appeals.domain.deadlines import add_working_days
    from community.domain.deadlines import next_duty_start
    from organizations.domain.calendar import workday_predicate
    from organizations.selectors import work_calendar
    from organizations.services import holiday_roster_gaps

    cal = work_calendar(date(2027, 2, 4))
    # duty e-mails held on 除夕 evening wait for Thursday 11 February
    assert next_duty_start(bj(2027, 2, 4, 22), cal) == bj(2027, 2, 11, 9)
    # an appeal step of 1 working day entered on Thursday 4 February ends on the 11th
    assert add_working_days(bj(2027, 2, 4, 10), 1, workday_predicate(cal)).date() == date(2027, 2, 11)
    # the holiday roster sees the whole Spring Festival week as days needing holiday duty
    gaps = holiday_roster_gaps(organization=tree.guangzhou, start=date(2027, 2, 4), days=8)
    assert gaps == [date(2027, 2, d) for d in range(5, 11)]


# --- importing the official schedule ------------------------------------------------------------------

def _import(client, text, year=2027, **extra):
    data = {"year": year, "notice_title": "国务院办公厅关于2027年部分节假日安排的通知",
            "notice_url": "https://www.gov.cn/zhengce/content/2027.htm", "notice_date": "2026-11-12", "text": text}
    data.update(extra)
    return client.post("/admin/calendar/import/", data)


@pytest.fixture
def province_admin(tree, make_staff):
    return make_staff(tree.province, StaffRole.ORG_ADMIN)


@pytest.mark.django_db
def test_import_then_move_a_make_up_day(tree, youth, province_admin, client_for):
    from community import services

    def hours(when):
        with freeze_time(when):
            return services.ask_question(asker=youth, title="团员组织关系怎么转接", domain="league").deadline_hours

    c = client_for(province_admin)
    assert hours("2027-02-11 10:00:00+08:00") == 3  # provisional: the Thursday after the 补假 is a workday
    assert hours("2027-02-20 10:00:00+08:00") == 12  # provisional: a plain Saturday
    r = _import(c, SCHEDULE_2027)
    assert r.status_code == 302 and r["Location"].endswith("/admin/calendar/year/2027/")
    schedule = HolidaySchedule.objects.get(year=2027)
    assert schedule.notice_url.endswith("2027.htm") and schedule.imported_by == province_admin
    assert schedule.days.count() == 26
    assert hours("2027-02-11 10:00:00+08:00") == 12  # the notice gives the 11th off
    assert hours("2027-02-20 10:00:00+08:00") == 3  # ...and makes Saturday the 20th a workday (调休)
    assert hours("2027-02-21 10:00:00+08:00") == 12
    assert hours("2027-03-03 10:00:00+08:00") == 3

    # a corrected notice moves the make-up day to Sunday the 21st: importing again replaces the year
    r = _import(c, SCHEDULE_2027.replace("2027-02-20,workday", "2027-02-21,workday"))
    assert r.status_code == 302
    assert HolidaySchedule.objects.count() == 1 and CalendarOverride.objects.count() == 26
    assert hours("2027-02-20 10:00:00+08:00") == 12
    assert hours("2027-02-21 10:00:00+08:00") == 3

    page = c.get("/admin/calendar/year/2027/").content.decode()
    assert "国务院办公厅关于2027年部分节假日安排的通知" in page and "春节调休上班" in page and "临时" not in page


@pytest.mark.django_db
def test_a_bad_import_is_refused_whole_with_the_lines_named(tree, province_admin, client_for):
    c = client_for(province_admin)
    CalendarOverride.objects.create(date=date(2027, 6, 9), is_workday=True, note="手工设定")
    bad = SCHEDULE_2027 + "2027-02-31,holiday,春节\n2027-02-06,workday,调休\n2027-03-03,workday,调休\n"
    r = _import(c, bad)
    assert r.status_code == 200
    page = r.content.decode()
    assert "导入被拒绝" in page or "Import refused" in page
    assert "第 17 行：2027-06-09 与手工设定的上班日（手工设定）矛盾" in page
    assert "第 28 行：日期不存在“2027-02-31”" in page
    assert "第 29 行：2027-02-06 与第 4 行矛盾" in page
    assert "第 30 行：2027-03-03 是周一至周五，调休上班日应为周六或周日" in page
    assert not HolidaySchedule.objects.exists()
    assert list(CalendarOverride.objects.values_list("date", flat=True)) == [date(2027, 6, 9)]  # nothing written


@pytest.mark.django_db
def test_only_provincial_admins_import(tree, make_staff, client_for):
    city_admin = make_staff(tree.guangzhou, StaffRole.ORG_ADMIN)
    c = client_for(city_admin)
    refused = (302, 403)  # Wagtail turns PermissionDenied into a redirect to the dashboard
    assert _import(c, SCHEDULE_2027).status_code in refused
    assert c.get("/admin/calendar/year/2027/").status_code in refused
    assert c.get("/admin/calendar/").status_code in refused
    assert not HolidaySchedule.objects.exists()


@pytest.mark.django_db
def test_the_holidays_package_prefills_the_import(tree, province_admin, client_for):
    page = client_for(province_admin).get("/admin/calendar/import/?year=2027&prefill=holidays").content.decode()
    assert "2027-02-10,holiday,春节（补假）" in page and "2027-10-05,holiday,国庆节（补假）" in page


@pytest.mark.django_db
def test_the_admin_shows_the_2027_provisional_calendar(tree, province_admin, client_for):
    page = client_for(province_admin).get("/admin/calendar/year/2027/").content.decode()
    assert "临时" in page or "PROVISIONAL" in page
    assert "2027-02-08" in page and "2027-02-10" in page and "春节（补假）" in page


# --- the warning from 1 October ---------------------------------------------------------------------

@pytest.mark.django_db
def test_healthz_and_dashboard_warn_from_1_october(tree, province_admin, make_staff, client_for):
    city_admin = make_staff(tree.guangzhou, StaffRole.ORG_ADMIN)
    with freeze_time("2026-09-30 12:00:00+08:00"):
        r = client_for().get("/healthz")
        assert r.status_code == 200
        assert r.json()["calendar"]["next_year"] == 2027 and r.json()["calendar"]["next_year_confirmed"] is False
        assert r.json()["calendar"]["warnings"] == []
        assert "yv-calendar-warning" not in client_for(province_admin).get("/admin/").content.decode()
    with freeze_time("2026-10-01 09:00:00+08:00"):
        r = client_for().get("/healthz")
        assert r.status_code == 200 and r.json()["status"] == "ok"  # a warning, not a failure
        assert r.json()["calendar"]["next_year_source"] == "provisional"
        assert r.json()["calendar"]["warnings"] == [
            "2027 holiday schedule not confirmed: the provisional calendar is in use"]
        page = client_for(province_admin).get("/admin/").content.decode()
        assert "yv-calendar-warning" in page and "/admin/calendar/import/?year=2027" in page
        assert "yv-calendar-warning" not in client_for(city_admin).get("/admin/").content.decode()
    with freeze_time("2026-12-07 10:00:00+08:00"):
        assert _import(client_for(province_admin), SCHEDULE_2027).status_code == 302
        r = client_for().get("/healthz")
        assert r.json()["calendar"]["next_year_confirmed"] is True and r.json()["calendar"]["warnings"] == []
        assert "yv-calendar-warning" not in client_for(province_admin).get("/admin/").content.decode()
