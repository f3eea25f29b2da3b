"""Short letters: a leader's opinion conveyed by a government office, the one request of a letter with the letter's
closing sentence wrapped onto it, and names cut by the wrap in the addressees and the body (``docs/extraction.md``,
"Short letters")."""

from __future__ import annotations

from cchc.extraction import extract_text, to_json_dict
from cchc.extraction.rules import counting_rules

from .passages import tasks_and_rules

HEADER = "VĂN PHÒNG CHÍNH PHỦ\nSố: 1200/VPCP-KTTH\nV/v dự án cầu cảng\n\nHà Nội, ngày 10 tháng 11 năm 2025\n\n"
# Lines wrapped at a fixed width, the first line of each paragraph short by its indent.
OPINION = (
    "Xét báo cáo của Bộ Tài chính tại văn bản số 500/BC-BTC ngày 01 tháng 11 năm 2025 về\n"
    "tình hình giải ngân vốn đầu tư công trong những tháng cuối năm 2025, Phó Thủ tướng\n"
    "Chính phủ có ý kiến như sau:\n"
)


def _extract(body: str) -> tuple[list[dict], dict[str, int]]:
    return tasks_and_rules(HEADER + body)


def test_the_opinion_a_government_office_conveys_passes_no_date_of_the_report_it_answers() -> None:
    tasks, fired = _extract(
        "Kính gửi: Bộ Xây dựng.\n"
        + OPINION
        + "Bộ Xây dựng rà soát danh mục các dự án chậm giải ngân và đề xuất phương án điều chuyển vốn\n"
        "cho các dự án có khả năng giải ngân tốt hơn.\n"
        "Văn phòng Chính phủ thông báo để các cơ quan biết, thực hiện./.\n"
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [("Bộ Xây dựng", None)]
    assert fired["lead_in.opinion_passes_nothing"] == 1


def test_a_request_keeps_its_lead_when_the_closing_sentence_is_wrapped_onto_it() -> None:
    tasks, fired = _extract(
        "Kính gửi: Bộ Xây dựng.\n"
        + OPINION
        + "Trên cơ sở Báo cáo số 15/BC-CP ngày 02/11/2025 của Chính phủ, Bộ Xây dựng làm việc với\n"
        "các địa phương để tháo gỡ vướng mắc về giải phóng mặt bằng của dự án cầu cảng, báo cáo\n"
        "Thủ tướng Chính phủ trước ngày 30/11/2025. Văn phòng Chính phủ xin thông báo để Bộ Xây\n"
        "dựng và các cơ quan liên quan biết, thực hiện./.\n"
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [("Bộ Xây dựng", "2025-11-30")]
    assert not tasks[0]["content"].endswith("./.")
    assert fired["task.closing_sentence_cut"] == 1


def test_a_general_closing_request_before_the_closing_about_problems_stays_no_task() -> None:
    tasks, _fired = _extract(
        "Kính gửi: Ủy ban nhân dân các tỉnh.\n"
        "1. Ủy ban nhân dân các tỉnh rà soát mức chi phí quản lý của địa phương, báo cáo trước ngày 30/11/2025.\n"
        "Bộ Nội vụ đề nghị Ủy ban nhân dân các tỉnh triển khai thực hiện theo đúng quy định. Trong quá trình\n"
        "thực hiện, nếu phát sinh vướng mắc đề nghị phản ánh kịp thời về Bộ Nội vụ để hướng dẫn./.\n"
    )
    assert [(task["section"], task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("1", "Ủy ban nhân dân các tỉnh", "2025-11-30")
    ]


def test_an_addressee_cut_after_a_word_that_needs_its_object_is_read_whole() -> None:
    extraction = extract_text(
        HEADER + "Kính gửi: Bộ trưởng, Thủ trưởng các cơ quan ngang Bộ, cơ quan thuộc\n"
        "Chính phủ\n"
        "Các Bộ, cơ quan chủ động rà soát các kế hoạch, chương trình hành động năm 2026.\n",
        units=[],
    )
    assert extraction.addressees == ["Bộ trưởng, Thủ trưởng các cơ quan ngang Bộ, cơ quan thuộc Chính phủ"]


def test_an_addressee_cut_inside_a_place_name_is_read_whole() -> None:
    extraction = extract_text(
        HEADER + "Kính gửi: Chủ tịch Ủy ban nhân dân các tỉnh: Hưng Yên, Ninh\n"
        "Bình, Phú Thọ.\n"
        "Ủy ban nhân dân các tỉnh đẩy nhanh các thủ tục cấp mỏ vật liệu xây dựng cho dự án.\n",
        units=[],
    )
    assert extraction.addressees == ["Chủ tịch Ủy ban nhân dân các tỉnh: Hưng Yên, Ninh Bình, Phú Thọ"]


def test_a_short_first_line_cut_before_a_syllable_and_its_comma_goes_on() -> None:
    tasks, fired = _extract(
        "Kính gửi: Các Bộ, cơ quan ngang Bộ.\n" + OPINION + "Các Bộ, cơ quan ngang\n"
        "Bộ, cơ quan thuộc Chính phủ nghiên cứu các giải pháp tại Báo cáo số 500/BC-BTC nêu trên trong quá\n"
        "trình triển khai thực hiện; chủ động rà soát, cập nhật các kế hoạch, chương trình hành động.\n"
    )
    assert [task["lead_unit"] for task in tasks] == ["Các Bộ, cơ quan ngang Bộ, cơ quan thuộc Chính phủ"]
    assert fired["segment.name_cut_before_comma"] == 1


def test_a_short_heading_still_ends_before_a_sentence_that_opens_with_two_words() -> None:
    tasks, _fired = _extract(
        "Kính gửi: Sở Tài chính.\n"
        "1. Về giải ngân\n"
        "Sở Tài chính rà soát danh mục các dự án chậm giải ngân, hoàn thành trước ngày 30/11/2025 và báo cáo kết quả.\n"
    )
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [("1", "Sở Tài chính")]
    assert tasks[0]["content"].startswith("Sở Tài chính rà soát")


BTC = "BỘ TÀI CHÍNH\nSố: 1700/BTC-TCCB\nV/v tập huấn\n\nHà Nội, ngày 18 tháng 11 năm 2025\n\n"


def test_the_request_after_a_letters_information_is_its_one_task() -> None:
    with counting_rules() as fired:
        tasks = to_json_dict(
            extract_text(
                BTC + "Kính gửi: Ủy ban nhân dân các tỉnh.\n"
                "Hội nghị tập huấn nghiệp vụ quản lý thuế được tổ chức trực tuyến. Thông tin cụ thể như sau:\n"
                "1. Nội dung: Bồi dưỡng nghiệp vụ quản lý thuế cho công chức cấp xã.\n"
                "2. Cách thức thực hiện:\n"
                "- Điểm cầu tại các tỉnh: Tham gia hội nghị trực tuyến tại trụ sở của cơ quan thuế\n"
                "qua nền tảng Zoom.\n"
                "Bộ Tài chính trân trọng đề nghị Ủy ban nhân dân các tỉnh chỉ đạo các xã cử công chức tham dự; gửi\n"
                "danh sách (hướng dẫn chi tiết tại các Phụ lục kèm theo Công văn) trước ngày 24/11/2025.\n"
                "Mọi thông tin chi tiết xin liên hệ: Ông Nguyễn Văn A, điện thoại: 0912000000.\n"
                "Trân trọng thông báo./.\n",
                units=[],
            )
        )["tasks"]
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [("Ủy ban nhân dân các tỉnh", "2025-11-24")]
    assert tasks[0]["content"].endswith("trước ngày 24/11/2025.")
    assert fired["task.annex_pointer_kept"] == 1
    assert fired["task.closing_sentence_cut"] == 1
    assert fired["lead.single_addressee_named_elsewhere"] == 1


def test_an_item_that_names_no_one_is_still_the_single_addressees_when_no_request_names_it() -> None:
    tasks = to_json_dict(
        extract_text(
            BTC + "Kính gửi: Ủy ban nhân dân các tỉnh.\n"
            "Để chuẩn bị hội nghị tập huấn, các việc cần làm như sau:\n"
            "1. Rà soát danh sách công chức cấp xã tham dự, gửi về Bộ Tài chính trước ngày 24/11/2025.\n"
            "2. Bố trí điểm cầu trực tuyến tại trụ sở cơ quan thuế.\n",
            units=[],
        )
    )["tasks"]
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [
        ("1", "Ủy ban nhân dân các tỉnh"),
        ("2", "Ủy ban nhân dân các tỉnh"),
    ]


def test_the_dates_of_what_happened_before_a_request_are_not_its_deadline() -> None:
    with counting_rules() as fired:
        tasks = to_json_dict(
            extract_text(
                BTC + "Kính gửi: Ủy ban nhân dân các tỉnh.\n"
                "1. Về chi phí quản lý: Trên cơ sở ý kiến của Bộ Tài chính về chi trả chế độ những tháng cuối năm\n"
                "2025, Bộ Nội vụ đã hướng dẫn Sở Nội vụ các tỉnh xác định mức chi phí quản lý. Vì vậy, đề nghị Ủy\n"
                "ban nhân dân các tỉnh căn cứ mức chi phí đã xác định để trình Hội đồng nhân dân cấp tỉnh quy định.\n",
                units=[],
            )
        )["tasks"]
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [("Ủy ban nhân dân các tỉnh", None)]
    assert fired["deadline.background_before_request_blanked"] == 1


def test_a_request_with_a_deadline_in_its_own_sentence_keeps_it() -> None:
    tasks = to_json_dict(
        extract_text(
            BTC + "Kính gửi: Ủy ban nhân dân các tỉnh.\n"
            "1. Về chi phí quản lý: Năm 2025, Bộ Nội vụ đã hướng dẫn Sở Nội vụ các tỉnh xác định mức chi phí. Vì\n"
            "vậy, đề nghị Ủy ban nhân dân các tỉnh báo cáo kết quả trước ngày 15/12/2025.\n",
            units=[],
        )
    )["tasks"]
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [("Ủy ban nhân dân các tỉnh", "2025-12-15")]


DECISION = (
    "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH\nSố: 2800/QĐ-UBND\n\nThành phố Hồ Chí Minh, ngày 20 tháng 11 năm 2025\n\n"
    "QUYẾT ĐỊNH\nVề việc thông qua phương án đơn giản hóa thủ tục hành chính\n\n"
    "CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ\n\n"
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\n\n"
    "Căn cứ Thông tư số 02/2017/TT-VPCP ngày 31 tháng 10 năm 2017 của Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ\n"
    "hướng dẫn nghiệp vụ kiểm soát thủ tục hành chính;\n\n"
    "Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 100/TTr-SNV ngày 07 tháng 11 năm 2025.\n\n"
    "QUYẾT ĐỊNH:\n\n"
)


def test_the_legal_bases_before_a_decisions_enacting_word_are_no_tasks() -> None:
    with counting_rules() as fired:
        tasks = to_json_dict(
            extract_text(
                DECISION
                + "Điều 1. Thông qua phương án đơn giản hóa 12 thủ tục hành chính (chi tiết tại Phụ lục kèm theo).\n\n"
                "Điều 2. Giao Sở Nội vụ triển khai, thực thi phương án đơn giản hóa đối với các thủ tục hành\n"
                "chính nêu tại Phụ lục kèm theo.\n",
                units=[],
            )
        )["tasks"]
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [("Điều 2", "Sở Nội vụ")]
    assert fired["segment.preamble_skipped"] == 4  # the signer's title, two legal bases, the proposal
    assert fired["task.annex_pointer_kept"] == 2  # Điều 1 names no lead and is dropped after


def test_a_decision_that_issues_its_annex_is_still_no_task() -> None:
    tasks = to_json_dict(
        extract_text(
            DECISION + "Điều 1. Ban hành kèm theo Quyết định này Quy chế phối hợp của Sở Nội vụ.\n\n"
            "Điều 2. Giao Sở Nội vụ tổ chức triển khai Quy chế, báo cáo kết quả trước ngày 15/12/2025.\n",
            units=[],
        )
    )["tasks"]
    assert [(task["section"], task["deadline"]) for task in tasks] == [("Điều 2", "2025-12-15")]


def test_what_an_annex_heading_is_about_is_no_lead_when_it_counts_procedures() -> None:
    with counting_rules() as fired:
        tasks = to_json_dict(
            extract_text(
                HEADER + "Kính gửi: Sở Nội vụ, Sở Tư pháp.\n\n"
                "1. Đối với 03 thủ tục hành chính:\n\n"
                "a) Bãi bỏ thành phần hồ sơ: bản sao giấy chứng nhận đăng ký doanh nghiệp.\n\n"
                "b) Sửa đổi thời hạn giải quyết từ 15 ngày làm việc xuống còn 10 ngày làm việc.\n\n"
                "2. Đối với Sở Tư pháp:\n\n"
                "a) Rà soát các thủ tục hành chính được phân cấp, báo cáo trước ngày 15/12/2025.\n",
                units=[],
            )
        )["tasks"]
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [("a)", "Sở Tư pháp")]
    assert fired["lead.about_topic_refused"] == 1


def test_each_sentence_with_its_own_subject_is_a_task_of_its_own() -> None:
    tasks, fired = _extract(
        "Kính gửi: Chủ tịch Ủy ban nhân dân các tỉnh: Hưng Yên, Ninh Bình, Phú Thọ.\n"
        + OPINION
        + "Ủy ban nhân dân tỉnh Hưng Yên khẩn trương làm việc với các địa phương để bảo đảm nguồn cung vật liệu;\n"
        "báo cáo Thủ tướng Chính phủ kết quả trước ngày 03 tháng 12 năm 2025. Ủy ban nhân dân các tỉnh: Ninh\n"
        "Bình, Phú Thọ đẩy nhanh các thủ tục theo quy định để hỗ trợ tỉnh Hưng Yên.\n"
    )
    assert fired["task.sentence_with_own_subject"] == 1
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("Ủy ban nhân dân tỉnh Hưng Yên", "2025-12-03"),
        ("Ủy ban nhân dân các tỉnh: Ninh Bình, Phú Thọ", None),
    ]


def test_a_later_sentence_that_is_no_subject_and_verb_stays_in_its_task() -> None:
    tasks, fired = _extract(
        "Kính gửi: Bộ Xây dựng.\n"
        "Bộ Xây dựng rà soát danh mục dự án chậm tiến độ, báo cáo trước ngày 30/11/2025. Việc rà soát bảo đảm\n"
        "đúng quy định của pháp luật về đầu tư công.\n"
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [("Bộ Xây dựng", "2025-11-30")]
    assert "task.sentence_with_own_subject" not in fired


def test_the_dash_between_two_names_cut_by_the_wrap_is_no_item() -> None:
    tasks, fired = _extract(
        "Kính gửi: Bộ Xây dựng.\n"
        "Xét báo cáo về tình hình cung ứng vật liệu xây dựng cho Dự án đường bộ cao tốc Ninh Bình\n"
        "- Hải Phòng, đoạn qua Nam Định và Thái Bình, Phó Thủ tướng Chính phủ có ý kiến như sau:\n"
        "Bộ Xây dựng hướng dẫn các địa phương thủ tục cấp mỏ vật liệu, hoàn thành trước ngày 30/11/2025.\n"
    )
    assert [(task["section"], task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("", "Bộ Xây dựng", "2025-11-30")
    ]
    assert fired["segment.name_dash_cut_by_wrap"] == 1


UBND = (
    "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH\nSố: 4000/UBND-KT\n\nThành phố Hồ Chí Minh, ngày 20 tháng 11 năm 2025\n\n"
)


def test_a_list_of_units_cut_after_a_head_noun_goes_on_and_the_problems_sentence_is_cut_off() -> None:
    with counting_rules() as fired:
        tasks = to_json_dict(
            extract_text(
                UBND + "Kính gửi:\n- Sở Tài chính;\n- Sở Xây dựng.\n\n"
                "Thực hiện Nghị quyết số 66/NQ-CP của Chính phủ, Chủ tịch Ủy ban nhân dân Thành phố chỉ đạo như sau:\n"
                "1. Chấp thuận danh mục các mỏ khoáng sản có thể áp dụng cơ chế đặc thù (theo Phụ lục đính kèm).\n"
                "2. Giao Sở Tài chính, Sở\n"
                "Xây dựng và các sở, ngành liên quan triển khai thực hiện hiệu quả Nghị quyết số 66/NQ-CP đúng quy\n"
                "định. Trong quá trình thực hiện, nếu phát sinh khó khăn vướng mắc, kịp thời báo cáo Sở Xây dựng để\n"
                "tổng hợp, đề xuất Ủy ban nhân dân Thành phố.\n",
                units=[],
            )
        )["tasks"]
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [
        ("2", "Sở Tài chính, Sở Xây dựng, các sở, ngành")
    ]
    assert tasks[0]["content"].endswith("đúng quy định.")
    assert fired["segment.unit_list_cut_by_wrap"] == 1
    assert fired["task.closing_sentence_cut"] == 1


def test_a_polite_request_after_the_list_is_the_addressees_and_dates_the_work_it_hands_on() -> None:
    with counting_rules() as fired:
        tasks = to_json_dict(
            extract_text(
                BTC + "Kính gửi: Ủy ban nhân dân các tỉnh.\n"
                "Thực hiện Nghị định số 94/2022/NĐ-CP của Chính phủ, Bộ Tài chính đề nghị Ủy ban nhân dân các tỉnh:\n"
                "- Chỉ đạo các Sở, ngành đánh giá thuận lợi, khó khăn của tình hình kinh tế - xã hội quý IV;\n"
                "- Giao Thống kê tỉnh, thành phố chủ trì, phối hợp với các Sở, ngành rà soát, cập nhật số liệu của\n"
                "các ngành, lĩnh vực (chi tiết tại Phụ lục).\n"
                "Để đảm bảo thời gian tổng hợp số liệu, đề nghị Quý Ủy ban gửi báo cáo về Bộ Tài chính chậm nhất\n"
                "ngày 22/11/2025.\n",
                units=[],
            )
        )["tasks"]
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("Ủy ban nhân dân các tỉnh", "2025-11-22"),
        ("Thống kê tỉnh, thành phố", "2025-11-22"),
        ("Ủy ban nhân dân các tỉnh", "2025-11-22"),
    ]
    assert fired["segment.polite_request_after_list"] == 1
    assert fired["lead.polite_addressee"] == 1
    assert fired["lead.assign_cue_unknown_name"] == 1
    assert fired["deadline.closing_request_handed_on"] == 1


def test_a_polite_request_to_report_problems_is_no_task() -> None:
    tasks, fired = _extract(
        "Kính gửi: Các cơ quan, tổ chức trong hệ thống chính trị.\n"
        "Các cơ quan áp dụng hướng dẫn số hóa hồ sơ, tài liệu tại Phụ lục, hoàn thành trong năm 2026.\n\n"
        "Trong quá trình triển khai có gì vướng mắc, đề nghị Quý Cơ quan phản hồi về Bộ Khoa học và Công nghệ.\n"
    )
    assert [task["lead_unit"] for task in tasks] == ["Các cơ quan"]
    assert fired["task.problems_request_dropped"] == 1
