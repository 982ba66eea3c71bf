from organizations.models import DutyShift, StaffMembership, StaffRole


def test_liaison_adds_a_shift_in_admin_within_subtree(tree, make_staff, client_for):
    liaison = make_staff(tree.guangzhou, StaffRole.LIAISON)
    duty = make_staff(tree.tianhe, StaffRole.DUTY)
    c = client_for(liaison)
    r = c.get("/admin/roster/new/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "共青团广州市天河区委员会" in html and "共青团深圳市委员会" not in html
    r = c.post("/admin/roster/new/", {"organization": tree.tianhe.pk, "user": duty.pk, "starts_at": "2026-12-02 09:00",
                                      "ends_at": "2026-12-02 18:00", "kind": "workday", "phone": ""})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert DutyShift.objects.filter(organization=tree.tianhe, user=duty).exists()
    # a sibling city's organisation is not a valid choice
    r = c.post("/admin/roster/new/", {"organization": tree.nanshan.pk, "user": duty.pk, "starts_at": "2026-12-03 09:00",
                                      "ends_at": "2026-12-03 18:00", "kind": "workday"})
    assert r.status_code == 200 and DutyShift.objects.count() == 1


def test_admin_adds_staff_by_phone(tree, make_staff, client_for, youth):
    admin = make_staff(tree.guangzhou, StaffRole.ORG_ADMIN)
    c = client_for(admin)
    r = c.post("/admin/staff/new/", {"user": youth.phone, "organization": tree.tianhe.pk, "role": "duty"})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert StaffMembership.objects.filter(user=youth, organization=tree.tianhe, role="duty", is_active=True).exists()
    listing = c.get("/admin/staff/").content.decode()
    assert youth.display_name in listing
    sz_admin = make_staff(tree.shenzhen, StaffRole.ORG_ADMIN)
    assert youth.display_name not in client_for(sz_admin).get("/admin/staff/").content.decode()


def test_duty_staff_cannot_edit_the_roster(tree, make_staff, client_for):
    duty = make_staff(tree.tianhe, StaffRole.DUTY)
    assert client_for(duty).get("/admin/roster/new/").status_code in (302, 403)
