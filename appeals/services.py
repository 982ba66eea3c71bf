"""Writes of the appeal mechanism. Every transition goes through `transition()`, which reads the
rule from `domain.workflow`, checks the actor's role over the record, validates, locks the row,
writes the timeline event, notifies the next people (notifications + outbox in the same
transaction) and audits. Opening records (from a question, a report, an alert or the youth's own
request) are separate functions because each carries a different pre-filled part of the form.
"""

from datetime import date, datetime
from typing import overload

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from core.errors import Conflict, Forbidden, Invalid, NotFound, bilingual
from moderation import services as moderation
from notifications.services import notify
from organizations.domain.calendar import workday_predicate
from organizations.domain.tree import ancestor_paths
from organizations.models import ADMIN_ROLES, Organization
from organizations.permissions import can_act
from organizations.selectors import work_calendar

from . import permissions
from .domain import deadlines
from .domain.workflow import TRANSITIONS, Rating, Role, State, should_escalate, target_state
from .models import Appeal, AppealEvent, AppealHandler, AppealKind, AppealSource, AppealStepDeadline, SourceKind

MAX_COMMENT = 5000
MAX_FIELD = 10000

# Header fields of the form that the operations group may correct while the record is open.
EDITABLE_FIELDS = {
    "filed_on", "youth_group", "period_start", "period_end", "thread_count", "user_count", "user_name",
    "reported_at", "reply_count", "location", "theme",
}
FILLABLE_FIELDS = {"details_and_proposal", "coordination_opinion", "result_feedback", "leader_instruction"}


# ---------------------------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------------------------

@transaction.atomic
def add_handler(*, actor, user, organization: Organization, role: str) -> AppealHandler:
    """Give `user` an appeal role at `organization` (by that organisation's administrators)."""
    if actor is not None and not can_act(actor, organization, ADMIN_ROLES):
        raise Forbidden(_("Only the organisation's administrators may assign appeal roles"))
    if role not in Role.STAFF:
        raise Invalid(_("Unknown appeal role"), fields={"role": role})
    handler = AppealHandler.objects.filter(user=user, organization=organization, role=role, is_active=True).first()
    if handler:
        return handler
    handler = AppealHandler.objects.create(user=user, organization=organization, role=role)
    from organizations.services import general_staff_group

    user.groups.add(general_staff_group())  # admin access for the appeal views
    permissions.forget(user)
    log(instance=handler, action="wagtail.create", user=actor)
    return handler


@transaction.atomic
def end_handler(*, actor, handler: AppealHandler) -> AppealHandler:
    if actor is not None and not can_act(actor, handler.organization, ADMIN_ROLES):
        raise Forbidden(_("Only the organisation's administrators may assign appeal roles"))
    handler.is_active = False
    handler.save(update_fields=["is_active"])
    permissions.forget(handler.user)
    log(instance=handler, action="wagtail.edit", user=actor, data={"ended": True})
    return handler


def holders(role: str, organization: Organization | None):
    """Active users holding `role` at `organization` or one of its ancestors (they cover it)."""
    from django.contrib.auth import get_user_model

    if organization is None:
        return get_user_model().objects.none()
    paths = ancestor_paths(organization.path, include_self=True)
    ids = AppealHandler.objects.filter(role=role, is_active=True, organization__path__in=paths).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True)


# ---------------------------------------------------------------------------------------------
# Opening records
# ---------------------------------------------------------------------------------------------

def _clean_text(value, name, zh, en, *, required=False, max_len=MAX_FIELD) -> str:
    # PostgreSQL cannot store NUL characters in text: they are dropped (they carry nothing).
    value = ((value or "") if isinstance(value, str) or value is None else str(value)).replace("\x00", "").strip()
    if required and not value:
        raise Invalid(_("%(value)s is required"), params={"value": bilingual(zh, en)}, fields={name: "required"})
    if len(value) > max_len:
        raise Invalid(_("%(value)s is too long"), params={"value": bilingual(zh, en)}, fields={name: f"max {max_len}"})
    return value


def _check_ops(actor, organization):
    if not permissions.has_role_over(actor, Role.OPS, organization):
        raise Forbidden(_("Only the operations group may open appeals"))


def _url(appeal) -> str:
    return f"/appeals/{appeal.pk}/"


def _admin_url(appeal) -> str:
    return f"/admin/appeals/{appeal.pk}/"


