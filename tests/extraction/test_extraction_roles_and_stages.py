"""Leads given as a described role, indicator tables due at the end of their stage, and years a table's time
column gives as a start (rules of ``docs/extraction.md``, "Described roles, indicator stages, years of start")."""

from __future__ import annotations

from cchc.extraction import extract_text, to_json_dict
from cchc.extraction.rules import counting_rules

HEADER = "UBND TỈNH ĐẮK LẮK\nSố: 10/CT-UBND\nĐắk Lắk, ngày 01 tháng 12 năm 2025\n\nCHỈ THỊ\n"


def _tasks(body: str) -> list[dict]:
    return to_json_dict(extract_text(HEADER + body, units=[]))["tasks"]


def _rows(body: str) -> list[tuple[str, str | None, str | None, str]]:
    return [(task["section"], task["lead_unit"], task["deadline"], task["recurrence"]) for task in _tasks(body)]


INTRODUCTION = (
    "Chủ tịch UBND tỉnh yêu cầu Thủ trưởng các sở, ban, ngành và Chủ tịch UBND các xã, phường thực hiện các nội "
    "dung sau:\nI. Trách nhiệm phối hợp\n"
)


def test_a_heading_that_describes_a_role_leads_its_items_instead_of_the_introductions_lead() -> None:
    body = (
        INTRODUCTION + "3. Cơ quan chủ trì giải quyết thủ tục đầu tư dự án\n"
        "a) Hướng dẫn nhà đầu tư giải quyết nhanh các thủ tục.\n"
        "b) Chủ động phối hợp với các cơ quan liên quan.\n"
    )
    with counting_rules() as fired:
        rows = _rows(body)
    assert [(section, lead) for section, lead, _day, _rhythm in rows] == [
        ("a)", "Cơ quan chủ trì giải quyết thủ tục đầu tư dự án"),
        ("b)", "Cơ quan chủ trì giải quyết thủ tục đầu tư dự án"),
    ]
    assert fired["lead.described_role"] == 1


def test_a_described_role_keeps_the_members_it_names_in_parentheses() -> None:
    body = (
        INTRODUCTION + "1. Các cơ quan đăng ký đầu tư (Sở Tài chính, Ban quản lý Khu kinh tế):\n"
        "a) Tiếp nhận hồ sơ, kiểm tra tính hợp lệ của hồ sơ.\n"
    )
    assert [task["lead_unit"] for task in _tasks(body)] == [
        "Các cơ quan đăng ký đầu tư (Sở Tài chính, Ban quản lý Khu kinh tế)"
    ]


def test_a_role_followed_by_a_word_of_responsibility_leads_its_sentence() -> None:
    body = INTRODUCTION + "4. Cơ quan phối hợp có trách nhiệm trả lời bằng văn bản đúng thời gian quy định.\n"
    assert [task["lead_unit"] for task in _tasks(body)] == ["Cơ quan phối hợp"]


def test_accountability_before_the_law_and_a_lead_field_are_not_described_roles() -> None:
    with counting_rules() as fired:
        tasks = _tasks(
            "1. Sở Y tế kiểm tra các cơ sở khám, chữa bệnh trước ngày 15/12/2025.\n"
            "2. Người đứng đầu cơ sở chịu trách nhiệm trước pháp luật nếu để xảy ra sai phạm.\n"
            "3. Rà soát quy trình tiếp nhận hồ sơ (Cơ quan chủ trì: Sở Tư pháp; thời gian: tháng 12/2025).\n"
        )
    assert "lead.described_role" not in fired
    assert ("3", "Sở Tư pháp", "2025-12-31") in [(t["section"], t["lead_unit"], t["deadline"]) for t in tasks]


