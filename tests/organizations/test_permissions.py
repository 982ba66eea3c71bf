"""The one permission helper: staff act on their organisation and its descendants only."""

import pytest

from organizations import permissions
from organizations.models import ADMIN_ROLES, StaffRole
from organizations.services import add_staff, end_staff
from tests.factories import UserFactory


@pytest.mark.parametrize(
    "target, allowed",
    [("guangzhou", True), ("tianhe", True), ("yuexiu", True), ("province", False), ("shenzhen", False),
     ("nanshan", False), ("sysu", False)],
)
def test_city_admin_acts_on_own_subtree_only(tree, make_staff, target, allowed):
    gz_admin = make_staff(tree.guangzhou, StaffRole.ORG_ADMIN)
    assert permissions.can_act(gz_admin, getattr(tree, target), ADMIN_ROLES) is allowed


def test_county_staff_cannot_act_on_parent_or_sibling(tree, make_staff):
    duty = make_staff(tree.tianhe, StaffRole.DUTY)
    assert permissions.can_act(duty, tree.tianhe)
    assert not permissions.can_act(duty, tree.guangzhou)
    assert not permissions.can_act(duty, tree.yuexiu)
    # a duty officer is not an administrator, even of their own organisation
    assert not permissions.can_act(duty, tree.tianhe, ADMIN_ROLES)


def test_province_admin_acts_everywhere(tree, make_staff):
    admin = make_staff(tree.province, StaffRole.ORG_ADMIN)
    for org in (tree.province, tree.guangzhou, tree.nanshan, tree.sysu):
        assert permissions.can_act(admin, org, ADMIN_ROLES)
    assert set(permissions.organizations_for(admin, ADMIN_ROLES)) == {
        tree.province, tree.guangzhou, tree.tianhe, tree.yuexiu, tree.shenzhen, tree.nanshan, tree.sysu}


def test_youth_and_anonymous_act_nowhere(tree, youth):
    from django.contrib.auth.models import AnonymousUser

    assert not permissions.can_act(youth, tree.tianhe)
    assert not permissions.can_act(AnonymousUser(), tree.tianhe)
    assert not permissions.can_act(None, tree.tianhe)
    assert list(permissions.organizations_for(youth)) == []


def test_organizations_for_lists_subtree(tree, make_staff):
    gz_admin = make_staff(tree.guangzhou)
    assert set(permissions.organizations_for(gz_admin)) == {tree.guangzhou, tree.tianhe, tree.yuexiu}


def test_ended_membership_no_longer_grants(tree, make_staff):
    province_admin = make_staff(tree.province)
    user = UserFactory()
    membership = add_staff(actor=province_admin, user=user, organization=tree.guangzhou, role=StaffRole.ORG_ADMIN)
    assert permissions.can_act(user, tree.tianhe)
    end_staff(actor=province_admin, membership=membership, reason="调岗")
    permissions.forget(user)
    assert not permissions.can_act(user, tree.tianhe)
    membership.refresh_from_db()
    assert membership.is_active is False and membership.end_reason == "调岗"  # soft: kept with the reason


def test_inactive_user_acts_nowhere(tree, make_staff):
    user = make_staff(tree.province)
    user.is_active = False
    assert not permissions.can_act(user, tree.guangzhou)
