"""What the builders of the Word documents of the labelled set share (``tests/extraction/data/``).

The builders (``build_labelled_docx.py``, ``build_labelled_docx_set5.py``) only make test data: Word files laid out
as the administrations write them (borderless header and signature tables, task tables), for the extraction tests
and ``bench/extraction.py``. Run them with a Python that has python-docx, from the repository root.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table, _Cell

# Where the built files go: the labelled set.
DATA = Path(__file__).resolve().parent.parent / "tests" / "extraction" / "data"
FONT = "Times New Roman"


def remove_borders(table: Table) -> None:
    """Hide every border of a table (headers and signature blocks are laid out in borderless tables)."""
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def cell_text(
    cell: _Cell,
    lines: Sequence[tuple[str, bool, bool | None]],
    size: int | None = 13,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
) -> None:
    """Fill a cell with (text, bold, italic) lines, one paragraph each; ``None`` leaves italic or size unset."""
    first = True
    for text, bold, italic in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = align
        run = paragraph.add_run(text)
        run.bold = bold
        if italic is not None:
            run.italic = italic
        if size is not None:
            run.font.size = Pt(size)
