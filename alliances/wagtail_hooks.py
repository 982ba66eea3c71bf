"""Admin for experts, member organisations and memberships. Alliance pages are edited in the page
tree (branch editors' page permissions cover them). These viewsets need Django model permissions
(grant them to a group) AND act only on rows of the user's organisation subtree: lists and the
inspect view for any staff role there, edit/delete/history/usage for its administrators and liaison
officers (alliances.services.ALLIANCE_ROLES). Wagtail's generic per-row views check the model
permission only, so a city's staff member holding it could open another city's experts (ID numbers)
by URL; `SubtreePolicy` closes that. Joining decisions are made on the alliance page and the API,
through alliances.services."""


from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from core.errors import Invalid, ServiceError
from organizations import permissions
from organizations.models import ALL_STAFF_ROLES
from organizations.policies import READ_ACTIONS
from organizations.wagtail_hooks import (
    OrganizationInspectView,
    ScopedDeleteView,
    ScopedEditView,
    ScopedHistoryView,
    ScopedIndexView,
    ScopedUsageView,
    ServiceDelete,
    ServiceFormErrors,
)

from . import services
from .models import AllianceMembership, ExpertProfile, ExpertStatus, MemberOrganization, MembershipStatus
from .services import ALLIANCE_ROLES


class SubtreePolicy(ModelPermissionPolicy):
    """The model permission, and then the row's organisation (`org_field`, a path like
    "alliance__organization") inside the user's subtree: any staff role there to read, the
    administrators and liaison officers to change or delete. Superusers pass everywhere."""

    def __init__(self, model, org_field: str):
        super().__init__(model)
        self.org_field = org_field

    @staticmethod
    def _roles(actions):
        return ALL_STAFF_ROLES if set(actions) <= READ_ACTIONS else ALLIANCE_ROLES

    def _organization(self, instance):
        for part in self.org_field.split("__"):
            instance = getattr(instance, part, None) if instance is not None else None
        return instance

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if permissions.is_superuser(user):
            return True
        org = self._organization(instance)
        return org is not None and permissions.can_act(user, org, self._roles([action]))

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return permissions.scope_queryset(self.model._default_manager.all(), user, self.org_field,
                                          self._roles(actions))


class _Scoped:
    """A ModelViewSet whose views all go through SubtreePolicy (set `org_field`)."""

    org_field = "organization"
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    inspect_view_class = OrganizationInspectView


def _changed(instance, data: dict, fields) -> dict:
    """The form's values that differ from the stored row (a service gets only what the staff changed)."""
    return {f: data[f] for f in fields if f in data and getattr(instance, f) != data[f]}


class ExpertEditView(ServiceFormErrors, ScopedEditView):
    """An edit goes through services.edit_expert: profile fields through update_expert_profile, a status
    change through set_expert_status (a reason to suspend or remove, the expert notified, audit log)."""

    def save_instance(self):
        data = dict(self.form.cleaned_data)
        original = ExpertProfile.objects.get(pk=self.object.pk)
        profile_fields = [f for f in data if f not in ("status", "status_reason", "home_station")]
        changes = _changed(original, data, profile_fields)
        if "home_station" in data and data["home_station"] != original.home_station:
            changes["home_station_id"] = data["home_station"].pk if data["home_station"] else None
        return services.edit_expert(actor=self.request.user, expert=original, status=data.get("status"),
                                    status_reason=data.get("status_reason", ""), **changes)


class ExpertCreateView(ServiceFormErrors, generic.CreateView):
    """Experts come through services.apply_to_alliance (or register_expert), tied to their account:
    the admin form has no user, so saving it would fail (Wagtail 8 keeps the add URL)."""

    def save_instance(self):
        raise Invalid(_("Experts apply themselves on an alliance page"))


class ExpertDeleteView(ServiceDelete, ScopedDeleteView):
    """"Delete" removes the expert through services.set_expert_status (status removed, notified, audit
    log); the profile, its answers and memberships stay."""

    @staticmethod
    def delete_service(actor, expert):
        services.set_expert_status(actor=actor, expert=expert, status=ExpertStatus.REMOVED, reason="在管理后台移除")


class ExpertViewSet(_Scoped, ModelViewSet):
    model = ExpertProfile
    add_view_class = ExpertCreateView
    edit_view_class = ExpertEditView
    delete_view_class = ExpertDeleteView
    icon = "user"
    menu_label = _("Experts")
    list_display = ["real_name", "title", "organization", "kind", "status", "availability"]
    list_filter = ["status", "kind", "availability", "domains__domain"]
    search_fields = ["real_name", "title", "workplace"]
    search_backend_name = None
    inspect_view_enabled = True
    panels = [
        MultiFieldPanel([FieldPanel("real_name"), FieldPanel("title"), FieldPanel("kind"), FieldPanel("workplace"),
                         FieldPanel("organization")], heading=_("Identity")),
        MultiFieldPanel([FieldPanel("credentials"), FieldPanel("bio")], heading=_("Profile")),
        MultiFieldPanel([FieldPanel("home_station"), FieldPanel("availability"), FieldPanel("max_open_questions")],
                        heading=_("Service")),
        MultiFieldPanel([FieldPanel("contact_phone"), FieldPanel("contact_email"), FieldPanel("contact_public")],
                        heading=_("Contact")),
        MultiFieldPanel([FieldPanel("status"), FieldPanel("status_reason"), FieldPanel("id_number"),
                         FieldPanel("staff_notes")], heading=_("Staff only")),
    ]


