"""Word files whose items are numbered by Word's automatic list numbering, not typed."""

from __future__ import annotations

import io
from typing import Any

import pytest

from cchc.directives.extraction_registry import extract_document
from cchc.extraction.docx_numbering import format_number
from cchc.extraction.reading import read_document

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _level(ilvl: int, number_format: str, text: str, *, start: int | str = 1, extra: str = "") -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{number_format}"/>'
        f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>'
    )


class Builder:
    """A python-docx document with list definitions added to its numbering part."""

    def __init__(self) -> None:
        from docx import Document

        self.document = Document()
        self.numbering = self.document.part.numbering_part.element

    def definition(self, abstract_id: int, *levels: str, extra: str = "") -> None:
        from docx.oxml import parse_xml

        element = parse_xml(
            f'<w:abstractNum {W} w:abstractNumId="{abstract_id}">{extra}{"".join(levels)}</w:abstractNum>'
        )
        first_num = self.numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
        if first_num is None:
            self.numbering.append(element)
        else:  # the schema puts every w:abstractNum before the first w:num
            first_num.addprevious(element)

    def instance(self, num_id: int, abstract_id: int, overrides: str = "") -> None:
        from docx.oxml import parse_xml

        self.numbering.append(
            parse_xml(f'<w:num {W} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>')
        )

    def add(self, text: str, num_id: int | None = None, ilvl: int | None = 0, *, style: str | None = None) -> Any:
        paragraph = self.document.add_paragraph(text, style=style)
        if num_id is not None:
            properties = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            if ilvl is not None:
                properties.get_or_add_ilvl().val = ilvl
            properties.get_or_add_numId().val = num_id
        return paragraph

    def paragraph_style(self, name: str, number_properties: str, *, based_on: str | None = None) -> None:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.oxml import parse_xml

        style = self.document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if based_on is not None:
            style.base_style = self.document.styles[based_on]
        if number_properties:
            style.element.get_or_add_pPr().append(parse_xml(f"<w:numPr {W}>{number_properties}</w:numPr>"))

    def data(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()

    def lines(self) -> list[str]:
        return [line for line in read_document(self.data(), "ke-hoach.docx").text.split("\n") if line.strip()]


def _numbered(builder: Builder, num_id: int, items: list[tuple[int, str]]) -> list[str]:
    for ilvl, text in items:
        builder.add(text, num_id, ilvl)
    return builder.lines()


# --- numbers --------------------------------------------------------------------------------------------------------


def test_a_decimal_list_reads_with_its_numbers() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "decimal", "%1."))
    builder.instance(90, 90)
    lines = _numbered(builder, 90, [(0, "Phòng Nội vụ rà soát quy chế."), (0, "Phòng Tư pháp"), (0, "Văn phòng")])
    assert lines == ["1. Phòng Nội vụ rà soát quy chế.", "2. Phòng Tư pháp", "3. Văn phòng"]


def test_a_multilevel_list_numbers_its_sublevels_and_restarts_them_under_the_next_item() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "decimal", "%1."), _level(1, "decimal", "%1.%2."))
    builder.instance(90, 90)
    items = [(0, "Cải cách thể chế"), (1, "Sở Tư pháp"), (1, "Sở Nội vụ"), (0, "Cải cách TTHC"), (1, "Văn phòng")]
    assert _numbered(builder, 90, items) == [
        "1. Cải cách thể chế",
        "1.1. Sở Tư pháp",
        "1.2. Sở Nội vụ",
        "2. Cải cách TTHC",
        "2.1. Văn phòng",
    ]


def test_lettered_items_under_numbered_ones_read_a_b_and_start_again_at_a() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "decimal", "%1."), _level(1, "lowerLetter", "%2)"))
    builder.instance(90, 90)
    items = [(0, "Sở Nội vụ"), (1, "Rà soát"), (1, "Báo cáo"), (0, "Sở Tư pháp"), (1, "Kiểm tra")]
    assert _numbered(builder, 90, items) == ["1. Sở Nội vụ", "a) Rà soát", "b) Báo cáo", "2. Sở Tư pháp", "a) Kiểm tra"]


