"""Tables that a web page flattened into one cell per paragraph, rebuilt into bar-separated rows.

Annexes of plans ("Phụ lục: Bảng phân công nhiệm vụ") are tables. Copied from a web page, each cell becomes a
paragraph of its own, wrapped over lines and separated from the next cell by a blank line::

    STT

    Nhiệm vụ, giải pháp

    Đơn vị thực hiện

    Thời gian thực hiện

    1.1

    Rà soát, sửa đổi các quy định …

    Sở Tư pháp

    2026 - 2030

The header's cells name the columns (:func:`column_kind`). Each row then starts with its number, and its cells
follow in the columns' order; a cell that does not fit the next column (a unit list where a deadline is due, say)
leaves that column empty. A cell merged over several rows (the lead of a row with several sub-tasks) appears only
in the first of them: when a cell fits no column left in the row, it opens a sub-row that repeats (``〃``) the
cells before the content column. The result is the ``|``-separated rows the task reader already reads
(``core._Extractor._table``), so both kinds of table give tasks the same way.
"""

from __future__ import annotations

import re

from cchc.lib.dates import fold_aligned

from .names import HEAD_PHRASES, unknown_name_end
from .rules import fire
from .text_view import TextView
from .vocabulary import phrases

# A merged cell, repeated from the row above.
DITTO = "〃"

_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){0,3}\.?|[IVXL]{1,6}\.?|[A-ZĐ]\.?)$")
_GROUP = re.compile(r"^((?:[IVXL]{1,6}|[A-ZĐ])\.?)\s+(\S.*)$")
_COLUMN_RULES = [
    ("tt", re.compile(r"^(?:s\s*)?tt$|^so\s+(?:tt|thu\s+tu)$")),
    ("other", re.compile(r"^thuoc\s+nhom|^nhom\s|ghi\s+chu|kinh\s+phi|nguon\s+von")),
    ("support", re.compile(r"phoi\s+hop")),
    (
        "lead",
        re.compile(
            r"chu\s+tri|(?:don\s+vi|co\s+quan)(?:\s+\S+)?\s+(?:thuc\s+hien|chiu\s+trach\s+nhiem)|trach\s+nhiem"
            r"|phu\s+trach|tiep\s+nhan,?\s+xu\s+ly"
        ),
    ),
    ("deadline", re.compile(r"thoi\s+(?:gian|han|diem)|tien\s+do|han\s+hoan\s+thanh|lo\s+trinh")),
    ("output", re.compile(r"san\s+pham|ket\s+qua|chi\s+tieu|hinh\s+thuc")),
    (
        "content",
        re.compile(
            r"noi\s+dung|nhiem\s+vu|cong\s+viec|giai\s+phap|hoat\s+dong|ten\s+|^thong\s+tin\s+de\s+xuat|^de\s+xuat"
        ),
    ),
]
_DEADLINE_WORDS = re.compile(
    r"\b(?:19|20)\d{2}\b|\bquy\s+(?:[iv]+|[1-4])\b|\bthang\s+\d|thuong\s+xuyen|\bhang\s+(?:nam|quy|thang|tuan)"
    r"|dinh\s+ky|lien\s+tuc|truoc\s+ngay|\bngay\s+\d"
)
_PLURAL_UNITS = re.compile(
    r"^-?\s*(?:cac|tat\s+ca\s+cac)\s+(?:so|bo|ban|nganh|co\s+quan|don\s+vi|dia\s+phuong|xa|phuong|huyen|tinh|"
    r"thanh\s+pho|doanh\s+nghiep|to\s+chuc|hoi|doan\s+the|truong|tap\s+doan|tong\s+cong\s+ty|ngan\s+hang)\b"
    r"|^-?\s*(?:ubnd|uy\s+ban\s+nhan\s+dan)\b"
)
_TABLE_END = re.compile(r"^(?:phu\s+luc|noi\s+nhan|bieu\s+mau|mau\s+so)\b")
_MAX_HEADER_WORDS = 14
# The number column's header cell ("TT", "STT") as a scan of a noisy page often reads it: two to four letters, digits
# or strokes alone on their line ("17W", "1T", "5TT"). It opens a table only when the cells after it are a header
# that names the content and the lead or the deadline (:func:`_header`).
_MISREAD_NUMBER_HEADER = re.compile(r"^[0-9A-Za-z|!/]{2,4}$")
_MAX_DEADLINE_WORDS = 30
# A time cell that gives a time for each of its steps may run longer ("- Xây dựng các quy định … trong giai đoạn 2026
# - 2027. - Thí điểm mô hình tái chế từ năm 2027."): taken where the row's time is due (:meth:`_Rows.add`).
_MAX_STEPS_WORDS = 60
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_MAX_NAME_WORDS = 16


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", fold_aligned(text)).split())


