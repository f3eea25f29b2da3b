"""Who may read and change the initiative register.

A unit (its people and its focal points) proposes initiatives for its own units, edits and withdraws them while they are
proposals (not once recognised or not recognised), and sees every initiative of its own units; of other units it sees
only the recognised ones, never their proposals. The secretariat (in its scope) and administrators see every initiative
of the units they manage and recognise them; leaders, supervisors, appraisers and the council read every initiative of
the provinces they hold a role for. Whoever recognises an initiative may also decide it is not recognised, and reopen
it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.accounts.models import Role
from cchc.accounts.roles import (
    covers,
    get_units_for_user,
    has_role,
    is_admin,
    is_own_unit,
    is_signed_in,
    member_unit_ids,
    own_unit_condition,
    role_assignments,
    roles_of,
    scope_paths,
)
from cchc.lib.ids import id_or_404
from cchc.lib.types import Viewer
from cchc.organisations.models import Unit, subtree_condition

from .models import COUNTED_STATUSES, Initiative, InitiativeFile, InitiativeStatus

PROVINCE_READERS = (Role.LEADER, Role.SUPERVISOR, Role.APPRAISER, Role.COUNCIL)


def can_view_register(user: Viewer) -> bool:
    return is_admin(user) or bool(role_assignments(user))


def can_recognise(user: Viewer, initiative: Initiative) -> bool:
    return is_admin(user) or covers(user, (Role.SECRETARIAT,), initiative.unit)


def can_refuse(user: Viewer, initiative: Initiative) -> bool:
    """Decide that a proposal is not recognised: whoever may recognise it, while it is a proposal."""
    return initiative.status == InitiativeStatus.PROPOSED and can_recognise(user, initiative)


def can_reopen(user: Viewer, initiative: Initiative) -> bool:
    """Take a not recognised initiative back to a proposal: whoever may recognise it."""
    return initiative.status == InitiativeStatus.NOT_RECOGNISED and can_recognise(user, initiative)


def can_propose(user: Viewer, unit: Unit) -> bool:
    return is_signed_in(user) and bool(role_assignments(user)) and is_own_unit(user, unit)


def can_edit(user: Viewer, initiative: Initiative) -> bool:
    """Edit, attach files, withdraw: the unit itself while the initiative is only proposed."""
    return initiative.status == InitiativeStatus.PROPOSED and can_propose(user, initiative.unit)


def can_mark_applied(user: Viewer, initiative: Initiative) -> bool:
    return initiative.status == InitiativeStatus.RECOGNISED and (
        can_recognise(user, initiative) or can_propose(user, initiative.unit)
    )


def proposing_units(user: Viewer) -> QuerySet[Unit]:
    """The units in force the user proposes for: those they work in (not as a supervisor only) and, for a focal
    point, the subtree of the role's scope (the query twin of :func:`can_propose`)."""
    if not can_view_register(user):
        return Unit.objects.none()
    condition = subtree_condition(scope_paths(user, (Role.FOCAL_POINT,)) or [])
    if roles_of(user) != {Role.SUPERVISOR}:
        condition |= Q(pk__in=member_unit_ids(user))
    return Unit.objects.active().filter(condition).order_by("name")


def get_initiatives_for_user(user: Viewer) -> QuerySet[Initiative]:
    initiatives = Initiative.objects.select_related("unit")
    if is_admin(user):
        return initiatives
    if not can_view_register(user):
        return initiatives.none()
    readable = get_units_for_user(user)
    condition = own_unit_condition(user, "unit") | Q(unit__in=readable, status__in=COUNTED_STATUSES)
    if has_role(user, Role.SECRETARIAT):
        condition |= Q(unit__in=get_units_for_user(user, manage=True))
    if has_role(user, *PROVINCE_READERS):
        condition |= Q(unit__in=readable)
    return initiatives.filter(condition)


def get_initiative_for_user(user: Viewer, initiative_id: Any) -> Initiative:
    pk = id_or_404(initiative_id)
    initiative = get_initiatives_for_user(user).filter(pk=pk).first()
    if initiative is None:
        raise Http404
    return initiative


def get_file_for_user(user: Viewer, initiative: Initiative, file_id: Any) -> InitiativeFile:
    pk = id_or_404(file_id)
    found = initiative.files.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied
