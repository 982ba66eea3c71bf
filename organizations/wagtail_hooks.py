"""Organisations in Wagtail admin: staff see their subtree, its administrators edit it. Edits go
through services.update_organization, the same code the API calls."""

import re
from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from core.errors import Invalid, ServiceError

from . import permissions, selectors, services
from .forms import DutyShiftForm, StaffMembershipForm
from .models import (
    ADMIN_ROLES,
    PUBLISHING_ROLES,
    CalendarOverride,
    DutyShift,
    HolidaySchedule,
    Organization,
    StaffMembership,
    StaffRole,
)
from .policies import OrganizationPermissionPolicy, OrganizationScopedPolicy


class ServiceFormErrors:
    """Edit/create views whose save_instance calls a service: a ServiceError (bad input, a move the
    service refuses, no permission for the target) becomes a form error in the page's language and
    the transaction rolls back (a 200 with the form again, never a 500)."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ServiceError as exc:
            form.add_error(None, exc.localized)
            for field, detail in (exc.fields or {}).items():  # the Chinese half of "中文 / English" details
                if field in form.fields and isinstance(detail, str) and re.search(r"[\u4e00-\u9fff]", detail):
                    form.add_error(field, detail.split(" / ")[0])
            self.produced_error_message = exc.localized
            return self.form_invalid(form)


class ServiceDelete:
    """Delete views whose delete_action calls a service (set `delete_service(actor, instance)`): a
    ServiceError is shown as a message on the index (4xx-like, nothing written)."""

    def delete_action(self):
        self.delete_service(self.request.user, self.object)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ServiceError as exc:
            messages.error(self.request, exc.localized)
            return redirect(self.get_success_url())


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


class OrganizationCreateView(ServiceFormErrors, generic.CreateView):
    def save_instance(self):
        raise Invalid(_("Organisations are created in code, not here"))


class OrganizationDeleteView(ServiceDelete, ScopedDeleteView):
    """"Delete" deactivates (services.update_organization(is_active=False)): the subtree, its staff,
    questions and pages stay; the root cannot be deactivated."""

    @staticmethod
    def delete_service(actor, organization):
        services.update_organization(actor=actor, organization=organization, is_active=False)


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
    # Only superusers pass the policy for add/delete: "delete" deactivates through update_organization,
    # "add" explains that the tree is made in code (services.create_organization needs a parent and kind).
    add_view_class = OrganizationCreateView
    delete_view_class = OrganizationDeleteView
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


class ScopedCreateView(ServiceFormErrors, generic.CreateView):
    """Creates through a service (set `view_set_service`), so the admin and the API agree; its refusals
    (an overlapping shift, a role the actor may not give) are form errors."""

    def save_instance(self):
        data = self.form.cleaned_data
        return self.view_set_service(actor=self.request.user, **{f: data[f] for f in self.service_fields})


class DutyShiftCreateView(ScopedCreateView):
    service_fields = ["organization", "user", "starts_at", "ends_at", "kind", "phone"]

    def view_set_service(self, **kwargs):
        return services.add_duty_shift(**kwargs)


class DutyShiftEditView(ServiceFormErrors, ScopedEditView):
    """An edit goes through services.update_duty_shift (both organisations' roster keepers, the roster
    rules, audit log), like the create view's add_duty_shift."""

    def save_instance(self):
        data = self.form.cleaned_data
        original = DutyShift.objects.get(pk=self.object.pk)
        return services.update_duty_shift(actor=self.request.user, shift=original,
                                          **{f: data[f] for f in DutyShiftCreateView.service_fields})


class DutyShiftDeleteView(ServiceDelete, ScopedDeleteView):
    """"Delete" cancels the shift through services.cancel_duty_shift (the row stays as history)."""

    @staticmethod
    def delete_service(actor, shift):
        services.cancel_duty_shift(actor=actor, shift=shift)


class StaffMembershipCreateView(ScopedCreateView):
    service_fields = ["user", "organization", "role"]

    def view_set_service(self, **kwargs):
        return services.add_staff(**kwargs)


