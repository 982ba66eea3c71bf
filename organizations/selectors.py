"""Reads on the organisation tree that more than one place needs."""

from datetime import date, timedelta

from django.utils import timezone

from .models import CalendarOverride, Organization


def organization_list(*, kind: str | None = None, parent: Organization | None = None, q: str | None = None):
    qs = Organization.objects.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("path")


def calendar_overrides(around: date | None = None) -> dict[date, bool]:
    """Admin overrides of the working calendar (a few dozen rows a year) for the year of `around`
    (default today) and the years either side, as `organizations.domain.calendar` wants them."""
    year = (around or timezone.localdate()).year
    qs = CalendarOverride.objects.filter(date__year__in=[year - 1, year, year + 1])
    return dict(qs.values_list("date", "is_workday"))


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
    """Users on duty for `org` at `at` (default now).

    When the organisation keeps a roster (any shift on that day), the staff whose shift covers `at`;
    an organisation with no roster for the day falls back to its duty-role staff, so a new branch is
    never without someone to answer. Callers should not read shifts or memberships directly."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from .models import DutyShift, StaffMembership, StaffRole

    at = at or timezone.now()
    day_start = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    shifts = DutyShift.objects.filter(organization=org, cancelled_at__isnull=True)
    if shifts.filter(starts_at__lt=day_start + timedelta(days=1), ends_at__gt=day_start).exists():
        users = shifts.filter(starts_at__lte=at, ends_at__gt=at).values("user_id")
    else:
        users = StaffMembership.objects.active().filter(organization=org, role=StaffRole.DUTY).values("user_id")
    return get_user_model().objects.filter(pk__in=users, is_active=True)


def liaison_users(org: Organization):
    from django.contrib.auth import get_user_model

    from .models import StaffMembership, StaffRole

    staff = StaffMembership.objects.active().filter(organization=org, role=StaffRole.LIAISON).values("user_id")
    return get_user_model().objects.filter(pk__in=staff, is_active=True)
