"""Reads on the organisation tree that more than one place needs."""

from .models import Organization


def organization_list(*, kind: str | None = None, parent: Organization | None = None, q: str | None = None):
    qs = Organization.objects.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("path")


def ancestors(org: Organization):
    """Ancestors, root first, in one query."""
    steplen = Organization.steplen
    paths = [org.path[:i] for i in range(steplen, len(org.path), steplen)]
    return list(Organization.objects.filter(path__in=paths).order_by("depth"))


def city_of(org: Organization) -> Organization | None:
    """The city-level organisation an organisation belongs to (itself if it is one)."""
    if org.kind == "city":
        return org
    for a in reversed(ancestors(org)):
        if a.kind == "city":
            return a
    return None


def on_duty_users(org: Organization, at=None):
    """Users on duty for `org` at `at` (default now): its staff in the duty role.

    The duty-roster work (staff, rosters and appraisal) narrows this to the roster's shift at `at`
    and keeps this signature; callers should not read StaffMembership directly."""
    from django.contrib.auth import get_user_model

    from .models import StaffMembership, StaffRole

    staff = StaffMembership.objects.active().filter(organization=org, role=StaffRole.DUTY).values("user_id")
    return get_user_model().objects.filter(pk__in=staff, is_active=True)


def liaison_users(org: Organization):
    from django.contrib.auth import get_user_model

    from .models import StaffMembership, StaffRole

    staff = StaffMembership.objects.active().filter(organization=org, role=StaffRole.LIAISON).values("user_id")
    return get_user_model().objects.filter(pk__in=staff, is_active=True)
