import datetime

import pytest

from cchc.lib.errors import ServiceError
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.services import UnitData, unit_create, unit_merge, unit_move, unit_split

pytestmark = pytest.mark.django_db


def _u(name, kind=UnitKind.DEPARTMENT, parent=None, code=None):
    return unit_create(actor=None, data=UnitData(name=name, kind=kind, code=code or name), parent=parent)


def test_subtree_of_a_unit_contains_itself_and_all_descendants_only():
    province = _u("P", UnitKind.PROVINCE)
    dept = _u("D", parent=province)
    office = _u("O", UnitKind.OFFICE, parent=dept)
    other = _u("Q", UnitKind.PROVINCE)
    assert set(Unit.objects.subtree_of(province)) == {province, dept, office}
    assert set(Unit.objects.subtree_of(dept, include_self=False)) == {office}
    assert other not in Unit.objects.subtree_of(province)


def test_moving_a_unit_carries_its_whole_subtree():
    p1 = _u("P1", UnitKind.PROVINCE)
    p2 = _u("P2", UnitKind.PROVINCE)
    dept = _u("D", parent=p1)
    office = _u("O", UnitKind.OFFICE, parent=dept)
    unit_move(actor=None, unit=dept, new_parent=p2)
    office.refresh_from_db()
    assert office.is_within(p2)
    assert office.depth == 2
    assert set(Unit.objects.subtree_of(p1)) == {p1}


def test_a_unit_cannot_be_moved_under_its_own_descendant():
    p = _u("P", UnitKind.PROVINCE)
    dept = _u("D", parent=p)
    office = _u("O", UnitKind.OFFICE, parent=dept)
    with pytest.raises(ServiceError):
        unit_move(actor=None, unit=dept, new_parent=office)


def test_merging_communes_closes_them_and_links_the_successor():
    p = _u("P", UnitKind.PROVINCE)
    a = _u("Xã A", UnitKind.COMMUNE, parent=p)
    b = _u("Xã B", UnitKind.COMMUNE, parent=p)
    new = unit_merge(
        actor=None,
        units=[a, b],
        new_unit=UnitData(name="Xã AB", kind=UnitKind.COMMUNE, code="AB"),
        parent=p,
        effective_date=datetime.date(2025, 7, 1),
    )
    a.refresh_from_db()
    assert a.valid_to == datetime.date(2025, 6, 30)
    assert set(new.predecessors.all()) == {a, b}
    assert new.valid_from == datetime.date(2025, 7, 1)


def test_splitting_a_unit_creates_successors_and_closes_it():
    p = _u("P", UnitKind.PROVINCE)
    a = _u("Xã A", UnitKind.COMMUNE, parent=p)
    parts = unit_split(
        actor=None,
        unit=a,
        into=[
            UnitData(name="Xã A1", kind=UnitKind.COMMUNE, code="A1"),
            UnitData(name="Xã A2", kind=UnitKind.COMMUNE, code="A2"),
        ],
        effective_date=datetime.date(2025, 7, 1),
    )
    a.refresh_from_db()
    assert set(a.successors.all()) == set(parts)
    assert all(part.parent_id == p.pk for part in parts)


def test_personas_build(personas):
    assert personas.unit_a.is_within(personas.province)
