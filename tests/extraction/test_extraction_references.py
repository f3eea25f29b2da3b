"""Work a directive gives by pointing elsewhere: to sections of its plan, to its annex; and leads written after a
fronted phrase or after a cue inside an "Đối với …" item."""

from __future__ import annotations

from cchc.extraction import extract_text, to_json_dict
from cchc.extraction.cell_tables import column_kind
from cchc.extraction.cross_references import referenced_paths

PLAN_HEADER = (
    "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM\nSố: 21/KH-UBND\nThử Nghiệm, ngày 01 tháng 10 năm 2025\n"
    "KẾ HOẠCH\nPhát triển kinh tế số năm 2026\n\n"
)

PLAN = """I. PHÁT TRIỂN CÁC NGÀNH
1. Nông nghiệp
Phát triển nông nghiệp số toàn diện trong toàn bộ chuỗi giá trị.
a) Xây dựng nền tảng dữ liệu số nông nghiệp của tỉnh.
b) Tập huấn kỹ năng số cho nông dân và hợp tác xã.
2. Du lịch
2.1. Du lịch số
a) Xây dựng hệ thống dữ liệu du lịch thống nhất toàn tỉnh.
2.2. Văn hoá số
Số hóa di sản văn hóa bằng mô hình ba chiều các bảo tàng, di tích.
II. TỔ CHỨC THỰC HIỆN
1. Sở Nông nghiệp và Môi trường: chủ trì triển khai các nhiệm vụ tại mục (I) (1) của Kế hoạch.
2. Sở Văn hóa, Thể thao và Du lịch: chủ trì triển khai các nhiệm vụ tại mục I.2 của Kế hoạch.
3. Ủy ban nhân dân các xã, phường: chủ động xây dựng kế hoạch của địa phương (trọng tâm các nhiệm vụ tại mục I).
"""


def _tasks(text: str) -> list[tuple[str, str | None, str | None]]:
    result = to_json_dict(extract_text(text, units=[]))
    return [(task["section"], task["lead_unit"], task["deadline"]) for task in result["tasks"]]


def test_a_reference_names_each_section_it_points_to() -> None:
    assert referenced_paths("Chủ trì triển khai các nhiệm vụ tại mục (IV) (1) của Kế hoạch.") == [("iv", "1")]
    assert referenced_paths("Chủ trì triển khai các nhiệm vụ tại mục (IV) (4.1) (4.2) và Phụ lục") == [
        ("iv", "4.1"),
        ("iv", "4.2"),
    ]
    assert referenced_paths("Chủ trì triển khai các nhiệm vụ tại mục (IV)(3.4)(a);") == [("iv", "3.4", "a")]
    assert referenced_paths("Chủ động xây dựng kế hoạch (trọng tâm các nhiệm vụ tại mục III).") == []


def test_a_unit_given_the_tasks_of_a_section_leads_each_innermost_item_of_it() -> None:
    tasks = _tasks(PLAN_HEADER + PLAN)
    assert ("a)", "Sở Nông nghiệp và Môi trường", None) in tasks
    assert ("b)", "Sở Nông nghiệp và Môi trường", None) in tasks
    assert ("a)", "Sở Văn hóa, Thể thao và Du lịch", None) in tasks
    assert ("2.2", "Sở Văn hóa, Thể thao và Du lịch", None) in tasks
    # The heading's own explanation is not a task, nor is the sentence that points elsewhere.
    assert ("1", "Sở Nông nghiệp và Môi trường", None) not in tasks
    assert all(section != "1" or lead != "Sở Nông nghiệp và Môi trường" for section, lead, _due in tasks)
    # Where to put the weight is not a reference: the council's own item stays one task.
    assert [task for task in tasks if task[1] == "Ủy ban nhân dân các xã, phường"] == [
        ("3", "Ủy ban nhân dân các xã, phường", None)
    ]


LETTER_HEADER = (
    "BAN CHỈ ĐẠO THỬ NGHIỆM\nSố: 17/CV-BCĐ\nHà Nội, ngày 02 tháng 12 năm 2025\nKính gửi: Các Bộ, cơ quan ngang Bộ.\n\n"
)

LETTER = """1. Về phân cấp, phân quyền

1.1. Đối với 35 nhiệm vụ cần ban hành văn bản hướng dẫn (danh mục theo Báo cáo số 12/BC-BNV, ngày
27/11/2025 của Bộ Nội vụ), các Bộ, cơ quan ngang Bộ khẩn trương rà soát, ban hành văn bản hướng dẫn,
hoàn thành trước ngày 25/12/2025.

1.2. Đối với 10 nhiệm vụ cần điều chỉnh thẩm quyền, yêu cầu các Bộ: Xây dựng; Tư pháp xây dựng
phương án điều chỉnh thẩm quyền, báo cáo trước ngày 15/12/2025.

2. Về kiến nghị của địa phương

Khẩn trương nghiên cứu, xử lý các kiến nghị của các địa phương (Phụ lục kèm theo), hoàn thành trước ngày
20/12/2025.

Trên đây là các nội dung cần thực hiện./.

PHỤ LỤC
KIẾN NGHỊ CỦA CÁC ĐỊA PHƯƠNG VÀ PHÂN CÔNG XỬ LÝ

TT

Tỉnh kiến nghị

Thông tin đề xuất

Bộ phụ trách tiếp
nhận, xử lý

1

Lào Cai

Đề nghị hỗ trợ kinh phí cải tạo trụ sở làm việc các cơ quan cấp xã.

Bộ Tài chính

2

Cao Bằng

Đề nghị triển khai sớm cơ sở dữ liệu về pháp luật.

Bộ Tư pháp
"""


