"""Admin: the personal-data access log (provincial administrators only, read-only), logging of user
records opened in Wagtail's user editor, and the two-step verification link in the account menu."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from organizations.models import StaffMembership, StaffRole

from .models import PersonalDataAccess
from .otp import SETUP_URL, is_provincial_admin
from .services import record_personal_data_access


class ProvincialReadOnlyPolicy(BasePermissionPolicy):
    """Provincial administrators and superusers may view; nobody adds, changes or deletes."""

    def user_has_permission(self, user, action):
        return action in ("view", "inspect") and is_provincial_admin(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        if self.user_has_any_permission(user, actions):
            return self.model._default_manager.all()
        return self.model._default_manager.none()

    def users_with_any_permission(self, actions):
        if not set(actions) & {"view", "inspect"}:
            return get_user_model().objects.none()
        admins = StaffMembership.objects.active().filter(role=StaffRole.ORG_ADMIN, organization__depth=1)
        return get_user_model().objects.filter(Q(is_superuser=True) | Q(pk__in=admins.values("user_id")),
                                               is_active=True)

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions)


register_permission_policy(PersonalDataAccess, ProvincialReadOnlyPolicy(PersonalDataAccess))


class PersonalDataAccessViewSet(ModelViewSet):
    # Never writes: ProvincialReadOnlyPolicy grants only "view" (the log is written by record_personal_data_access).
    model = PersonalDataAccess
    icon = "view"
    menu_label = _("Personal data access log")
    menu_order = 960
    add_to_admin_menu = True
    list_display = ["accessed_at", "viewer", "subject_label", "fields", "where", "ip_address"]
    list_filter = ["fields"]
    search_fields = ["subject_label", "where"]
    inspect_view_enabled = True
    form_fields = ["fields"]
    list_per_page = 50

    def get_queryset(self, request):
        return PersonalDataAccess.objects.select_related("viewer")


@hooks.register("register_admin_viewset")
def register_personal_data_access():
    return PersonalDataAccessViewSet("personal_data_access")


@hooks.register("before_edit_user")
def log_user_record_opened(request, user):
    """Opening a user in Wagtail's user editor shows their mobile number and real name."""
    if request.method == "GET":
        record_personal_data_access(viewer=request.user, subjects=[user], fields=["phone", "real_name"],
                                    where=f"admin:user-edit ({request.path})", request=request)


@hooks.register("register_account_menu_item")
def two_step_verification_item(request):
    from organizations.permissions import is_staff_anywhere, totp_required

    if not (request.user.is_staff or totp_required(request.user) or is_staff_anywhere(request.user)):
        return None
    return {"url": f"{SETUP_URL}?next=/admin/account/", "label": _("Two-step verification"),
            "help_text": _("Protect your account with a code from an authenticator app.")}
