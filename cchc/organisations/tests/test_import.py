import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from cchc.audit.models import AuditEntry
from cchc.organisations.excel import HEADER, error_workbook, import_units
from cchc.organisations.models import Unit, UnitKind, UnitSuccession
from cchc.organisations.services import UnitData, unit_create

pytestmark = pytest.mark.django_db


def _xlsx(rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(code, name, kind, parent="", subtype="", valid_from=None, valid_to=None, predecessors="", short=""):
    return [None, code, name, short, kind, subtype, parent, valid_from, valid_to, predecessors]


THREE_LEVELS = [
    # Children before their parents on purpose: the import resolves the order.
    _row("P-STP-VP", "Văn phòng Sở Tư pháp", "Phòng chuyên môn", "P-STP"),
    _row("P", "Tỉnh Hòa Bình Mới", "Tỉnh, thành phố trực thuộc Trung ương", valid_from="01/07/2025"),
    _row("P-STP", "Sở Tư pháp", "so, ban, nganh", "P", short="STP"),
    _row("P-X1", "Xã Đồng Tâm", "commune", "P", subtype="Xã", valid_from=datetime.date(2025, 7, 1)),
    _row("P-W1", "Phường Hữu Nghị", "Xã, phường, đặc khu, thị trấn", "P", subtype="phuong"),
]


def _parent_code(unit):
    return Unit.objects.get(pk=unit.parent_id).code


def _errors(report):
    return [(error.row, error.column, error.message) for error in report.errors]


def test_a_good_file_creates_a_three_level_tree_in_any_row_order():
    report = import_units(actor=None, data=_xlsx(THREE_LEVELS))
    assert report.ok, report.errors
    assert report.created == 5
    province = Unit.objects.get(code="P")
    office = Unit.objects.get(code="P-STP-VP")
    assert _parent_code(office) == "P-STP"
    assert office.is_within(province) and office.depth == 2
    assert Unit.objects.get(code="P-STP").short_name == "STP"
    assert Unit.objects.get(code="P-X1").subtype == "commune"
    assert Unit.objects.get(code="P-W1").subtype == "ward"
    assert province.valid_from == datetime.date(2025, 7, 1)
    assert AuditEntry.objects.filter(action="create", object_type="organisations.unit").count() == 5


def test_importing_the_same_file_twice_changes_nothing_the_second_time():
    import_units(actor=None, data=_xlsx(THREE_LEVELS))
    before = AuditEntry.objects.count()
    report = import_units(actor=None, data=_xlsx(THREE_LEVELS))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert AuditEntry.objects.count() == before


def test_rows_with_existing_codes_update_and_move_those_units():
    import_units(actor=None, data=_xlsx(THREE_LEVELS))
    report = import_units(
        actor=None,
        data=_xlsx(
            [
                _row("P-STP", "Sở Tư pháp tỉnh", "Sở, ban, ngành", "P"),
                _row("P-STP-VP", "Văn phòng Sở", "Phòng chuyên môn", "P-X1"),
                _row("P-NEW", "Sở Mới", "Sở, ban, ngành", "P"),
            ]
        ),
        reason="Quyết định 12/QĐ-UBND",
    )
    assert report.ok, report.errors
    assert (report.created, report.updated) == (1, 2)
    assert Unit.objects.get(code="P-STP").name == "Sở Tư pháp tỉnh"
    office = Unit.objects.get(code="P-STP-VP")
    assert _parent_code(office) == "P-X1"
    assert AuditEntry.objects.filter(action="move", reason="Quyết định 12/QĐ-UBND").exists()


def test_predecessor_codes_create_succession_links():
    import_units(actor=None, data=_xlsx(THREE_LEVELS))
    report = import_units(
        actor=None,
        data=_xlsx([_row("P-X9", "Xã Hợp Nhất", "Xã", "P", valid_from="01/07/2025", predecessors="P-X1; P-W1")]),
    )
    assert report.ok, report.errors
    assert report.links == 2
    merged = Unit.objects.get(code="P-X9")
    assert {unit.code for unit in merged.predecessors.all()} == {"P-X1", "P-W1"}
    assert merged.subtype == "commune"
    assert UnitSuccession.objects.filter(successor=merged, kind="merge").count() == 2


BAD_ROWS = [
    (_row("B1", "Sở A", "Sở, ban, ngành", "KHONG-CO"), 2, "Mã đơn vị cấp trên", "Không tìm thấy đơn vị cấp trên"),
    (_row("B1", "", "Sở, ban, ngành"), 2, "Tên đơn vị", "Thiếu tên đơn vị"),
    (_row("B1", "Sở A", "Bộ"), 2, "Loại đơn vị", "Loại đơn vị “Bộ” không hợp lệ"),
    (_row("B1", "Sở A", "Sở, ban, ngành", subtype="Xã"), 2, "Loại xã", "Chỉ đơn vị cấp xã"),
    (_row("B1", "Sở A", "Sở, ban, ngành", valid_from="31/02/2025"), 2, "Hiệu lực từ", "không hợp lệ"),
    (_row("B1", "Sở A", "Sở, ban, ngành", valid_from="hôm qua"), 2, "Hiệu lực từ", "không hợp lệ"),
    (
        _row("B1", "Sở A", "Sở, ban, ngành", valid_from="01/07/2025", valid_to="30/06/2025"),
        2,
        "Hiệu lực đến",
        "phải sau ngày bắt đầu",
    ),
    (_row("", "Sở A", "Sở, ban, ngành"), 2, "Mã đơn vị", "Thiếu mã đơn vị"),
    (_row("B1", "Sở A", "Sở, ban, ngành", "B1"), 2, "Mã đơn vị cấp trên", "chính nó"),
    (_row("B1", "Xã A", "Xã", predecessors="ZZZ", valid_from="01/07/2025"), 2, "Kế thừa từ", "Không tìm thấy"),
    (_row("B1", "Xã A", "Xã", predecessors="EXIST"), 2, "Hiệu lực từ", "Cần ngày"),
]


@pytest.mark.parametrize(("row", "number", "column", "message"), BAD_ROWS)
def test_each_kind_of_bad_row_is_reported_by_row_and_column_and_nothing_is_imported(row, number, column, message):
    unit_create(actor=None, data=UnitData(name="Có sẵn", kind=UnitKind.PROVINCE, code="EXIST"), parent=None)
    rows = [_row("OK1", "Tỉnh Tốt", "Tỉnh"), row] if number == 3 else [row, _row("OK1", "Tỉnh Tốt", "Tỉnh")]
    before = Unit.objects.count()
    report = import_units(actor=None, data=_xlsx(rows))
    assert not report.ok
    matching = [error for error in report.errors if error.row == number and error.column == column]
    assert matching, report.errors
    assert message in matching[0].message
    assert Unit.objects.count() == before
    assert not Unit.objects.filter(code="OK1").exists()


def test_duplicate_codes_in_the_file_are_reported_on_the_later_row():
    report = import_units(actor=None, data=_xlsx([_row("D", "Tỉnh A", "Tỉnh"), _row("D", "Tỉnh B", "Tỉnh")]))
    assert _errors(report) == [(3, "Mã đơn vị", "Mã đơn vị trùng với dòng 2.")]
    assert not Unit.objects.exists()


def test_a_cycle_in_parent_links_is_reported_and_nothing_is_imported():
    report = import_units(
        actor=None,
        data=_xlsx([_row("A", "Sở A", "Sở", "C"), _row("B", "Sở B", "Sở", "A"), _row("C", "Sở C", "Sở", "B")]),
    )
    assert {(error.row, error.column) for error in report.errors} == {
        (2, "Mã đơn vị cấp trên"),
        (3, "Mã đơn vị cấp trên"),
        (4, "Mã đơn vị cấp trên"),
    }
    assert "vòng lặp" in report.errors[0].message
    assert not Unit.objects.exists()


def test_moving_an_existing_unit_under_its_own_descendant_is_a_cycle():
    import_units(actor=None, data=_xlsx(THREE_LEVELS))
    report = import_units(actor=None, data=_xlsx([_row("P-STP", "Sở Tư pháp", "Sở", "P-STP-VP")]))
    assert [(error.row, error.column) for error in report.errors] == [(2, "Mã đơn vị cấp trên")]
    assert _parent_code(Unit.objects.get(code="P-STP")) == "P"


def test_a_secretariat_cannot_import_into_or_over_units_outside_its_scope(personas):
    actor = personas.secretariat
    report = import_units(
        actor=actor,
        data=_xlsx(
            [
                _row("T-Q-X", "Xã Đổi Tên", "Xã", "T-Q"),  # existing unit of the other province
                _row("N1", "Xã Mới", "Xã", "T-Q"),  # parent outside the scope
                _row("N2", "Tỉnh Mới", "Tỉnh"),  # a new root
                _row("N3", "Phòng Mới", "Phòng", "T-P-STP"),  # fine on its own
            ]
        ),
    )
    assert [(error.row, error.column) for error in report.errors] == [
        (2, "Mã đơn vị"),
        (3, "Mã đơn vị cấp trên"),
        (4, "Mã đơn vị cấp trên"),
    ]
    assert "ngoài phạm vi" in report.errors[0].message
    assert not Unit.objects.filter(code__in=["N1", "N2", "N3"]).exists()
    assert Unit.objects.get(code="T-Q-X").name == "Xã Ngoài Phạm Vi"


def test_a_secretariat_may_reimport_its_own_province_whose_root_has_no_parent(personas):
    report = import_units(
        actor=personas.secretariat,
        data=_xlsx([_row("T-P", "Tỉnh Thử Nghiệm", "Tỉnh"), _row("T-P-N", "Sở Mới", "Sở", "T-P")]),
    )
    assert report.ok, report.errors
    assert report.created == 1
    entry = AuditEntry.objects.get(object_repr="Sở Mới")
    assert entry.actor == personas.secretariat


def test_a_missing_required_column_rejects_the_whole_file():
    from cchc.lib.errors import ServiceError

    with pytest.raises(ServiceError, match="thiếu cột bắt buộc"):
        import_units(actor=None, data=_xlsx([["X", "Tỉnh X"]], header=["Mã đơn vị", "Tên đơn vị"]))


def test_columns_are_found_by_header_text_whatever_the_order_and_accents():
    header = ["ten don vi", "LOẠI ĐƠN VỊ", "ma don vi"]
    report = import_units(actor=None, data=_xlsx([["Tỉnh X", "tinh", "X"]], header=header))
    assert report.ok, report.errors
    assert Unit.objects.get(code="X").kind == "province"


def test_dry_run_checks_and_counts_but_writes_nothing():
    report = import_units(actor=None, data=_xlsx(THREE_LEVELS), dry_run=True)
    assert report.ok and report.created == 5
    assert not Unit.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_error_workbook_repeats_the_rows_with_a_lỗi_column():
    report = import_units(actor=None, data=_xlsx([_row("A", "Tỉnh A", "Tỉnh"), _row("B", "", "Tỉnh")]))
    sheet = load_workbook(io.BytesIO(error_workbook(report))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "Lỗi"
    assert rows[1][1] == "A" and not rows[1][-1]
    assert rows[2][1] == "B" and "Thiếu tên đơn vị" in str(rows[2][-1])


def test_the_command_imports_a_file_and_reports_counts(tmp_path, capsys):
    path = tmp_path / "don-vi.xlsx"
    path.write_bytes(_xlsx(THREE_LEVELS))
    call_command("import_units", str(path), "--dry-run")
    assert "Thêm mới 5" in capsys.readouterr().out
    assert not Unit.objects.exists()
    call_command("import_units", str(path))
    assert Unit.objects.count() == 5
    entry = AuditEntry.objects.filter(action="create").earliest("id")
    assert entry.actor is None and entry.actor_display == "Hệ thống"


def test_the_command_prints_row_errors_and_imports_nothing(tmp_path, capsys):
    path = tmp_path / "loi.xlsx"
    path.write_bytes(_xlsx([_row("A", "Tỉnh A", "Tỉnh"), _row("B", "Sở B", "Sở", "ZZ")]))
    errors = tmp_path / "bao-loi.xlsx"
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_units", str(path), "--errors-out", str(errors))
    assert "Dòng 3, cột “Mã đơn vị cấp trên”" in capsys.readouterr().out
    assert errors.exists()
    assert not Unit.objects.exists()


def test_the_command_refuses_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "ghi-chu.xlsx"
    path.write_text("không phải Excel")
    with pytest.raises(CommandError, match="Excel"):
        call_command("import_units", str(path))


@given(
    parents=st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=7)), min_size=1, max_size=8),
    order=st.randoms(use_true_random=False),
)
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_parent_graph_either_imports_exactly_or_reports_its_cycles_and_imports_nothing(parents, order):
    count = len(parents)
    links = {index: (parent if parent is not None and parent < count else None) for index, parent in enumerate(parents)}

    def on_cycle(start):
        seen, node = set(), links[start]
        while node is not None and node not in seen:
            if node == start:
                return True
            seen.add(node)
            node = links[node]
        return False

    rows = [
        _row(f"U{index}", f"Đơn vị {index}", "Sở", f"U{links[index]}" if links[index] is not None else "")
        for index in range(count)
    ]
    order.shuffle(rows)
    with transaction.atomic():
        report = import_units(actor=None, data=_xlsx(rows))
        cyclic = {index for index in range(count) if on_cycle(index)}
        if cyclic:
            assert {error.row for error in report.errors} == {
                number for number, row in enumerate(rows, start=2) if int(row[1][1:]) in cyclic
            }
            assert all("vòng lặp" in error.message or "chính nó" in error.message for error in report.errors)
            assert not Unit.objects.exists()
        else:
            assert report.ok and report.created == count
            for index in range(count):
                unit = Unit.objects.get(code=f"U{index}")
                expected = links[index]
                assert unit.parent_id == (Unit.objects.get(code=f"U{expected}").pk if expected is not None else None)
                assert unit.path.startswith(unit.parent.path if unit.parent else "")
        transaction.set_rollback(True)
