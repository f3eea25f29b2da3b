"""From body lines to a tree of numbered sections and paragraphs.

Lines are first joined into paragraphs: text from PDFs is hard-wrapped (and
sometimes has a blank line after every line), so a line goes on the previous
paragraph unless it starts with a section marker, follows a blank line in a
text where blank lines mean something, or follows a short line that ended a
sentence. Paragraphs then nest by their markers: each kind of marker ("I.",
"1.", "1.1.", "(1)", "a)", "A.", "-", "+", "Điều 1.") takes the depth at which it
first appeared under its parent, which is how directives mix numbering
styles. Unmarked paragraphs nest under a heading that introduces them
(ends with ":" or has no sentence of its own) and otherwise continue the
item before them.

"Field" paragraphs ("Đơn vị chủ trì: …", "- Thời gian hoàn thành: …") are
attached to their item instead of becoming items; runs of table rows
(``|``- or tab-separated cells) become one table node.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from cchc.lib.dates import fold_aligned

from .names import is_bare_head, unknown_name_end
from .rules import fire
from .text_view import TextView
from .vocabulary import labelled, phrases

_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(r"^(?:PHẦN|Phần|CHƯƠNG|Chương|MỤC|Mục)\s+(?:[IVX]+|\d+|thứ\s+\w+)\b[.:]?\s*")),
    ("article", re.compile(r"^(?:Điều|ĐIỀU|Dieu|DIEU)\s+\d+\s*[.:]\s*")),
    ("roman", re.compile(r"^[IVX]{1,5}\s*[.)]\s*(?=\S)")),
    # "A. VỀ CHẾ ĐỘ BÁO CÁO", "B. Nhiệm vụ cụ thể": capital letters above Roman numerals or beside them.
    ("letter", re.compile(r"^[A-HĐ]\s*\.\s+(?=[A-ZĐÀ-Ỹ])")),
    ("decimal", re.compile(r"^\d{1,2}(?:\s*\.\s*\d{1,2})+\s*[.)]?\s+(?=\S)")),
    ("num", re.compile(r"^\d{1,2}\s*[.)]\s*(?=[^\d\s/.-])")),
    ("paren", re.compile(r"^\(\s*\d{1,2}\s*\)\s*")),
    ("alpha", re.compile(r"^(?:\(\s*[a-zđ]\s*\)|[a-zđ]\s*\))\s*|^[a-zđ]\.\s+(?=[A-ZĐÀ-Ỹ])")),
    ("dash", re.compile(r"^[-–—•·*]\s*(?=[\wÀ-Ỹà-ỹ“\"(])")),
    ("plus", re.compile(r"^\+\s*(?=\S)")),
]
_FIELD_RE = re.compile(
    r"^(?:-\s*)?(?P<label>(?:(?:d[a-z]n\s+v[a-z]|c[a-z]\s+quan)\s+)?(?:ch[a-z]\s+tr[a-z]|ph[a-z]{1,2}\s+h[a-z]{1,2}p)"
    r"(?:\s+th[a-z]{1,2}c\s+hi[a-z]n)?|th[a-z]{1,2}i\s+(?:gian|h[a-z]n)(?:\s+(?:th[a-z]{1,2}c\s+hi[a-z]n|ho[a-z]n\s+th[a-z]nh"
    r"|n[a-z]p|g[a-z]i|b[a-z]o\s+c[a-z]o))?|s[a-z]n\s+ph[a-z]m(?:\s+(?:d[a-z]u\s+ra|ho[a-z]n\s+th[a-z]nh))?|k[a-z]t\s+qu[a-z]"
    r"(?:\s+d[a-z]u\s+ra)?|kinh\s+ph[a-z]|ti[a-z]n\s+d[a-z]|h[a-z]nh\s+th[a-z]c\s+v[a-z]n\s+b[a-z]n)\s*:\s*"
)
_CLOSING_PARAGRAPH_RE = re.compile(
    r"n[e-o]u\s+c[a-z]\s+kh[a-z]\s+kh[a-z]n|nh[a-z]n\s+[dp][a-z]{1,2}c\s+v[a-z]n\s+b[a-z]n|nghi[a-z]m\s+t[a-z]c"
    r"\s+(?:tri[a-z]n\s+khai,?\s+)?th[a-z]{1,2}c\s+hi[a-z]n|th[a-z]ng\s+b[a-z]o\s+[dp][a-z]\s|\./\.\s*$"
)
_CLOSING_START_RE = re.compile(
    r"^(?:trong\s+qu[a-z]\s+tr[a-z]nh\s+(?:t[a-z]\s+ch[a-z]c\s+)?th[a-z]{1,2}c\s+hi[a-z]n|tr[a-z]n\s+[dp][a-z]y\s+l[a-z]"
    r"|qu[a-z]\s+tr[a-z]nh\s+th[a-z]{1,2}c\s+hi[a-z]n,?\s+n[e-o]u)"
)
# "đề nghị Quý Ủy ban", "kính đề nghị Quý cơ quan": the letter asks its addressee, named by the polite "Quý".
POLITE_REQUEST_RE = re.compile(
    r"(?<![a-z])(?:[dp][e-o]\s+ngh[a-z]|y[e-o]u\s+c[a-z]u)\s+qu[a-z]\s+(?!trinh|vi(?![a-z]))"
)
_TABLE_SPLIT_RE = re.compile(r"\s*\|\s*|\t+")


@dataclass
class Node:
    """A section, item or paragraph of the body."""

    kind: str
    marker: str
    text: str
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    # "lead", "support", "deadline", "output" → text, from field paragraphs ("Đơn vị chủ trì: …").
    fields: dict[str, str] = field(default_factory=dict)
    rows: list[list[str]] = field(default_factory=list)
    # Where each paragraph joined to the item's text as more of it starts (offsets into ``text``).
    breaks: list[int] = field(default_factory=list)

    @property
    def section(self) -> str:
        """The marker as a label: "2.1", "(3)", "a)", "II", "Điều 2"; empty for bullets and paragraphs."""
        marker = " ".join(self.marker.split())
        if self.kind in ("dash", "plus", "para", "table", "root"):
            return ""
        if self.kind == "alpha":
            return marker.strip("() .") + ")"
        if self.kind in ("paren", "inline"):
            return "(" + marker.strip("() ") + ")"
        if self.kind == "article":
            return marker.rstrip(".: ")
        return marker.replace(" ", "").rstrip(".)")

    def is_heading(self) -> bool:
        """Does this node introduce what follows rather than say something itself?"""
        text = self.text.rstrip()
        if text.endswith(":"):
            return True
        if text.endswith((".", ";", "./.")):
            return False
        return len(text.split()) <= 25


@dataclass
class Paragraph:
    kind: str
    marker: str
    text: str
    rows: list[list[str]] = field(default_factory=list)


def _marker(line: str) -> tuple[str, str]:
    for kind, regex in _MARKERS:
        match = regex.match(line)
        if match:
            if kind == "roman" and re.match(r"^V\s*/", line):
                continue
            return kind, match.group(0)
    return "", ""


def _table_cells(line: str) -> list[str] | None:
    if line.count("|") >= 2 or line.count("\t") >= 2:
        text = line.strip()
        if text.startswith("|") and text.endswith("|"):
            text = text[1:-1]  # a markdown row; otherwise a leading bar is an empty first cell
        cells = _TABLE_SPLIT_RE.split(text)
        return [cell.strip() for cell in cells]
    return None


def paragraphs(lines: list[str]) -> list[Paragraph]:
    """Join hard-wrapped ``lines`` into paragraphs with their markers."""
    nonblank = [line for line in lines if line.strip()]
    if not nonblank:
        return []
    blank_lines_mean_breaks = _blank_lines_mean_breaks(lines)
    wrap_width = _indented_wrap_width(lines) if blank_lines_mean_breaks else 0.0
    lengths = [len(line.strip()) for line in nonblank if _table_cells(line) is None]
    typical = statistics.median(lengths) if lengths else 80
    result: list[Paragraph] = []
    current: list[str] = []
    current_kind = current_marker = ""
    previous_blank = False
    previous_line = ""
    previous_opened_block = False  # the line before opened a block set off by a blank line

    def flush() -> None:
        nonlocal current, current_kind, current_marker
        if current:
            text = _join(current)
            if text:
                result.append(Paragraph(current_kind or "para", current_marker, text))
        current, current_kind, current_marker = [], "", ""

    for position, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            previous_blank = True
            continue
        opens_block = previous_blank or not previous_line
        if (
            result
            and result[-1].kind == "table"
            and not current
            and _table_cells(line) is None
            and not _marker(line)[0]
            and len(line.split()) <= 8
            and _next_is_table_row(lines, position + 1)
        ):
            # A wrapped cell that lost its bars ("Kho dữ liệu" / "số hóa"): more of the row above.
            row = result[-1].rows[-1]
            filled = [index for index, cell in enumerate(row) if cell]
            if filled:
                row[filled[-1]] = f"{row[filled[-1]]} {line}"
            continue
        cells = _table_cells(line)
        if cells is not None:
            flush()
            if result and result[-1].kind == "table":
                result[-1].rows.append(_row_cells(line, result[-1].marker))
            else:
                # The marker of a table paragraph records whether its first row opens and closes with a bar.
                framing = ("<" if line.startswith("|") else "") + (">" if line.endswith("|") else "")
                result.append(Paragraph("table", framing, "", rows=[_row_cells(line, framing)]))
            previous_blank, previous_line, previous_opened_block = False, line, opens_block
            continue
        kind, marker = _marker(line)
        if kind == "dash" and current and not previous_blank and _span_cut_by_wrap(previous_line, line):
            # "… giai đoạn 2024" / "- 2030”;": the second year of a span wrapped onto its own line is no dash item
            # (it would give dashes a depth of their own for the rest of the document).
            fire("segment.span_cut_by_wrap")
            kind, marker = "", ""
        if (
            kind == "dash"
            and current
            and not previous_blank
            and len(previous_line) >= 0.8 * typical
            and _capitalised_word(previous_line.split()[-1])
            and _capitalised_word(line[len(marker) :].split()[0] if line[len(marker) :].split() else "")
        ):
            # "… Dự án tuyến đường bộ cao tốc Ninh Bình" / "- Hải Phòng, đoạn qua …": the dash between two names
            # wrapped to the start of a line, after a full line that ends inside a name, is no item.
            fire("segment.name_dash_cut_by_wrap")
            kind, marker = "", ""
        starts_new = bool(kind) or not current
        # "1. Sở" / "Nông nghiệp và Môi trường:": a line cut right after the head noun of a name goes on below.
        cut_name = not previous_blank and len(current) == 1 and _ends_with_head(current_marker, previous_line)
        if cut_name and not starts_new:
            fire("segment.name_cut_by_wrap")
        elif (
            not starts_new
            and not previous_blank
            and (
                _proper_name_wrapped(previous_line, line)
                or (blank_lines_mean_breaks and _place_tail(line) and not _next_line(lines, position + 1))
            )
        ):
            # "… thành phố Hà" / "Nội, thành phố Hồ Chí Minh …", "Bộ Công" / "Thương, Bộ Khoa học …": a proper name
            # cut by the wrap goes on below, even after a short line.
            fire("segment.proper_name_cut_by_wrap")
            cut_name = True
        elif not starts_new and not previous_blank and len(current) == 1 and _name_tail(current[0], line):
            # "6. Sở Ngoại" / "Vụ": the last capitalised word of a heading's name, wrapped onto a line of its own.
            fire("segment.name_tail_cut_by_wrap")
            cut_name = True
        if not starts_new and not cut_name:
            inside_name = line[:1].isupper() and _ends_inside_name(previous_line)
            if inside_name:
                fire("segment.unit_list_cut_by_wrap")
            if (
                (previous_blank and blank_lines_mean_breaks)
                or (previous_line.endswith(":") and line[:1].isupper())
                or (
                    previous_line.endswith((".", ";", "!", "?", "./."))
                    and line[:1].isupper()
                    and len(previous_line) < 0.8 * typical
                )
            ):
                starts_new = True
            elif _all_upper(previous_line) != _all_upper(line):
                starts_new = True  # a title line in capitals is a paragraph of its own
            elif (
                wrap_width
                and len(line) <= 1.25 * wrap_width
                and previous_opened_block
                and len(current) == 1
                and not _all_upper(previous_line)
                and not _FIELD_RE.match(fold_aligned(line))
            ):
                # "1. Giao Sở" / "Nông nghiệp và Môi trường là cơ quan đầu mối …": in a web copy whose paragraphs
                # are set apart by blank lines and whose first lines are short by their indent, a short first line
                # is no heading; a heading stands alone between blank lines.
                fire("segment.indented_first_line")
            elif (
                line[:1].isupper()
                and len(current) == 1
                and current_kind in ("num", "roman", "decimal", "letter", "paren", "alpha")
                and len(previous_line) < 0.9 * typical
                and not re.search(r"[,;:.]\s*$", previous_line)
                and len(previous_line.split()) <= 16
                and not inside_name
            ):
                # "2. Về tự đánh giá, chấm điểm năm 2025" then "Các cơ quan … theo các bước sau:": a numbered
                # heading followed by its first sentence, in a text wrapped at a fixed width.
                if current_kind in ("alpha", "paren") and _wrapped_item(previous_line, line):
                    # "a) Khẩn trương rà soát, chuẩn hóa kết quả giải quyết" / "TTHC chưa được chuẩn hóa; …": a
                    # lettered item whose first line is short by its indent goes on, it is no heading.
                    fire("segment.wrapped_lettered_item")
                elif _heading_cut_by_wrap(previous_line):
                    # "1. Chủ tịch Ủy ban nhân dân các tỉnh, thành phố từ" / "Hà Tĩnh đến Khánh Hòa:": a heading
                    # never ends on "từ", "của", "và"; the name of a place goes on below.
                    fire("segment.heading_cut_by_wrap")
                else:
                    starts_new = True
            elif (
                line[:1].isupper()
                and len(previous_line) < 0.5 * typical
                and current_kind not in ("dash", "plus")
                and not (re.search(r"\w$", previous_line) and _syllable_then_comma(line))
                and not inside_name
            ):
                # A short line ends a heading ("1. Cải cách thể chế") even without punctuation, but not a name cut
                # by the wrap whose last syllable opens the line below with a comma ("Các Bộ, cơ quan ngang" /
                # "Bộ, cơ quan thuộc Chính phủ nghiên cứu …").
                starts_new = True
            elif line[:1].isupper() and len(previous_line) < 0.5 * typical and current_kind not in ("dash", "plus"):
                fire("segment.name_cut_before_comma")
            elif _FIELD_RE.match(fold_aligned(line)):
                starts_new = True
            elif previous_line.endswith((".", ";")) and _CLOSING_START_RE.match(fold_aligned(line)):
                starts_new = True  # the document's closing sentence, wrapped right after the last item
        if starts_new:
            flush()
            current_kind, current_marker = kind, marker
            current = [line[len(marker) :]] if marker else [line]
        else:
            current.append(line)
        previous_blank, previous_line, previous_opened_block = False, line, opens_block
    flush()
    return [piece for paragraph in result for piece in _inline_items(paragraph)]


_INLINE_ITEM_RE = re.compile(r"(?:(?<=:)|(?<=[;.]))\s*\((\d{1,2})\)\s+")


def _inline_items(paragraph: Paragraph) -> list[Paragraph]:
    """ "Bộ Khoa học và Công nghệ: (1) trình …; (2) khẩn trương …": items numbered inside one paragraph.

    Split only when the numbers run 1, 2, … right after a colon, so that a sentence citing "(1)" stays whole.
    """
    if paragraph.kind == "table" or "(2)" not in paragraph.text:
        return [paragraph]
    matches: list[re.Match[str]] = []
    for match in _INLINE_ITEM_RE.finditer(paragraph.text):
        if int(match.group(1)) == len(matches) + 1:
            matches.append(match)
    if len(matches) < 2 or not paragraph.text[: matches[0].start()].rstrip().endswith(":"):
        return [paragraph]
    fire("segment.inline_numbered_items")
    pieces = [Paragraph(paragraph.kind, paragraph.marker, paragraph.text[: matches[0].start()].rstrip())]
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following is not None else len(paragraph.text)
        text = paragraph.text[match.end() : end].strip()
        pieces.append(Paragraph("inline", f"({match.group(1)}) ", text))
    return pieces


def _row_cells(line: str, framing: str) -> list[str]:
    """Cells of a table row; a bar that frames every row (markdown) is dropped, a leading bar of its own marks an
    empty first cell ("| | | Đợt 2: Quý III |" continuing the row above)."""
    text = line.strip()
    if "\t" in text and text.count("|") < 2:
        return [cell.strip() for cell in re.split(r"\t+", text)]
    if text.startswith("|") and "<" in framing:
        text = text[1:]
    if text.endswith("|") and ">" in framing:
        text = text[:-1]
    return [cell.strip() for cell in _TABLE_SPLIT_RE.split(text)]


def _next_is_table_row(lines: list[str], start: int) -> bool:
    for line in lines[start:]:
        if line.strip():
            return _table_cells(line.strip()) is not None
    return False


def _all_upper(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return len(letters) > 3 and all(char.isupper() for char in letters)


def _blank_lines_mean_breaks(lines: list[str]) -> bool:
    """False for text (from PDFs) with a blank line after every line, sentences running across them."""
    blanks = mid_sentence = 0
    previous = ""
    after_blank = False
    for raw in lines:
        line = raw.strip()
        if not line:
            after_blank = bool(previous)
            continue
        if after_blank:
            blanks += 1
            if not previous.endswith((".", ";", ":", "!", "?")) and not _marker(line)[0]:
                mid_sentence += 1
        previous, after_blank = line, False
    return mid_sentence < 3 or mid_sentence <= 0.3 * blanks


def _span_cut_by_wrap(previous: str, line: str) -> bool:
    """Does ``line`` ("- 2030”;", "- 2027 và …") carry on a span of years cut after its first year ("… giai đoạn
    2024")?"""
    return bool(re.search(r"(?<!\d)(?:19|20)\d\d$", previous) and re.match(r"[-–]\s*(?:19|20)\d\d(?!\d)", line))


def _indented_wrap_width(lines: list[str]) -> float:
    """The width the text is wrapped at, when most paragraphs of three lines or more open with a short line (a web
    copy that kept each paragraph's indent as a shorter first line) and their inner lines are wrapped at one width;
    else 0."""
    blocks: list[list[str]] = [[]]
    for raw in lines:
        line = raw.strip()
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    long_blocks = [block for block in blocks if len(block) >= 3 and _table_cells(block[0]) is None]
    if len(long_blocks) < 4:
        return 0.0
    inner = [len(line) for block in long_blocks for line in block[1:-1]]
    middle = statistics.median(inner)
    short = sum(1 for block in long_blocks if len(block[0]) < 0.6 * middle)
    wrapped = sum(1 for length in inner if 0.75 * middle <= length <= 1.25 * middle)
    return middle if short >= 0.8 * len(long_blocks) and wrapped >= 0.8 * len(inner) else 0.0


def _join(parts: list[str]) -> str:
    text = ""
    for part in parts:
        part = part.strip()
        if not text:
            text = part
        elif text.endswith("-") and not text.endswith(" -") and part[:1].isalnum():
            text += part  # "KT-" + "XH" → "KT-XH"
        else:
            text += " " + part
    return " ".join(text.split())


def build_tree(items: list[Paragraph]) -> Node:
    """Nest ``items`` by their markers under one root node."""
    root = Node(kind="root", marker="", text="")
    # Each entry: (kind, node). The root stays at the bottom.
    stack: list[tuple[str, Node]] = [("root", root)]
    for item in items:
        if item.kind == "table":
            parent = stack[-1][1]
            node = Node(kind="table", marker="", text="", parent=parent, rows=item.rows)
            parent.children.append(node)
            continue
        field_match = _FIELD_RE.match(fold_aligned(item.text))
        if field_match and item.kind in ("para", "dash", "plus") and len(stack) > 1:
            owner = stack[-1][1]
            if owner.kind in ("dash", "plus") and item.kind == owner.kind and owner.parent is not None:
                owner = owner.parent if owner.parent.kind != "root" else owner
            _add_fields(owner, item.text)
            continue
        dash_field = _dash_task_field(item, stack[-1][1])
        if dash_field is not None:
            # "2. Tổ chức tập huấn … / - Nội dung thực hiện: … / - Cơ quan thực hiện: Sở X; Sở Y": dashed fields of
            # the numbered item above, as the lettered ones are.
            _add_task_field(stack[-1][1], *dash_field)
            continue
        if item.kind == "para":
            top_kind, top = stack[-1]
            if top_kind == "para":
                stack.pop()
                parent = stack[-1][1]
            elif top.kind == "root" or top.is_heading():
                parent = top
            elif _CLOSING_PARAGRAPH_RE.search(fold_aligned(item.text)):
                # "Trong quá trình thực hiện, nếu có khó khăn …": the document's closing, not more of the item.
                del stack[1:]
                parent = root
            elif POLITE_REQUEST_RE.search(fold_aligned(item.text)):
                # "Để đảm bảo thời gian …, đề nghị Quý Ủy ban gửi báo cáo … chậm nhất ngày 22/11/2025.": the letter
                # speaks to its addressee again, after its list; a request of its own, not more of the last item.
                fire("segment.polite_request_after_list")
                del stack[1:]
                parent = root
            else:
                top.breaks.append(len(top.text) + 1)
                top.text = f"{top.text} {item.text}"
                continue
            node = Node(kind="para", marker="", text=item.text, parent=parent)
            parent.children.append(node)
            stack.append(("para", node))
            continue
        kind = _depth_kind(item)
        kinds = [entry[0] for entry in stack]
        if kind in kinds and stack[-1][0] != kind and _restarts_under_lead_in(item, stack[-1][1]):
            # "(1) …" of the introduction's background, then "b) Các Bộ: … hoàn thành trong tháng 11, cụ thể:" and
            # "(1) Bộ Tài chính …": a list numbered again from its first under a lead-in is that lead-in's list.
            fire("segment.list_restarted_under_lead_in")
        elif kind in kinds:
            while stack[-1][0] != kind:
                stack.pop()
            stack.pop()
        elif stack[-1][0] == "para":
            stack.pop()
        parent = stack[-1][1]
        task_field = _task_field(item) if item.kind in ("alpha", "paren", "decimal") and parent.kind != "root" else None
        if task_field is not None:
            # "a) Nhiệm vụ: … b) Cơ quan thực hiện: … c) Thời gian thực hiện: …": fields of the item above, which
            # stays on the stack to take the "- Đơn vị chủ trì: …" lines that follow.
            _add_task_field(parent, *task_field)
            continue
        node = Node(kind=item.kind, marker=item.marker, text=item.text, parent=parent)
        parent.children.append(node)
        stack.append((kind, node))
    return root


_WRAPPED_NAME_END_RE = re.compile(r"(?:^|\s)[^\W\d_][^\W_]*$")
_WRAPPED_NAME_START_RE = re.compile(r"^[^\W\d_][^\W_]*(?:[,;:]|\s+[-–]\s)")


def _next_line(lines: list[str], start: int) -> str:
    return lines[start].strip() if start < len(lines) else ""


def _place_tail(line: str) -> bool:
    """A line of one to four capitalised words and nothing else ("Đông Nam"): the end of a name wrapped over, in a
    text whose paragraphs are set apart by blank lines."""
    words = line.split()
    return 0 < len(words) <= 4 and all(word[:1].isupper() and not word.isupper() and word.isalpha() for word in words)


def _name_tail(first: str, line: str) -> bool:
    """Is ``line`` one or two capitalised words that end the unit name ``first`` (an item's first line, without its
    marker) is made of ("Sở Ngoại" / "Vụ")? Both the line above alone and the two lines joined read as a name to
    their end, the joined one longer."""
    if not _place_tail(line) or len(line.split()) > 2:
        return False
    first = first.strip()
    joined = f"{first} {line.strip()}"
    end = unknown_name_end(TextView(first), 0) if first[:1].isupper() else None
    return end == len(first) and unknown_name_end(TextView(joined), 0) == len(joined)


def _proper_name_wrapped(previous: str, line: str) -> bool:
    """Does ``line`` finish a proper name the wrap cut at the end of ``previous``?

    Both sides are a capitalised syllable (not words in capitals), and the syllable below is followed at once by a
    comma, a colon or a dash: it ends the name ("Việt" / "Nam - Chi nhánh …"), which a new sentence never does.
    """
    end = _WRAPPED_NAME_END_RE.search(previous)
    start = _WRAPPED_NAME_START_RE.match(line)
    if end is None or start is None:
        return False
    last, first = end.group(0).strip(), line.split()[0].rstrip(",;:")
    capitalised = last[:1].isupper() and not last.isupper()
    return capitalised and first[:1].isupper() and not (len(first) > 1 and first.isupper())


def wrapped_name(previous: str, line: str) -> bool:
    """Does ``line`` go on a name that the wrap cut at the end of ``previous``, though it opens with a capital?

    It does when ``previous`` ends with a word that needs what follows (``data/wrap_continuations.txt``: "thuộc",
    "của" …), or the cut falls inside a proper name ("Ninh" / "Bình, Bắc Ninh"), or ``line`` opens with one
    capitalised syllable and a comma ("cơ quan ngang" / "Bộ, cơ quan thuộc Chính phủ …"), which starts no sentence.
    """
    folded = " ".join(fold_aligned(previous).split())
    if any(folded.endswith(" " + word) for word in phrases("wrap_continuations")):
        return True
    return _proper_name_wrapped(previous, line) or _syllable_then_comma(line)


def _ends_inside_name(line: str) -> bool:
    """Does ``line`` end with a unit's bare head noun after a comma ("Giao Sở Nông nghiệp và Môi trường, Sở Tài chính,
    Sở" / "Xây dựng và các sở, ngành …")? A list of units cut by the wrap goes on below; a heading never ends so."""
    folded = fold_aligned(line)
    last = folded.rsplit(",", 1)[-1].split()
    if "," not in folded or not 0 < len(last) <= 4:
        return False
    return is_bare_head(" ".join(last))


def _capitalised_word(word: str) -> bool:
    """Is ``word`` a capitalised syllable of a name ("Bình", "Hải"), not an abbreviation in capitals?"""
    word = word.rstrip(",;:")
    return word.isalpha() and word[:1].isupper() and (len(word) == 1 or word[1:].islower())


def _syllable_then_comma(line: str) -> bool:
    """Does ``line`` open with one capitalised syllable and a comma ("Bộ, cơ quan thuộc Chính phủ …")?"""
    first = line.split(maxsplit=1)[0] if line.strip() else ""
    word = first[:-1]
    return first.endswith(",") and word.isalpha() and word[:1].isupper() and (len(word) == 1 or word[1:].islower())


_ABBREVIATION_START_RE = re.compile(r"^[A-ZĐ]{2,}[A-ZĐ0-9&-]*\b")


def _wrapped_item(previous: str, line: str) -> bool:
    """Does a lettered item's first line go on below rather than end a heading?

    It does when the line ends with a word that needs what follows (``data/wrap_continuations.txt``: "phối hợp",
    "với", "giải quyết" …) or the next line opens with an abbreviation in capitals ("TTHC", "UBND"), which starts
    no sentence after a cut line.
    """
    folded = " ".join(fold_aligned(previous).split())
    if any(folded.endswith(" " + word) for word in phrases("wrap_continuations")):
        return True
    return bool(_ABBREVIATION_START_RE.match(line))


def _heading_cut_by_wrap(previous: str) -> bool:
    """Does the first line of a numbered item end with a word that needs what follows
    (``data/heading_cut_words.txt``: "từ", "đến", "của" …), so that it cannot be a whole heading?"""
    folded = " ".join(fold_aligned(previous).split())
    return any(folded.endswith(" " + word) for word in phrases("heading_cut_words"))


def _ends_with_head(marker: str, line: str) -> bool:
    """Does a marked line end with the bare head noun of a unit name ("1. Sở", "2. Ủy ban nhân dân")?"""
    words = fold_aligned(line[len(marker) :] if marker and line.startswith(marker) else line).split()
    return bool(marker) and 0 < len(words) <= 4 and is_bare_head(" ".join(words).strip(" :,"))


def _field_of(item: Paragraph) -> tuple[str, str] | None:
    """(kind of field, value) when an item opens with a field label of ``data/task_field_labels.txt`` ("Nhiệm vụ:",
    "Cơ quan thực hiện:"), else None."""
    folded = fold_aligned(item.text)
    colon = folded.find(":")
    if colon < 0 or colon > 40:
        return None
    label = " ".join(re.sub(r"[^a-z ]", " ", folded[:colon]).split())
    kind = labelled("task_field_labels").get(label)
    return None if kind is None else (kind, item.text[colon + 1 :].strip())


def _task_field(item: Paragraph) -> tuple[str, str] | None:
    """(kind of field, value) when a marked item is a field of its parent task ("a) Nhiệm vụ: …"), else None."""
    field = _field_of(item)
    if field is not None:
        fire("segment.lettered_task_field")
    return field


_FIELD_OWNER_KINDS = ("num", "decimal", "alpha", "paren")


def _dash_task_field(item: Paragraph, owner: Node) -> tuple[str, str] | None:
    """(kind, value) when a dashed line under a marked item names its content or lead ("- Cơ quan thực hiện: …")."""
    if item.kind not in ("dash", "plus") or owner.kind not in _FIELD_OWNER_KINDS or owner.children:
        return None
    field = _field_of(item)
    if field is None or field[0] not in ("content", "lead"):
        return None
    fire("segment.dashed_task_field")
    return field


def _add_task_field(node: Node, kind: str, value: str) -> None:
    if kind == "content":
        node.text = f"{node.text.rstrip(' :')}: {value}" if node.text.strip() else value
        return
    if not value:
        return
    if kind in ("lead", "support") and _NEXT_FIELD_RE.search(fold_aligned(", " + value)):
        _add_fields(node, value)  # "Cơ quan thực hiện: chủ trì: Sở X; phối hợp: Sở Y"
        return
    if kind == "lead" and fold_aligned(value).startswith(("chu tri", "phoi hop", "don vi", "co quan")):
        _add_fields(node, value)
        return
    node.fields[kind] = f"{node.fields[kind]}; {value}" if kind in node.fields else value


_FIRST_MARKER_RE = re.compile(r"^\(?\s*(?:1|a)\s*[.)]")


def _restarts_under_lead_in(item: Paragraph, top: Node) -> bool:
    """Is ``item`` the first of a new list ("(1)", "a)", "1.") right under a marked lead-in ending with ":"?"""
    return (
        top.kind not in ("root", "para", "table")
        and top.text.rstrip().endswith(":")
        and bool(_FIRST_MARKER_RE.match(item.marker.strip()))
    )


def _depth_kind(item: Paragraph) -> str:
    """Decimal markers nest by their number of parts: "2." < "2.1." < "2.1.3."."""
    if item.kind == "decimal":
        return f"decimal{item.marker.count('.') - (1 if item.marker.strip().endswith('.') else 0)}"
    return item.kind


_NEXT_FIELD_RE = re.compile(
    r"[.;,]\s*(?=(?:(?:d[a-z]n\s+v[a-z]|c[a-z]\s+quan)\s+)?(?:ph[a-z]{1,2}\s+h[a-z]{1,2}p|ch[a-z]\s+tr[a-z]|th[a-z]{1,2}i\s+(?:gian|h[a-z]n)"
    r"|s[a-z]n\s+ph[a-z]m|ti[a-z]n\s+d[a-z]|k[a-z]t\s+qu[a-z])[a-z\s]{0,20}:)"
)


def _add_fields(node: Node, text: str) -> None:
    """ "Chủ trì: Phòng Nội vụ; phối hợp: Phòng Tư pháp. Thời gian: Quý III/2023." → three fields."""
    folded = fold_aligned(text)
    starts = [0] + [match.end() for match in _NEXT_FIELD_RE.finditer(folded)]
    for begin, end in zip(starts, [*starts[1:], len(text)], strict=True):
        piece_folded = folded[begin:end]
        match = _FIELD_RE.match(piece_folded)
        if match is None:
            continue
        value = text[begin + match.end() : end].rstrip(" .;,")
        _add_field(node, fold_aligned(match.group("label")), value)


def _add_field(node: Node, label: str, value: str) -> None:
    label = " ".join(label.split())
    words = label.split()
    name = "output"
    if any(word.startswith("ch") for word in words) and any(word.startswith("tr") for word in words):
        name = "lead"
    elif any(word.startswith("ph") for word in words) and any(word.startswith("h") for word in words):
        name = "support"
    elif label.startswith(("thoi", "thi", "tien")):
        name = "deadline"
    elif label.startswith("kinh"):
        name = "budget"
    value = value.strip()
    node.fields[name] = f"{node.fields[name]}; {value}" if name in node.fields else value