def test_roman_headings_number_their_decimal_items_from_one() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "upperRoman", "%1."), _level(1, "decimal", "%2."))
    builder.instance(90, 90)
    items = [(0, "MỤC ĐÍCH"), (1, "Mục đích"), (1, "Yêu cầu"), (0, "NHIỆM VỤ"), (1, "Sở Nội vụ"), (0, "TỔ CHỨC")]
    assert _numbered(builder, 90, items) == [
        "I. MỤC ĐÍCH",
        "1. Mục đích",
        "2. Yêu cầu",
        "II. NHIỆM VỤ",
        "1. Sở Nội vụ",
        "III. TỔ CHỨC",
    ]


def test_parenthesised_numbers_and_articles_keep_the_text_around_the_number() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "decimal", "(%1)"))
    builder.definition(91, _level(0, "decimal", "Điều %1."))
    builder.instance(90, 90)
    builder.instance(91, 91)
    builder.add("Rà soát", 90)
    builder.add("Báo cáo", 90)
    builder.add("Phạm vi điều chỉnh", 91)
    builder.add("Đối tượng áp dụng", 91)
    assert builder.lines() == ["(1) Rà soát", "(2) Báo cáo", "Điều 1. Phạm vi điều chỉnh", "Điều 2. Đối tượng áp dụng"]


def test_a_start_value_and_a_start_override_set_the_first_number() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "decimal", "%1.", start=3))
    builder.instance(90, 90)
    builder.instance(91, 90, '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="7"/></w:lvlOverride>')
    builder.add("Ba", 90)
    builder.add("Bốn", 90)
    builder.add("Bảy", 91)
    builder.add("Tám", 91)
    assert builder.lines() == ["3. Ba", "4. Bốn", "7. Bảy", "8. Tám"]


def test_two_lists_on_one_definition_continue_one_another() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "decimal", "%1."))
    builder.instance(90, 90)
    builder.instance(91, 90)
    builder.add("Một", 90)
    builder.add("Đoạn văn giữa hai danh sách.")
    builder.add("Hai", 91)
    assert builder.lines() == ["1. Một", "Đoạn văn giữa hai danh sách.", "2. Hai"]


def test_a_list_restarted_under_a_new_heading_counts_from_one_again() -> None:
    builder = Builder()
    builder.definition(80, _level(0, "upperRoman", "%1."))
    builder.definition(90, _level(0, "decimal", "%1."))
    builder.instance(80, 80)
    builder.instance(90, 90)
    builder.instance(91, 90, '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>')
    builder.add("NHIỆM VỤ", 80)
    builder.add("Sở Nội vụ", 90)
    builder.add("Sở Tư pháp", 90)
    builder.add("TỔ CHỨC THỰC HIỆN", 80)
    builder.add("Văn phòng", 91)
    builder.add("Các xã", 91)
    assert builder.lines() == [
        "I. NHIỆM VỤ",
        "1. Sở Nội vụ",
        "2. Sở Tư pháp",
        "II. TỔ CHỨC THỰC HIỆN",
        "1. Văn phòng",
        "2. Các xã",
    ]


def test_a_level_can_keep_counting_across_its_parent_with_lvl_restart_zero() -> None:
    builder = Builder()
    builder.definition(
        90, _level(0, "upperRoman", "%1."), _level(1, "decimal", "%2.", extra='<w:lvlRestart w:val="0"/>')
    )
    builder.instance(90, 90)
    items = [(0, "MỤC ĐÍCH"), (1, "Một"), (0, "NHIỆM VỤ"), (1, "Hai")]
    assert _numbered(builder, 90, items) == ["I. MỤC ĐÍCH", "1. Một", "II. NHIỆM VỤ", "2. Hai"]


def test_legal_numbering_shows_every_level_in_arabic_numerals() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "upperRoman", "%1."), _level(1, "decimal", "%1.%2.", extra='<w:isLgl w:val="1"/>'))
    builder.instance(90, 90)
    assert _numbered(builder, 90, [(0, "NHIỆM VỤ"), (1, "Sở Nội vụ")]) == ["I. NHIỆM VỤ", "1.1. Sở Nội vụ"]


def test_a_level_used_before_its_parent_shows_the_parent_as_zero_as_word_does() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "decimal", "%1."), _level(1, "decimal", "%1.%2."))
    builder.instance(90, 90)
    assert _numbered(builder, 90, [(1, "Sở Nội vụ"), (0, "Sở Tư pháp")]) == ["0.1. Sở Nội vụ", "1. Sở Tư pháp"]


