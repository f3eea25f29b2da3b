"""How a due day or a rhythm is written and attached to its task: a report schedule with a day per period, an hour
of every day, a routine-work tag at the end of an item, a clause of periodic work closed by its rhythm, a table's long
time cell that times each step of its row, a year in a fronted topic, a parent item's own day; and what a heading of
units or a lead field passes on: no permission as a task, no bracket pointing to the list of its units, not how
the units act."""

from __future__ import annotations

from cchc.extraction.cell_tables import DITTO, rebuild_cell_tables
from cchc.extraction.rules import counting_rules
from tests.extraction.passages import tasks_and_rules

PLAN = (
    "ỦY BAN NHÂN DÂN\nTỈNH HÀ GIANG\nSố: 88/KH-UBND\nHà Giang, ngày 20 tháng 11 năm 2025\n\n"
    "KẾ HOẠCH\nPhát triển thương mại nông sản\n\n"
)


def _due(body: str) -> tuple[list[tuple[str | None, str | None, str]], dict[str, int]]:
    tasks, fired = tasks_and_rules(PLAN + body)
    return [(task["lead_unit"], task["deadline"], task["recurrence"]) for task in tasks], fired


def test_a_schedule_with_a_day_for_each_period_reports_at_its_shortest_rhythm() -> None:
    tasks, fired = _due(
        "1. Sở Công Thương tổng hợp, báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện định kỳ hằng tháng (trước "
        "ngày 20 hằng tháng), 6 tháng (trước ngày 15/6), năm (trước ngày 25/11 hằng năm).\n"
    )
    assert tasks == [("Sở Công Thương", None, "monthly")]
    assert fired["deadline.schedule_day_of_longer_period"] == 2


def test_a_single_yearly_report_keeps_its_day_in_brackets() -> None:
    tasks, fired = _due("1. Sở Tài chính báo cáo kết quả định kỳ hằng năm (trước ngày 10 tháng 12).\n")
    assert tasks == [("Sở Tài chính", "2025-12-10", "yearly")]
    assert "deadline.schedule_day_of_longer_period" not in fired


def test_a_dated_report_beside_a_monthly_one_keeps_its_day() -> None:
    tasks, _fired = _due(
        "1. Sở Nội vụ báo cáo sơ kết trước ngày 15/12/2025 và báo cáo định kỳ hằng tháng (trước ngày 25 hằng tháng).\n"
    )
    assert tasks == [("Sở Nội vụ", "2025-12-15", "monthly")]


def test_an_hour_of_every_day_makes_the_work_daily() -> None:
    tasks, fired = _due(
        "1. Ủy ban nhân dân các xã phun nước dập bụi trên các tuyến phố (trước 5h sáng hằng ngày) để giảm bụi.\n"
    )
    assert tasks == [("Ủy ban nhân dân các xã", None, "continuous")]
    assert fired["deadline.hour_of_each_day"] == 1


def test_an_item_tagged_as_routine_work_is_continuous() -> None:
    tasks, fired = _due(
        "1. Sở Khoa học và Công nghệ duy trì, nâng cấp cổng dữ liệu mở của tỉnh, nhiệm vụ thường xuyên.\n"
        "2. Sở Y tế vận hành hệ thống hồ sơ sức khỏe điện tử (nhiệm vụ thường xuyên).\n"
    )
    assert tasks == [
        ("Sở Khoa học và Công nghệ", None, "continuous"),
        ("Sở Y tế", None, "continuous"),
    ]
    assert fired["deadline.routine_task_tag"] == 2


def test_spending_on_routine_work_is_no_rhythm() -> None:
    tasks, fired = _due("1. Sở Tài chính bố trí kinh phí thực hiện nhiệm vụ thường xuyên của các trạm quan trắc.\n")
    assert tasks == [("Sở Tài chính", None, "")]
    assert "deadline.routine_task_tag" not in fired


def test_a_clause_of_periodic_work_closed_by_its_rhythm_recurs() -> None:
    tasks, fired = _due(
        "1. Sở Khoa học và Công nghệ hướng dẫn các sở triển khai Kế hoạch. Tổng hợp, đánh giá kết quả thực hiện "
        "Kế hoạch hằng năm.\n"
        "2. Sở Nội vụ tổng hợp, lồng ghép kết quả công tác cải cách hành chính trong báo cáo công tác hằng quý của "
        "đơn vị, gửi Ủy ban nhân dân tỉnh.\n"
    )
    assert tasks == [("Sở Khoa học và Công nghệ", None, "yearly"), ("Sở Nội vụ", None, "quarterly")]
    assert fired["deadline.rhythm_closing_periodic_work"] >= 2


def test_another_bodys_report_or_work_of_no_period_sets_no_rhythm() -> None:
    tasks, fired = _due(
        "1. Sở Nội vụ tổng hợp, đánh giá kết quả cải cách hành chính theo bộ chỉ số hằng năm của Bộ Nội vụ.\n"
        "2. Sở Y tế tuyên truyền, phổ biến Kế hoạch hằng năm.\n"
    )
    assert tasks == [("Sở Nội vụ", None, ""), ("Sở Y tế", None, "")]
    assert "deadline.rhythm_closing_periodic_work" not in fired


TABLE = """STT

Cơ quan chủ trì

Nội dung nhiệm vụ

Sản phẩm

Thời hạn hoàn thành

1

Sở Xây dựng

- Hoàn thiện quy định về thu gom chất thải xây dựng.

- Quy định được ban hành.

- Ban hành các quy định, hướng dẫn về thu gom, vận chuyển và tái chế chất thải xây dựng trong giai
đoạn 2026 - 2027. - Thí điểm mô hình tái chế tại hai khu đô thị mới của tỉnh từ năm 2027.

2

Sở Công Thương

Xây dựng cơ sở dữ liệu về nguồn thải công nghiệp.

Cơ sở dữ liệu được vận hành.

Năm 2026
"""


