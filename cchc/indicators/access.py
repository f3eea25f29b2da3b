"""Who may see and change what in the indicator store.

External results (PAR INDEX, SIPAS, PAPI, published per province): the secretariat and administrators import them;
everybody with a role reads the results of the provinces they work in or hold a role for (an administrator, and a
role without a scope, every province). Ranks and means are computed over every province with a figure, since the
published figures are public.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from cchc.accounts import roles
from cchc.accounts.models import Role
from cchc.lib.ids import parse_id
from cchc.lib.types import Viewer
from cchc.organisations.models import Unit, UnitKind, UnitQuerySet


def can_import_external_results(user: Viewer) -> bool:
    """Import published results: administrators and the reform secretariat (whatever its scope, since a ranking
    needs the figures of every province)."""
    return roles.is_admin(user) or roles.has_role(user, Role.SECRETARIAT)


def can_view_external_results(user: Viewer) -> bool:
    return roles.is_signed_in(user) and (roles.is_admin(user) or bool(roles.role_assignments(user)))


def get_external_provinces_for_user(user: Viewer) -> UnitQuerySet:
    """Provinces whose result pages the user may read."""
    if not can_view_external_results(user):
        return Unit.objects.none()
    return roles.get_units_for_user(user).filter(kind=UnitKind.PROVINCE)


def get_external_province_for_user(user: Viewer, unit_id: Any) -> Unit:
    """A province the user may read the results of (404 otherwise, so that its existence is not revealed)."""
    pk = parse_id(unit_id)
    unit = get_external_provinces_for_user(user).filter(pk=pk).first() if pk is not None else None
    if unit is None:
        raise Http404
    return unit
