"""The dossier import engine: presets on real layouts, encodings, modes, upserts, bad rows, streaming."""

from __future__ import annotations

import datetime
import io
import tracemalloc
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from cchc.audit.models import AuditAction, AuditEntry
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import SheetRow
from cchc.testing.personas import Personas

from .. import presets, upserts
from ..excel import error_workbook
from ..models import Channel, DataImport, Dossier, DossierStatus
from ..parsing import parse_date
from ..reader import detect_encoding, iter_csv_rows, iter_file_rows
from ..services import dossiers_import, preset_get, preset_save
from . import samples

pytestmark = pytest.mark.django_db


def run(
    data: bytes,
    name: str,
    *,
    source: str = "iGate",
    preset: str = presets.DEFAULT,
    valid_rows: bool = False,
    actor=None,
):
    return dossiers_import(
        actor=actor,
        rows=iter_file_rows(io.BytesIO(data), name=name),
        source=source,
        preset=preset_get(preset),
        file_name=name,
        valid_rows_only=valid_rows,
    )


@pytest.fixture
def procedures(personas: Personas):
    return samples.make_procedures()


def test_tracking_book_xlsx_with_merged_headers_serial_dates_formulas_and_total_row_imports_three_dossiers(
    personas, procedures
):
    unit = personas.unit_b
    report = run(samples.book_xlsx(unit), "so-theo-doi.xlsx")

    assert report.summary().startswith("Đã đọc 3 dòng")
    assert (report.created, report.updated, report.unchanged, report.bad_rows) == (3, 0, 0, [])
    first = Dossier.objects.get(source="iGate", code="HS-001")
    assert first.unit == unit
    assert first.procedure.code == samples.BIRTH
    assert first.received_on == datetime.date(2025, 1, 2)
    assert first.due_on == datetime.date(2025, 1, 3)  # from the Excel serial number 45660
    assert first.status == DossierStatus.RETURNED
    late = Dossier.objects.get(code="HS-002")
    assert (late.due_on, late.returned_on) == (datetime.date(2025, 1, 9), datetime.date(2025, 1, 10))
    assert Dossier.objects.get(code="HS-003").status == DossierStatus.PROCESSING


def test_tracking_book_csv_in_utf8_with_bom_imports_and_matches_the_unit_by_its_name(personas, procedures):
    report = run(samples.utf8_bom_csv(samples.book_csv_rows(personas.unit_b)), "so.csv")
    assert report.created == 3
    assert set(Dossier.objects.values_list("unit__code", flat=True)) == {personas.unit_b.code}


def test_tracking_book_csv_in_windows_1258_is_decoded(personas, procedures):
    data = samples.cp1258_bytes(samples.csv_text(samples.book_csv_rows(personas.unit_b), delimiter=";"))
    assert detect_encoding(data) == "cp1258"
    report = run(data, "so.csv")
    assert report.created == 3, report.error_lines()


def test_tracking_book_csv_in_tcvn3_is_decoded(personas, procedures):
    data = samples.tcvn3_bytes(samples.csv_text(samples.book_csv_rows(personas.unit_b)))
    assert detect_encoding(data) == "tcvn3"
    rows = list(iter_csv_rows(io.BytesIO(data)))
    assert rows[1].values[2] == "Đăng ký khai sinh"
    report = run(data, "so.csv")
    assert report.created == 3, report.error_lines()


def test_tracking_book_csv_in_vni_is_decoded(personas, procedures):
    data = samples.vni_bytes(samples.csv_text(samples.book_csv_rows(personas.unit_b)))
    assert detect_encoding(data) == "vni"
    report = run(data, "so.csv")
    assert report.created == 3, report.error_lines()
    assert Dossier.objects.filter(procedure__code=samples.BIRTH).count() == 2


def test_portal_sync_record_reads_status_and_channel_codes_and_portal_timestamps(personas, procedures):
    report = run(samples.utf8_bom_csv(samples.portal_rows(personas.unit_a)), "dvcqg.csv", preset="dvcqg-dong-bo")
    assert report.created == 3, report.error_lines()
    returned, supplement, withdrawn = Dossier.objects.order_by("code")
    assert returned.status == DossierStatus.RETURNED
    assert returned.channel == Channel.ONLINE
    assert returned.received_on == datetime.date(2025, 1, 2)
    assert returned.finished_on == datetime.date(2025, 1, 3)
    assert returned.inputs_digitised and not returned.paid_online
    assert supplement.status == DossierStatus.SUPPLEMENT
    assert supplement.fee == Decimal(50000) and supplement.paid_online
    assert supplement.supplement_requests == 1
    assert withdrawn.status == DossierStatus.WITHDRAWN and withdrawn.channel == Channel.POSTAL
    assert withdrawn.returned_or_withdrawn


