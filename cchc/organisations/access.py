"""Who may read and change units.

Administrators and the reform secretariat manage the units in the subtrees of their role scopes (everywhere when the
scope is empty); every other user with a role reads the unit tree of the provinces they work in or hold a role for
(``cchc.accounts.roles.get_units_for_user``). A unit outside what the user reads answers 404, so its existence is not
revealed; one they read but may not change answers 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from cchc.accounts.roles import get_units_for_user, is_manager, manages
from cchc.lib.ids import id_or_404
from cchc.lib.types import Viewer

from .models import Unit


def can_manage_units(user: Viewer) -> bool:
    """May the user change units at all (and so see the management pages)?"""
    return is_manager(user)


def can_manage_unit(user: Viewer, unit: Unit | None) -> bool:
    """May the user change ``unit`` (``None``: create a root unit)?"""
    return manages(user, unit)


def get_unit_for_user(user: Viewer, unit_id: Any, *, manage: bool = False) -> Unit:
    """One unit the user reads; with ``manage``, ``PermissionDenied`` unless they may also change it."""
    pk = id_or_404(unit_id)
    unit = get_units_for_user(user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    if manage and not get_units_for_user(user, manage=True).filter(pk=pk).exists():
        raise PermissionDenied
    return unit
