"""Organisations in Wagtail admin: staff see their subtree, its administrators edit it. Edits go
through services.update_organization, the same code the API calls."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from youthvoice.errors import ServiceError

from . import services
from .forms import DutyShiftForm, StaffMembershipForm
from .models import ADMIN_ROLES, PUBLISHING_ROLES, CalendarOverride, DutyShift, Organization, StaffMembership
from .policies import OrganizationPermissionPolicy, OrganizationScopedPolicy


class OrganizationIndexView(generic.IndexView):
    def get_base_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(self.request.user, ["view"])


class OrganizationEditView(generic.EditView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not self.permission_policy.user_has_permission_for_instance(self.request.user, "change", obj):
            raise PermissionDenied
        return obj

    def save_instance(self):
        changes = {f: self.form.cleaned_data[f] for f in services.UPDATABLE_FIELDS if f in self.form.cleaned_data}
        original = Organization.objects.get(pk=self.object.pk)
        try:
            return services.update_organization(actor=self.request.user, organization=original, **changes)
        except ServiceError as exc:
            raise PermissionDenied(exc.localized) from exc


class _InSubtree:
    """Per-row views (delete, history, usage) answer only for rows the user may change: Wagtail's
    generic ones check the model-level permission, which any staff member of any branch has.
    Found by the access matrix (tests/access/policy.py: a sibling city's admin could open, and
    delete, another city's staff memberships and duty shifts)."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not self.permission_policy.user_has_permission_for_instance(self.request.user, "change", obj):
            raise PermissionDenied
        return obj


class ScopedDeleteView(_InSubtree, generic.DeleteView):
    pass


class ScopedHistoryView(_InSubtree, generic.HistoryView):
    pass


class ScopedUsageView(_InSubtree, generic.UsageView):
    pass


class OrganizationInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not self.permission_policy.user_has_permission_for_instance(self.request.user, "view", obj):
            raise PermissionDenied
        return obj


class OrganizationViewSet(ModelViewSet):
    model = Organization
    icon = "group"
    menu_label = _("Organisations")
    menu_order = 150
    add_to_admin_menu = True
    index_view_class = OrganizationIndexView
    edit_view_class = OrganizationEditView
    inspect_view_class = OrganizationInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    inspect_view_enabled = True
    list_display = ["name", "short_name", "kind", "adcode", Column("depth", label=_("Level"))]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "adcode"]
    panels = [
        FieldPanel("name"),
        FieldPanel("short_name"),
        MultiFieldPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading=_("Location")),
        FieldPanel("is_active"),
    ]
    inspect_view_fields = ["name", "short_name", "kind", "slug", "adcode", "latitude", "longitude", "is_active"]
    search_backend_name = None
    ordering = ["path"]


register_permission_policy(Organization, OrganizationPermissionPolicy(Organization))
organization_viewset = OrganizationViewSet("organizations")


@hooks.register("register_admin_viewset")
def register_organization_viewset():
    return organization_viewset


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(self.request.user, ["view"])


class ScopedEditView(generic.EditView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not self.permission_policy.user_has_permission_for_instance(self.request.user, "change", obj):
            raise PermissionDenied
        return obj


class ScopedCreateView(generic.CreateView):
    """Creates through a service (set `service` on the viewset), so the admin and the API agree."""

    def save_instance(self):
        data = self.form.cleaned_data
        try:
            return self.view_set_service(actor=self.request.user, **{f: data[f] for f in self.service_fields})
        except ServiceError as exc:
            raise PermissionDenied(exc.localized) from exc


class DutyShiftCreateView(ScopedCreateView):
    service_fields = ["organization", "user", "starts_at", "ends_at", "kind", "phone"]

    def view_set_service(self, **kwargs):
        return services.add_duty_shift(**kwargs)


class StaffMembershipCreateView(ScopedCreateView):
    service_fields = ["user", "organization", "role"]

    def view_set_service(self, **kwargs):
        return services.add_staff(**kwargs)


class DutyShiftViewSet(ModelViewSet):
    model = DutyShift
    icon = "time"
    menu_label = _("Duty roster")
    menu_order = 151
    add_to_admin_menu = True
    index_view_class = ScopedIndexView
    add_view_class = DutyShiftCreateView
    # Wagtail 8 has no edit/delete_view_enabled: the URLs exist, so they are scoped to the subtree.
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    list_display = ["organization", "user", "starts_at", "ends_at", "kind", "cancelled_at"]
    list_filter = ["kind"]
    form_fields = ["organization", "user", "starts_at", "ends_at", "kind", "phone"]

    def get_form_class(self, for_update=False):
        return DutyShiftForm
    search_backend_name = None
    ordering = ["-starts_at"]


class StaffMembershipViewSet(ModelViewSet):
    model = StaffMembership
    icon = "user"
    menu_label = _("Staff")
    menu_order = 152
    add_to_admin_menu = True
    index_view_class = ScopedIndexView
    add_view_class = StaffMembershipCreateView
    # Wagtail 8 has no edit/delete_view_enabled: the URLs exist, so they are scoped to the subtree.
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    list_display = ["user", "organization", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active"]
    form_fields = ["user", "organization", "role"]

    def get_form_class(self, for_update=False):
        return StaffMembershipForm
    search_backend_name = None
    ordering = ["organization__path", "role"]


register_permission_policy(
    DutyShift, OrganizationScopedPolicy(DutyShift, write_roles=PUBLISHING_ROLES | ADMIN_ROLES)
)
register_permission_policy(StaffMembership, OrganizationScopedPolicy(StaffMembership, write_roles=ADMIN_ROLES))


@hooks.register("register_admin_viewset")
def register_roster_viewsets():
    return [DutyShiftViewSet("roster"), StaffMembershipViewSet("staff")]


class CalendarOverrideViewSet(ModelViewSet):
    model = CalendarOverride
    icon = "date"
    menu_label = _("Working calendar overrides")
    add_to_settings_menu = True
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    form_fields = ["date", "is_workday", "note"]
    search_fields = ["note"]
    search_backend_name = None
    ordering = ["-date"]


@hooks.register("register_admin_viewset")
def register_calendar_viewset():
    return CalendarOverrideViewSet("calendar")