def test_a_long_time_cell_that_times_each_step_is_its_rows_time() -> None:
    with counting_rules() as fired:
        rows = [line.split(" | ") for line in rebuild_cell_tables(TABLE.splitlines()) if " | " in line]
    assert [row[0] for row in rows] == ["STT", "1", "2"]
    assert rows[1][4].startswith("- Ban hành các quy định") and rows[1][4].endswith("từ năm 2027.")
    assert DITTO not in " ".join(" ".join(row) for row in rows)
    assert fired["table.time_cell_of_steps"] == 1


def test_a_sub_rows_content_with_one_year_is_no_time_cell() -> None:
    table = TABLE.replace(
        "- Ban hành các quy định, hướng dẫn về thu gom, vận chuyển và tái chế chất thải xây dựng trong giai\n"
        "đoạn 2026 - 2027. - Thí điểm mô hình tái chế tại hai khu đô thị mới của tỉnh từ năm 2027.",
        "- Nghiên cứu, ứng dụng công nghệ tái chế chất thải xây dựng làm vật liệu san lấp, vật liệu không nung "
        "cho các công trình của tỉnh. - Thí điểm mô hình tái chế tại hai khu đô thị mới trong năm 2027.",
    )
    with counting_rules() as fired:
        rows = [line.split(" | ") for line in rebuild_cell_tables(table.splitlines()) if " | " in line]
    assert [row[0] for row in rows] == ["STT", "1", DITTO, "2"]
    assert "table.time_cell_of_steps" not in fired


def test_an_item_granting_a_permission_under_a_heading_of_units_is_no_task() -> None:
    tasks, fired = _due(
        "1. Các sở, ban, ngành:\n"
        "a) Rà soát thủ tục hành chính thuộc thẩm quyền, báo cáo trước ngày 15/12/2025.\n"
        "b) Được phép áp dụng quy trình rút gọn đối với hồ sơ của các hộ bị thiệt hại do thiên tai.\n"
    )
    assert [(lead, day) for lead, day, _rhythm in tasks] == [("Các sở, ban, ngành", "2025-12-15")]
    assert fired["task.permission_dropped"] >= 1


def test_a_year_in_a_fronted_topic_says_which_work_not_when_it_is_due() -> None:
    tasks, fired = _due(
        "1. Đối với các dự án khởi công trong năm 2026, Sở Xây dựng rà soát hồ sơ thiết kế và dự toán.\n"
        "2. Đối với dự án cầu Bắc Mê, Sở Giao thông vận tải hoàn thành giải phóng mặt bằng trước ngày 30/12/2025.\n"
    )
    assert [(lead, day) for lead, day, _rhythm in tasks] == [
        ("Sở Xây dựng", None),
        ("Sở Giao thông vận tải", "2025-12-30"),
    ]
    assert fired["deadline.fronted_topic_blanked"] >= 1


def test_a_parent_items_own_day_is_not_the_day_of_the_dashed_items_under_it() -> None:
    tasks, fired = _due(
        "2. Về các công trình y tế:\n"
        "(1) Sở Y tế chỉ đạo Ban Quản lý dự án tập trung nguồn lực, hoàn thành việc xây dựng Bệnh viện Đa khoa tỉnh "
        "trước ngày 30/11/2025.\n"
        "- Chỉ đạo bệnh viện chuẩn bị nhân lực, thiết bị để vận hành sau khi hoàn thành công trình.\n"
        "- Chủ trì hoàn thiện hồ sơ về cơ chế vận hành của bệnh viện, báo cáo Ủy ban nhân dân tỉnh.\n"
    )
    assert [(lead, day) for lead, day, _rhythm in tasks] == [
        ("Sở Y tế", "2025-11-30"),
        ("Sở Y tế", None),
        ("Sở Y tế", None),
    ]
    assert fired["deadline.parent_work_day_kept_to_itself"] >= 1


def test_a_bracket_pointing_to_the_list_of_units_is_no_part_of_the_lead_it_closes() -> None:
    tasks, fired = _due(
        "2. Đối với các cơ sở sản xuất gạch thủ công (theo danh sách kèm theo Kế hoạch này):\n"
        "- Chấm dứt hoạt động các lò gạch thủ công trước ngày 31/12/2025.\n"
        "- Phối hợp với Ủy ban nhân dân các xã tháo dỡ lò gạch sau khi dừng hoạt động.\n"
    )
    assert [(lead, day) for lead, day, _rhythm in tasks] == [
        ("các cơ sở sản xuất gạch thủ công", "2025-12-31"),
        ("các cơ sở sản xuất gạch thủ công", None),
    ]
    assert fired["lead.list_reference_dropped"] >= 1


def test_how_the_units_of_a_lead_field_act_is_no_part_of_the_lead() -> None:
    tasks, fired = _due(
        "3. Rà soát các quy chuẩn kỹ thuật địa phương đã ban hành\n"
        "- Nội dung thực hiện: rà soát, đề xuất sửa đổi các quy chuẩn không còn phù hợp.\n"
        "- Cơ quan thực hiện: Các sở, ngành có liên quan theo chức năng, nhiệm vụ quản lý được giao.\n"
        "- Thời gian thực hiện: Quý II năm 2026.\n"
    )
    assert [(lead, day) for lead, day, _rhythm in tasks] == [("Các sở, ngành có liên quan", "2026-06-30")]
    assert fired["lead.manner_dropped"] >= 1
