"""The administrative parts of a directive: header, title, subject, addressees, closing and signature.

A directive in the Nghị định 30/2020/NĐ-CP layout starts with the issuing
body ("ỦY BAN NHÂN DÂN / HUYỆN ĐOAN HÙNG") beside the national motto, the
reference ("Số: 176/TB-UBND"), place and date ("Phong Thổ, ngày 09 tháng 9
năm 2022"), then either a subject line ("V/v …", for a công văn, with
"Kính gửi:") or a title ("KẾ HOẠCH", "THÔNG BÁO" …) with its subject; it
ends with "Nơi nhận:" and the signature block ("KT. CHỦ TỊCH / PHÓ CHỦ
TỊCH", the name). Scans and converted files put the two header columns on
one line or in any order, so every rule here looks at folded text and
tolerates letters lost to OCR.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cchc.lib.dates import fold_aligned

from .rules import fire
from .sections import wrapped_name

_MOTTO_RE = re.compile(
    r"(?:c[a-z]{1,2}ng\s+h[a-z]{1,2}a\s+x[a-z]\s+h[a-z]{1,2}i\s+ch[a-z]{1,2}\s+ngh[a-z]{1,2}a\s+vi[a-z]{1,2}t\s+nam"
    r"|[a-z]{1,4}c\s+l[a-z]{1,2}p\s*[-—–]+\s*t[a-z]{1,2}\s+do\s*[-—–]+\s*h[a-z]{1,2}nh\s+ph[a-z]{1,2}c?)"
)
_REFERENCE_RE = re.compile(
    r"(?<![a-z])s[a-z0-9&]{0,2}\s*:\s*(?P<number>[0-9][0-9a-z.]*)?\s*/\s*(?P<symbol>[a-z0-9][a-z0-9&./-]*[a-z0-9])"
)
_DATE_LINE_RE = re.compile(
    r"(?P<place>[^,\n]{2,40}),\s*ng[a-z]{1,2}[yv]\s*(?P<day>\d{1,2})?\s*th[a-z]{1,2}ng\s*(?P<month>\d{1,2})?\s*"
    r"n[a-z]{1,2}m\s*(?P<year>(?:19|20)\d\d)"
)
_SUBJECT_RE = re.compile(r"^\s*v\s*/\s*v\s*:?\s*")
# "Kính gửi:", and the addressing line of a công điện ("THỦ TƯỚNG CHÍNH PHỦ điện:", "CHỦ TỊCH UBND TỈNH điện:").
_ADDRESSEES_RE = re.compile(r"^\s*(?:k[a-z]{2,3}\s+g[a-z]{1,2}i|(?:[a-z]+\s+){1,10}dien)\s*:\s*")
_RECIPIENTS_RE = re.compile(r"^\s*n[a-z]{1,2}i\s+nh[a-z]{1,2}n\s*:?")
_TITLES: list[tuple[str, str]] = [
    ("ke_hoach", r"k[a-z]\s+ho[a-z]{1,2}ch"),
    ("thong_bao_ket_luan", r"th[a-z]{1,2}ng\s+b[a-z]o(?:\s+k[a-z]t\s+lu[a-z]{1,2}n)?"),
    ("chi_thi", r"ch[a-z]\s+th[a-z]"),
    ("quyet_dinh", r"quy[a-z]t\s+[dp][a-z]nh"),
    ("other", r"b[a-z]o\s+c[a-z]o|ch[a-z]{1,2}ng\s+tr[a-z]nh|quy\s+ch[a-z]|ngh[a-z]\s+quy[a-z]t|c[a-z]ng\s+v[a-z]n"),
]
_TITLE_RES = [(kind, re.compile(rf"^\s*(?:{pattern})\s*:?\s*$")) for kind, pattern in _TITLES]
_ATTACHMENT_RE = re.compile(
    r"^\s*(?:k[a-z]\s+ho[a-z]{1,2}ch|ph[a-z]\s+l[a-z]c(?:\s+[0-9ivx]+)?|quy\s+ch[a-z]|ch[a-z]{1,2}ng\s+tr[a-z]nh"
    r"|danh\s+m[a-z]c)\b"
)
_SYMBOL_KINDS = {"tb": "thong_bao_ket_luan", "kh": "ke_hoach", "ct": "chi_thi", "qd": "quyet_dinh", "pd": "quyet_dinh"}
_BODY_START_RE = re.compile(
    r"^\s*(?:th[a-z]{1,2}c\s+hi[a-z]{1,2}n|c[a-z]n\s+c[a-z]|ng[a-z]{1,2}y\s+\d|theo\s|[dp][a-z]\s+|nh[a-z]m\s|sau\s+khi"
    r"|x[a-z]t\s|trong\s|hi[a-z]n\s+nay|qua\s|nh[a-z]m\s|tr[a-z]n\s+c[a-z]\s+s[a-z]|v[a-z]a\s+qua|(?:[0-9]+|[ivx]+)\.\s"
    r"|t[a-z]\s+(?:ng[a-z]y|n[a-z]m|th[a-z]ng)\s|n[a-z]m\s+\d{4}|th[a-z]i\s+gian\s+qua|nh[a-z]ng\s+n[a-z]m\s+qua|[dp][e-o]\s)"
)
_ROLE_RE = re.compile(
    r"^\s*(?:(?:kt|tl|tm|tuq|q|k\.t|t\.l|t\.m)\s*[.:]?\s*)?(?:ch[a-z]{1,2}\s+t[a-z]ch|ph[a-z]\s+ch[a-z]{1,2}\s+t[a-z]ch"
    r"|gi[a-z]m\s+[dp][a-z]c|ph[a-z]\s+gi[a-z]m\s+[dp][a-z]c|ch[a-z]nh\s+v[a-z]n\s+ph[a-z]ng|ph[a-z]\s+ch[a-z]nh\s+v[a-z]n"
    r"\s+ph[a-z]ng|tr[a-z]{1,2}ng\s+ph[a-z]ng|ph[a-z]\s+tr[a-z]{1,2}ng\s+ph[a-z]ng|tr[a-z]{1,2}ng\s+ban|b[a-z]\s+th[a-z]"
    r"|[uy]y\s+ban\s+nh[a-z]n\s+d[a-z]n|ubnd|v[a-z]n\s+ph[a-z]ng)\b"
)
_CLOSING_RE = re.compile(
    r"^\s*(?:tr[a-z]n\s+[dp][a-z]y\s+[l1i][a-z]|th[a-z]{1,2}a\s+(?:[l1i][a-z]{1,2}nh|[uy]y\s+quy[a-z]n))"
)
_AUTHORITY_FOLLOWS_RE = re.compile(
    r"^\s*(?:c[a-z]n\s+c[a-z]|x[a-z]t\s+[dp][e-o]\s+ngh[a-z]|theo\s+[dp][e-o]\s+ngh[a-z]|quy[a-z]t\s+[dp][a-z]nh\s*:)"
)
_SIGNED_RE = re.compile(r"^\s*\(?\s*(?:[dp][a-z]\s+k[a-z]|k[a-z]\s+t[a-z]n|k[a-z]\s+s[a-z])")
_NAME_WORD_RE = re.compile(r"^[A-ZĐÀ-Ỹ][a-zà-ỹđ]{0,7}$")


@dataclass
class Header:
    reference: str = ""
    date: datetime.date | None = None
    # The year (and month) even when the day is left blank ("ngày    tháng 8 năm 2021").
    year: int | None = None
    month: int | None = None
    place: str = ""
    issuer_lines: list[str] = field(default_factory=list)
    kind: str = "other"
    title: str = ""
    subject: str = ""
    addressees: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signer: str = ""
    signer_title: str = ""
    # Line ranges [start, end) of the body: the directive itself, then any attached plan or appendix.
    body: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def reference_date(self) -> datetime.date | None:
        """The date from which years are inferred: the issue date, or the month or year it names."""
        if self.date is not None:
            return self.date
        if self.year is not None:
            return datetime.date(self.year, self.month or 1, 1)
        return None


def _first_column(text: str) -> list[str]:
    """The columns of a header line set side by side ("ỦY BAN NHÂN DÂN | CỘNG HÒA …"), left first."""
    return [part for part in re.split(r"\s{3,}|\s*\|\s*", text.strip()) if part] or [""]


def _strip_motto(line: str) -> str:
    folded = fold_aligned(line)
    match = _MOTTO_RE.search(folded)
    if match is None:
        return line
    return (line[: match.start()] + " " + line[match.end() :]).strip(" -—–")


def _kind_from_symbol(symbol: str) -> str:
    first = re.split(r"[-/]", symbol)[0]
    if first in _SYMBOL_KINDS:
        return _SYMBOL_KINDS[first]
    if first in ("ubnd", "vp", "snv", "pnv") or first.startswith(("ub", "s", "p")):
        return "cong_van"
    return "other"


def _is_name(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 5 or any(char.isdigit() for char in line):
        return False
    if not all(_NAME_WORD_RE.match(word) for word in words):
        return False
    return not _ROLE_RE.match(fold_aligned(line))


def _list_item(line: str) -> str:
    return line.strip().lstrip("-–—•+*").strip().rstrip(";.,").strip()


def parse_header(lines: list[str]) -> Header:
    """Read the administrative parts of a directive whose cleaned lines are ``lines``."""
    header = Header()
    folded = [fold_aligned(line) for line in lines]
    limit = min(len(lines), 60)
    body_start = 0
    reference_line = date_line = title_line = -1
    for index in range(limit):
        line = folded[index]
        if not header.reference:
            match = _REFERENCE_RE.search(line)
            if match and index < 40:
                number = match.group("number") or ""
                symbol = lines[index][match.start("symbol") : match.end("symbol")]
                header.reference = f"{number}/{symbol}" if number else f"/{symbol}"
                header.kind = _kind_from_symbol(match.group("symbol"))
                reference_line = index
                body_start = max(body_start, index + 1)
        if date_line < 0:
            match = _DATE_LINE_RE.search(line)
            if match:
                date_line = index
                body_start = max(body_start, index + 1)
                _read_date(header, lines[index], match)
        if title_line < 0 and index < 45:
            for kind, regex in _TITLE_RES:
                if regex.match(fold_aligned(_strip_motto(lines[index]))):
                    title_line = index
                    header.kind = kind if kind != "other" or header.kind == "other" else header.kind
                    header.title = lines[index].strip().rstrip(":")
                    break
    if date_line < 0:
        date_line, date_end = _read_wrapped_date(header, lines, folded, limit)
        body_start = max(body_start, date_end)
    header.issuer_lines = _issuer_lines(
        lines, folded, min(x for x in (reference_line, date_line, title_line, limit) if x >= 0)
    )
    subject_end = _read_subject(header, lines, folded, title_line, limit)
    addressees_end = _read_addressees(header, lines, folded, limit)
    body_start = max(body_start, subject_end, addressees_end, title_line + 1)
    if header.kind == "other" and header.subject and not header.title:
        header.kind = "cong_van"
    _split_body(header, lines, folded, body_start)
    return header


def _read_wrapped_date(header: Header, lines: list[str], folded: list[str], limit: int) -> tuple[int, int]:
    """(first line, line after it) of a place and date wrapped over two or three lines, as web copies of a
    directive print them ("Hà Nội, ngày 18" / "tháng 11 năm 2025"; "Hà" / "Tĩnh, ngày 14 tháng 3" / "năm 2025"),
    read into ``header``; (-1, 0) when there is none."""
    for index in range(limit - 1):
        if not folded[index].strip():
            continue
        for span in (2, 3):
            window = [folded[index + offset] for offset in range(span) if index + offset < limit]
            if len(window) < span or not all(part.strip() for part in window):
                break
            match = _DATE_LINE_RE.search(" ".join(window))
            if match is not None and match.start() <= len(window[0]) and match.end() > len(window[0]):
                fire("header.wrapped_date")
                _read_date(header, " ".join(lines[index : index + span]), match)
                return index, index + span
    return -1, 0


def _read_date(header: Header, line: str, match: re.Match[str]) -> None:
    place = _strip_motto(line[match.start("place") : match.end("place")])
    reference = _REFERENCE_RE.search(fold_aligned(place))
    if reference is not None:
        place = place[reference.end() :]
    header.place = place.strip(" -—–")
    header.year = int(match.group("year"))
    if match.group("month"):
        header.month = int(match.group("month"))
    if match.group("day") and match.group("month"):
        try:
            header.date = datetime.date(header.year, int(match.group("month")), int(match.group("day")))
        except ValueError:
            header.warnings.append(
                _("Ngày ban hành “%(date)s” không có thật; cần nhập lại ngày ban hành.")
                % {"date": line[match.start("day") :].strip()}
            )
    else:
        header.warnings.append(_("Văn bản chưa ghi đủ ngày ban hành; năm được lấy theo dòng địa danh, ngày tháng."))


def _issuer_lines(lines: list[str], folded: list[str], stop: int) -> list[str]:
    result: list[str] = []
    for index in range(stop):
        text = _strip_motto(lines[index]).strip()
        if not text:
            continue
        text = _first_column(text)[0].strip(" -—–_")
        if not text or _REFERENCE_RE.search(fold_aligned(text)) or _SUBJECT_RE.match(fold_aligned(text)):
            continue
        letters = [char for char in text if char.isalpha()]
        if letters and sum(char.isupper() for char in letters) >= 0.7 * len(letters):
            result.append(text)
    return result


def _read_subject(header: Header, lines: list[str], folded: list[str], title_line: int, limit: int) -> int:
    """The subject ("V/v …" or the lines under the title); returns the line after it."""
    start = -1
    for index in range(limit):
        if _SUBJECT_RE.match(folded[index]):
            start = index
            break
    parts: list[str] = []
    if start >= 0:
        first = lines[start][_SUBJECT_RE.match(folded[start]).end() :]  # type: ignore[union-attr]
        first = _first_column(first)[0]
        parts.append(first.strip())
        index = start + 1
    elif title_line >= 0:
        index = title_line + 1
    else:
        return 0
    end = index
    taken = len(parts)
    while index < len(lines) and taken < 6:
        text = lines[index].strip()
        if not text or set(text) <= set("-_–—=*"):
            index += 1
            if not text and taken and parts[-1].rstrip().endswith("."):
                break
            continue
        fold_text = folded[index]
        if (
            _DATE_LINE_RE.search(fold_text)
            or _ADDRESSEES_RE.match(fold_text)
            or _MOTTO_RE.search(fold_text)
            or _BODY_START_RE.match(fold_text)
            or _REFERENCE_RE.search(fold_text)
            or (taken and _is_upper(text) and not all(_is_upper(part) for part in parts))
            or (taken and len(text) > 150)
        ):
            if _DATE_LINE_RE.search(fold_text) or _MOTTO_RE.search(fold_text) or _REFERENCE_RE.search(fold_text):
                index += 1
                end = index
                continue
            break
        parts.append(_first_column(text)[0])
        taken += 1
        index += 1
        end = index
    header.subject = " ".join(" ".join(parts).split()).strip()
    return end


def _is_upper(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return len(letters) > 3 and all(char.isupper() for char in letters)


def _read_addressees(header: Header, lines: list[str], folded: list[str], limit: int) -> int:
    for index in range(limit):
        match = _ADDRESSEES_RE.match(folded[index])
        if not match:
            continue
        rest = _list_item(lines[index][match.end() :])
        if rest:
            header.addressees.append(rest)
        probe = index + 1
        blank = False
        raw_previous = lines[index].rstrip()
        in_item = False
        while probe < len(lines):
            text = lines[probe].strip()
            if not text:
                probe += 1
                blank = True
                continue
            previous = header.addressees[-1] if header.addressees else ""
            wrapped = not blank and text[:1].islower() and not raw_previous.endswith((";", "."))
            if not wrapped and not blank and previous and not raw_previous.endswith((";", ".", ",", ":")):
                # "Kính gửi: Thủ trưởng các cơ quan thuộc" / "Chính phủ", "… các tỉnh: Hưng Yên, Ninh" / "Bình, Bắc
                # Ninh, …": a name cut by the wrap goes on below even when the line below opens with a capital.
                wrapped = wrapped_name(raw_previous, text)
                if wrapped:
                    fire("header.addressee_name_cut_by_wrap")
            if (
                not text.startswith(("-", "–", "+", "•"))
                and previous
                and (in_item or wrapped)
                and (raw_previous.endswith((",", ":")) or (not blank and not raw_previous.endswith((";", "."))))
            ):
                # An addressee wrapped over lines ("- Bộ trưởng / các Bộ: / Quốc phòng, Công an, …").
                header.addressees[-1] = _list_item(f"{previous} {text}")
                probe += 1
                blank = False
                raw_previous = text
                continue
            blank = False
            raw_previous = text
            in_item = text.startswith(("-", "–", "+", "•"))
            if not in_item and header.addressees:
                break
            if not text.startswith(("-", "–", "+", "•")) and not header.addressees:
                header.addressees.append(_list_item(text))
                probe += 1
                continue
            header.addressees.append(_list_item(text))
            probe += 1
        return probe
    return 0


def _split_body(header: Header, lines: list[str], folded: list[str], start: int) -> None:
    """Where the directive's body ends (closing, "Nơi nhận", signature) and where attachments start."""
    index = start
    while index < len(lines):
        end = _body_end(lines, folded, index)
        header.body.append((index, end))
        signature_end = _read_signature(header, lines, folded, end)
        if not header.signer:
            column_end = _read_signature_column(header, lines, end, signature_end)
            if column_end is not None:
                signature_end = column_end
        # Without a signer found, an attached plan may still follow the closing: look for it from there.
        attachment = _attachment_start(lines, folded, signature_end if signature_end < len(lines) else end)
        if attachment is None:
            break
        index = attachment


