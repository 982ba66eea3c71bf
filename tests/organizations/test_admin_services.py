"""Issue 24: the admin's roster edit and delete go through organizations.services (update_duty_shift,
cancel_duty_shift) like the create view and the API — rules, audit log, soft cancel, subtree."""

from datetime import datetime

from django.utils import timezone
from wagtail.models import ModelLogEntry

from organizations.models import DutyShift, StaffRole
from organizations.services import add_duty_shift


def _at(day, hour):
    return timezone.make_aware(datetime(2026, 12, day, hour))


def _form(shift, **over):
    data = {"organization": shift.organization_id, "user": shift.user_id, "starts_at": "2026-12-02 09:00",
            "ends_at": "2026-12-02 18:00", "kind": "workday", "phone": ""}
    data.update(over)
    return data


def test_roster_edit_and_delete_in_the_admin_go_through_the_services(tree, make_staff, client_for):
    liaison = make_staff(tree.guangzhou, StaffRole.LIAISON)
    duty = make_staff(tree.tianhe, StaffRole.DUTY)
    shift = add_duty_shift(actor=liaison, organization=tree.tianhe, user=duty, starts_at=_at(2, 9), ends_at=_at(2, 18))
    other = add_duty_shift(actor=liaison, organization=tree.tianhe, user=duty, starts_at=_at(3, 9), ends_at=_at(3, 18))
    c = client_for(liaison)
    url = f"/admin/roster/edit/{shift.pk}/"
    assert c.get(url).status_code == 200

    # The service's rule the form does not know: no overlap with the person's other shift → form error.
    r = c.post(url, _form(shift, starts_at="2026-12-03 08:00", ends_at="2026-12-03 12:00"))
    assert r.status_code == 200 and "该人员在此时段已有值班" in r.content.decode()
    shift.refresh_from_db()
    assert shift.starts_at == _at(2, 9)

    # A valid edit: saved, with the service's audit entry (the changed fields).
    r = c.post(url, _form(shift, ends_at="2026-12-02 20:00", phone="020-1234"))
    assert r.status_code == 302, r.content.decode()[:2000]
    shift.refresh_from_db()
    assert shift.ends_at == _at(2, 20) and shift.phone == "020-1234"
    entry = ModelLogEntry.objects.filter(object_id=str(shift.pk), action="wagtail.edit").latest("timestamp")
    assert entry.user_id == liaison.pk and sorted(entry.data["fields"]) == ["ends_at", "phone"]

    # "Delete" cancels the shift (services.cancel_duty_shift): the row stays as history.
    r = c.post(f"/admin/roster/delete/{other.pk}/")
    assert r.status_code == 302
    other.refresh_from_db()
    assert other.cancelled_at is not None
    assert ModelLogEntry.objects.filter(object_id=str(other.pk), action="wagtail.delete", user=liaison).exists()
    # ... and a cancelled shift cannot be edited back to life.
    r = c.post(f"/admin/roster/edit/{other.pk}/", _form(other, starts_at="2026-12-04 09:00", ends_at="2026-12-04 18:00"))
    assert r.status_code == 200 and "该值班已取消" in r.content.decode()


def test_roster_of_another_city_is_out_of_reach(tree, make_staff, client_for):
    gz_liaison = make_staff(tree.guangzhou, StaffRole.LIAISON)
    sz_liaison = make_staff(tree.shenzhen, StaffRole.LIAISON)
    duty = make_staff(tree.nanshan, StaffRole.DUTY)
    shift = add_duty_shift(actor=sz_liaison, organization=tree.nanshan, user=duty, starts_at=_at(2, 9),
                           ends_at=_at(2, 18))
    c = client_for(gz_liaison)
    assert c.get(f"/admin/roster/edit/{shift.pk}/").status_code in (302, 403, 404)
    assert c.post(f"/admin/roster/edit/{shift.pk}/", _form(shift, phone="1")).status_code in (302, 403, 404)
    assert c.post(f"/admin/roster/delete/{shift.pk}/").status_code in (302, 403, 404)
    shift.refresh_from_db()
    assert shift.cancelled_at is None and shift.phone == ""
    assert DutyShift.objects.filter(pk=shift.pk).exists()


def test_deleting_an_organisation_in_the_admin_deactivates_it_through_the_service(tree, client_for):
    from organizations.models import Organization
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    c = client_for(admin)
    r = c.post(f"/admin/organizations/delete/{tree.yuexiu.pk}/")
    assert r.status_code == 302
    tree.yuexiu.refresh_from_db()
    assert not tree.yuexiu.is_active
    assert ModelLogEntry.objects.filter(object_id=str(tree.yuexiu.pk), user=admin, data__changed=["is_active"]).exists()
    # The root cannot be deactivated: a message, nothing written.
    r = c.post(f"/admin/organizations/delete/{tree.province.pk}/", follow=True)
    assert "省级组织不能停用" in r.content.decode()
    tree.province.refresh_from_db()
    assert tree.province.is_active
    # Adding is a form error (the tree is made in code), not a 500.
    count = Organization.objects.count()
    r = c.post("/admin/organizations/new/", {"name": "新组织", "short_name": "新", "is_active": "on"})
    assert r.status_code == 200 and Organization.objects.count() == count


def test_a_refused_shift_in_the_admin_is_a_form_error(tree, make_staff, client_for):
    liaison = make_staff(tree.guangzhou, StaffRole.LIAISON)
    duty = make_staff(tree.tianhe, StaffRole.DUTY)
    add_duty_shift(actor=liaison, organization=tree.tianhe, user=duty, starts_at=_at(2, 9), ends_at=_at(2, 18))
    r = client_for(liaison).post("/admin/roster/new/", {"organization": tree.tianhe.pk, "user": duty.pk,
                                                        "starts_at": "2026-12-02 12:00", "ends_at": "2026-12-02 20:00",
                                                        "kind": "workday", "phone": ""})
    assert r.status_code == 200 and "该人员在此时段已有值班" in r.content.decode()
    assert DutyShift.objects.count() == 1
