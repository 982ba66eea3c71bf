"""Wagtail admin strings that Wagtail's own zh_Hans catalogue leaves in English (645 of 953 in
Wagtail 8.0): listed here so that `make messages` extracts them into our catalogue, whose Chinese
(locale/zh_Hans/newcomer.json) wins over Wagtail's (LOCALE_PATHS come first). Never imported: the
msgids must be exactly Wagtail's. tests/test_chinese_ui.py finds any that are still missing."""

from django.utils.translation import gettext_noop as _
from django.utils.translation import ngettext_lazy

STRINGS = [
    _("Search all pages…"), _("Privacy and access"), _("%(label)s and Publish"), _("Exploring"),
    _("Actions"), _("Actions (footer)"), _("Date updated"), _("Edited by"), _("Has child pages"), _("Page type"),
    _("None"), _("Locking: "), _("Anyone can edit this %(model_name)s"), _("Autosave is paused"), _("Saved"),
    _("Checks"), _("Toggle checks"), _("Show issue"), _("Content metrics"), _("Words"), _("Reading time"),
    _("Readability"), _("This data explained"), _("Sort by"), _("Sort by '%(label)s' in ascending order."),
    _("Sort by '%(label)s' in descending order."), _("There are no %(model_name)s to display."),
    _("Go to the first error"), _("Use server language: %(language_name)s"), _("Edit account avatar"),
    _("Wagtail %(current_version)s editor guide"), _("Page types"), _("Page types usage"),
]
PLURALS = [
    ngettext_lazy("Referenced %(count)s time", "Referenced %(count)s times", 1),
    ngettext_lazy("There is one matching page", "There are %(counter)s matching pages", 1),
    ngettext_lazy('%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
                  '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>', 1),
]