@pytest.mark.parametrize(
    ("number", "number_format", "shown"),
    [
        (4, "decimal", "4"),
        (4, "decimalZero", "04"),
        (12, "decimalZero", "12"),
        (1, "lowerLetter", "a"),
        (26, "lowerLetter", "z"),
        (27, "lowerLetter", "aa"),
        (28, "lowerLetter", "bb"),
        (3, "upperLetter", "C"),
        (4, "lowerRoman", "iv"),
        (14, "upperRoman", "XIV"),
        (1999, "upperRoman", "MCMXCIX"),
        (5, "ordinal", "5"),
        (5, "vietnameseCounting", "5"),
        (5, "none", ""),
    ],
)
def test_numbers_are_formatted_as_word_formats_them(number: int, number_format: str, shown: str) -> None:
    assert format_number(number, number_format) == shown


def test_a_level_that_shows_no_number_leaves_the_text_as_it_is() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "none", "%1"))
    builder.instance(90, 90)
    assert _numbered(builder, 90, [(0, "Đoạn văn")]) == ["Đoạn văn"]


# --- bullets --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("symbol", ["•", "\uf0b7", "o", "§", "-", "–", "\uf0d8"])
def test_bullets_of_any_symbol_read_as_dashes(symbol: str) -> None:
    builder = Builder()
    builder.definition(90, _level(0, "bullet", symbol))
    builder.instance(90, 90)
    assert _numbered(builder, 90, [(0, "Rà soát quy chế"), (0, "- Báo cáo")]) == ["- Rà soát quy chế", "- Báo cáo"]


def test_a_symbol_without_a_number_in_a_decimal_level_is_a_bullet_too() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "decimal", "-"))
    builder.instance(90, 90)
    assert _numbered(builder, 90, [(0, "Rà soát quy chế")]) == ["- Rà soát quy chế"]


def test_bullets_under_numbered_items_do_not_disturb_the_numbers() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "decimal", "%1."), _level(1, "bullet", "•"))
    builder.instance(90, 90)
    items = [(0, "Sở Nội vụ"), (1, "Rà soát"), (1, "Báo cáo"), (0, "Sở Tư pháp")]
    assert _numbered(builder, 90, items) == ["1. Sở Nội vụ", "- Rà soát", "- Báo cáo", "2. Sở Tư pháp"]


# --- styles ---------------------------------------------------------------------------------------------------------


def test_a_paragraph_numbered_by_its_style_and_the_style_it_is_based_on_reads_with_its_number() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "upperRoman", "%1."), _level(1, "decimal", "%2."))
    builder.instance(90, 90)
    builder.paragraph_style("Muc La Ma", '<w:ilvl w:val="0"/><w:numId w:val="90"/>')
    builder.paragraph_style("Muc So", '<w:ilvl w:val="1"/>', based_on="Muc La Ma")
    builder.add("NHIỆM VỤ", style="Muc La Ma")
    builder.add("Sở Nội vụ", style="Muc So")
    builder.add("Sở Tư pháp", style="Muc So")
    builder.add("Đoạn văn không đánh số", 0, style="Muc So")
    builder.add("TỔ CHỨC THỰC HIỆN", style="Muc La Ma")
    assert builder.lines() == [
        "I. NHIỆM VỤ",
        "1. Sở Nội vụ",
        "2. Sở Tư pháp",
        "Đoạn văn không đánh số",
        "II. TỔ CHỨC THỰC HIỆN",
    ]


def test_a_style_without_a_level_takes_the_level_that_names_it() -> None:
    builder = Builder()
    builder.definition(
        90,
        _level(0, "upperRoman", "%1.", extra='<w:pStyle w:val="MucLaMa"/>'),
        _level(1, "decimal", "%2.", extra='<w:pStyle w:val="MucSo"/>'),
    )
    builder.instance(90, 90)
    builder.paragraph_style("MucLaMa", '<w:numId w:val="90"/>')
    builder.paragraph_style("MucSo", '<w:numId w:val="90"/>')
    builder.add("NHIỆM VỤ", style="MucLaMa")
    builder.add("Sở Nội vụ", style="MucSo")
    assert builder.lines() == ["I. NHIỆM VỤ", "1. Sở Nội vụ"]


