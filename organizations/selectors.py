"""Reads on the organisation tree that more than one place needs."""

from datetime import date, timedelta

from django.utils import timezone

from .domain.tree import ancestor_path, ancestor_paths
from .models import CalendarOverride, HolidaySchedule, Organization


def organization_list(*, kind: str | None = None, parent: Organization | None = None, q: str | None = None):
    qs = Organization.objects.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("path")


def work_calendar(around: date | None = None):
    """The working calendar (`organizations.domain.calendar.Calendar`) for the year of `around`
    (default today) and the years either side: declared days (imported schedules and manual
    overrides, a few dozen rows a year) and the years with an imported official schedule, in one
    query. Every deadline, sweep, roster and station reads the calendar through this."""
    from .domain.calendar import Calendar, Entry

    year = (around or timezone.localdate()).year
    entries, confirmed = {}, set()
    rows = CalendarOverride.objects.filter(date__year__in=[year - 1, year, year + 1]).values_list(
        "date", "is_workday", "note", "schedule__year")
    for day, workday, note, schedule_year in rows:
        entries[day] = Entry(bool(workday), note, official=schedule_year is not None)
        if schedule_year is not None:
            confirmed.add(schedule_year)
    return Calendar(entries=entries, confirmed_years=frozenset(confirmed))


def calendar_overrides(around: date | None = None):
    """Kept name: the working calendar (see `work_calendar`)."""
    return work_calendar(around)


def calendar_status(today: date | None = None) -> dict:
    """This year's and next year's schedule: confirmed (imported or known to the package) or
    provisional, and whether administrators must be warned (from 1 October, next year unconfirmed;
    any time, this year unconfirmed). Read by the admin dashboard and /healthz (one query)."""
    from .domain.calendar import WARN_FROM_MONTH, package_covers

    today = today or timezone.localdate()
    years = [today.year, today.year + 1]
    imported = dict(HolidaySchedule.objects.filter(year__in=years).values_list("year", "notice_title"))

    def state(year):
        if year in imported:
            return {"year": year, "confirmed": True, "source": "official", "notice": imported[year]}
        if package_covers(year):
            return {"year": year, "confirmed": True, "source": "package", "notice": ""}
        return {"year": year, "confirmed": False, "source": "provisional", "notice": ""}

    this, nxt = state(today.year), state(today.year + 1)
    warn = [s["year"] for s in (this, nxt) if not s["confirmed"] and (s is this or today.month >= WARN_FROM_MONTH)]
    return {"today": today, "this_year": this, "next_year": nxt, "warn_years": warn}


def ancestors(org: Organization):
    """Ancestors, root first, in one query."""
    return list(Organization.objects.filter(path__in=ancestor_paths(org.path)).order_by("depth"))


def city_of(org: Organization) -> Organization | None:
    """The city-level organisation an organisation belongs to (itself if it is one)."""
    if org.kind == "city":
        return org
    for a in reversed(ancestors(org)):
        if a.kind == "city":
            return a
    return None


def on_duty_users(org: Organization, at=None) -> list:
    """Users on duty for `org` at `at` (default now): `on_duty_users_by_org` for one organisation."""
    return on_duty_users_by_org([org], at)[org.pk]


def on_duty_users_by_org(orgs, at=None) -> dict[int, list]:
    """Users on duty at `at` (default now) for each organisation, in at most three queries however
    many organisations.

    When an organisation keeps a roster (any shift on that day), the staff whose shift covers `at`;
    an organisation with no roster for the day falls back to its duty-role staff, so a new branch is
    never without someone to answer. Callers should not read shifts or memberships directly."""
    from django.utils import timezone

    from .models import DutyShift, StaffMembership, StaffRole

    at = at or timezone.now()
    org_ids = {o.pk for o in orgs}
    day_start = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    shifts = DutyShift.objects.filter(organization_id__in=org_ids, cancelled_at__isnull=True,
                                      starts_at__lt=day_start + timedelta(days=1), ends_at__gt=day_start)
    ids: dict[int, list[int]] = {pk: [] for pk in org_ids}
    rostered = set()
    for org_id, user_id, starts, ends in shifts.values_list("organization_id", "user_id", "starts_at", "ends_at"):
        rostered.add(org_id)
        if starts <= at < ends:
            ids[org_id].append(user_id)
    if org_ids - rostered:
        for org_id, user_id in (StaffMembership.objects.active().filter(organization_id__in=org_ids - rostered, role=StaffRole.DUTY)
                                .values_list("organization_id", "user_id")):
            ids[org_id].append(user_id)
    return _users_by_org(ids)


