"""Who may read which KPIs, and which date ranges are allowed: one place for the API, the admin
dashboard and the exports."""

from datetime import date

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.errors import Invalid, forbidden, not_found
from organizations import permissions
from organizations.models import ALL_STAFF_ROLES, Organization

from .domain.periods import check_range

MIN_YEAR, MAX_YEAR = 2000, 2100
DEFAULT_MAX_RANGE_DAYS = {"day": 366, "week": 732, "month": 1830, "year": 3660, "range": 366}


def max_range_days() -> dict[str, int]:
    return {**DEFAULT_MAX_RANGE_DAYS, **getattr(settings, "INSIGHTS_MAX_RANGE_DAYS", {})}


def organization_for(user, org_id) -> Organization:
    """The organisation, if `user` is staff of it or of an ancestor (else 403; unknown: 404)."""
    org = Organization.objects.filter(pk=org_id).first() if 0 < int(org_id) < 2**31 else None
    if org is None:
        raise not_found("组织", "Organisation")
    if not permissions.can_act(user, org, ALL_STAFF_ROLES):
        raise forbidden()
    return org


def checked_range(first: date, last: date, granularity: str) -> tuple[date, date]:
    if not (MIN_YEAR <= first.year <= MAX_YEAR and MIN_YEAR <= last.year <= MAX_YEAR):
        raise Invalid(_("Dates must lie between %(MIN_YEAR)s and %(MAX_YEAR)s"),
                      params={"MIN_YEAR": MIN_YEAR, "MAX_YEAR": MAX_YEAR},
                      fields={"from": "out of range"})
    reason = check_range(first, last, granularity, max_range_days())
    if reason == "inverted range":
        raise Invalid(_("The end date is before the start date"), fields={"to": reason})
    if reason:
        # xgettext:no-python-format
        raise Invalid(_("The date range is too long (%(reason)s)"), params={"reason": reason}, fields={"from": reason})
    return first, last


def home_organization(user) -> Organization | None:
    """The top organisation of the user's staff subtree (for the dashboard's default)."""
    return permissions.organizations_for(user, ALL_STAFF_ROLES).order_by("depth", "path").first()
