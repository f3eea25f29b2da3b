"""Names of bodies and people the name reader reads as leads: heads written with a capital only, a body named with
the body that owns it, a field in lower case after a head, members of the Government by title and name."""

from __future__ import annotations

from cchc.extraction import extract_text, to_json_dict
from cchc.extraction.names import leader_span, unknown_name_end
from cchc.extraction.text_view import TextView
from tests.extraction.passages import name_at_start, units_at_start

_name = name_at_start
_leads = units_at_start


def _extracted_leads(text: str) -> list[str]:
    return [task["lead_unit"] for task in to_json_dict(extract_text(text))["tasks"]]


def test_a_corporation_is_read_by_its_capitalised_head_with_a_dash_in_its_name() -> None:
    assert _leads("Tập đoàn Điện lực - Năng lượng Miền Nam, Tập đoàn Dầu khí Quốc gia chủ trì tổ chức") == [
        "Tập đoàn Điện lực - Năng lượng Miền Nam",
        "Tập đoàn Dầu khí Quốc gia",
    ]


def test_a_capitalised_syllable_of_a_word_is_not_read_as_a_level() -> None:
    assert _name("Tập đoàn Xây dựng Quân đội chủ trì") == "Tập đoàn Xây dựng Quân đội"


def test_a_head_written_in_lower_case_is_a_common_word() -> None:
    text = "Các tập đoàn kinh tế nhà nước chủ trì"
    assert unknown_name_end(TextView(text), text.index("tập")) is None


def test_a_committee_of_the_national_assembly_ends_with_the_body_that_owns_it() -> None:
    assert _leads("Ủy ban Pháp luật của Quốc hội, Hội đồng Dân tộc của Quốc hội thẩm tra hồ sơ") == [
        "Ủy ban Pháp luật của Quốc hội",
        "Hội đồng Dân tộc của Quốc hội",
    ]


def test_a_committee_keeps_the_front_it_belongs_to() -> None:
    assert _name("Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam vận động ủng hộ") == (
        "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam"
    )


def test_an_alliance_of_cooperatives_is_a_name() -> None:
    assert _name("Liên minh Hợp tác xã tỉnh hỗ trợ") is not None


def test_a_council_whose_field_is_also_a_verb_is_read_when_the_field_follows_the_head() -> None:
    assert _name("Hội đồng thẩm định Nhà nước thẩm định hồ sơ dự án") == "Hội đồng thẩm định Nhà nước"


def test_a_body_named_by_a_head_and_a_lower_case_field_leads_its_sentence() -> None:
    assert _name("Cơ quan thanh tra khẩn trương ban hành kết luận") == "Cơ quan thanh tra"


def test_a_one_word_head_takes_no_lower_case_verb_after_it() -> None:
    assert _name("Sở kiểm tra lại hồ sơ") is None


def test_a_deputy_prime_minister_is_read_with_his_name() -> None:
    text = "Giao Phó Thủ tướng Chính phủ Nguyễn Văn An chỉ đạo các địa phương"
    span = leader_span(TextView(text), text.index("Phó"))
    assert span is not None and text[span[0] : span[1]] == "Phó Thủ tướng Chính phủ Nguyễn Văn An"


def test_a_named_deputy_prime_minister_and_the_others_are_two_leads() -> None:
    assert _leads("Phó Thủ tướng Lê Văn Bình và các Phó Thủ tướng theo nhiệm vụ được phân công chỉ đạo") == [
        "Phó Thủ tướng Lê Văn Bình",
        "các Phó Thủ tướng",
    ]


def test_the_deputy_prime_ministers_addressed_as_comrades_lead_by_their_title() -> None:
    assert _leads("các đồng chí Phó Thủ tướng Chính phủ theo dõi tình hình") == ["Phó Thủ tướng Chính phủ"]


def test_a_title_in_lower_case_names_no_leader() -> None:
    assert leader_span(TextView("phó thủ tướng chỉ đạo"), 0) is None


def test_an_item_assigned_to_a_named_deputy_prime_minister_is_his_task() -> None:
    text = (
        "CÔNG ĐIỆN\n\n"
        "1. Giao Phó Thủ tướng Chính phủ Nguyễn Văn An chỉ đạo các bộ, ngành khắc phục hậu quả mưa lũ.\n"
        "2. Bộ Tài chính bố trí kinh phí trước ngày 15/12/2025.\n"
    )
    assert "Phó Thủ tướng Chính phủ Nguyễn Văn An" in _extracted_leads(text)