def liaison_users(org: Organization) -> list:
    return liaison_users_by_org([org])[org.pk]


def liaison_users_by_org(orgs) -> dict[int, list]:
    """Each organisation's active liaison officers, in two queries however many organisations."""
    from .models import StaffMembership, StaffRole

    ids: dict[int, list[int]] = {o.pk: [] for o in orgs}
    for org_id, user_id in (StaffMembership.objects.active().filter(organization_id__in=ids, role=StaffRole.LIAISON)
                            .values_list("organization_id", "user_id")):
        ids[org_id].append(user_id)
    return _users_by_org(ids)


def _users_by_org(ids: dict[int, list[int]]) -> dict[int, list]:
    """{org id: [user id]} → {org id: [active user]}, one query, each user once per organisation."""
    from django.contrib.auth import get_user_model

    wanted = {pk for pks in ids.values() for pk in pks}
    users = get_user_model().objects.in_bulk(wanted) if wanted else {}
    return {org_id: [users[pk] for pk in dict.fromkeys(pks) if pk in users and users[pk].is_active]
            for org_id, pks in ids.items()}


def parents_by_org(orgs) -> dict[int, Organization | None]:
    """Each organisation's parent (None at the root), in one query."""
    wanted = {o.pk: ancestor_path(o.path, o.depth - 1) for o in orgs}
    found = {p.path: p for p in Organization.objects.filter(path__in={p for p in wanted.values() if p})}
    return {pk: found.get(path) for pk, path in wanted.items()}


def platform_office() -> Organization | None:
    """The provincial platform-building office (广东“青年之声”平台建设办公室), or None if none is set up."""
    return Organization.objects.filter(is_platform_office=True, is_active=True).first()


def platform_office_users(at=None) -> list:
    """Who answers for the platform-building office at `at`: its active office staff (role
    `platform_office`) and whoever its duty roster has on duty. Empty when there is no office."""
    from .models import StaffMembership, StaffRole

    office = platform_office()
    if office is None:
        return []
    staff = _users_by_org({office.pk: list(StaffMembership.objects.active().filter(
        organization=office, role=StaffRole.PLATFORM_OFFICE).values_list("user_id", flat=True))})[office.pk]
    return list({u.pk: u for u in [*staff, *on_duty_users(office, at)]}.values())


def is_platform_office_staff(user) -> bool:
    """Does `user` work for the platform-building office (its office-staff role)?"""
    from .models import StaffMembership, StaffRole

    if not getattr(user, "is_authenticated", False):
        return False
    return StaffMembership.objects.active().filter(
        user=user, role=StaffRole.PLATFORM_OFFICE, organization__is_platform_office=True).exists()


def upward_recipients(org: Organization, at=None) -> dict[str, list]:
    """Who a report upward from `org` reaches [A1.8]: the platform-building office (its staff and
    duty roster) and the parent organisation's liaison officers and on-duty staff (its roster, or its
    duty-role staff when it keeps none for the day). At the root, only the office."""
    parent = parents_by_org([org])[org.pk]
    office = platform_office_users(at)
    liaison = liaison_users(parent) if parent is not None else []
    duty = on_duty_users(parent, at) if parent is not None else []
    return {"office": office, "parent_liaison": liaison, "parent_duty": duty}
