"""Small export files in the real layouts, built in the tests: the Mẫu 07 tracking book and the portal sync record."""

from __future__ import annotations

import datetime
import io
import unicodedata
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from cchc.lib.legacy_encodings import from_unicode
from cchc.organisations.models import Unit

from ..models import OnlineLevel, Procedure

BIRTH = "1.001612"  # Đăng ký khai sinh
MARRIAGE = "1.000894"  # Đăng ký kết hôn


def make_procedures() -> tuple[Procedure, Procedure]:
    birth = Procedure.objects.create(
        code=BIRTH,
        name="Đăng ký khai sinh",
        name_key="dang ky khai sinh",
        field="Hộ tịch",
        online_level=OnlineLevel.FULL,
    )
    marriage = Procedure.objects.create(
        code=MARRIAGE, name="Đăng ký kết hôn", name_key="dang ky ket hon", field="Hộ tịch", fee_bearing=True
    )
    return birth, marriage


BOOK_TITLE = "SỔ THEO DÕI HỒ SƠ"
BOOK_GROUP = [
    "STT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Tên tổ chức, cá nhân",
    "Địa chỉ/SĐT",
    "Cơ quan chủ trì giải quyết",
    "Nhận và trả kết quả",
    None,
    None,
    None,
    "Ký nhận",
]
BOOK_LEAVES = [
    None,
    None,
    None,
    None,
    None,
    None,
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Trả kết quả",
    "Phương thức nhận kết quả",
    None,
]


def book_rows(unit: Unit) -> list[list[object]]:
    """Three dossiers of the tracking book: one returned, one late and returned, one still in progress."""
    return [
        [
            1,
            "HS-001",
            "Đăng ký khai sinh",
            "Nguyễn Văn An",
            "Hòa Bình",
            unit.name,
            "02/01/2025",
            "03/01/2025",
            "03/01/2025",
            "Trực tiếp",
            None,
        ],
        [
            2,
            "HS-002",
            "Đăng ký kết hôn",
            "Trần Thị Bình",
            "Hòa Bình",
            unit.name,
            "06/01/2025",
            "09/01/2025",
            "10/01/2025",
            "Bưu chính",
            None,
        ],
        [
            3,
            "HS-003",
            "Đăng ký khai sinh",
            "Lê Văn Cường",
            "Hòa Bình",
            unit.name,
            "07/01/2025",
            "08/01/2025",
            None,
            None,
            None,
        ],
    ]


def book_xlsx(unit: Unit, rows: Sequence[Sequence[object]] | None = None, *, serial_dates: bool = True) -> bytes:
    """The book as Excel keeps it: title, merged group header, leaf header, column numbers, data with date cells,
    an Excel serial date, a formula cell, and a total row with a formula."""
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.append([BOOK_TITLE])
    sheet.merge_cells("A1:K1")
    sheet.append(["Số: 01/STD-TTPVHCC(BPTNTKQ)"])
    sheet.append(BOOK_GROUP)
    sheet.append(BOOK_LEAVES)
    for column in "ABCDEF":
        sheet.merge_cells(f"{column}3:{column}4")
    sheet.merge_cells("G3:J3")
    sheet.merge_cells("K3:K4")
    sheet.append([f"({number})" for number in range(1, 12)])
    data = [list(row) for row in (rows if rows is not None else book_rows(unit))]
    if serial_dates and rows is None:
        data[0][6] = datetime.datetime(2025, 1, 2, 8, 30)  # a date cell
        data[0][7] = 45660  # an Excel serial number: 03/01/2025
        data[1][0] = "=A6+1"  # a formula cell (no cached value)
    first = 6
    for row in data:
        sheet.append(row)
    last = first + len(data) - 1
    sheet.append([None, "Tổng cộng", f"=COUNTA(B{first}:B{last})"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(rows: Sequence[Sequence[object]], *, delimiter: str = ",") -> str:
    lines = []
    for row in rows:
        cells = ["" if value is None else str(value) for value in row]
        lines.append(delimiter.join(f'"{cell}"' if delimiter in cell else cell for cell in cells))
    return "\r\n".join(lines) + "\r\n"


def book_csv_rows(unit: Unit) -> list[list[object]]:
    header: list[object] = [
        "STT",
        "Mã hồ sơ",
        "Tên TTHC",
        "Tên tổ chức, cá nhân",
        "Địa chỉ/SĐT",
        "Cơ quan chủ trì giải quyết",
    ]
    header += ["Nhận hồ sơ", "Hẹn trả kết quả", "Trả kết quả", "Phương thức nhận kết quả", "Ký nhận"]
    return [header, *book_rows(unit)]


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258_bytes(text: str) -> bytes:
    """Text as Windows-1258 writes it: base letters with their vowel marks, tones as combining marks."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(mark for mark in parts if mark not in _TONES))
            tones = "".join(mark for mark in parts if mark in _TONES)
            out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def tcvn3_bytes(text: str) -> bytes:
    return from_unicode(text, "tcvn3").encode("cp1252")


def vni_bytes(text: str) -> bytes:
    return from_unicode(text, "vni").encode("cp1252")


PORTAL_HEADER: list[object] = [
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "MaDonVi",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "TrangThaiHoSo",
    "KenhThucHien",
    "LePhi",
    "DuocThanhToanTrucTuyen",
    "HoSoCoThanhPhanSoHoa",
    "SoLanBoSung",
]


def portal_rows(unit: Unit) -> list[list[object]]:
    return [
        list(PORTAL_HEADER),
        [
            "000.00.12.H56-250101-0001",
            BIRTH,
            "Đăng ký khai sinh",
            unit.code,
            "20250102083000",
            "20250103170000",
            "20250103090000",
            "20250103100000",
            10,
            2,
            "",
            0,
            1,
            0,
        ],
        [
            "000.00.12.H56-250101-0002",
            MARRIAGE,
            "Đăng ký kết hôn",
            unit.code,
            "20250106080000",
            "20250109170000",
            "",
            "",
            5,
            1,
            "50.000",
            1,
            0,
            1,
        ],
        [
            "000.00.12.H56-250101-0003",
            MARRIAGE,
            "Đăng ký kết hôn",
            unit.code,
            "20250107080000",
            "20250110170000",
            "",
            "",
            7,
            3,
            "0",
            0,
            0,
            0,
        ],
    ]


def utf8_bom_csv(rows: Sequence[Sequence[object]]) -> bytes:
    return b"\xef\xbb\xbf" + csv_text(rows).encode("utf-8")
