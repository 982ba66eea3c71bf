"""Issue 25, finding 3: a staff member removed or changed in the Wagtail admin kept their groups, and
so their page permissions (the admin's edit/delete saved or deleted the row directly). Now the admin's
create, edit and delete go through services.add_staff / change_staff / end_staff, like the API."""

from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from organizations.models import StaffMembership, StaffRole


def _may_edit_branch(user, org) -> bool:
    user = type(user).objects.get(pk=user.pk)  # fresh: no cached permissions
    branch = Page.objects.get(pk=org.branch.pk)
    return PagePermissionPolicy().user_has_permission_for_instance(user, "change", branch)


def test_removing_a_staff_member_in_the_admin_drops_their_page_permissions_at_once(tree, make_staff, client_for):
    gz_admin = make_staff(tree.guangzhou, username="gzadmin")
    editor = make_staff(tree.tianhe, role=StaffRole.ORG_ADMIN, username="thadmin")
    membership = StaffMembership.objects.get(user=editor)
    assert _may_edit_branch(editor, tree.tianhe)
    assert tree.tianhe.admins_group in editor.groups.all()

    c = client_for(gz_admin)
    assert c.get(f"/admin/staff/delete/{membership.pk}/").status_code == 200
    r = c.post(f"/admin/staff/delete/{membership.pk}/")
    assert r.status_code == 302 and "/admin/staff/" in r["Location"]

    membership.refresh_from_db()
    assert not membership.is_active and membership.ended_by == gz_admin and membership.end_reason
    assert not editor.groups.filter(pk=tree.tianhe.admins_group.pk).exists()
    assert not _may_edit_branch(editor, tree.tianhe)
    # The ended membership stays as history.
    assert StaffMembership.objects.filter(pk=membership.pk).exists()


def test_changing_a_role_in_the_admin_moves_the_groups_at_once(tree, make_staff, client_for):
    gz_admin = make_staff(tree.guangzhou, username="gzadmin")
    person = make_staff(tree.tianhe, role=StaffRole.ORG_ADMIN, username="thadmin")
    membership = StaffMembership.objects.get(user=person)
    c = client_for(gz_admin)
    page = c.get(f"/admin/staff/edit/{membership.pk}/")
    assert page.status_code == 200 and 'value="thadmin"' in page.content.decode()
    r = c.post(f"/admin/staff/edit/{membership.pk}/",
               {"user": "thadmin", "organization": tree.tianhe.pk, "role": StaffRole.DUTY})
    assert r.status_code == 302, r.content.decode()[:2000]
    membership.refresh_from_db()
    assert not membership.is_active
    current = StaffMembership.objects.active().get(user=person)
    assert current.role == StaffRole.DUTY and current.organization == tree.tianhe
    assert not _may_edit_branch(person, tree.tianhe)  # duty officers do not edit pages
    assert person.groups.filter(name="青年之声工作人员").exists()


def test_the_admin_cannot_remove_staff_outside_its_subtree(tree, make_staff, client_for):
    gz_admin = make_staff(tree.guangzhou, username="gzadmin")
    other = make_staff(tree.shenzhen, role=StaffRole.ORG_ADMIN, username="szadmin")
    membership = StaffMembership.objects.get(user=other)
    r = client_for(gz_admin).post(f"/admin/staff/delete/{membership.pk}/")
    assert r.status_code in (302, 403)  # Wagtail's "no permission" redirect, or 403
    membership.refresh_from_db()
    assert membership.is_active and _may_edit_branch(other, tree.shenzhen)
