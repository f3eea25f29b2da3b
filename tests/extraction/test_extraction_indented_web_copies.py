"""Web copies that keep each paragraph's indent as a short first line, and the other loss classes read after
them (``docs/extraction.md``, "Indented web copies")."""

from __future__ import annotations

from cchc.extraction import extract_text, to_json_dict
from cchc.extraction.rules import counting_rules

from .passages import tasks_and_rules

HEADER = "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH\nSố: 12/KH-UBND\nThành phố Hồ Chí Minh, ngày 20 tháng 11 năm 2025\n\n"
# Paragraphs set apart by blank lines, wrapped at about 80 characters, each opening with a short line.
INDENTED = (
    "KẾ HOẠCH\nTriển khai Đề án nâng cao nhận thức cộng đồng\n\n"
    "I. TỔ CHỨC\nTHỰC HIỆN\n\n"
    "1. Giao Sở\n"
    "Nông nghiệp và Môi trường là cơ quan đầu mối, chủ trì, hướng dẫn thực hiện Đề\n"
    "án trên địa bàn Thành phố; tổng hợp kết quả thực hiện, báo cáo Ủy ban nhân dân\n"
    "Thành phố trước ngày 15/12/2025.\n\n"
    "2. Sở Tài\n"
    "chính phối hợp với các cơ quan, đơn vị liên quan tham mưu Ủy ban nhân dân Thành\n"
    "phố bố trí dự toán kinh phí theo phân cấp ngân sách nhà nước để triển khai thực\n"
    "hiện nhiệm vụ được giao tại Kế hoạch này theo quy định của Luật ngân sách.\n\n"
    "3. Sở Y tế chủ\n"
    "trì, phối hợp với Sở Nông nghiệp và Môi trường thực hiện các chương trình có\n"
    "liên quan đến người khuyết tật, đối tượng bảo trợ xã hội và các đối tượng dễ\n"
    "bị tổn thương khác trên địa bàn Thành phố trong năm 2026 theo kế hoạch.\n\n"
    "4. Sở Khoa học\n"
    "và Công nghệ\n\n"
    "- Nâng cao chất lượng công tác\n"
    "truyền thông, tuyên truyền, đưa tin trong phòng tránh và giảm nhẹ rủi ro thiên\n"
    "tai; phối hợp thực hiện các chương trình truyền thông về giảm nhẹ rủi ro thiên\n"
    "tai từ cộng đồng.\n"
)


def _extract(body: str) -> tuple[list[dict], dict[str, int]]:
    return tasks_and_rules(HEADER + body)


