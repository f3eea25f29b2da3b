"""Failure classes of real directives, each treated by a general rule (issue: real directives, development set).

The shapes below were met in the development set of real directives (``data/real/``, split ``real_dev``); the
texts here are written for the tests.
"""

from __future__ import annotations

from cchc.extraction import extract_text, to_json_dict
from cchc.extraction.deadlines import deadline_view
from cchc.extraction.rules import counting_rules
from cchc.extraction.text_view import TextView
from cchc.extraction.units import Registry, parse_unit_list
from cchc.lib.dates import parse_deadline

HEADER = "ỦY BAN NHÂN DÂN\nTỈNH AN GIANG\nSố: 12/UBND-KT\nAn Giang, ngày 10 tháng 11 năm 2025\n\nV/v triển khai\n\n"
CLOSING = "\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n"


def _tasks(body: str) -> list[dict]:
    return to_json_dict(extract_text(HEADER + body + CLOSING, units=[]))["tasks"]


def _rows(body: str) -> list[tuple[str, str | None, str | None]]:
    return [(task["section"], task["lead_unit"], task["deadline"]) for task in _tasks(body)]


def test_lettered_items_that_are_the_fields_of_one_task_make_one_task() -> None:
    rows = _rows(
        "Kính gửi: Các sở, ngành tỉnh.\n\n"
        "1. Nhiệm vụ thứ nhất\na) Nhiệm vụ: Xây dựng cơ sở dữ liệu dân cư của tỉnh.\nb) Cơ quan thực hiện:\n"
        "- Đơn vị chủ trì: Sở Khoa học và Công nghệ.\n- Đơn vị phối hợp: Công an tỉnh.\n"
        "c) Thời gian thực hiện: Quý II/2026.\n"
        "2. Nhiệm vụ thứ hai\na) Nhiệm vụ: Số hóa hồ sơ lưu trữ.\nb) Cơ quan thực hiện:\n"
        "- Đơn vị chủ trì: Sở Nội vụ.\nc) Thời gian thực hiện: năm 2026."
    )
    assert rows == [("1", "Sở Khoa học và Công nghệ", "2026-06-30"), ("2", "Sở Nội vụ", "2026-12-31")]


def test_a_closing_sentence_gives_its_deadline_to_every_item_above() -> None:
    rows = _rows(
        "Đề nghị Giám đốc các sở, ngành thực hiện:\n"
        "1. Rà soát các thủ tục hành chính thuộc thẩm quyền giải quyết của cơ quan mình.\n"
        "2. Cập nhật đầy đủ dữ liệu của các thủ tục hành chính lên Hệ thống thông tin giải quyết thủ tục.\n"
        "Các nội dung trên hoàn thành trước ngày 15/12/2025."
    )
    assert rows == [("1", "các sở, ngành", "2025-12-15"), ("2", "các sở, ngành", "2025-12-15")]


def test_the_date_of_a_cited_document_is_not_a_deadline() -> None:
    rows = _rows(
        "1. Thực hiện Kế hoạch số 45/KH-UBND ngày 05 tháng 3 năm 2025 của UBND tỉnh, Sở Nội vụ tổng hợp kết quả "
        "cải cách hành chính của các cơ quan, đơn vị."
    )
    assert rows == [("1", "Sở Nội vụ", None)]


def test_quoted_plan_names_and_visions_are_not_deadlines() -> None:
    view = deadline_view("Kế hoạch “Quản lý chất lượng không khí giai đoạn 2026 - 2030, tầm nhìn đến năm 2045” với")
    assert parse_deadline(view).is_empty
    assert parse_deadline(deadline_view("hoàn thành trước ngày 15/12/2025")).due is not None


def test_the_lead_given_inside_the_sentence_after_the_topic_leads_the_item() -> None:
    rows = _rows(
        "1. Về dự án đường cao tốc: đề nghị Bộ Xây dựng chủ trì, phối hợp với Bộ Tài chính rà soát hồ sơ, "
        "hoàn thành trước ngày 30/12/2025.\n"
        "2. Sở Nội vụ đề nghị Phòng Cải cách hành chính tổng hợp kết quả tự chấm điểm của các cơ quan, đơn vị."
    )
    assert rows == [("1", "Bộ Xây dựng", "2025-12-30"), ("2", "Phòng Cải cách hành chính", None)]


