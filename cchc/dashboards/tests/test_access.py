"""Which home page and which of its sections each persona gets (``dashboards.access``)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cchc.accounts.models import Role, RoleAssignment
from cchc.accounts.roles import clear_cache
from cchc.accounts.services import user_create
from cchc.dashboards import access
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db


def test_the_most_responsible_role_chooses_the_home_page(personas: Personas) -> None:
    assert access.home_role(personas.admin) == Role.ADMIN
    assert access.home_role(personas.focal_a) == Role.FOCAL_POINT
    RoleAssignment.objects.create(user=personas.supervisor, role=Role.APPRAISER, scope=personas.province)
    clear_cache(personas.supervisor)
    assert access.home_role(personas.supervisor) == Role.APPRAISER


def test_administrators_see_counts_but_not_the_units_below_their_scopes(personas: Personas) -> None:
    assert access.can_see_unit_counts(personas.admin)
    assert not access.can_see_units_under_scopes(personas.admin)
    assert access.can_see_units_under_scopes(personas.appraiser)


@pytest.mark.parametrize(
    ("persona", "board"),
    [
        ("admin", None),
        ("secretariat", "secretariat"),
        ("leader", "leader"),
        ("focal_a", "focal_point"),
        ("appraiser", None),
        ("supervisor", "supervisor"),
    ],
)
def test_each_role_gets_its_dashboard_instead_of_the_unit_overview(
    personas: Personas, persona: str, board: str | None
) -> None:
    user = getattr(personas, persona)
    assert access.board_of(user) == board
    assert access.can_see_unit_counts(user) is (board is None)
    assert access.can_see_people_and_changes(user) is (persona == "admin")


def test_only_the_focal_points_page_offers_their_own_sheet(personas: Personas) -> None:
    assert access.can_see_own_sheet(personas.focal_a)
    assert not access.can_see_own_sheet(personas.leader)
    RoleAssignment.objects.create(user=personas.focal_a, role=Role.SECRETARIAT, scope=personas.unit_a)
    clear_cache(personas.focal_a)
    assert not access.can_see_own_sheet(personas.focal_a)


def test_without_a_role_one_sees_only_ones_units(personas: Personas) -> None:
    newcomer = user_create(actor=None, username="moi", full_name="Người Mới", password=None, unit=personas.unit_b)
    for user in (newcomer, AnonymousUser()):
        assert access.home_role(user) is None
        assert not access.can_see_colleagues(user)
        assert not access.can_see_unit_counts(user)
        assert not access.can_see_units_under_scopes(user)
        assert not access.can_see_own_sheet(user)
    assert access.can_see_colleagues(personas.supervisor)
