from datetime import date, datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import RealNameStatus
from core.errors import Forbidden, Invalid
from notifications.models import Notification
from organizations import selectors, services
from organizations.domain.calendar import is_workday
from organizations.models import StaffRole
from tests.factories import UserFactory

TZ = timezone.get_current_timezone()


def at(*args):
    return timezone.make_aware(datetime(*args), TZ)


def test_calendar_rules():
    assert is_workday(date(2025, 10, 1)) is False  # 国庆
    assert is_workday(date(2025, 9, 28)) is True  # a make-up Sunday (调休)
    assert is_workday(date(2025, 10, 13)) is True
    assert is_workday(date(2099, 3, 2)) is True  # outside the package's years: Monday–Friday
    assert is_workday(date(2099, 3, 1)) is False
    assert is_workday(date(2099, 3, 2), {date(2099, 3, 2): False}) is False  # an override wins


def test_roster_decides_who_is_on_duty(tree, make_staff):
    liaison = make_staff(tree.tianhe, StaffRole.LIAISON)
    duty_a = make_staff(tree.tianhe, StaffRole.DUTY)
    duty_b = make_staff(tree.tianhe, StaffRole.DUTY)
    # no roster that day: every duty-role member counts
    assert set(selectors.on_duty_users(tree.tianhe, at(2026, 12, 1, 10))) == {duty_a, duty_b}
    services.add_duty_shift(actor=liaison, organization=tree.tianhe, user=duty_a,
                            starts_at=at(2026, 12, 2, 9), ends_at=at(2026, 12, 2, 18))
    services.add_duty_shift(actor=liaison, organization=tree.tianhe, user=duty_b,
                            starts_at=at(2026, 12, 2, 18), ends_at=at(2026, 12, 2, 23))
    assert list(selectors.on_duty_users(tree.tianhe, at(2026, 12, 2, 10))) == [duty_a]
    assert list(selectors.on_duty_users(tree.tianhe, at(2026, 12, 2, 20))) == [duty_b]
    assert list(selectors.on_duty_users(tree.tianhe, at(2026, 12, 2, 23, 30))) == []  # a gap in the roster


def test_roster_rules(tree, make_staff):
    liaison = make_staff(tree.tianhe, StaffRole.LIAISON)
    duty = make_staff(tree.tianhe, StaffRole.DUTY)
    outsider = UserFactory()
    other_city = make_staff(tree.shenzhen, StaffRole.LIAISON)
    with pytest.raises(Forbidden):
        services.add_duty_shift(actor=other_city, organization=tree.tianhe, user=duty,
                                starts_at=at(2026, 12, 2, 9), ends_at=at(2026, 12, 2, 18))
    with pytest.raises(Invalid):
        services.add_duty_shift(actor=liaison, organization=tree.tianhe, user=outsider,
                                starts_at=at(2026, 12, 2, 9), ends_at=at(2026, 12, 2, 18))
    with pytest.raises(Invalid):
        services.add_duty_shift(actor=liaison, organization=tree.tianhe, user=duty,
                                starts_at=at(2026, 12, 2, 18), ends_at=at(2026, 12, 2, 9))
    services.add_duty_shift(actor=liaison, organization=tree.tianhe, user=duty,
                            starts_at=at(2026, 12, 2, 9), ends_at=at(2026, 12, 2, 18))
    with pytest.raises(Invalid):  # overlapping
        services.add_duty_shift(actor=liaison, organization=tree.tianhe, user=duty,
                                starts_at=at(2026, 12, 2, 17), ends_at=at(2026, 12, 2, 20))


def test_holiday_gaps_are_flagged_to_liaisons(tree, make_staff, client):
    liaison = make_staff(tree.tianhe, StaffRole.LIAISON)
    duty = make_staff(tree.tianhe, StaffRole.DUTY)
    # National Day 2025: 1–8 October are holidays; the roster covers only the 1st
    services.add_duty_shift(actor=liaison, organization=tree.tianhe, user=duty, kind="holiday",
                            starts_at=at(2025, 10, 1, 9), ends_at=at(2025, 10, 1, 21))
    gaps = services.holiday_roster_gaps(organization=tree.tianhe, start=date(2025, 9, 29), days=10)
    assert date(2025, 10, 1) not in gaps
    assert date(2025, 10, 2) in gaps and date(2025, 10, 8) in gaps
    assert date(2025, 9, 29) not in gaps and date(2025, 10, 9) not in gaps  # workdays
    with freeze_time("2025-09-29 08:00:00"):
        services.warn_roster_gaps(today=date(2025, 9, 29))
        services.warn_roster_gaps(today=date(2025, 9, 29))  # once only
    assert Notification.objects.filter(recipient=liaison, kind="roster_gap").count() == 1
    # the notice links to the roster in the admin, which the liaison can open (was a 404)
    url = Notification.objects.get(recipient=liaison, kind="roster_gap").url
    assert url == "/admin/roster/"
    client.force_login(liaison)
    assert client.get(url).status_code == 200


def test_real_name_verification(tree, make_staff):
    admin = make_staff(tree.guangzhou)
    cadre = make_staff(tree.tianhe, StaffRole.DUTY, real_name="李青", real_name_status=RealNameStatus.PENDING)
    sz_admin = make_staff(tree.shenzhen)
    with pytest.raises(Forbidden):
        services.verify_real_name(actor=sz_admin, user=cadre, approve=True)
    with pytest.raises(Invalid):
        services.verify_real_name(actor=admin, user=cadre, approve=False)
    services.verify_real_name(actor=admin, user=cadre, approve=True)
    cadre.refresh_from_db()
    assert cadre.real_name_status == RealNameStatus.VERIFIED and cadre.real_name_verified_at is not None


def test_roster_drives_who_is_notified(tree, make_staff, youth):
    """The deadline reminder goes to whoever the roster has on duty when it is sent, not to every
    duty-role member: the shift decides."""
    from community import services as qa

    duty_a = make_staff(tree.tianhe, StaffRole.DUTY)
    duty_b = make_staff(tree.tianhe, StaffRole.DUTY)
    liaison = make_staff(tree.tianhe, StaffRole.LIAISON)
    services.add_duty_shift(actor=liaison, organization=tree.tianhe, user=duty_a,
                            starts_at=at(2026, 11, 25, 9), ends_at=at(2026, 11, 25, 12, 30))
    services.add_duty_shift(actor=liaison, organization=tree.tianhe, user=duty_b,
                            starts_at=at(2026, 11, 25, 12, 30), ends_at=at(2026, 11, 25, 18))
    with freeze_time("2026-11-25 09:00:00+08:00"):
        qa.ask_question(asker=youth, title="团员证遗失怎么补办", domain="league")
    with freeze_time("2026-11-25 11:00:00+08:00"):  # 2/3 of 3 hours: duty_a's shift
        assert qa.sweep_deadlines()["reminded"] == 1
    reminded = set(Notification.objects.filter(kind="reminder").values_list("recipient_id", flat=True))
    assert duty_a.pk in reminded and duty_b.pk not in reminded
    with freeze_time("2026-11-25 14:00:00+08:00"):
        qa.ask_question(asker=youth, title="青年之家周末开放吗", domain="league")
    with freeze_time("2026-11-25 16:00:00+08:00"):  # duty_b's shift now
        assert qa.sweep_deadlines()["reminded"] == 1
    second = Notification.objects.filter(kind="reminder").exclude(recipient_id__in=reminded)
    assert set(second.values_list("recipient_id", flat=True)) == {duty_b.pk}
