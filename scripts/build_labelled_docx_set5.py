"""Build the two Word directives of the fifth labelled set.

Run with: .venv/bin/python scripts/build_labelled_docx_set5.py (writes into ``tests/extraction/data/``)
"""

from __future__ import annotations

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.table import _Cell
from labelled_docx import DATA, FONT, cell_text, remove_borders


def _cell_lines(cell: _Cell, lines: list[tuple[str, bool]]) -> None:
    """Fill a cell with centred lines; each line is (text, bold)."""
    cell_text(cell, [(text, bold, None) for text, bold in lines], size=None)


def _para(doc: DocxDocument, text: str = "", bold: bool = False, center: bool = False, italic: bool = False) -> None:
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        run = p.add_run(text)
        run.bold = bold
        run.italic = italic


def _unit_para(doc: DocxDocument, head: str, rest: str) -> None:
    """A numbered paragraph whose opening (number and unit name) is a bold run."""
    p = doc.add_paragraph()
    run = p.add_run(head)
    run.bold = True
    if rest:
        p.add_run(" " + rest)


def _base() -> DocxDocument:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    return doc


def build_quangninh() -> None:
    doc = _base()
    header = doc.add_table(rows=1, cols=2)
    remove_borders(header)
    _cell_lines(
        header.cell(0, 0),
        [
            ("ỦY BAN NHÂN DÂN", False),
            ("TỈNH QUẢNG NINH", True),
            ("-------", False),
            ("Số: 6218/UBND-NC", False),
            ("V/v triển khai các giải pháp cải thiện Chỉ số cải cách hành chính và Chỉ số hài lòng năm 2025", False),
        ],
    )
    _cell_lines(
        header.cell(0, 1),
        [
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
            ("Độc lập - Tự do - Hạnh phúc", True),
            ("---------------", False),
            ("Quảng Ninh, ngày 14 tháng 11 năm 2025", False),
        ],
    )
    _para(doc)
    _para(doc, "Kính gửi:", center=True)
    _para(doc, "- Các sở, ban, ngành thuộc tỉnh;", center=True)
    _para(doc, "- Ủy ban nhân dân các xã, phường, đặc khu.", center=True)
    _para(
        doc,
        "Kết quả Chỉ số cải cách hành chính năm 2024 và Chỉ số hài lòng của người dân, tổ chức đối với sự phục vụ "
        "của cơ quan hành chính nhà nước (SIPAS) năm 2024 do Bộ Nội vụ công bố cho thấy tỉnh Quảng Ninh tiếp tục "
        "thuộc nhóm dẫn đầu cả nước. Tuy vậy, một số tiêu chí thành phần còn bị trừ điểm, nhất là tiêu chí về "
        "công khai thủ tục hành chính, tỷ lệ hồ sơ trực tuyến toàn trình và việc khai thác dữ liệu dùng chung; "
        "sau khi sắp xếp đơn vị hành chính và tổ chức chính quyền địa phương hai cấp, một số xã, phường còn lúng "
        "túng trong vận hành Bộ phận Một cửa.",
    )
    _para(
        doc,
        "Để khắc phục hạn chế, giữ vững và nâng cao thứ hạng các chỉ số năm 2025 và những năm tiếp theo, Ủy ban "
        "nhân dân tỉnh yêu cầu các cơ quan, đơn vị tập trung thực hiện các nội dung sau:",
    )
    _unit_para(
        doc,
        "1. Sở Nội vụ:",
        "Chủ trì, phối hợp với Văn phòng UBND tỉnh rà soát các tiêu chí, tiêu chí thành phần bị trừ điểm trong "
        "Chỉ số cải cách hành chính năm 2024, phân tích nguyên nhân, tham mưu UBND tỉnh ban hành kế hoạch khắc "
        "phục; hoàn thành trước ngày 10/12/2025.",
    )
    _unit_para(doc, "2. Văn phòng UBND tỉnh:", "")
    _para(
        doc,
        "a) Chỉ đạo Trung tâm Phục vụ hành chính công tỉnh tổ chức khảo sát sự hài lòng của người dân, doanh "
        "nghiệp tại Bộ phận Một cửa các cấp; định kỳ tổng hợp kết quả gửi Sở Nội vụ trước ngày 15 của tháng cuối "
        "quý.",
    )
    _para(
        doc,
        "b) Rà soát, trình Chủ tịch UBND tỉnh công bố danh mục thủ tục hành chính được sửa đổi, bổ sung sau khi "
        "sắp xếp đơn vị hành chính, bảo đảm công khai đầy đủ, chính xác trên Cổng Dịch vụ công quốc gia; hoàn "
        "thành trong tháng 12/2025.",
    )
    _para(
        doc,
        "c) Theo dõi, đôn đốc việc xử lý hồ sơ quá hạn trên Hệ thống thông tin giải quyết thủ tục hành chính "
        "tỉnh; tổng hợp, báo cáo UBND tỉnh trước ngày 20 hằng tháng.",
    )
    _unit_para(
        doc,
        "3. Sở Khoa học và Công nghệ:",
        "Chủ trì, phối hợp với Văn phòng UBND tỉnh và Công an tỉnh bảo đảm kết nối, chia sẻ dữ liệu giữa Hệ thống "
        "thông tin giải quyết thủ tục hành chính tỉnh với Cơ sở dữ liệu quốc gia về dân cư, không để gián đoạn "
        "việc cung cấp dịch vụ công trực tuyến; thực hiện trong Quý IV/2025 và các năm tiếp theo.",
    )
    _unit_para(
        doc,
        "4. Sở Tư pháp:",
        "Chủ trì rà soát văn bản quy phạm pháp luật do HĐND, UBND tỉnh ban hành trước thời điểm sắp xếp tổ chức "
        "bộ máy có quy định liên quan đến thẩm quyền của cấp huyện, đề xuất sửa đổi, thay thế hoặc bãi bỏ; hoàn "
        "thành trước ngày 31/12/2025.",
    )
    _unit_para(
        doc,
        "5. Sở Tài chính:",
        "Hướng dẫn các xã, phường, đặc khu bố trí kinh phí bảo đảm cho hoạt động cải cách hành chính năm 2026 "
        "trong dự toán ngân sách được giao; hoàn thành trước ngày 15/12/2025.",
    )
    _unit_para(
        doc,
        "6. Thanh tra tỉnh:",
        "Phối hợp với Sở Nội vụ đưa nội dung kiểm tra trách nhiệm người đứng đầu trong thực hiện cải cách hành "
        "chính vào kế hoạch thanh tra năm 2026, trình Chủ tịch UBND tỉnh phê duyệt trước ngày 20/12/2025.",
    )
    _unit_para(doc, "7. Các sở, ban, ngành:", "")
    _para(
        doc,
        "a) Tổ chức tự đánh giá, chấm điểm Chỉ số cải cách hành chính năm 2025 của cơ quan theo hướng dẫn của Sở "
        "Nội vụ, gửi kết quả kèm tài liệu kiểm chứng trước ngày 05/01/2026.",
    )
    _para(
        doc,
        "b) Cập nhật, tái cấu trúc quy trình điện tử đối với các thủ tục hành chính thuộc phạm vi quản lý, bảo "
        "đảm cung cấp dịch vụ công trực tuyến toàn trình; hoàn thành trong Quý I/2026.",
    )
    _para(
        doc,
        "c) Người đứng đầu trực tiếp chỉ đạo công tác cải cách hành chính của cơ quan và chịu trách nhiệm trước "
        "Chủ tịch UBND tỉnh nếu chỉ số thành phần do cơ quan phụ trách bị giảm điểm; thực hiện thường xuyên.",
    )
    _unit_para(doc, "8. Ủy ban nhân dân các xã, phường, đặc khu:", "")
    _para(
        doc,
        "a) Kiện toàn nhân sự Bộ phận Một cửa, bố trí công chức có năng lực, kỹ năng giao tiếp, không để tồn đọng "
        "hồ sơ; hoàn thành trước ngày 30/11/2025.",
    )
    _para(
        doc,
        "b) Đẩy mạnh hướng dẫn người dân nộp hồ sơ trực tuyến, thanh toán phí, lệ phí trực tuyến; lồng ghép kết "
        "quả thực hiện trong báo cáo cải cách hành chính quý gửi Sở Nội vụ.",
    )
    _para(
        doc,
        "c) Ủy ban nhân dân đặc khu Cô Tô xây dựng phương án tiếp nhận hồ sơ lưu động tại các thôn đảo xa, trình "
        "UBND tỉnh cho ý kiến trong tháng 01/2026.",
    )
    _para(
        doc,
        "Yêu cầu Thủ trưởng các cơ quan, đơn vị nghiêm túc triển khai thực hiện; trong quá trình thực hiện nếu có "
        "khó khăn, vướng mắc, kịp thời phản ánh về Sở Nội vụ để tổng hợp, báo cáo UBND tỉnh xem xét, chỉ đạo./.",
    )
    _para(doc)
    footer = doc.add_table(rows=1, cols=2)
    remove_borders(footer)
    left = footer.cell(0, 0)
    p = left.paragraphs[0]
    r = p.add_run("Nơi nhận:")
    r.bold = True
    r.italic = True
    for line in (
        "- Như trên;",
        "- Bộ Nội vụ (b/c);",
        "- TT Tỉnh ủy, TT HĐND tỉnh (b/c);",
        "- CT, các PCT UBND tỉnh;",
        "- V0, V1, TH;",
        "- Lưu: VT, NC.",
    ):
        left.add_paragraph(line)
    _cell_lines(
        footer.cell(0, 1),
        [
            ("TM. ỦY BAN NHÂN DÂN", True),
            ("KT. CHỦ TỊCH", True),
            ("PHÓ CHỦ TỊCH", True),
            ("", False),
            ("", False),
            ("Đặng Huy Lâm", True),
        ],
    )
    doc.save(str(DATA / "quangninh-2025-congvan-bold-units.docx"))


