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