def _set_step(appeal: Appeal, state: str, now: datetime) -> None:
    overrides = {(o.kind, o.state): o.working_days for o in AppealStepDeadline.objects.filter(kind=appeal.kind)}
    appeal.state = state
    appeal.state_entered_at = now
    workday = workday_predicate(work_calendar(timezone.localdate(now)))
    appeal.step_due_at = deadlines.step_due(appeal.kind, state, timezone.localtime(now), overrides, workday)
    appeal.overdue_notified_at = None


def _with_questions(sources) -> list[dict]:
    """Check that every source question exists (one query) and take its title and URL where the
    caller gave none. An unknown question is refused, not dropped."""
    from community.models import Question

    ids = {s["question_id"] for s in sources if s.get("question_id") is not None}
    found = {q.pk: q for q in Question.objects.filter(pk__in=ids).only("pk", "title")} if ids else {}
    missing = sorted(ids - set(found))
    if missing:
        raise Invalid(_("Unknown source question: %(missing)s"),
                      params={"missing": bilingual('、'.join(map(str, missing)), ', '.join(map(str, missing)))}, fields={"question_id": missing})
    rows = []
    for src in sources:
        q = found.get(src.get("question_id"))
        if q is not None:
            src = {**src, "title": src.get("title") or q.title[:200], "url": src.get("url") or q.get_absolute_url()}
        rows.append(src)
    return rows


def _create(*, actor, organization, kind, sources=(), event_comment="", **fields) -> Appeal:
    now = timezone.now()
    appeal = Appeal(kind=kind, organization=organization, created_by=actor, filed_on=timezone.localdate(), **fields)
    _set_step(appeal, State.RECEIVED, now)
    appeal.save()
    for src in _with_questions(sources):
        AppealSource.objects.create(appeal=appeal, **src)
    AppealEvent.objects.create(appeal=appeal, action="open", to_state=State.RECEIVED, actor=actor,
                               actor_role=Role.REQUESTER if actor and actor.pk == appeal.requester_id else Role.OPS,
                               comment=event_comment, data={"sources": len(sources)})
    notify(recipients=holders(Role.OPS, organization), kind="appeal", actor=actor, email=True,
           title=f"新{appeal.kind_label_zh}：{appeal.theme}", url=_admin_url(appeal), subject=f"appeals.appeal:{appeal.pk}")
    log(instance=appeal, action="wagtail.create", user=actor, data={"kind": kind})
    return appeal


def _source_rows(thread_refs, kind=SourceKind.QUESTION) -> list[dict]:
    rows = []
    for ref in thread_refs or []:
        if not isinstance(ref, dict):
            raise Invalid(_("Each source thread must be an object"), fields={"thread_refs": "object"})
        qid = ref.get("question_id")
        if qid is not None and (not isinstance(qid, int) or qid <= 0):
            raise Invalid(_("Invalid source question id"), fields={"thread_refs": "question_id"})
        rows.append({
            "kind": ref.get("kind", kind), "question_id": qid, "title": str(ref.get("title", ""))[:200],
            "url": str(ref.get("url", ""))[:500], "external_ref": str(ref.get("external_ref", ""))[:80],
            "author_id": ref.get("author_id"),
        })
    return rows


def _check_period(start, end):
    if start and end and start > end:
        raise Invalid(_("The period starts after it ends"), fields={"period_start": "after end"})


@transaction.atomic
def open_collective_appeal(
    *, actor, organization: Organization, theme: str, youth_group: str, period_start: date | None,
    period_end: date | None, thread_count: int | None, location: str, user_count: int | None = None,
    details: str = "", thread_refs=(), location_org: Organization | None = None, alert_ref: str = "",
) -> Appeal:
    _check_ops(actor, organization)
    theme = _clean_text(theme, "theme", "诉求主题", "Theme", required=True, max_len=200)
    youth_group = _clean_text(youth_group, "youth_group", "反映诉求的青年群体", "Youth group", required=True, max_len=200)
    _check_period(period_start, period_end)
    if thread_count is not None and thread_count < 0 or user_count is not None and user_count < 0:
        raise Invalid(_("Counts cannot be negative"), fields={"thread_count": "negative"})
    sources = _source_rows(thread_refs)
    if alert_ref:
        sources.append({"kind": SourceKind.ALERT, "external_ref": alert_ref[:80], "title": f"集中诉求预警 {alert_ref}"[:200]})
    return _create(
        actor=actor, organization=organization, kind=AppealKind.COLLECTIVE, sources=sources, theme=theme,
        youth_group=youth_group, period_start=period_start, period_end=period_end, thread_count=thread_count,
        user_count=user_count, location=_clean_text(location, "location", "青年群体所在地", "Location", max_len=120),
        location_org=location_org, details=_clean_text(details, "details", "诉求详情", "Details"),
    )


