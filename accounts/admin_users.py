"""Wagtail's user admin (Wagtail 8: a user viewset, registered by accounts.apps.YouthVoiceUsersAppConfig):
our forms with the mobile number, real name and real-name status, and — for anyone below a superuser —
only the users of the admin's own subtree (their location or a staff membership there)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from wagtail.users.views import users as wagtail_users

from core.errors import ServiceError
from organizations.models import ADMIN_ROLES, StaffMembership
from organizations.permissions import is_superuser, organizations_for
from organizations.services import verify_real_name

from .forms import UserCreationForm, UserEditForm


def users_in_subtree(queryset, user):
    if is_superuser(user):
        return queryset
    orgs = organizations_for(user, ADMIN_ROLES)
    staff = StaffMembership.objects.active().filter(organization__in=orgs).values("user_id")
    return queryset.filter(Q(organization__in=orgs) | Q(pk__in=staff)).distinct()


class RealNameThroughService:
    """Verified/rejected is a decision of organizations.services.verify_real_name (the decider's subtree,
    a reason to reject, audit log), which the form's save must not bypass (issue 24): the row is saved
    with its old status, then the service decides. A ServiceError is a form error (nothing written).
    The other fields are Wagtail's user management, left to it (province-level admins, ARCHITECTURE.md);
    setting the status back to none/pending is a plain correction the form saves."""

    def save_instance(self):
        from .models import RealNameStatus

        wanted = self.form.cleaned_data.get("real_name_status")
        before = RealNameStatus.NONE
        if self.form.instance.pk:
            before = type(self.form.instance).objects.values_list("real_name_status", flat=True).get(
                pk=self.form.instance.pk)
        decide = wanted in (RealNameStatus.VERIFIED, RealNameStatus.REJECTED) and wanted != before
        if decide:
            self.form.instance.real_name_status = before
        instance = super().save_instance()
        if decide:
            instance = verify_real_name(actor=self.request.user, user=instance,
                                        approve=wanted == RealNameStatus.VERIFIED,
                                        reason=self.form.cleaned_data.get("real_name_reason", ""))
        return instance

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ServiceError as exc:
            form.add_error("real_name_status", exc.localized)
            self.produced_error_message = exc.localized
            return self.form_invalid(form)


class CreateView(RealNameThroughService, wagtail_users.CreateView):
    pass


class IndexView(wagtail_users.IndexView):
    def get_base_queryset(self):
        return users_in_subtree(super().get_base_queryset(), self.request.user)


class EditView(RealNameThroughService, wagtail_users.EditView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not users_in_subtree(type(obj).objects.filter(pk=obj.pk), self.request.user).exists():
            raise PermissionDenied
        return obj


class DeleteView(wagtail_users.DeleteView):
    # Not a service: deleting an account is Wagtail's user management (delete_user permission, which
    # only province-level admins hold); memberships and groups go with the row (cascade).
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not users_in_subtree(type(obj).objects.filter(pk=obj.pk), self.request.user).exists():
            raise PermissionDenied
        return obj


class UserViewSet(wagtail_users.UserViewSet):
    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView

    def get_form_class(self, for_update=False):
        return UserEditForm if for_update else UserCreationForm
