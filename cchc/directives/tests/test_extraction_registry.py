"""The hand-over between the organisation tree and the extraction engine."""

from __future__ import annotations

import datetime

from cchc.directives.extraction_registry import DatabaseUnits, registry_unit
from cchc.extraction import registry_unit as kinds
from cchc.organisations.models import CommuneSubtype, Unit, UnitKind
from cchc.testing.personas import Personas


def test_the_kinds_the_extractor_reasons_about_are_those_the_organisation_tree_stores() -> None:
    assert {kinds.PROVINCE, kinds.DEPARTMENT, kinds.DISTRICT, kinds.COMMUNE, kinds.OFFICE} <= set(UnitKind.values)
    assert kinds.PUBLIC_SERVICE_UNIT in UnitKind.values
    subtypes = {kinds.SUBTYPE_COMMUNE, kinds.SUBTYPE_WARD, kinds.SUBTYPE_TOWNSHIP, kinds.SUBTYPE_SPECIAL_ZONE}
    assert subtypes == set(CommuneSubtype.values)


def test_a_unit_becomes_a_registry_unit_with_its_place_in_the_tree(personas: Personas) -> None:
    unit = personas.unit_a
    record = registry_unit(unit)
    assert (record.id, record.name, record.kind, record.parent_id) == (unit.pk, unit.name, unit.kind, unit.parent_id)
    assert record.ancestor_ids == tuple(unit.ancestor_ids) and record.depth == unit.depth
    assert record.is_within(registry_unit(personas.province)) and not registry_unit(personas.province).is_within(record)


def test_the_database_source_gives_the_active_units_of_the_issuing_units_province(personas: Personas) -> None:
    today = datetime.date.today()
    found = {record.id for record in DatabaseUnits().province_of(registry_unit(personas.unit_a), today)}
    expected = set(Unit.objects.subtree_of(personas.province).active(today).values_list("pk", flat=True))
    assert found == expected
