"""The one permission helper. Staff act on their organisation and its descendants only;
provincial administrators (org_admin of the root) and superusers act on everything.

Every write path in the project asks `can_act(user, organization, roles)`; every staff list asks
`organizations_for(user, roles)`. The user's active memberships are read once per request and
cached on the user object.

The second factor is part of the lookup (issue 25, finding 2): while `YV_OTP_REQUIRED` is on, the
session of a user who must use TOTP (a provincial administrator or superuser) holds no staff role and
no superuser power until it has passed the TOTP step (`second_factor_missing`). Every helper below
reads the memberships through `staff_paths`, so site views, exports, the API and the admin's policies
all see the same answer without asking.
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db.models import Q

from core import request_memo

from .domain.tree import in_subtree, top_most
from .models import ALL_STAFF_ROLES, Organization, StaffMembership, StaffRole

_CACHE_ATTR = "_yv_staff_paths"


def staff_paths(user) -> dict[str, frozenset[str]]:
    """role -> tree paths of the organisations where the user holds that role, as far as this session
    may use them: nothing for a session still missing its second factor."""
    if second_factor_missing(user):
        return {}
    return _membership_paths(user)


def _membership_paths(user) -> dict[str, frozenset[str]]:
    """role -> tree paths of the user's active memberships (cached per user object, and across
    requests in the cache: `membership_rows`), whatever the session."""
    return role_paths(user, _CACHE_ATTR, lambda: membership_rows(user))


MEMBERSHIP_GENERATION_KEY = "perm:membership-generation"
request_memo.register(MEMBERSHIP_GENERATION_KEY)  # a logged-in page reads it
MEMBERSHIP_TTL = 300


def membership_rows(user) -> list[tuple[str, str]]:
    """(role, organisation path) of the user's active memberships. Every page a logged-in user opens
    asks (the question page: may they answer?), so the rows are cached per user under a generation
    that any change of a membership or an organisation bumps (`forget_memberships`, connected in
    OrganizationsConfig.ready)."""
    from django.core.cache import cache

    generation = request_memo.get(MEMBERSHIP_GENERATION_KEY)
    if generation is None:
        cache.add(MEMBERSHIP_GENERATION_KEY, 1, None)
        request_memo.forget(MEMBERSHIP_GENERATION_KEY)
        generation = cache.get(MEMBERSHIP_GENERATION_KEY) or 1
    key = f"perm:memberships:{user.pk}:{generation}"
    rows = cache.get(key)
    if rows is None:
        rows = list(StaffMembership.objects.active().filter(user=user).values_list("role", "organization__path"))
        cache.set(key, rows, MEMBERSHIP_TTL)
    return rows


def forget_memberships(**kwargs) -> None:
    """Every user's cached membership rows are stale (a membership or an organisation changed)."""
    from django.core.cache import cache

    request_memo.forget(MEMBERSHIP_GENERATION_KEY)
    try:
        cache.incr(MEMBERSHIP_GENERATION_KEY)
    except ValueError:
        cache.set(MEMBERSHIP_GENERATION_KEY, 2, None)


def role_paths(user, cache_attr: str, rows: Callable[[], Iterable[tuple[str, str]]]) -> dict[str, frozenset[str]]:
    """role -> tree paths from `rows()` ((role, organisation path) pairs, one query), read once per
    user object (cached on it as `cache_attr`). Staff memberships here, appeal handlers in appeals."""
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(user, cache_attr, None)
    if cached is None:
        by_role: dict[str, set[str]] = {}
        for role, path in rows():
            by_role.setdefault(role, set()).add(path)
        cached = {role: frozenset(paths) for role, paths in by_role.items()}
        setattr(user, cache_attr, cached)
    return cached


def forget(user, cache_attr: str = _CACHE_ATTR) -> None:
    """Drop the cached memberships (after they change)."""
    if user is not None and hasattr(user, cache_attr):
        delattr(user, cache_attr)


