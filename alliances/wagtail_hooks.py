"""Admin for experts, member organisations and memberships. Alliance pages are edited in the page
tree (branch editors' page permissions cover them). These viewsets use Django model permissions
(grant them to a province-level group); lists are further scoped to the user's organisation subtree.
Joining decisions are made on the alliance page and the API, through alliances.services."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from organizations.permissions import scope_queryset

from .models import AllianceMembership, ExpertProfile, MemberOrganization


def _scoped(field):
    class ScopedIndexView(generic.IndexView):
        def get_base_queryset(self):
            return scope_queryset(super().get_base_queryset(), self.request.user, org_field=field)

    return ScopedIndexView


class ExpertViewSet(ModelViewSet):
    model = ExpertProfile
    icon = "user"
    menu_label = _("Experts")
    index_view_class = _scoped("organization")
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


class MemberOrganizationViewSet(ModelViewSet):
    model = MemberOrganization
    icon = "site"
    menu_label = _("Member organisations")
    index_view_class = _scoped("organization")
    list_display = ["name", "kind", "licence_number", "organization", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "licence_number"]
    search_backend_name = None
    form_fields = ["name", "kind", "licence_number", "domains", "organization", "description", "website",
                   "contact_name", "contact_phone", "is_active"]


class MembershipViewSet(ModelViewSet):
    model = AllianceMembership
    icon = "list-ul"
    menu_label = _("Alliance memberships")
    index_view_class = _scoped("alliance__organization")
    list_display = ["member", "alliance", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_backend_name = None
    add_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["status", "reason"]


class AlliancesGroup(ViewSetGroup):
    menu_label = _("Alliances")
    menu_icon = "group"
    menu_order = 210
    items = (ExpertViewSet("experts"), MemberOrganizationViewSet("member_organizations"),
             MembershipViewSet("alliance_memberships"))


@hooks.register("register_admin_viewset")
def register_alliances_group():
    return AlliancesGroup()