def open_collective_appeal_from_cluster(
    *, actor, organization: Organization, thread_refs, user_count: int, period_start: date, period_end: date,
    group: str, location: str, theme: str, alert_ref: str = "", location_org: Organization | None = None,
    details: str = "",
) -> Appeal:
    """Open a collective appeal from a concentrated-demand alert (monitoring calls this). The thread
    count is the number of threads the alert carries; distinct users, period, group and location are
    kept as the alert counted them."""
    refs = list(thread_refs or [])
    return open_collective_appeal(
        actor=actor, organization=organization, theme=theme, youth_group=group, period_start=period_start,
        period_end=period_end, thread_count=len(refs), user_count=user_count, location=location,
        thread_refs=refs, alert_ref=alert_ref, location_org=location_org, details=details,
    )


@transaction.atomic
def open_individual_case(
    *, actor, organization: Organization, theme: str, user_name: str = "", requester=None,
    reported_at: datetime | None = None, reply_count: int | None = None, location: str = "", details: str = "",
    source_kind: str = SourceKind.QUESTION, question_id: int | None = None, source_title: str = "",
    source_url: str = "", external_ref: str = "", location_org: Organization | None = None,
) -> Appeal:
    """Open an individual assistance case from a question or a report (by the operations group)."""
    _check_ops(actor, organization)
    if source_kind not in SourceKind.values:
        raise Invalid(_("Unknown source kind"), fields={"source_kind": source_kind})
    theme = _clean_text(theme, "theme", "诉求主题", "Theme", required=True, max_len=200)
    if requester is not None and not user_name:
        user_name = requester.real_name or requester.display_name or requester.username
    user_name = _clean_text(user_name, "user_name", "反映诉求的用户姓名", "User name", required=True, max_len=80)
    if reply_count is not None and reply_count < 0:
        raise Invalid(_("Reply count cannot be negative"), fields={"reply_count": "negative"})
    sources = []
    if question_id is not None or external_ref or source_title:
        sources.append({"kind": source_kind, "question_id": question_id, "title": source_title[:200],
                        "url": source_url[:500], "external_ref": external_ref[:80],
                        "author_id": requester.pk if requester else None})
    return _create(
        actor=actor, organization=organization, kind=AppealKind.INDIVIDUAL, sources=sources, theme=theme,
        requester=requester, user_name=user_name, reported_at=reported_at or timezone.now(), reply_count=reply_count,
        location=_clean_text(location, "location", "用户所在地", "Location", max_len=120), location_org=location_org,
        details=_clean_text(details, "details", "诉求详情", "Details"), consent_to_share=requester is not None,
    )


@transaction.atomic
def request_help(
    *, actor, theme: str, details: str, consent: bool, organization: Organization | None = None,
    location: str = "", question_id: int | None = None, question_title: str = "", question_url: str = "",
) -> Appeal:
    """A youth asks the League for help directly. Their consent to share their details with the
    handlers is required; the case goes to the operations group of their organisation's city (or
    the province), which is where the mechanism runs."""
    if actor is None or not actor.is_authenticated:
        raise Forbidden(_("Log in first"))
    if not consent:
        raise Invalid(_("Consent to share your details with the handlers is required"),
                      fields={"consent": "required"})
    theme = _clean_text(theme, "theme", "诉求主题", "Theme", required=True, max_len=200)
    details = _clean_text(details, "details", "诉求详情", "Details", required=True)
    if len(details) < 10:
        raise Invalid(_("Describe the problem in at least 10 characters"),
                      fields={"details": "too short"})
    location_org = organization or actor.organization
    owner = mechanism_owner(location_org)
    if owner is None:
        raise Invalid(_("Choose where you are"), fields={"organization": "required"})
    sources = []
    if question_id is not None:
        sources.append({"kind": SourceKind.QUESTION, "question_id": question_id, "title": question_title[:200],
                        "url": question_url[:500], "author_id": actor.pk})
    else:
        sources.append({"kind": SourceKind.DIRECT, "title": theme[:200], "author_id": actor.pk})
    moderation.rate_limit(kind="appeal", user=actor)
    name = actor.real_name or actor.display_name or actor.username
    return _create(
        actor=actor, organization=owner, kind=AppealKind.INDIVIDUAL, sources=sources, theme=theme,
        requester=actor, consent_to_share=True, user_name=name, reported_at=timezone.now(), reply_count=0,
        location=(location or (location_org.name if location_org else ""))[:120], location_org=location_org,
        details=details, event_comment="",
    )