def _body_end(lines: list[str], folded: list[str], start: int) -> int:
    for index in range(start, len(folded)):
        line = folded[index]
        if _RECIPIENTS_RE.match(line) or _CLOSING_RE.match(line):
            return index
        if _ROLE_RE.match(line) and _mostly_upper(lines[index]) and len(line.split()) <= 8:
            following = [text for text in folded[index + 1 : index + 8] if text.strip()][:4]
            if any(_AUTHORITY_FOLLOWS_RE.match(text) for text in following):
                continue  # "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ" above "Căn cứ …": the authority deciding, not the signer
            return index
    return len(folded)


def _read_signature(header: Header, lines: list[str], folded: list[str], start: int) -> int:
    """Read "Nơi nhận" and the signer after ``start``; returns the line after the signer's name."""
    roles: list[str] = []
    index = start
    in_recipients = False
    while index < len(lines):
        text = lines[index].strip()
        line = folded[index].strip()
        if not text:
            index += 1
            continue
        if _RECIPIENTS_RE.match(line):
            in_recipients = True
            rest = text[_RECIPIENTS_RE.match(line).end() :]  # type: ignore[union-attr]
            role = _ROLE_RE.search(fold_aligned(rest))
            if role:
                roles.append(rest[role.start() :].strip())
            index += 1
            continue
        role = _ROLE_RE.search(line)
        if role and _mostly_upper(text[role.start() :]):
            roles.append(text[role.start() :].strip())
            if in_recipients and text[: role.start()].strip(" \"'-–"):
                item = _list_item(text[: role.start()])
                if item and not header.signer:
                    header.recipients.append(item)
            index += 1
            continue
        if text.startswith(("-", "–", "+", "•", '"')) or (in_recipients and not roles):
            if in_recipients:
                header.recipients.append(_list_item(text))
            index += 1
            continue
        if _is_name(text) and (roles or index > start):
            if not header.signer:
                header.signer = text
                header.signer_title = " ".join(" ".join(roles).split())
            return index + 1
        if _SIGNED_RE.match(line) or _CLOSING_RE.match(line) or not roles:
            index += 1
            continue
        index += 1
    return len(lines)


