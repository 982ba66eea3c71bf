"""Wagtail admin as staff meet it: a city's staff cannot edit a sibling city's branch or organisation."""

from home.models import BranchHomePage
from organizations.models import Organization, StaffRole


def _edit_org_url(org):
    return f"/admin/organizations/edit/{org.pk}/"


def test_org_index_lists_own_subtree_only(tree, make_staff, client_for):
    c = client_for(make_staff(tree.guangzhou))
    r = c.get("/admin/organizations/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "共青团广州市天河区委员会" in html
    assert "共青团深圳市委员会" not in html


def test_city_admin_edits_own_district_in_admin(tree, make_staff, client_for):
    c = client_for(make_staff(tree.guangzhou))
    assert c.get(_edit_org_url(tree.tianhe)).status_code == 200
    r = c.post(_edit_org_url(tree.tianhe), {"name": "共青团广州市天河区委员会", "short_name": "天河", "latitude": "23.12",
                                            "longitude": "113.36", "is_active": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Organization.objects.get(pk=tree.tianhe.pk).short_name == "天河"


def test_city_admin_cannot_edit_sibling_city_in_admin(tree, make_staff, client_for):
    c = client_for(make_staff(tree.guangzhou))
    assert c.get(_edit_org_url(tree.shenzhen)).status_code in (302, 403)
    c.post(_edit_org_url(tree.shenzhen), {"name": "被篡改", "short_name": "x", "is_active": "on"})
    assert Organization.objects.get(pk=tree.shenzhen.pk).name == "共青团深圳市委员会"


def _page_edit_post(c, page, title):
    return c.post(f"/admin/pages/{page.pk}/edit/", {
        "title": title, "slug": page.slug, "intro": "", "accent": "league-red",
        "nav_links-TOTAL_FORMS": "0", "nav_links-INITIAL_FORMS": "0", "nav_links-MIN_NUM_FORMS": "0",
        "nav_links-MAX_NUM_FORMS": "8", "action-publish": "publish",
    })


def test_city_editor_edits_own_branch_pages(tree, make_staff, client_for):
    c = client_for(make_staff(tree.guangzhou, StaffRole.LIAISON))
    page = BranchHomePage.objects.get(organization=tree.tianhe)
    assert c.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    r = _page_edit_post(c, page, "天河区青年之声")
    assert r.status_code == 302
    page.refresh_from_db()
    assert page.title == "天河区青年之声"


def test_city_staff_cannot_edit_sibling_city_branch(tree, make_staff, client_for):
    c = client_for(make_staff(tree.guangzhou, StaffRole.LIAISON))
    page = BranchHomePage.objects.get(organization=tree.shenzhen)
    r = c.get(f"/admin/pages/{page.pk}/edit/")
    assert r.status_code in (302, 403)
    _page_edit_post(c, page, "被篡改")
    page.refresh_from_db()
    assert page.title == "共青团深圳市委员会"
    assert not any(rev.content.get("title") == "被篡改" for rev in page.revisions.all())


def test_youth_cannot_enter_admin(tree, youth, client_for):
    r = client_for(youth).get("/admin/")
    assert r.status_code in (302, 403)