def test_a_unit_name_keeps_its_lower_case_syllables_and_a_head_noun_alone_is_no_registry_match() -> None:
    rows = _rows(
        "1. Bộ Quốc phòng, Bộ Công an chủ động chỉ đạo các đơn vị đóng trên địa bàn sẵn sàng lực lượng.\n"
        "2. Tổng công ty Đường sắt Việt Nam khẩn trương hoàn thiện hồ sơ dự án đầu tư.\n"
        "3. Văn phòng Chính phủ theo dõi, đôn đốc thực hiện Công điện này."
    )
    assert rows == [
        ("1", "Bộ Quốc phòng, Bộ Công an", None),
        ("2", "Tổng công ty Đường sắt Việt Nam", None),
        ("3", "Văn phòng Chính phủ", None),
    ]


def test_a_numbered_line_cut_after_the_head_noun_of_its_unit_goes_on_below() -> None:
    rows = _rows(
        "1. Sở\nNông nghiệp và Môi trường:\n\n- Chủ trì cập nhật thông tin về chất lượng không khí trên địa bàn.\n"
    )
    assert rows == [("1", "Sở Nông nghiệp và Môi trường", None)]


def test_items_numbered_inside_one_paragraph_are_items_of_their_own() -> None:
    rows = _rows(
        "a) Bộ Khoa học và Công nghệ: (1) trình Thủ tướng Chính phủ ban hành Chiến lược, hoàn thành trong tháng "
        "11 năm 2025; (2) khẩn trương hướng dẫn các bộ, ngành triển khai nền tảng số dùng chung."
    )
    assert rows == [("(1)", "Bộ Khoa học và Công nghệ", "2025-11-30"), ("(2)", "Bộ Khoa học và Công nghệ", None)]


def test_the_addressees_of_a_cong_dien_are_not_read_as_items() -> None:
    text = (
        "THỦ TƯỚNG CHÍNH PHỦ\nSố: 226/CĐ-TTg\nHà Nội, ngày 21 tháng 11 năm 2025\n\nCÔNG ĐIỆN\n"
        "Về việc tăng cường công tác dự trữ quốc gia\nTHỦ TƯỚNG CHÍNH PHỦ điện:\n\n- Bộ trưởng\ncác Bộ:\n\n"
        "Quốc phòng, Công an, Tài chính.\n\n"
        "Trong tháng 11 năm 2025, mưa lũ lớn đã gây ngập lụt sâu tại nhiều địa phương ở khu vực Trung Bộ.\n\n"
        "1. Bộ Tài chính rà soát các mặt hàng dự trữ quốc gia bảo đảm chủng loại, số lượng.\n" + CLOSING
    )
    result = to_json_dict(extract_text(text, units=[]))
    assert result["addressees"] == ["Bộ trưởng các Bộ: Quốc phòng, Công an, Tài chính"]
    assert [(task["lead_unit"], task["deadline"]) for task in result["tasks"]] == [("Bộ Tài chính", None)]


def test_a_proposed_task_says_where_its_lead_and_deadline_come_from_and_how_far_to_trust_them() -> None:
    [own, inherited] = _tasks(
        "1. Sở Nội vụ tổng hợp kết quả tự chấm điểm, gửi UBND tỉnh trước ngày 15/12/2025.\n"
        "2. Sở Tư pháp:\na) Rà soát các văn bản quy phạm pháp luật của tỉnh về thủ tục hành chính."
    )
    assert own["sources"] == {"lead_unit": "Sở Nội vụ", "deadline": "trước ngày 15/12/2025"}
    assert own["rules"]["lead_unit"] == "lead.subject_at_start"
    assert inherited["rules"]["lead_unit"].endswith(".inherited")
    assert 0 < inherited["confidence"]["lead_unit"] < own["confidence"]["lead_unit"] <= 1


def test_the_rules_that_fire_are_counted_when_asked() -> None:
    with counting_rules() as fired:
        _tasks("1. Mục đích của kế hoạch là nâng cao chất lượng phục vụ người dân và doanh nghiệp.")
    assert fired["task.dropped_without_lead"] == 1


def test_a_minister_is_the_title_of_a_unit_and_a_list_after_one_head_noun_is_one_lead() -> None:
    rows = _rows(
        "4. Bộ trưởng các Bộ: Quốc phòng, Công an chỉ đạo lực lượng quân đội, công an sẵn sàng hỗ trợ địa phương.\n"
        "5. Các Bộ: Xây dựng, Công Thương, Khoa học và Công nghệ theo chức năng, nhiệm vụ chủ động chỉ đạo.\n"
        "6. Bộ trưởng Bộ Tài chính chỉ đạo triển khai các chính sách hỗ trợ người dân bị thiệt hại."
    )
    assert rows == [
        ("4", "các Bộ: Quốc phòng, Công an", None),
        ("5", "Các Bộ: Xây dựng, Công Thương, Khoa học và Công nghệ", None),
        ("6", "Bộ Tài chính", None),
    ]


