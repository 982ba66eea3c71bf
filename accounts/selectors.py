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
