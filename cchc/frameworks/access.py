"""Who may read and change criteria frameworks (bộ tiêu chí).

Every user with a role reads the frameworks of the provinces they work in or hold a role for, and the shared ones (no
owner). The secretariat manages the frameworks owned by a unit inside its scope; shared frameworks only when its scope
is the whole system; administrators manage everything.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.accounts.models import Role
from cchc.accounts.roles import covers, home_root_paths, is_admin, is_manager, role_assignments, scope_paths
from cchc.lib.ids import id_or_404
from cchc.lib.types import Viewer
from cchc.organisations.models import subtree_condition

from .models import Framework


def can_manage_frameworks(user: Viewer) -> bool:
    """May the user create frameworks (and so see the management pages) at all?"""
    return is_manager(user)


def get_frameworks_for_user(user: Viewer, *, manage: bool = False) -> QuerySet[Framework]:
    """Frameworks the user may read (or, with ``manage``, change)."""
    frameworks = Framework.objects.all()
    if is_admin(user):
        return frameworks
    if manage:
        paths = scope_paths(user, (Role.SECRETARIAT,))
        if paths is None:
            return frameworks
        return frameworks.filter(subtree_condition(paths, "owner"))
    if not role_assignments(user):
        return frameworks.none()
    paths = home_root_paths(user)
    if paths is None:
        return frameworks
    return frameworks.filter(Q(owner__isnull=True) | subtree_condition(paths, "owner"))


def get_framework_for_user(user: Viewer, framework_id: Any, *, manage: bool = False) -> Framework:
    """One framework; ``Http404`` outside what the user reads, ``PermissionDenied`` when they only read it."""
    pk = id_or_404(framework_id)
    framework = get_frameworks_for_user(user).select_related("owner", "based_on").filter(pk=pk).first()
    if framework is None:
        raise Http404
    if manage and not can_manage_framework(user, framework):
        raise PermissionDenied
    return framework


def can_manage_framework(user: Viewer, framework: Framework) -> bool:
    """May the user change ``framework`` (its criteria, its details, delete it)?

    A shared framework (no owner) needs a secretariat scope over the whole system.
    """
    return is_admin(user) or covers(user, (Role.SECRETARIAT,), framework.owner)