@overload
def mechanism_owner(org: Organization) -> Organization: ...
@overload
def mechanism_owner(org: Organization | None) -> Organization | None: ...


def mechanism_owner(org: Organization | None) -> Organization | None:
    """The nearest organisation at or above `org` whose operations group exists; else the root."""
    if org is None:
        return Organization.objects.filter(depth=1).first()
    chain = list(org.get_ancestors()) + [org]
    with_ops = set(AppealHandler.objects.filter(role=Role.OPS, is_active=True, organization__in=chain)
                   .values_list("organization_id", flat=True))
    for candidate in reversed(chain):
        if candidate.pk in with_ops:
            return candidate
    return chain[0]


# ---------------------------------------------------------------------------------------------
# Editing the form header
# ---------------------------------------------------------------------------------------------

@transaction.atomic
def update_form(*, actor, appeal_id: int, expected_version: int | None = None, **changes) -> Appeal:
    appeal = _lock(appeal_id)
    if appeal.state == State.ARCHIVED:
        raise Conflict(_("An archived appeal cannot be changed"))
    if appeal.state == State.WITHDRAWN:
        raise Conflict(_("A withdrawn appeal cannot be changed"))
    if not permissions.has_role_over(actor, Role.OPS, appeal.organization):
        raise Forbidden(_("Only the operations group may edit the form"))
    _check_version(appeal, expected_version)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise Invalid(_("These fields cannot be edited directly"), fields={f: "read-only" for f in unknown})
    if "theme" in changes:
        changes["theme"] = _clean_text(changes["theme"], "theme", "诉求主题", "Theme", required=True, max_len=200)
    for name in ("thread_count", "user_count", "reply_count"):
        if changes.get(name) is not None and changes[name] < 0:
            raise Invalid(_("Counts cannot be negative"), fields={name: "negative"})
    _check_period(changes.get("period_start", appeal.period_start), changes.get("period_end", appeal.period_end))
    old = {k: str(getattr(appeal, k)) for k in changes}
    for k, v in changes.items():
        setattr(appeal, k, v)
    appeal.version += 1
    appeal.save(update_fields=[*changes, "version", "updated_at"])
    AppealEvent.objects.create(appeal=appeal, action="edit", from_state=appeal.state, to_state=appeal.state,
                               actor=actor, actor_role=Role.OPS, data={"changed": sorted(changes)})
    log(instance=appeal, action="wagtail.edit", user=actor, data={"before": old})
    return appeal


# ---------------------------------------------------------------------------------------------
# Transitions
# ---------------------------------------------------------------------------------------------

def _lock(appeal_id: int) -> Appeal:
    appeal = Appeal.objects.select_for_update().filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound(_("Appeal not found"))
    return appeal


