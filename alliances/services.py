"""Writes on experts, member organisations and alliance memberships. One function per action,
keyword-only arguments: permission check, validation, save (update_fields), audit log, then
notifications (rows written in the same transaction, delivered on commit by the notifications app).

Joining flow (A1.6):
    apply_to_alliance   (a user)                       → APPLIED
    invite_to_alliance  (a liaison)                    → INVITED → accept_invitation (the expert) → ACTIVE
    decide_application  (a liaison of the alliance)    → ACTIVE | REJECTED
    suspend_membership / reinstate_membership / remove_membership (a liaison, with a reason)
Who is "a liaison of the alliance": a user listed in the alliance's liaisons, or staff in a liaison or
administrator role of the alliance's organisation or an ancestor (organizations.permissions.can_act).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from core.changes import save_changes
from core.domains import ServiceDomain
from core.errors import Conflict, Forbidden, Invalid, NotFound, forbidden
from moderation import services as moderation
from organizations import permissions
from organizations.models import StaffRole

from .models import (
    OPEN_MEMBERSHIP_STATUSES,
    AllianceMembership,
    AlliancePage,
    Availability,
    ExpertDomain,
    ExpertKind,
    ExpertProfile,
    ExpertStatus,
    MemberOrganization,
    MemberOrganizationKind,
    MembershipStatus,
)

ALLIANCE_ROLES = frozenset({StaffRole.ORG_ADMIN, StaffRole.LIAISON})
REASON_MAX = 300


def can_manage_alliance(user, alliance: AlliancePage) -> bool:
    # A session still missing its second factor holds no role, listed liaison included.
    if user is None or not user.is_authenticated or permissions.second_factor_missing(user):
        return False
    if permissions.can_act(user, alliance.organization, ALLIANCE_ROLES):
        return True
    return alliance.liaisons.filter(user=user).exists()


def can_manage_expert(user, expert: ExpertProfile) -> bool:
    """Staff of the expert's organisation subtree, or a liaison of an alliance the expert belongs to."""
    if user is None or not user.is_authenticated:
        return False
    if permissions.is_superuser(user):
        return True
    if expert.organization_id and permissions.can_act(user, expert.organization, ALLIANCE_ROLES):
        return True
    alliances = AlliancePage.objects.filter(memberships__expert=expert).select_related("organization").distinct()
    return any(can_manage_alliance(user, a) for a in alliances)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(gettext_lazy("A reason is required"), fields={"reason": "required"})
    if len(reason) > REASON_MAX:
        raise Invalid(gettext_lazy("The reason is at most 300 characters"), fields={"reason": "too long"})
    return reason


def _clean_domains(domains) -> list[str]:
    domains = list(dict.fromkeys(domains or []))
    unknown = [d for d in domains if d not in ServiceDomain.values]
    if not domains or unknown:
        raise Invalid(gettext_lazy("Choose valid service domains"), fields={"domains": unknown or "required"})
    return domains


def _notify(user, title: str, url: str = "", actor=None, body: str = ""):
    from notifications.services import notify

    notify(recipients=[user], kind="alliance", title=title, body=body, url=url, actor=actor)


@transaction.atomic
def register_expert(*, actor, user, real_name: str, domains: list[str], title: str = "", organization=None,
                    status: str = ExpertStatus.ACTIVE) -> ExpertProfile:
    """Make `user` an expert in `domains` (system/demo use; users apply with `apply_to_alliance`)."""
    real_name = (real_name or "").strip()
    if not real_name:
        raise Invalid(gettext_lazy("Experts must register with their real name"), fields={"real_name": "required"})
    unknown = [d for d in domains if d not in ServiceDomain.values]
    if not domains or unknown:
        raise Invalid(gettext_lazy("Choose valid service domains"), fields={"domains": unknown or "required"})
    profile, _ = ExpertProfile.objects.update_or_create(
        user=user, defaults=dict(real_name=real_name, title=title, organization=organization, status=status)
    )
    for domain in domains:
        ExpertDomain.objects.get_or_create(expert=profile, domain=domain)
    log(instance=profile, action="wagtail.create", user=actor)
    return profile


def _set_domains(expert: ExpertProfile, domains: list[str]) -> None:
    expert.domains.exclude(domain__in=domains).delete()
    for domain in domains:
        ExpertDomain.objects.get_or_create(expert=expert, domain=domain)