def test_a_list_defined_through_a_numbering_style_is_followed_to_its_levels() -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml

    builder = Builder()
    builder.definition(90, _level(0, "lowerLetter", "%1)"), extra='<w:styleLink w:val="DanhSachChu"/>')
    builder.definition(91, extra='<w:numStyleLink w:val="DanhSachChu"/>')
    builder.instance(90, 90)
    builder.instance(91, 91)
    style = builder.document.styles.add_style("DanhSachChu", WD_STYLE_TYPE.LIST)
    style.element.append(parse_xml(f'<w:pPr {W}><w:numPr><w:numId w:val="90"/></w:numPr></w:pPr>'))
    builder.add("Rà soát", 91)
    builder.add("Báo cáo", 91)
    assert builder.lines() == ["a) Rà soát", "b) Báo cáo"]


def test_the_list_styles_of_word_s_own_template_number_and_bullet_their_paragraphs() -> None:
    builder = Builder()
    builder.add("Rà soát", style="List Number")
    builder.add("Báo cáo", style="List Number")
    builder.add("Ghi chú", style="List Bullet")
    assert builder.lines() == ["1. Rà soát", "2. Báo cáo", "- Ghi chú"]


# --- damaged definitions --------------------------------------------------------------------------------------------


def test_a_numbered_paragraph_whose_list_is_not_defined_falls_back_to_a_dash() -> None:
    builder = Builder()
    builder.add("Rà soát", 4242)
    builder.add("Đoạn văn")
    assert builder.lines() == ["- Rà soát", "Đoạn văn"]


def test_numbering_id_zero_means_not_numbered() -> None:
    builder = Builder()
    builder.add("Đoạn văn", 0)
    assert builder.lines() == ["Đoạn văn"]


@pytest.mark.parametrize(
    ("definition", "instance_xml"),
    [
        ("", '<w:num {W} w:numId="90"><w:abstractNumId w:val="404"/></w:num>'),
        (_level(0, "decimal", "%1.", start="mot"), '<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'),
        (_level(1, "decimal", "%2."), '<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'),
        (_level(0, "decimal", "%1."), '<w:num {W} w:numId="90"/>'),
        (
            _level(0, "decimal", "%1."),
            '<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="x"/></w:lvlOverride></w:num>',
        ),
    ],
    ids=["missing-abstract", "bad-start", "missing-level", "num-without-abstract", "bad-override"],
)
def test_a_damaged_list_definition_falls_back_to_a_dash_without_failing(definition: str, instance_xml: str) -> None:
    from docx.oxml import parse_xml

    builder = Builder()
    if definition:
        builder.definition(90, definition)
    builder.numbering.append(parse_xml(instance_xml.replace("{W}", W)))
    builder.add("Rà soát", 90)
    builder.add("Đoạn văn")
    assert builder.lines() == ["- Rà soát", "Đoạn văn"]


def test_a_level_out_of_range_falls_back_to_a_dash() -> None:
    builder = Builder()
    builder.definition(90, _level(0, "decimal", "%1."))
    builder.instance(90, 90)
    builder.add("Rà soát", 90, 12)
    builder.add("Báo cáo", 90, 0)
    assert builder.lines() == ["- Rà soát", "1. Báo cáo"]


def test_a_word_file_without_a_numbering_part_still_reads_numbered_paragraphs_as_dashes() -> None:
    builder = Builder()
    builder.add("Rà soát", 5)
    part = builder.document.part
    for key, relationship in list(part.rels.items()):
        if relationship.reltype.endswith("/numbering"):
            part.drop_rel(key)
    assert builder.lines() == ["- Rà soát"]


# --- tables ---------------------------------------------------------------------------------------------------------


def _task_table(builder: Builder, rows: list[tuple[str, str, str]], num_id: int) -> None:
    table = builder.document.add_table(rows=len(rows) + 1, cols=4)
    headings = ["STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"]
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell.text = text
    for row, (content, lead, deadline) in zip(table.rows[1:], rows, strict=True):
        properties = row.cells[0].paragraphs[0]._p.get_or_add_pPr().get_or_add_numPr()
        properties.get_or_add_ilvl().val = 0
        properties.get_or_add_numId().val = num_id
        row.cells[1].text, row.cells[2].text, row.cells[3].text = content, lead, deadline


