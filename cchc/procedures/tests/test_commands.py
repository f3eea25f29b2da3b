"""The command-line imports: exit codes, Vietnamese summaries, the error file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from ..models import Dossier, OnlineLevel, Procedure
from . import samples
from .test_imports import bad_book

pytestmark = pytest.mark.django_db


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def catalogue_xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.append(["DANH MỤC THỦ TỤC HÀNH CHÍNH"])
    sheet.append(
        ["STT", "Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Cấp thực hiện", "Mức độ DVC trực tuyến", "Có phí, lệ phí"]
    )
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CATALOGUE = [
    [1, "1.001612", "Đăng ký khai sinh", "Hộ tịch", "Cấp xã", "Toàn trình", "Không"],
    [2, "1.000894", "Đăng ký kết hôn", "Hộ tịch", "Cấp xã", "Một phần", "Có"],
    [3, "2.000635", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", "Cấp xã", "", "x"],
]


def test_import_procedures_loads_the_catalogue_and_again_changes_nothing(tmp_path):
    path = write(tmp_path, "danh-muc.xlsx", catalogue_xlsx(CATALOGUE))
    assert "thêm mới 3" in call("import_procedures", str(path))
    marriage = Procedure.objects.get(code="1.000894")
    assert (marriage.online_level, marriage.fee_bearing, marriage.field) == (OnlineLevel.PARTIAL, True, "Hộ tịch")
    assert Procedure.objects.get(code="2.000635").online_level == OnlineLevel.NONE
    assert "không đổi 3" in call("import_procedures", str(path))
    assert Procedure.objects.count() == 3


def test_import_procedures_with_a_bad_row_imports_nothing_and_exits_with_an_error(tmp_path):
    rows = [*CATALOGUE, [4, "1.001612", "Trùng mã", "", "", "Mức 9", ""]]
    path = write(tmp_path, "danh-muc.xlsx", catalogue_xlsx(rows))
    with pytest.raises(CommandError, match="Không nhập gì"):
        call("import_procedures", str(path))
    assert Procedure.objects.count() == 0


def test_import_dossiers_prints_a_vietnamese_summary_and_succeeds(tmp_path, personas):
    samples.make_procedures()
    path = write(tmp_path, "so.xlsx", samples.book_xlsx(personas.unit_b))
    out = call("import_dossiers", str(path), "--source", "Một cửa xã")
    assert "Đã đọc 3 dòng: thêm mới 3, cập nhật 0, không đổi 0." in out
    assert Dossier.objects.filter(source="Một cửa xã").count() == 3


def test_import_dossiers_exits_with_code_1_on_a_rejected_file_and_writes_the_error_file(tmp_path, personas):
    samples.make_procedures()
    path = write(tmp_path, "so.xlsx", samples.book_xlsx(personas.unit_b, bad_book(personas.unit_b)))
    errors = tmp_path / "loi.xlsx"
    out = io.StringIO()
    with pytest.raises(CommandError, match="Không nhập gì: 7/10 dòng có lỗi") as caught:
        call_command("import_dossiers", str(path), "--source", "x", "--errors-out", str(errors), stdout=out)
    assert caught.value.returncode == 1
    assert "Dòng 9: Ngày tiếp nhận" in out.getvalue()
    sheet: Any = load_workbook(errors).active
    assert sheet.max_row == 8
    assert Dossier.objects.count() == 0


def test_import_dossiers_with_valid_rows_imports_the_good_ones_and_succeeds(tmp_path, personas):
    samples.make_procedures()
    path = write(tmp_path, "so.xlsx", samples.book_xlsx(personas.unit_b, bad_book(personas.unit_b)))
    out = call("import_dossiers", str(path), "--source", "x", "--valid-rows")
    assert "thêm mới 3" in out and "Bỏ qua 7 dòng có lỗi" in out
    assert Dossier.objects.count() == 3


def test_import_dossiers_with_the_portal_preset_and_a_missing_file_or_column(tmp_path, personas):
    samples.make_procedures()
    path = write(tmp_path, "dvcqg.csv", samples.utf8_bom_csv(samples.portal_rows(personas.unit_a)))
    assert "thêm mới 3" in call("import_dossiers", str(path), "--source", "DVCQG", "--preset", "dvcqg-dong-bo")
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call("import_dossiers", str(tmp_path / "khong-co.csv"), "--source", "x")
    # The tracking-book preset does not know the portal's column names: the whole file is refused, naming them.
    with pytest.raises(CommandError, match="không có cột bắt buộc “Mã hồ sơ”"):
        call("import_dossiers", str(path), "--source", "x", "--preset", "mau-07-so-theo-doi")