PHUTHO_ROWS: list[tuple[str, str, list[tuple[str, str, str, str]]]] = [
    # (group numeral, group title, rows: (content, support, time, note)); lead units are merged separately.
    (
        "I",
        "Kiểm soát quy định, công bố, công khai thủ tục hành chính",
        [
            (
                (
                    "Kiểm soát chất lượng dự thảo văn bản quy phạm pháp luật có quy định thủ tục hành chính do các "
                    "sở, ngành soạn thảo"
                ),
                "Các sở, ban, ngành",
                "Thường xuyên",
                "",
            ),
            (
                (
                    "Tổ chức lấy ý kiến người dân, doanh nghiệp đối với quy định thủ tục hành chính trong dự thảo văn "
                    "bản quy phạm pháp luật của tỉnh"
                ),
                "Văn phòng UBND tỉnh",
                "Theo tiến độ soạn thảo văn bản",
                "",
            ),
            (
                (
                    "Trình Chủ tịch UBND tỉnh công bố danh mục thủ tục hành chính mới ban hành, sửa đổi, bổ sung, "
                    "bãi bỏ thuộc phạm vi quản lý"
                ),
                "Văn phòng UBND tỉnh",
                "Chậm nhất 05 ngày làm việc trước ngày văn bản quy phạm pháp luật có hiệu lực",
                "",
            ),
            (
                "Công khai thủ tục hành chính trên Cổng Dịch vụ công quốc gia và niêm yết tại nơi tiếp nhận hồ sơ",
                "Trung tâm Phục vụ hành chính công tỉnh",
                "Thường xuyên",
                "Cập nhật ngay khi có quyết định công bố",
            ),
        ],
    ),
    (
        "II",
        "Rà soát, đánh giá, đơn giản hóa thủ tục hành chính",
        [
            (
                "Xây dựng Kế hoạch rà soát, đánh giá thủ tục hành chính năm 2026 trên địa bàn tỉnh",
                "Các sở, ban, ngành",
                "Trước ngày 31/01/2026",
                "",
            ),
            (
                (
                    "Rà soát, đề xuất phương án cắt giảm thời gian giải quyết, chi phí tuân thủ thủ tục hành chính "
                    "trong lĩnh vực đất đai, đầu tư"
                ),
                "Sở Nông nghiệp và Môi trường, Sở Tài chính",
                "Trước 30/6/2026",
                "",
            ),
            (
                "Tổng hợp phương án đơn giản hóa thủ tục hành chính, trình Chủ tịch UBND tỉnh thông qua",
                "Sở Tư pháp",
                "Quý III/2026",
                "",
            ),
            (
                ("Rà soát, chuẩn hóa thủ tục hành chính nội bộ giữa các cơ quan hành chính nhà nước trên địa bàn tỉnh"),
                "Các sở, ban, ngành; UBND các xã, phường",
                "Hoàn thành trong năm 2026",
                "",
            ),
        ],
    ),
    (
        "III",
        "Thực hiện cơ chế một cửa, một cửa liên thông",
        [
            (
                (
                    "Vận hành Trung tâm Phục vụ hành chính công tỉnh và các điểm tiếp nhận hồ sơ theo khu vực bảo "
                    "đảm thông suốt"
                ),
                "Các sở, ban, ngành",
                "Thường xuyên",
                "",
            ),
            (
                (
                    "Tổng hợp kết quả đánh giá chất lượng giải quyết thủ tục hành chính theo Bộ chỉ số phục vụ người "
                    "dân, doanh nghiệp"
                ),
                "Văn phòng UBND tỉnh",
                "Định kỳ hằng quý",
                "Báo cáo trước ngày 15 của tháng cuối quý",
            ),
            (
                (
                    "Triển khai tiếp nhận, trả kết quả không phụ thuộc địa giới hành chính trong phạm vi tỉnh đối với "
                    "thủ tục hành chính thuộc thẩm quyền cấp xã"
                ),
                "Trung tâm Phục vụ hành chính công tỉnh; Sở Khoa học và Công nghệ",
                "Quý II/2026",
                "",
            ),
            (
                (
                    "Bố trí công chức có đủ năng lực làm việc tại Bộ phận Một cửa cấp xã; không để xảy ra tình trạng "
                    "hồ sơ trễ hạn không có lý do"
                ),
                "Sở Nội vụ",
                "Thường xuyên",
                "",
            ),
        ],
    ),
    (
        "IV",
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        [
            (
                (
                    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn hiệu lực, gắn với kho dữ liệu điện tử "
                    "của tổ chức, cá nhân"
                ),
                "Sở Khoa học và Công nghệ",
                "Trong năm 2026",
                "Ưu tiên lĩnh vực có số lượng hồ sơ lớn",
            ),
            (
                (
                    "Khai thác, tái sử dụng dữ liệu đã số hóa; không yêu cầu người dân nộp lại giấy tờ đã có trong "
                    "cơ sở dữ liệu"
                ),
                "Sở Khoa học và Công nghệ",
                "Thường xuyên",
                "",
            ),
            (
                (
                    "Nâng cấp Hệ thống thông tin giải quyết thủ tục hành chính tỉnh đáp ứng yêu cầu kết nối với Cổng "
                    "Dịch vụ công quốc gia"
                ),
                "Văn phòng UBND tỉnh; Công an tỉnh",
                "Trước ngày 30/9/2026",
                "",
            ),
        ],
    ),
    (
        "V",
        "Kiểm tra, báo cáo",
        [
            (
                (
                    "Kiểm tra việc thực hiện công tác kiểm soát thủ tục hành chính tại một số sở, ngành và UBND các "
                    "xã, phường"
                ),
                "Sở Nội vụ",
                "Quý III, Quý IV/2026",
                "Theo kế hoạch kiểm tra riêng",
            ),
            (
                (
                    "Báo cáo tình hình, kết quả kiểm soát thủ tục hành chính, thực hiện cơ chế một cửa, một cửa liên "
                    "thông gửi Văn phòng Chính phủ"
                ),
                "Các sở, ban, ngành; UBND các xã, phường",
                "Trước ngày 15/6/2026 và trước ngày 15/12/2026",
                "Báo cáo 6 tháng, báo cáo năm",
            ),
        ],
    ),
]

