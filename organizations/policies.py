"""Wagtail permission policy for organisations, built on the one permission helper."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy

from . import permissions
from .domain.tree import ancestor_paths
from .models import ADMIN_ROLES, ALL_STAFF_ROLES, StaffMembership

READ_ACTIONS = {"view", "inspect"}
WRITE_ACTIONS = {"change"}


def _roles(actions):
    actions = set(actions)
    if actions & WRITE_ACTIONS:
        return ADMIN_ROLES if actions <= WRITE_ACTIONS else ALL_STAFF_ROLES
    return ALL_STAFF_ROLES


class OrganizationPermissionPolicy(BasePermissionPolicy):
    """Staff see their subtree; its administrators change it. Adding and deleting organisations
    is left to code (create_organization) and superusers: the tree mirrors real divisions."""

    def _allowed_action(self, user, action):
        if action in READ_ACTIONS | WRITE_ACTIONS:
            return True
        return permissions.is_superuser(user)

    def user_has_permission(self, user, action):
        if not self._allowed_action(user, action):
            return False
        return permissions.is_staff_anywhere(user, _roles([action]))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        if not self._allowed_action(user, action):
            return False
        return permissions.can_act(user, instance, _roles([action]))

    def instances_user_has_any_permission_for(self, user, actions):
        actions = [a for a in actions if self._allowed_action(user, a)]
        if not actions:
            return self.model._default_manager.none()
        return permissions.organizations_for(user, _roles(actions))

    def users_with_any_permission(self, actions):
        roles = _roles(actions)
        staff = StaffMembership.objects.active().filter(role__in=roles).values("user_id")
        return get_user_model().objects.filter(Q(is_superuser=True) | Q(pk__in=staff), is_active=True)

    def users_with_any_permission_for_instance(self, actions, instance):
        roles = _roles(actions)
        paths = ancestor_paths(instance.path, include_self=True)
        staff = StaffMembership.objects.active().filter(role__in=roles, organization__path__in=paths)
        return get_user_model().objects.filter(
            Q(is_superuser=True) | Q(pk__in=staff.values("user_id")), is_active=True
        )


class OrganizationScopedPolicy(BasePermissionPolicy):
    """For any model with an organisation foreign key: staff in `roles` see and change the rows of
    their subtree. Used by the admin viewsets of rosters, memberships and other per-branch data."""

    def __init__(self, model, *, org_field: str = "organization", roles=ALL_STAFF_ROLES, write_roles=None):
        super().__init__(model)
        self.org_field = org_field
        self.roles = roles
        self.write_roles = write_roles or roles

    def _roles(self, actions):
        return self.roles if set(actions) <= READ_ACTIONS else self.write_roles

    def user_has_permission(self, user, action):
        return permissions.is_staff_anywhere(user, self._roles([action]))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return permissions.can_act(user, getattr(instance, self.org_field), self._roles([action]))

    def instances_user_has_any_permission_for(self, user, actions):
        return permissions.scope_queryset(self.model._default_manager.all(), user, self.org_field, self._roles(actions))

    def users_with_any_permission(self, actions):
        staff = StaffMembership.objects.active().filter(role__in=self._roles(actions)).values("user_id")
        return get_user_model().objects.filter(Q(is_superuser=True) | Q(pk__in=staff), is_active=True)
