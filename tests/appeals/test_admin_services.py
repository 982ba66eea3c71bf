"""Issue 24: the appeal-roles admin (appeal handlers) writes through appeals.services: create
(add_handler), deactivate and delete (end_handler: the row stays, audit log); refusals are form errors."""

import pytest
from wagtail.models import ModelLogEntry

from appeals.models import AppealHandler
from appeals.services import add_handler
from organizations.models import StaffRole
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_deleting_an_appeal_role_in_the_admin_ends_it_through_the_service(tree, client_for):
    admin = UserFactory(is_superuser=True, is_staff=True)
    target = UserFactory()
    handler = add_handler(actor=None, user=target, organization=tree.shenzhen, role="ops")
    c = client_for(admin)
    assert c.get(f"/admin/appeal_handlers/delete/{handler.pk}/").status_code == 200
    r = c.post(f"/admin/appeal_handlers/delete/{handler.pk}/")
    assert r.status_code == 302
    handler.refresh_from_db()
    assert not handler.is_active
    assert ModelLogEntry.objects.filter(object_id=str(handler.pk), user=admin, data__ended=True).exists()


def test_an_admin_outside_the_organisation_gets_a_form_error_not_a_500(tree, make_staff, client_for):
    from django.contrib.auth.models import Permission

    gz_admin = make_staff(tree.guangzhou, StaffRole.ORG_ADMIN, is_staff=True)
    gz_admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="appeals",
                                                             codename__endswith="appealhandler"))
    target = UserFactory()
    r = client_for(gz_admin).post("/admin/appeal_handlers/new/", {"user": target.pk, "organization": tree.shenzhen.pk,
                                                                  "role": "ops", "is_active": "on"})
    assert r.status_code == 200 and "只有本组织管理员" in r.content.decode()
    assert not AppealHandler.objects.filter(user=target).exists()
