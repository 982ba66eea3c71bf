"""Issue 24: verifying or rejecting a real name in Wagtail's user editor goes through
organizations.services.verify_real_name (the decider's subtree, a reason to reject, the verification
time, audit log) instead of the form saving the status."""

import pytest
from django.contrib.auth.models import Permission
from wagtail.models import ModelLogEntry

from accounts.models import RealNameStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _gz_admin(tree, make_staff):
    admin = make_staff(tree.guangzhou, is_staff=True)
    admin.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "view_user"]))
    return admin


def _form(user, **over):
    data = {"username": user.username, "email": "", "first_name": "", "last_name": "", "phone": user.phone,
            "display_name": user.display_name, "real_name": user.real_name, "real_name_status": user.real_name_status,
            "real_name_reason": "", "is_active": "on"}
    data.update(over)
    return data


def test_real_name_decisions_in_the_user_admin_go_through_verify_real_name(tree, make_staff, client_for):
    admin = _gz_admin(tree, make_staff)
    person = UserFactory(organization=tree.tianhe, real_name="李四", real_name_status=RealNameStatus.PENDING)
    c = client_for(admin)
    url = f"/admin/users/edit/{person.pk}/"
    page = c.get(url)
    assert page.status_code == 200 and 'name="real_name_reason"' in page.content.decode()

    # Rejecting needs a reason (the service's rule): a form error, nothing written.
    r = c.post(url, _form(person, real_name_status="rejected", display_name="新名字"))
    assert r.status_code == 200 and "驳回须填写原因" in r.content.decode()
    person.refresh_from_db()
    assert person.real_name_status == RealNameStatus.PENDING and person.display_name != "新名字"

    r = c.post(url, _form(person, real_name_status="rejected", real_name_reason="姓名与证件不符"))
    assert r.status_code == 302, r.content.decode()[:2000]
    person.refresh_from_db()
    assert person.real_name_status == RealNameStatus.REJECTED
    assert ModelLogEntry.objects.filter(object_id=str(person.pk), user=admin, data__real_name="rejected",
                                        data__reason="姓名与证件不符").exists()

    # Verifying: the verification time is set and the decision logged.
    r = c.post(url, _form(person, real_name_status="verified"))
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.real_name_status == RealNameStatus.VERIFIED and person.real_name_verified_at is not None
    assert ModelLogEntry.objects.filter(object_id=str(person.pk), user=admin, data__real_name="verified").exists()


def test_a_real_name_outside_the_subtree_cannot_be_verified(tree, make_staff, client_for):
    admin = _gz_admin(tree, make_staff)
    outside = UserFactory(organization=tree.nanshan, real_name="赵六", real_name_status=RealNameStatus.PENDING)
    r = client_for(admin).post(f"/admin/users/edit/{outside.pk}/", _form(outside, real_name_status="verified"))
    assert r.status_code in (302, 403, 404)
    outside.refresh_from_db()
    assert outside.real_name_status == RealNameStatus.PENDING


def test_a_user_without_a_real_name_cannot_be_verified_in_the_admin(tree, make_staff, client_for):
    admin = _gz_admin(tree, make_staff)
    person = UserFactory(organization=tree.tianhe, real_name="", real_name_status=RealNameStatus.NONE)
    r = client_for(admin).post(f"/admin/users/edit/{person.pk}/", _form(person, real_name_status="verified"))
    assert r.status_code == 200 and "未填写真实姓名" in r.content.decode()
    person.refresh_from_db()
    assert person.real_name_status == RealNameStatus.NONE
