"""Tables a web page flattened into one cell per paragraph, markers left alone on their line, and programme
horizons: read as the document means them."""

from __future__ import annotations

import datetime

from cchc.extraction import extract_text, to_json_dict
from cchc.extraction.cell_tables import DITTO, column_kind, rebuild_cell_tables
from cchc.extraction.cleaning import join_lone_markers

HEADER = (
    "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM\nSố: 12/KH-UBND\nThử Nghiệm, ngày 01 tháng 10 năm 2025\n"
    "KẾ HOẠCH\nCải cách hành chính năm 2026\n\nCác cơ quan thực hiện các nhiệm vụ sau:\n\n"
)

ANNEX = """PHỤ LỤC
PHÂN CÔNG NHIỆM VỤ

STT

Nhiệm vụ, giải
pháp

Đơn vị chủ trì

Đơn vị phối hợp

Thời gian thực
hiện

Sản phẩm

I

Hoàn thiện thể chế

1.1

Rà soát, sửa đổi các quy định về
giao dịch điện tử của tỉnh

Sở Tư pháp

Các sở, ban, ngành; UBND các xã

2026 - 2027

Văn bản quy phạm pháp luật

1.2

Xây dựng kho dữ liệu dùng chung

Sở Khoa học và Công nghệ

Các sở, ban, ngành

Năm 2026
"""

MERGED = """PHỤ LỤC
BẢNG PHÂN CÔNG

STT

Cơ quan chủ trì

Nội dung nhiệm vụ

Thời hạn hoàn thành

1

Sở Nội vụ

- Rà soát quy chế làm việc.

Quý I năm 2026

- Tập huấn kỹ năng số cho công chức.

Thường xuyên

2

Sở Tư pháp

Kiểm tra công tác pháp chế.

2027
"""


def _tasks(body: str) -> list[tuple[str, str | None, str | None, str]]:
    result = to_json_dict(extract_text(HEADER + body, units=[]))
    return [(task["section"], task["lead_unit"], task["deadline"], task["recurrence"]) for task in result["tasks"]]


def test_header_cells_name_their_columns() -> None:
    kinds = [column_kind(cell) for cell in ("STT", "Nhiệm vụ, giải pháp", "Đơn vị chủ trì", "Đơn vị phối hợp")]
    assert kinds == ["tt", "content", "lead", "support"]
    assert column_kind("Thời gian thực hiện") == "deadline"
    assert column_kind("Thuộc nhóm nhiệm vụ, hành động") == "other"
    assert column_kind("Chỉ tiêu đạt được") == "output"


def test_a_flattened_annex_becomes_one_row_per_task_with_its_cells_in_their_columns() -> None:
    rows = [line for line in rebuild_cell_tables(ANNEX.split("\n")) if "|" in line]
    assert rows[0].startswith("STT | Nhiệm vụ, giải pháp | Đơn vị chủ trì")
    assert rows[2] == (
        "1.1 | Rà soát, sửa đổi các quy định về giao dịch điện tử của tỉnh | Sở Tư pháp | "
        "Các sở, ban, ngành; UBND các xã | 2026 - 2027 | Văn bản quy phạm pháp luật"
    )
    assert rows[3].endswith("| Năm 2026 | ")


def test_each_row_of_a_flattened_annex_is_a_task_due_at_the_end_of_its_last_year() -> None:
    assert _tasks(ANNEX) == [
        ("1.1", "Sở Tư pháp", "2027-12-31", ""),
        ("1.2", "Sở Khoa học và Công nghệ", "2026-12-31", ""),
    ]


def test_a_lead_merged_over_several_rows_is_repeated_for_each_of_its_tasks() -> None:
    rows = [line for line in rebuild_cell_tables(MERGED.split("\n")) if "|" in line]
    assert rows[2] == f"{DITTO} | {DITTO} | - Tập huấn kỹ năng số cho công chức. | Thường xuyên"
    assert _tasks(MERGED) == [
        ("1", "Sở Nội vụ", "2026-03-31", ""),
        ("1", "Sở Nội vụ", None, "continuous"),
        ("2", "Sở Tư pháp", "2027-12-31", ""),
    ]


def test_text_without_a_table_header_is_left_as_it_is() -> None:
    lines = ["1", "", "Sở Nội vụ", "", "2026"]
    assert rebuild_cell_tables(lines) == lines


