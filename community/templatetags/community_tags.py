from urllib.parse import urlencode

from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag
def qa_query(base: dict, **changes) -> str:
    """'?a=1&b=2' from the current filters with some changed (None removes a key)."""
    params = {**(base or {}), **changes}
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@register.filter
def time_left(deadline) -> str:
    """'还剩 2 小时 10 分' / '已超时 35 分'."""
    seconds = int((deadline - timezone.now()).total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    h, m = seconds // 3600, (seconds % 3600) // 60
    text = f"{h} 小时 {m} 分" if h else f"{m} 分"
    return f"已超时 {text}" if late else f"还剩 {text}"
