"""The custom user. Roles are not flags here: staff roles are `organizations.StaffMembership`
rows, expert status comes with the alliances app. A user is a youth by default."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(
    r"^1[3-9]\d{9}$",
    _("Enter a valid mainland China mobile number (11 digits starting with 1)."),
)


class RealNameStatus(models.TextChoices):
    NONE = "none", _("Not submitted")
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


# Points needed for each level, lowest first. The rules that award points live in
# accounts/domain/points.py (with the Q&A work); the thresholds are here so every place agrees.
LEVEL_THRESHOLDS = (0, 50, 200, 500, 1000, 2000, 5000, 10000)


def level_for_points(points: int) -> int:
    level = 1
    for index, threshold in enumerate(LEVEL_THRESHOLDS, start=1):
        if points >= threshold:
            level = index
    return level


class User(AbstractUser):
    # The statuses, reachable as get_user_model().RealNameStatus by apps below accounts (organizations).
    RealNameStatus = RealNameStatus

    phone = models.CharField(
        _("mobile number"), max_length=11, unique=True, null=True, blank=True, validators=[phone_validator]
    )
    display_name = models.CharField(_("display name"), max_length=40, blank=True)
    real_name = models.CharField(_("real name"), max_length=40, blank=True)
    real_name_status = models.CharField(
        _("real-name verification"), max_length=10, choices=RealNameStatus.choices, default=RealNameStatus.NONE
    )
    real_name_verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    avatar = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("avatar"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("location"),
        help_text=_("Where the user lives or studies; questions are routed to this organisation."),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
    )
    points = models.PositiveIntegerField(_("points"), default=0)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    # Sign-up, profile and personal-information rights (issue 20, docs/accounts.md)
    phone_verified_at = models.DateTimeField(_("mobile number verified at"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    guardian_phone = models.CharField(_("guardian's mobile number"), max_length=11, blank=True)
    guardian_verified_at = models.DateTimeField(_("guardian's consent verified at"), null=True, blank=True)
    service_domains = models.JSONField(_("service domains of interest"), default=list, blank=True)
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)
    notify_site = models.BooleanField(_("notify in the site"), default=True)
    notify_email = models.BooleanField(_("notify by e-mail"), default=True)
    notify_sms = models.BooleanField(_("notify deadlines by SMS"), default=False)
    closed_at = models.DateTimeField(_("account closed at"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.public_name

    @property
    def public_name(self) -> str:
        """What others see: the display name, else the username, with any mobile number masked
        (many people pick their number as username)."""
        from .domain.masking import mask_phones_in_text

        return mask_phones_in_text(self.display_name or self.username)

    @property
    def is_real_name_verified(self) -> bool:
        return self.real_name_status == RealNameStatus.VERIFIED


CLOSED_ACCOUNT_NAME = "已注销用户"


class SmsPurpose(models.TextChoices):
    SIGNUP = "signup", _("Sign-up")
    LOGIN = "login", _("Login")
    RESET = "reset", _("Password reset")
    CHANGE_PHONE = "change_phone", _("Change of mobile number")
    GUARDIAN = "guardian", _("Guardian's consent")


class PhoneCode(models.Model):
    """One SMS one-time code: only its HMAC is stored; single-use, expires, a few attempts. The rows
    also count the sends for the per-number, per-address and per-day limits (accounts/sms/codes.py)."""

    phone = models.CharField(_("mobile number"), max_length=11, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=SmsPurpose.choices)
    code_hash = models.CharField(max_length=64)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent = models.BooleanField(default=True, help_text=_("False when no SMS was sent (unknown number)."))

    class Meta:
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")
        indexes = [models.Index(fields=["phone", "purpose", "created_at"], name="phonecode_phone_idx"),
                   models.Index(fields=["ip_address", "created_at"], name="phonecode_ip_idx")]


class SmsMessage(models.Model):
    """Every SMS the platform sends, whatever the backend: the outbox backend only writes this row (the
    demo and the tests read codes from it); a real gateway's answer is recorded on it."""

    phone = models.CharField(_("mobile number"), max_length=11, db_index=True)
    template = models.CharField(_("template"), max_length=32)
    params = models.JSONField(default=list)
    body = models.CharField(_("text"), max_length=300)
    backend = models.CharField(max_length=60)
    status = models.CharField(max_length=16, default="sent")
    provider_id = models.CharField(max_length=80, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        ordering = ["-pk"]


class ConsentKind(models.TextChoices):
    PRIVACY = "privacy", _("Privacy policy")
    SENSITIVE = "sensitive", _("Sensitive personal information")
    GUARDIAN = "guardian", _("Guardian's consent (under 14)")


class Consent(models.Model):
    """A consent given under the Personal Information Protection Law: which text (kind + version),
    when, from where. Kept after an account is closed only as the anonymised row."""

    user = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="consents")
    kind = models.CharField(_("kind"), max_length=12, choices=ConsentKind.choices)
    version = models.CharField(_("version"), max_length=20)
    given_at = models.DateTimeField(_("given at"))
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]


class BlockedPhone(models.Model):
    """A number that may not sign up again: the hash of a banned account's number kept when it closes."""

    phone_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class PersonalDataAccess(models.Model):
    """One staff view of a user's personal data (mobile number, real name, ID number) in the clear.

    Written by accounts.services.record_personal_data_access from every place that shows such data
    unmasked to someone other than its owner; read by provincial administrators in the admin."""

    viewer = models.ForeignKey(
        "accounts.User", verbose_name=_("viewed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(
        "accounts.User", verbose_name=_("whose data"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_label = models.CharField(_("whose data (label)"), max_length=150, blank=True)
    fields = models.CharField(_("fields"), max_length=120)
    where = models.CharField(_("where"), max_length=200)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    accessed_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-accessed_at", "-pk"]
        indexes = [models.Index(fields=["subject", "accessed_at"], name="pda_subject_idx"),
                   models.Index(fields=["viewer", "accessed_at"], name="pda_viewer_idx")]

    def __str__(self):
        return f"{self.viewer_id} → {self.subject_label or self.subject_id}: {self.fields} @ {self.where}"


class LoginFailure(models.Model):
    """One failed login, counted per account, per client address and per known browser (device
    cookie) by accounts.security. Rows older than a day are pruned as new ones are written."""

    account = models.CharField(_("account"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    device = models.CharField(_("known browser"), max_length=32, blank=True)
    at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [models.Index(fields=["account", "at"], name="loginfail_account_idx"),
                   models.Index(fields=["ip_address", "at"], name="loginfail_ip_idx"),
                   models.Index(fields=["device", "at"], name="loginfail_device_idx")]

    def __str__(self):
        return f"{self.account} @ {self.ip_address} {self.at:%Y-%m-%d %H:%M:%S}"