class StaffMembershipEditView(ScopedEditView):
    """An edit ends the membership and starts the changed one (services.change_staff): the person's
    Wagtail groups, and so their page permissions, follow at once (issue 25, finding 3)."""

    def save_instance(self):
        data = self.form.cleaned_data
        original = StaffMembership.objects.select_related("organization", "user").get(pk=self.object.pk)
        try:
            return services.change_staff(actor=self.request.user, membership=original, user=data["user"],
                                         organization=data["organization"], role=data["role"])
        except ServiceError as exc:
            raise PermissionDenied(exc.localized) from exc


class StaffMembershipDeleteView(ScopedDeleteView):
    """"Delete" ends the membership through services.end_staff (the row stays as history): the person's
    Wagtail groups and page permissions go at once (issue 25, finding 3)."""

    def delete_action(self):
        try:
            services.end_staff(actor=self.request.user, membership=self.object, reason="在管理后台移除")
        except ServiceError as exc:
            raise PermissionDenied(exc.localized) from exc


class DutyShiftViewSet(ModelViewSet):
    model = DutyShift
    icon = "time"
    menu_label = _("Duty roster")
    menu_order = 151
    add_to_admin_menu = True
    index_view_class = ScopedIndexView
    add_view_class = DutyShiftCreateView
    # Wagtail 8 has no edit/delete_view_enabled: the URLs exist, so they are scoped to the subtree, and
    # they write through the services like the create view (update_duty_shift, cancel_duty_shift).
    edit_view_class = DutyShiftEditView
    delete_view_class = DutyShiftDeleteView
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
    # Wagtail 8 has no edit/delete_view_enabled: the URLs exist, so they are scoped to the subtree, and
    # they write through the same services as the create view (add_staff, change_staff, end_staff).
    edit_view_class = StaffMembershipEditView
    delete_view_class = StaffMembershipDeleteView
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


class ProvincialAdminPolicy(BasePermissionPolicy):
    """The working calendar is the province's: its administrators (org_admin of the root) and
    superusers manage it, nobody else."""

    def user_has_permission(self, user, action):
        return permissions.is_provincial_admin(user)

    def user_has_any_permission(self, user, actions):
        return permissions.is_provincial_admin(user)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        root_admins = StaffMembership.objects.active().filter(role=StaffRole.ORG_ADMIN, organization__depth=1)
        return get_user_model().objects.filter(Q(is_superuser=True) | Q(pk__in=root_admins.values("user_id")),
                                               is_active=True)


class CalendarOverrideViewSet(ModelViewSet):
    # Not through a service: one configuration row at a time, provincial admins only; the per-row model
    # signals refresh cached calendars (stations/signals.py) and Wagtail's views log it. The yearly
    # import, which writes in bulk, goes through services.import_holiday_schedule.
    model = CalendarOverride
    icon = "date"
    menu_label = _("Declared calendar days")
    add_to_settings_menu = True
    list_display = ["date", "is_workday", "note", "schedule"]
    list_filter = ["is_workday"]
    form_fields = ["date", "is_workday", "note"]
    search_fields = ["note"]
    search_backend_name = None
    ordering = ["-date"]


register_permission_policy(CalendarOverride, ProvincialAdminPolicy(CalendarOverride))
register_permission_policy(HolidaySchedule, ProvincialAdminPolicy(HolidaySchedule))


@hooks.register("register_admin_viewset")
def register_calendar_viewset():
    return CalendarOverrideViewSet("calendar")


# --- the working calendar: a year at a glance, the yearly import, the dashboard warning ---------------

def _provincial_only(request):
    if not permissions.is_provincial_admin(request.user):
        raise PermissionDenied


def calendar_year_view(request, year=None):
    """Every holiday, make-up workday and declared day of a year, with where it comes from: the
    imported notice, the package, or the provisional statutory calendar (marked as such)."""
    from .domain.calendar import SOURCE_LABELS, package_covers

    _provincial_only(request)
    today = timezone.localdate()
    year = year or today.year
    if not 2000 <= year <= 2100:
        raise Http404
    cal = selectors.work_calendar(date(year, 7, 1))
    schedule = HolidaySchedule.objects.filter(year=year).select_related("imported_by").first()
    if schedule is not None:
        source = "official"
    elif package_covers(year):
        source = "package"
    else:
        source = "provisional"
    return render(request, "organizations/admin/calendar_year.html", {
        "header_title": _("Working calendar %(year)s") % {"year": year}, "year": year, "schedule": schedule,
        "source": source, "source_label": SOURCE_LABELS[source], "days": cal.special_days(year),
        "labels": SOURCE_LABELS, "previous": year - 1, "next": year + 1, "status": selectors.calendar_status(today),
    })


class ScheduleImportForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    notice_title = forms.CharField(label=_("Notice title"), max_length=200,
                                   help_text=_("e.g. 国务院办公厅关于2027年部分节假日安排的通知"))
    notice_url = forms.URLField(label=_("Notice URL"), max_length=500, required=False)
    notice_date = forms.DateField(label=_("Notice date"), help_text=_("YYYY-MM-DD"))
    text = forms.CharField(label=_("Days"), required=False, widget=forms.Textarea(attrs={"rows": 18, "cols": 60}),
                           help_text=_("One day a line: date, holiday or workday, name. E.g. 2027-02-05,holiday,春节 "
                                       "or 2027-02-20,workday,春节调休上班"))
    file = forms.FileField(label=_("Or a CSV file"), required=False,
                           help_text=_("UTF-8, the same three columns; it replaces the text above"))


def calendar_import_view(request):
    """Import a year's official schedule (text or CSV). With ?year=&prefill=holidays the form is
    filled with the `holidays` package's list for that year, to check line by line against the notice."""
    from .domain.calendar import package_lines

    _provincial_only(request)
    context = {"header_title": _("Import a year's holiday schedule")}
    if request.method == "POST":
        form = ScheduleImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            text = data["text"]
            if data["file"] is not None:
                raw = data["file"].read(200_000)
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = raw.decode("gb18030", errors="replace")
            try:
                services.import_holiday_schedule(
                    actor=request.user, year=data["year"], text=text, notice_title=data["notice_title"],
                    notice_url=data["notice_url"], notice_date=data["notice_date"])
            except ServiceError as exc:
                context["error"] = exc.zh
                context["lines"] = exc.fields.get("lines", [])
            else:
                messages.success(request, _("The %(year)s schedule is imported and confirmed.") % {"year": data["year"]})
                return redirect("organizations_calendar_year", year=data["year"])
    else:
        year = request.GET.get("year", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else timezone.localdate().year + 1
        initial = {"year": year}
        if request.GET.get("prefill") == "holidays":
            initial["text"] = "\n".join(["date,kind,name", *package_lines(year)])
            context["prefilled"] = True
        form = ScheduleImportForm(initial=initial)
    context["form"] = form
    return render(request, "organizations/admin/calendar_import.html", context)


@hooks.register("register_admin_urls")
def register_calendar_urls():
    return [
        path("calendar/year/", calendar_year_view, name="organizations_calendar"),
        path("calendar/year/<int:year>/", calendar_year_view, name="organizations_calendar_year"),
        path("calendar/import/", calendar_import_view, name="organizations_calendar_import"),
    ]


class ProvincialMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.is_provincial_admin(request.user)


@hooks.register("register_settings_menu_item")
def calendar_menu_item():
    return ProvincialMenuItem(_("Working calendar"), reverse("organizations_calendar"), icon_name="date", order=600)


class CalendarWarningPanel(Component):
    """On the dashboard of provincial administrators: next year's schedule is not confirmed (from
    1 October), or this year's still is not. Says the provisional calendar is in use and links to
    the import."""

    name = "calendar_warning"
    template_name = "organizations/admin/calendar_panel.html"
    order = 50

    def __init__(self, status):
        self.status = status

    def get_context_data(self, parent_context):
        return {"status": self.status, "warn_years": self.status["warn_years"]}


@hooks.register("construct_homepage_panels")
def calendar_warning_panel(request, panels):
    if not permissions.is_provincial_admin(request.user):
        return
    status = selectors.calendar_status()
    if status["warn_years"]:
        panels.insert(0, CalendarWarningPanel(status))
