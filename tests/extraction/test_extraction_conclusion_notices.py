"""Numbered headings cut by the wrap before a stretch of country, and leads a conclusion notice gives once for its
items (``docs/extraction.md``, "Conclusion notices: leads given once, headings cut by the wrap")."""

from __future__ import annotations

from .passages import tasks_and_rules

DISPATCH = "THỦ TƯỚNG CHÍNH PHỦ\nSố: 30/CĐ-TTg\nHà Nội, ngày 18 tháng 11 năm 2025\n\nCÔNG ĐIỆN\n\n"
# Lines wrapped at a fixed width of about 80 characters, as web copies of a PDF print them.
WIDE = (
    "Thủ tướng Chính phủ yêu cầu các bộ, cơ quan ngang bộ và Ủy ban nhân dân các tỉnh\n"
    "tập trung chỉ đạo quyết liệt việc ứng phó với mưa lũ, bảo đảm an toàn tính mạng\n"
    "của Nhân dân, hạn chế thấp nhất thiệt hại, cụ thể là các nhiệm vụ như sau đây:\n\n"
)


def _extract(text: str) -> tuple[list[dict], dict[str, int]]:
    return tasks_and_rules(text)


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


NOTICE = (
    "VĂN PHÒNG CHÍNH PHỦ\nSố: 700/TB-VPCP\nHà Nội, ngày 25 tháng 11 năm 2025\n\nTHÔNG BÁO\n"
    "Kết luận của Phó Thủ tướng Chính phủ tại buổi làm việc với lãnh đạo tỉnh Bắc Sơn\n\n"
    "Sau khi nghe báo cáo của Tỉnh, Phó Thủ tướng Chính phủ kết luận như sau:\n\n"
)


def test_a_lead_in_that_says_what_the_province_needs_to_do_leads_the_items_below() -> None:
    tasks, fired = _extract(
        NOTICE + "II. MỘT SỐ NHIỆM VỤ TRONG THỜI GIAN TỚI\n\n"
        "Để tiếp tục tháo gỡ các khó khăn, vướng mắc trong phát triển kinh tế - xã hội, giải ngân vốn đầu tư "
        "công và vận hành chính quyền địa phương 02 cấp, Ủy ban nhân dân tỉnh Bắc Sơn cần tiếp tục thực hiện "
        "quyết liệt các nội dung trọng tâm sau:\n\n"
        "1. Rà soát các chỉ tiêu phát triển kinh tế - xã hội đã được giao từ đầu năm.\n\n"
        "2. Đẩy mạnh giải ngân vốn đầu tư công, phân công lãnh đạo theo dõi từng dự án.\n"
    )
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [
        ("1", "Ủy ban nhân dân tỉnh Bắc Sơn"),
        ("2", "Ủy ban nhân dân tỉnh Bắc Sơn"),
    ]
    assert fired["lead.later_sentence_owner"] == 1


def test_an_assessment_that_opens_with_the_province_under_a_general_assessment_is_no_task() -> None:
    tasks, _fired = _extract(
        NOTICE + "I. ĐÁNH GIÁ CHUNG\n\n"
        "Ủy ban nhân dân tỉnh Bắc Sơn (mới) có quy mô dân số trên 2 triệu người, tăng trưởng khá.\n\n"
        "Trong 10 tháng năm 2025, thu ngân sách đạt 104% dự toán.\n\n"
        "II. KIẾN NGHỊ\n\n"
        "Giao Bộ Tài chính nghiên cứu kiến nghị của Tỉnh về vốn đầu tư công.\n"
    )
    assert [task["lead_unit"] for task in tasks] == ["Bộ Tài chính"]


def test_the_province_named_once_as_subject_leads_the_items_after_it_in_its_section() -> None:
    tasks, fired = _extract(
        NOTICE + "II. MỘT SỐ NHIỆM VỤ TRONG THỜI GIAN TỚI\n\n"
        "1. Về tăng trưởng kinh tế:\n\n"
        "Tỉnh cần tập trung lãnh đạo, chỉ đạo để hoàn thành cao nhất các chỉ tiêu năm 2025.\n\n"
        "2. Cần đánh giá kỹ lợi thế cạnh tranh của địa phương; khẩn trương rà soát, điều chỉnh quy hoạch.\n\n"
        "3. Về chính quyền địa phương 02 cấp:\n\n"
        "- Nhanh chóng ổn định tổ chức bộ máy, bảo đảm vận hành chính quyền 02 cấp thông suốt.\n\n"
        "III. VỀ MỘT SỐ KIẾN NGHỊ CỦA TỈNH\n\n"
        "1. Về kiến nghị điều chỉnh nguồn vốn:\n\n"
        "Giao Bộ Tài chính nghiên cứu, xử lý kiến nghị của tỉnh theo quy định.\n\n"
        "2. Về kiến nghị hỗ trợ khắc phục hậu quả bão:\n\n"
        "Nghiên cứu, tổng hợp chung trong quá trình phân bổ dự phòng ngân sách.\n"
    )
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [
        ("1", "Tỉnh"),
        ("2", "Tỉnh"),
        ("3", "Tỉnh"),
        ("1", "Bộ Tài chính"),
    ]
    assert fired["lead.place_as_subject"] == 1
    assert fired["lead.stated_subject_carried"] == 2


