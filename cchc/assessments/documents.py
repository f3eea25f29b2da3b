"""Files of the PAR INDEX results: Excel sheets and the Word decision announcing the index.

* :func:`scoring_sheet_xlsx` — one unit's scoring sheet in the layout provinces
  publish (STT | Tiêu chí | Điểm tối đa | Tự chấm | Thẩm định | Điểm đạt | Ghi chú);
* :func:`ranking_xlsx` — the ranking, one sheet per unit kind, with the
  component indices and the change against last year;
* :func:`points_lost_xlsx` — points lost per criterion, and every unit's
  criteria below max;
* :func:`remediation_plan_xlsx` — a unit's remediation plan (kế hoạch khắc phục);
* :func:`decision_docx` — the decision announcing the index (Quyết định công
  bố Chỉ số CCHC năm N) in the layout of Nghị định 30/2020/NĐ-CP: A4, margins
  top and bottom 20 mm, left 30 mm, right 15 mm, Times New Roman 14 pt (12–13
  pt where the decree asks for it), the ranking as an appendix on a new page.

Official documents are written in Vietnamese whatever the reader's language,
so their text is not marked for translation.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import translation
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from cchc.frameworks.models import CriterionCategory
from cchc.lib.numbers import format_points_written
from cchc.lib.text import sort_key
from cchc.organisations.models import UnitKind

from .analysis import PlanItem, RankingGroup, ranking, round_gaps, round_points_lost
from .models import Assessment, Result, Round, Score
from .results import CENT, ZERO, framework_trees, leaves_of, load_round, unit_totals

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT_NAME = "Times New Roman"

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

SCORING_SHEET_HEADER = ("STT", "Tiêu chí", "Điểm tối đa", "Tự chấm", "Thẩm định", "Điểm đạt", "Ghi chú")
RANKING_HEADER = (
    "STT",
    "Đơn vị",
    "Tổng điểm đạt",
    "Điểm tối đa",
    "Chỉ số (%)",
    "Xếp hạng",
    "Xếp loại",
    "So với năm trước",
)
POINTS_LOST_HEADER = (
    "STT",
    "Mã",
    "Tiêu chí",
    "Lĩnh vực",
    "Áp dụng cho",
    "Điểm tối đa",
    "Số đơn vị",
    "Số đơn vị đạt tối đa",
    "Tỷ lệ đạt tối đa (%)",
    "Tổng điểm bị mất",
    "Bình quân bị mất mỗi đơn vị",
    "Đơn vị bị mất nhiều điểm nhất",
)
UNIT_GAPS_HEADER = ("STT", "Đơn vị", "Mã", "Tiêu chí", "Điểm tối đa", "Điểm đạt", "Điểm bị mất")
PLAN_HEADER = (
    "STT",
    "Tiêu chí",
    "Điểm tối đa",
    "Điểm đạt",
    "Điểm bị trừ",
    "Đơn vị chịu trách nhiệm",
    "Nhiệm vụ khắc phục",
    "Thời hạn",
)


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _title_rows(sheet: Any, lines: Sequence[str], width: int) -> int:
    """Title lines merged across the table; returns the row of the table header."""
    for row, text in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=text).font = _TITLE if row == 1 else _BOLD
        sheet.cell(row=row, column=1).alignment = _CENTER
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    return len(lines) + 2


def _header(sheet: Any, row: int, header: Sequence[str], widths: Sequence[float]) -> None:
    for column, (text, width) in enumerate(zip(header, widths, strict=True), start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BOX
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def _row(sheet: Any, row: int, values: Sequence[Any], *, bold: bool = False, indent: int = 0) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.border = _BOX
        cell.alignment = Alignment(wrap_text=True, vertical="top", indent=indent if column == 2 else 0)
        if bold:
            cell.font = _BOLD
        if isinstance(value, float):
            cell.number_format = "0.00"


# ---------------------------------------------------------------------------
# A unit's scoring sheet


@dataclass
class _Sums:
    self_score: Decimal = ZERO
    appraised: Decimal = ZERO
    final: Decimal = ZERO
    has_self: bool = False
    has_appraised: bool = False
    has_final: bool = False

    def add(self, other: _Sums) -> None:
        self.self_score += other.self_score
        self.appraised += other.appraised
        self.final += other.final
        self.has_self |= other.has_self
        self.has_appraised |= other.has_appraised
        self.has_final |= other.has_final


def _signed(category: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return -abs(value) if category == CriterionCategory.PENALTY else value


def scoring_sheet_xlsx(assessment: Assessment) -> bytes:
    """One unit's scoring sheet; penalties show as negative numbers, parents as the sum of their leaves."""
    round_ = assessment.round
    tree = framework_trees([assessment.framework_id]).get(assessment.framework_id, [])
    scores = {
        row[0]: row[1:]
        for row in Score.objects.filter(assessment=assessment).values_list(
            "criterion_id", "self_score", "appraised_score", "final_score", "self_note", "appraisal_reason"
        )
    }
    sums: dict[int, _Sums] = {node.id: _Sums() for node in tree}
    for node in reversed(tree):
        if node.is_leaf:
            own, appraised, final, _note, _reason = scores.get(node.id, (None, None, None, "", ""))
            values = [_signed(node.category, value) for value in (own, appraised, final)]
            sums[node.id] = _Sums(
                values[0] or ZERO,
                values[1] or ZERO,
                values[2] or ZERO,
                values[0] is not None,
                values[1] is not None,
                values[2] is not None,
            )
        if node.parent_id is not None and node.parent_id in sums:
            sums[node.parent_id].add(sums[node.id])
    result = Result.objects.filter(assessment=assessment).first()
    if result is None:
        leaf_scores = {node_id: values[2] for node_id, values in scores.items()}
        totals = unit_totals(leaves_of(tree), leaf_scores, rescale_without_survey=round_.rescale_without_survey)
        total_points, max_points, index = totals.total_points, totals.max_points, totals.index_value
    else:
        total_points, max_points, index = result.total_points, result.max_points, result.index_value

    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "Phiếu chấm điểm"
    header_row = _title_rows(
        sheet,
        [
            f"PHIẾU CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {round_.year}",
            f"Đơn vị: {assessment.unit.name}",
        ],
        len(SCORING_SHEET_HEADER),
    )
    _header(sheet, header_row, SCORING_SHEET_HEADER, (9, 60, 12, 12, 12, 12, 40))
    row = header_row
    for node in tree:
        row += 1
        node_sums = sums[node.id]
        note = ""
        if node.is_leaf:
            _own, _appraised, _final, self_note, reason = scores.get(node.id, (None, None, None, "", ""))
            note = "; ".join(text for text in (reason, self_note) if text)
        maximum = _signed(node.category, node.max_points)
        _row(
            sheet,
            row,
            [
                node.code,
                node.title,
                _number(maximum),
                _number(node_sums.self_score) if node_sums.has_self else None,
                _number(node_sums.appraised) if node_sums.has_appraised else None,
                _number(node_sums.final) if node_sums.has_final else None,
                note,
            ],
            bold=node.depth == 0,
            indent=node.depth,
        )
    row += 1
    _row(sheet, row, ["", "TỔNG ĐIỂM ĐẠT", _number(max_points), None, None, _number(total_points), ""], bold=True)
    row += 1
    _row(sheet, row, ["", "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (%)", None, None, None, _number(index), ""], bold=True)
    if result is not None and result.rank:
        row += 1
        tied = " (đồng hạng)" if result.rank_tied else ""
        _row(sheet, row, ["", "XẾP HẠNG", None, None, None, result.rank, tied], bold=True)
        row += 1
        _row(sheet, row, ["", "XẾP LOẠI", None, None, None, result.grade, ""], bold=True)
    return _save(workbook)