def test_the_heads_of_several_kinds_of_bodies_lead_as_written_with_their_titles() -> None:
    leads = _leads(
        "Bộ trưởng, Thủ trưởng cơ quan ngang bộ, cơ quan trực thuộc Chính phủ, Chủ tịch Ủy ban nhân dân các tỉnh "
        "chủ trì rà soát"
    )
    assert leads[0] == "Bộ trưởng, Thủ trưởng cơ quan ngang bộ, cơ quan trực thuộc Chính phủ"
    assert leads[1:] == ["Ủy ban nhân dân các tỉnh"]


def test_a_title_before_its_own_ministry_is_not_a_chain_of_titles() -> None:
    assert _leads("Bộ trưởng Bộ Xây dựng chủ trì") == ["Bộ Xây dựng"]


def test_an_items_deadline_field_dates_each_sentence_with_its_own_subject() -> None:
    text = (
        "CÔNG ĐIỆN\n\n"
        "1. Bộ Tài chính khẩn trương rà soát các dự án tồn đọng theo hướng dẫn. "
        "Bộ Xây dựng khẩn trương hoàn thành việc phân loại các dự án. Thời hạn hoàn thành: trước ngày 30/11/2025.\n"
        "2. Bộ Công an phối hợp kiểm tra.\n"
    )
    tasks = to_json_dict(extract_text(text))["tasks"]
    dated = {task["lead_unit"]: task["deadline"] for task in tasks}
    assert dated.get("Bộ Tài chính") == "2025-11-30"
    assert dated.get("Bộ Xây dựng") == "2025-11-30"


def test_a_described_group_goes_on_with_kinds_of_bodies_after_a_comma() -> None:
    assert _leads("UBND các xã, phường; các đơn vị, cơ sở giáo dục trực thuộc thực hiện nghiêm túc") == [
        "UBND các xã, phường",
        "các đơn vị, cơ sở giáo dục trực thuộc",
    ]


def test_a_group_of_bodies_with_businesses_is_one_lead() -> None:
    assert _leads("Các cơ quan, đơn vị, địa phương, doanh nghiệp tổ chức phát động phong trào") == [
        "Các cơ quan, đơn vị, địa phương, doanh nghiệp"
    ]


def test_a_group_under_a_named_owner_keeps_its_owner() -> None:
    assert _leads("các đơn vị trực thuộc Sở Y tế thực hiện") == ["các đơn vị trực thuộc Sở Y tế"]


def test_a_provincial_tax_office_is_read_with_its_level_and_place() -> None:
    assert _name("Thuế tỉnh Quảng Trị hướng dẫn doanh nghiệp") == "Thuế tỉnh Quảng Trị"


def test_a_tax_office_named_by_its_province_alone_is_read() -> None:
    assert _name("Thuế Bình Dương thực hiện") == "Thuế Bình Dương"


def test_a_tax_named_in_a_table_is_no_office() -> None:
    assert _name("Thuế tài nguyên Thu theo sản lượng") is None
    assert _name("Thuế GTGT thu theo tháng") is None
    assert _name("Thuế Thu nhập cá nhân") is None


def test_a_branch_written_in_lower_case_with_its_numbered_region_is_part_of_the_name() -> None:
    assert _name("Ngân hàng Nhà nước chi nhánh khu vực 9 chỉ đạo các ngân hàng") == (
        "Ngân hàng Nhà nước chi nhánh khu vực 9"
    )


def test_a_text_that_ends_with_an_honorific_or_a_plural_word_is_read_without_error() -> None:
    for text in ("các", "Kính gửi các đồng chí", "đồng chí"):
        assert leader_span(TextView(text), text.rindex(text.split()[-1])) is None
        assert leader_span(TextView(text), 0) is None
    letter = "Kính gửi: Sở Nội vụ, các\n\nĐề nghị Sở Nội vụ báo cáo trước ngày 15/12/2025."
    assert _extracted_leads(letter) == ["Sở Nội vụ"]
