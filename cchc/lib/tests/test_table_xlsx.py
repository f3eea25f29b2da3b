"""The fast table writer: a workbook Excel and openpyxl read like the one ``write_table`` makes."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from cchc.lib.table_xlsx import stream_table


def written(**kwargs):
    buffer = io.BytesIO()
    count = stream_table(buffer, **kwargs)
    return count, load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]


def test_rows_keep_their_types_dates_read_day_first_and_the_header_is_bold_and_frozen():
    count, sheet = written(
        title="Hồ sơ trễ hạn: quý I/2025",
        header=["Mã hồ sơ", "Ngày tiếp nhận", "Phí", "Đã trả", "Ghi chú"],
        rows=[
            ["HS-1", datetime.date(2025, 3, 1), Decimal("50000.00"), True, "=SUM(A1:A2)"],
            ["HS-2", None, 12, False, "A & B <c> \x07 “ngoặc”"],
        ],
        widths=[20, 14, 10, 8, 30],
    )
    assert count == 2
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Mã hồ sơ", "Ngày tiếp nhận", "Phí", "Đã trả", "Ghi chú")
    assert rows[1] == ("HS-1", datetime.datetime(2025, 3, 1), 50000, True, "=SUM(A1:A2)")
    assert rows[2] == ("HS-2", None, 12, False, "A & B <c>  “ngoặc”")
    assert sheet.cell(row=2, column=2).number_format == "DD/MM/YYYY"
    assert sheet.cell(row=2, column=5).data_type == "s"  # a text, never a formula
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width == 8
    assert sheet.title == "Hồ sơ trễ hạn quý I2025"


def test_an_empty_table_is_its_header_alone():
    count, sheet = written(title="", header=["Mã hồ sơ"], rows=[])
    assert count == 0
    assert list(sheet.iter_rows(values_only=True)) == [("Mã hồ sơ",)]
