"""Extraction without a unit registry: names read by their shape, and the rules that find subjects and non-tasks."""

from __future__ import annotations

import pytest

from cchc.extraction import extract_text, to_json_dict
from cchc.extraction.evaluation import score_pairs
from cchc.extraction.names import unknown_name_end
from cchc.extraction.text_view import TextView
from cchc.lib.dates import Recurrence, parse_deadline
from tests.extraction.labelled import documents


def _name(text: str, start: int = 0) -> str | None:
    end = unknown_name_end(TextView(text), start)
    return text[start:end] if end is not None else None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Phòng Tư pháp hoàn thành việc rà soát", "Phòng Tư pháp"),
        ("Phòng Tài chính - Kế hoạch phối hợp với", "Phòng Tài chính - Kế hoạch"),
        ("Sở Khoa học và Công nghệ hoàn thiện", "Sở Khoa học và Công nghệ"),
        ("Sở Văn hóa, Thể thao và Du lịch chủ trì", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Sở Nội vụ, Sở Tư pháp và UBND các xã", "Sở Nội vụ"),
        ("Văn phòng HĐND và UBND huyện chủ trì", "Văn phòng HĐND và UBND huyện"),
        ("Văn phòng HĐND-UBND huyện:", "Văn phòng HĐND-UBND huyện"),
        ("UBND huyện Đoan Hùng chỉ đạo", "UBND huyện Đoan Hùng"),
        ("Ủy ban nhân dân tỉnh Lai Châu giao", "Ủy ban nhân dân tỉnh Lai Châu"),
        ("Ủy ban MTTQ Việt Nam tỉnh phối hợp", "Ủy ban MTTQ Việt Nam tỉnh"),
        ("Công an tỉnh chỉ đạo", "Công an tỉnh"),
        ("Trung tâm Phục vụ hành chính công tỉnh thực hiện", "Trung tâm Phục vụ hành chính công tỉnh"),
        ("Phòng Kinh tế, Hạ tầng và Đô thị có trách nhiệm", "Phòng Kinh tế, Hạ tầng và Đô thị"),
        ("Phòng Lao động - Thương binh và Xã hội tham mưu", "Phòng Lao động - Thương binh và Xã hội"),
        ("Sở Y tế có trách nhiệm", "Sở Y tế"),
        ("Kho bạc Nhà nước khu vực IX", "Kho bạc Nhà nước khu vực IX"),
        ("UBND xã Tân Phong, Phòng Kinh tế", "UBND xã Tân Phong"),
        ("Phòng Văn hóa - Xã hội phường", "Phòng Văn hóa - Xã hội phường"),
        ("Trang thông tin điện tử huyện đăng tải", "Trang thông tin điện tử huyện"),
        ("Đài Phát thanh và Truyền hình tỉnh", "Đài Phát thanh và Truyền hình tỉnh"),
        ("Phòng Nội vụ tổng hợp kết quả", "Phòng Nội vụ"),
        ("Phòng Tổng hợp, Văn phòng UBND tỉnh", "Phòng Tổng hợp"),
        ("Phòng Hành chính - Tổ chức theo dõi", "Phòng Hành chính - Tổ chức"),
        ("Sở Khoa học và Công nghệ khẩn trương kết nối", "Sở Khoa học và Công nghệ"),
        ("phòng Hành chính - Tổ chức chủ trì", "phòng Hành chính - Tổ chức"),
        ("phong tai chinh - ke hoach phoi hop", "phong tai chinh - ke hoach"),
        ("Phong tai chinh — Ké hoach huyén: Tham muu", "Phong tai chinh — Ké hoach huyén"),
        ("SỞ NỘI VỤ", "SỞ NỘI VỤ"),
    ],
)
def test_a_unit_name_missing_from_the_registry_is_read_to_where_the_sentence_goes_on(text: str, name: str) -> None:
    assert _name(text) == name


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("số 15/KH-UBND ngày 10/3/2025", 0),
        ("Ban hành kế hoạch thực hiện", 0),
        ("TỔ CHỨC THỰC HIỆN", 0),
        ("Bố trí phòng họp trực tuyến", 7),
        ("Gửi văn bản về Sở trước ngày 10/12", 15),
    ],
)
def test_words_that_only_look_like_a_unit_are_not_read_as_one(text: str, start: int) -> None:
    assert _name(text, start) is None


def _tasks(body: str) -> list[dict]:
    text = "UBND TỈNH LAI CHÂU\nSỞ NỘI VỤ\nSố: 12/SNV-CCHC\nLai Châu, ngày 01 tháng 10 năm 2025\n\n" + body
    return to_json_dict(extract_text(text, units=[]))["tasks"]


def test_a_subject_after_an_opening_phrase_of_time_leads_the_item() -> None:
    [task] = _tasks("a) Từ tháng 10/2025, UBND các xã, phường cập nhật số liệu trước ngày 25 hằng tháng.")
    assert task["lead_unit"] == "UBND các xã, phường"
    assert task["recurrence"] == "monthly"


