import pytest

from alliances.models import AllianceMembership, MembershipStatus
from alliances.services import create_member_organization
from tests.factories import UserFactory

from .conftest import make_expert

pytestmark = pytest.mark.django_db


def test_admin_lists_and_inspects_for_superusers(tree, gz_legal, client_for):
    admin = UserFactory(is_superuser=True, is_staff=True)
    e = make_expert(tree.tianhe, name="王律师")
    m = AllianceMembership.objects.create(alliance=gz_legal, expert=e, status=MembershipStatus.ACTIVE)
    create_member_organization(actor=None, organization=tree.guangzhou, name="广州市阳光心理服务中心", kind="social")
    c = client_for(admin)
    assert "王律师" in c.get("/admin/experts/").content.decode()
    assert "广州市阳光心理服务中心" in c.get("/admin/member_organizations/").content.decode()
    assert c.get("/admin/alliance_memberships/").status_code == 200
    assert c.get(f"/admin/alliance_memberships/inspect/{m.pk}/").status_code == 200
    assert c.get(f"/admin/experts/edit/{e.pk}/").status_code == 200


def test_admin_refuses_staff_without_model_permissions(tree, gz_liaison, client_for):
    r = client_for(gz_liaison).get("/admin/experts/")
    assert r.status_code in (302, 403)


def _with_alliance_permissions(user):
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="联盟管理")
    group.permissions.set(Permission.objects.filter(content_type__app_label="alliances",
                                                    codename__regex=r"^(view|change|delete)_"))
    user.groups.add(group)
    return user


def test_membership_edits_in_the_admin_go_through_the_services(tree, gz_legal, gz_liaison, make_staff, client_for):
    from organizations.models import StaffRole

    liaison = _with_alliance_permissions(gz_liaison)
    e = make_expert(tree.tianhe, name="王律师")
    m = AllianceMembership.objects.create(alliance=gz_legal, expert=e, status=MembershipStatus.APPLIED)
    c = client_for(liaison)
    url = f"/admin/alliance_memberships/edit/{m.pk}/"
    # applied → suspended is no transition of the services: a form error, nothing written
    r = c.post(url, {"status": "suspended", "reason": "测试"})
    assert r.status_code == 200
    m.refresh_from_db()
    assert m.status == MembershipStatus.APPLIED and m.decided_by is None
    # applied → active is an approval: decided by the liaison, logged
    r = c.post(url, {"status": "active", "reason": ""})
    assert r.status_code == 302, r.content.decode()[:500]
    m.refresh_from_db()
    assert m.status == MembershipStatus.ACTIVE and m.decided_by == liaison
    # suspending needs a reason
    r = c.post(url, {"status": "suspended", "reason": ""})
    m.refresh_from_db()
    assert r.status_code == 200 and m.status == MembershipStatus.ACTIVE
    # another city's liaison holding the same permissions cannot open or change it
    other = _with_alliance_permissions(make_staff(tree.shenzhen, StaffRole.LIAISON))
    oc = client_for(other)
    assert oc.get(url).status_code in (302, 403, 404)
    assert oc.get(f"/admin/experts/inspect/{e.pk}/").status_code in (302, 403, 404)
    oc.post(url, {"status": "removed", "reason": "越权"})
    m.refresh_from_db()
    assert m.status == MembershipStatus.ACTIVE