def test_a_lead_named_without_need_is_not_carried_to_the_items_after_it() -> None:
    tasks, fired = _extract(
        NOTICE + "II. NHIỆM VỤ\n\n"
        "1. Bộ Tài chính nghiên cứu kiến nghị của Tỉnh về vốn đầu tư công.\n\n"
        "2. Tiếp tục đổi mới tư duy, chú trọng phát triển kinh tế tư nhân.\n"
    )
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [("1", "Bộ Tài chính")]
    assert "lead.stated_subject_carried" not in fired


RELIEF = (
    NOTICE + "Để khắc phục hậu quả mưa lũ, Thủ tướng Chính phủ yêu cầu các Bộ, các ngành, chính quyền các cấp "
    "tập trung một số nhiệm vụ khẩn cấp, cần làm ngay:\n\n"
)


def test_a_group_that_launches_the_work_leads_its_item() -> None:
    tasks, _fired = _extract(
        RELIEF + "1. Các địa phương phát động ngay chiến dịch hỗ trợ Nhân dân sửa chữa nhà ở bị hư hỏng.\n\n"
        "2. Các địa phương phải huy động lực lượng khắc phục các công trình hạ tầng thiết yếu.\n"
    )
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [
        ("1", "Các địa phương"),
        ("2", "Các địa phương"),
    ]


def test_paragraphs_of_an_item_that_name_their_own_lead_are_tasks_of_their_own() -> None:
    tasks, fired = _extract(
        RELIEF + "1. Các địa phương phát động ngay chiến dịch hỗ trợ Nhân dân xây dựng lại nhà ở bị sập đổ.\n\n"
        "Về kinh phí: Các địa phương phải chủ động bố trí các nguồn lực của địa phương để hỗ trợ Nhân dân.\n\n"
        "Đồng thời tiếp tục vận động sự ủng hộ của cộng đồng doanh nghiệp.\n\n"
        "Bộ Xây dựng chỉ đạo nghiên cứu, đưa ra một số thiết kế nhà mẫu phù hợp phong tục của người dân.\n\n"
        "Bộ Nông nghiệp và Môi trường hướng dẫn các địa phương bố trí đất tái định cư, hoàn thành trước ngày "
        "05/12/2025.\n\n"
        "2. Bộ Y tế chỉ đạo xử lý vệ sinh môi trường sau lũ.\n"
    )
    assert [(task["section"], task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("1", "Các địa phương", None),
        ("1", "Các địa phương", None),
        ("1", "Bộ Xây dựng", None),
        ("1", "Bộ Nông nghiệp và Môi trường", "2025-12-05"),
        ("2", "Bộ Y tế", None),
    ]
    assert tasks[1]["content"].endswith("cộng đồng doanh nghiệp.")
    assert fired["segment.paragraph_with_own_lead"] == 3


def test_a_paragraph_that_opens_with_its_grounds_goes_on_with_its_item() -> None:
    tasks, fired = _extract(
        NOTICE + "IV. TỔ CHỨC THỰC HIỆN\n\n"
        "1. Bộ trưởng, Thủ trưởng cơ quan ngang bộ chịu trách nhiệm thực hiện Kế hoạch này.\n\n"
        "Căn cứ nội dung Kế hoạch này, các bộ, cơ quan ngang bộ xây dựng kế hoạch chi tiết triển khai.\n"
    )
    assert len(tasks) == 1
    assert "segment.paragraph_with_own_lead" not in fired


def test_a_later_sentence_whose_subject_acts_at_once_names_the_lead_over_the_lead_in() -> None:
    tasks, fired = _extract(
        RELIEF + "5. Khẩn trương khôi phục sản xuất nông nghiệp. Bộ Nông nghiệp và Môi trường chủ động phối hợp "
        "với địa phương hỗ trợ giống cây trồng, vật nuôi cho Nhân dân.\n"
    )
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [("5", "Bộ Nông nghiệp và Môi trường")]
    assert fired["lead.later_sentence_owner"] == 1


def test_a_clause_whose_subject_must_act_names_the_lead() -> None:
    tasks, _fired = _extract(
        RELIEF + "4. Khẩn trương khắc phục các công trình hạ tầng thiết yếu bị hư hại do mưa lũ, các địa phương "
        "phải huy động các lực lượng, việc gì cấp bách thì phải làm ngay.\n"
    )
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [("4", "các địa phương")]


def test_a_clause_after_a_comma_without_need_names_no_lead() -> None:
    tasks, _fired = _extract(
        RELIEF + "4. Khẩn trương khắc phục các công trình hạ tầng bị hư hại, các địa phương bị ảnh hưởng nặng "
        "được ưu tiên hỗ trợ.\n"
    )
    assert [task["lead_unit"] for task in tasks] == ["các Bộ, các ngành"]
