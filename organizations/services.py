"""Writes on organisations and staff. One function per action, keyword-only arguments:
permission check, validation, save, audit, then side effects on commit."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.log_actions import log

from core.changes import save_changes
from core.errors import Conflict, Invalid, bilingual, forbidden

from . import hooks, permissions, signals
from .models import (
    ADMIN_ROLES,
    EDITORIAL_ROLES,
    PUBLISHING_ROLES,
    Organization,
    OrganizationKind,
    StaffMembership,
    StaffRole,
)

# Which kinds may sit under which. The province is the single root.
ALLOWED_CHILD_KINDS: dict[str, set[str]] = {
    OrganizationKind.PROVINCE: {OrganizationKind.CITY, OrganizationKind.UNIVERSITY, OrganizationKind.DEPARTMENT},
    OrganizationKind.CITY: {OrganizationKind.COUNTY, OrganizationKind.UNIVERSITY},
    OrganizationKind.COUNTY: set(),
    OrganizationKind.UNIVERSITY: set(),
    OrganizationKind.DEPARTMENT: set(),
}

EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page")
ADMIN_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
# Model permissions every staff group gets; the subtree scoping is done by our permission policies.
STAFF_MODEL_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
)
ADMIN_MODEL_PERMISSIONS = (("organizations", "change_organization"), ("organizations", "view_organization"))


def _validate_coordinates(latitude, longitude):
    errors = {}
    if latitude is not None and not (Decimal("-90") <= Decimal(str(latitude)) <= Decimal("90")):
        errors["latitude"] = "纬度须在 -90 到 90 之间 / latitude must be between -90 and 90"
    if longitude is not None and not (Decimal("-180") <= Decimal(str(longitude)) <= Decimal("180")):
        errors["longitude"] = "经度须在 -180 到 180 之间 / longitude must be between -180 and 180"
    if errors:
        raise Invalid(gettext_lazy("Invalid coordinates"), fields=errors)


@transaction.atomic
def create_organization(
    *,
    actor,
    parent: Organization | None,
    name: str,
    kind: str,
    slug: str,
    short_name: str = "",
    adcode: str | None = None,
    latitude=None,
    longitude=None,
) -> Organization:
    """Create an organisation with its branch page and staff groups.

    `actor=None` is the system (data loading); otherwise the actor must administer `parent`.
    """
    if actor is not None and not permissions.can_act(actor, parent, ADMIN_ROLES):
        raise forbidden()
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise Invalid(gettext_lazy("Name is required (at most 80 characters)"), fields={"name": "required"})
    if parent is None:
        if kind != OrganizationKind.PROVINCE or Organization.get_root_nodes().exists():
            raise Invalid(gettext_lazy("Only one province organisation can be the root"))
    elif kind not in ALLOWED_CHILD_KINDS.get(parent.kind, set()):
        raise Invalid(
            gettext_lazy("This kind of organisation cannot be placed under that parent"),
            fields={"kind": kind},
        )
    if Organization.objects.filter(slug=slug).exists():
        raise Invalid(gettext_lazy("Slug is already taken"), fields={"slug": slug})
    if adcode and Organization.objects.filter(adcode=adcode).exists():
        raise Invalid(gettext_lazy("Region code is already taken"), fields={"adcode": adcode})
    _validate_coordinates(latitude, longitude)

    fields = dict(
        name=name, kind=kind, slug=slug, short_name=short_name, adcode=adcode or None,
        latitude=latitude, longitude=longitude,
    )
    org = Organization.add_root(**fields) if parent is None else parent.add_child(**fields)
    ensure_groups(org)
    signals.organization_created.send(sender=Organization, organization=org)  # home: the branch page
    log(instance=org, action="wagtail.create", user=actor)
    return org


UPDATABLE_FIELDS = ("name", "short_name", "latitude", "longitude", "is_active")


@transaction.atomic
def update_organization(*, actor, organization: Organization, **changes) -> Organization:
    if not permissions.can_act(actor, organization, ADMIN_ROLES):
        raise forbidden()
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise Invalid(gettext_lazy("Some fields cannot be changed"), fields={f: "read-only" for f in unknown})
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"] or len(changes["name"]) > 80:
            raise Invalid(gettext_lazy("Name is required (at most 80 characters)"), fields={"name": "invalid"})
    if "is_active" in changes and organization.is_root() and not changes["is_active"]:
        raise Invalid(gettext_lazy("The province organisation cannot be deactivated"))
    _validate_coordinates(changes.get("latitude"), changes.get("longitude"))
    changed = save_changes(organization, changes, actor=actor, also_save=["updated_at"], log_key="changed")
    if "name" in changed:
        signals.organization_renamed.send(sender=Organization, organization=organization)  # home: page title
    return organization


def _permissions(pairs):
    q = Permission.objects.none()
    for app_label, codename in pairs:
        q = q | Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return list(q)


def ensure_groups(org: Organization) -> None:
    """Create (once) the editors and administrators groups that carry the branch's page permissions."""
    changed = []
    if org.editors_group_id is None:
        group, _ = Group.objects.get_or_create(name=f"{org.name}·编辑 #{org.pk}")
        group.permissions.add(*_permissions(STAFF_MODEL_PERMISSIONS))
        org.editors_group = group
        changed.append("editors_group")
    if org.admins_group_id is None:
        group, _ = Group.objects.get_or_create(name=f"{org.name}·管理员 #{org.pk}")
        group.permissions.add(*_permissions(STAFF_MODEL_PERMISSIONS + ADMIN_MODEL_PERMISSIONS))
        org.admins_group = group
        changed.append("admins_group")
    if changed:
        org.save(update_fields=changed)


