"""The logged-in frame of every page, computed once per user instead of once per request (issue 23).

`{% yv_userbar %}` is Wagtail's `{% wagtailuserbar %}` for the few who may use the admin: whether the
user may is cached per user (Wagtail asks the database twice on every page for every logged-in
youth, who never may). The flag's key carries the user's superuser/active bits and a generation that
any change of groups or permissions bumps (accounts.templatetags.yv_frame.connect, from AccountsConfig).
"""

from django import template
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

from core import request_memo

register = template.Library()

GENERATION_KEY = "frame:perm-generation"
request_memo.register(GENERATION_KEY)
TTL = 3600


def _generation() -> int:
    value = request_memo.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, None)
        request_memo.forget(GENERATION_KEY)
        value = cache.get(GENERATION_KEY) or 1
    return value


def bump(**kwargs) -> None:
    request_memo.forget(GENERATION_KEY)
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def may_access_admin(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    key = f"frame:admin:{user.pk}:{int(user.is_superuser)}:{int(user.is_active)}:{_generation()}"
    value = cache.get(key)
    if value is None:
        value = int(_has_admin_access(user))
        cache.set(key, value, TTL)
    return value == 1


def _has_admin_access(user) -> bool:
    """user.has_perm("wagtailadmin.access_admin") for the model backend in one query instead of two
    (the user's own permissions, then their groups')."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Permission.objects.filter(
        Q(user=user) | Q(group__user=user), codename="access_admin", content_type__app_label="wagtailadmin",
    ).exists()


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(bump, sender=through, dispatch_uid=f"yv_frame_{through.__name__}")
    for model in (Group, Permission):
        post_save.connect(bump, sender=model, dispatch_uid=f"yv_frame_saved_{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"yv_frame_deleted_{model.__name__}")


@register.simple_tag(takes_context=True)
def yv_userbar(context, position="bottom-right"):
    request = context.get("request")
    if not may_access_admin(getattr(request, "user", None)):
        return ""
    from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

    return wagtailuserbar(context, position)
