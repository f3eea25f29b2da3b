"""Numbered headings cut by the wrap before a stretch of country, and leads a conclusion notice gives once for its
items (``docs/extraction.md``, "Conclusion notices: leads given once, headings cut by the wrap")."""

from __future__ import annotations

from cchc.extraction import extract_text, to_json_dict
from cchc.extraction.rules import counting_rules

DISPATCH = "THỦ TƯỚNG CHÍNH PHỦ\nSố: 30/CĐ-TTg\nHà Nội, ngày 18 tháng 11 năm 2025\n\nCÔNG ĐIỆN\n\n"
# Lines wrapped at a fixed width of about 80 characters, as web copies of a PDF print them.
WIDE = (
    "Thủ tướng Chính phủ yêu cầu các bộ, cơ quan ngang bộ và Ủy ban nhân dân các tỉnh\n"
    "tập trung chỉ đạo quyết liệt việc ứng phó với mưa lũ, bảo đảm an toàn tính mạng\n"
    "của Nhân dân, hạn chế thấp nhất thiệt hại, cụ thể là các nhiệm vụ như sau đây:\n\n"
)


def _extract(text: str) -> tuple[list[dict], dict[str, int]]:
    with counting_rules() as fired:
        tasks = to_json_dict(extract_text(text, units=[]))["tasks"]
    return tasks, dict(fired)


def test_a_numbered_heading_cut_after_tu_goes_on_with_the_stretch_of_country_below() -> None:
    tasks, fired = _extract(
        DISPATCH + WIDE + "1. Chủ tịch Ủy ban nhân dân các tỉnh, thành phố từ\n"
        "Quảng Trị đến Đà Nẵng:\n\n"
        "a) Tổ chức theo dõi chặt chẽ, cập nhật đầy đủ, thông tin kịp thời về tình hình\n"
        "mưa lũ để Nhân dân chủ động ứng phó.\n\n"
        "b) Chỉ đạo rà soát, kiểm tra các khu vực có nguy cơ sạt lở đất, lũ quét.\n"
    )
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [
        ("a)", "Chủ tịch Ủy ban nhân dân các tỉnh, thành phố từ Quảng Trị đến Đà Nẵng"),
        ("b)", "Chủ tịch Ủy ban nhân dân các tỉnh, thành phố từ Quảng Trị đến Đà Nẵng"),
    ]
    assert fired["segment.heading_cut_by_wrap"] == 1


def test_a_short_numbered_heading_still_ends_before_its_first_sentence() -> None:
    tasks, fired = _extract(
        DISPATCH + WIDE + "1. Về công tác bảo đảm an toàn hồ đập\n"
        "Bộ Công Thương chỉ đạo vận hành an toàn các hồ chứa thủy điện, hoàn thành\n"
        "trước ngày 30/11/2025.\n"
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [("Bộ Công Thương", "2025-11-30")]
    assert "segment.heading_cut_by_wrap" not in fired
