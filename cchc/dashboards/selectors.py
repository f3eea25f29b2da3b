"""Reads for the role home pages. Each page runs a fixed, small number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from cchc.accounts.models import Role, User
from cchc.accounts.roles import has_role, is_focal_point_for, role_assignments
from cchc.assessments.models import Assessment, AssessmentStatus, Stage
from cchc.audit import selectors as audit_selectors
from cchc.audit.models import AuditEntry
from cchc.lib.text import sort_key
from cchc.lib.types import Viewer
from cchc.organisations.models import Membership, Unit, UnitKind, UnitQuerySet
from cchc.organisations.selectors import tree_rows

# Roles from the most responsible down: the home page a user lands on is that of the first role they hold
# (``access.home_role``), and their scopes are listed in this order.
HOME_ORDER = [
    Role.ADMIN,
    Role.SECRETARIAT,
    Role.LEADER,
    Role.COUNCIL,
    Role.APPRAISER,
    Role.FOCAL_POINT,
    Role.SUPERVISOR,
]


def unit_counts(units: UnitQuerySet) -> list[dict[str, Any]]:
    """Active units per kind, in the order of :class:`UnitKind`."""
    rows = {row["kind"]: row["n"] for row in units.active().values("kind").annotate(n=Count("id"))}
    return [{"kind": label, "count": rows.get(value, 0)} for value, label in UnitKind.choices if rows.get(value)]


def recent_changes(entries: QuerySet[AuditEntry], limit: int = 8) -> list[AuditEntry]:
    """The latest of ``entries`` (those the reader may read), labelled for the table."""
    return audit_selectors.labelled(entries[:limit])


@dataclass
class UnitWithMembers:
    unit: Unit
    position: str
    members: list[Membership] = field(default_factory=list)


def my_units_with_members(user: Viewer, *, with_members: bool = True) -> list[UnitWithMembers]:
    """The units the user works in, each with its colleagues (two queries)."""
    if not isinstance(user, User):
        return []
    own = list(user.memberships.select_related("unit").order_by("unit__path"))
    if not own or not with_members:
        return [UnitWithMembers(unit=m.unit, position=m.position) for m in own]
    colleagues = (
        Membership.objects.filter(unit__in=[m.unit_id for m in own], user__is_active=True)
        .select_related("user")
        .order_by("-is_head", "user__full_name", "user__username")
    )
    by_unit: dict[int, list[Membership]] = {}
    # Heads first, then by name in Vietnamese order (no database collation sorts Vietnamese everywhere).
    ordered = sorted(
        colleagues, key=lambda m: (not m.is_head, sort_key(m.user.full_name or m.user.username), m.user.username)
    )
    for membership in ordered:
        by_unit.setdefault(membership.unit_id, []).append(membership)
    return [UnitWithMembers(unit=m.unit, position=m.position, members=by_unit.get(m.unit_id, [])) for m in own]


@dataclass(frozen=True)
class Scope:
    role: str
    unit: Unit | None


def scopes(user: Viewer) -> list[Scope]:
    """The user's roles and where each applies (no query: the roles are already read for the request)."""
    return [
        Scope(role=str(a.get_role_display()), unit=a.scope)
        for a in sorted(role_assignments(user), key=lambda a: HOME_ORDER.index(Role(a.role)))
    ]


def units_under_scopes(user: Viewer) -> list[Unit]:
    """Active units directly below the units the user's roles are scoped to (one query)."""
    scope_ids = [a.scope_id for a in role_assignments(user) if a.scope_id]
    if not scope_ids:
        return []
    return tree_rows(Unit.objects.filter(parent__in=scope_ids).active())


@dataclass(frozen=True)
class PeopleSummary:
    total: int
    locked: int
    without_role: list[User]
    without_role_count: int


def people_summary(users: QuerySet[User], limit: int = 8) -> PeopleSummary:
    """Accounts the user manages (``users``), and the ones still waiting for a role."""
    waiting = users.filter(role_assignments__isnull=True, is_active=True)
    return PeopleSummary(
        total=users.count(),
        locked=users.filter(is_active=False).count(),
        without_role=list(waiting.order_by("-date_joined")[:limit]),
        without_role_count=waiting.count(),
    )


def own_open_sheet(user: Viewer, sheets: QuerySet[Assessment]) -> Assessment | None:
    """The self-assessment sheet the user answers for and may still fill in, when there is exactly one (one query).

    ``sheets`` are the sheets the user may read. Open as :func:`cchc.assessments.access.can_edit_self_assessment`
    says: a draft while its round self-assesses (or is in appraisal with the unit's own extended deadline), a
    reopened sheet in self-assessment or appraisal.
    """
    if not has_role(user, Role.FOCAL_POINT):
        return None
    open_stage = (
        Q(status=AssessmentStatus.DRAFT, round__stage=Stage.SELF_ASSESSMENT)
        | Q(status=AssessmentStatus.DRAFT, round__stage=Stage.APPRAISAL, deadline__isnull=False)
        | Q(status=AssessmentStatus.REOPENED, round__stage__in=(Stage.SELF_ASSESSMENT, Stage.APPRAISAL))
    )
    candidates = sheets.filter(open_stage).select_related("round", "unit")
    editable = [
        sheet
        for sheet in candidates[:2]
        if is_focal_point_for(user, sheet.unit) and sheet.is_open_for_self_assessment()
    ]
    return editable[0] if len(editable) == 1 else None
