"""Cleaning the text of a directive before parsing: Unicode, markdown, page numbers, footnotes.

Text converted from PDF or Word carries debris that is not part of the
directive: page numbers on their own line, footnotes at the bottom of a page
(after a long run of spaces or underscores) with their reference digits
glued to words ("của huyện1"), markdown emphasis from converters
(``**30/11/2023**``), odd bullets. Lines stay lines here; joining wrapped
lines into paragraphs is :mod:`.sections`' job.
"""

from __future__ import annotations

import re
import unicodedata

from cchc.lib.dates import fold_aligned

from .cell_tables import rebuild_cell_tables
from .rules import fire

_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES_RE = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u3000]+")
_MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_BOLD_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_ITALIC_RE = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_MD_ITALIC_UNDERSCORE_RE = re.compile(r"(?<![\w_])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w_])")
_MD_LIST_RE = re.compile(r"^(\s*)[*•·▪●◦○■□➢➤►✓–—]\s+")
_MD_TABLE_RULE_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:trang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*[-–—])?\s*$", re.IGNORECASE
)
_FOOTNOTE_SEPARATOR_RE = re.compile(r"^(?:\s{20,}|\s*_{5,}\s*|\s*-{10,}\s*)$")
_FOOTNOTE_RE = re.compile(r"^\s*(\d{1,2})\s+(?=[A-ZĐÀ-Ỹ])")