def test_a_described_group_that_is_the_subject_leads_the_item_with_its_qualifier() -> None:
    [task] = _tasks(
        "1. Thủ trưởng các cơ quan, đơn vị được giao chủ trì tại mục II xây dựng lịch thực hiện, "
        "gửi Sở Nội vụ trước ngày 30/10/2025."
    )
    assert task["lead_unit"] == "Thủ trưởng các cơ quan, đơn vị được giao chủ trì tại mục II"
    assert task["deadline"] == "2025-10-30"


def test_a_described_group_in_passing_does_not_lead_and_an_item_without_a_lead_is_not_proposed() -> None:
    assert _tasks("1. Tuyên truyền cho các cơ quan, đơn vị về kết quả Chỉ số CCHC, xong trước ngày 30/10/2025.") == []


def test_capital_letter_sections_hold_items_and_a_plain_paragraph_under_them_is_a_task() -> None:
    tasks = _tasks(
        "A. VỀ CHẾ ĐỘ BÁO CÁO\n\na) Sở Tư pháp rà soát thủ tục, hoàn thành trong quý IV/2025.\n\n"
        "B. TỔ CHỨC THỰC HIỆN\n\nPhòng Cải cách hành chính có trách nhiệm theo dõi, báo cáo trong tháng 02/2026.\n\n"
        "Đầu mối liên hệ: Phòng Cải cách hành chính, Sở Nội vụ, số điện thoại 0213.3876.000.\n\n"
        "Sở Nội vụ đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./."
    )
    assert [(task["section"], task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("a)", "Sở Tư pháp", "2025-12-31"),
        ("B", "Phòng Cải cách hành chính", "2026-02-28"),
    ]


def test_an_assessment_in_a_conclusion_is_not_a_task() -> None:
    tasks = _tasks(
        "I. Cơ bản thống nhất với báo cáo của Sở Nội vụ. Sau 4 tháng vận hành, bộ máy đã đi vào nền nếp.\n\n"
        "II. Giao Sở Tài chính bố trí kinh phí trước ngày 31/12/2025."
    )
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [("II", "Sở Tài chính")]


def test_a_report_sent_with_the_quarterly_report_is_quarterly() -> None:
    deadline = parse_deadline("gửi Sở Nội vụ cùng kỳ với báo cáo quý")
    assert deadline.recurrence == Recurrence.QUARTERLY


def test_the_labelled_directives_reach_the_target_without_any_unit_registry() -> None:
    measured = [document for document in documents() if document.split in {"tuning", "held_out"}]
    pairs = None
    for document in measured:
        result = to_json_dict(extract_text(document.text, units=[]))
        score = score_pairs(document.expected["tasks"], result["tasks"])
        pairs = score if pairs is None else pairs + score
    assert pairs is not None
    assert pairs.f1 >= 0.9


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Ban Chỉ huy Bộ đội Biên phòng thành phố: chỉ đạo", "Ban Chỉ huy Bộ đội Biên phòng thành phố"),
        ("Chi cục Hải quan khu vực XIX tăng cường", "Chi cục Hải quan khu vực XIX"),
        ("Trung tâm Xúc tiến đầu tư, thương mại và du lịch:", "Trung tâm Xúc tiến đầu tư, thương mại và du lịch"),
        ("Văn phòng Ban chỉ đạo phòng thủ dân sự quốc gia theo dõi", "Văn phòng Ban chỉ đạo phòng thủ dân sự quốc gia"),
        ("Văn phòng Thường trực Ban Chỉ đạo 389 quốc gia tăng cường", "Văn phòng Thường trực Ban Chỉ đạo 389 quốc gia"),
        ("Ban Tuyên giáo và Dân vận Thành ủy: chỉ đạo", "Ban Tuyên giáo và Dân vận Thành ủy"),
        ("Ban Chỉ huy Phòng thủ dân sự cấp tỉnh, cấp xã rà soát", "Ban Chỉ huy Phòng thủ dân sự cấp tỉnh, cấp xã"),
        ("Công ty Cổ phần Công trình Đô thị Long Biên", "Công ty Cổ phần Công trình Đô thị Long Biên"),
        ("Phòng Tư pháp biên soạn tài liệu", "Phòng Tư pháp"),
    ],
)
def test_a_name_goes_on_through_its_fields_levels_and_the_committee_it_belongs_to(text: str, name: str) -> None:
    assert _name(text) == name


def test_a_word_folded_like_a_head_noun_but_spelt_otherwise_opens_no_name() -> None:
    assert _name("Đổi mới mạnh mẽ nội dung truyền thông") is None
    assert _name("Đội Kiểm tra liên ngành thực hiện") == "Đội Kiểm tra"
    assert _name("So Noi vu thuc hien") == "So Noi vu"
