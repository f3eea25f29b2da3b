"""Reads for the role home pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from cchc.accounts import permissions
from cchc.accounts.models import Role
from cchc.audit.models import AuditEntry
from cchc.organisations.models import Unit, UnitKind

# The home page a user lands on is chosen by their most responsible role.
HOME_ORDER = [
    Role.ADMIN,
    Role.SECRETARIAT,
    Role.LEADER,
    Role.COUNCIL,
    Role.APPRAISER,
    Role.FOCAL_POINT,
    Role.SUPERVISOR,
]


def home_role(user: Any) -> str | None:
    roles = permissions.roles_of(user)
    if permissions.is_admin(user):
        return Role.ADMIN
    return next((role for role in HOME_ORDER if role in roles), None)


def unit_counts(units: Any) -> list[dict[str, Any]]:
    """Active units per kind, in the order of :class:`UnitKind`."""
    rows = {row["kind"]: row["n"] for row in units.active().values("kind").annotate(n=Count("id"))}
    return [{"kind": label, "count": rows.get(value, 0)} for value, label in UnitKind.choices if rows.get(value)]


def recent_changes(user: Any, limit: int = 8) -> list[AuditEntry]:
    return list(permissions.get_audit_entries_for_user(user).select_related("actor")[:limit])


def my_units(user: Any) -> list[Unit]:
    return [m.unit for m in user.memberships.select_related("unit").order_by("unit__path")]