def normalize_text(text: str) -> str:
    """NFC, one kind of newline and space, no zero-width characters; tabs are kept (they separate table cells)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return _ZERO_WIDTH_RE.sub("", text)


def _collapse_spaces(line: str) -> str:
    return _SPACES_RE.sub(" ", line) if "\t" not in line else line


def strip_markdown(line: str) -> str:
    if _MD_TABLE_RULE_RE.match(line) and "-" in line:
        return ""
    line = _MD_HEADING_RE.sub("", line)
    line = _MD_BOLD_RE.sub(r"\2", line)
    line = _MD_ITALIC_RE.sub(r"\1", line)
    line = _MD_ITALIC_UNDERSCORE_RE.sub(r"\1", line)
    return _MD_LIST_RE.sub(r"\1- ", line)


def _remove_footnotes(lines: list[str]) -> tuple[list[str], set[str]]:
    """Drop footnote blocks that follow a separator line; return the remaining lines and the footnote numbers."""
    kept: list[str] = []
    numbers: set[str] = set()
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FOOTNOTE_SEPARATOR_RE.match(line) and line.strip(" ") == line.strip(" _-") and len(line) >= 5:
            probe = index + 1
            while probe < len(lines) and not lines[probe].strip():
                probe += 1
            if probe < len(lines) and _FOOTNOTE_RE.match(lines[probe]):
                index = probe
                while index < len(lines):
                    match = _FOOTNOTE_RE.match(lines[index])
                    if not match:
                        break
                    numbers.add(match.group(1))
                    text = lines[index].strip()
                    index += 1
                    # A footnote runs until its sentence ends.
                    while not text.endswith((".", ";")) and index < len(lines) and not _FOOTNOTE_RE.match(lines[index]):
                        if lines[index].strip():
                            text = lines[index].strip()
                        index += 1
                continue
        kept.append(line)
        index += 1
    return kept, numbers


def _remove_footnote_marks(line: str, numbers: set[str]) -> str:
    for number in numbers:
        line = re.sub(rf"(?<=[^\W\d_]){number}(?=[\s.,;:)]|$)", "", line)
        line = re.sub(rf"(?<=\b(?:19|20)\d\d){number}(?=[\s.,;:)]|$)", "", line)
    return line


_CELL_BAR_RE = re.compile(r"^\s*\|\s*$")
_RULE_LINE_RE = re.compile(r"^\s*[-_=–—.*]{3,}\s*$")
_OWN_LINE_RE = re.compile(r"^\s*(?:V\s*/\s*v|K[íi]nh\s+g[ửu]i|Đ[ộo]c\s+l[ậa]p)", re.IGNORECASE)
_HEADER_ZONE = 40
_SIDE_BY_SIDE_RE = re.compile(r"(?<=\S) {4,}(?=\S)")
_RECIPIENT_SIDE_RE = re.compile(r"^\s*(?:N[ơo]i\s+nh[ậa]n|[-–+•])", re.IGNORECASE)
_PERSON_RE = re.compile(r"^(?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]{0,7}\s+){1,4}[A-ZĐÀ-Ỹ][a-zà-ỹđ]{0,7}$")


def _signature_columns(line: str) -> str:
    if "|" in line or not _RECIPIENT_SIDE_RE.match(line):
        return line
    parts = _SIDE_BY_SIDE_RE.split(line.strip(), maxsplit=1)
    if len(parts) != 2:
        return line
    right = parts[1].strip()
    letters = [char for char in right if char.isalpha()]
    role = letters and sum(char.isupper() for char in letters) >= 0.8 * len(letters)
    return f"{parts[0]} | {right}" if role or _PERSON_RE.match(right) or right.startswith("(") else line


_BODY_LINE_RE = re.compile(r"^\s*(?:[IVX]+|\d{1,2}|[a-zđ])\s*[.)]\s+\S|^.{100,}")


def join_header_cells(lines: list[str]) -> list[str]:
    """Rejoin the header of a text copied from a web page that flattened the header table.

    Such copies put each table cell between lines holding a lone ``|`` and
    break lines inside cells anywhere ("ỦY / BAN NHÂN DÂN / TỈNH HÀ TĨNH",
    "Số: / 215/KH-UBND", "Hà / Tĩnh, ngày 14 tháng 3 / năm 2025"). Each cell
    of the header becomes one line again (the national motto, "V/v …" and
    "Kính gửi" keep their own lines); later bars are dropped.
    """
    bars: list[int] = []
    for index, line in enumerate(lines[:_HEADER_ZONE]):
        if not _CELL_BAR_RE.match(line):
            continue
        before = [text for text in lines[(bars[-1] + 1 if bars else 0) : index] if text.strip()]
        if len(before) > 6 or any(_BODY_LINE_RE.match(text) for text in before):
            break  # the header ends with the last short cell; bars later on frame "Nơi nhận" and the signature
        bars.append(index)
    if len(bars) < 2:
        return [line for line in lines if not _CELL_BAR_RE.match(line)]
    result: list[str] = []
    cell: list[str] = []

    def flush() -> None:
        if cell:
            result.append(" ".join(cell))
            cell.clear()

    for line in lines[: bars[-1] + 1]:
        text = line.strip()
        if _CELL_BAR_RE.match(line) or _RULE_LINE_RE.match(line) or not text:
            flush()
            continue
        if _OWN_LINE_RE.match(text):
            flush()
        cell.append(text)
    flush()
    return result + [line for line in lines[bars[-1] + 1 :] if not _CELL_BAR_RE.match(line)]


_GAP_RE = re.compile(r"\S+(?: \S+)*")
_HEADER_WORDS = [
    re.compile(r"^(?:s?tt|so\s+tt)$"),
    re.compile(r"noi\s+dung|nhiem\s+vu|cong\s+viec"),
    re.compile(r"chu\s+tri|thuc\s+hien$|trach\s+nhiem"),
    re.compile(r"phoi\s+hop"),
    re.compile(r"thoi\s+(?:gian|han)|tien\s+do|hoan\s+thanh"),
]


def _chunks(line: str) -> list[tuple[int, str]]:
    """The pieces of a line separated by two or more spaces, with where each starts."""
    return [(match.start(), match.group(0)) for match in _GAP_RE.finditer(line)]


def align_space_tables(lines: list[str]) -> list[str]:
    """Turn a table whose columns a PDF text layer aligned with spaces into bar-separated rows.

    The header row ("TT   Nội dung công việc   Đơn vị chủ trì   Thời gian thực hiện") gives where each
    column starts; every following line of the table is cut into its pieces (separated by two or more spaces)
    and each piece goes to the column it starts under. A wrapped cell gives a row with an empty number, which
    the task reader joins to the row above. The table ends at a line that is neither aligned nor indented.
    """
    result: list[str] = []
    columns: list[int] | None = None
    for line in lines:
        text = line.rstrip()
        if columns is None:
            chunks = _chunks(text)
            folded = [fold_aligned(chunk) for _start, chunk in chunks]
            hits = sum(any(regex.search(cell) for cell in folded) for regex in _HEADER_WORDS)
            if len(chunks) >= 3 and hits >= 3 and "|" not in text and "\t" not in text:
                columns = [start for start, _chunk in chunks]
                result.append(" | ".join(chunk for _start, chunk in chunks))
                continue
            result.append(line)
            continue
        chunks = _chunks(text)
        aligned = len(chunks) >= 2 or (chunks and chunks[0][0] >= 3)
        if not text.strip() or not aligned:
            if text.strip():
                columns = None
            result.append(line)
            continue
        cells = [""] * len(columns)
        for start, chunk in chunks:
            index = max((i for i, column in enumerate(columns) if column <= start + 2), default=0)
            cells[index] = f"{cells[index]} {chunk}".strip()
        result.append(" | ".join(cells).strip())  # an empty first cell leaves a leading bar
    return result


_LONE_MARKER_RE = re.compile(r"^\s*(?:[IVX]{1,5}|\d{1,2}(?:\.\d{1,2}){0,3}|[a-zđ])\s*[.)]\s*$")


def join_lone_markers(lines: list[str]) -> list[str]:
    """A list marker a web page left alone on its line ("1." then "Công an thành phố") joined to the line after it.

    Only when the next line follows directly (the number cells of a flattened table, set off by blank lines, are
    read before this, by :mod:`.cell_tables`)."""
    result: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _LONE_MARKER_RE.match(line) and following.strip() and not _LONE_MARKER_RE.match(following):
            fire("segment.lone_marker_joined")
            result.append(f"{line.strip()} {following.strip()}")
            index += 2
            continue
        result.append(line)
        index += 1
    return result


def clean_lines(text: str) -> list[str]:
    """The lines of ``text`` without debris; blank lines are kept (they may separate paragraphs)."""
    lines, numbers = _remove_footnotes(normalize_text(text).split("\n"))
    lines = join_lone_markers(rebuild_cell_tables(align_space_tables(join_header_cells(lines))))
    # The recipients and the signature set side by side ("Nơi nhận:        KT. CHỦ TỊCH", "- Lưu: VT.    Hồ Minh
    # Khoa") keep a bar between the two columns.
    lines = [_signature_columns(line) for line in lines]
    lines = [_collapse_spaces(strip_markdown(line)).rstrip() for line in lines]
    lines = ["" if _PAGE_NUMBER_RE.match(line) else line for line in lines]
    if numbers:
        lines = [_remove_footnote_marks(line, numbers) for line in lines]
    return lines
