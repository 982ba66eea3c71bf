"""Who holds which appeal role over which record. Same rule as `organizations.permissions`: a role
held at an organisation covers that organisation and its subtree; superusers hold every role."""

from django.db.models import Q

from organizations import permissions as org_permissions
from organizations.domain.tree import in_subtree
from organizations.permissions import holds_over, is_superuser, paths_for, role_paths, second_factor_missing, subtree_q

from .domain.workflow import Role, Scope
from .models import Appeal, AppealHandler

_CACHE_ATTR = "_yv_appeal_paths"


def handler_paths(user) -> dict[str, frozenset[str]]:
    # A session still missing its second factor holds no role (organizations.permissions).
    if user is None or not user.is_authenticated or not user.is_active or second_factor_missing(user):
        return {}
    return role_paths(user, _CACHE_ATTR, lambda: AppealHandler.objects.filter(user=user, is_active=True)
                      .values_list("role", "organization__path"))


def forget(user) -> None:
    org_permissions.forget(user, _CACHE_ATTR)


def _covers(user, role: str, org) -> bool:
    return holds_over(user, org, (role,), source=handler_paths)


def has_role_over(user, role: str, organization) -> bool:
    return _covers(user, role, organization)


def is_handler_anywhere(user) -> bool:
    return is_superuser(user) or bool(handler_paths(user))


def scope_orgs(appeal: Appeal, scope: str) -> list:
    if scope == Scope.OWNER:
        return [appeal.organization]
    if scope == Scope.LEAD:
        return [appeal.lead_organization] if appeal.lead_organization_id else []
    orgs = [appeal.lead_organization] if appeal.lead_organization_id else []
    return orgs + list(appeal.co_handlers.all())


def roles_over(user, appeal: Appeal, roles, scope: str) -> set[str]:
    """Which of `roles` the user holds over the record for a transition of `scope`."""
    held = set()
    for role in roles:
        if role == Role.REQUESTER:
            if user is not None and user.is_authenticated and appeal.requester_id == user.pk:
                held.add(role)
            continue
        if any(_covers(user, role, org) for org in scope_orgs(appeal, scope)):
            held.add(role)
    return held


def visible_appeals(user, queryset=None):
    """Records a handler may see: owned in a subtree where they hold any role, or led / co-handled
    by an organisation in their subtree."""
    qs = Appeal.objects.all() if queryset is None else queryset
    if is_superuser(user):
        return qs
    paths = paths_for(user, source=handler_paths)
    if not paths:
        return qs.none()
    q = subtree_q(paths, prefix="organization__") | subtree_q(paths, prefix="lead_organization__")
    q |= Q(pk__in=Appeal.co_handlers.through.objects.filter(subtree_q(paths, prefix="organization__")).values("appeal_id"))
    return qs.filter(q)


def can_see_requester(user, appeal: Appeal) -> bool:
    """The requester's name in the clear: handlers of the appeal's organisation or of its lead
    organisation (and staff whose subtree holds the requester); co-handlers see it masked."""
    from accounts.selectors import may_see_personal_data

    if is_superuser(user):
        return True
    paths = paths_for(user, source=handler_paths)
    orgs = [appeal.organization] + ([appeal.lead_organization] if appeal.lead_organization_id else [])
    if any(in_subtree(o.path, paths) for o in orgs):
        return True
    return may_see_personal_data(user, appeal.requester, appeal.organization)


def can_view(user, appeal: Appeal) -> bool:
    if is_superuser(user):
        return True
    paths = paths_for(user, source=handler_paths)
    orgs = [appeal.organization] + ([appeal.lead_organization] if appeal.lead_organization_id else [])
    orgs += list(appeal.co_handlers.all())
    return any(in_subtree(o.path, paths) for o in orgs)