# Lead unit per (group index, first row, last row), 0-based row indices within the group.
PHUTHO_LEADS: list[tuple[int, int, int, str]] = [
    (0, 0, 1, "Sở Tư pháp"),
    (0, 2, 3, "Các sở, ban, ngành"),
    (1, 0, 2, "Văn phòng UBND tỉnh"),
    (1, 3, 3, "Sở Nội vụ"),
    (2, 0, 1, "Trung tâm Phục vụ hành chính công tỉnh"),
    (2, 2, 3, "UBND các xã, phường"),
    (3, 0, 1, "Các sở, ban, ngành; UBND các xã, phường"),
    (3, 2, 2, "Sở Khoa học và Công nghệ"),
    (4, 0, 1, "Văn phòng UBND tỉnh"),
]


def build_phutho() -> None:
    doc = _base()
    header = doc.add_table(rows=1, cols=2)
    remove_borders(header)
    _cell_lines(
        header.cell(0, 0),
        [("ỦY BAN NHÂN DÂN", False), ("TỈNH PHÚ THỌ", True), ("-------", False), ("Số: 412/KH-UBND", False)],
    )
    _cell_lines(
        header.cell(0, 1),
        [
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
            ("Độc lập - Tự do - Hạnh phúc", True),
            ("---------------", False),
            ("Phú Thọ, ngày 18 tháng 12 năm 2025", False),
        ],
    )
    _para(doc)
    _para(doc, "KẾ HOẠCH", bold=True, center=True)
    _para(
        doc,
        "Kiểm soát thủ tục hành chính và thực hiện cơ chế một cửa, một cửa liên thông năm 2026",
        bold=True,
        center=True,
    )
    _para(doc, "-----------", center=True)
    _para(
        doc,
        "Căn cứ Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ về kiểm soát thủ tục hành chính và các "
        "văn bản sửa đổi, bổ sung; căn cứ Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ về thực hiện cơ "
        "chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính và các văn bản sửa đổi, bổ sung; Ủy "
        "ban nhân dân tỉnh ban hành Kế hoạch kiểm soát thủ tục hành chính năm 2026 như sau:",
    )
    _para(doc, "I. MỤC ĐÍCH, YÊU CẦU", bold=True)
    _para(doc, "1. Mục đích", bold=True)
    _para(
        doc,
        "Kiểm soát chặt chẽ việc ban hành, thực hiện thủ tục hành chính; cắt giảm chi phí tuân thủ, tạo thuận lợi "
        "cho người dân, doanh nghiệp trên địa bàn tỉnh sau khi vận hành mô hình chính quyền địa phương hai cấp.",
    )
    _para(doc, "2. Yêu cầu", bold=True)
    _para(
        doc,
        "Xác định rõ nội dung công việc, thời gian hoàn thành và trách nhiệm của cơ quan, đơn vị; bảo đảm tính khả "
        "thi, gắn với nhiệm vụ chuyển đổi số của tỉnh.",
    )
    _para(doc, "II. NHIỆM VỤ VÀ PHÂN CÔNG THỰC HIỆN", bold=True)

    headings = ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Ghi chú"]
    n_rows = 1 + sum(1 + len(rows) for _, _, rows in PHUTHO_ROWS)
    table = doc.add_table(rows=n_rows, cols=6)
    table.style = "Table Grid"
    for i, h in enumerate(headings):
        cell = table.cell(0, i)
        cell.paragraphs[0].add_run(h).bold = True

    r = 1
    group_first_row: list[int] = []
    for numeral, title, rows in PHUTHO_ROWS:
        table.cell(r, 0).paragraphs[0].add_run(numeral).bold = True
        merged = table.cell(r, 1).merge(table.cell(r, 5))
        merged.paragraphs[0].add_run(title).bold = True
        r += 1
        group_first_row.append(r)
        for k, (content, support, time, note) in enumerate(rows, start=1):
            table.cell(r, 0).text = str(k)
            table.cell(r, 1).text = content
            table.cell(r, 3).text = support
            table.cell(r, 4).text = time
            table.cell(r, 5).text = note
            r += 1
    for group, first, last, lead in PHUTHO_LEADS:
        top = group_first_row[group] + first
        bottom = group_first_row[group] + last
        cell = table.cell(top, 2) if top == bottom else table.cell(top, 2).merge(table.cell(bottom, 2))
        cell.text = lead

    _para(doc)
    _para(doc, "III. KINH PHÍ THỰC HIỆN", bold=True)
    _para(
        doc,
        "Kinh phí thực hiện Kế hoạch được bố trí trong dự toán chi thường xuyên năm 2026 của các cơ quan, đơn vị "
        "theo phân cấp ngân sách hiện hành và các nguồn hợp pháp khác.",
    )
    _para(doc, "IV. TỔ CHỨC THỰC HIỆN", bold=True)
    _para(
        doc,
        "1. Văn phòng UBND tỉnh chủ trì theo dõi, hướng dẫn, đôn đốc các cơ quan, đơn vị triển khai Kế hoạch; tổng "
        "hợp, báo cáo Chủ tịch UBND tỉnh những khó khăn, vướng mắc vượt thẩm quyền.",
    )
    _para(
        doc,
        "2. Các sở, ban, ngành, UBND các xã, phường căn cứ nhiệm vụ được phân công, xây dựng kế hoạch kiểm soát "
        "thủ tục hành chính năm 2026 của cơ quan, địa phương mình, hoàn thành trước ngày 20/01/2026.",
    )
    _para(
        doc,
        "Trong quá trình thực hiện, nếu có vướng mắc, các cơ quan, đơn vị phản ánh về Văn phòng UBND tỉnh để tổng "
        "hợp, báo cáo UBND tỉnh xem xét, điều chỉnh cho phù hợp./.",
    )
    _para(doc)
    footer = doc.add_table(rows=1, cols=2)
    remove_borders(footer)
    left = footer.cell(0, 0)
    run = left.paragraphs[0].add_run("Nơi nhận:")
    run.bold = True
    run.italic = True
    for line in (
        "- Văn phòng Chính phủ (b/c);",
        "- TT Tỉnh ủy, TT HĐND tỉnh;",
        "- Chủ tịch, các PCT UBND tỉnh;",
        "- Các sở, ban, ngành;",
        "- UBND các xã, phường;",
        "- Lưu: VT, KSTT.",
    ):
        left.add_paragraph(line)
    _cell_lines(
        footer.cell(0, 1),
        [
            ("TM. ỦY BAN NHÂN DÂN", True),
            ("KT. CHỦ TỊCH", True),
            ("PHÓ CHỦ TỊCH", True),
            ("", False),
            ("", False),
            ("Lưu Quang Hiển", True),
        ],
    )
    doc.save(str(DATA / "phutho-2025-kehoach-merged-table.docx"))


if __name__ == "__main__":
    build_quangninh()
    build_phutho()
