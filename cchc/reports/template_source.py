"""The shipped Word template of the periodic report, written with python-docx (``python -m cchc.reports.template_source
OUT.docx`` writes it again; the file in ``data/`` is what is shipped and what the secretariat downloads to edit).

The layout follows Nghị định 30/2020/NĐ-CP (Phụ lục I): A4, margins 20 mm top and bottom, 30 mm left, 15 mm right;
Times New Roman 13–14 pt; the issuing authority left and the national motto right in a borderless header table,
the document number below the authority and the place and date in italics below the motto; the kind of document
("BÁO CÁO") bold and centred, the subject below it; the recipients ("Nơi nhận") and the signature block at the end.

The template speaks docxtpl's Jinja: ``{{ issuer }}``, ``{%p for part in parts %}`` … (see docs/reports.md for every
name). A replacement template uploaded by the secretariat may move, restyle or drop any of them.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

SHIPPED_TEMPLATE = Path(__file__).parent / "data" / "bao_cao_cchc.docx"
FONT = "Times New Roman"


def _no_borders(table: object) -> None:
    properties = table._tbl.tblPr  # type: ignore[attr-defined]
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _paragraph(
    container: object,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = 14,
    align: int | None = None,
    indent: bool = False,
) -> object:
    paragraph = container.add_paragraph()  # type: ignore[attr-defined]
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    paragraph.paragraph_format.space_after = Pt(6)
    run = paragraph.add_run(text)
    run.bold = bold
    run.italic = italic
    run.font.size = Pt(size)
    return paragraph


def _cell(cell: object, lines: list[tuple[str, bool, bool]], size: int = 13) -> None:
    cell.text = ""  # type: ignore[attr-defined]
    first = True
    for text, bold, italic in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()  # type: ignore[attr-defined]
        first = False
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(size)


def build_template() -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = document.styles["Normal"]
    style.font.name = FONT  # type: ignore[attr-defined]
    style.font.size = Pt(14)  # type: ignore[attr-defined]
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # type: ignore[attr-defined]

    header = document.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(header)
    left, right = header.rows[0].cells
    left.width, right.width = Mm(65), Mm(100)
    _cell(
        left,
        [("{{ issuer_parent }}", False, False), ("{{ issuer }}", True, False), ("Số: {{ reference }}", False, False)],
    )
    _cell(
        right,
        [
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False),
            ("Độc lập - Tự do - Hạnh phúc", True, False),
            ("{{ place }}, {{ date_text }}", False, True),
        ],
    )
    _paragraph(document, "")
    _paragraph(document, "BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, "{{ subject }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, "{%p for part in parts %}")
    _paragraph(document, "{{ part.heading }}", bold=True)
    _paragraph(document, "{%p for section in part.sections %}")
    _paragraph(document, "{{ section.heading }}", bold=True, italic=True)
    _paragraph(document, "{%p for text in section.paragraphs %}")
    _paragraph(document, "{{ text }}", indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _paragraph(document, "{%p endfor %}")
    _paragraph(document, "{%p endfor %}")
    _paragraph(document, "{{p part.figures }}")
    _paragraph(document, "{%p endfor %}")

    closing = document.add_table(rows=1, cols=2)
    _no_borders(closing)
    left, right = closing.rows[0].cells
    left.text = ""
    paragraph = left.paragraphs[0]
    run = paragraph.add_run("Nơi nhận:")
    run.bold, run.italic = True, True
    run.font.size = Pt(12)
    recipients = left.add_paragraph("{{ recipients }}")
    recipients.runs[0].font.size = Pt(11)
    _cell(
        right,
        [("{{ signer_title }}", True, False), ("", False, False), ("", False, False), ("{{ signer }}", True, False)],
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":  # pragma: no cover - the script that writes the shipped file
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SHIPPED_TEMPLATE
    target.write_bytes(build_template())
