"""Plans and their annexes: the items of a plan's sections that name their content and lead in dashed fields
(``docs/extraction.md``, "Plans and their annexes")."""

from __future__ import annotations

from .passages import tasks_and_rules

HEADER = (
    "ỦY BAN NHÂN DÂN\nTỈNH HÒA BÌNH\nSố: 210/KH-UBND\n\nHòa Bình, ngày 10 tháng 11 năm 2025\n\n"
    "KẾ HOẠCH\nTriển khai thi hành Luật Thư viện\n\n"
    "I. MỤC ĐÍCH, YÊU CẦU\n1. Bảo đảm sự thống nhất trong triển khai thi hành Luật.\n\n"
)


def _extract(body: str) -> tuple[list[dict], dict[str, int]]:
    return tasks_and_rules(HEADER + body)


def test_dashed_content_and_lead_fields_make_one_task_of_the_numbered_item_above() -> None:
    tasks, fired = _extract(
        "II. NỘI DUNG\n\n"
        "1. Tổ chức tập huấn nghiệp vụ\n\n"
        "- Nội dung thực hiện: Tổ chức tập huấn cho cán bộ làm công tác thư viện.\n\n"
        "- Cơ quan thực hiện: Sở Văn hóa, Thể thao và Du lịch.\n\n"
        "- Thời gian thực hiện: Quý I năm 2026.\n\n"
        "2. Rà soát văn bản\n\n"
        "- Nội dung: Rà soát các văn bản quy phạm pháp luật có liên quan đến Luật.\n\n"
        "- Cơ quan chủ trì: Sở Tư pháp.\n\n"
        "- Thời gian thực hiện: Tháng 12 năm 2025.\n"
    )
    assert [(task["section"], task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("1", "Sở Văn hóa, Thể thao và Du lịch", "2026-03-31"),
        ("2", "Sở Tư pháp", "2025-12-31"),
    ]
    assert "tập huấn cho cán bộ" in tasks[0]["content"]
    assert fired["segment.dashed_task_field"] == 3
    assert fired["heading.kept_for_lead_fields"] == 1


def test_a_lead_field_lists_every_unit_it_names_between_semicolons() -> None:
    tasks, _fired = _extract(
        "II. NỘI DUNG KẾ HOẠCH\n\n"
        "1. Tổ chức tuyên truyền, phổ biến nội dung Luật.\n\n"
        "- Cơ quan thực hiện: Sở Tư pháp; Sở Nội vụ.\n\n"
        "- Thời gian thực hiện: Năm 2026.\n"
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [("Sở Tư pháp, Sở Nội vụ", "2026-12-31")]


def test_a_dashed_line_under_an_item_with_its_own_dashed_list_is_no_field() -> None:
    tasks, fired = _extract(
        "II. NHIỆM VỤ\n\n"
        "1. Sở Tư pháp:\n\n"
        "- Rà soát các văn bản quy phạm pháp luật có liên quan.\n\n"
        "- Nhiệm vụ: tổng hợp kết quả, báo cáo Ủy ban nhân dân tỉnh trước ngày 15/12/2025.\n"
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("Sở Tư pháp", None),
        ("Sở Tư pháp", "2025-12-15"),
    ]
    assert "segment.dashed_task_field" not in fired


IMPLEMENTATION = "IV. TỔ CHỨC THỰC HIỆN\n\n"


def test_a_class_of_bodies_at_the_end_of_a_described_group_stays_in_the_lead() -> None:
    tasks, fired = _extract(
        IMPLEMENTATION + "1. Các cơ quan, đơn vị, địa phương, doanh nghiệp căn cứ chức năng, nhiệm vụ được giao tổ "
        "chức hưởng ứng đợt thi đua, báo cáo kết quả trước ngày 15/12/2025.\n"
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("Các cơ quan, đơn vị, địa phương, doanh nghiệp", "2025-12-15")
    ]
    assert fired["name.group_with_kinds_of_bodies"] == 1  # the name reader reads the group to its last kind


def test_a_numbered_item_that_gives_work_of_its_own_before_its_dashed_items_is_a_task_too() -> None:
    tasks, fired = _extract(
        IMPLEMENTATION + "1. Sở Nội vụ căn cứ chức năng, nhiệm vụ được giao xây dựng kế hoạch triển khai đợt thi đua "
        "gắn với nhiệm vụ chính trị của tỉnh.\n\n"
        "- Giới thiệu điển hình tiên tiến trong đợt thi đua.\n\n"
        "- Báo cáo Ủy ban nhân dân tỉnh về kết quả đợt thi đua trước ngày 20/12/2025.\n"
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("Sở Nội vụ", None),
        ("Sở Nội vụ", None),
        ("Sở Nội vụ", "2025-12-20"),
    ]
    assert tasks[0]["content"].startswith("Sở Nội vụ căn cứ")
    assert fired["task.parent_with_own_work"] == 1


def test_a_numbered_item_that_only_introduces_its_dashed_items_is_no_task() -> None:
    tasks, fired = _extract(
        IMPLEMENTATION + "1. Sở Nội vụ chủ trì, phối hợp với các cơ quan liên quan thực hiện các nội dung sau.\n\n"
        "- Giới thiệu điển hình tiên tiến trong đợt thi đua.\n\n"
        "- Báo cáo Ủy ban nhân dân tỉnh về kết quả đợt thi đua.\n"
    )
    assert [task["lead_unit"] for task in tasks] == ["Sở Nội vụ", "Sở Nội vụ"]
    assert "task.parent_with_own_work" not in fired


ANNEX = (
    "\nNơi nhận:\n- Các sở, ban, ngành;\n- Lưu: VT.\n\nCHỦ TỊCH\nNguyễn Văn An\n\n"
    "PHỤ LỤC\nNHIỆM VỤ TRIỂN KHAI KẾ HOẠCH\n\n"
    "| TT | Nội dung nhiệm vụ | Cơ quan chủ trì | Thời gian thực hiện |\n"
    "| 1 | Xây dựng và triển khai Chương trình/ Đề án phát triển hạ tầng số, dữ liệu số của tỉnh "
    "| Sở Khoa học và Công nghệ | 2025 - 2030 |\n"
    "| 2 | Hỗ trợ doanh nghiệp ứng dụng công nghệ số trong quản trị sản xuất, kinh doanh "
    "| Sở Công Thương | 2026 |\n"
)


def test_an_undated_item_under_a_unit_that_an_annex_row_of_that_unit_repeats_is_proposed_once_with_its_time() -> None:
    tasks, fired = _extract(
        IMPLEMENTATION + "1. Sở Khoa học và Công nghệ\n\n"
        "- Là cơ quan thường trực, theo dõi, đôn đốc việc thực hiện Kế hoạch.\n\n"
        "- Xây dựng và triển khai các chương trình, đề án phát triển hạ tầng số, dữ liệu số của tỉnh.\n\n"
        "2. Sở Công Thương\n\n"
        "- Hỗ trợ doanh nghiệp ứng dụng công nghệ số trong quản trị sản xuất, kinh doanh.\n\n"
        "- Phối hợp với các ngành liên quan phát triển thị trường cho sản phẩm công nghệ cao.\n" + ANNEX
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("Sở Khoa học và Công nghệ", None),
        ("Sở Công Thương", None),
        ("Sở Khoa học và Công nghệ", "2030-12-31"),
        ("Sở Công Thương", "2026-12-31"),
    ]
    assert tasks[0]["content"].startswith("Là cơ quan thường trực")
    assert tasks[1]["content"].startswith("Phối hợp với các ngành")
    assert fired["task.body_repeat_of_annex_row"] == 2


def test_an_item_of_another_unit_with_the_same_words_as_an_annex_row_is_kept() -> None:
    tasks, fired = _extract(
        IMPLEMENTATION + "1. Sở Tài chính\n\n"
        "- Hỗ trợ doanh nghiệp ứng dụng công nghệ số trong quản trị sản xuất, kinh doanh.\n" + ANNEX
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("Sở Tài chính", None),
        ("Sở Khoa học và Công nghệ", "2030-12-31"),
        ("Sở Công Thương", "2026-12-31"),
    ]
    assert "task.body_repeat_of_annex_row" not in fired


def test_a_heading_naming_a_level_of_government_as_a_class_leads_its_lettered_items() -> None:
    tasks, fired = _extract(
        "II. NHIỆM VỤ, GIẢI PHÁP\n\n"
        "1. Các tỉnh,\nthành phố:\n\n"
        "a) Ban hành các chính sách hỗ trợ cần thiết theo thẩm quyền.\n\n"
        "b) Rà soát, tổng hợp thiệt hại, gửi Bộ Tài chính trước ngày 08 tháng 12 năm 2025.\n\n"
        "2. Các bộ, cơ quan trung ương, địa phương:\n\n"
        "a) Khẩn trương triển khai các giải pháp nâng cao năng lực ứng phó với thiên tai.\n"
    )
    assert [(task["section"], task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("a)", "Các tỉnh, thành phố", None),
        ("b)", "Các tỉnh, thành phố", "2025-12-08"),
        ("a)", "Các bộ, cơ quan trung ương, địa phương", None),
    ]
    assert fired["lead.class_heading"] == 2


def test_a_row_of_a_results_table_whose_progress_says_done_is_no_task() -> None:
    tasks, fired = _extract(
        "II. NHIỆM VỤ\n\n1. Các bộ hoàn thành các nhiệm vụ còn lại tại Phụ lục kèm theo.\n"
        "\nNơi nhận:\n- Các bộ;\n- Lưu: VT.\n\nCHỦ TỊCH\nNguyễn Văn An\n\n"
        "PHỤ LỤC\nKẾT QUẢ THỰC HIỆN NHIỆM VỤ\n\n"
        "| STT | Tên nhiệm vụ | Đơn vị chủ trì | Thời hạn | Kết quả thực hiện | Tiến độ |\n"
        "| 1 | Xây dựng bộ chỉ số đánh giá | Sở Nội vụ | 31/10/2025 | Đã trình tại Tờ trình số 12 | "
        "Đã hoàn thành quá hạn |\n"
        "| 2 | Số hóa hồ sơ lưu trữ | Sở Nội vụ | 30/11/2025 | Đã số hóa 60 % hồ sơ | Đang thực hiện |\n"
        "| 3 | Ban hành quy chế phối hợp | Sở Tư pháp | 15/11/2025 | Đã ban hành | Đã hoàn thành |\n"
    )
    assert [(task["lead_unit"], task["deadline"]) for task in tasks][-1:] == [("Sở Nội vụ", "2025-11-30")]
    assert all("chỉ số" not in task["content"] and "quy chế" not in task["content"] for task in tasks)
    assert fired["table.done_row_skipped"] == 2
