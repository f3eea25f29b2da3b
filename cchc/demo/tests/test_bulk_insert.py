import pytest

from cchc.audit.models import AuditEntry
from cchc.lib.errors import ServiceError
from cchc.organisations.models import Unit, UnitKind, encode_segment
from cchc.organisations.services import UnitData, unit_create, units_bulk_insert

pytestmark = pytest.mark.django_db


def _data(code: str, kind: str = UnitKind.DEPARTMENT, subtype: str = "") -> UnitData:
    return UnitData(name=f"Đơn vị {code}", kind=kind, code=code, subtype=subtype)


def test_bulk_insert_gives_every_unit_the_path_of_its_parent_links():
    existing = unit_create(actor=None, data=_data("P", UnitKind.PROVINCE), parent=None)
    created = units_bulk_insert(
        actor=None,
        rows=[
            (_data("Q", UnitKind.PROVINCE), None),
            (_data("Q-S"), "Q"),
            (_data("Q-S-P", UnitKind.OFFICE), "Q-S"),
            (_data("P-S"), "P"),
            (_data("P-X", UnitKind.COMMUNE, subtype="ward"), "P"),
        ],
    )
    assert len(created) == 5
    for unit in Unit.objects.all():
        expected = (unit.parent.path if unit.parent else "") + encode_segment(unit.pk)
        assert unit.path == expected
        assert unit.depth == len(unit.path) // len(encode_segment(1)) - 1
    assert set(Unit.objects.subtree_of(existing).values_list("code", flat=True)) == {"P", "P-S", "P-X"}
    assert Unit.objects.get(code="Q-S-P").search_key == "don vi q s p q s p"
    assert AuditEntry.objects.filter(object_type="organisations.unit").count() == 6


@pytest.mark.parametrize(
    "rows",
    [
        [(_data("A", UnitKind.PROVINCE), None), (_data("A"), "A")],  # duplicate code in the batch
        [(_data("A", UnitKind.PROVINCE), None), (_data("B"), "KHONG-CO")],  # unknown parent
        [(_data("B"), "A"), (_data("A", UnitKind.PROVINCE), None)],  # parent listed after its child
        [(_data("A", UnitKind.PROVINCE), None), (_data("TAKEN"), "A")],  # code already in the tree
        [(_data("A", UnitKind.PROVINCE), None), (_data("B", subtype="ward"), "A")],  # subtype outside communes
        [(_data("A", UnitKind.PROVINCE), None), (UnitData(name=" ", kind=UnitKind.OFFICE, code="C"), "A")],
    ],
)
def test_bulk_insert_with_one_bad_row_writes_nothing(rows):
    unit_create(actor=None, data=_data("TAKEN", UnitKind.PROVINCE), parent=None)
    before = (Unit.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ServiceError):
        units_bulk_insert(actor=None, rows=rows)
    assert (Unit.objects.count(), AuditEntry.objects.count()) == before
