"""Who may see and change people, their roles and their API tokens.

Administrators manage everybody; the reform secretariat manages the people who work in units inside its role scopes
(everybody when the scope is empty) and grants them every role but administrator there
(``cchc.accounts.roles.can_grant_role``). Nobody else manages people. Everybody manages their own API tokens on the
profile page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cchc.lib.ids import id_or_404
from cchc.lib.types import Viewer
from cchc.organisations.models import subtree_condition

from .models import ApiToken, Role, RoleAssignment, User
from .roles import can_grant_role, has_role, is_admin, is_manager, require, scope_paths


def get_users_for_user(user: Viewer) -> QuerySet[User]:
    """People the user may manage: members of units in their management scope."""
    if is_admin(user):
        return User.objects.all()
    paths = scope_paths(user, (Role.SECRETARIAT,))
    if paths is None:
        return User.objects.all()
    if not paths:
        return User.objects.none()
    return User.objects.filter(subtree_condition(paths, "memberships__unit")).distinct()


def get_user_for_user(user: Viewer, user_id: Any, *, manage: bool = False) -> User:
    """A person the user may see; with ``manage``, ``PermissionDenied`` unless they may also change them."""
    pk = id_or_404(user_id)
    target = get_users_for_user(user).filter(pk=pk).first()
    if target is None:
        raise Http404
    if manage and not can_change_user(user, target):
        raise PermissionDenied
    return target


def can_change_user(user: Viewer, target: User) -> bool:
    """May ``user`` edit, lock or set the password of ``target`` (a person from :func:`get_users_for_user`)?

    Nobody but an administrator may change a person who holds a role the actor
    could not grant themselves (an administrator, or a secretariat whose scope
    is wider), otherwise taking over that account would widen the actor's power.
    """
    if is_admin(user):
        return True
    if not has_role(user, Role.SECRETARIAT) or target.is_superuser:
        return False
    held = RoleAssignment.objects.filter(user=target).select_related("scope")
    return all(can_grant_role(user, assignment.role, assignment.scope) for assignment in held)


# ---------------------------------------------------------------------------
# Personal API tokens (everybody manages their own on the profile page)


def get_token_owner_for_user(user: Viewer, user_id: Any, *, manage: bool = False) -> User:
    """A person whose API tokens ``user`` may list; with ``manage``, also revoke.

    Administrators and the secretariat see the tokens of the people in their scope (:func:`get_users_for_user`)
    and revoke them where they may also change the person (:func:`can_change_user`).
    """
    require(is_manager(user))
    return get_user_for_user(user, user_id, manage=manage)


def get_api_token_for_user(owner: User, token_id: Any) -> ApiToken:
    """One token of ``owner`` (already obtained through an access helper, or the user themselves)."""
    pk = id_or_404(token_id)
    token = ApiToken.objects.select_related("user").filter(pk=pk, user=owner).first()
    if token is None:
        raise Http404
    return token