def test_reimporting_the_same_file_changes_nothing_and_adds_nothing(personas, procedures):
    data = samples.book_xlsx(personas.unit_b)
    run(data, "so.xlsx")
    before = list(Dossier.objects.order_by("code").values())
    again = run(data, "so.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Dossier.objects.count() == 3
    assert [{**row, "last_import_id": None} for row in Dossier.objects.order_by("code").values()] == [
        {**row, "last_import_id": None} for row in before
    ]


def test_a_changed_row_updates_its_dossier_and_the_same_code_from_another_source_is_another_dossier(
    personas, procedures
):
    unit = personas.unit_b
    run(samples.book_xlsx(unit), "so.xlsx")
    rows = samples.book_rows(unit)
    rows[2][8] = "09/01/2025"
    report = run(samples.book_xlsx(unit, rows), "so.xlsx")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Dossier.objects.get(code="HS-003").returned_on == datetime.date(2025, 1, 9)
    other = run(samples.book_xlsx(unit), "so.xlsx", source="Một cửa xã")
    assert other.created == 3
    assert Dossier.objects.count() == 6


def test_each_import_is_audited_once_with_its_counts(personas, procedures):
    report = run(samples.book_xlsx(personas.unit_b), "so.xlsx", actor=personas.secretariat)
    entries = AuditEntry.objects.filter(object_type="procedures.dataimport")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.action == AuditAction.IMPORT and entry.actor == personas.secretariat
    assert entry.changes["created"] == 3 and entry.changes["source"] == "iGate"
    assert report.data_import is not None and report.data_import.created == 3


def bad_book(unit) -> list[list[object]]:
    rows = samples.book_rows(unit)
    rows.append(
        [4, "HS-004", "Đăng ký khai sinh", "", "", unit.name, "31/02/2025", None, None, None, None]
    )  # no such day
    rows.append([5, "HS-005", "Đăng ký khai sinh", "", "", unit.name, "10/01/2025", None, "05/01/2025", None, None])
    rows.append([6, "HS-006", "Đăng ký khai sinh", "", "", "Sở Không Tồn Tại", "10/01/2025", None, None, None, None])
    rows.append([7, "HS-007", "Cấp giấy phép bay", "", "", unit.name, "10/01/2025", None, None, None, None])
    rows.append([8, "HS-001", "Đăng ký khai sinh", "", "", unit.name, "10/01/2025", None, None, None, None])
    rows.append(
        [9, "HS-009", "Đăng ký khai sinh", "", "", unit.name, "12/25/2025", None, None, None, None]
    )  # month first
    rows.append([10, "", "Đăng ký khai sinh", "", "", unit.name, "10/01/2025", None, None, None, None])
    return rows


def test_every_kind_of_bad_row_is_reported_in_vietnamese_and_nothing_is_imported_by_default(personas, procedures):
    unit = personas.unit_b
    report = run(samples.book_xlsx(unit, bad_book(unit)), "so.xlsx")
    assert report.rejected
    assert Dossier.objects.count() == 0 and DataImport.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="procedures.dataimport").exists()
    messages = {bad.row.number: " ".join(bad.messages) for bad in report.bad_rows}
    assert len(messages) == 7
    text = "\n".join(messages.values())
    assert "“31/02/2025” không phải ngày hợp lệ (dd/mm/yyyy)" in text
    assert "05/01/2025 trước ngày tiếp nhận 10/01/2025" in text
    assert "không tìm thấy đơn vị “Sở Không Tồn Tại”" in text
    assert "không tìm thấy thủ tục “Cấp giấy phép bay”" in text
    assert "“HS-001” đã có ở dòng 6 của tệp" in text
    assert "“12/25/2025” không phải ngày hợp lệ" in text
    assert "thiếu mã hồ sơ" in text
    assert report.summary().startswith("Không nhập gì: 7/10 dòng có lỗi")


def test_valid_rows_mode_imports_the_good_rows_and_reports_the_bad_ones(personas, procedures):
    unit = personas.unit_b
    report = run(samples.book_xlsx(unit, bad_book(unit)), "so.xlsx", valid_rows=True)
    assert not report.rejected
    assert report.created == 3 and len(report.bad_rows) == 7
    assert Dossier.objects.count() == 3
    assert "Bỏ qua 7 dòng có lỗi" in report.summary()
    assert DataImport.objects.get().rejected == 7


def test_the_error_workbook_holds_the_bad_rows_as_read_with_their_row_number_and_message(personas, procedures):
    unit = personas.unit_b
    report = run(samples.book_xlsx(unit, bad_book(unit)), "so.xlsx")
    sheet: Any = load_workbook(io.BytesIO(error_workbook(report))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Dòng" and rows[0][2] == "Mã hồ sơ" and rows[0][-1] == "Lỗi"
    assert rows[0][7] == "Nhận hồ sơ"
    assert len(rows) == 8
    assert rows[1][0] == 9 and rows[1][2] == "HS-004" and "không phải ngày hợp lệ" in rows[1][-1]


def test_a_file_without_a_required_column_is_refused_naming_the_column(personas, procedures):
    rows = samples.book_csv_rows(personas.unit_b)
    rows = [[cell for index, cell in enumerate(row) if index != 6] for row in rows]  # no "Nhận hồ sơ"
    with pytest.raises(ServiceError) as caught:
        run(samples.utf8_bom_csv(rows), "so.csv")
    assert "“Nhận hồ sơ”" in caught.value.message
    assert Dossier.objects.count() == 0


def test_a_corrupt_or_zip_bomb_workbook_is_refused_through_the_upload_checks(personas, procedures, settings):
    with pytest.raises(ServiceError) as caught:
        run(b"PK\x03\x04 not really a zip", "so.xlsx")
    assert caught.value.code in ("bad_file", "not_kind")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + "0" * 60_000_000 + "</a>")
    with pytest.raises(ServiceError) as caught:
        run(bomb.getvalue(), "so.xlsx")
    assert caught.value.code == "zip_bomb"


