"""The League organisation tree and who works for which organisation.

The tree is a treebeard materialised path (Wagtail ships treebeard), so "this organisation and
everything below it" is one indexed `path LIKE 'prefix%'` query, which is what every permission
check needs.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .domain.tree import in_subtree


class OrganizationKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("District / county")
    UNIVERSITY = "university", _("University")
    DEPARTMENT = "department", _("Provincial department / unit")


class Organization(MP_Node):
    name = models.CharField(_("name"), max_length=80)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=OrganizationKind.choices, db_index=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, allow_unicode=True)
    adcode = models.CharField(
        _("region code"), max_length=12, unique=True, null=True, blank=True,
        help_text=_("National administrative division code (adcode), for regional organisations."),
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_platform_office = models.BooleanField(
        _("platform-building office"), default=False,
        help_text=_("The provincial platform-building office (平台建设办公室): monitoring alerts are reported to it "
                    "and their handling is fed back to it [A1.8]. At most one organisation."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Groups that carry this organisation's Wagtail page permissions (see services.ensure_groups).
    editors_group = models.OneToOneField(
        "auth.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="editing_organization", editable=False
    )
    admins_group = models.OneToOneField(
        "auth.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="administered_organization", editable=False
    )

    node_order_by = None

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["is_platform_office"], condition=models.Q(is_platform_office=True),
                                    name="uniq_platform_office"),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def is_descendant_or_self(self, other: "Organization") -> bool:
        return in_subtree(self.path, [other.path])


class StaffRole(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    EDITOR = "editor", _("Editor")
    LIAISON = "liaison", _("Liaison officer")
    DUTY = "duty", _("Duty staff")
    STATION_ADMIN = "station_admin", _("Station administrator")
    MODERATOR = "moderator", _("Moderator")
    PLATFORM_OFFICE = "platform_office", _("Platform-building office staff")


# Which roles may do what. Every permission check in the project names one of these sets.
ADMIN_ROLES = frozenset({StaffRole.ORG_ADMIN})
EDITORIAL_ROLES = frozenset({StaffRole.ORG_ADMIN, StaffRole.EDITOR, StaffRole.LIAISON})
PUBLISHING_ROLES = frozenset({StaffRole.ORG_ADMIN, StaffRole.LIAISON})
ANSWERING_ROLES = frozenset({StaffRole.ORG_ADMIN, StaffRole.LIAISON, StaffRole.DUTY})
MODERATION_ROLES = frozenset({StaffRole.ORG_ADMIN, StaffRole.MODERATOR, StaffRole.LIAISON})
ALL_STAFF_ROLES = frozenset(StaffRole)


class StaffMembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class StaffMembership(models.Model):
    """A user working for an organisation in one role. Ended memberships are kept (soft)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="staff_memberships")
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(max_length=200, blank=True)

    objects = StaffMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"],
                condition=models.Q(is_active=True),
                name="uniq_active_staff_membership",
            )
        ]
        indexes = [models.Index(fields=["organization", "role"], name="staff_org_role_idx")]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class ShiftKind(models.TextChoices):
    WORKDAY = "workday", _("Workday duty")
    HOLIDAY = "holiday", _("Holiday duty")


class DutyShift(models.Model):
    """One staff member on duty for an organisation over a period [A1.7]. Workday shifts are kept by
    the organisation; holiday shifts are the holiday duty it reports through the platform."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="duty_shifts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_shifts")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    kind = models.CharField(_("kind"), max_length=8, choices=ShiftKind.choices, default=ShiftKind.WORKDAY)
    phone = models.CharField(_("duty phone"), max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        indexes = [models.Index(fields=["organization", "starts_at", "ends_at"], name="dutyshift_org_time_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="dutyshift_ends_after_start")]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.starts_at:%Y-%m-%d %H:%M}"


class HolidaySchedule(models.Model):
    """A year's official holiday schedule (the State Council's yearly notice of holidays and 调休
    make-up workdays), imported by a provincial administrator: its days are `CalendarOverride` rows
    pointing here. A year with a schedule is confirmed; a year without one (and unknown to the
    chinese-calendar package) runs on the provisional calendar (organizations.domain.calendar)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    notice_title = models.CharField(_("notice title"), max_length=200,
                                    help_text=_("e.g. 国务院办公厅关于2027年部分节假日安排的通知"))
    notice_url = models.URLField(_("notice URL"), max_length=500, blank=True)
    notice_date = models.DateField(_("notice date"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("holiday schedule")
        verbose_name_plural = _("holiday schedules")

    def __str__(self):
        return f"{self.year} · {self.notice_title}"


class CalendarOverride(models.Model):
    """A declared day: a row of an imported yearly schedule (`schedule` set), or a day the
    administrators declare a workday or a day off by hand. Wins over every other source of the
    working calendar. Read by every deadline and roster through `organizations.selectors.work_calendar`."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("workday"))
    note = models.CharField(_("note"), max_length=100, blank=True, help_text=_("e.g. 国庆节 or 调休上班"))
    schedule = models.ForeignKey(HolidaySchedule, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="days", verbose_name=_("holiday schedule"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self):
        return f"{self.date} {'workday' if self.is_workday else 'day off'}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CadreApplication(models.Model):
    """A signed-up user asks for a staff role in an organisation under their real name, with their
    position and a proof (e.g. a scan of the appointment letter). The organisation's administrator, or
    one above it, decides (organizations.services.decide_cadre_application)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cadre_applications")
    organization = models.ForeignKey(Organization, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="cadre_applications")
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices, default=StaffRole.LIAISON)
    real_name = models.CharField(_("real name"), max_length=40)
    position = models.CharField(_("position"), max_length=60)
    proof = models.FileField(_("proof"), upload_to="private/cadre_proofs/%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.PENDING, db_index=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cadre application")
        verbose_name_plural = _("cadre applications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "organization"], condition=models.Q(status="pending"),
                                               name="uniq_pending_cadre_application")]

    def __str__(self):
        return f"{self.real_name} · {self.organization} · {self.get_status_display()}"
