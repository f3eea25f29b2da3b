"""Which home page a person lands on, and which of its sections they see.

The page is made for the person's most responsible role (``selectors.HOME_ORDER``; administrators always get theirs,
people without a role a page that says whom to ask). The sections that show records of other apps follow those
apps' rules, which the page asks directly: people from ``organisations.access.can_manage_units``, recent changes from
``audit.access.can_view_audit``, one's open sheet from the sheets ``assessments.access`` lets one read. The
dashboards read every figure through the owning app's access functions (``views``), so a unit sees only its subtree.
"""

from __future__ import annotations

from cchc.accounts.models import Role
from cchc.accounts.roles import is_admin, member_unit_ids, role_assignments, roles_of
from cchc.lib.types import Viewer

from .selectors import HOME_ORDER

# The dashboard of each role's home page; the other roles (administrator, appraiser) keep their overview.
BOARDS = {
    Role.SECRETARIAT: "secretariat",
    Role.LEADER: "leader",
    Role.COUNCIL: "leader",
    Role.FOCAL_POINT: "focal_point",
    Role.SUPERVISOR: "supervisor",
}


def home_role(user: Viewer) -> str | None:
    """The role whose home page ``user`` lands on: their most responsible one (``None`` without a role)."""
    held = roles_of(user)
    if is_admin(user):
        return Role.ADMIN
    return next((role for role in HOME_ORDER if role in held), None)


def board_of(user: Viewer) -> str | None:
    """The dashboard on ``user``'s home page (``None``: the page without one)."""
    role = home_role(user)
    return BOARDS.get(Role(role)) if role else None


def can_see_colleagues(user: Viewer) -> bool:
    """The people working in one's units are listed for anybody with a role; without one, only the units."""
    return home_role(user) is not None


def can_see_unit_counts(user: Viewer) -> bool:
    """The units within one's reach, counted per kind: on the pages without a dashboard, for anybody with a role."""
    return home_role(user) is not None and board_of(user) is None


def can_see_units_under_scopes(user: Viewer) -> bool:
    """The units directly below one's role scopes: on the pages without a dashboard, not for administrators."""
    return home_role(user) is not None and not is_admin(user) and board_of(user) is None


def can_see_own_sheet(user: Viewer) -> bool:
    """The one self-assessment sheet one may still fill in: on the focal point's page only."""
    return home_role(user) == Role.FOCAL_POINT


def can_see_people_and_changes(user: Viewer) -> bool:
    """Accounts waiting for a role and recent changes: on the administrator's overview (the secretariat reaches both
    from its quick links and its dashboard's lists)."""
    return home_role(user) == Role.ADMIN


def board_scope(user: Viewer) -> tuple[object, ...]:
    """What a dashboard's content depends on besides the data and the filters: everything the access functions it
    reads through look at (administrator or not, each role with its scope unit, the units one works in), so two
    people with the same roles in the same units see the same board, and nobody sees another's."""
    held = sorted((str(assignment.role), assignment.scope_id or 0) for assignment in role_assignments(user))
    return is_admin(user), tuple(held), tuple(sorted(member_unit_ids(user)))
