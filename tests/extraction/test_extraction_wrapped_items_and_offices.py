"""Lettered items wrapped after a short first line, lists numbered again under a lead-in, a person in two offices,
party committees led by their secretaries, and titles read from data (``docs/extraction.md``, "Wrapped lettered
items, restarted lists, people in two offices")."""

from __future__ import annotations

from cchc.extraction.vocabulary import phrases

from .passages import tasks_and_rules

HEADER = "THỦ TƯỚNG CHÍNH PHỦ\nSố: 20/CĐ-TTg\nHà Nội, ngày 18 tháng 11 năm 2025\n\nCÔNG ĐIỆN\n"
# Lines wrapped at a fixed width of about 80 characters, as web copies of a PDF print them.
WIDE = (
    "Thủ tướng Chính phủ yêu cầu các bộ, cơ quan ngang bộ và Ủy ban nhân dân các tỉnh\n"
    "tập trung chỉ đạo quyết liệt việc cắt giảm, đơn giản hóa thủ tục hành chính, điều\n"
    "kiện kinh doanh theo đúng mục tiêu đã đề ra, cụ thể là các nhiệm vụ như sau đây:\n"
)


def _extract(body: str) -> tuple[list[dict], dict[str, int]]:
    return tasks_and_rules(HEADER + body)


def test_a_lettered_item_cut_before_an_abbreviation_goes_on_with_its_deadline() -> None:
    tasks, fired = _extract(
        WIDE + "1. Bộ trưởng Bộ Tư pháp\n"
        "a) Khẩn trương rà soát, chuẩn hóa kết quả giải quyết\n"
        "TTHC chưa được chuẩn hóa; gắn mã số kết quả giải quyết với thành phần hồ sơ của\n"
        "các thủ tục làm cơ sở kết nối, chia sẻ dữ liệu, hoàn thành trong tháng 12 năm 2025.\n"
    )
    assert [(task["section"], task["deadline"]) for task in tasks] == [("a)", "2025-12-31")]
    assert tasks[0]["content"].startswith("Khẩn trương rà soát, chuẩn hóa kết quả giải quyết TTHC")
    assert fired["segment.wrapped_lettered_item"] == 1


def test_a_lettered_item_cut_after_a_word_that_needs_its_object_goes_on() -> None:
    tasks, fired = _extract(
        WIDE + "1. Các nhiệm vụ về truyền thông\n"
        "a) Đài Truyền hình Việt Nam chủ trì, phối hợp\n"
        "Bộ Khoa học và Công nghệ, Bộ Công an xây dựng chương trình truyền thông về chuyển\n"
        "đổi số quốc gia, hoàn thành trước ngày 15/12/2025.\n"
    )
    assert [(task["lead_unit"], task["supporting_units"], task["deadline"]) for task in tasks] == [
        ("Đài Truyền hình Việt Nam", ["Bộ Khoa học và Công nghệ", "Bộ Công an"], "2025-12-15")
    ]
    assert fired["segment.wrapped_lettered_item"] == 1


def test_a_short_lettered_heading_still_ends_before_its_first_sentence() -> None:
    tasks, fired = _extract(
        WIDE + "1. Bộ trưởng Bộ Tư pháp\n"
        "a) Về hoàn thiện thể chế\n"
        "Rà soát, sửa đổi các văn bản quy phạm pháp luật không còn phù hợp với thực tiễn,\n"
        "hoàn thành trong tháng 12 năm 2025.\n"
    )
    assert [task["content"][:9] for task in tasks] == ["Rà soát, "]
    assert "segment.wrapped_lettered_item" not in fired


BACKGROUND = (
    "Sau 6 tháng thực hiện Nghị quyết, kết quả đạt được như sau:\n"
    "(1) Cắt giảm 2.269 thủ tục hành chính thuộc phạm vi quản lý của các bộ, ngành.\n"
    "(2) Cắt giảm 1.200 điều kiện kinh doanh của các ngành, nghề đầu tư có điều kiện.\n"
    "Để hoàn thành mục tiêu, Thủ tướng Chính phủ yêu cầu:\n"
)