INDICATORS = (
    "1. Sở Tài chính tổng hợp kết quả thực hiện các chỉ tiêu, báo cáo UBND tỉnh.\n\n"
    "PHỤ LỤC\n\nPHÂN CÔNG THỰC HIỆN CÁC CHỈ TIÊU PHÁT TRIỂN KINH TẾ SỐ {stage}\n\n"
    "(Ban hành kèm theo Kế hoạch số 144/KH-UBND ngày 24 tháng 11 năm 2025)\n\n"
    "TT | {column} | Chủ trì\n"
    "1 | Kinh tế số chiếm 45% GRDP tỉnh. | Sở Tài chính\n"
    "2 | Tỷ lệ doanh nghiệp ứng dụng công nghệ số đạt 60% | Sở Khoa học và Công nghệ\n"
)


def test_an_indicator_table_is_due_at_the_end_of_the_stage_its_title_names() -> None:
    with counting_rules() as fired:
        rows = _rows(INDICATORS.format(stage="ĐẾN NĂM 2030", column="Chỉ tiêu"))
    assert rows[1:] == [
        ("1", "Sở Tài chính", "2030-12-31", ""),
        ("2", "Sở Khoa học và Công nghệ", "2030-12-31", ""),
    ]
    assert fired["deadline.indicator_stage"] == 2
    staged = _rows(INDICATORS.format(stage="GIAI ĐOẠN 2026 - 2028", column="Chỉ tiêu"))
    assert [day for _section, _lead, day, _rhythm in staged[1:]] == ["2028-12-31", "2028-12-31"]


def test_a_table_without_a_stage_or_whose_column_is_not_indicators_gets_no_stage() -> None:
    unstaged = _rows(INDICATORS.format(stage="NĂM 2025", column="Chỉ tiêu"))
    assert [day for _section, _lead, day, _rhythm in unstaged[1:]] == [None, None]
    results = _rows(INDICATORS.format(stage="ĐẾN NĂM 2030", column="Nội dung"))
    assert [day for _section, _lead, day, _rhythm in results[1:]] == [None, None]


def test_a_year_a_table_gives_as_a_start_is_not_a_deadline() -> None:
    body = (
        "1. Sở Tư pháp rà soát các văn bản quy phạm pháp luật.\n\nPHỤ LỤC\n\n"
        "TT | Nhiệm vụ | Chủ trì | Thời gian thực hiện\n"
        "1 | Lắp đặt bảng thông tin chất lượng không khí | Sở Xây dựng | Triển khai từ năm 2026\n"
        "2 | Giám sát đốt mở | Sở Nông nghiệp và Môi trường | Triển khai từ năm 2026 và thực hiện thường xuyên, "
        "liên tục\n"
        "3 | Thí điểm vùng phát thải thấp | Sở Xây dựng | Thí điểm trong giai đoạn 2026 - 2027 và mở rộng sau năm "
        "2028\n"
        "4 | Kiểm kê phát thải | Sở Tư pháp | Từ năm 2026 đến năm 2028\n"
        "5 | Đánh giá giữa kỳ | Sở Tư pháp | Từ năm 2027\n"
    )
    with counting_rules() as fired:
        rows = _rows(body)
    assert [(day, rhythm) for _section, _lead, day, rhythm in rows] == [
        (None, ""),
        (None, "continuous"),
        ("2027-12-31", ""),
        ("2028-12-31", ""),
        (None, ""),
    ]
    assert fired["deadline.table_start_year_blanked"] == 4


def test_a_place_and_date_wrapped_over_lines_is_the_documents_date_for_days_without_a_year() -> None:
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH ĐỒNG THÁP\n\nSố: 552/KH-UBND\n\nĐồng Tháp,\nngày 19 tháng 11 năm 2025\n\nKẾ HOẠCH\n"
        "1. Sở Khoa học và Công nghệ tổng hợp, báo cáo Ủy ban nhân dân Tỉnh trước ngày 30/11 hằng năm.\n"
    )
    with counting_rules() as fired:
        result = to_json_dict(extract_text(text, units=[]))
    assert result["date"] == "2025-11-19"
    assert [(task["deadline"], task["recurrence"]) for task in result["tasks"]] == [("2025-11-30", "yearly")]
    assert fired["header.wrapped_date"] == 1
    split_day = to_json_dict(extract_text(text.replace("Đồng Tháp,\nngày 19", "Đồng Tháp, ngày 19\n"), units=[]))
    assert split_day["date"] == "2025-11-19"