def test_a_marker_alone_on_its_line_is_joined_to_the_text_below_it() -> None:
    assert join_lone_markers(["IV.", "PHÂN CÔNG NHIỆM VỤ", "1.", "Công an thành phố", "", "2."]) == [
        "IV. PHÂN CÔNG NHIỆM VỤ",
        "1. Công an thành phố",
        "",
        "2.",
    ]
    body = "IV. PHÂN CÔNG NHIỆM VỤ\n1.\nSở Y tế\n\na) Tổ chức khám sàng lọc, hoàn thành trước ngày 30/6/2026.\n"
    assert _tasks(body) == [("a)", "Sở Y tế", "2026-06-30", "")]


def test_the_horizon_in_a_programmes_name_is_not_a_deadline() -> None:
    body = (
        "1. Sở Y tế triển khai Chương trình mục tiêu quốc gia phòng, chống ma túy đến năm 2030 trên địa bàn.\n"
        "2. Sở Nội vụ hoàn thành Đề án vị trí việc làm trước năm 2027.\n"
    )
    tasks = _tasks(body)
    assert tasks[0][2] is None
    assert tasks[1][1] == "Sở Nội vụ" and tasks[1][2] == datetime.date(2026, 12, 31).isoformat()


def test_places_listed_after_one_council_and_ministries_named_with_their_peers_lead_together() -> None:
    body = (
        "I. NHIỆM VỤ\n"
        "1. Ủy ban nhân dân các thành phố: Hà Nội, Cần Thơ thực hiện nghiêm chỉ đạo, hoàn thành trong tháng 11 "
        "năm 2025.\n"
        "2. Bộ Tài chính, Bộ Khoa học và Công nghệ và các bộ, ngành liên quan nghiên cứu, hoàn thành trong tháng 12 "
        "năm 2025.\n"
    )
    assert [(lead, deadline) for _section, lead, deadline, _recurrence in _tasks(body)] == [
        ("Ủy ban nhân dân các thành phố: Hà Nội, Cần Thơ", "2025-11-30"),
        ("Bộ Tài chính, Bộ Khoa học và Công nghệ, các bộ, ngành liên quan", "2025-12-31"),
    ]


UNKNOWN_NAMES = """PHỤ LỤC

STT

NHIỆM VỤ VÀ GIẢI PHÁP

CHỦ TRÌ

PHỐI HỢP

THỜI GIAN

1

Rà soát các cơ chế, chính sách khuyến khích đổi mới công nghệ của tỉnh.

Sở Tài chính

Sở, ban, ngành có liên quan

Thường xuyên

2

Nghiên cứu, tư vấn, phản biện chính sách, giải pháp công nghệ.

Liên hiệp các Hội Khoa học và Kỹ thuật

Viện, Trường; Doanh nghiệp

2026
"""


def test_names_the_reader_does_not_know_stay_in_the_unit_columns_of_their_row() -> None:
    rows = [line for line in rebuild_cell_tables(UNKNOWN_NAMES.split("\n")) if "|" in line]
    assert rows[1].endswith("| Sở Tài chính | Sở, ban, ngành có liên quan | Thường xuyên")
    assert rows[2].endswith("| Liên hiệp các Hội Khoa học và Kỹ thuật | Viện, Trường; Doanh nghiệp | 2026")
    assert _tasks(UNKNOWN_NAMES) == [
        ("1", "Sở Tài chính", None, "continuous"),
        ("2", "Liên hiệp các Hội Khoa học và Kỹ thuật", "2026-12-31", ""),
    ]


def test_a_repeated_header_cell_is_not_taken_for_a_name() -> None:
    lines = ["STT", "", "Nhiệm vụ", "", "Chủ trì", "", "Thời gian", "", "1", "", "Lập kế hoạch.", "", "Nội dung", ""]
    rows = [line for line in rebuild_cell_tables(lines) if "|" in line]
    assert "| Nội dung |" not in rows[1]


def test_a_scans_misread_number_header_still_opens_the_table() -> None:
    # A noisy scan reads the lone "STT" cell as a few strokes ("17W"); the header cells after it still name a table.
    misread = ANNEX.replace("\nSTT\n", "\n17W\n", 1)
    assert _tasks(misread) == _tasks(ANNEX)


def test_a_short_token_alone_on_its_line_opens_no_table_without_a_header_after_it() -> None:
    body = "PHỤ LỤC\n\nA1\n\nGhi chú về các nhiệm vụ\n\nSở Tư pháp rà soát văn bản trước ngày 31/12/2026.\n"
    lines = body.split("\n")
    assert rebuild_cell_tables(lines) == lines