def test_other_file_kinds_and_unknown_presets_are_refused(personas):
    with pytest.raises(ServiceError, match="Chỉ chấp nhận tệp Excel"):
        run(b"x", "so.pdf")
    with pytest.raises(ServiceError, match="Không có mẫu cột “khong-co”"):
        preset_get("khong-co")


def test_a_saved_preset_maps_other_headers_and_cannot_take_a_shipped_name(personas, procedures):
    preset_save(
        actor=personas.secretariat,
        name="Một cửa huyện cũ",
        columns={
            "code": ["Số biên nhận"],
            "procedure_name": ["Thủ tục"],
            "unit_code": ["Mã cơ quan"],
            "received_on": ["Ngày nhận"],
        },
    )
    rows = [
        ["Số biên nhận", "Thủ tục", "Mã cơ quan", "Ngày nhận"],
        ["BN-1", "Đăng ký kết hôn", personas.unit_a.code, "05/03/2025"],
    ]
    report = run(samples.utf8_bom_csv(rows), "x.csv", preset="Một cửa huyện cũ")
    assert report.created == 1
    with pytest.raises(ServiceError):
        preset_save(actor=None, name=presets.DEFAULT, columns={})


def test_dates_are_day_first_and_the_portal_format_is_read_only_for_the_portal_preset():
    assert parse_date("03/04/2025", date_format=presets.DMY) == datetime.date(2025, 4, 3)
    assert parse_date("03/04/2025 08:15:00", date_format=presets.DMY) == datetime.date(2025, 4, 3)
    assert parse_date(45660, date_format=presets.DMY) == datetime.date(2025, 1, 3)
    assert parse_date("20250304101500", date_format=presets.PORTAL_TIMESTAMP) == datetime.date(2025, 3, 4)
    assert parse_date(20250304101500, date_format=presets.PORTAL_TIMESTAMP) == datetime.date(2025, 3, 4)
    for bad in ("12/25/2025", "20250304101500", "01/01/1900", "hôm qua"):
        with pytest.raises(ValueError):
            parse_date(bad, date_format=presets.DMY)


def test_the_csv_reader_is_a_stream_whose_memory_does_not_grow_with_the_file(tmp_path):
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Mã hồ sơ,Tên TTHC,Cơ quan chủ trì giải quyết,Nhận hồ sơ\n")
        for number in range(200_000):
            handle.write(f"HS-{number:07d},Đăng ký khai sinh có yếu tố nước ngoài,Xã Hòa Bình,02/01/2025\n")
    assert path.stat().st_size > 15_000_000
    with path.open("rb") as handle:
        rows = iter_csv_rows(handle)
        assert next(rows).number == 1
        tracemalloc.start()
        count = 0
        for row in rows:
            assert isinstance(row, SheetRow)
            count += 1
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert count == 200_000
    assert peak < 2_000_000


def test_rows_already_written_in_batches_are_rolled_back_when_a_later_row_is_bad(personas, procedures, monkeypatch):
    monkeypatch.setattr(upserts, "BATCH_SIZE", 1)
    unit = personas.unit_b
    report = run(samples.book_xlsx(unit, bad_book(unit)), "so.xlsx")
    assert report.rejected
    assert Dossier.objects.count() == 0 and DataImport.objects.count() == 0


def test_an_import_killed_half_way_leaves_the_database_as_it_was(personas, procedures, monkeypatch):
    monkeypatch.setattr(upserts, "BATCH_SIZE", 1)
    run(samples.book_xlsx(personas.unit_b), "so.xlsx")
    before = list(Dossier.objects.order_by("code").values())
    rows = samples.book_rows(personas.unit_b)
    for row in rows:
        row[8] = "20/01/2025"  # every dossier would change

    def killed() -> Iterator[SheetRow]:
        reader = iter_file_rows(io.BytesIO(samples.book_xlsx(personas.unit_b, rows)), name="so.xlsx")
        for number, row in enumerate(reader):
            if number == 7:  # after the header rows and two dossiers, written in batches of one
                raise KeyboardInterrupt
            yield row

    with pytest.raises(KeyboardInterrupt):
        dossiers_import(actor=None, rows=killed(), source="iGate", preset=preset_get(presets.DEFAULT))
    assert list(Dossier.objects.order_by("code").values()) == before
    assert DataImport.objects.count() == 1
