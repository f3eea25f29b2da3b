"""The import of published PAR INDEX, SIPAS and PAPI results: layout, checks, both modes, idempotence."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from cchc.audit.models import AuditEntry
from cchc.indicators import external
from cchc.indicators.external import HEADER, ImportMode, external_results_import, read_upload
from cchc.indicators.models import Indicator, IndicatorSource, IndicatorValue
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import SheetRow
from cchc.testing.files import xlsx_bytes

pytestmark = pytest.mark.django_db

YEAR = 2023


def _rows(*body: list[object], header: list[str] | None = None) -> list[SheetRow]:
    lines: list[Sequence[object]] = [header or HEADER, *body]
    return [SheetRow(number, tuple(values)) for number, values in enumerate(lines, 1)]


def _upload(rows: Sequence[Sequence[object]], name: str = "ket-qua.xlsx") -> list[SheetRow]:
    return read_upload(SimpleUploadedFile(name, xlsx_bytes(rows)), name=name)


def _value(code: str, unit) -> Decimal | None:
    stored = IndicatorValue.objects.filter(indicator__code=code, unit=unit).first()
    return stored.value if stored else None


def test_rows_are_matched_to_provinces_by_name_without_accents_or_by_code_and_stored_as_yearly_values(personas):
    report = external_results_import(
        actor=personas.secretariat,
        rows=_rows(
            ["tinh thu nghiem", YEAR, "papi.d1", "5,12", "papi.org.vn"],
            ["T-Q", YEAR, "PAPI.D1", 4.5, ""],
            ["Bên Cạnh", 2022, "par.total", "88.37", ""],
        ),
    )
    assert report.ok and report.created == 3
    value = IndicatorValue.objects.get(indicator__code="papi.d1", unit=personas.province)
    assert value.value == Decimal("5.12") and value.period_key == "2023" and value.note == "papi.org.vn"
    assert value.period_start == datetime.date(2023, 1, 1) and value.period_end == datetime.date(2023, 12, 31)
    assert _value("papi.d1", personas.other_province) == Decimal("4.5")
    indicator = Indicator.objects.get(code="papi.d1")
    assert indicator.source == IndicatorSource.EXTERNAL
    assert "CECODES" in indicator.description


def test_importing_the_same_file_again_changes_nothing_and_writes_no_audit_entry(personas):
    rows: list[Sequence[object]] = [
        HEADER,
        ["Tỉnh Thử Nghiệm", YEAR, "sipas.total", 82.66, "Bộ Nội vụ"],
        ["T-Q", YEAR, "sipas.e1", 80, ""],
    ]
    first = external_results_import(actor=personas.secretariat, rows=_upload(rows))
    entries = AuditEntry.objects.count()
    second = external_results_import(actor=personas.secretariat, rows=_upload(rows))
    assert first.created == 2
    assert second.ok and second.written == 0 and second.unchanged == 2
    assert AuditEntry.objects.count() == entries
    assert IndicatorValue.objects.count() == 2


def test_a_changed_figure_is_updated_in_place_and_audited_once(personas):
    external_results_import(actor=personas.secretariat, rows=_rows(["T-P", YEAR, "par.a3", 80, ""]))
    entries = AuditEntry.objects.count()
    report = external_results_import(actor=personas.secretariat, rows=_rows(["T-P", YEAR, "par.a3", 81.5, ""]))
    assert report.updated == 1 and report.created == 0
    assert _value("par.a3", personas.province) == Decimal("81.5")
    assert AuditEntry.objects.count() == entries + 1
    assert IndicatorValue.objects.filter(indicator__code="par.a3").count() == 1


BAD_ROWS = [
    ["Tỉnh Không Có", YEAR, "papi.d1", 5, ""],  # unknown province
    ["T-P", YEAR, "papi.d1", "10,5", ""],  # above the dimension's maximum of 10
    ["T-P", "năm ngoái", "papi.d2", 5, ""],  # bad year
    ["T-P", 1990, "papi.d3", 5, ""],  # year out of range
    ["T-P", YEAR, "papi.d9", 5, ""],  # unknown code
    ["T-P", YEAR, "papi.total", "nhiều", ""],  # not a number
    ["T-P", YEAR, "papi.total", -1, ""],  # below zero
]


def test_all_or_nothing_mode_writes_nothing_and_lists_every_bad_row_by_row_and_column(personas):
    report = external_results_import(
        actor=personas.secretariat,
        rows=_rows(["T-P", YEAR, "papi.d4", 5, ""], *BAD_ROWS),
        mode=ImportMode.ALL_OR_NOTHING,
    )
    assert not report.ok and report.written == 0
    assert IndicatorValue.objects.count() == 0
    by_row = {(error.row, error.column) for error in report.errors}
    assert by_row == {
        (3, "Tỉnh, thành phố"),
        (4, "Giá trị"),
        (5, "Năm"),
        (6, "Năm"),
        (7, "Mã"),
        (8, "Giá trị"),
        (9, "Giá trị"),
    }
    messages = " ".join(error.message for error in report.errors)
    assert "Tỉnh Không Có" in messages and "0–10" in messages and "papi.d9" in messages


def test_valid_rows_mode_writes_the_good_rows_and_returns_the_bad_ones_in_an_error_workbook(personas):
    report = external_results_import(
        actor=personas.secretariat,
        rows=_rows(["T-P", YEAR, "papi.d4", 5, ""], *BAD_ROWS),
        mode=ImportMode.VALID_ROWS,
    )
    assert report.created == 1 and len(report.error_rows) == len(BAD_ROWS)
    assert _value("papi.d4", personas.province) == Decimal("5")
    sheet = load_workbook(io.BytesIO(external.error_workbook(report))).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == (*HEADER, "Lỗi")
    assert [line[0] for line in lines[1:]] == [row[0] for row in BAD_ROWS]
    assert "Không tìm thấy tỉnh" in str(lines[1][-1])


def test_a_row_repeated_in_one_file_is_refused_with_the_row_it_repeats(personas):
    report = external_results_import(
        actor=personas.secretariat,
        rows=_rows(["T-P", YEAR, "sipas.e2", 80, ""], ["Tỉnh Thử Nghiệm", YEAR, "SIPAS.E2", 81, ""]),
    )
    assert [(error.row, error.message) for error in report.errors] == [(3, "Trùng với dòng 2 (cùng tỉnh, năm và mã).")]
    assert IndicatorValue.objects.count() == 0


def test_a_file_without_the_required_columns_is_refused_naming_them(personas):
    report = external_results_import(
        actor=personas.secretariat, rows=_rows(["T-P", YEAR, 5], header=["Tỉnh", "Năm", "Điểm"])
    )
    assert not report.ok
    assert "Mã" in report.errors[0].message and "Thiếu cột" in report.errors[0].message


def test_choosing_one_province_refuses_the_rows_of_other_provinces(personas):
    report = external_results_import(
        actor=personas.secretariat,
        rows=_rows(["T-P", YEAR, "par.total", 90, ""], ["T-Q", YEAR, "par.total", 85, ""]),
        mode=ImportMode.VALID_ROWS,
        province=personas.province,
    )
    assert report.created == 1 and [error.row for error in report.errors] == [3]
    assert _value("par.total", personas.other_province) is None


def test_a_csv_file_in_utf8_with_semicolons_is_read_like_a_workbook(personas):
    content = "Tỉnh, thành phố;Năm;Mã;Giá trị;Nguồn\nTỉnh Thử Nghiệm;2023;papi.total;46,04;papi.org.vn\n"
    rows = read_upload(SimpleUploadedFile("papi.csv", content.encode("utf-8-sig")), name="papi.csv")
    report = external_results_import(actor=personas.secretariat, rows=rows)
    assert report.ok and _value("papi.total", personas.province) == Decimal("46.04")


def test_a_corrupt_workbook_or_another_kind_of_file_is_a_message_not_an_error(personas):
    with pytest.raises(ServiceError) as damaged:
        read_upload(SimpleUploadedFile("ket-qua.xlsx", b"PK\x03\x04 not really a zip"), name="ket-qua.xlsx")
    assert "Excel (.xlsx)" in damaged.value.message
    with pytest.raises(ServiceError) as other:
        read_upload(SimpleUploadedFile("ket-qua.pdf", b"%PDF-1.4"), name="ket-qua.pdf")
    assert ".csv" in other.value.message


def test_the_template_has_the_header_and_the_catalogue_of_codes_with_their_maxima():
    workbook = load_workbook(io.BytesIO(external.template_workbook()))
    assert [cell.value for cell in workbook.worksheets[0][1]] == HEADER
    catalogue = {row[0]: row[3] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert catalogue["papi.total"] == 80 and catalogue["papi.d8"] == 10 and catalogue["papi.d1.1"] == 2.5
    assert catalogue["par.a8"] == 100 and catalogue["sipas.e5"] == 100


def test_the_catalogue_has_eight_papi_dimensions_eight_par_areas_and_five_sipas_elements():
    assert len([i for i in external.items_of("papi") if i.depth == 1]) == 8
    assert len([i for i in external.items_of("par") if i.depth == 1]) == 8
    assert len([i for i in external.items_of("sipas") if i.code.startswith("sipas.e")]) == 5
    assert external.ITEMS["papi.d6.2"].parent_code == "papi.d6"
    assert external.ITEMS["papi.d6"].parent_code == "papi.total"