def column_kind(header: str) -> str:
    """What a header cell's column holds: ``tt``, ``content``, ``lead``, ``support``, ``deadline``, ``output``
    or ``other``."""
    folded = _fold(header)
    for kind, rule in _COLUMN_RULES:
        if rule.search(folded):
            return kind
    return "other"


def _blocks(lines: list[str], start: int) -> list[tuple[int, int, str]]:
    """The paragraphs from ``start``: (first line, line after the last, text joined with spaces)."""
    blocks: list[tuple[int, int, str]] = []
    index = start
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        first = index
        while index < len(lines) and lines[index].strip():
            index += 1
        blocks.append((first, index, " ".join(line.strip() for line in lines[first:index])))
    return blocks


def _is_units(text: str) -> bool:
    folded = _fold(text)
    if _PLURAL_UNITS.match(folded):
        return True
    stripped = text.lstrip("-–+• ").strip()
    return unknown_name_end(TextView(stripped), 0) is not None


def _is_deadline(text: str) -> bool:
    return len(text.split()) <= _MAX_DEADLINE_WORDS and bool(_DEADLINE_WORDS.search(_fold(text)))


def _times_each_step(text: str) -> bool:
    """A cell whose every sentence names a year: the time of each step of the row's work."""
    steps = [step for step in re.split(r"(?<=[.;])\s+", text.strip()) if step.strip(" -.;")]
    return (
        len(steps) >= 2
        and len(text.split()) <= _MAX_STEPS_WORDS
        and all(_YEAR.search(step) for step in steps)
        and bool(_DEADLINE_WORDS.search(_fold(text)))
    )


def _reads_as_names(text: str) -> bool:
    """A short cell that reads as a list of names rather than a sentence ("Sở, ban, ngành có liên quan", "Liên
    hiệp các Hội Khoa học và Kỹ thuật", "Viện, Trường; Doanh nghiệp"): capitalised, no sentence end, no bullet."""
    stripped = text.strip()
    words = re.sub(r"[^a-z0-9 ]", " ", fold_aligned(stripped)).split()
    opens = any(
        tuple(words[: len(head)]) == head
        for head in (*HEAD_PHRASES, *(tuple(p.split()) for p in phrases("table_unit_openers")))
    )
    return (
        opens
        and stripped[0].isupper()
        and column_kind(stripped) == "other"
        and len(stripped.split()) <= _MAX_NAME_WORDS
        and not stripped.endswith((".", ":"))
        and not _is_deadline(stripped)
    )


def _fits(kind: str, text: str, *, after_content: bool = False) -> bool:
    if kind == "tt":
        return bool(_NUMBER.match(text))
    if kind in ("lead", "support"):
        # Once the row's content is in, a unit column takes a short list of names that the name reader does not
        # know ("Sở, ban, ngành có liên quan") instead of opening a sub-row with it.
        return _is_units(text) or (after_content and _reads_as_names(text))
    if kind == "deadline":
        return _is_deadline(text)
    if kind == "content":
        return not _NUMBER.match(text) and (not _is_units(text) or len(text.split()) > 25)
    return not _NUMBER.match(text)


def _header(blocks: list[tuple[int, int, str]], at: int) -> list[str] | None:
    """The column kinds of a header starting at block ``at`` (its "STT" cell), or None when it is not one."""
    kinds: list[str] = []
    for _first, _end, text in blocks[at:]:
        if _NUMBER.match(text) or _GROUP.match(text) or re.fullmatch(r"\(\d+\)", text):
            break
        if len(text.split()) > _MAX_HEADER_WORDS:
            return None
        kinds.append(column_kind(text) if kinds else "tt")
    if len(kinds) < 3 or ("content" not in kinds and "output" not in kinds):
        return None
    if "content" not in kinds:
        kinds[kinds.index("output")] = "content"  # "Chỉ tiêu" is what the row asks for when nothing else does
    if "lead" not in kinds and "deadline" not in kinds:
        return None
    return kinds


