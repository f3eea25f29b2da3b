"""Whole lead names and whole joint lists of leads: classes of bodies with what describes them, members after a colon,
bodies named with a level word, headings that ask a class of bodies, and leads without their manner or annex pointer."""

from __future__ import annotations

from typing import Any

from cchc.extraction.core import _follows_as_subject
from cchc.lib.dates import fold_aligned
from tests.extraction.passages import name_at_start, tasks_and_rules, units_at_start

HEADER = "UBND TỈNH LAI CHÂU\nSỞ NỘI VỤ\nSố: 12/SNV-CCHC\nLai Châu, ngày 01 tháng 10 năm 2025\n\n"


_units = units_at_start
_name = name_at_start


def _tasks(body: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    return tasks_and_rules(HEADER + body)


def test_a_class_of_bodies_is_read_with_the_noun_and_the_owner_that_describe_it() -> None:
    assert _units("Bộ Tư pháp, các cơ quan báo chí của Trung ương tuyên truyền sâu rộng") == [
        "Bộ Tư pháp",
        "các cơ quan báo chí của Trung ương",
    ]


def test_member_organisations_of_a_front_are_one_class_of_the_list() -> None:
    assert _units("Ủy ban Mặt trận Tổ quốc tỉnh và các tổ chức thành viên, Hội Chữ thập đỏ tỉnh vận động") == [
        "Ủy ban Mặt trận Tổ quốc tỉnh",
        "các tổ chức thành viên",
        "Hội Chữ thập đỏ tỉnh",
    ]


def test_a_class_of_bodies_goes_on_a_list_already_begun() -> None:
    tasks, fired = _tasks("1. Sở Xây dựng, các nhà thầu và các đơn vị liên quan khẩn trương hoàn thiện hồ sơ.\n")
    assert [task["lead_unit"] for task in tasks] == ["Sở Xây dựng, các nhà thầu, các đơn vị liên quan"]
    assert fired["name.class_of_bodies_in_list"] == 1


def test_a_sector_noun_does_not_open_a_list_of_its_own() -> None:
    assert _units("các ngành hàng chủ lực của tỉnh") == []


def test_members_after_a_colon_set_apart_by_semicolons_are_one_lead() -> None:
    tasks, fired = _tasks("2. Đề nghị các Bộ: Tài chính; Tư pháp; Nội vụ rà soát các quy định có liên quan.\n")
    assert [task["lead_unit"] for task in tasks] == ["các Bộ: Tài chính; Tư pháp; Nội vụ"]
    assert fired["name.list_after_head_semicolons"] == 2


def test_a_list_of_members_with_commas_ends_at_a_semicolon() -> None:
    assert _units("các Bộ: Tài chính, Tư pháp; Tổ chức tập huấn") == ["các Bộ: Tài chính, Tư pháp"]


def test_the_standing_body_of_a_numbered_committee_is_part_of_the_name() -> None:
    assert (
        _name("Bộ Công Thương - Cơ quan Thường trực Ban Chỉ đạo 389 chủ trì")
        == "Bộ Công Thương - Cơ quan Thường trực Ban Chỉ đạo 389"
    )


def test_bodies_named_with_a_level_word_are_each_read_to_it() -> None:
    assert _units("Liên minh Hợp tác xã tỉnh, Đoàn TNCS Hồ Chí Minh tỉnh, Hiệp hội doanh nghiệp tỉnh phối hợp") == [
        "Liên minh Hợp tác xã tỉnh",
        "Đoàn TNCS Hồ Chí Minh tỉnh",
        "Hiệp hội doanh nghiệp tỉnh",
    ]


def test_the_office_of_the_state_president_is_read_whole() -> None:
    assert _units("Văn phòng Quốc hội, Văn phòng Chủ tịch nước, Văn phòng Chính phủ") == [
        "Văn phòng Quốc hội",
        "Văn phòng Chủ tịch nước",
        "Văn phòng Chính phủ",
    ]


def test_a_paragraph_of_names_alone_leads_the_items_after_it() -> None:
    tasks, fired = _tasks(
        "5. Đề nghị\nHội Cựu chiến binh tỉnh, Đoàn TNCS Hồ Chí Minh tỉnh\n\n"
        "- Tuyên truyền, vận động hội viên tham gia phong trào.\n\n"
        "- Phối hợp tổ chức các hoạt động tình nguyện trong năm 2026.\n"
    )
    assert [task["lead_unit"] for task in tasks] == ["Hội Cựu chiến binh tỉnh, Đoàn TNCS Hồ Chí Minh tỉnh"] * 2
    assert fired["lead_in.names_alone"] == 1


def test_a_heading_that_asks_a_class_of_bodies_names_it_as_written() -> None:
    tasks, fired = _tasks(
        "3. Đề nghị các doanh nghiệp viễn thông trên địa bàn tỉnh\n"
        "a) Bảo đảm thông tin liên lạc thông suốt trong mùa mưa bão.\n"
        "b) Báo cáo kết quả về Sở Khoa học và Công nghệ trước ngày 15/12/2025.\n"
    )
    assert {task["lead_unit"] for task in tasks} == {"các doanh nghiệp viễn thông trên địa bàn tỉnh"}
    assert fired["lead.class_heading_after_cue"] == 1


def test_a_lead_field_is_read_without_the_manner_it_ends_with() -> None:
    tasks, fired = _tasks(
        "1. Rà soát các thủ tục hành chính.\n- Cơ quan thực hiện: Các sở, ngành theo chức năng, nhiệm vụ được giao.\n"
    )
    assert [task["lead_unit"] for task in tasks] == ["Các sở, ngành"]
    assert fired["lead.manner_dropped"] == 1


def test_a_heading_about_a_class_is_read_without_its_pointer_to_the_annex() -> None:
    tasks, fired = _tasks(
        "2. Đối với các cơ sở sản xuất gạch thủ công (theo danh sách tại Phụ lục kèm theo):\n"
        "- Dừng đốt lò trong những ngày ô nhiễm không khí ở mức xấu.\n"
    )
    assert [task["lead_unit"] for task in tasks] == ["các cơ sở sản xuất gạch thủ công"]
    assert fired["lead.list_reference_dropped"] == 1


def test_a_purpose_after_a_list_of_units_is_not_its_verb() -> None:
    folded = fold_aligned("Sở Y tế, Sở Xây dựng để thực hiện các giải pháp")
    assert not _follows_as_subject(folded, len("Sở Y tế, Sở Xây dựng"))
    folded = fold_aligned("Sở Y tế đề xuất các giải pháp")
    assert _follows_as_subject(folded, len("Sở Y tế"))


def test_a_later_sentence_whose_subjects_go_on_with_classes_names_them_all() -> None:
    tasks, _fired = _tasks(
        "1. Mưa lũ vừa qua vượt mức lịch sử. Sở Nông nghiệp và Môi trường, các ngành, các địa phương cần khảo "
        "sát, đánh dấu mốc lũ mới.\n"
    )
    assert [task["lead_unit"] for task in tasks] == ["Sở Nông nghiệp và Môi trường, các ngành, các địa phương"]


def test_the_last_word_of_a_heading_name_wrapped_alone_stays_in_the_name() -> None:
    tasks, fired = _tasks("6. Sở Ngoại\nVụ\n- Thẩm định hồ sơ đoàn ra, đoàn vào của tỉnh.\n")
    assert [task["lead_unit"] for task in tasks] == ["Sở Ngoại Vụ"]
    assert fired["segment.name_tail_cut_by_wrap"] == 1


def test_a_class_of_bodies_right_before_a_verb_is_the_subject() -> None:
    tasks, fired = _tasks("2. Các ngân hàng thương mại phối hợp mở tài khoản cho người hưởng trợ cấp.\n")
    assert [task["lead_unit"] for task in tasks] == ["Các ngân hàng thương mại"]
    assert fired["lead.class_subject"] == 1


def test_a_class_of_bodies_after_a_cue_is_asked_as_written() -> None:
    tasks, _fired = _tasks("3. Đề nghị các cơ sở đào tạo gửi báo cáo tuyển sinh trước ngày 20/12/2025.\n")
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [("các cơ sở đào tạo", "2025-12-20")]


def test_a_class_of_bodies_not_followed_by_a_verb_names_no_one() -> None:
    tasks, fired = _tasks("4. Các cơ sở vật chất của nhà trường cần được nâng cấp.\n")
    assert [task["lead_unit"] for task in tasks] == []
    assert "lead.class_subject" not in fired