PROFILE_FIELDS = {
    "real_name": 40, "title": 80, "workplace": 80, "credentials": 1000, "bio": 2000, "contact_phone": 20,
    "contact_email": 254,
}
STAFF_PROFILE_FIELDS = {"kind", "organization", "home_station_id", "max_open_questions", "staff_notes", "id_number"}


PUBLIC_PROFILE_FIELDS = ("real_name", "title", "workplace", "credentials", "bio")  # shown on the public expert page


def _screened(fields: dict[str, str]) -> dict[str, str]:
    """Public expert texts through the one screening of public text (moderation)."""
    if not fields:
        return {}
    from moderation.services import screen_public_texts

    return screen_public_texts(fields)


@transaction.atomic
def update_expert_profile(*, actor, expert: ExpertProfile, **changes) -> ExpertProfile:
    """The expert edits their own profile; staff who manage the expert may also edit staff fields."""
    is_self = actor is not None and actor.is_authenticated and actor.pk == expert.user_id
    is_staff = can_manage_expert(actor, expert)
    if not (is_self or is_staff):
        raise forbidden()
    allowed = set(PROFILE_FIELDS) | {"domains", "availability", "contact_public"}
    if is_staff:
        allowed |= STAFF_PROFILE_FIELDS
    unknown = set(changes) - allowed
    if unknown:
        raise Invalid(gettext_lazy("Some fields cannot be changed"), fields={f: "read-only" for f in unknown})
    errors = {}
    for name, limit in PROFILE_FIELDS.items():
        if name in changes:
            changes[name] = (changes[name] or "").strip()
            if len(changes[name]) > limit:
                errors[name] = f"at most {limit} characters"
    if "real_name" in changes and not changes["real_name"]:
        errors["real_name"] = "required"
    if "availability" in changes and changes["availability"] not in Availability.values:
        errors["availability"] = "invalid"
    if "kind" in changes and changes["kind"] not in ExpertKind.values:
        errors["kind"] = "invalid"
    if "home_station_id" in changes and changes["home_station_id"] is not None:
        from stations.models import StationPage

        if not StationPage.objects.live().filter(pk=changes["home_station_id"]).exists():
            errors["home_station_id"] = "unknown"
    if "max_open_questions" in changes and not (1 <= int(changes["max_open_questions"] or 0) <= 50):
        errors["max_open_questions"] = "between 1 and 50"
    if errors:
        raise Invalid(gettext_lazy("Invalid profile"), fields=errors)
    changes.update(_screened({k: changes[k] for k in PUBLIC_PROFILE_FIELDS if changes.get(k)}))
    if "real_name" in changes and changes["real_name"] != expert.real_name:
        # A changed real name must be verified again by staff.
        expert.verified_at = None
        expert.verified_by = None
        changes.update(verified_at=None, verified_by=None)
    domains = changes.pop("domains", None)
    for name, value in changes.items():
        setattr(expert, name, value)
    if changes:
        expert.save(update_fields=[*changes, "updated_at"])
    if domains is not None:
        _set_domains(expert, _clean_domains(domains))
    log(instance=expert, action="wagtail.edit", user=actor, data={"fields": sorted([*changes, *(["domains"] if domains is not None else [])])})
    return expert


@transaction.atomic
def verify_expert(*, actor, expert: ExpertProfile) -> ExpertProfile:
    """Staff confirm the expert's real name (checked against their ID)."""
    if not can_manage_expert(actor, expert):
        raise forbidden()
    expert.verified_at = timezone.now()
    expert.verified_by = actor
    expert.save(update_fields=["verified_at", "verified_by", "updated_at"])
    log(instance=expert, action="wagtail.edit", user=actor, data={"verified": True})
    return expert


@transaction.atomic
def set_expert_status(*, actor, expert: ExpertProfile, status: str, reason: str = "") -> ExpertProfile:
    """Suspend, remove or reactivate an expert platform-wide (a reason is required to suspend/remove)."""
    if not can_manage_expert(actor, expert):
        raise forbidden()
    if status not in ExpertStatus.values or status == ExpertStatus.PENDING:
        raise Invalid(gettext_lazy("Invalid status"), fields={"status": status})
    if status in (ExpertStatus.SUSPENDED, ExpertStatus.REMOVED):
        reason = _require_reason(reason)
    if expert.status == ExpertStatus.REMOVED and status != ExpertStatus.REMOVED:
        raise Conflict(gettext_lazy("The expert was removed; they must apply again"))
    expert.status = status
    expert.status_reason = reason
    expert.save(update_fields=["status", "status_reason", "updated_at"])
    log(instance=expert, action="wagtail.edit", user=actor, data={"status": status, "reason": reason})
    _notify(expert.user, f"你的专家状态已变更为：{expert.get_status_display()}", actor=actor, body=reason)
    return expert