def test_a_short_first_line_of_an_indented_paragraph_is_no_heading() -> None:
    tasks, fired = _extract(INDENTED)
    assert [(task["section"], task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("1", "Sở Nông nghiệp và Môi trường", "2025-12-15"),
        ("2", "Sở Tài chính", None),
        ("3", "Sở Y tế", "2026-12-31"),
        ("4", "Sở Khoa học và Công nghệ", None),
    ]
    assert fired["segment.indented_first_line"] >= 3


def test_a_heading_alone_between_blank_lines_still_leads_the_items_below() -> None:
    tasks, _fired = _extract(INDENTED)
    assert tasks[-1]["content"].startswith("Nâng cao chất lượng công tác truyền thông")


def test_a_heading_over_an_unwrapped_paragraph_still_ends_at_its_line() -> None:
    # Paragraphs not wrapped at all (one line each): the short numbered line is a heading, its unit the lead.
    tasks, fired = _extract(
        "KẾ HOẠCH\nCải cách hành chính năm 2024\n\n"
        "1. Công an tỉnh\n"
        "Đẩy mạnh cấp tài khoản định danh điện tử mức độ 2 cho công dân; phối hợp với Văn phòng UBND tỉnh tích hợp "
        "đăng nhập bằng tài khoản VNeID, hoàn thành trong tháng 6/2024.\n\n"
        "2. Sở Tư pháp\n"
        "Tham mưu công bố kết quả hệ thống hóa văn bản quy phạm pháp luật trong Quý I/2024.\n\n"
        "3. Sở Nội vụ\n"
        "Tổng hợp tài liệu kiểm chứng lĩnh vực cải cách hành chính, báo cáo trước ngày 10/12/2024.\n\n"
        "4. Sở Tài chính\n"
        "Bố trí kinh phí thực hiện Kế hoạch theo quy định, báo cáo kết quả trước ngày 15/12/2024.\n"
    )
    assert [task["lead_unit"] for task in tasks] == ["Công an tỉnh", "Sở Tư pháp", "Sở Nội vụ", "Sở Tài chính"]
    assert "segment.indented_first_line" not in fired


CONG_DIEN = (
    "ỦY BAN NHÂN DÂN\nTỈNH ĐẮK LẮK\nSố: 129/KH-UBND\nĐắk Lắk, ngày 20 tháng 11 năm 2025\n\n"
    "KẾ HOẠCH\nBảo đảm nhu yếu phẩm cho người dân vùng ngập lụt\n\n"
)


def test_daily_and_weekly_reports_are_continuous_work() -> None:
    with counting_rules() as fired:
        tasks = to_json_dict(
            extract_text(
                CONG_DIEN + "1. Sở Công Thương tổng hợp nhu cầu từ cơ sở, báo cáo UBND tỉnh trước 19h00’ hằng ngày.\n"
                "2. Sở Y tế chủ động cập nhật kết quả thực hiện hàng tuần, báo cáo UBND tỉnh.\n"
                "3. UBND các xã, phường cập nhật liên tục tình hình ngập sâu, chia cắt của người dân.\n"
                "4. Sở Tài chính báo cáo UBND tỉnh kết quả thực hiện hằng ngày, trước ngày 30/11/2025.\n",
                units=[],
            )
        )["tasks"]
    assert [(task["lead_unit"], task["deadline"], task["recurrence"]) for task in tasks] == [
        ("Sở Công Thương", None, "continuous"),
        ("Sở Y tế", None, "continuous"),
        ("UBND các xã, phường", None, "continuous"),
        ("Sở Tài chính", "2025-11-30", "continuous"),
    ]
    # Daily and weekly work by the short rhythms; "cập nhật liên tục" by the deadline grammar itself.
    assert fired["deadline.short_rhythm"] == 2


def test_a_day_in_everyday_life_or_a_cited_daily_report_is_no_rhythm() -> None:
    tasks = to_json_dict(
        extract_text(
            CONG_DIEN + "1. Sở Công Thương tuyên truyền lợi ích của thanh toán không dùng tiền mặt trong đời sống "
            "hàng ngày.\n"
            "2. Sở Khoa học và Công nghệ khắc phục các hạn chế đã được chỉ ra tại báo cáo hằng ngày của Cơ quan "
            "Thường trực Ban Chỉ đạo.\n"
            "3. Sở Nông nghiệp và Môi trường vận hành hệ thống quan trắc tự động, liên tục tại các nguồn thải lớn.\n",
            units=[],
        )
    )["tasks"]
    assert [(task["deadline"], task["recurrence"]) for task in tasks] == [(None, "")] * 3


def test_a_lead_keeps_whose_units_they_are_after_truc_thuoc() -> None:
    with counting_rules() as fired:
        tasks = to_json_dict(
            extract_text(
                "BỘ TÀI CHÍNH\nSố: 17899/BTC-TCCB\nHà Nội, ngày 18 tháng 11 năm 2025\n\n"
                "1. Đề nghị Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương chỉ đạo các xã, phường cử cán "
                "bộ tham dự lớp bồi dưỡng, gửi danh sách trước ngày 24/11/2025.\n"
                "2. Các cơ quan trực thuộc Bộ Văn hóa, Thể thao và Du lịch chủ trì bố trí nguồn lực thực hiện quy "
                "hoạch.\n"
                "3. Bộ Tư pháp phối hợp với các đơn vị thuộc Bộ rà soát văn bản.\n",
                units=[],
            )
        )["tasks"]
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương", "2025-11-24"),
        ("Các cơ quan trực thuộc Bộ Văn hóa, Thể thao và Du lịch", None),
        ("Bộ Tư pháp", None),
    ]
    assert fired["name.superior_kept"] >= 2