def test_a_subject_after_a_fronted_phrase_with_commas_of_its_own_leads_the_item() -> None:
    tasks = _tasks(LETTER_HEADER + LETTER)
    assert ("1.1", "các Bộ, cơ quan ngang Bộ", "2025-12-25") in tasks


def test_a_cue_inside_an_about_item_names_the_lead_instead_of_the_topic() -> None:
    tasks = _tasks(LETTER_HEADER + LETTER)
    item = next(task for task in tasks if task[0] == "1.2")
    assert item[1] is not None and item[1].startswith("các Bộ")
    assert "nhiệm vụ" not in item[1]
    assert item[2] == "2025-12-15"


def test_a_column_of_the_ministry_in_charge_is_the_lead_and_the_proposal_its_content() -> None:
    assert column_kind("Bộ phụ trách tiếp nhận, xử lý") == "lead"
    assert column_kind("Thông tin đề xuất") == "content"
    assert column_kind("Tỉnh kiến nghị") == "other"


def test_rows_of_an_annex_without_a_time_column_are_due_when_the_body_says_the_annex_is() -> None:
    tasks = _tasks(LETTER_HEADER + LETTER)
    assert ("1", "Bộ Tài chính", "2025-12-20") in tasks
    assert ("2", "Bộ Tư pháp", "2025-12-20") in tasks


def test_rows_of_an_annex_stay_undated_when_the_body_gives_the_annex_no_deadline() -> None:
    undated = LETTER.replace("(Phụ lục kèm theo), hoàn thành trước ngày\n20/12/2025", "(Phụ lục kèm theo)")
    tasks = _tasks(LETTER_HEADER + undated)
    assert ("1", "Bộ Tài chính", None) in tasks


ONE_ADDRESSEE = """BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH
Số: 63/BVHTTDL-ĐT
Hà Nội, ngày 25 tháng 11 năm 2025
V/v triển khai nhiệm vụ năm học 2025 - 2026
Kính gửi: Các cơ sở
đào tạo trực thuộc Bộ

Thực hiện Kết luận của Thủ tướng Chính phủ, Bộ Văn hóa, Thể thao và Du lịch yêu cầu như sau:
I. NHIỆM VỤ CỤ THỂ
1. Rà soát, quy hoạch phát triển đội ngũ giảng viên, đáp ứng chuẩn cơ sở giáo dục đại học.
2. Hoàn thành công tác tuyển sinh năm học 2025 - 2026, báo cáo kết quả trước ngày 20/12/2025.
3. Sở Văn hóa và Thể thao các tỉnh phối hợp tổ chức các hoạt động văn hóa cho sinh viên.
"""


def test_an_addressee_wrapped_over_two_lines_is_read_whole() -> None:
    result = to_json_dict(extract_text(ONE_ADDRESSEE, units=[]))
    assert result["addressees"] == ["Các cơ sở đào tạo trực thuộc Bộ"]


def test_a_letter_to_one_addressee_gives_it_the_items_that_name_no_one_else() -> None:
    assert _tasks(ONE_ADDRESSEE) == [
        ("1", "Các cơ sở đào tạo trực thuộc Bộ", None),
        ("2", "Các cơ sở đào tạo trực thuộc Bộ", "2025-12-20"),
        ("3", "Sở Văn hóa và Thể thao các tỉnh", None),
    ]


def test_a_letter_to_several_addressees_does_not_guess_which_of_them_leads() -> None:
    several = ONE_ADDRESSEE.replace(
        "Kính gửi: Các cơ sở\nđào tạo trực thuộc Bộ", "Kính gửi:\n- Các trường đại học;\n- Các viện nghiên cứu."
    )
    assert [lead for _section, lead, _due in _tasks(several)] == ["Sở Văn hóa và Thể thao các tỉnh"]


def test_who_presided_over_the_meeting_a_conclusion_reports_is_not_a_lead() -> None:
    conclusion = (
        "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM\nSố: 30/TB-UBND\nThử Nghiệm, ngày 01 tháng 12 năm 2025\nTHÔNG BÁO\n"
        "Kết luận của Phó Chủ tịch UBND tỉnh\n\n"
        "Ngày 20/11/2025, đồng chí Hoàng Văn A, Phó Chủ tịch UBND tỉnh chủ trì cuộc họp nghe báo cáo tình hình cắt "
        "giảm thủ tục hành chính. Tham dự cuộc họp có lãnh đạo Văn phòng UBND tỉnh, Sở Nội vụ, Sở Tư pháp.\n\n"
        "Sau khi nghe báo cáo của Văn phòng UBND tỉnh, Phó Chủ tịch UBND tỉnh kết luận như sau:\n\n"
        "1. Sở Nội vụ tổng hợp kết quả, báo cáo UBND tỉnh trước ngày 15/12/2025.\n"
    )
    assert _tasks(conclusion) == [("1", "Sở Nội vụ", "2025-12-15")]