def _existing_open(alliance, *, expert=None, member_organization=None):
    return AllianceMembership.objects.select_for_update().filter(
        alliance=alliance, expert=expert, member_organization=member_organization,
        status__in=OPEN_MEMBERSHIP_STATUSES,
    ).first()


def _create_membership(**fields) -> AllianceMembership:
    try:
        with transaction.atomic():
            return AllianceMembership.objects.create(**fields)
    except IntegrityError:  # a concurrent application/invitation won the unique constraint
        raise Conflict(gettext_lazy("There is already an open application or membership")) from None


@transaction.atomic
def apply_to_alliance(*, actor, alliance: AlliancePage, real_name: str = "", domains: list[str] | None = None,
                      title: str = "", workplace: str = "", credentials: str = "", bio: str = "",
                      message: str = "") -> AllianceMembership:
    """A user applies to join an alliance as an expert. Users without an expert profile get a pending one."""
    if actor is None or not actor.is_authenticated:
        raise Forbidden(gettext_lazy("Log in first"))
    if not alliance.live:
        raise Invalid(gettext_lazy("This alliance is not open"), fields={"alliance": "not live"})
    moderation.check_rate_limits(user=actor, kind="application")
    expert = ExpertProfile.objects.select_for_update().filter(user=actor).first()
    if expert is None:
        real_name = (real_name or "").strip()
        if not real_name:
            raise Invalid(gettext_lazy("Experts must register with their real name"), fields={"real_name": "required"})
        domains = _clean_domains(domains or [alliance.domain])
        if len(real_name) > 40 or len(title) > 80 or len(workplace) > 80 or len(credentials) > 1000 or len(bio) > 2000:
            raise Invalid(gettext_lazy("Some fields are too long"))
        texts = _screened({k: v for k, v in (("real_name", real_name), ("title", title.strip()), ("workplace", workplace.strip()),
                                             ("credentials", credentials.strip()), ("bio", bio.strip())) if v})
        real_name, title, workplace = texts.get("real_name", real_name), texts.get("title", title), texts.get("workplace", workplace)
        credentials, bio = texts.get("credentials", credentials), texts.get("bio", bio)
        expert = ExpertProfile.objects.create(
            user=actor, real_name=real_name, title=title.strip(), workplace=workplace.strip(),
            credentials=credentials.strip(), bio=bio.strip(), organization=actor.organization,
            status=ExpertStatus.PENDING,
            kind=ExpertKind.CADRE_PART if alliance.domain == ServiceDomain.LEAGUE else ExpertKind.PROFESSIONAL,
        )
        _set_domains(expert, domains)
        log(instance=expert, action="wagtail.create", user=actor)
    elif expert.status in (ExpertStatus.SUSPENDED, ExpertStatus.REMOVED):
        raise Conflict(gettext_lazy("Your expert status is suspended or removed; you cannot apply"))
    if _existing_open(alliance, expert=expert) is not None:
        raise Conflict(gettext_lazy("You have already applied to or joined this alliance"))
    message = (message or "").strip()
    if len(message) > 300:
        raise Invalid(gettext_lazy("The message is at most 300 characters"), fields={"message": "too long"})
    if message:
        message = _screened({"message": message})["message"]
    membership = _create_membership(alliance=alliance, expert=expert, status=MembershipStatus.APPLIED,
                                    message=message, created_by=actor)
    moderation.record_post(user=actor, kind="application")
    log(instance=membership, action="wagtail.create", user=actor, data={"status": "applied"})
    from notifications.services import notify

    notify(recipients=[link.user for link in alliance.liaisons.select_related("user")], kind="alliance",
           title=f"{expert.real_name} 申请加入{alliance.title}", url=alliance.url or "", actor=actor,
           subject=f"alliances.applications:{alliance.pk}")
    return membership