STAFF_GROUP_NAME = "青年之声工作人员"


def general_staff_group() -> Group:
    """Admin access without page rights, for roles that do not edit pages (duty, stations, moderation)."""
    group, created = Group.objects.get_or_create(name=STAFF_GROUP_NAME)
    if created:
        group.permissions.add(*_permissions(STAFF_MODEL_PERMISSIONS))
    return group


def staff_group(org: Organization, role: str) -> Group | None:
    """The Wagtail group a role places its holder in; None when the branch's group was deleted in the
    admin (the organisation's foreign key is SET_NULL; `ensure_groups` makes a new, empty one)."""
    if role in PUBLISHING_ROLES:
        return org.admins_group
    if role in EDITORIAL_ROLES:
        return org.editors_group
    return general_staff_group()


def _sync_groups(user) -> None:
    """Make the user's organisation groups match their active memberships."""
    wanted = {
        group.pk
        for m in StaffMembership.objects.active().filter(user=user).select_related("organization")
        if (group := staff_group(m.organization, m.role)) is not None
    }
    managed = Q(editing_organization__isnull=False) | Q(administered_organization__isnull=False)
    managed |= Q(name=STAFF_GROUP_NAME)
    current = set(user.groups.filter(managed).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))
    permissions.forget(user)


def _check_staff_actor(actor, organization):
    if actor is not None and not permissions.can_act(actor, organization, ADMIN_ROLES):
        raise forbidden()


@transaction.atomic
def add_staff(*, actor, user, organization: Organization, role: str) -> StaffMembership:
    _check_staff_actor(actor, organization)
    if role not in StaffRole.values:
        raise Invalid(gettext_lazy("Unknown role"), fields={"role": role})
    if not user.is_active:
        raise Invalid(gettext_lazy("That user is deactivated"))
    membership = StaffMembership.objects.active().filter(user=user, organization=organization, role=role).first()
    if membership:
        return membership
    membership = StaffMembership.objects.create(user=user, organization=organization, role=role, created_by=actor)
    _sync_groups(user)
    log(instance=membership, action="wagtail.create", user=actor)
    return membership


@transaction.atomic
def end_staff(*, actor, membership: StaffMembership, reason: str) -> StaffMembership:
    _check_staff_actor(actor, membership.organization)
    if not (reason or "").strip():
        raise Invalid(gettext_lazy("A reason is required"), fields={"reason": "required"})
    if not membership.is_active:
        return membership
    membership.is_active = False
    membership.ended_at = timezone.now()
    membership.ended_by = actor
    membership.end_reason = reason.strip()[:200]
    membership.save(update_fields=["is_active", "ended_at", "ended_by", "end_reason"])
    _sync_groups(membership.user)
    log(instance=membership, action="wagtail.delete", user=actor, data={"reason": membership.end_reason})
    return membership


@transaction.atomic
def change_staff(*, actor, membership: StaffMembership, organization: Organization, role: str, user=None,
                 reason: str = "在管理后台修改任职") -> StaffMembership:
    """Move a membership to another organisation, role or person: the old one ends (kept as history)
    and a new one starts, through end_staff and add_staff, so the Wagtail groups follow at once."""
    user = user or membership.user
    _check_staff_actor(actor, membership.organization)
    if not membership.is_active:
        raise Invalid(gettext_lazy("That membership has ended and cannot be changed"))
    if (membership.user_id, membership.organization_id, membership.role) == (user.pk, organization.pk, role):
        return membership
    new = add_staff(actor=actor, user=user, organization=organization, role=role)
    end_staff(actor=actor, membership=membership, reason=reason)
    return new