def test_a_proper_name_cut_by_the_wrap_stays_in_the_item_and_in_its_lead() -> None:
    rows = _rows(
        "1. Ủy ban nhân dân thành phố Hà\nNội, thành phố Hải Phòng trực tiếp hỗ trợ lương thực cho người dân.\n"
        "2. Ngân hàng Nhà nước Việt\nNam - Chi nhánh Khu vực II: Chủ trì triển khai thanh toán không dùng tiền mặt.\n"
    )
    assert [section for section, _lead, _due in rows] == ["1", "2"]
    assert rows[0][1] is not None and rows[0][1].startswith("Ủy ban nhân dân thành phố Hà Nội")
    assert rows[1][1] == "Ngân hàng Nhà nước Việt Nam - Chi nhánh Khu vực II"


def test_a_heading_wrapped_before_the_place_of_its_unit_keeps_the_place() -> None:
    rows = _rows(
        "IV. TỔ CHỨC THỰC HIỆN\n\n1. Ban Quản lý Khu kinh tế\nĐông Nam\n\n"
        "- Đề xuất những khu công nghiệp cần ứng dụng công nghệ cao.\n\n"
        "- Hướng dẫn các chủ đầu tư thực hiện đầy đủ các thủ tục.\n"
    )
    assert rows == [("1", "Ban Quản lý Khu kinh tế Đông Nam", None)] * 2


def test_the_communes_and_wards_named_without_cac_are_one_group() -> None:
    registry = Registry(units=[], issuing=None, on=None)
    for text in ("Ủy ban nhân dân xã, phường", "Ủy ban\nnhân dân xã, phường, đặc khu", "UBND xã, phường"):
        refs, _end = parse_unit_list(TextView(text), registry, 0)
        assert [(" ".join(ref.text.split()), ref.kind) for ref in refs] == [(" ".join(text.split()), "group")]
    refs, _end = parse_unit_list(TextView("UBND xã Tân Phong thực hiện"), registry, 0)
    assert [ref.kind for ref in refs] == ["unknown"]


def test_a_heading_naming_a_class_of_businesses_leads_the_items_under_it() -> None:
    rows = _rows(
        "IV. TỔ CHỨC THỰC HIỆN\n\n1. Sở Khoa học và Công nghệ\n\n"
        "- Theo dõi, đôn đốc các doanh nghiệp viễn thông triển khai phát triển hạ tầng phủ sóng 5G.\n\n"
        "2. Các doanh nghiệp viễn thông\n\n- Xây dựng kế hoạch phủ sóng 5G theo chỉ tiêu phân bổ.\n\n"
        "- Định kỳ báo cáo kết quả triển khai về Sở Khoa học và Công nghệ.\n"
    )
    assert [lead for _section, lead, _due in rows] == [
        "Sở Khoa học và Công nghệ",
        "Các doanh nghiệp viễn thông",
        "Các doanh nghiệp viễn thông",
    ]


def test_the_day_in_the_purpose_of_a_lead_in_is_not_the_deadline_of_its_items() -> None:
    rows = _rows(
        "Từ nay đến ngày 19 tháng 12 năm 2025 chỉ còn 01 tháng, để bảo đảm công tác chuẩn bị tốt nhất, Chủ tịch "
        "UBND tỉnh yêu cầu:\n"
        "1. Sở Xây dựng theo dõi, đôn đốc các địa phương chuẩn bị lễ khởi công.\n"
        "2. Sở Tài chính bố trí kinh phí trước ngày 10/12/2025.\n"
    )
    assert rows == [("1", "Sở Xây dựng", None), ("2", "Sở Tài chính", "2025-12-10")]


def test_the_header_row_repeated_after_a_page_break_is_not_a_task() -> None:
    header = "| TT | Nội dung nhiệm vụ | Cơ quan chủ trì | Thời gian hoàn thành |\n"
    rows = _rows(
        "1. Nhiệm vụ cụ thể\n\n"
        + header
        + "| 1 | Xây dựng cơ sở dữ liệu dân cư | Sở Khoa học và Công nghệ | Quý II/2026 |\n"
        + header
        + "| 2 | Số hóa hồ sơ lưu trữ | Sở Nội vụ | năm 2026 |\n"
    )
    assert rows == [("1", "Sở Khoa học và Công nghệ", "2026-06-30"), ("2", "Sở Nội vụ", "2026-12-31")]