class _Rows:
    def __init__(self, kinds: list[str]) -> None:
        self.kinds = kinds
        self.content = kinds.index("content")
        self.rows: list[list[str]] = []
        self.cells: list[str] = []
        self.position = 0

    def flush(self) -> None:
        if any(cell and cell != DITTO for cell in self.cells):
            self.rows.append(self.cells)
        self.cells, self.position = [], 0

    def start(self, number: str) -> None:
        self.flush()
        self.cells = [""] * len(self.kinds)
        self.cells[0] = number
        self.position = 1

    def sub_row(self) -> None:
        above = self.cells
        self.flush()
        self.cells = [DITTO if index < self.content and above[index] else "" for index in range(len(self.kinds))]
        self.position = self.content

    def add(self, text: str, *, row_ends: bool = False) -> None:
        """Put a cell in the next column it fits; ``row_ends`` when the next paragraph starts another row (a cell
        that reads as a time then goes to the time column, since the columns between were left empty)."""
        if not self.cells:
            group = _GROUP.match(text)
            self.start(group.group(1) if group else "")
            if group:
                text = group.group(2)
        if row_ends and "deadline" in self.kinds[self.position :] and _is_deadline(text):
            index = self.kinds.index("deadline", self.position)
            self.cells[index] = text
            self.position = index + 1
            return
        if (
            self.content < self.position < len(self.kinds)
            and self.kinds[self.position] == "deadline"
            and not _is_deadline(text)
            and _times_each_step(text)
        ):
            # The row's content and output are in and its time is due: a long cell timing each step is that time,
            # not the content of a sub-row.
            fire("table.time_cell_of_steps")
            self.cells[self.position] = text
            self.position += 1
            return
        for _attempt in range(2):
            for index in range(self.position, len(self.kinds)):
                if _fits(self.kinds[index], text, after_content=self.position > self.content):
                    self.cells[index] = text
                    self.position = index + 1
                    return
            if self.position <= self.content:
                break
            self.sub_row()
        # Fits nowhere: kept with the row's content, so no words of the table are lost.
        self.cells[self.content] = " ".join(part for part in (self.cells[self.content], text) if part)
        self.position = max(self.position, self.content + 1)


def rebuild_cell_tables(lines: list[str]) -> list[str]:
    """``lines`` with every table flattened one cell per paragraph turned into ``|``-separated rows."""
    if not any(_NUMBER.match(line.strip()) for line in lines) or any("|" in line or "\t" in line for line in lines):
        return lines
    blocks = _blocks(lines, 0)
    result: list[str] = []
    done = 0  # lines before this one are in ``result``
    index = 0
    while index < len(blocks):
        first, _end, text = blocks[index]
        if re.fullmatch(r"(?:s\s*)?tt|so\s+(?:tt|thu\s+tu)", _fold(text)):
            kinds = _header(blocks, index)
        elif _MISREAD_NUMBER_HEADER.match(text) and not _NUMBER.match(text):
            kinds = _header(blocks, index)
            if kinds is not None:
                fire("table.misread_number_header")
        else:
            kinds = None
        if kinds is None:
            index += 1
            continue
        result.extend(lines[done:first])
        header_blocks = blocks[index : index + len(kinds)]
        rows = _Rows(kinds)
        index += len(kinds)
        last = header_blocks[-1][1]
        while index < len(blocks):
            _first, end, text = blocks[index]
            folded = _fold(text)
            if _TABLE_END.match(folded) or (folded in ("stt", "tt") and _header(blocks, index)):
                break
            if re.fullmatch(r"\(\d+\)", text):
                index += 1
                last = end
                continue
            if _NUMBER.match(text):
                rows.start(text)
            else:
                group = _GROUP.match(text)
                if group and rows.position >= 1:
                    rows.start(group.group(1))
                    text = group.group(2)
                following = blocks[index + 1][2] if index + 1 < len(blocks) else ""
                rows.add(text, row_ends=not following or bool(_NUMBER.match(following) or _GROUP.match(following)))
            last = end
            index += 1
        rows.flush()
        fire("table.rebuilt_from_cells")
        cells = [header_text for _f, _e, header_text in header_blocks]
        if not re.fullmatch(r"(?:s\s*)?tt|so\s+(?:tt|thu\s+tu)", _fold(cells[0])):
            cells[0] = "STT"  # the number column's header as it is meant, whatever a scan made of it
        result.append(" | ".join(cells))
        result.extend(" | ".join(row) for row in rows.rows)
        result.append("")
        done = last
    result.extend(lines[done:])
    return result
