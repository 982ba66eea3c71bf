"""The one permission helper. Staff act on their organisation and its descendants only;
provincial administrators (org_admin of the root) and superusers act on everything.

Every write path in the project asks `can_act(user, organization, roles)`; every staff list asks
`organizations_for(user, roles)`. The user's active memberships are read once per request and
cached on the user object.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q

from .models import ALL_STAFF_ROLES, Organization, StaffMembership, StaffRole

_CACHE_ATTR = "_yv_staff_paths"


def staff_paths(user) -> dict[str, frozenset[str]]:
    """role -> tree paths of the organisations where the user holds that role (cached per user object)."""
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        by_role: dict[str, set[str]] = {}
        rows = StaffMembership.objects.active().filter(user=user).values_list("role", "organization__path")
        for role, path in rows:
            by_role.setdefault(role, set()).add(path)
        cached = {role: frozenset(paths) for role, paths in by_role.items()}
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user) -> None:
    """Drop the cached memberships (after they change)."""
    if user is not None and hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _paths_for(user, roles: Iterable[str]) -> set[str]:
    paths_by_role = staff_paths(user)
    result: set[str] = set()
    for role in roles:
        result |= paths_by_role.get(role, frozenset())
    # Keep only the top-most paths: a descendant adds nothing to its ancestor's subtree.
    return {p for p in result if not any(p != q and p.startswith(q) for q in result)}


def is_superuser(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def is_provincial_admin(user) -> bool:
    """Superusers and administrators (org_admin) of a root, i.e. provincial, organisation."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(len(path) == Organization.steplen for path in staff_paths(user).get(StaffRole.ORG_ADMIN, ()))


def second_factor_missing(user) -> bool:
    """The one TOTP rule, for the Wagtail admin and the staff API alike: while `YV_OTP_REQUIRED` is on
    (always in production), a provincial administrator or superuser acts as staff only once their
    session has passed the TOTP step. django-otp's OTPMiddleware gives `request.user` its
    `is_verified()` from the session (the device id `django_otp.login` stored at /accounts/otp/verify/),
    so an API call with the session cookie is verified exactly when the session is."""
    if not getattr(settings, "YV_OTP_REQUIRED", True) or not is_provincial_admin(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def can_act(user, organization: Organization | None, roles: Iterable[str] = ALL_STAFF_ROLES) -> bool:
    """May `user`, in one of `roles`, act on `organization` (which lies in their subtree)?"""
    if user is None or not user.is_authenticated or not user.is_active or organization is None:
        return False
    if user.is_superuser:
        return True
    return any(organization.path.startswith(p) for p in _paths_for(user, roles))


def is_staff_anywhere(user, roles: Iterable[str] = ALL_STAFF_ROLES) -> bool:
    return is_superuser(user) or bool(_paths_for(user, roles))


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
    paths = _paths_for(user, roles)
    if not paths:
        return Organization.objects.none()
    return Organization.objects.filter(subtree_q(paths))


def scope_queryset(queryset, user, org_field: str = "organization", roles: Iterable[str] = ALL_STAFF_ROLES):
    """Filter any queryset with an organisation foreign key to what `user` may act on."""
    if is_superuser(user):
        return queryset
    paths = _paths_for(user, roles)
    if not paths:
        return queryset.none()
    return queryset.filter(subtree_q(paths, prefix=f"{org_field}__"))
