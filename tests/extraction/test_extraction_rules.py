"""Extraction rules met in real directives: copied headers, tables, groups, deadlines and who is speaking."""

from __future__ import annotations

import datetime

from cchc.extraction import extract_text, to_json_dict
from cchc.lib.dates import parse_deadline

HEADER = "UBND TỈNH LAI CHÂU\nSỞ NỘI VỤ\nSố: 12/SNV-CCHC\nLai Châu, ngày 01 tháng 10 năm 2025\n\n"


def _result(text: str) -> dict:
    return to_json_dict(extract_text(text, units=[]))


def _tasks(body: str) -> list[tuple[str, str | None, str | None]]:
    return [(task["section"], task["lead_unit"], task["deadline"]) for task in _result(HEADER + body)["tasks"]]


LAW_LIBRARY_COPY = """ỦY
BAN NHÂN DÂN
TỈNH HÀ TĨNH
-------
|
CỘNG
HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------
|
Số:
215/KH-UBND
|
Hà
Tĩnh, ngày 14 tháng 3
năm 2025
|
KẾ HOẠCH
NÂNG
CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CỦA TỈNH NĂM 2025
I. NHIỆM VỤ
1. Sở Nội vụ tổ chức điều tra xã hội học phục vụ xác định Chỉ số CCHC năm 2025, hoàn
thành trước ngày 15/11/2025.
2. UBND các huyện, thành phố, thị xã
- Kiện toàn Bộ phận Một cửa cấp huyện, cấp xã trước ngày 30/6/2025.
II. TỔ CHỨC THỰC HIỆN
Thủ trưởng các sở, ban, ngành, Chủ tịch UBND các huyện, thành phố, thị xã báo
cáo kết quả thực hiện về Sở Nội vụ trước ngày 10/12/2025 để tổng hợp.
Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị báo
cáo UBND tỉnh (qua Sở Nội vụ) để xem xét, giải quyết./.
|
Nơi nhận:
- Lưu: VT, NC.
|
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Hồng Lĩnh
"""


def test_a_directive_copied_from_a_law_library_with_its_header_table_flattened_is_read() -> None:
    result = _result(LAW_LIBRARY_COPY)
    assert result["reference"] == "215/KH-UBND"
    assert result["date"] == "2025-03-14"
    assert result["issuer"] == "Ủy ban nhân dân tỉnh Hà Tĩnh"
    assert result["subject"] == "NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CỦA TỈNH NĂM 2025"
    assert result["signer"] == "Nguyễn Hồng Lĩnh"
    assert [(task["section"], task["lead_unit"], task["deadline"]) for task in result["tasks"]] == [
        ("1", "Sở Nội vụ", "2025-11-15"),
        ("2", "UBND các huyện, thành phố, thị xã", "2025-06-30"),
        ("II", "các sở, ban, ngành, UBND các huyện, thành phố, thị xã", "2025-12-10"),
    ]


def test_a_task_table_keeps_wrapped_cells_in_their_row_and_goes_on_after_a_page_break() -> None:
    body = "\n".join(
        [
            "II. NHIỆM VỤ",
            "STT | Nội dung | Cơ quan chủ trì | Thời gian hoàn thành | Sản phẩm",
            "I | Cải cách thể chế | | |",
            "1 | Rà soát văn bản do UBND phường ban hành | Văn phòng HĐND và UBND phường | Quý I/2026 | Báo cáo",
            "| không còn phù hợp | | | kết quả",
            "2 | Số hóa hồ sơ | Trung tâm Phục vụ hành chính công phường | Đợt 1: trước ngày 15/3/2026; | Kho",
            "dữ liệu",
            "| | | Đợt 2: Quý III/2026 |",
            "",
            "3",
            "",
            "II | Cải cách tài chính công | | |",
            "1 | Ban hành Quy chế chi tiêu nội bộ | Phòng Kinh tế, Hạ tầng và Đô thị | Trước ngày 31/01/2026 | Quy chế",
        ]
    )
    result = _result(HEADER + body)
    assert [(task["section"], task["lead_unit"], task["deadline"]) for task in result["tasks"]] == [
        ("I.1", "Văn phòng HĐND và UBND phường", "2026-03-31"),
        ("I.2", "Trung tâm Phục vụ hành chính công phường", "2026-09-30"),
        ("II.1", "Phòng Kinh tế, Hạ tầng và Đô thị", "2026-01-31"),
    ]
    assert result["tasks"][0]["content"] == "Rà soát văn bản do UBND phường ban hành không còn phù hợp"


def test_wards_named_after_a_group_are_each_a_lead() -> None:
    [task] = _tasks("1. UBND các phường Quy Nhơn, Quy Nhơn Đông và Pleiku bố trí thêm quầy trước ngày 01/12/2025.")
    assert task[1] == "UBND phường Quy Nhơn, UBND phường Quy Nhơn Đông, UBND phường Pleiku"