@transaction.atomic
def invite_to_alliance(*, actor, alliance: AlliancePage, expert: ExpertProfile, message: str = "") -> AllianceMembership:
    """A liaison invites an expert; the expert accepts to become a member."""
    if not can_manage_alliance(actor, alliance):
        raise forbidden()
    expert = ExpertProfile.objects.select_for_update().get(pk=expert.pk)
    if expert.status in (ExpertStatus.SUSPENDED, ExpertStatus.REMOVED):
        raise Conflict(gettext_lazy("This expert is suspended or removed and cannot be invited"),
                       fields={"expert": expert.status})
    if _existing_open(alliance, expert=expert) is not None:
        raise Conflict(gettext_lazy("This expert has already applied, been invited or joined"))
    membership = _create_membership(alliance=alliance, expert=expert, status=MembershipStatus.INVITED,
                                    message=(message or "").strip()[:300], created_by=actor)
    log(instance=membership, action="wagtail.create", user=actor, data={"status": "invited"})
    _notify(expert.user, f"{alliance.title}邀请你加入", url=alliance.url or "", actor=actor)
    return membership


@transaction.atomic
def respond_to_invitation(*, actor, membership: AllianceMembership, accept: bool) -> AllianceMembership:
    membership = AllianceMembership.objects.select_for_update(of=("self",)).select_related("expert").get(pk=membership.pk)
    if membership.expert is None or membership.expert.user_id != getattr(actor, "pk", None):
        raise forbidden()
    if membership.status != MembershipStatus.INVITED:
        raise Conflict(gettext_lazy("This invitation has already been answered"))
    if accept and membership.expert.status in (ExpertStatus.SUSPENDED, ExpertStatus.REMOVED):
        raise Conflict(gettext_lazy("Your expert status is suspended or removed"))
    membership.status = MembershipStatus.ACTIVE if accept else MembershipStatus.REJECTED
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    if accept and membership.expert.status == ExpertStatus.PENDING:
        membership.expert.status = ExpertStatus.ACTIVE
        membership.expert.save(update_fields=["status", "updated_at"])
    log(instance=membership, action="wagtail.edit", user=actor, data={"status": membership.status})
    return membership


def _locked(membership) -> AllianceMembership:
    return (AllianceMembership.objects.select_for_update(of=("self",))
            .select_related("alliance__organization", "expert__user").get(pk=membership.pk))


@transaction.atomic
def decide_application(*, actor, membership: AllianceMembership, approve: bool, reason: str = "") -> AllianceMembership:
    """The alliance's liaison approves or rejects an application (a reason is required to reject)."""
    membership = _locked(membership)
    if not can_manage_alliance(actor, membership.alliance):
        raise forbidden()
    if membership.status != MembershipStatus.APPLIED:
        raise Conflict(gettext_lazy("This application has already been decided"), fields={"status": membership.status})
    if not approve:
        reason = _require_reason(reason)
    membership.status = MembershipStatus.ACTIVE if approve else MembershipStatus.REJECTED
    membership.reason = reason
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    membership.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    expert = membership.expert
    if approve and expert is not None and expert.status == ExpertStatus.PENDING:
        expert.status = ExpertStatus.ACTIVE
        expert.save(update_fields=["status", "updated_at"])
    log(instance=membership, action="wagtail.edit", user=actor, data={"status": membership.status, "reason": reason})
    if expert is not None:
        verdict = "已通过" if approve else "未通过"
        _notify(expert.user, f"你加入{membership.alliance.title}的申请{verdict}", url=membership.alliance.url or "",
                actor=actor, body=reason)
    return membership


def _change_status(actor, membership, *, allowed_from, to, reason_required=True, reason=""):
    membership = _locked(membership)
    if not can_manage_alliance(actor, membership.alliance):
        raise forbidden()
    if membership.status not in allowed_from:
        raise Conflict(gettext_lazy("This cannot be done in the membership's current status"),
                       fields={"status": membership.status})
    reason = _require_reason(reason) if reason_required else (reason or "").strip()[:REASON_MAX]
    membership.status = to
    membership.reason = reason
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    membership.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    log(instance=membership, action="wagtail.edit", user=actor, data={"status": to, "reason": reason})
    if membership.expert is not None:
        _notify(membership.expert.user, f"你在{membership.alliance.title}的成员状态：{membership.get_status_display()}",
                actor=actor, body=reason)
    return membership


@transaction.atomic
def suspend_membership(*, actor, membership: AllianceMembership, reason: str) -> AllianceMembership:
    return _change_status(actor, membership, allowed_from={MembershipStatus.ACTIVE}, to=MembershipStatus.SUSPENDED,
                          reason=reason)


@transaction.atomic
def reinstate_membership(*, actor, membership: AllianceMembership, reason: str = "") -> AllianceMembership:
    return _change_status(actor, membership, allowed_from={MembershipStatus.SUSPENDED}, to=MembershipStatus.ACTIVE,
                          reason_required=False, reason=reason)


@transaction.atomic
def remove_membership(*, actor, membership: AllianceMembership, reason: str) -> AllianceMembership:
    return _change_status(actor, membership, allowed_from={MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED,
                                                           MembershipStatus.INVITED},
                          to=MembershipStatus.REMOVED, reason=reason)


@transaction.atomic
def create_member_organization(*, actor, organization, name: str, kind: str, licence_number: str = "",
                               domains: list[str] | None = None, description: str = "", website: str = "",
                               contact_name: str = "", contact_phone: str = "") -> MemberOrganization:
    """Register a social organisation / professional institution with a League organisation (its staff)."""
    if actor is not None and not permissions.can_act(actor, organization, ALLIANCE_ROLES):
        raise forbidden()
    name = (name or "").strip()
    errors = {}
    if not name or len(name) > 80:
        errors["name"] = "required, at most 80 characters"
    if kind not in MemberOrganizationKind.values:
        errors["kind"] = "invalid"
    if len(licence_number or "") > 30:
        errors["licence_number"] = "at most 30 characters"
    if errors:
        raise Invalid(gettext_lazy("Invalid member organisation"), fields=errors)
    domains = _clean_domains(domains) if domains else []
    if MemberOrganization.objects.filter(name=name).exists():
        raise Conflict(gettext_lazy("This member organisation is already registered"), fields={"name": name})
    org = MemberOrganization.objects.create(
        name=name, kind=kind, licence_number=licence_number.strip(), domains=domains, organization=organization,
        description=description.strip(), website=website.strip(), contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
    )
    log(instance=org, action="wagtail.create", user=actor)
    return org


@transaction.atomic
def add_member_organization(*, actor, alliance: AlliancePage, member_organization: MemberOrganization,
                            message: str = "") -> AllianceMembership:
    """A liaison admits a member organisation to the alliance (organisations join through their liaison)."""
    if actor is not None and not can_manage_alliance(actor, alliance):
        raise forbidden()
    if not member_organization.is_active:
        raise Conflict(gettext_lazy("This member organisation is inactive"))
    if _existing_open(alliance, member_organization=member_organization) is not None:
        raise Conflict(gettext_lazy("This organisation is already a member"))
    membership = _create_membership(alliance=alliance, member_organization=member_organization,
                                    status=MembershipStatus.ACTIVE, message=(message or "")[:300], created_by=actor,
                                    decided_by=actor, decided_at=timezone.now())
    log(instance=membership, action="wagtail.create", user=actor, data={"status": "active"})
    return membership


def check_invitable(expert: ExpertProfile) -> None:
    """Raise Conflict unless the expert may be invited to answer a question (community calls this)."""
    if expert.status != ExpertStatus.ACTIVE:
        raise Conflict(gettext_lazy("This expert cannot be invited to answer now"),
                       fields={"expert": expert.status})
    if expert.availability == Availability.AWAY:
        raise Conflict(gettext_lazy("This expert is away"), fields={"expert": "away"})


@transaction.atomic
def invite_suggestions(*, actor, question, expert_ids: list[int], invite) -> list:
    """Invite the suggested experts to answer `question` in one action.

    `invite(actor=, question=, invitee=)` is the Q&A app's invitation service (community.services.
    invite_expert at merge); it does its own permission check. All or nothing: a refused invitation
    rolls back the others."""
    if not expert_ids:
        raise Invalid(gettext_lazy("Choose experts"), fields={"expert_ids": "required"})
    experts = {e.pk: e for e in ExpertProfile.objects.select_related("user").filter(pk__in=expert_ids)}
    missing = [i for i in expert_ids if i not in experts]
    if missing:
        raise NotFound(gettext_lazy("Unknown experts"), fields={"expert_ids": missing})
    invitations = []
    for expert_id in dict.fromkeys(expert_ids):
        expert = experts[expert_id]
        check_invitable(expert)
        invitations.append(invite(actor=actor, question=question, invitee=expert.user))
    return invitations