def _check_version(appeal: Appeal, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != appeal.version:
        raise Conflict(_("The appeal was changed by someone else; reload and retry"),
                       fields={"version": appeal.version})


def _lead_checks(actor, appeal, lead_organization: Organization | None, co_handlers) -> Organization:
    """The lead, checked (with the co-handlers) against the coordination group's subtree."""
    if lead_organization is None:
        raise Invalid(_("Name the lead department or city"),
                      fields={"lead_organization": "required"})
    if not permissions.has_role_over(actor, Role.COORDINATION, lead_organization) or not lead_organization.path.startswith(
        appeal.organization.path
    ):
        raise Invalid(_("The lead lies outside the coordination group's subtree"),
                      fields={"lead_organization": "outside subtree"})
    for org in co_handlers:
        if org.pk == lead_organization.pk:
            raise Invalid(_("A co-handler cannot be the lead"), fields={"co_handlers": "is lead"})
        if not permissions.has_role_over(actor, Role.COORDINATION, org) or not org.path.startswith(appeal.organization.path):
            raise Invalid(_("A co-handler lies outside the coordination group's subtree"),
                          fields={"co_handlers": "outside subtree"})
    return lead_organization


@transaction.atomic
def transition(
    *, actor, appeal_id: int, name: str, comment: str = "", fields: dict | None = None,
    lead_organization: Organization | None = None, co_handlers=(), rating: str | None = None,
    expected_version: int | None = None,
) -> Appeal:
    """Take workflow step `name` on the record. Raises Conflict (409) from the wrong state or on a
    stale version, Forbidden (403) for the wrong role, Invalid (400) for missing opinions."""
    rule = TRANSITIONS.get(name)
    if rule is None:
        raise NotFound(_("Unknown workflow step"), fields={"name": name})
    if actor is None or not actor.is_authenticated:
        raise Forbidden(_("Log in first"))
    appeal = _lock(appeal_id)
    _check_version(appeal, expected_version)
    if appeal.state not in rule.sources:
        if appeal.state == State.ARCHIVED:
            raise Conflict(_("An archived appeal cannot be changed"))
        raise Conflict(
            _("'%(label)s' is not possible from state %(state)s"),
            params={"label": bilingual(rule.label[0], rule.label[1]), "state": bilingual(appeal.state_label, appeal.state)},
            code="wrong_state", fields={"state": appeal.state},
        )
    held = permissions.roles_over(actor, appeal, rule.roles, rule.scope)
    if not held:
        raise Forbidden(_("You may not '%(label)s' on this appeal"),
                        params={"label": bilingual(rule.label[0], rule.label[1])})
    role = Role.REQUESTER if Role.REQUESTER in held else sorted(held)[0]

    comment = _clean_text(comment, "comment", "意见或说明", "Comment", required=rule.comment_required, max_len=MAX_COMMENT)
    fields = dict(fields or {})
    unexpected = set(fields) - set(rule.fills)
    if unexpected:
        raise Invalid(_("This step does not fill these fields"), fields={f: "not here" for f in unexpected})
    for f in rule.fills:
        setattr(appeal, f, _clean_text(fields.get(f), f, _FIELD_ZH[f], f.replace("_", " ").capitalize(), required=True))
    update = ["state", "state_entered_at", "step_due_at", "overdue_notified_at", "version", "updated_at", *rule.fills]

    co_list = list(co_handlers or [])
    if name == "assign":
        lead = _lead_checks(actor, appeal, lead_organization, co_list)
        if appeal.lead_organization_id and appeal.lead_organization_id != lead.pk:
            appeal.handoff_count += 1  # reassigned to another lead: a hand-on
            update.append("handoff_count")
        appeal.lead_organization = lead
        update.append("lead_organization")
    if name == "return_visit":
        if rating not in Rating.VALUES:
            raise Invalid(_("Choose a rating"), fields={"rating": "satisfied | partly | not_satisfied"})
        if rating == Rating.NOT_SATISFIED and not comment:
            raise Invalid(_("Say why you are not satisfied"), fields={"comment": "required"})
        appeal.rating, appeal.rating_comment = rating, comment[:500]
        update += ["rating", "rating_comment"]
    if rule.counts_handoff or (name == "return_visit" and rating == Rating.NOT_SATISFIED):
        appeal.handoff_count += 1
        update.append("handoff_count")

    before = appeal.state
    now = timezone.now()
    _set_step(appeal, target_state(name, appeal.state, rating=rating), now)
    if appeal.state == State.ARCHIVED:
        appeal.archived_at = now
        update.append("archived_at")
    escalated_from = None
    if "handoff_count" in update and should_escalate(appeal.handoff_count):
        parent = appeal.organization.get_parent()
        if parent is not None:
            escalated_from = appeal.organization
            appeal.organization = parent
            appeal.escalation_level += 1
            update += ["organization", "escalation_level"]
    appeal.version += 1
    appeal.save(update_fields=list(dict.fromkeys(update)))
    if name == "assign":
        appeal.co_handlers.set(co_list)

    data: dict[str, object] = {}
    if name == "assign":
        data = {"lead_organization": appeal.lead_organization_id, "co_handlers": [o.pk for o in co_list]}
    if name == "return_visit":
        data = {"rating": rating}
    if escalated_from is not None:
        data["escalated_from"] = escalated_from.pk
    public = rule.public or (name == "withdraw" and role == Role.REQUESTER)
    AppealEvent.objects.create(appeal=appeal, action=name, from_state=before, to_state=appeal.state, actor=actor,
                               actor_role=role, comment=comment, public=public, data=data)
    _notify_step(appeal, name, actor, comment, rating=rating, escalated=escalated_from is not None)
    log(instance=appeal, action="wagtail.edit", user=actor,
        data={"transition": name, "from": before, "to": appeal.state, **data})
    return appeal


_FIELD_ZH = {
    "details_and_proposal": "诉求详情及开发运维组拟办意见",
    "coordination_opinion": "综合协调组意见",
    "result_feedback": "办理结果反馈",
    "leader_instruction": "团省委领导批示",
}


def _notify_step(appeal: Appeal, name: str, actor, comment: str, *, rating=None, escalated=False) -> None:
    subject = f"appeals.appeal:{appeal.pk}"
    ref = f"{appeal.reference}「{appeal.theme}」"

    def staff(role, org, title):
        notify(recipients=holders(role, org), kind="appeal", title=title, body=comment, url=_admin_url(appeal),
               actor=actor, subject=subject, email=True)

    def youth(title, body=comment):
        if appeal.requester_id:
            notify(recipients=[appeal.requester], kind="appeal", title=title, body=body, url=_url(appeal),
                   actor=actor, subject=subject, email=True)

    lead_and_co = [appeal.lead_organization, *appeal.co_handlers.all()] if appeal.lead_organization_id else []
    if name == "verify":
        youth("您的诉求已收到并核实")
    elif name in ("propose", "hand_back"):
        staff(Role.COORDINATION, appeal.organization, f"待审核交办：{ref}")
    elif name == "send_back_proposal":
        staff(Role.OPS, appeal.organization, f"拟办意见被退回：{ref}")
    elif name in ("assign", "send_back_result"):
        for org in lead_and_co:
            staff(Role.HANDLER, org, f"交办诉求：{ref}" if name == "assign" else f"办理结果被退回：{ref}")
    elif name in ("accept", "feedback"):
        staff(Role.OPS, appeal.organization, f"阶段性反馈：{ref}")
    elif name == "relay":
        youth("您的诉求有新进展")
    elif name == "record_result":
        staff(Role.LEADER, appeal.organization, f"待批示：{ref}")
    elif name == "instruct":
        staff(Role.OPS, appeal.organization, f"领导已批示，请向用户反馈结果：{ref}")
    elif name == "deliver_result":
        youth("您的诉求已办结，请评价办理情况")
    elif name == "return_visit":
        if rating == Rating.NOT_SATISFIED:
            staff(Role.COORDINATION, appeal.organization, f"用户不满意，请重新审核交办：{ref}")
        else:
            staff(Role.COORDINATION, appeal.organization, f"回访完成，请存档：{ref}")
    elif name == "withdraw":
        staff(Role.OPS, appeal.organization, f"诉求已撤回：{ref}")
        youth("您的诉求已撤回")
    if escalated:
        staff(Role.COORDINATION, appeal.organization, f"多次转办，已提级办理：{ref}")


# ---------------------------------------------------------------------------------------------
# Timeliness
# ---------------------------------------------------------------------------------------------

def sweep_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Notify the coordination group of the record's organisation and of the level above about each
    overdue step, once per step. Idempotent (the step's `overdue_notified_at` marks it)."""
    now = now or timezone.now()
    ids = list(
        Appeal.objects.filter(state__in=State.OPEN, step_due_at__lt=now, overdue_notified_at__isnull=True)
        .order_by("step_due_at").values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            appeal = Appeal.objects.select_for_update(skip_locked=True).filter(
                pk=pk, overdue_notified_at__isnull=True, step_due_at__lt=now).select_related("organization").first()
            if appeal is None:
                continue
            appeal.overdue_notified_at = now
            appeal.save(update_fields=["overdue_notified_at"])
            # both set by _set_step; the query asked for a due time in the past
            assert appeal.step_due_at is not None and appeal.state_entered_at is not None
            title = f"办理超时：{appeal.reference}「{appeal.theme}」（{appeal.state_label}）"
            recipients = list(holders(Role.COORDINATION, appeal.organization))
            parent = appeal.organization.get_parent()
            if parent is not None:
                recipients += list(holders(Role.COORDINATION, parent))
            if appeal.state in (State.ASSIGNED, State.IN_PROGRESS, State.RESULT_RECORDED) and appeal.lead_organization_id:
                recipients += list(holders(Role.HANDLER, appeal.lead_organization))
            notify(recipients=recipients, kind="appeal_overdue", title=title, url=_admin_url(appeal),
                   subject=f"appeals.appeal:{appeal.pk}", dedupe_key=f"appeal-overdue:{appeal.pk}:{appeal.state_entered_at.isoformat()}",
                   email=True)
            AppealEvent.objects.create(appeal=appeal, action="overdue", from_state=appeal.state, to_state=appeal.state,
                                       data={"due": appeal.step_due_at.isoformat()})
            done += 1
    return done
