"""The deadline rule [A1.4.1] as a pure function, plus the stored deadline under frozen time."""

from datetime import date, datetime

import pytest
from freezegun import freeze_time

from community.domain.deadlines import BEIJING, answer_deadline, is_workday, next_duty_start


def bj(*args):
    return datetime(*args, tzinfo=BEIJING)


@pytest.mark.parametrize(
    "asked, hours",
    [
        (bj(2026, 11, 25, 8, 59), 12),  # Wednesday before office hours
        (bj(2026, 11, 25, 9, 0), 3),  # opening minute
        (bj(2026, 11, 25, 20, 59), 3),  # last minute of the day window
        (bj(2026, 11, 25, 21, 0), 12),  # evening
        (bj(2026, 11, 27, 22, 30), 12),  # a Friday night
        (bj(2026, 11, 28, 10, 0), 12),  # an ordinary Saturday
        (bj(2026, 10, 1, 10, 0), 12),  # 国庆 (statutory holiday, a Thursday)
        (bj(2026, 10, 5, 10, 0), 12),  # Monday inside the National Day holiday
        (bj(2025, 9, 28, 10, 0), 3),  # 调休 Sunday that is a workday (2025 National Day make-up)
        (bj(2026, 10, 10, 10, 0), 3),  # 调休 Saturday that is a workday
    ],
)
def test_window(asked, hours):
    d = answer_deadline(asked)
    assert d.hours == hours
    assert d.due - asked == (d.remind - asked) * 3 / 2
    assert (d.due - asked).total_seconds() == hours * 3600


def test_year_outside_the_package_falls_back_to_weekdays_without_crashing():
    assert answer_deadline(bj(2031, 1, 7, 10, 0)).hours == 3  # a Tuesday
    assert answer_deadline(bj(2031, 1, 4, 10, 0)).hours == 12  # a Saturday
    # ...and the admin override table decides where it is told to
    assert answer_deadline(bj(2031, 1, 1, 10, 0), {date(2031, 1, 1): False}).hours == 12
    assert answer_deadline(bj(2031, 1, 4, 10, 0), {date(2031, 1, 4): True}).hours == 3


def test_override_wins_over_the_package():
    assert is_workday(date(2026, 10, 1)) is False
    assert is_workday(date(2026, 10, 1), {date(2026, 10, 1): True}) is True


def test_next_duty_start():
    assert next_duty_start(bj(2026, 11, 25, 10, 0)) == bj(2026, 11, 25, 10, 0)
    assert next_duty_start(bj(2026, 11, 25, 23, 0)) == bj(2026, 11, 26, 9, 0)
    assert next_duty_start(bj(2026, 11, 27, 22, 0)) == bj(2026, 11, 30, 9, 0)  # Friday night → Monday
    assert next_duty_start(bj(2026, 9, 30, 22, 0)) == bj(2026, 10, 8, 9, 0)  # over 国庆


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        answer_deadline(datetime(2026, 1, 1, 10, 0))


@pytest.mark.django_db
@pytest.mark.parametrize("frozen, hours", [("2026-11-25 08:59:00+08:00", 12), ("2026-11-25 09:00:00+08:00", 3),
                                           ("2026-11-25 20:59:00+08:00", 3), ("2026-11-25 21:00:00+08:00", 12),
                                           ("2026-10-01 10:00:00+08:00", 12), ("2026-10-10 10:00:00+08:00", 3)])
def test_asked_question_stores_its_deadline(tree, youth, frozen, hours):
    from community import services

    with freeze_time(frozen):
        q = services.ask_question(asker=youth, title="团员组织关系怎么转接", domain="league")
    assert q.deadline_hours == hours
    assert (q.deadline_at - q.asked_at).total_seconds() == hours * 3600


@pytest.mark.django_db
def test_admin_override_is_used_for_a_year_without_package_data(tree, youth):
    from community import services
    from organizations.models import CalendarOverride

    CalendarOverride.objects.create(date=date(2031, 1, 7), is_workday=False, note="测试假日")
    with freeze_time("2031-01-07 10:00:00+08:00"):
        q = services.ask_question(asker=youth, title="团员组织关系怎么转接", domain="league")
    assert q.deadline_hours == 12
