"""Who may read and change the inspection register.

The secretariat (in its scope) and administrators manage plans of the units they manage: create, edit, approve,
close, add the units inspected, record the day of an inspection and its findings. Leaders, supervisors, appraisers
and the council read the plans in force (not drafts) of the provinces they hold a role for. A unit (its people and
its focal points) sees only the inspections of its own units in plans in force, with their findings; never another
unit's inspections, nor a draft plan.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.accounts.models import Role
from cchc.accounts.roles import covers, get_units_for_user, has_role, is_admin, is_manager, own_unit_condition
from cchc.lib.ids import id_or_404
from cchc.lib.types import Viewer
from cchc.organisations.models import Unit, UnitKind

from .models import Finding, Inspection, InspectionPlan, PlanStatus

PROVINCE_READERS = (Role.SECRETARIAT, Role.LEADER, Role.SUPERVISOR, Role.APPRAISER, Role.COUNCIL)


def can_manage_plans(user: Viewer) -> bool:
    return is_manager(user)


def can_manage_plan(user: Viewer, plan: InspectionPlan) -> bool:
    return is_admin(user) or covers(user, (Role.SECRETARIAT,), plan.organiser)


def can_read_plans(user: Viewer) -> bool:
    """Does the user read whole plans (the province's readers), rather than only their own unit's inspections?"""
    return is_admin(user) or has_role(user, *PROVINCE_READERS)


def can_view_register(user: Viewer) -> bool:
    """Is there anything to show the user: whole plans, or the inspections of their own units?"""
    return can_read_plans(user) or has_role(user, Role.FOCAL_POINT)


def _manage_condition(user: Viewer, field: str) -> Q:
    """Plans (reached through ``field``) whose organiser the user manages, drafts included."""
    managed = get_units_for_user(user, manage=True)
    return Q(**{f"{field}organiser__in": managed})


def get_plans_for_user(user: Viewer) -> QuerySet[InspectionPlan]:
    plans = InspectionPlan.objects.select_related("organiser")
    if is_admin(user):
        return plans
    if not can_read_plans(user):
        return plans.none()
    readable = get_units_for_user(user)
    in_force = Q(organiser__in=readable) & ~Q(status=PlanStatus.DRAFT)
    if has_role(user, Role.SECRETARIAT):
        return plans.filter(in_force | _manage_condition(user, ""))
    return plans.filter(in_force)


def get_plan_for_user(user: Viewer, plan_id: Any, *, manage: bool = False) -> InspectionPlan:
    pk = id_or_404(plan_id)
    plan = get_plans_for_user(user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    if manage and not can_manage_plan(user, plan):
        raise PermissionDenied
    return plan


def get_inspections_for_user(user: Viewer) -> QuerySet[Inspection]:
    """Inspections in the plans the user reads, and those of the user's own units in plans in force."""
    inspections = Inspection.objects.select_related("plan__organiser", "unit")
    if is_admin(user):
        return inspections
    plans = get_plans_for_user(user)
    own = own_unit_condition(user, "unit") & ~Q(plan__status=PlanStatus.DRAFT)
    return inspections.filter(Q(plan__in=plans) | own)


def get_inspection_for_user(user: Viewer, inspection_id: Any, *, manage: bool = False) -> Inspection:
    pk = id_or_404(inspection_id)
    inspection = get_inspections_for_user(user).filter(pk=pk).first()
    if inspection is None:
        raise Http404
    if manage and not can_manage_plan(user, inspection.plan):
        raise PermissionDenied
    return inspection


def get_findings_for_user(user: Viewer) -> QuerySet[Finding]:
    return Finding.objects.filter(inspection__in=get_inspections_for_user(user))


def get_finding_for_user(user: Viewer, finding_id: Any, *, manage: bool = False) -> Finding:
    pk = id_or_404(finding_id)
    finding = (
        get_findings_for_user(user)
        .select_related("inspection__plan__organiser", "inspection__unit")
        .filter(pk=pk)
        .first()
    )
    if finding is None:
        raise Http404
    if manage and not can_manage_plan(user, finding.inspection.plan):
        raise PermissionDenied
    return finding


ORGANISER_KINDS = (UnitKind.PROVINCE.value, UnitKind.DISTRICT.value)


def organisers_for_user(user: Viewer) -> QuerySet[Unit]:
    """The units whose plans the user may create: provinces (and districts before 1 July 2025) in force, managed."""
    return get_units_for_user(user, manage=True).active().filter(kind__in=ORGANISER_KINDS).order_by("path")
