"""Wagtail's user admin (Wagtail 8: a user viewset, registered by accounts.apps.YouthVoiceUsersAppConfig):
our forms with the mobile number, real name and real-name status, and — for anyone below a superuser —
only the users of the admin's own subtree (their location or a staff membership there)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from wagtail.users.views import users as wagtail_users

from organizations.models import ADMIN_ROLES, StaffMembership
from organizations.permissions import is_superuser, organizations_for

from .forms import UserCreationForm, UserEditForm


def users_in_subtree(queryset, user):
    if is_superuser(user):
        return queryset
    orgs = organizations_for(user, ADMIN_ROLES)
    staff = StaffMembership.objects.active().filter(organization__in=orgs).values("user_id")
    return queryset.filter(Q(organization__in=orgs) | Q(pk__in=staff)).distinct()


class IndexView(wagtail_users.IndexView):
    def get_base_queryset(self):
        return users_in_subtree(super().get_base_queryset(), self.request.user)


class EditView(wagtail_users.EditView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not users_in_subtree(type(obj).objects.filter(pk=obj.pk), self.request.user).exists():
            raise PermissionDenied
        return obj


class DeleteView(wagtail_users.DeleteView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not users_in_subtree(type(obj).objects.filter(pk=obj.pk), self.request.user).exists():
            raise PermissionDenied
        return obj


class UserViewSet(wagtail_users.UserViewSet):
    index_view_class = IndexView
    edit_view_class = EditView
    delete_view_class = DeleteView

    def get_form_class(self, for_update=False):
        return UserEditForm if for_update else UserCreationForm