def test_a_list_numbered_again_under_a_lead_in_takes_the_lead_ins_deadline() -> None:
    tasks, fired = _extract(
        BACKGROUND + "1. Bộ trưởng các Bộ, Thủ trưởng cơ quan ngang bộ\n"
        "a) Các Bộ: Tài chính, Y tế khẩn trương khắc phục các bất cập của hệ thống thông tin, hoàn thành "
        "trong tháng 11 năm 2025, cụ thể:\n"
        "(1) Bộ Tài chính kết nối cơ sở dữ liệu đăng ký doanh nghiệp.\n"
        "(2) Bộ Y tế nâng cấp hệ thống quản lý cấp phép hành nghề.\n"
    )
    assert [(task["section"], task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("(1)", "Bộ Tài chính", "2025-11-30"),
        ("(2)", "Bộ Y tế", "2025-11-30"),
    ]
    assert fired["segment.list_restarted_under_lead_in"] == 1


def test_a_list_going_on_under_an_item_that_is_no_lead_in_stays_where_it_began() -> None:
    tasks, fired = _extract(
        "Thủ tướng Chính phủ yêu cầu:\n"
        "(1) Bộ Tài chính kết nối cơ sở dữ liệu đăng ký doanh nghiệp trong tháng 11 năm 2025.\n"
        "a) Bộ Y tế nâng cấp hệ thống quản lý cấp phép hành nghề trong tháng 12 năm 2025.\n"
        "(2) Bộ Tư pháp khắc phục lỗi của hệ thống hộ tịch điện tử.\n"
    )
    assert [(task["section"], task["lead_unit"], task["deadline"]) for task in tasks][-1] == (
        "(2)",
        "Bộ Tư pháp",
        None,
    )
    assert "segment.list_restarted_under_lead_in" not in fired


def test_a_person_in_two_offices_is_one_lead_written_whole() -> None:
    tasks, fired = _extract(
        "Thủ tướng Chính phủ yêu cầu:\n"
        "1. Bộ trưởng Bộ Tài chính - Phó Trưởng ban Thường trực Ban Chỉ đạo 389 quốc gia hoàn thiện Kế hoạch "
        "cao điểm chống buôn lậu, hoàn thành trong tháng 11 năm 2025.\n"
        "2. Bộ trưởng Bộ Công Thương - cơ quan thường trực chỉ đạo lực lượng quản lý thị trường kiểm tra.\n"
    )
    assert (tasks[0]["lead_unit"], tasks[0]["deadline"]) == (
        "Bộ Tài chính - Phó Trưởng ban Thường trực Ban Chỉ đạo 389 quốc gia",
        "2025-11-30",
    )
    # A dash followed by no title of a person is no second office.
    assert fired["lead.person_with_second_office"] == 1


def test_secretaries_lead_their_party_committees_with_the_chairs_named_with_them() -> None:
    tasks, fired = _extract(
        "Thủ tướng Chính phủ yêu cầu:\n"
        "1. Bí thư tỉnh ủy và Chủ tịch Ủy ban nhân dân các tỉnh: Đắk Lắk, Khánh Hòa tiếp tục phân công nhiệm "
        "vụ cụ thể cho từng đồng chí, hoàn thành trước ngày 30/11/2025.\n"
        "2. Bí thư Tỉnh ủy Gia Lai chỉ đạo khắc phục hậu quả mưa lũ.\n"
        "3. Ban Tuyên giáo tỉnh ủy phối hợp tuyên truyền về công tác khắc phục hậu quả.\n"
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks][:2] == [
        ("tỉnh ủy, Ủy ban nhân dân các tỉnh: Đắk Lắk, Khánh Hòa", "2025-11-30"),
        ("Tỉnh ủy Gia Lai", None),
    ]
    assert fired["lead.party_committee"] == 2


def test_titles_of_people_are_read_from_their_data_file() -> None:
    assert {"thong doc", "tong giam doc", "bi thu", "chu nhiem", "bo truong"} <= set(phrases("person_titles"))
    tasks, _fired = _extract(
        "Thủ tướng Chính phủ yêu cầu:\n"
        "1. Thống đốc Ngân hàng Nhà nước Việt Nam chỉ đạo các tổ chức tín dụng giãn nợ cho khách hàng.\n"
        "2. Tổng Giám đốc Bảo hiểm xã hội Việt Nam chỉ đạo chi trả kịp thời các chế độ.\n"
    )
    assert [task["lead_unit"] for task in tasks] == ["Ngân hàng Nhà nước Việt Nam", "Bảo hiểm xã hội Việt Nam"]