def test_departments_listed_with_localities_or_units_are_one_group() -> None:
    tasks = to_json_dict(
        extract_text(
            "ỦY BAN NHÂN DÂN\nTỈNH ĐẮK LẮK\nSố: 10/CT-UBND\nĐắk Lắk, ngày 20 tháng 11 năm 2025\n\n"
            "1. Các sở, ban, ngành, địa phương đánh giá sự phù hợp của dự án đầu tư với quy hoạch tỉnh.\n"
            "2. Các sở, ban, ngành, đơn vị chủ động bố trí kinh phí thực hiện Kế hoạch, báo cáo trước ngày "
            "15/12/2025.\n",
            units=[],
        )
    )["tasks"]
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [
        ("Các sở, ban, ngành, địa phương", None),
        ("Các sở, ban, ngành, đơn vị", "2025-12-15"),
    ]


def test_groups_with_the_area_they_cover_lead_the_items_below_as_written() -> None:
    with counting_rules() as fired:
        tasks = to_json_dict(
            extract_text(
                "THỦ TƯỚNG CHÍNH PHỦ\nSố: 219/CĐ-TTg\nHà Nội, ngày 16 tháng 11 năm 2025\n\nCÔNG ĐIỆN\n"
                "2. Bí thư tỉnh ủy, thành ủy; Chủ tịch Ủy ban nhân dân các tỉnh, thành phố tại khu vực dự báo xảy ra "
                "mưa, lũ tập trung lãnh đạo, chỉ đạo, triển khai ngay các biện pháp bảo đảm an toàn, trong đó:\n"
                "a) Huy động lực lượng quân đội, công an tiếp cận các khu vực bị chia cắt.\n"
                "b) Tổng hợp báo cáo tình hình mưa lũ trước 13 giờ hằng ngày.\n",
                units=[],
            )
        )["tasks"]
    lead = "Bí thư tỉnh ủy, thành ủy; Chủ tịch Ủy ban nhân dân các tỉnh, thành phố tại khu vực dự báo xảy ra mưa, lũ"
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [("a)", lead), ("b)", lead)]
    assert fired["lead.group_in_area"] == 1


def test_a_list_of_units_then_a_comma_is_no_area() -> None:
    tasks = to_json_dict(
        extract_text(
            "ỦY BAN NHÂN DÂN\nTỈNH GIA LAI\nSố: 20/KH-UBND\nGia Lai, ngày 16 tháng 11 năm 2025\n\n"
            "1. Ủy ban nhân dân các xã tại khu vực biên giới, Sở Y tế phối hợp kiểm tra.\n",
            units=[],
        )
    )["tasks"]
    assert all("Sở Y tế" not in (task["lead_unit"] or "") for task in tasks)


def test_a_span_wrapped_after_its_first_year_gives_no_dash_item() -> None:
    with counting_rules() as fired:
        tasks = to_json_dict(
            extract_text(
                HEADER + "KẾ HOẠCH\nBình đẳng giới năm 2025\n\n"
                "Căn cứ Quyết định số 101/QĐ-TTg ngày 25 tháng 01 năm 2024 của Thủ tướng Chính phủ về phê duyệt\n"
                "“Chương trình hành động quốc gia về Phụ nữ, hòa bình và an ninh giai đoạn 2024\n"
                "- 2030”;\n\n"
                "Ủy ban nhân dân Thành phố ban hành Kế hoạch như sau:\n\n"
                "1. Sở Nội vụ (Cơ quan thường trực):\n\n"
                "- Theo dõi, tổng hợp báo cáo kết quả triển khai thực hiện Kế hoạch này.\n\n"
                "- Hướng dẫn chuyên môn cho các xã, phường, đặc khu triển khai Kế hoạch.\n",
                units=[],
            )
        )["tasks"]
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [("1", "Sở Nội vụ"), ("1", "Sở Nội vụ")]
    assert fired["segment.span_cut_by_wrap"] == 1


