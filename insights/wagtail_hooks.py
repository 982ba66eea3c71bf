"""Insights in Wagtail admin: the KPI dashboard, staff supervision (with links to the duty roster
and staff memberships of organizations/), training records, appraisal exports."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from core.errors import ServiceError
from organizations import permissions
from organizations.models import ALL_STAFF_ROLES
from organizations.policies import OrganizationScopedPolicy
from organizations.wagtail_hooks import (
    ScopedDeleteView,
    ScopedEditView,
    ScopedHistoryView,
    ScopedUsageView,
    ServiceDelete,
    ServiceFormErrors,
)

from . import services, views
from .forms import PromotionActivityForm, TrainingRecordForm
from .models import PromotionActivity, TrainingRecord

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("staff/", views.staff_index, name="staff"),
    path("staff/<int:user_id>/", views.person, name="person"),
    path("staff/<int:user_id>/appraisal-<int:year>.xlsx", views.appraisal, name="appraisal"),
    path("awards/", views.awards, name="awards"),
    path("awards/<int:round_id>/", views.award_round, name="award_round"),
]


@hooks.register("register_admin_urls")
def register_urls():
    return [path("insights/", include((urlpatterns, "insights_admin"), namespace="insights_admin"))]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.is_staff_anywhere(request.user, ALL_STAFF_ROLES)


class InsightsSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return permissions.is_staff_anywhere(request.user, ALL_STAFF_ROLES)


@hooks.register("register_admin_menu_item")
def insights_menu():
    menu = Menu(items=[
        StaffMenuItem(_("KPI dashboard"), reverse("insights_admin:dashboard"), icon_name="table", order=1),
        StaffMenuItem(_("Staff supervision"), reverse("insights_admin:staff"), icon_name="user", order=2),
        StaffMenuItem(_("Training records"), reverse("insights_training:index"), icon_name="doc-full", order=3),
        StaffMenuItem(_("Promotion activities"), reverse("insights_promotion:index"), icon_name="site", order=4),
        StaffMenuItem(_("Awards rounds"), reverse("insights_admin:awards"), icon_name="pick", order=5),
    ])
    return InsightsSubmenu(_("Insights"), menu, icon_name="table", order=260)


class TrainingIndexView(generic.IndexView):
    def get_base_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(self.request.user, ["view"])


class TrainingCreateView(ServiceFormErrors, generic.CreateView):
    """Creates through services.add_training_record, the one place with the rules (refusals: form errors)."""

    def save_instance(self):
        data = self.form.cleaned_data
        return services.add_training_record(
            actor=self.request.user, user=data["user"], organization=data["organization"], title=data["title"],
            kind=data["kind"], provider=data["provider"], held_on=data["held_on"], hours=data["hours"],
            passed=data["passed"], note=data["note"])


def _changed(instance, data: dict, fields) -> dict:
    return {f: data[f] for f in fields if f in data and getattr(instance, f) != data[f]}


class TrainingEditView(ServiceFormErrors, ScopedEditView):
    def save_instance(self):
        original = TrainingRecord.objects.get(pk=self.object.pk)
        return services.update_training_record(actor=self.request.user, record=original,
                                               **_changed(original, self.form.cleaned_data, services.TRAINING_FIELDS))


class TrainingDeleteView(ServiceDelete, ScopedDeleteView):
    @staticmethod
    def delete_service(actor, record):
        services.delete_training_record(actor=actor, record=record)


class ScopedRecordViewSet(ModelViewSet):
    """An organisation's records (training, promotion): listed, edited and deleted within the user's
    subtree (OrganizationScopedPolicy), created through the app's service, newest first."""

    add_to_admin_menu = False
    index_view_class = TrainingIndexView
    # Wagtail 8 keeps the per-row URLs whatever *_view_enabled says: scope them to the subtree
    # (the access matrix found a sibling city's admin editing another city's training records).
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    search_backend_name = None
    ordering = ["-held_on"]
    form_class: type

    def get_form_class(self, for_update=False):
        return self.form_class


class TrainingRecordViewSet(ScopedRecordViewSet):
    model = TrainingRecord
    icon = "doc-full"
    menu_label = _("Training records")
    add_view_class = TrainingCreateView
    edit_view_class = TrainingEditView
    delete_view_class = TrainingDeleteView
    list_display = ["user", "organization", "title", "kind", "held_on", "hours", "passed"]
    list_filter = ["kind", "passed"]
    form_fields = ["organization", "user", "title", "kind", "provider", "held_on", "hours", "passed", "note"]
    form_class = TrainingRecordForm


class PromotionCreateView(generic.CreateView):
    """Creates through services.record_promotion; its refusals become form errors."""

    def save_instance(self):
        data = self.form.cleaned_data
        return services.record_promotion(
            actor=self.request.user, organization=data["organization"], kind=data["kind"], title=data["title"],
            channel=data.get("channel", ""), held_on=data["held_on"], reach=data.get("reach") or 0,
            url=data.get("url", ""), liaison=data.get("liaison"))

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ServiceError as exc:
            for field, message in (exc.fields or {}).items():
                form.add_error(field if field in form.fields else None, str(message))
            if not exc.fields:
                form.add_error(None, exc.localized)
            self.produced_error_message = exc.localized
            return self.form_invalid(form)


class PromotionEditView(ServiceFormErrors, ScopedEditView):
    """Edits go through services.update_promotion (its rules; the days it counts on re-aggregated)."""

    def save_instance(self):
        original = PromotionActivity.objects.get(pk=self.object.pk)
        return services.update_promotion(actor=self.request.user, activity=original,
                                         **_changed(original, self.form.cleaned_data, services.PROMOTION_FIELDS))


class PromotionDeleteView(ServiceDelete, ScopedDeleteView):
    @staticmethod
    def delete_service(actor, activity):
        services.delete_promotion(actor=actor, activity=activity)


class PromotionActivityViewSet(ScopedRecordViewSet):
    model = PromotionActivity
    icon = "site"
    menu_label = _("Promotion activities")
    add_view_class = PromotionCreateView
    edit_view_class = PromotionEditView
    delete_view_class = PromotionDeleteView
    list_display = ["title", "organization", "kind", "held_on", "reach", "liaison"]
    list_filter = ["kind"]
    form_fields = ["organization", "kind", "title", "channel", "held_on", "reach", "url", "liaison"]
    form_class = PromotionActivityForm


for _model in (TrainingRecord, PromotionActivity):
    register_permission_policy(_model, OrganizationScopedPolicy(_model, write_roles=services.TRAINING_ROLES))


@hooks.register("register_admin_viewset")
def register_record_viewsets():
    return [TrainingRecordViewSet("insights_training"), PromotionActivityViewSet("insights_promotion")]
