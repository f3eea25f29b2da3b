"""Aggregate reports 06a and 07a: counts per unit or per field for a period, when no per-dossier file exists."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from cchc.lib.errors import ServiceError

from ..aggregates import aggregates_import
from ..models import DossierAggregate
from ..presets import REPORT_06A, REPORT_07A
from ..reader import iter_file_rows

pytestmark = pytest.mark.django_db

Q1 = (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))


def workbook_bytes(rows: list[list[object]], merges: list[str]) -> bytes:
    workbook = Workbook()
    sheet: Any = workbook.active
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


RECEIVED = "Số hồ sơ nhận giải quyết"
FINISHED = "Số lượng hồ sơ đã giải quyết"
PROCESSING = "Số lượng hồ sơ đang giải quyết"
ON_TIME = "Đúng hạn (Bao gồm cả hồ sơ trả lại/xin rút)"


def row(*values: object) -> list[object]:
    return list(values)


def report_06a(data: list[list[object]]) -> bytes:
    """The 06a layout: title, three header rows with merged groups, column numbers, rows per unit, a total row."""
    rows: list[list[object]] = [
        ["TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT TTHC"],
        row("STT", "Đơn vị", RECEIVED, None, None, None, FINISHED, None, None, None, PROCESSING, None, None),
        row(None, None, "Tổng số", "Trong kỳ", None, "Kỳ trước", "Tổng số", "Trước hạn", ON_TIME, "Quá hạn")
        + row("Tổng số", "Đúng hạn (Bao gồm cả hồ sơ chờ BS)", "Quá hạn"),
        row(None, None, None, "Trực tuyến", "Trực tiếp, dịch vụ bưu chính"),
        [f"({number})" for number in range(1, 14)],
        *data,
        [None, "Tổng cộng", "=SUM(C7:C8)"],
    ]
    merges = ["A2:A4", "B2:B4", "C2:F2", "G2:J2", "K2:M2", "C3:C4", "D3:E3", "F3:F4"]
    merges += [f"{column}3:{column}4" for column in "GHIJKLM"]
    return workbook_bytes(rows, merges)


def sample_06a(personas) -> bytes:
    return report_06a(
        [
            [1, "Sở Tư pháp", 120, 70, 40, 10, 100, 20, 75, 5, 20, 18, 2],
            [2, personas.unit_b.code, 30, 10, 18, 2, 25, 0, 25, 0, 5, 5, 0],
        ]
    )


def run(data: bytes, preset=REPORT_06A, **kwargs: Any):
    return aggregates_import(
        actor=None,
        rows=iter_file_rows(io.BytesIO(data), name="bieu.xlsx"),
        source="Báo cáo quý",
        preset=preset,
        period_start=Q1[0],
        period_end=Q1[1],
        **kwargs,
    )


def test_a_06a_report_with_merged_group_headers_gives_the_counts_of_each_unit(personas):
    report = run(sample_06a(personas))
    assert (report.created, report.bad_rows) == (2, []), report.error_lines()
    justice = DossierAggregate.objects.get(unit=personas.unit_a)
    assert (justice.received_total, justice.received_online, justice.received_direct_postal) == (120, 70, 40)
    assert justice.received_previous == 10
    assert (justice.finished_total, justice.finished_early, justice.finished_on_time, justice.finished_late) == (
        100,
        20,
        75,
        5,
    )
    assert (justice.processing_total, justice.processing_on_time, justice.processing_late) == (20, 18, 2)
    assert justice.supplement is None  # not in the 06a layout
    assert (justice.period_start, justice.period_end) == Q1


def test_importing_the_same_report_again_changes_nothing(personas):
    run(sample_06a(personas))
    again = run(sample_06a(personas))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert DossierAggregate.objects.count() == 2


def test_a_bad_count_or_unknown_unit_rejects_the_report_unless_valid_rows_are_chosen(personas):
    data = report_06a(
        [
            [1, "Sở Tư pháp", 120, 70, 40, 10, 100, 20, 75, 5, 20, 18, 2],
            [2, "Sở Không Có", 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0],
            [3, "Xã Hòa Bình", "mười", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        ]
    )
    report = run(data)
    assert report.rejected and DossierAggregate.objects.count() == 0
    text = " ".join(report.error_lines())
    assert "không tìm thấy đơn vị “Sở Không Có”" in text
    assert "“mười” không phải số hồ sơ" in text
    partial = run(data, valid_rows_only=True)
    assert partial.created == 1 and len(partial.bad_rows) == 2


def report_07a() -> bytes:
    rows: list[list[object]] = [
        row("STT", "Lĩnh vực", RECEIVED, None, None, "Kết quả giải quyết", None, None, None, None, None)
        + row("Bổ sung", "Trả lại"),
        row(None, None, "Tổng số", "Số kỳ trước chuyển qua", "Số mới tiếp nhận", "Số hồ sơ đã giải quyết", None)
        + row(None, "Số hồ sơ đang giải quyết"),
        row(None, None, None, None, None, "Tổng số", "Trả đúng thời hạn", "Trả quá hạn", "Tổng số", "Chưa đến hạn")
        + row("Quá hạn"),
        [1, "Hộ tịch", 50, 5, 45, 40, 38, 2, 10, 9, 1, 3, 1],
        [2, "Chứng thực", 200, 0, 200, 200, 200, 0, 0, 0, 0, 0, 0],
        [None, "Tổng số", 250],
    ]
    merges = ["A1:A3", "B1:B3", "C1:E1", "F1:K1", "L1:L3", "M1:M3", "C2:C3", "D2:D3", "E2:E3", "F2:H2", "I2:K2"]
    return workbook_bytes(rows, merges)


def test_a_07a_report_gives_the_counts_of_each_field_for_the_reporting_unit(personas):
    with pytest.raises(ServiceError, match="cần chỉ rõ đơn vị"):
        run(report_07a(), preset=REPORT_07A)
    report = run(report_07a(), preset=REPORT_07A, unit=personas.unit_b)
    assert report.created == 2, report.error_lines()
    civil = DossierAggregate.objects.get(field="Hộ tịch")
    assert civil.unit == personas.unit_b
    assert (civil.received_total, civil.received_previous, civil.received_new) == (50, 5, 45)
    assert (civil.finished_total, civil.finished_on_time, civil.finished_late) == (40, 38, 2)
    assert (civil.processing_total, civil.processing_on_time, civil.processing_late) == (10, 9, 1)
    assert (civil.supplement, civil.returned) == (3, 1)


def test_a_report_missing_a_column_is_refused_naming_it(personas):
    with pytest.raises(ServiceError, match="Số lượng hồ sơ đã giải quyết › Quá hạn"):
        run(_06a_without_late(personas))


def _06a_without_late(personas) -> bytes:
    data = report_06a([[1, "Sở Tư pháp", 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0]])
    workbook = Workbook()
    sheet: Any = workbook.active
    for sheet_row in iter_file_rows(io.BytesIO(data), name="x.xlsx"):
        values = list(sheet_row.values)
        del values[9:10]  # drop the "Quá hạn" column of the finished group
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_command_imports_an_aggregate_report_for_the_period_given(tmp_path: Path, personas):
    path = tmp_path / "bieu-06a.xlsx"
    path.write_bytes(sample_06a(personas))
    out = io.StringIO()
    call_command(
        "import_dossiers", str(path), "--source", "Quý 1", "--preset", "bieu-06a", "--from", "01/01/2025",
        "--to", "31/03/2025", stdout=out,
    )  # fmt: skip
    assert "thêm mới 2" in out.getvalue()
    with pytest.raises(CommandError, match="--from và --to"):
        call_command("import_dossiers", str(path), "--source", "Quý 1", "--preset", "bieu-06a")


def test_the_error_file_of_an_aggregate_report_shows_the_header_paths_as_written(personas):
    data = report_06a([[1, "Sở Không Có", 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0]])
    report = run(data)
    assert report.header[3] == "Số hồ sơ nhận giải quyết › Trong kỳ › Trực tuyến"
    assert report.header[9] == "Số lượng hồ sơ đã giải quyết › Quá hạn"


def test_a_06a_row_whose_totals_differ_from_the_sum_of_their_parts_is_refused_naming_the_figures(personas):
    data = report_06a(
        [
            [1, "Sở Tư pháp", 121, 70, 40, 10, 100, 20, 75, 6, 20, 18, 2],
            [2, personas.unit_b.code, 30, 10, 18, 2, 25, 0, 25, 0, 5, 4, 0],
        ]
    )
    report = run(data)
    assert report.rejected and DossierAggregate.objects.count() == 0
    justice, commune = (" ".join(bad.messages) for bad in report.bad_rows)
    assert "Số hồ sơ nhận giải quyết › Tổng số là 121 nhưng tổng các cột thành phần là 120" in justice
    assert "Trong kỳ › Trực tuyến: 70" in justice
    assert "Số lượng hồ sơ đã giải quyết › Tổng số là 100 nhưng tổng các cột thành phần là 101" in justice
    assert "Số lượng hồ sơ đang giải quyết › Tổng số là 5 nhưng tổng các cột thành phần là 4" in commune
    partial = run(data, valid_rows_only=True)
    assert (partial.created, len(partial.bad_rows)) == (0, 2)


def test_a_07a_row_is_checked_against_its_own_parts_and_an_empty_part_skips_the_check(personas):
    rows = list(iter_file_rows(io.BytesIO(report_07a()), name="x.xlsx"))
    workbook = Workbook()
    sheet: Any = workbook.active
    for sheet_row in rows:
        values = list(sheet_row.values)
        if values[1] == "Hộ tịch":
            values[2:5] = [51, 5, 45]  # received: 51 ≠ 5 + 45
        if values[1] == "Chứng thực":
            values[6:8] = [190, None]  # finished: the late column left empty
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(buffer.getvalue(), preset=REPORT_07A, unit=personas.unit_b, valid_rows_only=True)
    assert report.created == 1
    assert DossierAggregate.objects.get().field == "Chứng thực"
    (bad,) = report.bad_rows
    message = " ".join(bad.messages)
    assert "Tổng số là 51 nhưng tổng các cột thành phần là 50" in message
    assert "Số kỳ trước chuyển qua: 5" in message
