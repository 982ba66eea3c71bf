from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from organizations import permissions
from organizations.models import ALL_STAFF_ROLES, MODERATION_ROLES, Organization

from . import admin_views
from .models import AllowedWord, SensitiveWord


@hooks.register("register_admin_urls")
def urls():
    return [
        path("moderation/queue/", admin_views.queue, name="moderation_queue"),
        path("moderation/queue/bulk/", admin_views.bulk_decide, name="moderation_bulk"),
        path("moderation/cases/<int:case_id>/", admin_views.case_detail, name="moderation_case"),
        path("moderation/alerts/", admin_views.alerts, name="moderation_alerts"),
        path("moderation/alerts/<int:alert_id>/", admin_views.alert_detail, name="moderation_alert"),
        path("moderation/alerts/<int:alert_id>/appeal/", admin_views.alert_to_appeal, name="moderation_alert_appeal"),
        path("moderation/words/import/", admin_views.word_import, name="moderation_word_import"),
    ]


class RoleMenuItem(MenuItem):
    def __init__(self, *args, roles=ALL_STAFF_ROLES, **kwargs):
        self.roles = roles
        super().__init__(*args, **kwargs)

    def is_shown(self, request):
        return permissions.is_staff_anywhere(request.user, self.roles)


class ProvinceModeratorPolicy(BasePermissionPolicy):
    """The word lists are the province's: only its moderators (and superusers) manage them."""

    def _ok(self, user):
        root = Organization.get_first_root_node()
        return permissions.can_act(user, root, MODERATION_ROLES)

    def user_has_permission(self, user, action):
        return self._ok(user)

    def user_has_any_permission(self, user, actions):
        return self._ok(user)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(is_superuser=True)


def _for_province_moderators(view_class):
    class Guarded(view_class):
        def dispatch(self, request, *args, **kwargs):
            if not ProvinceModeratorPolicy(self.model_class)._ok(request.user):
                raise PermissionDenied
            return super().dispatch(request, *args, **kwargs)

    Guarded.__name__ = Guarded.__qualname__ = f"ProvinceModerators{view_class.__name__}"
    return Guarded


class WordChooserViewSet(SnippetChooserViewSet):
    """Wagtail's chooser views only ask for admin access, which would show every staff member the
    word lists (found by the access matrix). The lists are the province moderators'."""

    choose_view_class = _for_province_moderators(SnippetChooserViewSet.choose_view_class)
    choose_results_view_class = _for_province_moderators(SnippetChooserViewSet.choose_results_view_class)
    chosen_view_class = _for_province_moderators(SnippetChooserViewSet.chosen_view_class)
    chosen_multiple_view_class = _for_province_moderators(SnippetChooserViewSet.chosen_multiple_view_class)
    create_view_class = _for_province_moderators(SnippetChooserViewSet.create_view_class)


class SensitiveWordViewSet(SnippetViewSet):
    # Not through a service: one word row for province moderators; the per-row signals rebuild the matcher
    # (moderation/signals.py), Wagtail logs the change. Bulk lists go through services.import_word_list.
    model = SensitiveWord
    chooser_viewset_class = WordChooserViewSet
    icon = "warning"
    list_display = ["word", "category", "action", "is_active", "updated_at"]
    list_filter = ["category", "action", "is_active"]
    search_fields = ["word"]
    search_backend_name = None
    add_to_admin_menu = False


class AllowedWordViewSet(SnippetViewSet):
    # Not through a service: as SensitiveWordViewSet (per-row signals rebuild the matcher).
    model = AllowedWord
    chooser_viewset_class = WordChooserViewSet
    icon = "tick"
    list_display = ["word", "created_at"]
    search_fields = ["word"]
    search_backend_name = None
    add_to_admin_menu = False


register_permission_policy(SensitiveWord, ProvinceModeratorPolicy(SensitiveWord))
register_permission_policy(AllowedWord, ProvinceModeratorPolicy(AllowedWord))
register_snippet(SensitiveWordViewSet)
register_snippet(AllowedWordViewSet)


@hooks.register("register_admin_menu_item")
def moderation_menu():
    items = [
        RoleMenuItem(_("Review queue"), reverse("moderation_queue"), icon_name="warning", order=1, roles=MODERATION_ROLES),
        RoleMenuItem(_("Monitoring alerts"), reverse("moderation_alerts"), icon_name="doc-full", order=2),
        RoleMenuItem(_("Sensitive words"), reverse("wagtailsnippets_moderation_sensitiveword:list"), icon_name="warning",
                     order=3, roles=MODERATION_ROLES),
        RoleMenuItem(_("Allowed words"), reverse("wagtailsnippets_moderation_allowedword:list"), icon_name="tick",
                     order=4, roles=MODERATION_ROLES),
        RoleMenuItem(_("Import words"), reverse("moderation_word_import"), icon_name="upload", order=5,
                     roles=MODERATION_ROLES),
    ]
    return SubmenuMenuItem(_("Moderation"), Menu(items=items), icon_name="warning", order=300)