def _read_signature_column(header: Header, lines: list[str], start: int, stop: int) -> int | None:
    """The signer in the right-hand column of "Nơi nhận: | TM. ỦY BAN NHÂN DÂN" rows (a table copied as text, or
    two columns set side by side with spaces); returns the line after the signer's name."""
    roles: list[str] = []
    for index in range(start, min(stop, start + 40)):
        parts = [part for part in re.split(r"\s*\|\s*|\s{3,}", lines[index].strip()) if part]
        if "|" not in lines[index] and not re.search(r"\S\s{3,}\S", lines[index]):
            if len(parts) == 1 and _is_name(parts[0]) and roles:
                header.signer = parts[0]
                header.signer_title = " ".join(" ".join(roles).split())
                return index + 1
            continue
        right = parts[-1] if len(parts) > 1 else ""
        if not right:
            continue
        if _ROLE_RE.match(fold_aligned(right)) and _mostly_upper(right):
            roles.append(right)
        elif _is_name(right):
            header.signer = right
            header.signer_title = " ".join(" ".join(roles).split())
            return index + 1
    return None


def _mostly_upper(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return bool(letters) and sum(char.isupper() for char in letters) >= 0.8 * len(letters)


def _attachment_start(lines: list[str], folded: list[str], start: int) -> int | None:
    """An attached plan, programme or appendix after the signature ("KẾ HOẠCH …", "PHỤ LỤC")."""
    for index in range(start, len(lines)):
        text = lines[index].strip()
        if text and _ATTACHMENT_RE.match(folded[index]) and _mostly_upper(text.split("(")[0]):
            return index + 1
    return None
