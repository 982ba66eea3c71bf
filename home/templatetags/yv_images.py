"""`{% primed_image %}`: Wagtail's `{% image %}` for cards whose renditions were prefetched
(home.selectors.prime_images), without its cache write per card."""

from django import template
from wagtail.images.models import Filter
from wagtail.images.shortcuts import get_rendition_or_not_found, get_renditions_or_not_found

register = template.Library()

_FILTERS: dict[str, Filter] = {}  # a Filter parses its spec once (its operations are cached on it)


@register.simple_tag
def primed_image(image, spec: str, **attrs):
    """The `<img>` that `{% image image spec attr=… %}` renders. `Image.get_rendition` writes the
    rendition back to the shared cache on every call, prefetched or not (a Redis round trip per
    card); `Image.get_renditions` does not for prefetched renditions. Images without prefetched
    renditions: as `{% image %}`."""
    if not image:
        return ""
    image_filter = _FILTERS.get(spec)
    if image_filter is None:
        image_filter = _FILTERS[spec] = Filter(spec=spec)
    if getattr(image, "prefetched_renditions", None) is None:
        return get_rendition_or_not_found(image, image_filter).img_tag(attrs)
    return get_renditions_or_not_found(image, [image_filter])[spec].img_tag(attrs)
