"""Who may read and change indicator definitions, targets and values.

Everyone with a role reads the definitions and targets, and the accepted values of the units they may read (the unit
tree of the provinces they work in or hold a role for). Drafts and returned values only the unit itself sees (the units
its people work in and, for focal points, the subtree of their role scope); values waiting for review also the
province-level roles (secretariat, leaders, appraisers, council, supervisors), never another unit's focal point.
A unit's focal point enters and submits values for its own units. The secretariat manages definitions and targets
(targets of one unit only inside its scope), imports targets and values, publishes computed or imported values, and
accepts or returns the values of the units in its scope; it does not see drafts of other units.
Supervisors, leaders, appraisers and the council only read. Administrators do everything.

Who may see and change what in the indicator store.

External results (PAR INDEX, SIPAS, PAPI, published per province): the secretariat and administrators import them;
everybody with a role reads the results of the provinces they work in or hold a role for (an administrator, and a
role without a scope, every province). Ranks and means are computed over every province with a figure, since the
published figures are public.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.accounts import roles
from cchc.accounts.models import Role
from cchc.accounts.roles import (
    covers,
    get_units_for_user,
    is_admin,
    is_focal_point_for,
    is_manager,
    member_unit_ids,
    own_unit_condition,
    role_assignments,
    scope_paths,
)
from cchc.lib.ids import id_or_404, parse_id
from cchc.lib.types import Viewer
from cchc.organisations.models import Unit, UnitKind, UnitQuerySet, subtree_condition

from .models import EntryMode, Indicator, IndicatorValue, Target, ValueEvidence, ValueState


def can_read_indicators(user: Viewer) -> bool:
    return is_admin(user) or bool(role_assignments(user))


def can_manage_indicators(user: Viewer) -> bool:
    """May the user create and change definitions and general or per-kind targets?"""
    return is_manager(user)


def can_enter_values(user: Viewer) -> bool:
    """Does the user see the "values to enter" page (a focal point of some unit)?"""
    return any(assignment.role == Role.FOCAL_POINT for assignment in role_assignments(user))


def can_review_values(user: Viewer) -> bool:
    return is_manager(user)


def can_import_values(user: Viewer) -> bool:
    """Import targets and values from Excel: the secretariat and administrators (rows only for units in scope)."""
    return is_manager(user)


def get_indicators_for_user(user: Viewer) -> QuerySet[Indicator]:
    return Indicator.objects.all() if can_read_indicators(user) else Indicator.objects.none()


def get_indicator_for_user(user: Viewer, indicator_id: Any, *, manage: bool = False) -> Indicator:
    """One indicator; ``Http404`` for someone without a role, ``PermissionDenied`` when they only read it."""
    pk = id_or_404(indicator_id)
    indicator = get_indicators_for_user(user).filter(pk=pk).first()
    if indicator is None:
        raise Http404
    if manage and not can_manage_indicators(user):
        raise PermissionDenied
    return indicator


def can_manage_target(user: Viewer, target: Target) -> bool:
    """A target of one unit needs a secretariat scope over that unit; general and per-kind targets any secretariat."""
    if is_admin(user):
        return True
    if target.unit_id is None:
        return can_manage_indicators(user)
    return covers(user, (Role.SECRETARIAT,), target.unit)


def get_target_for_user(user: Viewer, indicator: Indicator, target_id: Any) -> Target:
    """A target of ``indicator`` the user may change (404 when it is not the indicator's, 403 when only read)."""
    pk = id_or_404(target_id)
    target = indicator.targets.select_related("unit", "indicator").filter(pk=pk).first()
    if target is None:
        raise Http404
    if not can_manage_target(user, target):
        raise PermissionDenied
    return target


def _review_condition(user: Viewer) -> Q:
    """Values waiting for review (or reviewed) in the units the user's secretariat scope covers."""
    paths = scope_paths(user, (Role.SECRETARIAT,))
    if paths is None:
        return Q()
    return subtree_condition(paths, "unit")


def get_values_for_user(user: Viewer) -> QuerySet[IndicatorValue]:
    """Values the user may read, in the units they read: accepted values; values waiting for review for the people
    who review them or read the whole province (not for another unit, whose focal point only sees its own); drafts
    and returned values of their own units only."""
    values = IndicatorValue.objects.all()
    if is_admin(user):
        return values
    if not role_assignments(user):
        return values.none()
    readable = Q(unit__in=get_units_for_user(user))
    own = own_unit_condition(user, "unit")
    unfinished = Q(state__in=[ValueState.DRAFT, ValueState.RETURNED])
    submitted = Q(state=ValueState.SUBMITTED)
    if any(assignment.role != Role.FOCAL_POINT for assignment in role_assignments(user)):
        return values.filter(readable).filter(~unfinished | own)
    return values.filter(readable).filter(~(unfinished | submitted) | own)


def get_value_for_user(user: Viewer, value_id: Any) -> IndicatorValue:
    pk = id_or_404(value_id)
    value = get_values_for_user(user).select_related("indicator", "unit").filter(pk=pk).first()
    if value is None:
        raise Http404
    return value


def can_enter_value(user: Viewer, indicator: Indicator, unit: Unit) -> bool:
    """The unit's focal point enters values of indicators entered by the unit (supervisors never)."""
    if indicator.entry != EntryMode.UNIT:
        return False
    return is_admin(user) or is_focal_point_for(user, unit)


def can_publish_value(user: Viewer, unit: Unit) -> bool:
    """Publish a computed or imported value (accepted at once) for ``unit``: administrators, and the secretariat
    whose scope covers the unit."""
    return roles.manages(user, unit)


def can_edit_value(user: Viewer, value: IndicatorValue) -> bool:
    return value.is_editable and can_enter_value(user, value.indicator, value.unit)


def can_review_value(user: Viewer, value: IndicatorValue) -> bool:
    return is_admin(user) or covers(user, (Role.SECRETARIAT,), value.unit)


def get_review_queue_for_user(user: Viewer) -> QuerySet[IndicatorValue]:
    """Submitted values the user may accept or return."""
    if not can_review_values(user):
        return IndicatorValue.objects.none()
    values = IndicatorValue.objects.filter(state=ValueState.SUBMITTED)
    return values if is_admin(user) else values.filter(_review_condition(user))


def can_open_entry_list(user: Viewer) -> bool:
    """The "values to enter" page: focal points (their units) and administrators (the units they choose)."""
    return can_enter_values(user) or is_admin(user)


def entry_units_for_user(user: Viewer, *, root: Unit | None = None) -> UnitQuerySet:
    """The units the user enters values for: the subtree of their focal-point scope (or the units they work in);
    for an administrator, the subtree of the unit ``root`` they chose (none until they choose one)."""
    if can_enter_values(user):
        paths = scope_paths(user, (Role.FOCAL_POINT,))
        units = Unit.objects.filter(pk__in=member_unit_ids(user)) if paths is None else Unit.objects.in_subtrees(paths)
        return units.subtree_of(root) if root is not None else units
    if is_admin(user) and root is not None:
        return Unit.objects.subtree_of(root)
    return Unit.objects.none()


def get_evidence_for_user(user: Viewer, value: IndicatorValue, evidence_id: Any) -> ValueEvidence:
    pk = id_or_404(evidence_id)
    evidence = value.evidence.filter(pk=pk).first()
    if evidence is None:
        raise Http404
    return evidence


def get_entry_unit_for_user(user: Viewer, indicator: Indicator, unit_id: Any) -> Unit:
    """The unit whose value of ``indicator`` the user enters: ``Http404`` for a unit they do not read,
    ``PermissionDenied`` for one they read but do not enter values for."""
    pk = id_or_404(unit_id)
    unit = get_units_for_user(user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    if not can_enter_value(user, indicator, unit):
        raise PermissionDenied
    return unit


# ---------------------------------------------------------------------------
# Published external results (PAR INDEX, SIPAS, PAPI per province)


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


def can_assign_external_responsibility(user: Viewer, province: Unit) -> bool:
    """Name the units answerable for the items of an index in ``province``: administrators, and the secretariat whose
    scope covers the province."""
    return roles.manages(user, province)


def get_external_result_provinces_for_user(user: Viewer) -> UnitQuerySet:
    """Provinces whose figures the user may list and export: every province for those who import them (the
    administrators and the secretariat, who handle every province's figures to rank them), the provinces they may
    read for everyone else."""
    if can_import_external_results(user):
        return Unit.objects.filter(kind=UnitKind.PROVINCE)
    return get_external_provinces_for_user(user)


def get_home_province_ids_for_user(user: Viewer) -> set[int]:
    """Ids of the provinces the user works in or holds a scoped role in (marked as "theirs" in the all-province
    table); a role without a scope (administrators, a national secretariat) makes no province theirs by itself."""
    if not roles.is_signed_in(user):
        return set()
    paths = roles.member_unit_paths(user)
    paths += [assignment.scope.path for assignment in roles.role_assignments(user) if assignment.scope is not None]
    if not paths:
        return set()
    return {
        pk
        for pk, path in Unit.objects.filter(kind=UnitKind.PROVINCE).values_list("pk", "path")
        if any(candidate.startswith(path) for candidate in paths)
    }