# ---------------------------------------------------------------------------------------------
# Written for the admin viewsets (issue 24: the admin is a client like the API)
# ---------------------------------------------------------------------------------------------
def _check_target_organization(actor, old, new) -> None:
    """Moving a row to another League organisation needs the actor's alliance roles there too."""
    if new is not None and new != old and not permissions.can_act(actor, new, ALLIANCE_ROLES):
        raise forbidden()


@transaction.atomic
def edit_expert(*, actor, expert: ExpertProfile, status: str | None = None, status_reason: str = "",
                **changes) -> ExpertProfile:
    """Staff edit an expert (the admin's form): changed profile fields through update_expert_profile
    (screening, limits, a changed real name unverified), a changed status or reason through
    set_expert_status (reason required to suspend/remove, the expert notified, audit log)."""
    expert = ExpertProfile.objects.select_for_update().get(pk=expert.pk)
    if not can_manage_expert(actor, expert):
        raise forbidden()
    if "organization" in changes:
        _check_target_organization(actor, expert.organization, changes["organization"])
    if changes:
        expert = update_expert_profile(actor=actor, expert=expert, **changes)
    status_reason = (status_reason or "").strip()
    if status is not None and (status != expert.status or
                               (status_reason != expert.status_reason and status != ExpertStatus.PENDING)):
        expert = set_expert_status(actor=actor, expert=expert, status=status, reason=status_reason)
    return expert


MEMBER_ORGANIZATION_FIELDS = ("name", "kind", "licence_number", "domains", "organization", "description", "website",
                              "contact_name", "contact_phone", "is_active")


@transaction.atomic
def update_member_organization(*, actor, member_organization: MemberOrganization, **changes) -> MemberOrganization:
    """Staff of the League organisation it is registered with edit a member organisation (and of the
    new one, to move it); the rules are create_member_organization's."""
    org = MemberOrganization.objects.select_for_update().select_related("organization").get(pk=member_organization.pk)
    if not permissions.can_act(actor, org.organization, ALLIANCE_ROLES):
        raise forbidden()
    unknown = set(changes) - set(MEMBER_ORGANIZATION_FIELDS)
    if unknown:
        raise Invalid(gettext_lazy("Some fields cannot be changed"), fields={f: "read-only" for f in unknown})
    if "organization" in changes:
        if changes["organization"] is None:
            raise Invalid(gettext_lazy("Choose the League organisation"), fields={"organization": "required"})
        _check_target_organization(actor, org.organization, changes["organization"])
    for name in ("name", "licence_number", "description", "website", "contact_name", "contact_phone"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    errors = {}
    if "name" in changes and (not changes["name"] or len(changes["name"]) > 80):
        errors["name"] = "required, at most 80 characters"
    if "kind" in changes and changes["kind"] not in MemberOrganizationKind.values:
        errors["kind"] = "invalid"
    if len(changes.get("licence_number", "")) > 30:
        errors["licence_number"] = "at most 30 characters"
    if errors:
        raise Invalid(gettext_lazy("Invalid member organisation"), fields=errors)
    if "domains" in changes:
        changes["domains"] = _clean_domains(changes["domains"]) if changes["domains"] else []
    if "name" in changes and MemberOrganization.objects.filter(name=changes["name"]).exclude(pk=org.pk).exists():
        raise Conflict(gettext_lazy("This member organisation is already registered"), fields={"name": changes["name"]})
    save_changes(org, changes, actor=actor)
    return org


@transaction.atomic
def deactivate_member_organization(*, actor, member_organization: MemberOrganization) -> MemberOrganization:
    """"Remove" a member organisation: it is deactivated (no new alliance admissions, add_member_organization
    refuses it); the row and its membership history stay."""
    org = MemberOrganization.objects.select_for_update().select_related("organization").get(pk=member_organization.pk)
    if not permissions.can_act(actor, org.organization, ALLIANCE_ROLES):
        raise forbidden()
    if org.is_active:
        org.is_active = False
        org.save(update_fields=["is_active"])
        log(instance=org, action="wagtail.delete", user=actor, data={"deactivated": True})
    return org
