"""A branch's permission group deleted in the admin (Settings → Groups: the organisation's foreign key
is SET_NULL) must not break staff changes in that branch: the type check found `staff_group` could
return None, and `_sync_groups` then failed with AttributeError (a 500) on every add or removal."""

from organizations.models import StaffMembership, StaffRole
from organizations.services import add_staff, end_staff


def test_staff_changes_survive_a_deleted_branch_group(tree, make_staff):
    admin = make_staff(tree.guangzhou)
    editor = make_staff(tree.tianhe, role=StaffRole.EDITOR)
    duty = make_staff(tree.tianhe, role=StaffRole.DUTY)
    tree.tianhe.editors_group.delete()
    tree.tianhe.refresh_from_db()
    assert tree.tianhe.editors_group is None

    add_staff(actor=admin, user=duty, organization=tree.tianhe, role=StaffRole.EDITOR)
    membership = StaffMembership.objects.active().get(user=editor, organization=tree.tianhe)
    end_staff(actor=admin, membership=membership, reason="调岗")
    assert not editor.groups.exists()
