"""Admin forms: organisation and user choices limited to what the editing user may act on."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from . import permissions
from .models import ADMIN_ROLES, PUBLISHING_ROLES, DutyShift, StaffMembership


class UserByLoginField(forms.CharField):
    """A user named by username or mobile number (a select of millions of users would not do)."""

    def clean(self, value):
        value = super().clean(value).strip()
        user = get_user_model().objects.filter(Q(username=value) | Q(phone=value), is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user with that username or mobile number."))
        return user


class DutyShiftForm(WagtailAdminModelForm):
    class Meta:
        model = DutyShift
        fields = ["organization", "user", "starts_at", "ends_at", "kind", "phone"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        orgs = permissions.organizations_for(for_user, PUBLISHING_ROLES | ADMIN_ROLES)
        self.fields["organization"].queryset = orgs
        staff = StaffMembership.objects.active().filter(organization__in=orgs).values("user_id")
        self.fields["user"].queryset = get_user_model().objects.filter(pk__in=staff)


class StaffMembershipForm(WagtailAdminModelForm):
    user = UserByLoginField(label=_("User (username or mobile number)"), max_length=150)

    class Meta:
        model = StaffMembership
        fields = ["user", "organization", "role"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["organization"].queryset = permissions.organizations_for(for_user, ADMIN_ROLES)
        if self.instance.pk:  # editing: the person by login name, as the field expects
            self.initial["user"] = self.instance.user.username
