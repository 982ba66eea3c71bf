"""Admin form for branch pages: a POST that omits the featured-slot section leaves it unchanged
(as Django does for omitted model fields with defaults), so scripts and older clients that only
send the branch's title, intro and style keep working."""

from django.utils import timezone
from wagtail.admin.forms import WagtailAdminPageForm

FEATURED_FIELDS = ("link_page", "external_url", "title", "summary", "image", "starts_at", "ends_at")


def _value(value):
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


class BranchPageForm(WagtailAdminPageForm):
    def __init__(self, data=None, *args, **kwargs):
        instance = kwargs.get("instance")
        if data is not None and instance is not None and instance.pk:
            data = data.copy()
            if "featured_slots" not in data:
                data["featured_slots"] = str(instance.featured_slots)
            if "featured_items-TOTAL_FORMS" not in data:
                items = list(instance.featured_items.all())
                data["featured_items-TOTAL_FORMS"] = str(len(items))
                data["featured_items-INITIAL_FORMS"] = str(len(items))
                data["featured_items-MIN_NUM_FORMS"] = "0"
                data["featured_items-MAX_NUM_FORMS"] = "1000"
                for n, item in enumerate(items):
                    data[f"featured_items-{n}-id"] = str(item.pk)
                    data[f"featured_items-{n}-ORDER"] = str(n + 1)
                    for name in FEATURED_FIELDS:
                        data[f"featured_items-{n}-{name}"] = _value(getattr(item, f"{name}_id", None)
                                                                    if name in ("link_page", "image")
                                                                    else getattr(item, name))
        super().__init__(data, *args, **kwargs)