# ---------------------------------------------------------------------------
# The ranking and the points-lost analysis


def _kind_label(kind: str) -> str:
    with translation.override("vi"):
        return str(UnitKind(kind).label) if kind in UnitKind.values else kind


def ranking_xlsx(round_: Round, groups: Sequence[RankingGroup] | None = None) -> bytes:
    """The ranking, one sheet per unit kind, with each area's component index."""
    with translation.override("vi"):
        groups = groups if groups is not None else ranking(round_)
        workbook = Workbook()
        workbook.remove(workbook.worksheets[0])
        for group in groups:
            sheet = workbook.create_sheet(title=_sheet_title(group.label))
            header = [*RANKING_HEADER, *(f"{code}. {title}"[:60] + " (%)" for code, title in group.areas)]
            widths = [6, 40, 12, 12, 11, 10, 9, 18, *(14 for _area in group.areas)]
            header_row = _title_rows(
                sheet,
                [f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {round_.year}", group.label.upper()],
                len(header),
            )
            _header(sheet, header_row, header, widths)
            for number, item in enumerate(group.rows, start=1):
                rank = f"{item.rank} (đồng hạng)" if item.rank_tied else item.rank
                change = item.change.rank_label if item.change else ""
                areas = [_number(value) for value in item.area_values]
                _row(
                    sheet,
                    header_row + number,
                    [
                        number,
                        item.unit_name,
                        _number(item.total_points),
                        _number(item.max_points),
                        _number(item.index_value),
                        rank,
                        item.grade,
                        change,
                        *areas,
                    ],
                )
        if not groups:
            workbook.create_sheet(title="Xếp hạng")
        return _save(workbook)


def _sheet_title(label: str) -> str:
    for character in "[]:*?/\\":
        label = label.replace(character, " ")
    return label[:31]


def points_lost_xlsx(round_: Round) -> bytes:
    """Points lost per criterion (most first) and, on a second sheet, every unit's criteria below max."""
    data = load_round(round_)
    rows = round_points_lost(round_, data=data)
    gaps = round_gaps(round_, data)
    unit_names = dict(Assessment.objects.filter(round=round_).values_list("pk", "unit__name"))
    kinds = {row[0]: row[3] for row in data.assessments}
    framework_kinds = {framework_id: kind for _a, _u, kind, framework_id in data.assessments}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Theo tiêu chí")
    for column, width in enumerate((6, 9, 60, 30, 22, 10, 9, 11, 11, 11, 11, 50), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.append([f"ĐIỂM BỊ MẤT THEO TIÊU CHÍ — CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {round_.year}"])
    sheet.append([])
    sheet.append(list(POINTS_LOST_HEADER))
    for number, row in enumerate(rows, start=1):
        loss = row.loss
        average = (loss.total_lost / loss.units).quantize(CENT, ROUND_HALF_UP) if loss.units else ZERO
        losers = "; ".join(f"{name} ({format_points_written(lost)})" for lost, name in row.losers)
        sheet.append(
            [
                number,
                row.criterion.code,
                row.criterion.title,
                f"{row.area.code}. {row.area.title}",
                _kind_label(framework_kinds.get(row.framework_id, "")),
                _number(_signed(row.criterion.category, row.criterion.max_points)),
                loss.units,
                loss.at_max,
                _number(loss.share_at_max),
                _number(loss.total_lost),
                _number(average),
                losers,
            ]
        )
    per_unit = workbook.create_sheet(title="Theo đơn vị")
    for column, width in enumerate((7, 40, 9, 60, 11, 11, 11), start=1):
        per_unit.column_dimensions[get_column_letter(column)].width = width
    per_unit.append(list(UNIT_GAPS_HEADER))
    gaps.sort(key=lambda gap: (kinds.get(gap.assessment_id, ""), sort_key(unit_names.get(gap.assessment_id, ""))))
    for number, gap in enumerate(gaps, start=1):
        penalty = gap.criterion.category == CriterionCategory.PENALTY
        per_unit.append(
            [
                number,
                unit_names.get(gap.assessment_id, ""),
                gap.criterion.code,
                gap.criterion.title,
                0.0 if penalty else _number(gap.criterion.max_points),
                _number(gap.final_score),
                _number(gap.lost),
            ]
        )
    return _save(workbook)


def remediation_plan_xlsx(assessment: Assessment, items: Sequence[PlanItem]) -> bytes:
    """The remediation plan (kế hoạch khắc phục) of one unit for the selected gaps."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "Kế hoạch khắc phục"
    header_row = _title_rows(
        sheet,
        [
            "KẾ HOẠCH KHẮC PHỤC HẠN CHẾ, THIẾU SÓT QUA ĐÁNH GIÁ "
            f"CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {assessment.round.year}",
            f"Đơn vị: {assessment.unit.name}",
        ],
        len(PLAN_HEADER),
    )
    _header(sheet, header_row, PLAN_HEADER, (6, 50, 11, 11, 11, 30, 60, 13))
    for number, item in enumerate(items, start=1):
        row = header_row + number
        _row(
            sheet,
            row,
            [
                number,
                f"{item.gap.criterion.code}. {item.gap.criterion.title}",
                _number(item.gap.max_points),
                _number(item.gap.final_score),
                _number(item.gap.lost),
                item.responsible,
                item.task,
                item.deadline,
            ],
        )
        if item.deadline:
            sheet.cell(row=row, column=len(PLAN_HEADER)).number_format = "DD/MM/YYYY"
    return _save(workbook)


# ---------------------------------------------------------------------------
# The Word decision


# Legal bases cited by the provinces' decisions, chosen by the date the decision is issued: the Law on the
# Organisation of Local Government (of 16 June 2025; before it, of 19 June 2015 as amended on 22 November
# 2019) and the Ministry of Home Affairs' PAR INDEX scheme (QĐ 892/QĐ-BNV of 5 December 2024; before it,
# QĐ 876/QĐ-BNV of 10 November 2022). The exact wording of the schemes' titles was not checked against the
# official texts: pass ``legal_bases`` to use the province's own wording.
LAW_2025 = "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"
LAW_2015 = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số điều của "
    "Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;"
)
SCHEME_892 = (
    "Căn cứ Quyết định số 892/QĐ-BNV ngày 05 tháng 12 năm 2024 của Bộ trưởng Bộ Nội vụ phê duyệt Đề án "
    "xác định Chỉ số cải cách hành chính giai đoạn 2024 – 2030;"
)
SCHEME_876 = (
    "Căn cứ Quyết định số 876/QĐ-BNV ngày 10 tháng 11 năm 2022 của Bộ trưởng Bộ Nội vụ phê duyệt Đề án "
    "xác định Chỉ số cải cách hành chính giai đoạn 2022 – 2030;"
)


def default_legal_bases(issue_date: datetime.date | None, year: int) -> tuple[str, ...]:
    """The law and the Ministry's scheme in force on the day the decision is issued (or in ``year``)."""
    day = issue_date or datetime.date(year, 12, 31)
    law = LAW_2025 if day >= datetime.date(2025, 6, 16) else LAW_2015
    scheme = SCHEME_892 if day >= datetime.date(2024, 12, 5) else SCHEME_876
    return (law, scheme)


_KIND_SUBJECTS: dict[str, str] = {
    UnitKind.DEPARTMENT.value: "các sở, ban, ngành",
    UnitKind.COMMUNE.value: "Ủy ban nhân dân các xã, phường, đặc khu",
    UnitKind.DISTRICT.value: "Ủy ban nhân dân các huyện, thị xã, thành phố",
}
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


@dataclass(frozen=True)
class DecisionOptions:
    number: str = ""  # e.g. "512"; blank: filled in by the clerk when issued
    signer_name: str = ""
    signer_deputy: bool = True  # "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" (a vice-chair signs on behalf)
    proposer: str = "Giám đốc Sở Nội vụ"
    legal_bases: tuple[str, ...] | None = None  # None: :func:`default_legal_bases` for the issue date
    issue_date: datetime.date | None = None


def place_name(organiser_name: str) -> str:
    """ "Tỉnh Phú Thọ" → "Phú Thọ" (the place written before the date)."""
    for prefix in ("Thành phố ", "Tỉnh ", "Xã ", "Phường ", "Đặc khu "):
        if organiser_name.startswith(prefix):
            return organiser_name[len(prefix) :]
    return organiser_name


def date_phrase(day: datetime.date | None, year: int) -> str:
    """ "ngày 05 tháng 02 năm 2025" as Nghị định 30 writes it (a zero before days below 10 and months 1–2)."""
    if day is None:
        return f"ngày      tháng      năm {year}"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def decision_subject(kinds: Iterable[str], year: int) -> str:
    parts = [_KIND_SUBJECTS.get(kind, "các cơ quan, đơn vị") for kind in kinds]
    unique = list(dict.fromkeys(parts)) or ["các cơ quan, đơn vị"]
    return f"Về việc công bố Chỉ số cải cách hành chính năm {year} của {' và '.join(unique)}"


def _set_font(run: Any, *, size: float, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT_NAME
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT_NAME)


def _paragraph(
    container: Any,
    text: str = "",
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = False,
    after: float = 6,
) -> Any:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(after)
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
    if text:
        _set_font(paragraph.add_run(text), size=size, bold=bold, italic=italic)
    return paragraph


def _short_rule(container: Any, *, indent_cm: float) -> None:
    """A short centred line under a heading (a paragraph with a bottom border, narrowed by its indents)."""
    paragraph = _paragraph(container, align=WD_ALIGN_PARAGRAPH.CENTER, after=2)
    paragraph.paragraph_format.left_indent = Cm(indent_cm)
    paragraph.paragraph_format.right_indent = Cm(indent_cm)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)
    paragraph.paragraph_format.line_spacing = Pt(4)


def _counted(kind: str, count: int) -> str:
    """ "14 sở, ban, ngành", "Ủy ban nhân dân 13 xã, phường, đặc khu" for Article 1."""
    if kind == UnitKind.DEPARTMENT:
        return f"{count} sở, ban, ngành"
    if kind == UnitKind.COMMUNE:
        return f"Ủy ban nhân dân {count} xã, phường, đặc khu"
    if kind == UnitKind.DISTRICT:
        return f"Ủy ban nhân dân {count} huyện, thị xã, thành phố"
    return f"{count} cơ quan, đơn vị"


def _lower_first(name: str) -> str:
    """ "Tỉnh Phú Thọ" → "tỉnh Phú Thọ" (a body's kind is lower case inside a sentence, its name is not)."""
    head, _space, rest = name.partition(" ")
    return f"{head.lower()} {rest}".strip()


def _cell(cell: Any) -> Any:
    """A table cell emptied of its default paragraph so that content starts at the top."""
    for paragraph in list(cell.paragraphs):
        paragraph._element.getparent().remove(paragraph._element)
    return cell


def _no_borders(table: Any) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def decision_docx(
    round_: Round, groups: Sequence[RankingGroup] | None = None, options: DecisionOptions | None = None
) -> bytes:
    """The decision announcing the round's index, with the ranking as an appendix on a new page."""
    options = options or DecisionOptions()
    with translation.override("vi"):
        groups = groups if groups is not None else ranking(round_, with_changes=False)
        return _decision(round_, groups, options)


def _decision(round_: Round, groups: Sequence[RankingGroup], options: DecisionOptions) -> bytes:
    organiser = round_.organiser.name
    body_name = organiser.upper()
    issue_date = options.issue_date or round_.publication_date
    issue_year = issue_date.year if issue_date else round_.year + 1
    number = options.number or "      "
    subject = decision_subject([group.unit_kind for group in groups], round_.year)
    framework_references = sorted(
        {reference for reference in round_.frameworks.values_list("decision_reference", flat=True) if reference}
    )

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = FONT_NAME
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_NAME)

    # Header: issuing body and number on the left, national name and motto on the right.
    header = document.add_table(rows=1, cols=2)
    _no_borders(header)
    header.autofit = False
    left, right = (_cell(cell) for cell in header.rows[0].cells)
    left.width, right.width = Cm(6.2), Cm(10.3)
    _paragraph(left, "ỦY BAN NHÂN DÂN", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(left, body_name, size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _short_rule(left, indent_cm=2.0)
    _paragraph(left, f"Số: {number}/QĐ-UBND", size=13, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(
        right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0
    )
    _paragraph(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _short_rule(right, indent_cm=2.3)
    _paragraph(
        right,
        f"{place_name(organiser)}, {date_phrase(issue_date, issue_year)}",
        size=14,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=0,
    )

    _paragraph(document, after=6)
    _paragraph(document, "QUYẾT ĐỊNH", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(document, subject, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _short_rule(document, indent_cm=6.0)
    _paragraph(document, after=0)
    _paragraph(document, f"CHỦ TỊCH ỦY BAN NHÂN DÂN {body_name}", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    legal_bases = options.legal_bases
    if legal_bases is None:
        legal_bases = default_legal_bases(issue_date, issue_year)
    for basis in legal_bases:
        _paragraph(document, basis, italic=True, indent=True)
    for reference in framework_references:
        _paragraph(
            document,
            f"Căn cứ {reference.rstrip('.;')} ban hành tiêu chí và quy trình xác định Chỉ số cải cách hành chính "
            f"năm {round_.year};",
            italic=True,
            indent=True,
        )
    _paragraph(document, f"Theo đề nghị của {options.proposer}.", italic=True, indent=True)
    _paragraph(document, "QUYẾT ĐỊNH:", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    announced = " và ".join(_counted(group.unit_kind, len(group.rows)) for group in groups) or "các cơ quan, đơn vị"
    articles = (
        (
            "Điều 1. ",
            f"Công bố Chỉ số cải cách hành chính năm {round_.year} của {announced} "
            "(chi tiết tại Phụ lục kèm theo Quyết định này).",
        ),
        (
            "Điều 2. ",
            "Căn cứ kết quả Chỉ số cải cách hành chính được công bố, các cơ quan, đơn vị rà soát những hạn chế, "
            "thiếu sót ở từng tiêu chí, tiêu chí thành phần bị mất điểm; xây dựng kế hoạch khắc phục, xác định rõ "
            "trách nhiệm của tập thể, cá nhân và thời hạn hoàn thành; báo cáo kết quả về Sở Nội vụ để theo dõi, "
            "tổng hợp.",
        ),
        (
            "Điều 3. ",
            "Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ, "
            "Thủ trưởng các cơ quan, đơn vị và Chủ tịch Ủy ban nhân dân các xã, phường, đặc khu có tên tại Phụ lục "
            "chịu trách nhiệm thi hành Quyết định này./.",
        ),
    )
    for heading, text in articles:
        paragraph = _paragraph(document, indent=True)
        _set_font(paragraph.add_run(heading), size=14, bold=True)
        _set_font(paragraph.add_run(text), size=14)

    # Signature block: recipients on the left, the signer on the right.
    signature = document.add_table(rows=1, cols=2)
    _no_borders(signature)
    signature.autofit = False
    recipients, signer = (_cell(cell) for cell in signature.rows[0].cells)
    recipients.width, signer.width = Cm(8.0), Cm(8.5)
    _paragraph(recipients, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=0)
    for line in (
        "- Như Điều 3;",
        "- Bộ Nội vụ (để báo cáo);",
        "- Thường trực Tỉnh ủy, Thường trực HĐND tỉnh;",
        "- Chủ tịch, các Phó Chủ tịch UBND tỉnh;",
        "- Cổng Thông tin điện tử tỉnh;",
        "- Lưu: VT, NV.",
    ):
        _paragraph(recipients, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT, after=0)
    titles = ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH") if options.signer_deputy else ("CHỦ TỊCH",)
    for title in titles:
        _paragraph(signer, title, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    for _blank in range(4):
        _paragraph(signer, after=0)
    _paragraph(signer, options.signer_name, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)

    _appendix(document, round_, groups, number=number, issue_date=issue_date, issue_year=issue_year)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _appendix(
    document: Any,
    round_: Round,
    groups: Sequence[RankingGroup],
    *,
    number: str,
    issue_date: datetime.date | None,
    issue_year: int,
) -> None:
    heading = _paragraph(document, "PHỤ LỤC", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    heading.paragraph_format.page_break_before = True
    _paragraph(
        document,
        f"CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {round_.year}",
        size=14,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=0,
    )
    _paragraph(
        document,
        f"(Kèm theo Quyết định số {number}/QĐ-UBND {date_phrase(issue_date, issue_year)} "
        f"của Chủ tịch Ủy ban nhân dân {_lower_first(round_.organiser.name)})",
        size=14,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    widths = (Cm(1.2), Cm(7.3), Cm(2.0), Cm(2.2), Cm(1.9), Cm(1.9))
    for position, group in enumerate(groups):
        numeral = _ROMAN[position] if position < len(_ROMAN) else str(position + 1)
        _paragraph(document, f"{numeral}. {group.label.upper()}", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        table = document.add_table(rows=1, cols=6)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text, width in zip(
            table.rows[0].cells,
            ("STT", "Đơn vị", "Điểm đạt", "Chỉ số (%)", "Xếp hạng", "Xếp loại"),
            widths,
            strict=True,
        ):
            cell.width = width
            _fill(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _repeat_header(table.rows[0])
        for count, item in enumerate(group.rows, start=1):
            cells = table.add_row().cells
            values = (
                (str(count), WD_ALIGN_PARAGRAPH.CENTER),
                (item.unit_name, WD_ALIGN_PARAGRAPH.LEFT),
                (format_points_written(item.total_points), WD_ALIGN_PARAGRAPH.CENTER),
                (f"{item.index_value:.2f}".replace(".", ","), WD_ALIGN_PARAGRAPH.CENTER),
                (str(item.rank or ""), WD_ALIGN_PARAGRAPH.CENTER),
                (item.grade, WD_ALIGN_PARAGRAPH.CENTER),
            )
            for cell, (text, align), width in zip(cells, values, widths, strict=True):
                cell.width = width
                _fill(cell, text, align=align)
        _paragraph(document, after=6)


def _fill(cell: Any, text: str, *, bold: bool = False, align: Any = WD_ALIGN_PARAGRAPH.LEFT) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    _set_font(paragraph.add_run(text), size=13, bold=bold)


def _repeat_header(row: Any) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)
