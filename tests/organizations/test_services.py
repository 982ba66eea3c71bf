import pytest
from wagtail.models import GroupPagePermission

from core.errors import Forbidden, Invalid
from home.models import BranchHomePage, HomePage
from organizations.models import OrganizationKind, StaffMembership, StaffRole
from organizations.services import add_staff, create_organization, update_organization


def test_tree_creates_nested_branch_pages(tree):
    home = HomePage.objects.get()
    assert home.organization == tree.province
    gz_page = BranchHomePage.objects.get(organization=tree.guangzhou)
    tianhe_page = BranchHomePage.objects.get(organization=tree.tianhe)
    assert gz_page.get_parent().specific == home
    assert tianhe_page.get_parent().specific == gz_page
    assert tianhe_page.live and tianhe_page.url == "/guangzhou/440106/"


def test_branch_page_permissions_are_granted_on_the_branch_only(tree):
    perms = GroupPagePermission.objects.filter(group=tree.guangzhou.admins_group)
    assert {p.page_id for p in perms} == {tree.guangzhou.branch.pk}
    assert {p.permission.codename for p in perms} >= {"add_page", "change_page", "publish_page"}
    editor_perms = GroupPagePermission.objects.filter(group=tree.guangzhou.editors_group)
    assert "publish_page" not in {p.permission.codename for p in editor_perms}


def test_city_admin_can_create_a_district_but_not_in_a_sibling_city(tree, make_staff):
    gz_admin = make_staff(tree.guangzhou)
    haizhu = create_organization(actor=gz_admin, parent=tree.guangzhou, name="共青团广州市海珠区委员会",
                                 kind=OrganizationKind.COUNTY, slug="440105", adcode="440105")
    assert haizhu.get_parent() == tree.guangzhou
    assert BranchHomePage.objects.filter(organization=haizhu).exists()
    with pytest.raises(Forbidden):
        create_organization(actor=gz_admin, parent=tree.shenzhen, name="共青团深圳市福田区委员会",
                            kind=OrganizationKind.COUNTY, slug="440304")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(name="", kind=OrganizationKind.COUNTY, slug="x1"), "name"),
        (dict(name="某县", kind=OrganizationKind.CITY, slug="x2"), "kind"),  # a city under a city
        (dict(name="某县", kind=OrganizationKind.COUNTY, slug="440106"), "slug"),  # taken
        (dict(name="某县", kind=OrganizationKind.COUNTY, slug="x3", adcode="440106"), "adcode"),
        (dict(name="某县", kind=OrganizationKind.COUNTY, slug="x4", latitude="123"), "latitude"),
    ],
)
def test_create_organization_rejects_bad_input(tree, kwargs, field):
    before = tree.guangzhou.get_children_count()
    with pytest.raises(Invalid) as exc:
        create_organization(actor=None, parent=tree.guangzhou, **kwargs)
    assert field in exc.value.fields or field == "name"
    tree.guangzhou.refresh_from_db()
    assert tree.guangzhou.get_children_count() == before


def test_update_organization_renames_branch(tree, make_staff):
    admin = make_staff(tree.guangzhou)
    update_organization(actor=admin, organization=tree.tianhe, name="共青团天河区委员会")
    page = BranchHomePage.objects.get(organization=tree.tianhe)
    assert page.title == "共青团天河区委员会"


def test_staff_roles_place_users_in_groups(tree, make_staff):
    editor = make_staff(tree.guangzhou, StaffRole.EDITOR)
    liaison = make_staff(tree.guangzhou, StaffRole.LIAISON)
    duty = make_staff(tree.tianhe, StaffRole.DUTY)
    assert tree.guangzhou.editors_group in editor.groups.all()
    assert tree.guangzhou.admins_group in liaison.groups.all()
    assert tree.tianhe.editors_group not in duty.groups.all()
    assert duty.has_perm("wagtailadmin.access_admin")
    # adding the same role twice does not duplicate it
    add_staff(actor=None, user=editor, organization=tree.guangzhou, role=StaffRole.EDITOR)
    assert StaffMembership.objects.filter(user=editor, is_active=True).count() == 1