def test_an_automatically_numbered_stt_column_gives_one_task_per_row(db: None) -> None:
    builder = Builder()
    builder.definition(90, _level(0, "decimal", "%1."))
    builder.instance(90, 90)
    for line in ["ỦY BAN NHÂN DÂN HUYỆN PHONG THỔ", "Số: 215/TB-UBND", "Phong Thổ, ngày 14 tháng 8 năm 2023"]:
        builder.add(line)
    builder.add("THÔNG BÁO")
    builder.add("Kết luận về công tác cải cách hành chính")
    builder.add("PHỤ LỤC")
    _task_table(
        builder,
        [
            ("Ban hành kế hoạch kiểm tra", "Phòng Nội vụ", "30/9/2023"),
            ("Rà soát văn bản quy phạm pháp luật", "Phòng Tư pháp", "15/11/2023"),
        ],
        90,
    )
    extraction = extract_document(builder.data(), "thong-bao.docx")
    assert [(task.section, task.lead_unit, str(task.deadline)) for task in extraction.tasks] == [
        ("1", "Phòng Nội vụ", "2023-09-30"),
        ("2", "Phòng Tư pháp", "2023-11-15"),
    ]


# --- end to end -----------------------------------------------------------------------------------------------------

HEADER = [
    "ỦY BAN NHÂN DÂN",
    "HUYỆN THẠCH HÀ",
    "Số: 27/KH-UBND",
    "Thạch Hà, ngày 22 tháng 02 năm 2024",
    "KẾ HOẠCH",
    "Kiểm tra công vụ năm 2024",
    "Thực hiện Kế hoạch của UBND tỉnh về kiểm tra công vụ năm 2024, UBND huyện ban hành Kế hoạch như sau:",
]
# (level, text): level 0 "I.", level 1 "1.", level 2 "a)".
BODY = [
    (0, "MỤC ĐÍCH, YÊU CẦU"),
    (1, "Đánh giá đúng thực trạng thực thi công vụ của cán bộ, công chức trên địa bàn huyện."),
    (0, "TỔ CHỨC THỰC HIỆN"),
    (1, "Phòng Nội vụ"),
    (2, "Tham mưu Chủ tịch UBND huyện thành lập Đoàn kiểm tra công vụ, hoàn thành trước ngày 31/3/2024."),
    (2, "Tổng hợp kết quả kiểm tra, báo cáo Chủ tịch UBND huyện trước ngày 10/12/2024."),
    (1, "Phòng Tư pháp chủ trì kiểm tra việc giải quyết thủ tục hành chính lĩnh vực hộ tịch trước ngày 30/6/2024."),
]
TYPED = {0: ["I.", "II."], 1: ["1.", "1.", "2."], 2: ["a)", "b)"]}


def _ke_hoach(*, typed: bool) -> bytes:
    builder = Builder()
    builder.definition(90, _level(0, "upperRoman", "%1."), _level(1, "decimal", "%2."), _level(2, "lowerLetter", "%3)"))
    builder.instance(90, 90)
    for line in HEADER:
        builder.add(line)
    markers = {level: iter(values) for level, values in TYPED.items()}
    for level, text in BODY:
        if typed:
            builder.add(f"{next(markers[level])} {text}")
        else:
            builder.add(text, 90, level)
    return builder.data()


def test_a_ke_hoach_numbered_by_word_gives_the_sections_of_the_same_ke_hoach_typed(db: None) -> None:
    numbered = extract_document(_ke_hoach(typed=False), "kh.docx")
    typed = extract_document(_ke_hoach(typed=True), "kh.docx")
    found = [(task.section, task.section_path, task.lead_unit, str(task.deadline)) for task in numbered.tasks]
    assert found == [(task.section, task.section_path, task.lead_unit, str(task.deadline)) for task in typed.tasks]
    assert found == [
        ("a)", "II.1.a)", "Phòng Nội vụ", "2024-03-31"),
        ("b)", "II.1.b)", "Phòng Nội vụ", "2024-12-10"),
        ("2", "II.2", "Phòng Tư pháp", "2024-06-30"),
    ]
    assert numbered.reference == "27/KH-UBND"
