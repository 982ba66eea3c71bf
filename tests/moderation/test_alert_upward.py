"""舆情 reported upward [A1.8]: the platform-building office and the parent organisation's liaison
and on-duty staff (by roster) are notified; the outcome goes back up and to the users; every step is
in the alert's timeline and in the upper organisations' queues."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import Forbidden, Invalid
from moderation import services
from moderation.models import Alert, AlertKind
from notifications.models import Notification
from organizations.models import DutyShift, OrganizationKind, StaffRole
from organizations.selectors import platform_office
from organizations.services import create_organization, set_platform_office
from tests.factories import UserFactory


@pytest.fixture
def office(tree):
    org = create_organization(actor=None, parent=tree.province, name="广东“青年之声”平台建设办公室", short_name="平台办",
                              kind=OrganizationKind.DEPARTMENT, slug="platform-office")
    return set_platform_office(actor=None, organization=org)


def _alert(org, youth):
    now = timezone.now()
    return Alert.objects.create(kind=AlertKind.CONCENTRATED, organization=org, title="天河集中诉求：实习补贴",
                                window_start=now - timedelta(hours=1), window_end=now, thread_count=30, user_count=20,
                                evidence={"user_ids": [youth.pk]}, fingerprint="concentrated:t:补贴")


def test_an_alert_reported_upward_notifies_the_office_and_the_parents_staff_by_roster(
        tree, office, make_staff, youth, client_for):
    officer = make_staff(tree.tianhe, StaffRole.LIAISON)
    office_staff = make_staff(office, StaffRole.PLATFORM_OFFICE)
    gz_liaison = make_staff(tree.guangzhou, StaffRole.LIAISON)
    # Guangzhou keeps a roster today: the one whose shift covers now is on duty, the other is not
    on_shift, off_shift = make_staff(tree.guangzhou, StaffRole.DUTY), make_staff(tree.guangzhou, StaffRole.DUTY)
    now = timezone.now()
    DutyShift.objects.create(organization=tree.guangzhou, user=on_shift, starts_at=now - timedelta(hours=1),
                             ends_at=now + timedelta(hours=1))
    DutyShift.objects.create(organization=tree.guangzhou, user=off_shift, starts_at=now + timedelta(hours=2),
                             ends_at=now + timedelta(hours=3))
    province_liaison = make_staff(tree.province, StaffRole.LIAISON)  # not the parent: not told
    alert = _alert(tree.tianhe, youth)
    url = f"/api/moderation/alerts/{alert.pk}/steps/"
    c = client_for(officer)
    assert c.post(url, {"step": "verify"}, content_type="application/json").status_code == 200
    r = c.post(url, {"step": "report", "comment": "区内多所高校学生反映实习补贴未发放"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["reported_to_id"] == tree.guangzhou.pk
    told = set(Notification.objects.filter(kind="alert_reported").values_list("recipient_id", flat=True))
    assert told == {office_staff.pk, gz_liaison.pk, on_shift.pk}
    assert off_shift.pk not in told and province_liaison.pk not in told
    # the step in the timeline names who was reached
    step = alert.steps.get(to_status="reported")
    assert "已通知3人" in step.comment and "平台建设办公室 1 人" in step.comment

    # the office's queue holds it, and the office may act on it
    oc = client_for(office_staff)
    assert [a["id"] for a in oc.get("/api/moderation/alerts/").json()["items"]] == [alert.pk]
    assert client_for(province_liaison).get("/api/moderation/alerts/").json()["items"]  # the province's subtree
    page = oc.get(f"/admin/moderation/alerts/{alert.pk}/")
    assert page.status_code == 200 and "已通知3人" in page.content.decode()
    assert oc.post(url, {"step": "handle"}, content_type="application/json").status_code == 200

    # the outcome: back to the users whose posts formed the alert and up to the office and the parent
    gc = client_for(gz_liaison)
    r = gc.post(url, {"step": "feedback", "comment": "已协调人社部门，月底前发放"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert Notification.objects.filter(recipient=youth, kind="alert_feedback").exists()
    assert set(Notification.objects.filter(kind="alert_outcome").values_list("recipient_id", flat=True)) == {
        office_staff.pk, on_shift.pk}  # gz_liaison acted: not told of their own step
    steps = r.json()["steps"]
    assert [s["to_status"] for s in steps] == ["verified", "reported", "handling", "feedback"]
    assert "已向发帖用户反馈 1 人" in steps[-1]["comment"]


def test_a_province_alert_is_reported_to_the_office(tree, office, make_staff, youth):
    admin = make_staff(tree.province, StaffRole.ORG_ADMIN)
    office_staff = make_staff(office, StaffRole.PLATFORM_OFFICE)
    alert = _alert(tree.province, youth)
    services.advance_alert(actor=admin, alert=alert, step="verify")
    alert = services.advance_alert(actor=admin, alert=alert, step="report", comment="全省性问题")
    assert alert.reported_to == office
    assert Notification.objects.filter(recipient=office_staff, kind="alert_reported").exists()


def test_office_staff_cannot_act_on_alerts_not_reported(tree, office, make_staff, youth):
    office_staff = make_staff(office, StaffRole.PLATFORM_OFFICE)
    alert = _alert(tree.tianhe, youth)
    assert not services.alerts_for(office_staff).filter(pk=alert.pk).exists()
    with pytest.raises(Forbidden):
        services.advance_alert(actor=office_staff, alert=alert, step="verify")


def test_the_office_is_a_provincial_unit_set_by_provincial_admins(tree, office, make_staff):
    with pytest.raises(Invalid):
        set_platform_office(actor=None, organization=tree.guangzhou)
    with pytest.raises(Forbidden):
        set_platform_office(actor=make_staff(tree.guangzhou, StaffRole.ORG_ADMIN), organization=office)
    assert platform_office() == office


def test_the_demo_has_the_office_with_staff_and_roster(db):
    from demo.accounts import load as load_users
    from demo.organizations import load as load_orgs

    load_orgs()
    load_users()
    office = platform_office()
    assert office is not None and office.name == "广东“青年之声”平台建设办公室" and office.depth == 2
    user = UserFactory._meta.model.objects.get(username="platform_office")
    assert user.staff_memberships.filter(role=StaffRole.PLATFORM_OFFICE, organization=office).exists()
    assert DutyShift.objects.filter(organization=office, user=user).count() == 14
    load_users()  # idempotent
    assert DutyShift.objects.filter(organization=office, user=user).count() == 14