# ---------------------------------------------------------------------------------------------
# Duty rosters [A1.7]
# ---------------------------------------------------------------------------------------------
def _check_shift(*, organization, user, starts_at, ends_at, kind: str, other_than: int | None = None) -> None:
    """The roster's rules for one shift: a known kind, within 24 hours, a staff member of the organisation,
    no overlap with the person's other shifts there (`other_than`: the shift being edited)."""
    from .models import DutyShift, ShiftKind

    if kind not in ShiftKind.values:
        raise Invalid(gettext_lazy("Unknown shift kind"), fields={"kind": kind})
    if ends_at <= starts_at or ends_at - starts_at > timedelta(hours=24):
        raise Invalid(gettext_lazy("A shift must end after it starts, within 24 hours"),
                      fields={"ends_at": "invalid"})
    if not StaffMembership.objects.active().filter(user=user, organization=organization).exists():
        raise Invalid(gettext_lazy("Only the organisation's staff can be put on duty"),
                      fields={"user": user.pk})
    overlapping = DutyShift.objects.filter(organization=organization, user=user, cancelled_at__isnull=True,
                                           starts_at__lt=ends_at, ends_at__gt=starts_at)
    if other_than is not None:
        overlapping = overlapping.exclude(pk=other_than)
    if overlapping.exists():
        raise Invalid(gettext_lazy("That person is already on duty in this period"))


@transaction.atomic
def add_duty_shift(*, actor, organization: Organization, user, starts_at, ends_at, kind: str = "workday",
                   phone: str = ""):
    """Put a staff member of the organisation on duty. Liaison officers and admins keep the roster."""
    from .models import DutyShift

    if not permissions.can_act(actor, organization, PUBLISHING_ROLES | ADMIN_ROLES):
        raise forbidden()
    _check_shift(organization=organization, user=user, starts_at=starts_at, ends_at=ends_at, kind=kind)
    shift = DutyShift.objects.create(organization=organization, user=user, starts_at=starts_at, ends_at=ends_at,
                                     kind=kind, phone=phone[:20], created_by=actor)
    log(instance=shift, action="wagtail.create", user=actor)
    return shift


@transaction.atomic
def cancel_duty_shift(*, actor, shift):
    if not permissions.can_act(actor, shift.organization, PUBLISHING_ROLES | ADMIN_ROLES):
        raise forbidden()
    if shift.cancelled_at is None:
        shift.cancelled_at = timezone.now()
        shift.save(update_fields=["cancelled_at"])
        log(instance=shift, action="wagtail.delete", user=actor)
    return shift


def holiday_roster_gaps(*, organization: Organization, start: date, days: int = 14) -> list[date]:
    """Statutory holidays (and weekends that are not make-up workdays) in the coming `days` with
    nobody on holiday duty for the organisation."""
    from .domain.calendar import is_workday
    from .models import DutyShift
    from .selectors import work_calendar

    calendar = work_calendar(start)
    gaps = []
    tz = timezone.get_current_timezone()
    for i in range(days):
        day = start + timedelta(days=i)
        if is_workday(day, calendar):
            continue
        begin = timezone.make_aware(datetime.combine(day, time.min), tz)
        covered = DutyShift.objects.filter(organization=organization, cancelled_at__isnull=True,
                                           starts_at__lt=begin + timedelta(days=1), ends_at__gt=begin).exists()
        if not covered:
            gaps.append(day)
    return gaps


def warn_roster_gaps(*, today: date | None = None, days: int = 7) -> int:
    """Tell each city-level and county-level organisation's liaison officers about holidays in the
    coming week with nobody on duty (once per organisation and day)."""
    from notifications.services import notify

    from .selectors import liaison_users

    today = today or timezone.localdate()
    warned = 0
    for org in Organization.objects.filter(is_active=True, kind__in=["province", "city", "county"]):
        gaps = holiday_roster_gaps(organization=org, start=today, days=days)
        if not gaps:
            continue
        dates = "、".join(d.strftime("%m月%d日") for d in gaps)
        created = notify(recipients=liaison_users(org), kind="roster_gap", title=f"{org.display_name}节假日值班未排班：{dates}",
                         body="请在节前通过平台报备假期值班安排。", url=reverse("roster:index"),
                         dedupe_key=f"roster_gap:{org.pk}:{gaps[0]:%Y%m%d}", email=True)
        warned += bool(created)
    return warned


