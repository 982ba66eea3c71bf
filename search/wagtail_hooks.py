"""Admin: the search dictionary (搜索词典) as a snippet, under Settings-like "Search" menu.

Wagtail's snippet views log create/edit/delete in the audit log; our post_save/post_delete
signal reloads the segmenter in every process (search.signals, search.segmenter)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import DictionaryTerm


class DictionaryTermViewSet(SnippetViewSet):
    # Not through a service: segmentation vocabulary for superusers (no user data, no permissions); Wagtail logs it.
    model = DictionaryTerm
    icon = "search"
    menu_label = _("Search dictionary")
    menu_order = 900
    add_to_admin_menu = True
    list_display = ["term", "frequency", "note", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["term", "note"]
    ordering = ["term"]


register_snippet(DictionaryTermViewSet)