QUY_HOACH = "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH\nSố: 4385/QĐ-BVHTTDL\nHà Nội, ngày 20 tháng 11 năm 2025\n\nKẾ HOẠCH\n\n"


def test_a_heading_that_is_a_name_with_commas_leads_its_items() -> None:
    with counting_rules() as fired:
        tasks = to_json_dict(
            extract_text(
                QUY_HOACH + "IV. TỔ CHỨC THỰC HIỆN\n\n"
                "1. Viện Văn hóa, Nghệ thuật, Thể thao và Du lịch Việt Nam\n\n"
                "a) Tổ chức tuyên truyền phổ biến nội dung quy hoạch đến các tổ chức, cá nhân.\n\n"
                "b) Tổ chức đánh giá thực hiện Kế hoạch, báo cáo Thủ tướng Chính phủ định kỳ hằng năm.\n\n"
                "2. Sở Văn hóa, Thể thao và Du lịch/Sở Văn hóa và Thể thao tỉnh, thành phố trực thuộc Trung ương\n\n"
                "a) Tổ chức thực hiện quản lý nhà nước về văn hóa, thể thao tại địa phương.\n",
                units=[],
            )
        )["tasks"]
    institute = "Viện Văn hóa, Nghệ thuật, Thể thao và Du lịch Việt Nam"
    department = "Sở Văn hóa, Thể thao và Du lịch/Sở Văn hóa và Thể thao tỉnh, thành phố trực thuộc Trung ương"
    assert [(task["section"], task["lead_unit"]) for task in tasks] == [
        ("a)", institute),
        ("b)", institute),
        ("a)", department),
    ]
    assert fired["lead.named_heading"] == 2


def test_a_topic_heading_or_a_sentence_is_no_name() -> None:
    with counting_rules() as fired:
        extract_text(
            QUY_HOACH + "1. Về cải cách thể chế, thủ tục hành chính\n\n"
            "a) Rà soát các văn bản quy phạm pháp luật.\n\n"
            "2. Sở Văn hóa, Thể thao và Du lịch chủ trì, phối hợp với các sở\n\n"
            "a) Tổ chức thực hiện quản lý nhà nước về văn hóa.\n",
            units=[],
        )
    assert "lead.named_heading" not in fired


def test_a_described_group_alone_in_its_heading_leads_the_items_below() -> None:
    with counting_rules() as fired:
        tasks = to_json_dict(
            extract_text(
                "CHÍNH PHỦ\nSố: 380/NQ-CP\nHà Nội, ngày 25 tháng 11 năm 2025\n\nNGHỊ QUYẾT\n\n"
                "QUYẾT NGHỊ:\n\n1. Về ổn định kinh tế vĩ mô\n\n"
                "c) Các bộ, cơ quan, địa phương:\n\n"
                "- Nắm chắc tình hình thị trường, giá cả hàng hóa để có giải pháp ổn định thị trường.\n\n"
                "- Triệt để tiết kiệm chi thường xuyên để dành nguồn lực cho an sinh xã hội.\n",
                units=[],
            )
        )["tasks"]
    assert [task["lead_unit"] for task in tasks] == ["Các bộ, cơ quan, địa phương"] * 2
    assert fired["lead.generic_heading"] == 1


def test_the_localities_as_a_class_lead_their_item() -> None:
    tasks = to_json_dict(
        extract_text(
            "VĂN PHÒNG CHÍNH PHỦ\nSố: 661/TB-VPCP\nHà Nội, ngày 28 tháng 11 năm 2025\n\nTHÔNG BÁO\n\n"
            "1. Các địa phương tổ chức chiến dịch hỗ trợ Nhân dân sửa chữa nhà ở, hoàn thành trước ngày "
            "31/12/2025.\n",
            units=[],
        )
    )["tasks"]
    assert [(task["lead_unit"], task["deadline"]) for task in tasks] == [("Các địa phương", "2025-12-31")]