def test_a_date_in_the_body_is_not_read_as_the_documents_date() -> None:
    text = (
        "KẾ HOẠCH\nThực hiện Kết luận số 192-KL/TW, ngày 19/9/2025 của Bộ Chính trị,\n"
        "1. Sở Tư pháp rà soát văn bản trước ngày 15/12.\n"
    )
    assert to_json_dict(extract_text(text, units=[]))["date"] is None


def test_a_governor_or_party_secretary_is_a_title_before_the_unit_they_lead() -> None:
    tasks = _tasks(
        "1. Thống đốc Ngân hàng Nhà nước Việt Nam chỉ đạo các ngân hàng giãn nợ cho doanh nghiệp bị thiệt hại.\n"
        "2. Tổng Giám đốc Bảo hiểm xã hội Việt Nam chỉ đạo chi trả lương hưu trước ngày 05/12/2025.\n"
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("Ngân hàng Nhà nước Việt Nam", None),
        ("Bảo hiểm xã hội Việt Nam", "2025-12-05"),
    ]


def test_a_span_of_years_written_after_the_word_year_falls_due_at_its_last_year() -> None:
    body = (
        "1. Bộ Công an chủ trì xây dựng Cổng thông tin quốc gia.\n\nPHỤ LỤC\n\n"
        "TT | Nhiệm vụ | Cơ quan chủ trì | Thời gian hoàn thành\n"
        "1 | Xây dựng Cổng thông tin quốc gia về bảo vệ dữ liệu cá nhân | Bộ Công an | năm 2026 - 2027\n"
        "2 | Ban hành quy chuẩn kỹ thuật | Bộ Công an | năm 2026\n"
    )
    # The deadline grammar reads "năm 2026 - 2027" as a span itself (``cchc.lib.dates``).
    rows = _rows(body)
    assert [(lead, day) for _section, lead, day, _rhythm in rows[-2:]] == [
        ("Bộ Công an", "2027-12-31"),
        ("Bộ Công an", "2026-12-31"),
    ]
    [task] = _tasks(
        "6. Xây dựng Cổng thông tin quốc gia về bảo vệ dữ liệu cá nhân\n- Cơ quan chủ trì: Bộ Công an.\n"
        "- Thời gian thực hiện: năm 2026 - 2027.\n"
    )
    assert (task["lead_unit"], task["deadline"]) == ("Bộ Công an", "2027-12-31")


def test_a_lead_column_naming_a_group_with_its_qualifier_is_read_whole() -> None:
    body = (
        "1. Bộ Công an chủ trì xây dựng Trung tâm giám sát an ninh mạng.\n\nPHỤ LỤC\n\n"
        "TT | Nhiệm vụ | Cơ quan chủ trì | Thời hạn\n"
        "1 | Rà soát, xác định nhiệm vụ chuyển đổi số | Các cơ quan, bộ, ngành và địa phương | 15/10/2025\n"
        "2 | Triển khai nền tảng số dùng chung | Các thành phố trực thuộc Trung ương | 30/09/2025\n"
        "3 | Xây dựng Trung tâm giám sát | Bộ Công an | 31/12/2026\n"
    )
    with counting_rules() as fired:
        rows = _rows(body)
    assert [(lead, day) for _section, lead, day, _rhythm in rows[-3:]] == [
        ("Các cơ quan, bộ, ngành và địa phương", "2025-10-15"),
        ("Các thành phố trực thuộc Trung ương", "2025-09-30"),
        ("Bộ Công an", "2026-12-31"),
    ]
    # The second row's "trực thuộc Trung ương" is read with the name itself (``name.superior_kept``).
    assert fired["lead.table_cell_whole_group"] == 1
    assert fired["name.superior_kept"] >= 1
