"""Deadlines read by the grammar of ``cchc.lib.dates`` in whole directives, and a letter's last request that dates
the items above it."""

from __future__ import annotations

from cchc.extraction import extract_text, to_json_dict
from cchc.extraction.rules import counting_rules

LETTER = (
    "BỘ TÀI CHÍNH\nSố: 101/BTC-TK\nHà Nội, ngày 18 tháng 11 năm 2025\n\n"
    "Kính gửi: Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương.\n\n"
)


def _tasks(body: str) -> list[tuple[str | None, str | None, str]]:
    tasks = to_json_dict(extract_text(LETTER + body, units=[]))["tasks"]
    return [(task["lead_unit"], task["deadline"], task["recurrence"]) for task in tasks]


def test_a_letters_last_request_dates_the_items_the_same_unit_leads_above_it() -> None:
    body = (
        "Bộ Tài chính đề nghị Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương:\n"
        "- Chỉ đạo các Sở, ngành đánh giá thuận lợi, khó khăn của quý IV.\n"
        "- Rà soát, cập nhật số liệu của các ngành, lĩnh vực.\n"
        "Để bảo đảm thời gian tổng hợp, đề nghị Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương gửi báo "
        "cáo về Bộ Tài chính chậm nhất ngày 22/11/2025.\n"
        "Bộ Tài chính trân trọng cảm ơn./.\n"
    )
    with counting_rules() as fired:
        tasks = _tasks(body)
    assert [day for _lead, day, _rhythm in tasks] == ["2025-11-22"] * len(tasks)
    assert len(tasks) >= 2
    assert fired["deadline.closing_request"] == len(tasks) - 1


def test_a_last_request_of_another_unit_dates_nothing_above_it() -> None:
    body = (
        "1. Sở Nội vụ rà soát danh mục thủ tục hành chính.\n"
        "2. Sở Tài chính bố trí kinh phí thực hiện.\n"
        "3. Sở Nội vụ tổng hợp, báo cáo kết quả trước ngày 15/12/2025.\n"
    )
    assert _tasks(body) == [
        ("Sở Nội vụ", None, ""),
        ("Sở Tài chính", None, ""),
        ("Sở Nội vụ", "2025-12-15", ""),
    ]


def test_days_counted_from_the_signing_are_dated_from_the_letters_date() -> None:
    body = "1. Sở Nội vụ xây dựng kế hoạch triển khai trong vòng 10 ngày kể từ ngày ký.\n"
    assert _tasks(body) == [("Sở Nội vụ", "2025-11-28", "")]


def test_a_start_before_the_letters_date_is_no_deadline() -> None:
    body = "1. Sở Nội vụ tiếp tục thực hiện mô hình chính quyền hai cấp từ ngày 01 tháng 7 năm 2025.\n"
    assert _tasks(body) == [("Sở Nội vụ", None, "")]


def test_a_span_of_years_in_which_work_is_done_is_due_at_its_end() -> None:
    body = "1. Sở Xây dựng thực hiện cải tạo các tuyến đường trong giai đoạn 2026 - 2030.\n"
    assert _tasks(body) == [("Sở Xây dựng", "2030-12-31", "")]