def paths_for(user, roles: Iterable[str] | None = None,
              source: Callable[[object], dict[str, frozenset[str]]] = staff_paths) -> set[str]:
    """The top-most tree paths where `user` holds one of `roles` (any role: None) by `source`."""
    paths_by_role = source(user)
    result: set[str] = set()
    for role in paths_by_role if roles is None else roles:
        result |= paths_by_role.get(role, frozenset())
    return top_most(result)


def is_superuser(user) -> bool:
    """A superuser whose session may use that power (it has passed the TOTP step where required)."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser
                and not second_factor_missing(user))


def _holds_provincial_role(user) -> bool:
    """Superuser, or org_admin of a root organisation, whatever the session (who must use TOTP)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(len(path) == Organization.steplen
               for path in _membership_paths(user).get(StaffRole.ORG_ADMIN, ()))


def totp_required(user) -> bool:
    """Must this user pass the TOTP step (and enrol a device)? While `YV_OTP_REQUIRED` is on (always in
    production): superusers and administrators of the root (provincial) organisation."""
    return bool(getattr(settings, "YV_OTP_REQUIRED", True)) and _holds_provincial_role(user)


def is_provincial_admin(user) -> bool:
    """Superusers and administrators (org_admin) of a root, i.e. provincial, organisation, in a session
    that may act as such."""
    return _holds_provincial_role(user) and not second_factor_missing(user)


def second_factor_missing(user) -> bool:
    """THE second-factor rule, for every staff capability wherever it is reached (site views, exports,
    the API, the Wagtail admin): a user who must use TOTP (`totp_required`) acts as staff only once
    their session has passed the TOTP step. django-otp's OTPMiddleware gives `request.user` its
    `is_verified()` from the session (the device id `django_otp.login` stored at /accounts/otp/verify/),
    so a page, an export or an API call with the session cookie is verified exactly when the session is.
    A user object that did not come through a request (no `is_verified`: shell, commands, the demo
    loader) is not a session and is not gated."""
    is_verified = getattr(user, "is_verified", None)
    if not callable(is_verified) or not totp_required(user):
        return False
    return not is_verified()


def can_act(user, organization: Organization | None, roles: Iterable[str] = ALL_STAFF_ROLES) -> bool:
    """May `user`, in one of `roles`, act on `organization` (which lies in their subtree)?"""
    return holds_over(user, organization, roles)


def holds_over(user, organization: Organization | None, roles: Iterable[str],
               source: Callable[[object], dict[str, frozenset[str]]] = staff_paths) -> bool:
    """THE subtree rule: `user` holds one of `roles` (read by `source`: staff memberships, or appeal
    handlers in appeals.permissions) at `organization` or an ancestor of it; superusers hold all."""
    if user is None or not user.is_authenticated or not user.is_active or organization is None:
        return False
    if is_superuser(user):
        return True
    return in_subtree(organization.path, paths_for(user, roles, source))


def is_staff_anywhere(user, roles: Iterable[str] = ALL_STAFF_ROLES) -> bool:
    return is_superuser(user) or bool(paths_for(user, roles))


def subtree_q(paths: Iterable[str], prefix: str = "") -> Q:
    """Q matching organisations (or rows pointing at one through `prefix`) inside the given subtrees."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def organizations_for(user, roles: Iterable[str] = ALL_STAFF_ROLES):
    """The organisations `user` may act on in one of `roles`."""
    if is_superuser(user):
        return Organization.objects.all()
    paths = paths_for(user, roles)
    if not paths:
        return Organization.objects.none()
    return Organization.objects.filter(subtree_q(paths))


def scope_queryset(queryset, user, org_field: str = "organization", roles: Iterable[str] = ALL_STAFF_ROLES):
    """Filter any queryset with an organisation foreign key to what `user` may act on."""
    if is_superuser(user):
        return queryset
    paths = paths_for(user, roles)
    if not paths:
        return queryset.none()
    return queryset.filter(subtree_q(paths, prefix=f"{org_field}__"))
