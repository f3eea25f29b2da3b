"""Who may see, write, submit and review periodic reform reports.

A unit's people (members and focal points, as ``cchc.accounts.roles.is_own_unit``) see their own reports, drafts
included, write them while they are drafts or returned, and submit them. The secretariat sees every report within
its scope, returns or accepts the submitted ones, and writes the consolidated report of a province it manages.
Leaders read the submitted and accepted reports within their scope; supervisors and everyone else see nothing of
another unit's reports. Only the secretariat and administrators replace the Word template.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.accounts.models import Role
from cchc.accounts.roles import (
    get_units_for_user,
    has_role,
    is_admin,
    is_manager,
    is_own_unit,
    is_signed_in,
    manages,
    member_unit_ids,
    own_unit_condition,
    roles_of,
    scope_paths,
)
from cchc.lib.ids import id_or_404
from cchc.lib.types import Viewer
from cchc.organisations.models import Unit, UnitQuerySet, subtree_condition

from .models import EDITABLE_STATUSES, Report, ReportStatus


def can_use_reports(user: Viewer) -> bool:
    """The reports pages: anyone signed in who acts for a unit, the secretariat, leaders and administrators."""
    if not is_signed_in(user):
        return False
    if is_admin(user) or has_role(user, Role.SECRETARIAT, Role.LEADER, Role.FOCAL_POINT):
        return True
    return get_own_units_for_user(user).exists()


def shows_reports_menu(user: Viewer) -> bool:
    """The menu entry (no query beyond the cached roles): those who prepare, review or read reports by role."""
    return is_signed_in(user) and (is_admin(user) or has_role(user, Role.SECRETARIAT, Role.LEADER, Role.FOCAL_POINT))


def get_own_units_for_user(user: Viewer) -> UnitQuerySet:
    """Units whose reports the user prepares: the units they work in (unless they only supervise) and the subtrees
    of their focal-point scopes (the query twin of ``is_own_unit``)."""
    if not is_signed_in(user):
        return Unit.objects.none()
    condition = Q(pk__in=[])
    if roles_of(user) != {Role.SUPERVISOR}:
        condition |= Q(pk__in=member_unit_ids(user))
    focal = scope_paths(user, (Role.FOCAL_POINT,)) or []
    if focal:
        condition |= subtree_condition(focal)
    return Unit.objects.filter(condition)


def get_reports_for_user(user: Viewer) -> QuerySet[Report]:
    """Reports the user may read."""
    if is_admin(user):
        return Report.objects.all()
    if not is_signed_in(user):
        return Report.objects.none()
    condition = own_unit_condition(user, "unit")
    secretariat = scope_paths(user, (Role.SECRETARIAT,))
    if secretariat is None:
        return Report.objects.all()
    if secretariat:
        condition |= subtree_condition(secretariat, "unit")
    leader = scope_paths(user, (Role.LEADER,))
    sent = ~Q(status__in=EDITABLE_STATUSES)
    if leader is None:
        condition |= sent
    elif leader:
        condition |= subtree_condition(leader, "unit") & sent
    return Report.objects.filter(condition)


def get_report_for_user(user: Viewer, report_id: Any) -> Report:
    pk = id_or_404(report_id)
    report = get_reports_for_user(user).select_related("unit", "assignment").filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def is_secretariat_for(user: Viewer, unit: Unit) -> bool:
    return is_manager(user) and manages(user, unit)


def can_write_report(user: Viewer, report: Report) -> bool:
    """Write the narrative while the report is a draft or returned: the unit's people; the province's report: the
    secretariat managing the province."""
    if report.status not in EDITABLE_STATUSES or (has_role(user, Role.SUPERVISOR) and not is_admin(user)):
        return False
    if report.is_consolidated:
        return is_secretariat_for(user, report.unit)
    return is_admin(user) or is_own_unit(user, report.unit)


def can_submit_report(user: Viewer, report: Report) -> bool:
    return not report.is_consolidated and can_write_report(user, report)


def can_review_report(user: Viewer, report: Report) -> bool:
    """Return or accept a submitted report: the secretariat in scope."""
    return report.status == ReportStatus.SUBMITTED and is_secretariat_for(user, report.unit)


def can_start_report(user: Viewer, unit: Unit) -> bool:
    """Open a unit's report: its people; a root unit's (the consolidated report): the secretariat managing it."""
    if unit.parent_id is None:
        return is_secretariat_for(user, unit)
    return get_own_units_for_user(user).filter(pk=unit.pk).exists() or is_admin(user)


def get_startable_units_for_user(user: Viewer) -> UnitQuerySet:
    """Units for which the user may open a report (their own units and the provinces they manage)."""
    own = get_own_units_for_user(user)
    roots = (
        get_units_for_user(user, manage=True).filter(parent__isnull=True) if is_manager(user) else Unit.objects.none()
    )
    return Unit.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=roots.values("pk")))


def can_overview(user: Viewer) -> bool:
    """Who has submitted, for the periods: the secretariat and administrators."""
    return is_admin(user) or has_role(user, Role.SECRETARIAT)


def get_overview_units_for_user(user: Viewer) -> UnitQuerySet:
    """Units whose reports the user follows on the overview (the secretariat's scope)."""
    if not can_overview(user):
        raise PermissionDenied
    return get_units_for_user(user, manage=True)


def can_manage_template(user: Viewer) -> bool:
    return is_admin(user) or has_role(user, Role.SECRETARIAT)
