"""Reads of the appeal mechanism reused by the admin views, the API and the youth's pages."""

from django.db.models import Q
from django.utils import timezone

from organizations.permissions import is_superuser, subtree_q

from . import permissions
from .domain.workflow import PUBLIC_STATE_LABELS, STATE_LABELS, TRANSITIONS, Role, State, available
from .models import Appeal

# For "my tasks": which role acts on which state, and over which organisation of the record.
TASK_STATES = {
    Role.OPS: ({State.RECEIVED, State.VERIFIED, State.INSTRUCTED, State.AWAITING_VISIT}, "organization"),
    Role.COORDINATION: ({State.PROPOSED, State.VISITED}, "organization"),
    Role.HANDLER: ({State.ASSIGNED, State.IN_PROGRESS}, "lead_organization"),
    Role.LEADER: ({State.RESULT_RECORDED}, "organization"),
}


def staff_queryset(user):
    return permissions.visible_appeals(user).select_related("organization", "lead_organization", "requester")


def my_tasks(user):
    """Records waiting for something the user can do now."""
    qs = staff_queryset(user)
    if is_superuser(user):
        return qs.filter(state__in=State.OPEN)
    q = Q(pk__in=[])
    for role, paths in permissions.handler_paths(user).items():
        states, field = TASK_STATES[role]
        q |= Q(state__in=states) & subtree_q(paths, prefix=f"{field}__")
        if role == Role.HANDLER:  # co-handlers give stage feedback while the lead works
            co = Appeal.co_handlers.through.objects.filter(subtree_q(paths, prefix="organization__")).values("appeal_id")
            q |= Q(state=State.IN_PROGRESS, pk__in=co)
    return qs.filter(q)


def overdue(user, now=None):
    now = now or timezone.now()
    return staff_queryset(user).filter(state__in=State.OPEN, step_due_at__lt=now)


def actions_for(user, appeal: Appeal) -> list[dict]:
    """The steps `user` can take on the record now, for the admin record page."""
    result = []
    for name in available(appeal.state, set(Role.STAFF) | {Role.REQUESTER}):
        rule = TRANSITIONS[name]
        if permissions.roles_over(user, appeal, rule.roles - {Role.REQUESTER}, rule.scope):
            result.append({"name": name, "label": rule.label[0], "rule": rule})
    return result


def timeline(appeal: Appeal, *, public_only: bool = False):
    qs = appeal.events.select_related("actor")
    if public_only:
        qs = qs.filter(public=True)
    return qs


def public_progress(appeal: Appeal) -> dict:
    """What the youth sees: state in plain words, public responses, no internal opinions."""
    return {
        "id": appeal.pk,
        "reference": appeal.reference,
        "kind": appeal.kind,
        "theme": appeal.theme,
        "state": appeal.state,
        "state_label": PUBLIC_STATE_LABELS[appeal.state],
        "created_at": appeal.created_at,
        "can_rate": appeal.state == State.AWAITING_VISIT,
        "can_withdraw": appeal.state in TRANSITIONS["withdraw"].sources,
        "rating": appeal.rating or None,
        "steps": [
            {"at": e.created_at, "label": "提交诉求" if e.action == "open" else e.action_label,
             "message": e.comment}
            for e in sorted(appeal.events.all(), key=lambda e: (e.created_at, e.pk))
            if e.public or e.action == "open"
        ],
    }


def state_label(state: str) -> str:
    return STATE_LABELS[state][0]


def progress_for_question(question_id: int, user) -> list[dict]:
    """The user's appeals raised from a Q&A question, for the question page ("your appeal: 办理中")."""
    if user is None or not user.is_authenticated:
        return []
    qs = Appeal.objects.filter(requester=user, sources__question_id=question_id).distinct().prefetch_related("events")
    return [public_progress(a) for a in qs]
