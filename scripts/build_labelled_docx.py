"""Build the two Word directives of the labelled set.

Run with a Python that has python-docx:
    .venv/bin/python scripts/build_labelled_docx.py
Writes, into ``tests/extraction/data/``:
    dong-anh-2026-ke-hoach-sipas.docx
    ha-tinh-snv-2026-quyet-dinh-kiem-tra-cchc.docx
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from labelled_docx import DATA, FONT, cell_text, remove_borders


def new_document() -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.page_height = Cm(29.7)
    section.page_width = Cm(21.0)
    section.left_margin = Cm(3.0)
    section.right_margin = Cm(2.0)
    section.top_margin = Cm(2.0)
    section.bottom_margin = Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(0)
    return doc


def header_table(
    doc: DocxDocument,
    issuer: list[str],
    reference: list[str],
    place_date: str,
) -> None:
    """Issuer left, national motto right; reference left, place and date right."""
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    remove_borders(table)
    left = [(line, i > 0 or len(issuer) == 1, False) for i, line in enumerate(issuer)]
    left.append(("-------", False, False))
    cell_text(table.cell(0, 0), left)
    cell_text(
        table.cell(0, 1),
        [
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False),
            ("Độc lập - Tự do - Hạnh phúc", True, False),
            ("---------------", False, False),
        ],
    )
    cell_text(table.cell(1, 0), [(line, False, False) for line in reference])
    cell_text(table.cell(1, 1), [(place_date, False, True)])
    for row in table.rows:
        row.cells[0].width = Cm(6.0)
        row.cells[1].width = Cm(10.0)


def para(
    doc: DocxDocument,
    text: str,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.alignment = align
    if indent and align == WD_ALIGN_PARAGRAPH.JUSTIFY:
        paragraph.paragraph_format.first_line_indent = Cm(1.0)
    paragraph.paragraph_format.space_after = Pt(6)
    run = paragraph.add_run(text)
    run.bold = bold
    run.italic = italic
    return paragraph


def title(doc: DocxDocument, lines: list[str]) -> None:
    doc.add_paragraph()
    for line in lines:
        para(doc, line, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    doc.add_paragraph()


def signature_table(doc: DocxDocument, recipients: list[str], signer: list[str], name: str) -> None:
    """Nơi nhận left, signer block right, as a borderless table."""
    table = doc.add_table(rows=1, cols=2)
    remove_borders(table)
    left = [("Nơi nhận:", True, True)] + [(r, False, False) for r in recipients]
    cell_text(table.cell(0, 0), left, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    right = [(line, True, False) for line in signer]
    right += [("", False, False), ("(Đã ký)", False, True), ("", False, False), (name, True, False)]
    cell_text(table.cell(0, 1), right, size=13)


# ---------------------------------------------------------------------------
# Document C: commune plan with a task table (xã Đông Anh, Hà Nội, 2026)
# ---------------------------------------------------------------------------

SIPAS_ROWS: list[tuple[str, str, str, str, str]] = [
    ("I", "CÔNG TÁC CHỈ ĐẠO, TUYÊN TRUYỀN", "", "", ""),
    (
        "1",
        (
            "Quán triệt nội dung Kế hoạch tại hội nghị giao ban của UBND xã; đưa kết quả thực hiện vào "
            "đánh giá, xếp loại công chức cuối năm"
        ),
        "Văn phòng HĐND và UBND",
        "Các phòng chuyên môn",
        "Tháng 01/2026",
    ),
    (
        "2",
        (
            "Tuyên truyền về các kênh đánh giá mức độ hài lòng, kênh tiếp nhận phản ánh, kiến nghị trên "
            "Trang thông tin điện tử xã và nhóm Zalo của các thôn"
        ),
        "Phòng Văn hóa - Xã hội",
        "Trung tâm Phục vụ hành chính công xã",
        "Thường xuyên",
    ),
    (
        "3",
        ("Bổ sung nội dung nâng cao mức độ hài lòng của người dân vào kế hoạch cải cách hành chính hằng năm của xã"),
        "Văn phòng HĐND và UBND",
        "Phòng Kinh tế",
        "Năm 2026",
    ),
    ("II", "NÂNG CAO CHẤT LƯỢNG PHỤC VỤ TẠI TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ", "", "", ""),
    (
        "1",
        (
            "Bố trí khu vực chờ, ghế ngồi, nước uống, máy lấy số thứ tự; niêm yết công khai đầy đủ thủ tục "
            "hành chính, phí, lệ phí"
        ),
        "Trung tâm Phục vụ hành chính công xã",
        "Văn phòng HĐND và UBND",
        "Quý I/2026",
    ),
    (
        "2",
        (
            "Lấy ý kiến đánh giá của người dân sau khi nhận kết quả (qua mã QR, máy tính bảng); tổng hợp, "
            "báo cáo Chủ tịch UBND xã"
        ),
        "Trung tâm Phục vụ hành chính công xã",
        "",
        "Hằng tháng",
    ),
    (
        "3",
        (
            "Rà soát toàn bộ hồ sơ tồn đọng, quá hạn phát sinh từ thời điểm sắp xếp đơn vị hành chính; "
            "xử lý dứt điểm và thực hiện xin lỗi người dân, tổ chức theo quy định"
        ),
        "Trung tâm Phục vụ hành chính công xã",
        "Phòng Kinh tế; Phòng Văn hóa - Xã hội",
        "6 tháng đầu năm 2026",
    ),
    (
        "4",
        "Bồi dưỡng kỹ năng giao tiếp, ứng xử, văn hóa công vụ cho công chức làm việc tại Trung tâm",
        "Văn phòng HĐND và UBND",
        "Trung tâm Phục vụ hành chính công xã",
        "Quý II/2026",
    ),
    ("III", "KHẢO SÁT, ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG", "", "", ""),
    (
        "1",
        "Tổ chức tự khảo sát mức độ hài lòng của người dân tại các thôn trên địa bàn xã (tối thiểu 300 phiếu)",
        "Phòng Văn hóa - Xã hội",
        "Ủy ban MTTQ Việt Nam xã; Công an xã",
        "Trước ngày 30/9/2026",
    ),
    (
        "2",
        "Phối hợp với đoàn điều tra của Thành phố trong việc chọn mẫu, phát phiếu điều tra xã hội học",
        "Văn phòng HĐND và UBND",
        "Công an xã",
        "Theo kế hoạch của Thành phố",
    ),
    (
        "3",
        "Báo cáo kết quả thực hiện Kế hoạch gửi UBND xã (qua Văn phòng HĐND và UBND)",
        "Các phòng, đơn vị",
        "",
        "Trước ngày 05/12/2026",
    ),
]


def task_table(doc: DocxDocument, rows: list[tuple[str, str, str, str, str]]) -> None:
    headers = ("STT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành")
    widths = (Cm(1.2), Cm(6.3), Cm(3.0), Cm(3.0), Cm(2.5))
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(headers):
        cell_text(table.rows[0].cells[i], [(text, True, False)], size=12)
    for stt, content, lead, support, due in rows:
        row = table.add_row()
        if not lead and not due and stt.isalpha():
            merged = row.cells[0].merge(row.cells[4])
            cell_text(merged, [(f"{stt}. {content}", True, False)], size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
            continue
        cell_text(row.cells[0], [(stt, False, False)], size=12)
        cell_text(row.cells[1], [(content, False, False)], size=12, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        cell_text(row.cells[2], [(lead, False, False)], size=12)
        cell_text(row.cells[3], [(support, False, False)], size=12)
        cell_text(row.cells[4], [(due, False, False)], size=12)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


def build_dong_anh() -> Path:
    doc = new_document()
    header_table(
        doc,
        ["ỦY BAN NHÂN DÂN", "XÃ ĐÔNG ANH"],
        ["Số: 09/KH-UBND"],
        "Đông Anh, ngày 08 tháng 01 năm 2026",
    )
    title(
        doc,
        [
            "KẾ HOẠCH",
            (
                "Nâng cao Chỉ số hài lòng của người dân, tổ chức đối với sự phục vụ của cơ quan hành chính "
                "nhà nước (SIPAS) trên địa bàn xã Đông Anh năm 2026"
            ),
        ],
    )
    para(
        doc,
        "Thực hiện Kế hoạch số 318/KH-UBND ngày 26/12/2025 của UBND thành phố Hà Nội về cải cách hành "
        "chính năm 2026; nhằm nâng cao chất lượng phục vụ người dân, tổ chức tại Trung tâm Phục vụ hành "
        "chính công xã, UBND xã Đông Anh ban hành Kế hoạch như sau:",
    )
    para(doc, "I. MỤC ĐÍCH, YÊU CẦU", bold=True)
    para(doc, "1. Mục đích", bold=True)
    para(
        doc,
        "- Nâng cao nhận thức, trách nhiệm của cán bộ, công chức trong thực thi công vụ; lấy sự hài lòng "
        "của người dân, tổ chức làm thước đo chất lượng phục vụ của chính quyền xã.",
    )
    para(doc, "- Phấn đấu Chỉ số SIPAS năm 2026 của xã đạt từ 90% trở lên.")
    para(doc, "2. Yêu cầu", bold=True)
    para(
        doc,
        "- Các nhiệm vụ được phân công cụ thể, có thời hạn hoàn thành, gắn với trách nhiệm của người "
        "đứng đầu từng phòng, đơn vị.",
    )
    para(
        doc,
        "- Việc khảo sát, đánh giá phải khách quan, bảo đảm bí mật thông tin của người được khảo sát.",
    )
    para(doc, "II. KẾT QUẢ NĂM 2025", bold=True)
    para(
        doc,
        "Qua khảo sát 6 tháng cuối năm 2025 tại Trung tâm Phục vụ hành chính công xã, mức độ hài lòng "
        "chung của người dân đạt 87,2%; trong đó hài lòng về thái độ phục vụ của công chức đạt 91,5%. Tuy "
        "nhiên, tỷ lệ người dân biết đến các kênh phản ánh, kiến nghị mới đạt 52%; thời gian chờ đợi vào "
        "các ngày đầu tuần còn dài; vẫn còn hồ sơ tồn đọng từ thời điểm sắp xếp đơn vị hành chính.",
    )
    para(doc, "III. NHIỆM VỤ, GIẢI PHÁP", bold=True)
    para(doc, "UBND xã phân công nhiệm vụ cụ thể như sau:")
    task_table(doc, SIPAS_ROWS)
    para(doc, "IV. KINH PHÍ THỰC HIỆN", bold=True)
    para(
        doc,
        "Kinh phí thực hiện Kế hoạch được bố trí trong dự toán ngân sách xã năm 2026 và các nguồn kinh "
        "phí hợp pháp khác.",
    )
    para(doc, "V. TỔ CHỨC THỰC HIỆN", bold=True)
    para(
        doc,
        "1. Các phòng chuyên môn, Trung tâm Phục vụ hành chính công xã căn cứ nhiệm vụ được giao, chủ "
        "động xây dựng kế hoạch chi tiết và tổ chức thực hiện.",
    )
    para(
        doc,
        "2. Văn phòng HĐND và UBND xã theo dõi, đôn đốc, tổng hợp tình hình thực hiện Kế hoạch; báo cáo "
        "Chủ tịch UBND xã định kỳ 6 tháng.",
    )
    para(
        doc,
        "3. Đề nghị Ủy ban MTTQ Việt Nam xã phối hợp tuyên truyền, vận động Nhân dân tham gia đánh giá "
        "sự phục vụ của cơ quan hành chính; giám sát việc thực thi công vụ tại Trung tâm Phục vụ hành "
        "chính công xã.",
    )
    para(
        doc,
        "Trên đây là Kế hoạch nâng cao Chỉ số SIPAS năm 2026 của UBND xã Đông Anh; yêu cầu các phòng, "
        "đơn vị nghiêm túc triển khai thực hiện./.",
    )
    signature_table(
        doc,
        [
            "- UBND Thành phố (để b/c);",
            "- Sở Nội vụ (để b/c);",
            "- TT Đảng ủy, TT HĐND xã;",
            "- Chủ tịch, các PCT UBND xã;",
            "- Các phòng, đơn vị thuộc UBND xã;",
            "- Lưu: VT, VP.",
        ],
        ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
        "Nguyễn Đức Toàn",
    )
    path = DATA / "dong-anh-2026-ke-hoach-sipas.docx"
    doc.save(str(path))
    return path


# ---------------------------------------------------------------------------
# Document G: decision of a department with the attached plan (Sở Nội vụ Hà Tĩnh, 2026)
# ---------------------------------------------------------------------------


def build_ha_tinh_snv() -> Path:
    doc = new_document()
    header_table(
        doc,
        ["UBND TỈNH HÀ TĨNH", "SỞ NỘI VỤ"],
        ["Số: 35/QĐ-SNV"],
        "Hà Tĩnh, ngày 16 tháng 01 năm 2026",
    )
    title(doc, ["QUYẾT ĐỊNH", "Ban hành Kế hoạch kiểm tra công tác cải cách hành chính, công vụ năm 2026"])
    para(doc, "GIÁM ĐỐC SỞ NỘI VỤ TỈNH HÀ TĨNH", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "Căn cứ Luật Tổ chức chính quyền địa phương năm 2025;", italic=True)
    para(
        doc,
        "Căn cứ Quyết định số 1620/QĐ-UBND ngày 30/6/2025 của UBND tỉnh quy định chức năng, nhiệm vụ, "
        "quyền hạn và cơ cấu tổ chức của Sở Nội vụ;",
        italic=True,
    )
    para(doc, "Căn cứ Kế hoạch cải cách hành chính năm 2026 của UBND tỉnh;", italic=True)
    para(doc, "Theo đề nghị của Trưởng phòng Cải cách hành chính.", italic=True)
    para(doc, "QUYẾT ĐỊNH:", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(
        doc,
        "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch kiểm tra công tác cải cách hành chính, công vụ "
        "năm 2026 của Sở Nội vụ.",
    )
    para(doc, "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
    para(
        doc,
        "Điều 3. Chánh Văn phòng Sở, Trưởng phòng Cải cách hành chính, Thủ trưởng các phòng, đơn vị thuộc "
        "Sở và các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành Quyết định này./.",
    )
    signature_table(
        doc,
        [
            "- Như Điều 3;",
            "- UBND tỉnh (b/c);",
            "- Các sở, ban, ngành cấp tỉnh;",
            "- UBND các xã, phường;",
            "- Giám đốc, các PGĐ Sở;",
            "- Lưu: VT, CCHC.",
        ],
        ["GIÁM ĐỐC"],
        "Phạm Văn Luận",
    )
    doc.add_page_break()
    para(doc, "UBND TỈNH HÀ TĨNH", align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
    para(doc, "SỞ NỘI VỤ", bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, indent=False)
    title(
        doc,
        [
            "KẾ HOẠCH",
            "Kiểm tra công tác cải cách hành chính, công vụ năm 2026",
        ],
    )
    para(
        doc,
        "(Ban hành kèm theo Quyết định số 35/QĐ-SNV ngày 16/01/2026 của Giám đốc Sở Nội vụ)",
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    para(doc, "I. MỤC ĐÍCH, YÊU CẦU", bold=True)
    para(doc, "1. Mục đích", bold=True)
    para(
        doc,
        "- Nắm bắt tình hình triển khai nhiệm vụ cải cách hành chính, việc chấp hành kỷ luật, kỷ cương "
        "hành chính tại các cơ quan, địa phương sau khi thực hiện mô hình chính quyền địa phương hai cấp.",
    )
    para(
        doc,
        "- Kịp thời phát hiện, chấn chỉnh những hạn chế; kiến nghị xử lý các tập thể, cá nhân vi phạm.",
    )
    para(doc, "2. Yêu cầu", bold=True)
    para(
        doc,
        "- Kiểm tra đúng trọng tâm, không trùng lặp với hoạt động thanh tra, kiểm tra khác trên cùng địa "
        "bàn; kết quả kiểm tra là căn cứ chấm điểm Chỉ số cải cách hành chính năm 2026.",
    )
    para(doc, "II. NHIỆM VỤ CỤ THỂ", bold=True)
    para(doc, "1. Kiểm tra theo kế hoạch", bold=True)
    para(
        doc,
        "a) Phòng Cải cách hành chính tham mưu Giám đốc Sở thành lập Đoàn kiểm tra cải cách hành chính, "
        "công vụ (sau đây gọi là Đoàn kiểm tra) và ban hành lịch kiểm tra chi tiết trước ngày 27/02/2026.",
    )
    para(
        doc,
        "b) Đoàn kiểm tra tiến hành kiểm tra trực tiếp tại 10 sở, ban, ngành và 15 xã, phường, thực hiện "
        "trong quý II năm 2026.",
    )
    para(
        doc,
        "c) Kiểm tra lại việc khắc phục tồn tại tại 05 cơ quan, địa phương có kết quả Chỉ số cải cách "
        "hành chính năm 2025 thấp nhất; hoàn thành trong quý III/2026.",
    )
    para(doc, "2. Kiểm tra đột xuất", bold=True)
    para(
        doc,
        "Sở Nội vụ tổ chức kiểm tra đột xuất việc chấp hành kỷ luật, kỷ cương hành chính tại Trung tâm "
        "Phục vụ hành chính công các xã, phường khi có phản ánh, kiến nghị của người dân, doanh nghiệp "
        "hoặc theo chỉ đạo của UBND tỉnh.",
    )
    para(doc, "III. TỔ CHỨC THỰC HIỆN", bold=True)
    para(doc, "1. Phòng Cải cách hành chính", bold=True)
    para(
        doc,
        "- Là đầu mối, chủ trì xây dựng đề cương báo cáo, bộ câu hỏi và biểu mẫu kiểm tra; phối hợp với "
        "Văn phòng Sở chuẩn bị các điều kiện phục vụ Đoàn kiểm tra.",
    )
    para(
        doc,
        "- Tổng hợp kết quả kiểm tra, tham mưu Giám đốc Sở báo cáo UBND tỉnh và Bộ Nội vụ hàng năm.",
    )
    para(
        doc,
        "2. Văn phòng Sở: Bố trí kinh phí, phương tiện và các điều kiện bảo đảm cho hoạt động của Đoàn kiểm tra.",
    )
    para(
        doc,
        "3. Các phòng, đơn vị thuộc Sở: Cử công chức tham gia Đoàn kiểm tra khi có đề nghị của Phòng Cải "
        "cách hành chính.",
    )
    para(
        doc,
        "4. Đề nghị Thủ trưởng các sở, ban, ngành; Chủ tịch UBND các xã, phường thuộc đối tượng kiểm tra "
        "chuẩn bị báo cáo tự kiểm tra theo đề cương, gửi về Sở Nội vụ (qua Phòng Cải cách hành chính) "
        "trước ngày 15/4/2026.",
    )
    para(doc, "IV. KINH PHÍ THỰC HIỆN", bold=True)
    para(
        doc,
        "Kinh phí thực hiện Kế hoạch được bố trí từ dự toán chi ngân sách năm 2026 đã giao cho Sở Nội vụ.",
    )
    para(
        doc,
        "Trong quá trình thực hiện, nếu có vướng mắc, các cơ quan, đơn vị phản ánh về Sở Nội vụ (qua "
        "Phòng Cải cách hành chính) để được hướng dẫn./.",
    )
    path = DATA / "ha-tinh-snv-2026-quyet-dinh-kiem-tra-cchc.docx"
    doc.save(str(path))
    return path


if __name__ == "__main__":
    for built in (build_dong_anh(), build_ha_tinh_snv()):
        print(built)
