"""Issue 24: the alliance admin viewsets (experts, member organisations, memberships) write through
alliances.services like the API — set_expert_status (which nothing called before), soft removal,
notifications, audit log, and the subtree."""

import json

import pytest
from wagtail.models import ModelLogEntry

from alliances.models import AllianceMembership, ExpertStatus, MemberOrganization, MembershipStatus
from notifications.models import Notification
from organizations.models import StaffRole

from .conftest import make_expert
from .test_admin import _with_alliance_permissions

pytestmark = pytest.mark.django_db


def _expert_form(e, **over):
    data = {f: getattr(e, f) for f in ("real_name", "title", "kind", "workplace", "credentials", "bio", "availability",
                                       "max_open_questions", "contact_phone", "contact_email", "status",
                                       "status_reason", "id_number", "staff_notes")}
    data.update(organization=e.organization_id, home_station="", **({"contact_public": "on"} if e.contact_public else {}))
    data.update(over)
    return data


def test_expert_edit_and_delete_in_the_admin_go_through_the_services(tree, gz_liaison, client_for):
    liaison = _with_alliance_permissions(gz_liaison)
    e = make_expert(tree.tianhe, name="王律师")
    c = client_for(liaison)
    url = f"/admin/experts/edit/{e.pk}/"
    assert c.get(url).status_code == 200
    # Suspending needs a reason (set_expert_status): a form error, nothing written.
    r = c.post(url, _expert_form(e, status=ExpertStatus.SUSPENDED, status_reason=""))
    assert r.status_code == 200 and "请填写原因" in r.content.decode()
    e.refresh_from_db()
    assert e.status == ExpertStatus.ACTIVE
    # With a reason: suspended, the expert notified, the audit entry written by the liaison.
    r = c.post(url, _expert_form(e, status=ExpertStatus.SUSPENDED, status_reason="资质复核中", title="高级律师"))
    assert r.status_code == 302, r.content.decode()[:2000]
    e.refresh_from_db()
    assert e.status == ExpertStatus.SUSPENDED and e.status_reason == "资质复核中" and e.title == "高级律师"
    assert Notification.objects.filter(recipient=e.user, body="资质复核中").exists()
    assert ModelLogEntry.objects.filter(object_id=str(e.pk), user=liaison, data__status="suspended").exists()
    # A changed real name must be verified again (update_expert_profile's rule).
    e.verified_at, e.verified_by = e.updated_at, liaison
    e.save(update_fields=["verified_at", "verified_by"])
    r = c.post(url, _expert_form(e, real_name="王大律师"))
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.real_name == "王大律师" and e.verified_at is None
    # Moving the expert to another city's organisation is refused.
    r = c.post(url, _expert_form(e, organization=tree.shenzhen.pk))
    assert r.status_code == 200
    e.refresh_from_db()
    assert e.organization == tree.tianhe
    # "Delete" removes the expert (soft): status removed, notified; the profile stays.
    assert c.get(f"/admin/experts/delete/{e.pk}/").status_code == 200
    r = c.post(f"/admin/experts/delete/{e.pk}/")
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.status == ExpertStatus.REMOVED and e.status_reason
    assert Notification.objects.filter(recipient=e.user, title__contains="专家状态").count() == 2


def test_expert_of_another_city_is_out_of_reach(tree, gz_liaison, make_staff, client_for):
    e = make_expert(tree.tianhe, name="王律师")
    other = _with_alliance_permissions(make_staff(tree.shenzhen, StaffRole.LIAISON))
    c = client_for(other)
    assert c.get(f"/admin/experts/edit/{e.pk}/").status_code in (302, 403, 404)
    c.post(f"/admin/experts/edit/{e.pk}/", _expert_form(e, status=ExpertStatus.SUSPENDED, status_reason="越权"))
    c.post(f"/admin/experts/delete/{e.pk}/")
    e.refresh_from_db()
    assert e.status == ExpertStatus.ACTIVE


def _org_form(o, **over):
    data = {"name": o.name, "kind": o.kind, "licence_number": o.licence_number, "domains": json.dumps(o.domains),
            "organization": o.organization_id, "description": o.description, "website": o.website,
            "contact_name": o.contact_name, "contact_phone": o.contact_phone, "is_active": "on"}
    data.update(over)
    return data


def test_member_organisations_in_the_admin_go_through_the_services(tree, gz_liaison, make_staff, client_for):
    from django.contrib.auth.models import Permission

    liaison = _with_alliance_permissions(gz_liaison)
    liaison.groups.get(name="联盟管理").permissions.add(Permission.objects.get(codename="add_memberorganization"))
    c = client_for(liaison)
    base = {"name": "广州市阳光心理服务中心", "kind": "social", "licence_number": "", "domains": '["psychology"]',
            "description": "", "website": "", "contact_name": "", "contact_phone": "", "is_active": "on"}
    # Registering with another city's organisation is refused by create_member_organization.
    r = c.post("/admin/member_organizations/new/", {**base, "organization": tree.shenzhen.pk})
    assert r.status_code == 200 and not MemberOrganization.objects.exists()
    r = c.post("/admin/member_organizations/new/", {**base, "organization": tree.tianhe.pk})
    assert r.status_code == 302, r.content.decode()[:2000]
    o = MemberOrganization.objects.get()
    assert ModelLogEntry.objects.filter(object_id=str(o.pk), action="wagtail.create", user=liaison).exists()
    # Edit: the changed fields, logged; moving it to another city is refused.
    r = c.post(f"/admin/member_organizations/edit/{o.pk}/", _org_form(o, contact_name="李老师"))
    assert r.status_code == 302
    assert ModelLogEntry.objects.filter(object_id=str(o.pk), action="wagtail.edit", data__fields=["contact_name"]).exists()
    r = c.post(f"/admin/member_organizations/edit/{o.pk}/", _org_form(o, organization=tree.nanshan.pk))
    assert r.status_code == 200
    o.refresh_from_db()
    assert o.organization == tree.tianhe and o.contact_name == "李老师"
    # "Delete" deactivates: the row stays.
    r = c.post(f"/admin/member_organizations/delete/{o.pk}/")
    assert r.status_code == 302
    o.refresh_from_db()
    assert not o.is_active
    # Another city's liaison cannot touch it.
    other = _with_alliance_permissions(make_staff(tree.shenzhen, StaffRole.LIAISON))
    assert client_for(other).get(f"/admin/member_organizations/edit/{o.pk}/").status_code in (302, 403, 404)


def test_deleting_a_membership_in_the_admin_removes_it_through_the_services(tree, gz_legal, gz_liaison, client_for):
    liaison = _with_alliance_permissions(gz_liaison)
    e = make_expert(tree.tianhe, name="王律师")
    m = AllianceMembership.objects.create(alliance=gz_legal, expert=e, status=MembershipStatus.ACTIVE)
    r = client_for(liaison).post(f"/admin/alliance_memberships/delete/{m.pk}/")
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == MembershipStatus.REMOVED and m.decided_by == liaison
    assert Notification.objects.filter(recipient=e.user).exists()



def test_the_expert_add_form_explains_instead_of_failing(tree, client_for):
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    r = client_for(admin).post("/admin/experts/new/", {"real_name": "张三", "kind": "professional",
                                                       "availability": "available", "max_open_questions": 5,
                                                       "status": "active", "organization": tree.tianhe.pk})
    assert r.status_code == 200 and "申请加入" in r.content.decode()
