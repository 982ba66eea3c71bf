"""Real-name cadres: apply, the organisation's admin (or one above) decides; the Wagtail user forms
carry the mobile number, real name and real-name status (issue 20)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Consent, PersonalDataAccess, RealNameStatus
from organizations.models import CadreApplication, StaffMembership, StaffRole
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def apply(client, org, **extra):
    data = {"organization": org.pk, "role": "liaison", "real_name": "李青", "position": "天河区团委干事",
            "sensitive_consent": "on", **extra}
    return client.post("/accounts/cadre/apply/", data)


def test_apply_and_approve_verifies_the_real_name_and_makes_staff(client_for, tree, make_staff):
    cadre = UserFactory(organization=tree.tianhe)
    c = client_for(cadre)
    assert apply(c, tree.tianhe, sensitive_consent="").status_code == 400  # separate consent first
    assert not CadreApplication.objects.exists()
    proof = SimpleUploadedFile("appointment.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert apply(c, tree.tianhe, proof=proof).status_code == 302
    application = CadreApplication.objects.get()
    assert Consent.objects.filter(user=cadre, kind="sensitive").exists()
    cadre.refresh_from_db()
    assert cadre.real_name_status == RealNameStatus.PENDING
    assert apply(c, tree.tianhe).status_code == 409  # one pending application per organisation

    sz_admin = make_staff(tree.shenzhen)
    response = client_for(sz_admin).post(f"/accounts/cadre/{application.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403
    assert client_for(sz_admin).get(f"/accounts/cadre/{application.pk}/proof/").status_code == 403
    application.refresh_from_db()
    assert application.status == "pending" and not StaffMembership.objects.filter(user=cadre).exists()

    gz_admin = make_staff(tree.guangzhou)
    review = client_for(gz_admin).get("/accounts/cadre/review/")
    assert "李青" in review.content.decode()
    assert PersonalDataAccess.objects.filter(viewer=gz_admin, subject=cadre).exists()
    assert client_for(gz_admin).get(f"/accounts/cadre/{application.pk}/proof/").status_code == 200
    response = client_for(gz_admin).post(f"/accounts/cadre/{application.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.real_name == "李青" and cadre.is_real_name_verified and cadre.real_name_verified_at
    assert StaffMembership.objects.active().filter(user=cadre, organization=tree.tianhe, role=StaffRole.LIAISON).exists()
    again = client_for(gz_admin).post(f"/accounts/cadre/{application.pk}/decide/", {"decision": "reject", "reason": "x"})
    assert again.status_code == 302 and CadreApplication.objects.get().status == "approved"


def test_reject_needs_a_reason(client_for, tree, make_staff):
    cadre = UserFactory(organization=tree.tianhe)
    apply(client_for(cadre), tree.tianhe)
    application = CadreApplication.objects.get()
    admin = make_staff(tree.tianhe)
    client_for(admin).post(f"/accounts/cadre/{application.pk}/decide/", {"decision": "reject"})
    assert CadreApplication.objects.get().status == "pending"
    client_for(admin).post(f"/accounts/cadre/{application.pk}/decide/", {"decision": "reject", "reason": "材料不清晰"})
    application.refresh_from_db()
    cadre.refresh_from_db()
    assert application.status == "rejected" and application.reason == "材料不清晰"
    assert cadre.real_name_status == RealNameStatus.REJECTED and not StaffMembership.objects.filter(user=cadre).exists()


def test_review_page_is_for_admins_only(client_for, tree):
    assert client_for(UserFactory()).get("/accounts/cadre/review/").status_code == 403


def test_wagtail_user_forms_have_the_real_name_fields(client_for, tree):
    admin = UserFactory(is_superuser=True, is_staff=True)
    user = UserFactory(organization=tree.tianhe, phone="13512345678")
    c = client_for(admin)
    page = c.get(f"/admin/users/edit/{user.pk}/").content.decode()
    for name in ("phone", "real_name", "real_name_status", "display_name"):
        assert f'name="{name}"' in page, name
    form = c.get("/admin/users/new/").content.decode()
    assert 'name="real_name_status"' in form and 'name="phone"' in form
    data = {"username": user.username, "email": "", "first_name": "", "last_name": "", "phone": "13612345678",
            "display_name": "改名", "real_name": "王五", "real_name_status": "verified", "is_active": "on"}
    response = c.post(f"/admin/users/edit/{user.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors
    user.refresh_from_db()
    assert (user.phone, user.real_name, user.real_name_status) == ("13612345678", "王五", "verified")


def test_wagtail_user_list_is_scoped_to_the_admins_subtree(client_for, tree, make_staff):
    from django.contrib.auth.models import Permission

    gz_admin = make_staff(tree.guangzhou, is_staff=True)
    gz_admin.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "view_user"]))
    inside = UserFactory(organization=tree.tianhe, username="inside_user")
    outside = UserFactory(organization=tree.nanshan, username="outside_user")
    c = client_for(gz_admin)
    listing = c.get("/admin/users/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "inside_user" in page and "outside_user" not in page
    assert c.get(f"/admin/users/edit/{outside.pk}/").status_code in (302, 403)
    assert c.get(f"/admin/users/edit/{inside.pk}/").status_code == 200
