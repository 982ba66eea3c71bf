"""Staff workbench in Wagtail admin: my queue (soonest deadline first) and the overdue list per
organisation, both scoped to the staff member's subtree; question tags. (The working calendar
override table is in organizations' admin, /admin/calendar/.)"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet

from organizations import permissions
from organizations.models import ANSWERING_ROLES, Organization

from . import selectors
from .models import QuestionTag


def _is_answering_staff(user) -> bool:
    return permissions.is_staff_anywhere(user, ANSWERING_ROLES) or selectors.expert_profile(user) is not None


class _Workbench(TemplateView):
    from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin as _M

    def dispatch(self, request, *args, **kwargs):
        if not _is_answering_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class QueueView(_Workbench._M, _Workbench):
    page_title = _("My Q&A queue")
    header_icon = "help"
    template_name = "community/admin/queue.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        page = Paginator(selectors.staff_queue(self.request.user).select_related("asker"), 50).get_page(
            self.request.GET.get("p"))
        for q in page.object_list:
            q.overdue = q.deadline_at < now
        ctx.update(page_obj=page, now=now)
        return ctx


class OverdueView(_Workbench._M, _Workbench):
    page_title = _("Overdue questions")
    header_icon = "warning"
    template_name = "community/admin/overdue.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        user = self.request.user
        org = None
        org_id = self.request.GET.get("org")
        if org_id and org_id.isdigit():
            org = Organization.objects.filter(pk=int(org_id)).first()
            if org is not None and not permissions.can_act(user, org, ANSWERING_ROLES):
                raise PermissionDenied
        page = Paginator(selectors.overdue_questions(user, now, org), 50).get_page(self.request.GET.get("p"))
        ctx.update(by_org=list(selectors.overdue_by_organization(user, now)[:200]), page_obj=page,
                   organization=org, now=now)
        return ctx


class QueuePanel(Component):
    """The answering queue's soonest deadlines on the admin dashboard, first, for duty staff,
    liaisons and experts: what they log in to do."""

    name = "qa_queue"
    order = 10
    template_name = "community/admin/dashboard_queue.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        now = timezone.now()
        return {"page_obj": list(selectors.staff_queue(self.user).select_related("asker")[:8]), "now": now,
                "request": parent_context.get("request") if parent_context else None}


@hooks.register("construct_homepage_panels")
def add_queue_panel(request, panels):
    if _is_answering_staff(request.user):
        panels.insert(0, QueuePanel(request.user))


@hooks.register("register_admin_urls")
def register_workbench_urls():
    return [
        path("qa/queue/", QueueView.as_view(), name="community_queue"),
        path("qa/overdue/", OverdueView.as_view(), name="community_overdue"),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return _is_answering_staff(request.user)


class QuestionTagViewSet(ModelViewSet):
    # Not through a service: a tag is a name and a slug (vocabulary, model permissions); Wagtail logs it.
    model = QuestionTag
    icon = "tag"
    menu_label = _("Question tags")
    add_to_admin_menu = False
    list_display = ["name", "slug"]
    form_fields = ["name", "slug"]
    search_fields = ["name"]
    search_backend_name = None


tag_viewset = QuestionTagViewSet("qa_tags")


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [tag_viewset]


class PermittedMenuItem(MenuItem):
    """Shown to those with any permission on the viewset's model (superusers, province admins' groups)."""

    def __init__(self, viewset, *args, **kwargs):
        self.viewset = viewset
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return self.viewset.permission_policy.user_has_any_permission(request.user, ["add", "change", "delete"])


@hooks.register("register_admin_menu_item")
def register_qa_menu():
    items = [
        StaffMenuItem(_("My queue"), reverse("community_queue"), icon_name="help", order=10),
        StaffMenuItem(_("Overdue"), reverse("community_overdue"), icon_name="warning", order=20),
        PermittedMenuItem(tag_viewset, _("Question tags"), reverse("qa_tags:index"), icon_name="tag", order=40),
    ]
    return SubmenuMenuItem(_("Q&A"), Menu(items=items), icon_name="help", order=120)


@hooks.register("register_admin_viewset")
def register_question_chooser():
    """The chooser for featured questions (home.FeaturedItem.link_question): community.choosers."""
    from .choosers import question_chooser_viewset

    return question_chooser_viewset
