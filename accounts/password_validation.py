"""Password length by role: staff hold other people's data, so their passwords are longer."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def is_staff_account(user) -> bool:
    """Staff for password purposes: is_staff, superusers, or any active staff membership."""
    if user is None:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    if getattr(user, "pk", None) is None:
        return False
    from organizations.models import StaffMembership

    return StaffMembership.objects.active().filter(user_id=user.pk).exists()


class RoleMinimumLengthValidator:
    """At least `staff_min_length` characters for staff accounts, `min_length` for everyone else."""

    def __init__(self, min_length: int = 8, staff_min_length: int = 12):
        self.min_length = min_length
        self.staff_min_length = staff_min_length

    def required_length(self, user=None) -> int:
        return self.staff_min_length if is_staff_account(user) else self.min_length

    def validate(self, password, user=None):
        required = self.required_length(user)
        if len(password) < required:
            raise ValidationError(
                ngettext(
                    "This password is too short. It must contain at least %(min_length)d character.",
                    "This password is too short. It must contain at least %(min_length)d characters.",
                    required,
                ),
                code="password_too_short",
                params={"min_length": required},
            )

    def get_help_text(self):
        return _("Your password must contain at least %(min_length)d characters (%(staff_min_length)d for staff).") % {
            "min_length": self.min_length, "staff_min_length": self.staff_min_length}
