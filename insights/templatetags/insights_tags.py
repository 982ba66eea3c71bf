from django import template

register = template.Library()


@register.filter
def pct(value):
    """A 0–1 rate as a percentage, "—" when there is nothing to measure."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


@register.filter
def num(value):
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}"