# ---------------------------------------------------------------------------------------------
# Real-name verification of cadres [G4.2]
# ---------------------------------------------------------------------------------------------
@transaction.atomic
def verify_real_name(*, actor, user, approve: bool, reason: str = ""):
    RealNameStatus = get_user_model().RealNameStatus

    orgs = [m.organization for m in StaffMembership.objects.active().filter(user=user).select_related("organization")]
    if user.organization_id:
        orgs.append(user.organization)
    if not orgs or not any(permissions.can_act(actor, o, ADMIN_ROLES | PUBLISHING_ROLES) for o in orgs):
        raise forbidden()
    if not user.real_name.strip():
        raise Invalid(gettext_lazy("That user has not entered a real name"))
    if not approve and not reason.strip():
        raise Invalid(gettext_lazy("A reason is required to reject"), fields={"reason": "required"})
    user.real_name_status = RealNameStatus.VERIFIED if approve else RealNameStatus.REJECTED
    user.real_name_verified_at = timezone.now() if approve else None
    user.save(update_fields=["real_name_status", "real_name_verified_at"])
    log(instance=user, action="wagtail.edit", user=actor, data={"real_name": user.real_name_status, "reason": reason})
    return user


# ---------------------------------------------------------------------------------------------
# The platform-building office (广东“青年之声”平台建设办公室) [A1.8, A1.10]
# ---------------------------------------------------------------------------------------------
PLATFORM_OFFICE_NAME = "广东“青年之声”平台建设办公室"


@transaction.atomic
def set_platform_office(*, actor, organization: Organization) -> Organization:
    """Make `organization` — a provincial unit directly under the province — the platform-building
    office that monitoring alerts are reported to. Only a provincial administrator (or the system,
    `actor=None`) may; the previous office, if any, stops being it."""
    if actor is not None and not permissions.is_provincial_admin(actor):
        raise forbidden()
    if organization.kind != OrganizationKind.DEPARTMENT or organization.depth != 2:
        raise Invalid(gettext_lazy("The platform-building office must be a provincial unit"),
                      fields={"organization": organization.pk})
    if organization.is_platform_office:
        return organization
    Organization.objects.filter(is_platform_office=True).update(is_platform_office=False)
    organization.is_platform_office = True
    organization.save(update_fields=["is_platform_office", "updated_at"])
    log(instance=organization, action="wagtail.edit", user=actor, data={"platform_office": True})
    return organization


def ensure_platform_office(*, slug: str = "platform-office") -> Organization | None:
    """The system's set-up of the office (demo and fresh installs): the existing office, else the
    provincial unit `slug`, else one created under the province. None when there is no province yet."""
    office = Organization.objects.filter(is_platform_office=True).first()
    if office is not None:
        return office
    root = Organization.get_first_root_node()
    if root is None:
        return None
    office = Organization.objects.filter(slug=slug).first() or create_organization(
        actor=None, parent=root, name=PLATFORM_OFFICE_NAME, short_name="平台办", kind=OrganizationKind.DEPARTMENT,
        slug=slug)
    return set_platform_office(actor=None, organization=office)


# ---------------------------------------------------------------------------------------------
# Cadres apply for a staff role under their real name (issue 20)
# ---------------------------------------------------------------------------------------------
CADRE_ROLES = (StaffRole.LIAISON, StaffRole.DUTY, StaffRole.EDITOR, StaffRole.STATION_ADMIN)
PROOF_MAX_BYTES = 5 * 1024 * 1024
PROOF_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png")


