from django.core.cache import cache

from core import request_memo

from .models import Partner

FOOTER_CACHE_KEY = "partners:footer:v1"
request_memo.register(FOOTER_CACHE_KEY)  # every page shows the footer


def footer_partners() -> list[dict]:
    rows = request_memo.get(FOOTER_CACHE_KEY)
    if rows is None:
        rows = [{"name": p.name, "url": p.home_url, "description": p.description, "icon": p.icon}
                for p in Partner.objects.filter(is_active=True, show_in_footer=True)]
        cache.set(FOOTER_CACHE_KEY, rows, 300)
    return rows


def forget_footer() -> None:
    request_memo.forget(FOOTER_CACHE_KEY)
    cache.delete(FOOTER_CACHE_KEY)
