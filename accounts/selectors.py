"""Who may see a user's personal data in the clear, and the masked/unmasked values themselves.

The rule [A1.11]: the owner sees their own data; staff see the data of users who belong to an
organisation in their subtree (provincial administrators and superusers: everyone); everybody else
(the public, youths, staff of other branches) sees it masked by accounts.domain.masking.
"""

from organizations.permissions import can_act, is_superuser

from .domain.masking import mask
from .otp import is_provincial_admin

PERSONAL_FIELDS = ("phone", "real_name", "id_number")


def may_see_personal_data(viewer, subject) -> bool:
    if viewer is None or not getattr(viewer, "is_authenticated", False) or subject is None:
        return False
    if viewer.pk == subject.pk or is_superuser(viewer):
        return True
    organization = getattr(subject, "organization", None)
    if organization is None:
        return is_provincial_admin(viewer)
    return can_act(viewer, organization)


def shown(viewer, subject, field: str, value: str | None, *, allowed: bool | None = None) -> str:
    """`value` of `subject`'s personal-data `field`, masked unless `viewer` may see it."""
    if allowed is None:
        allowed = may_see_personal_data(viewer, subject)
    return (value or "") if allowed else mask(field, value)
