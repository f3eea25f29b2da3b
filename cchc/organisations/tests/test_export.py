import datetime
import io

import pytest
from openpyxl import load_workbook

from cchc.organisations.excel import HEADER, export_units, import_units
from cchc.organisations.models import Unit, UnitKind, UnitSuccession
from cchc.organisations.services import UnitData, unit_create, unit_merge

pytestmark = pytest.mark.django_db


def _u(name, code, kind, parent=None, **extra):
    return unit_create(actor=None, data=UnitData(name=name, code=code, kind=kind, **extra), parent=parent)


def _tree():
    province = _u("Tỉnh Sông Hồng", "SH", UnitKind.PROVINCE, valid_from=datetime.date(2025, 7, 1))
    department = _u("Sở Nội vụ", "SH-SNV", UnitKind.DEPARTMENT, province, short_name="SNV")
    _u("Phòng Cải cách hành chính", "SH-SNV-CCHC", UnitKind.OFFICE, department)
    old_a = _u("Xã An Bình", "SH-AB", UnitKind.COMMUNE, province, subtype="commune")
    old_b = _u("Xã Bình Minh", "SH-BM", UnitKind.COMMUNE, province, subtype="commune")
    unit_merge(
        actor=None,
        units=[old_a, old_b],
        new_unit=UnitData(name="Phường An Minh", code="SH-AM", kind=UnitKind.COMMUNE, subtype="ward"),
        parent=province,
        effective_date=datetime.date(2025, 7, 1),
    )
    return province


def _rows(data):
    return list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))


def _state():
    units = {
        unit.code: (
            unit.name,
            unit.short_name,
            unit.kind,
            unit.subtype,
            unit.parent.code if unit.parent else None,
            unit.valid_from,
            unit.valid_to,
            unit.depth,
        )
        for unit in Unit.objects.select_related("parent")
    }
    links = set(UnitSuccession.objects.values_list("predecessor__code", "successor__code", "kind"))
    return units, links


def test_the_export_has_the_documented_vietnamese_header_and_labels():
    _tree()
    rows = _rows(export_units(Unit.objects.all()))
    assert list(rows[0]) == HEADER
    assert rows[0][:3] == ("STT", "Mã đơn vị", "Tên đơn vị")
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code["SH"][4] == "Tỉnh, thành phố trực thuộc Trung ương"
    assert by_code["SH-AM"][4:7] == ("Xã, phường, đặc khu, thị trấn", "Phường", "SH")
    assert by_code["SH-AM"][9] == "SH-AB; SH-BM"
    assert by_code["SH-AB"][8].date() == datetime.date(2025, 6, 30)
    assert [row[0] for row in rows[1:]] == list(range(1, len(rows)))
    # Parents come before their children.
    assert [row[1] for row in rows[1:]].index("SH") == 0


def test_export_then_import_into_an_empty_database_reproduces_the_tree():
    _tree()
    before = _state()
    data = export_units(Unit.objects.all())
    UnitSuccession.objects.all().delete()
    for unit in Unit.objects.order_by("-depth"):
        unit.delete()
    assert not Unit.objects.exists()
    report = import_units(actor=None, data=data)
    assert report.ok, report.errors
    assert report.created == 6
    assert _state() == before


def test_the_export_only_contains_the_given_units_but_names_their_parents():
    province = _tree()
    department = Unit.objects.get(code="SH-SNV")
    rows = _rows(export_units(Unit.objects.subtree_of(department)))
    assert [row[1] for row in rows[1:]] == ["SH-SNV", "SH-SNV-CCHC"]
    assert rows[1][6] == province.code


def test_exporting_nothing_gives_just_the_header():
    assert _rows(export_units(Unit.objects.none())) == [tuple(HEADER)]