def test_a_group_keeps_the_qualifier_that_says_which_of_its_members_lead() -> None:
    tasks = _tasks(
        "1. Các sở, ngành được giao chủ trì soạn thảo văn bản quy phạm pháp luật bảo đảm chất lượng thẩm định.\n"
        "2. Đề nghị các sở, ban, ngành thuộc đối tượng kiểm tra chuẩn bị báo cáo trước ngày 15/4/2026."
    )
    assert tasks == [
        ("1", "Các sở, ngành được giao chủ trì soạn thảo văn bản quy phạm pháp luật", None),
        ("2", "các sở, ban, ngành thuộc đối tượng kiểm tra", "2026-04-15"),
    ]


def test_the_issuer_announcing_its_conclusions_is_not_the_lead_of_the_items() -> None:
    tasks = _tasks(
        "Sau khi nghe báo cáo của Văn phòng UBND tỉnh, Phó Chủ tịch UBND tỉnh kết luận như sau:\n"
        "(1) Rà soát thủ tục hành chính, xong trước 31/3/2026.\n"
        "(2) Trong tháng 12/2025, Sở Khoa học và Công nghệ nâng cấp Hệ thống."
    )
    # "(1)" names nobody, so it is not proposed; the speaker leads neither item.
    assert tasks == [("(2)", "Sở Khoa học và Công nghệ", "2025-12-31")]


def test_a_heading_that_asks_a_chairman_assigns_the_items_under_it() -> None:
    tasks = _tasks("5. Yêu cầu Chủ tịch UBND các xã, phường:\n- Trực tiếp chỉ đạo giải quyết hồ sơ quá hạn.")
    assert tasks == [("5", "UBND các xã, phường", None)]


def test_a_lead_in_gives_its_items_only_the_deadline_of_its_own_last_sentence() -> None:
    tasks = _tasks(
        "Đến hết Quý III/2025, vẫn còn 14 xã chưa ban hành kế hoạch. Sở Nội vụ đề nghị Phòng Cải cách hành chính "
        "triển khai một số nội dung sau:\n1. Rà soát, ban hành kế hoạch cải cách hành chính của cơ quan, đơn vị mình."
    )
    assert tasks == [("1", "Phòng Cải cách hành chính", None)]


def test_a_topic_heading_naming_a_year_sets_no_deadline_but_a_schedule_heading_does() -> None:
    tasks = _tasks(
        "1. Về chấm điểm Chỉ số cải cách hành chính năm 2025\na) Sở Tư pháp rà soát tiêu chí.\n"
        "2. Nhiệm vụ 6 tháng cuối năm 2025\na) Sở Tài chính bố trí kinh phí."
    )
    assert tasks == [("a)", "Sở Tư pháp", None), ("a)", "Sở Tài chính", "2025-12-31")]


def test_a_measure_in_force_from_a_day_falls_due_that_day_unless_a_deadline_is_stated() -> None:
    on = datetime.date(2025, 11, 5)
    assert parse_deadline("không thu tiền mặt, kể từ ngày 01/12/2025.", reference=on).due == datetime.date(2025, 12, 1)
    stated = parse_deadline("hoàn thành trước ngày 15/12/2025, kể từ ngày 01/12/2025", reference=on)
    assert stated.due == datetime.date(2025, 12, 15)
    ranged = parse_deadline("số liệu tính từ ngày 15/12/2024 đến ngày 30/11/2025", reference=on)
    assert ranged.due == datetime.date(2025, 11, 30)


def test_two_periods_joined_fall_due_at_the_later_one() -> None:
    deadline = parse_deadline("kiểm tra trong Quý II và Quý III năm 2026.", reference=datetime.date(2026, 1, 5))
    assert deadline.due == datetime.date(2026, 9, 30)


def test_a_rhythm_that_closes_a_reporting_clause_is_the_tasks_rhythm() -> None:
    assert str(parse_deadline("tham mưu báo cáo UBND tỉnh và Bộ Nội vụ hàng năm.").recurrence) == "yearly"
    assert str(parse_deadline("để thấy rõ tầm quan trọng của chỉ số CCHC hằng năm.").recurrence) == ""


def test_a_negated_request_assigns_nothing_to_the_people_named_after_it() -> None:
    [task] = _tasks("(3) Từ ngày 01/01/2026, các cơ quan, đơn vị không yêu cầu người dân nộp bản sao giấy tờ.")
    assert task == ("(3)", "các cơ quan, đơn vị", "2026-01-01")


def test_the_sentence_issuing_a_plan_gives_its_span_to_none_of_the_items() -> None:
    body = (
        "Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện lộ trình đổi mới công nghệ đến năm 2035 như sau:\n"
        "I. TỔ CHỨC THỰC HIỆN\n"
        "1. Sở Khoa học và Công nghệ chủ trì xây dựng chương trình hỗ trợ doanh nghiệp đổi mới công nghệ.\n"
        "2. Sở Tài chính tham mưu bố trí kinh phí thực hiện Kế hoạch, hoàn thành trước ngày 30/12/2025.\n"
    )
    assert _tasks(body) == [
        ("1", "Sở Khoa học và Công nghệ", None),
        ("2", "Sở Tài chính", "2025-12-30"),
    ]
