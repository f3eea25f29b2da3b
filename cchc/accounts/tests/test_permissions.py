"""The central permission helpers, checked for every persona."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cchc.accounts import access, roles
from cchc.accounts.models import Role, RoleAssignment, User
from cchc.accounts.services import api_token_create
from cchc.audit import access as audit_access
from cchc.lib.types import Viewer
from cchc.organisations import access as organisations_access
from cchc.organisations.models import Membership, path_condition
from cchc.testing.personas import PERSONA_NAMES, Personas

PROVINCE_P = {"province", "home_affairs", "unit_a", "office_a", "front", "unit_b"}
EVERYTHING = PROVINCE_P | {"other_province", "other_commune"}
UNIT_NAMES = sorted(EVERYTHING)

READABLE = {
    "admin": EVERYTHING,
    "secretariat": PROVINCE_P,
    "leader": PROVINCE_P,
    "focal_a": PROVINCE_P,
    "focal_b": PROVINCE_P,
    "appraiser": PROVINCE_P,
    "supervisor": PROVINCE_P,
    "anonymous": set(),
}
MANAGEABLE = {
    "admin": EVERYTHING,
    "secretariat": PROVINCE_P,
    "leader": set(),
    "focal_a": set(),
    "focal_b": set(),
    "appraiser": set(),
    "supervisor": set(),
    "anonymous": set(),
}


def _as(personas: Personas, name: str) -> Viewer:
    user = personas.user(name)
    return AnonymousUser() if user is None else user


def _names(personas: Personas, units: object) -> set[str]:
    by_pk = {getattr(personas, name).pk: name for name in UNIT_NAMES}
    return {by_pk[unit.pk] for unit in units}  # type: ignore[attr-defined]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_get_units_for_user_reads_exactly_the_expected_units(personas: Personas, persona: str) -> None:
    assert _names(personas, roles.get_units_for_user(_as(personas, persona))) == READABLE[persona]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_get_units_for_user_manages_exactly_the_expected_units(personas: Personas, persona: str) -> None:
    units = roles.get_units_for_user(_as(personas, persona), manage=True)
    assert _names(personas, units) == MANAGEABLE[persona]


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_get_unit_for_user_hides_unreadable_units_and_refuses_to_manage_others(
    personas: Personas, persona: str
) -> None:
    user = _as(personas, persona)
    for unit_name in UNIT_NAMES:
        unit = getattr(personas, unit_name)
        if unit_name not in READABLE[persona]:
            with pytest.raises(Http404):
                organisations_access.get_unit_for_user(user, unit.pk)
            continue
        assert organisations_access.get_unit_for_user(user, unit.pk) == unit
        if unit_name in MANAGEABLE[persona]:
            assert organisations_access.get_unit_for_user(user, unit.pk, manage=True) == unit
            assert organisations_access.can_manage_unit(user, unit)
        else:
            with pytest.raises(PermissionDenied):
                organisations_access.get_unit_for_user(user, unit.pk, manage=True)
            assert not organisations_access.can_manage_unit(user, unit)


def test_get_unit_for_user_treats_a_malformed_id_as_not_found(personas: Personas) -> None:
    with pytest.raises(Http404):
        organisations_access.get_unit_for_user(personas.admin, "abc")


def test_a_locked_secretariat_account_loses_every_permission(personas: Personas) -> None:
    personas.secretariat.is_active = False
    personas.secretariat.save()
    user = User.objects.get(pk=personas.secretariat.pk)
    assert not roles.get_units_for_user(user).exists()
    assert not access.get_users_for_user(user).exists()
    assert not roles.can_grant_role(user, Role.FOCAL_POINT, personas.unit_a)


def test_a_secretariat_scoped_to_a_department_manages_only_that_subtree(personas: Personas) -> None:
    clerk = User.objects.create_user(username="vanthu", password="x")
    Membership.objects.create(user=clerk, unit=personas.unit_a)
    RoleAssignment.objects.create(user=clerk, role=Role.SECRETARIAT, scope=personas.unit_a)
    assert _names(personas, roles.get_units_for_user(clerk, manage=True)) == {"unit_a", "office_a"}
    assert not organisations_access.can_manage_unit(clerk, personas.province)
    assert not organisations_access.can_manage_unit(clerk, None)


def test_a_global_secretariat_manages_every_unit_and_root_creation(personas: Personas) -> None:
    RoleAssignment.objects.filter(user=personas.secretariat).update(scope=None)
    user = User.objects.get(pk=personas.secretariat.pk)
    assert _names(personas, roles.get_units_for_user(user, manage=True)) == EVERYTHING
    assert organisations_access.can_manage_unit(user, None)


# ---------------------------------------------------------------------------
# People


@pytest.fixture
def outsider(personas: Personas) -> User:
    """Somebody working in the other province."""
    user = User.objects.create_user(username="nguoingoai", password="x", full_name="Người Ngoài")
    Membership.objects.create(user=user, unit=personas.other_commune)
    return user


def test_the_admin_sees_every_person(personas: Personas, outsider: User) -> None:
    assert set(access.get_users_for_user(personas.admin)) == set(User.objects.all())


def test_the_secretariat_sees_the_people_working_inside_its_scope_only(personas: Personas, outsider: User) -> None:
    seen = set(access.get_users_for_user(personas.secretariat))
    assert outsider not in seen
    assert seen == {getattr(personas, name) for name in PERSONA_NAMES if name != "anonymous"}
    with pytest.raises(Http404):
        access.get_user_for_user(personas.secretariat, outsider.pk)


def test_a_person_with_two_memberships_in_scope_is_listed_once(personas: Personas) -> None:
    Membership.objects.create(user=personas.focal_a, unit=personas.office_a)
    users = list(access.get_users_for_user(personas.secretariat))
    assert users.count(personas.focal_a) == 1


@pytest.mark.parametrize("persona", ["leader", "focal_a", "focal_b", "appraiser", "supervisor", "anonymous"])
def test_people_without_a_managing_role_see_nobody(personas: Personas, outsider: User, persona: str) -> None:
    user = _as(personas, persona)
    assert not access.get_users_for_user(user).exists()
    with pytest.raises(Http404):
        access.get_user_for_user(user, personas.focal_a.pk)


def test_the_secretariat_may_change_people_whose_roles_it_could_grant(personas: Personas) -> None:
    for name in ("leader", "focal_a", "focal_b", "appraiser", "supervisor"):
        target = getattr(personas, name)
        assert access.can_change_user(personas.secretariat, target), name
        assert access.get_user_for_user(personas.secretariat, target.pk, manage=True) == target


def test_the_secretariat_may_not_change_an_administrator_in_its_scope(personas: Personas) -> None:
    assert not access.can_change_user(personas.secretariat, personas.admin)
    with pytest.raises(PermissionDenied):
        access.get_user_for_user(personas.secretariat, personas.admin.pk, manage=True)


def test_the_secretariat_may_not_change_someone_who_also_holds_a_role_outside_its_scope(personas: Personas) -> None:
    RoleAssignment.objects.create(user=personas.focal_a, role=Role.FOCAL_POINT, scope=personas.other_commune)
    assert not access.can_change_user(personas.secretariat, personas.focal_a)


def test_the_admin_may_change_everybody(personas: Personas) -> None:
    assert all(access.can_change_user(personas.admin, getattr(personas, name)) for name in ("admin", "leader"))


# ---------------------------------------------------------------------------
# Granting roles


@pytest.mark.parametrize("role", Role.values)
def test_the_admin_may_grant_every_role_anywhere(personas: Personas, role: str) -> None:
    for scope in (None, personas.province, personas.other_commune):
        assert roles.can_grant_role(personas.admin, role, scope)


@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.ADMIN])
def test_the_secretariat_may_grant_non_admin_roles_inside_its_scope(personas: Personas, role: str) -> None:
    for scope in (personas.province, personas.unit_a, personas.office_a, personas.unit_b):
        assert roles.can_grant_role(personas.secretariat, role, scope)


def test_the_secretariat_may_not_grant_the_admin_role(personas: Personas) -> None:
    for scope in (None, personas.province, personas.unit_a):
        assert not roles.can_grant_role(personas.secretariat, Role.ADMIN, scope)


def test_the_secretariat_may_not_grant_outside_its_scope_or_system_wide(personas: Personas) -> None:
    assert not roles.can_grant_role(personas.secretariat, Role.FOCAL_POINT, personas.other_commune)
    assert not roles.can_grant_role(personas.secretariat, Role.FOCAL_POINT, personas.other_province)
    assert not roles.can_grant_role(personas.secretariat, Role.LEADER, None)


@pytest.mark.parametrize("persona", ["leader", "focal_a", "focal_b", "appraiser", "supervisor", "anonymous"])
def test_other_personas_may_grant_nothing(personas: Personas, persona: str) -> None:
    user = _as(personas, persona)
    assert roles.grantable_roles(user) == []
    for role in Role.values:
        assert not roles.can_grant_role(user, role, personas.unit_a)


def test_grantable_roles_lists_admin_only_for_administrators(personas: Personas) -> None:
    assert Role.ADMIN in dict(roles.grantable_roles(personas.admin))
    secretariat_roles = dict(roles.grantable_roles(personas.secretariat))
    assert Role.ADMIN not in secretariat_roles
    assert Role.FOCAL_POINT in secretariat_roles


# ---------------------------------------------------------------------------
# Audit trail


def _entry_units(entries: object) -> set[str]:
    return {entry.unit_path for entry in entries}  # type: ignore[attr-defined]


def test_the_admin_reads_every_audit_entry_including_ones_without_a_unit(personas: Personas) -> None:
    api_token_create(actor=personas.leader, user=personas.leader, name="máy chủ báo cáo")
    assert audit_access.get_audit_entries_for_user(personas.admin).count() == 9


def test_the_secretariat_reads_only_audit_entries_of_units_in_its_scope(personas: Personas) -> None:
    api_token_create(actor=personas.leader, user=personas.leader, name="máy chủ báo cáo")
    entries = audit_access.get_audit_entries_for_user(personas.secretariat)
    assert _entry_units(entries) == {getattr(personas, name).path for name in PROVINCE_P}
    assert not entries.filter(path_condition([personas.other_province.path], "unit_path")).exists()
    assert not entries.filter(unit_path="").exists()
    other = entries.model.objects.filter(unit_path=personas.other_commune.path).first()
    assert other is not None
    with pytest.raises(Http404):
        audit_access.get_audit_entry_for_user(personas.secretariat, other.pk)


@pytest.mark.parametrize("persona", ["leader", "focal_a", "focal_b", "appraiser", "supervisor", "anonymous"])
def test_other_personas_read_no_audit_entry(personas: Personas, persona: str) -> None:
    user = _as(personas, persona)
    assert not audit_access.can_view_audit(user)
    assert not audit_access.get_audit_entries_for_user(user).exists()