def apply_for_staff_role(*, user, organization: Organization, role: str, real_name: str, position: str,
                         proof=None, sensitive_consent: bool, ip: str | None = None):
    from .models import ApplicationStatus, CadreApplication

    if user is None or not user.is_authenticated or not user.is_active:
        raise forbidden()
    if organization is None or not organization.is_active:
        raise Invalid(gettext_lazy("Choose an organisation"), fields={"organization": "invalid"})
    if role not in CADRE_ROLES:
        raise Invalid(gettext_lazy("Choose a role that can be applied for"), fields={"role": "invalid"})
    real_name = (real_name or "").strip()
    position = (position or "").strip()
    if not 2 <= len(real_name) <= 20:
        raise Invalid(gettext_lazy("Enter your real name (2–20 characters)"), fields={"real_name": "invalid"})
    if not 2 <= len(position) <= 60:
        raise Invalid(gettext_lazy("Enter your position"), fields={"position": "invalid"})
    if not sensitive_consent:
        raise Invalid(gettext_lazy("Separate consent to processing sensitive personal information is required"),
                      fields={"sensitive_consent": "required"})
    if proof is not None:
        name = (getattr(proof, "name", "") or "").lower()
        if proof.size > PROOF_MAX_BYTES or not name.endswith(PROOF_EXTENSIONS):
            raise Invalid(gettext_lazy("Proof: PDF/JPG/PNG up to 5 MB"),
                          fields={"proof": "invalid"})
    if CadreApplication.objects.filter(user=user, organization=organization, status=ApplicationStatus.PENDING).exists():
        raise Conflict(gettext_lazy("You already applied to this organisation"),
                       fields={"organization": "pending"})
    with transaction.atomic():
        application = CadreApplication.objects.create(user=user, organization=organization, role=role,
                                                      real_name=real_name, position=position, proof=proof or "")
        hooks.record_sensitive_consent(user=user, purpose=f"cadre application {application.pk}", ip=ip)
        if user.real_name_status != "verified":
            get_user_model().objects.filter(pk=user.pk).update(real_name=real_name, real_name_status="pending")
            user.real_name, user.real_name_status = real_name, "pending"
        log(instance=application, action="wagtail.create", user=user)
    from notifications.services import notify

    admins = [m.user for m in StaffMembership.objects.active().filter(
        organization=organization, role=StaffRole.ORG_ADMIN).select_related("user")]
    if admins:
        transaction.on_commit(lambda: notify(recipients=admins, kind="system", title=f"团干实名申请待审核：{real_name}",
                                             url="/accounts/cadre/review/", actor=user))
    return application


def cadre_applications_for(actor):
    """Pending and decided applications the actor may decide: their admin subtree."""
    from .models import CadreApplication

    return permissions.scope_queryset(CadreApplication.objects.select_related("user", "organization"), actor,
                                      roles=ADMIN_ROLES)


@transaction.atomic
def decide_cadre_application(*, actor, application, approve: bool, reason: str = ""):
    """The organisation's administrator (or one above it) approves — the real name is verified and
    the staff membership created — or rejects with a reason."""
    from .models import ApplicationStatus, CadreApplication

    RealNameStatus = get_user_model().RealNameStatus
    if not permissions.can_act(actor, application.organization, ADMIN_ROLES):
        raise forbidden()
    application = CadreApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise Conflict(gettext_lazy("That application has already been decided"), fields={"status": application.status})
    reason = (reason or "").strip()[:200]
    if not approve and not reason:
        raise Invalid(gettext_lazy("A reason is required to reject"), fields={"reason": "required"})
    user = application.user
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
    application.reason = reason
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    if approve:
        add_staff(actor=actor, user=user, organization=application.organization, role=application.role)
        user.real_name = application.real_name
        user.save(update_fields=["real_name"])
        verify_real_name(actor=actor, user=user, approve=True, reason=f"cadre application {application.pk}")
    elif user.real_name_status == RealNameStatus.PENDING:
        user.real_name_status = RealNameStatus.REJECTED
        user.save(update_fields=["real_name_status"])
    log(instance=application, action="wagtail.edit", user=actor, data={"approve": approve, "reason": reason})
    from notifications.services import notify

    title = (f"您的团干实名申请已通过：{application.organization.display_name}" if approve
             else f"您的团干实名申请未通过：{reason}")
    transaction.on_commit(lambda: notify(recipients=[user], kind="system", title=title, url="/accounts/profile/", actor=actor))
    return application
# --- the working calendar: a year's official schedule -------------------------------------------------