class MemberOrganizationCreateView(ServiceFormErrors, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.create_member_organization(
            actor=self.request.user, **{f: data[f] for f in services.MEMBER_ORGANIZATION_FIELDS
                                        if f in data and f != "is_active"})


class MemberOrganizationEditView(ServiceFormErrors, ScopedEditView):
    def save_instance(self):
        original = MemberOrganization.objects.get(pk=self.object.pk)
        return services.update_member_organization(
            actor=self.request.user, member_organization=original,
            **_changed(original, self.form.cleaned_data, services.MEMBER_ORGANIZATION_FIELDS))


class MemberOrganizationDeleteView(ServiceDelete, ScopedDeleteView):
    """"Delete" deactivates (services.deactivate_member_organization): its membership history stays."""

    @staticmethod
    def delete_service(actor, member_organization):
        services.deactivate_member_organization(actor=actor, member_organization=member_organization)


class MemberOrganizationViewSet(_Scoped, ModelViewSet):
    model = MemberOrganization
    add_view_class = MemberOrganizationCreateView
    edit_view_class = MemberOrganizationEditView
    delete_view_class = MemberOrganizationDeleteView
    icon = "site"
    menu_label = _("Member organisations")
    list_display = ["name", "kind", "licence_number", "organization", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "licence_number"]
    search_backend_name = None
    form_fields = ["name", "kind", "licence_number", "domains", "organization", "description", "website",
                   "contact_name", "contact_phone", "is_active"]


S = MembershipStatus
# (from, to) → the service that makes that change with its rules (reasons, notifications, audit log).
TRANSITIONS = {
    (S.APPLIED, S.ACTIVE): lambda actor, m, reason: services.decide_application(
        actor=actor, membership=m, approve=True, reason=reason),
    (S.APPLIED, S.REJECTED): lambda actor, m, reason: services.decide_application(
        actor=actor, membership=m, approve=False, reason=reason),
    (S.ACTIVE, S.SUSPENDED): lambda actor, m, reason: services.suspend_membership(actor=actor, membership=m,
                                                                                  reason=reason),
    (S.SUSPENDED, S.ACTIVE): lambda actor, m, reason: services.reinstate_membership(actor=actor, membership=m,
                                                                                    reason=reason),
    **{(old, S.REMOVED): (lambda actor, m, reason: services.remove_membership(actor=actor, membership=m,
                                                                              reason=reason))
       for old in (S.ACTIVE, S.SUSPENDED, S.INVITED)},
}


class MembershipEditView(ScopedEditView):
    """Status changes go through alliances.services (a reason to reject, suspend or remove; decided
    by and when; the member notified; audit log), like the alliance page and the API. A change the
    services do not make (e.g. applied → suspended) is a form error and writes nothing."""

    def save_instance(self):
        original = AllianceMembership.objects.get(pk=self.object.pk)
        new, reason = self.form.cleaned_data["status"], self.form.cleaned_data.get("reason", "")
        change = TRANSITIONS.get((original.status, new))
        if change is None:
            raise Invalid(_("The membership cannot move from its status to that one"),
                          fields={"status": new})
        return change(self.request.user, original, reason)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ServiceError as exc:
            form.add_error(None, exc.localized)
            self.produced_error_message = exc.localized
            return self.form_invalid(form)


class MembershipDeleteView(ServiceDelete, ScopedDeleteView):
    """"Delete" removes the member (an application: rejects it) through the same TRANSITIONS as the
    edit view — decided by, the member notified, audit log; the row stays as history."""

    @staticmethod
    def delete_service(actor, membership):
        membership = AllianceMembership.objects.get(pk=membership.pk)
        change = TRANSITIONS.get((membership.status, S.REMOVED)) or TRANSITIONS.get((membership.status, S.REJECTED))
        if change is None:
            raise Invalid(_("The membership has already ended"), fields={"status": membership.status})
        change(actor, membership, "在管理后台移除")


class MembershipViewSet(_Scoped, ModelViewSet):
    delete_view_class = MembershipDeleteView
    model = AllianceMembership
    icon = "list-ul"
    menu_label = _("Alliance memberships")
    org_field = "alliance__organization"
    edit_view_class = MembershipEditView
    list_display = ["member", "alliance", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_backend_name = None
    add_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["status", "reason"]


# Each model's policy is registered with Wagtail (not returned by the viewset, which Wagtail 8 deprecates).
for _viewset in (ExpertViewSet, MemberOrganizationViewSet, MembershipViewSet):
    register_permission_policy(_viewset.model, SubtreePolicy(_viewset.model, _viewset.org_field))


class AlliancesGroup(ViewSetGroup):
    menu_label = _("Alliances")
    menu_icon = "group"
    menu_order = 210
    items = (ExpertViewSet("experts"), MemberOrganizationViewSet("member_organizations"),
             MembershipViewSet("alliance_memberships"))


@hooks.register("register_admin_viewset")
def register_alliances_group():
    return AlliancesGroup()
