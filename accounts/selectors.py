"""Who may see a user's personal data in the clear, and the values each viewer gets.

The rule [A1.11]: the owner sees their own data; staff see the data of users who belong to an
organisation in their subtree (provincial administrators and superusers: everyone); everybody else
(the public, youths, staff of other branches) sees it masked by accounts.domain.masking. Every clear
view by someone other than the owner is written to the access log (accounts.PersonalDataAccess).
"""

from organizations.permissions import can_act, is_superuser

from .domain.masking import mask
from .otp import is_provincial_admin

PERSONAL_FIELDS = ("phone", "real_name", "id_number")


def may_see_personal_data(viewer, subject, organization=None) -> bool:
    """May `viewer` see `subject`'s personal data? Without a subject (a name typed into a record),
    `organization` (where the record's person is) decides."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return False
    if is_superuser(viewer) or (subject is not None and viewer.pk == subject.pk):
        return True
    if subject is not None:
        organization = getattr(subject, "organization", None)
    if organization is None:
        return is_provincial_admin(viewer)
    return can_act(viewer, organization)


def reveal(viewer, subject, values: dict[str, str | None], *, where: str, request=None, allowed: bool | None = None,
           organization=None, label: str = "") -> dict[str, str]:
    """The personal-data `values` ({field: value}) of `subject` as `viewer` may see them: in the
    clear (and logged) or masked. `allowed` overrides the subtree rule where a feature has its own
    (e.g. an activity's organisers see the phone numbers people gave them)."""
    if allowed is None:
        allowed = may_see_personal_data(viewer, subject, organization)
    if not allowed:
        return {field: mask(field, value) for field, value in values.items()}
    if any(values.values()):
        from .services import record_personal_data_access

        record_personal_data_access(viewer=viewer, subjects=[subject], fields=[f for f, v in values.items() if v],
                                    where=where, request=request, label=label)
    return {field: value or "" for field, value in values.items()}


def default_organization_for(user):
    """The branch a user's questions, bookings and feeds default to: their location (the district,
    county or university they chose at sign-up or in their profile), else the province."""
    from organizations.models import Organization

    org = getattr(user, "organization", None) if user is not None and getattr(user, "pk", None) else None
    if org is not None and org.is_active:
        return org
    return Organization.objects.filter(depth=1).order_by("path").first()


def location_choices():
    """Organisations a user may give as their location: active districts/counties and universities (and
    cities, for those who do not know their district), ordered as in the tree."""
    from organizations.models import Organization, OrganizationKind

    return (Organization.objects.filter(is_active=True, kind__in=[OrganizationKind.CITY, OrganizationKind.COUNTY,
                                                                  OrganizationKind.UNIVERSITY])
            .order_by("path"))


def export_personal_data(user) -> dict:
    """A copy of what the platform holds about `user` (PIPL art. 45), as JSON-ready data."""
    from . import hooks
    from .models import Consent

    def iso(value):
        return value.isoformat() if value else None

    data = {
        "account": {
            "username": user.username, "display_name": user.display_name, "mobile": user.phone,
            "mobile_verified_at": iso(user.phone_verified_at), "email": user.email, "real_name": user.real_name,
            "real_name_status": user.real_name_status, "birth_year": user.birth_year,
            "guardian_mobile": user.guardian_phone or None,
            "location": user.organization.name if user.organization_id else None,
            "service_domains": list(user.service_domains or []),
            "notifications": {"site": user.notify_site, "email": user.notify_email, "sms": user.notify_sms},
            "points": user.points, "level": user.level, "joined": iso(user.date_joined), "last_login": iso(user.last_login),
        },
        "consents": [{"kind": c.kind, "version": c.version, "given_at": iso(c.given_at)}
                     for c in Consent.objects.filter(user=user).order_by("given_at")],
        "cadre_applications": [
            {"organization": a.organization.name, "role": a.role, "real_name": a.real_name, "position": a.position,
             "status": a.status, "reason": a.reason, "created_at": iso(a.created_at)}
            for a in user.cadre_applications.select_related("organization").order_by("pk")],
    }
    # What the apps above accounts hold (community: questions, answers, comments; stations: bookings).
    for provider in hooks.personal_data:
        if provider.export is not None:
            data.update(provider.export(user))
    return data