def import_holiday_schedule(*, actor, year: int, text: str, notice_title: str, notice_date: date,
                            notice_url: str = ""):
    """Import (or replace) `year`'s official schedule from the State Council's notice: one day a
    line, `date, holiday|workday, name` (organizations.domain.calendar.parse_schedule). Provincial
    administrators only. Refused WHOLE, with every offending line named, when a line cannot be read,
    names a day that does not exist or is outside the year, a make-up workday on Monday–Friday, the
    same day twice, or a day that contradicts a hand-declared day or belongs to another year's
    schedule; nothing is written then. On success the year's earlier rows are replaced in one
    transaction and the year is confirmed (no longer provisional)."""
    from .domain.calendar import describe_errors, parse_schedule
    from .models import CalendarOverride, HolidaySchedule
    from .signals import calendar_changed

    if not permissions.is_provincial_admin(actor):
        raise forbidden()
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise Invalid(pgettext_lazy("organizations.services.import_holiday_schedule", "Invalid year"), fields={"year": "invalid"}) from None
    if not 2000 <= year <= 2100:
        raise Invalid(gettext_lazy("The year must be between 2000 and 2100"), fields={"year": "range"})
    notice_title = (notice_title or "").strip()
    if not notice_title:
        raise Invalid(gettext_lazy("The notice title is required"), fields={"notice_title": "required"})
    if not isinstance(notice_date, date):
        raise Invalid(gettext_lazy("The notice date is required"), fields={"notice_date": "required"})
    lines, errors = parse_schedule(text or "", year)
    existing = {o.date: o for o in CalendarOverride.objects.select_related("schedule")
                .filter(date__in=[x.date for x in lines])}
    for x in lines:
        o = existing.get(x.date)
        if o is None:
            continue
        if o.schedule is not None and o.schedule.year != year:
            errors.append((x.line, f"{x.date:%Y-%m-%d} 已属于 {o.schedule.year} 年的安排"))
        elif o.schedule_id is None and o.is_workday != x.is_workday:
            what = "上班" if o.is_workday else "放假"
            errors.append((x.line, f"{x.date:%Y-%m-%d} 与手工设定的{what}日（{o.note or '无说明'}）矛盾：请先删除该设定"))
    if errors:
        errors.sort()
        described = describe_errors(errors)
        raise Invalid(gettext_lazy("Import refused, nothing written: %(count_described)s line(s) in error"),
                      params={"count_described": bilingual('；'.join(described), str(len(described)))},
                      fields={"lines": described})
    with transaction.atomic():
        schedule = HolidaySchedule.objects.select_for_update().filter(year=year).first()
        created = schedule is None
        schedule = schedule or HolidaySchedule(year=year)
        schedule.notice_title, schedule.notice_url, schedule.notice_date = notice_title[:200], notice_url, notice_date
        schedule.imported_by = actor
        schedule.save()
        CalendarOverride.objects.filter(schedule=schedule).delete()
        CalendarOverride.objects.filter(date__in=[x.date for x in lines], schedule__isnull=True).delete()  # same meaning
        CalendarOverride.objects.bulk_create([
            CalendarOverride(date=x.date, is_workday=x.is_workday, note=x.name or ("调休上班" if x.is_workday else "放假"),
                             schedule=schedule) for x in lines])
        log(instance=schedule, action="wagtail.create" if created else "wagtail.edit", user=actor,
            data={"days_off": sum(not x.is_workday for x in lines), "workdays": sum(x.is_workday for x in lines),
                  "notice": notice_title[:200], "url": notice_url})
        calendar_changed.send(sender=HolidaySchedule, year=year)
    return schedule


# ---------------------------------------------------------------------------------------------
# Written for the admin's roster edit view (issue 24: the admin is a client like the API)
# ---------------------------------------------------------------------------------------------
@transaction.atomic
def update_duty_shift(*, actor, shift, organization: Organization, user, starts_at, ends_at, kind: str,
                      phone: str = ""):
    """Change a shift (who, where, when). The roster keepers of both the old and the new organisation
    decide; the rules are add_duty_shift's (a staff member of the organisation, within 24 hours, no
    overlap with their other shifts). A cancelled shift stays cancelled."""
    from .models import DutyShift

    shift = DutyShift.objects.select_for_update().select_related("organization").get(pk=shift.pk)
    roster_roles = PUBLISHING_ROLES | ADMIN_ROLES
    if not (permissions.can_act(actor, shift.organization, roster_roles)
            and permissions.can_act(actor, organization, roster_roles)):
        raise forbidden()
    if shift.cancelled_at is not None:
        raise Conflict(gettext_lazy("The shift was cancelled and cannot be changed"))
    _check_shift(organization=organization, user=user, starts_at=starts_at, ends_at=ends_at, kind=kind,
                 other_than=shift.pk)
    changes = {"organization": organization, "user": user, "starts_at": starts_at, "ends_at": ends_at,
               "kind": kind, "phone": (phone or "")[:20]}
    save_changes(shift, changes, actor=actor)
    return shift
