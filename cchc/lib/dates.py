"""Vietnamese date and deadline phrases: "trước ngày 20/6/2023", "Quý III/2023", "hằng năm".

Directives state deadlines in a handful of forms: a day ("trước ngày 05 tháng
12 năm 2025", "chậm nhất ngày 20/6"), a period that falls due at its end
("trong tháng 9/2022", "Quý III", "6 tháng cuối năm 2022", "trong năm
2023"), a recurrence ("định kỳ hằng tháng", "hằng quý", "hằng năm") or no
deadline at all ("thường xuyên"). This module finds those phrases and turns
them into a due date, a :class:`~cchc.lib.periods.Period` and a recurrence.

Matching runs on an aligned fold of the text (lower case, no diacritics, one
character per character), so "trudc ngay 15/10/2022" from a scan with lost
diacritics reads like "trước ngày 15/10/2022", and the phrase as written is
cut from the original text at the same positions.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache

from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind


class Recurrence(StrEnum):
    NONE = ""
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"
    YEARLY = "yearly"
    CONTINUOUS = "continuous"


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    lowered = ch.lower()
    if lowered == "đ":
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", lowered) if not unicodedata.combining(c))
    return base if len(base) == 1 else ch


def fold_aligned(text: str) -> str:
    """Lower case without diacritics, keeping one character for each character of ``text``.

    Positions in the result are positions in ``text``: a phrase found in the
    folded form can be cut from the original. ``text`` should be NFC.
    """
    return "".join(map(_fold_char, text))


# --- single dates -------------------------------------------------------------------------------------------------

DATE_STYLES = ("slash", "slash_padded", "dash", "dot", "words", "words_padded", "words_no_day_word")

# Fragments tolerant of scans: "tháng" may come out as "thdng", "năm" as "nim", "ngày" as "ngav".
_NGAY = r"ng[a-z]{1,2}[yv]"
_THANG = r"th[a-z]{1,2}ng"
_NAM = r"n[a-z]{1,2}m"
_YEAR = r"(?:19|20|21)\d\d"

_NUMERIC_DATE = (
    rf"(?<![\d/.-])(?P<d>\d{{1,2}})\s*(?P<sep>[/.-])\s*(?P<m>\d{{1,2}})(?:\s*(?P=sep)\s*(?P<y>{_YEAR}))?(?![\d/]|\.\d)"
)
_WORD_DATE = (
    rf"(?:{_NGAY}\s+)?(?P<wd>\d{{1,2}})\s+{_THANG}\s+(?P<wm>\d{{1,2}})(?:\s*(?:,\s*)?{_NAM}\s+(?P<wy>{_YEAR}))?"
)
_DATE = rf"(?:{_WORD_DATE}|{_NUMERIC_DATE})"
_DATE_RE = re.compile(rf"^\s*(?:{_NGAY}\s+)?{_DATE}\s*$")


def _build_date(day: int, month: int, year: int, written: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise ServiceError(
            _("Ngày “%(date)s” không có thật (tháng %(month)s không có ngày %(day)s).")
            % {"date": written.strip(), "month": month, "day": day}
            if 1 <= month <= 12
            else _("Ngày “%(date)s” không có thật (không có tháng %(month)s).")
            % {"date": written.strip(), "month": month},
            code="bad_date",
        ) from exc


def _infer_year(day: int, month: int, reference: datetime.date | None, written: str) -> int:
    """The year of a date written without one: the reference's year, or the next one if that day has passed."""
    if reference is None:
        raise ServiceError(
            _("Ngày “%(date)s” không ghi năm và văn bản không có ngày ban hành để suy ra năm.") % {"date": written},
            code="no_year",
        )
    year = reference.year
    try:
        if datetime.date(year, month, day) < reference:
            year += 1
    except ValueError:
        pass  # an impossible day is reported by _build_date
    return year


def parse_date(text: str, *, reference: datetime.date | None = None) -> datetime.date:
    """A date written in one of the usual Vietnamese forms.

    "20/6/2023", "20-06-2023", "20.6.2023", "ngày 05 tháng 12 năm 2025", and
    without the year ("20/6", "ngày 5 tháng 12"), which is then taken from
    ``reference`` (the document date): the same year, or the next one when
    that day is already past. Raises :class:`ServiceError` for anything else
    and for days that do not exist (31/02).
    """
    written = " ".join(text.split())
    match = _DATE_RE.match(fold_aligned(written))
    if not match:
        raise ServiceError(_("Không đọc được ngày “%(date)s”.") % {"date": written}, code="bad_date")
    return _date_from_match(match, reference, written)


def _date_from_match(match: re.Match[str], reference: datetime.date | None, written: str) -> datetime.date:
    groups = match.groupdict()
    if groups.get("wd"):
        day, month, year_text = int(groups["wd"]), int(groups["wm"]), groups.get("wy")
    else:
        day, month, year_text = int(groups["d"]), int(groups["m"]), groups.get("y")
    year = int(year_text) if year_text else _infer_year(day, month, reference, written)
    return _build_date(day, month, year, written)


def format_date(day: datetime.date, style: str = "slash") -> str:
    """``day`` written the way directives write it; every style is read back by :func:`parse_date`."""
    if style == "slash":
        return f"{day.day}/{day.month}/{day.year}"
    if style == "slash_padded":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if style == "dash":
        return f"{day.day:02d}-{day.month:02d}-{day.year}"
    if style == "dot":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    if style == "words":
        return f"ngày {day.day} tháng {day.month} năm {day.year}"
    if style == "words_padded":
        return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    if style == "words_no_day_word":
        return f"{day.day:02d} tháng {day.month} năm {day.year}"
    raise ValueError(f"unknown date style: {style}")


# --- deadline phrases ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatePhrase:
    """A deadline phrase found in a text, with what it means."""

    text: str
    start: int
    end: int
    due: datetime.date | None = None
    period: Period | None = None
    recurrence: Recurrence = Recurrence.NONE
    # Set when the phrase names a day that does not exist or a year that cannot be told.
    error: str = ""
    # 3: a day after a deadline word, 2: a period after one, 1: a recurrence, 0: a bare period.
    strength: int = 0


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER = rf"qu[yi]\s+(?P<q>iv|i{{1,3}}|[1-4])\b(?:\s*(?:/|-|,?\s*{_NAM})\s*(?P<qy>{_YEAR}))?"
# "tháng 8 - 9/2023", "tháng 10 và tháng 11/2025": the last month of the span.
_MONTH = (
    rf"{_THANG}\s+(?:\d{{1,2}}\s*(?:-|–|va|,)\s*(?:{_THANG}\s+)?)*"
    rf"(?P<mo>\d{{1,2}})(?:\s*(?:/|-|,?\s*{_NAM})\s*(?P<my>{_YEAR}))?(?![\d/])"
)
_HALF = rf"(?:6|sau)\s+{_THANG}\s+(?P<h>d[a-z]u|cu[a-z]i)\s+{_NAM}(?:\s+(?P<hy>{_YEAR}))?"
_YEAR_PERIOD = rf"{_NAM}\s+(?P<yy>{_YEAR})(?P<yn>\s+va\s+(?:cac|nhung)\s+{_NAM}\s+tiep\s+theo)?"
# "giai đoạn 2026 - 2030", "năm 2026 - 2027", "các năm 2026, 2027": due at the end of the last year.
_SPAN = (
    rf"(?:giai\s+doan|(?:cac\s+)?{_NAM})\s+(?P<sa>{_YEAR})\s*(?:-|–|—|,|den|va)\s*(?:{_NAM}\s+)?(?P<sz>{_YEAR})"
    r"(?![\d/])"
)
_PERIOD = rf"(?:{_HALF}|{_QUARTER}|{_MONTH}|{_SPAN}|{_YEAR_PERIOD})"

# Words that make what follows a deadline: "trước ngày", "chậm nhất", "hoàn thành trong", "Thời hạn:".
# "vào" counts after a word of completion ("chậm nhất vào ngày …", "hoàn thành vào Quý I/2026"), not alone ("vào kỳ
# họp", "vào dịp Tết" name events). "không muộn hơn", "không quá", "muộn nhất" say "chậm nhất" in other words; "Tiến
# độ:" is the time field of many plans' tables.
_CUE = (
    r"(?:(?:tr[a-z]{1,3}c|ch[a-z]m\s+nh[a-z]t(?:\s+la)?|muon\s+nhat|khong\s+(?:muon|cham)\s+hon|khong\s+qua"
    r"|han\s+(?:chot|cuoi)|xong|hoan\s+thanh)(?:\s+vao)?|den(?:\s+het)?|truoc\s+het"
    r"|hoan\s+thanh(?:\s+(?:trong|truoc|xong))?|trong(?:\s+(?:vong|thoi\s+gian))?"
    r"|(?:thoi\s+(?:gian|han)(?:\s+(?:thuc\s+hien|hoan\s+thanh|nop|gui|bao\s+cao|trinh))?|tien\s+do)\s*:|cuoi|het)"
)
_EMPHASIS = r"[\s*_:,(“\"]*"
# "trước 16 giờ 00 ngày 31/12/2025", "trước 10 giờ 00 thứ Hai, ngày 05/01/2026": an hour and a weekday may come first.
_CLOCK = (
    r"(?:\d{1,2}\s*(?:gi[a-z]{1,2}|h)\s*(?:\d{2}(?:\s*ph[a-z]t)?)?\s*,?\s*(?:(?:s[a-z]ng|chi[a-z]u|tr[a-z]a)\s*,?\s*)?)"
)
_WEEKDAY = r"(?:(?:th[a-z]\s+(?:hai|ba|t[a-z]|n[a-z]m|s[a-z]u|b[a-z]y|[2-7])|ch[a-z]\s+nh[a-z]t)\s*,?\s*)"
_CUED_DATE_RE = re.compile(rf"(?P<cue>{_CUE}){_EMPHASIS}{_CLOCK}?{_WEEKDAY}?(?:{_NGAY}{_EMPHASIS})?{_DATE}")
# "vào" before a period ("vào cuối năm 2027", "vào năm 2030", "vào Quý II/2026") says when, as "trong" does; before
# anything else it names an event ("vào kỳ họp", "vào ngày 28/11/2025" of a conference).
_CUED_PERIOD_RE = re.compile(rf"(?P<cue>{_CUE}|vao(?:\s+cuoi)?){_EMPHASIS}{_PERIOD}")
_CUED_WEEK_RE = re.compile(
    rf"(?P<cue>{_CUE}){_EMPHASIS}tu[a-z]n\s+(?P<w>d[a-z]u(?:\s+ti[a-z]n)?|th[a-z]\s+(?:nh[a-z]t|hai|ba|t[a-z]|[1-4])"
    rf"|cu[a-z]i(?:\s+c[a-z]ng)?)\s+(?:c[a-z]a\s+)?{_MONTH}"
)
_WEEKS = {"dau": 1, "dau tien": 1, "thu nhat": 1, "thu 1": 1, "thu hai": 2, "thu 2": 2, "thu ba": 3, "thu 3": 3}
_WEEKS.update({"thu tu": 4, "thu 4": 4, "cuoi": 5, "cuoi cung": 5})
_OCR_ZERO_RE = re.compile(r"(?<=\d)o(?=[\d/.])|(?<=[/.])o(?=\d)")
_WHOLE_YEAR_RE = re.compile(r"(?<![a-z])(?:trong\s+)?c[a-z]\s+n[a-z]m(?!\s*\d)(?![a-z])")
_START_DATE_RE = re.compile(rf"(?<![a-z])(?P<cue>(?:ke\s+)?tu\s+){_NGAY}{_EMPHASIS}{_DATE}")
_RANGE_AFTER_RE = re.compile(r"\s*(?:den|toi|-|–)\s")
_AND_DATE_RE = re.compile(rf"\s*(?:,|va|hoac)\s*(?P<cue>)(?:{_NGAY}\s+)?{_DATE}")
_AND_PERIOD_RE = re.compile(rf"\s*(?:,|va|hoac|den|-|–)\s*(?P<cue>){_PERIOD}")
_BARE_DATE_RE = re.compile(rf"(?:{_NGAY}\s+)?{_DATE}")
_BARE_PERIOD_RE = re.compile(_PERIOD)
_HALF_RE = re.compile(_HALF)
_DATE_PART_RE = re.compile(r"^\D*(?=\d)")
# "trong vòng 10 ngày kể từ ngày ký", "trong thời hạn 15 ngày kể từ ngày ban hành Kế hoạch này", "chậm nhất 07 ngày
# sau ngày ký": counted from the document's date. Working days ("ngày làm việc") and days counted from an event the
# document cannot date ("kể từ ngày nhận được …", "sau khi …") give no day.
_RELATIVE_RE = re.compile(
    rf"(?<![a-z])(?:trong|cham\s+nhat|khong\s+qua|sau)(?:\s+(?:vong|thoi\s+han|thoi\s+gian|khoang))?\s+"
    rf"(?P<n>\d{{1,3}})\s+{_NGAY}(?P<work>\s+lam\s+viec)?\s*,?\s*(?:ke\s+)?(?:tu|sau)\s+{_NGAY}\s+"
    r"(?:(?:van\s+ban|ke\s+hoach|cong\s+van|chi\s+thi|quyet\s+dinh|thong\s+bao|cong\s+dien)\s+(?:nay\s+)?(?:duoc\s+)?)?"
    r"(?P<anchor>ky|ban\s+hanh)(?![a-z])"
)
_CUE_BEFORE_RE = re.compile(rf"(?<![a-z])(?:{_CUE}){_EMPHASIS}$")
# "hằng tháng, trước ngày 20": the rhythm, then the day of the month.
_MONTHLY_DAY_RE = re.compile(
    rf"(?:h[a-z]ng|moi)\s+{_THANG}\s*,?\s*(?:tr[a-z]{{1,3}}c|ch[a-z]m\s+nh[a-z]t)\s+{_NGAY}\s+\d{{1,2}}(?![\d/])"
)
_DAY_OF_MONTH_RE = re.compile(rf"(?:tr[a-z]{{1,3}}c\s+)?{_NGAY}\s+(?P<dom>\d{{1,2}})\s+(?:h[a-z]ng|moi)\s+{_THANG}")
_ALONG = r"c[u]ng\s+(?:ky|luc|thoi\s+diem)\s+(?:voi\s+)?(?:che\s+do\s+)?bao\s+cao\s+(?:dinh\s+ky\s+)?"
_RECURRENCES: list[tuple[Recurrence, str]] = [
    (
        Recurrence.HALF_YEARLY,
        rf"(?:dinh\s+ky\s+)?(?:6|sau)\s+{_THANG}\s*(?:/|mot|1)\s*lan|dinh\s+ky\s+(?:6|sau)\s+{_THANG}",
    ),
    (Recurrence.HALF_YEARLY, r"h[a-z]ng\s+nua\s+nam"),
    (Recurrence.MONTHLY, rf"(?:dinh\s+ky\s+)?(?:h[a-z]ng|moi)\s+{_THANG}|dinh\s+ky\s+{_THANG}"),
    (
        Recurrence.QUARTERLY,
        r"(?:dinh\s+ky\s+)?(?:h[a-z]ng|moi)\s+qu[yi]|dinh\s+ky\s+qu[yi](?!\s+(?:iv|i{1,3}|[1-4])\b)",
    ),
    (Recurrence.YEARLY, rf"(?:dinh\s+ky\s+)?(?:h[a-z]ng|moi)\s+{_NAM}|dinh\s+ky\s+{_NAM}"),
    (Recurrence.CONTINUOUS, r"th[a-z]{1,2}ng\s+xuy[a-z]n"),
    # "thực hiện liên tục", "liên tục ra quân": with a verb of doing, like "thường xuyên" (see _recurrence_allowed).
    (Recurrence.CONTINUOUS, r"lien\s+tuc"),
    # "trước ngày 05 của tháng cuối quý", "cuối mỗi quý": once a quarter.
    (
        Recurrence.QUARTERLY,
        rf"{_THANG}\s+cu[a-z]i\s+(?:c[a-z]a\s+)?(?:m[a-z]i\s+)?qu[yi](?![a-z\s]*[ivx\d])|cu[a-z]i\s+m[a-z]i\s+qu[yi]",
    ),
    # "gửi cùng kỳ với báo cáo quý": the rhythm of the periodic report it goes with.
    (Recurrence.QUARTERLY, rf"{_ALONG}qu[yi](?!\s+(?:iv|i{{1,3}}|[1-4])\b)"),
    (Recurrence.HALF_YEARLY, rf"{_ALONG}(?:6|sau)\s+{_THANG}"),
    (Recurrence.MONTHLY, rf"{_ALONG}{_THANG}"),
    (Recurrence.YEARLY, rf"{_ALONG}{_NAM}"),
]
_RECURRENCE_RES = [(kind, re.compile(rf"(?<![a-z])(?:{pattern})(?![a-z])")) for kind, pattern in _RECURRENCES]


def _period_from_match(match: re.Match[str], reference: datetime.date | None, written: str) -> Period:
    groups = match.groupdict()
    if groups.get("h"):
        kind, number, year_text = PeriodKind.HALF, 1 if groups["h"].startswith("d") else 2, groups.get("hy")
    elif groups.get("q"):
        kind, number, year_text = PeriodKind.QUARTER, _ROMAN[groups["q"]], groups.get("qy")
    elif groups.get("mo"):
        kind, number, year_text = PeriodKind.MONTH, int(groups["mo"]), groups.get("my")
        if not 1 <= number <= 12:
            raise ServiceError(_("Không có tháng %(month)s (“%(text)s”).") % {"month": number, "text": written})
    elif groups.get("sz"):
        return Period(max(int(groups["sa"]), int(groups["sz"])), PeriodKind.YEAR)
    else:
        return Period(int(groups["yy"]), PeriodKind.YEAR)
    if year_text:
        return Period(int(year_text), kind, number)
    if reference is None:
        raise ServiceError(
            _("Thời hạn “%(text)s” không ghi năm và văn bản không có ngày ban hành để suy ra năm.") % {"text": written},
            code="no_year",
        )
    period = Period(reference.year, kind, number)
    return period.next() if period.end < reference and kind != PeriodKind.YEAR else period


def _phrase(
    text: str, match: re.Match[str], reference: datetime.date | None, *, is_date: bool, cued: bool
) -> DatePhrase:
    written = text[match.start() : match.end()].strip(' *_:,(“"')
    start = match.start() + (len(text[match.start() : match.end()]) - len(text[match.start() : match.end()].lstrip()))
    base = DatePhrase(text=written, start=start, end=match.end(), strength=(3 if is_date else 2) if cued else 0)
    cue = fold_aligned(match.group("cue")) if cued and match.group("cue") else ""
    try:
        if is_date:
            return replace(base, due=_date_from_match(match, reference, _DATE_PART_RE.sub("", written)))
        period = _period_from_match(match, reference, written)
    except ServiceError as error:
        return replace(base, error=error.message)
    except ValueError:
        return replace(base, error=_("Không đọc được thời hạn “%(text)s”.") % {"text": written})
    groups = match.groupdict()
    recurrence = Recurrence.YEARLY if groups.get("yn") else Recurrence.NONE
    if re.search(r"(?:^|\s)tr[a-z]{1,3}c$", cue.strip()) and not cue.strip().endswith("trong"):
        # "trước tháng 6/2023", "trước Quý III": due before the period starts ("trước giai đoạn 2026 - 2030": its
        # first year).
        first = Period(int(groups["sa"]), PeriodKind.YEAR) if groups.get("sa") else period
        return replace(base, due=first.start - datetime.timedelta(days=1), period=None, recurrence=recurrence)
    return replace(base, due=period.end, period=period, recurrence=recurrence)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


_ADVERB_BEFORE_VERB_RE = re.compile(
    r"\s+(?:kiem\s+tra|theo\s+doi|cap\s+nhat|ra\s+soat|tuyen\s+truyen|don\s+doc|huong\s+dan|to\s+chuc|thuc\s+hien"
    r"|bao\s+cao|phoi\s+hop|ho\s+tro|giam\s+sat|chi\s+dao|nam\s+bat|trao\s+doi|boi\s+duong|duy\s+tri|rà\s+soat"
    r"|ra\s+quan|van\s+hanh)(?![a-z])"
)


# "… báo cáo UBND tỉnh và Bộ Nội vụ hàng năm.": a reporting verb shortly before a rhythm that closes the clause.
_REPORTED_TO_RE = re.compile(r"(?:bao\s+cao|gui|tong\s+hop|to\s+chuc|kiem\s+tra)\s+(?:ve\s+)?[^.;:]{0,50}$")


_VERB_BEFORE_ADVERB_RE = re.compile(
    r"(?<![a-z])(?:cap\s+nhat|phat|kiem\s+tra|theo\s+doi|thuc\s+hien|tuyen\s+truyen|ra\s+soat|duy\s+tri|to\s+chuc"
    r"|huong\s+dan|don\s+doc|ho\s+tro|giam\s+sat|trien\s+khai|dang\s+tai)\s*$"
)


# Work done once a period: reporting, assessing, summing up, planning and funding, inspecting, publishing a ranking.
_PERIODIC_VERB_RE = re.compile(
    r"(?<![a-z])(?:bao\s+cao|danh\s+gia|tong\s+hop|so\s+ket|tong\s+ket|bo\s+tri|kiem\s+tra|ra\s+soat|cap\s+nhat"
    r"|xay\s+dung\s+ke\s+hoach|lap\s+ke\s+hoach|ban\s+hanh\s+ke\s+hoach|cong\s+bo|xep\s+hang|theo\s+doi)"
    r"(?![a-z])"
)


# A plan, an estimate or a report "of each year" names the thing, not when the task recurs ("trong kế hoạch hàng năm",
# "dự toán được giao hàng năm").
_NOUN_OF_PERIOD_RE = re.compile(r"(?<![a-z])(?:ke\s+hoach|du\s+toan|giao|chi\s+so|tai\s+lieu|bao\s+cao)\s*$")


def _opens_with_periodic_verb(clause: str) -> bool:
    """The clause's verb, among its first words ("Tổ chức đánh giá, báo cáo …", "Chủ trì tổng hợp, tham mưu bố trí
    …"), is one of periodic work, at most twelve words before the rhythm; not the noun of a phrase ("tiêu chí quan
    trọng trong đánh giá cán bộ …")."""
    for match in _PERIODIC_VERB_RE.finditer(clause):
        words = clause[: match.start()].split()
        if len(words) > 5 or (words and words[-1] in ("trong", "cua", "cho", "voi", "ve")):
            continue
        # The rhythm closes the verb's own phrase, not a sentence running on for lines after it.
        if len(clause[match.end() :].split()) <= 12:
            return True
    return False


def _recurrence_allowed(folded: str, start: int, end: int) -> bool:
    """A recurrence word sets the task's rhythm only where it governs the clause, not as an adjective.

    "Hằng năm, thực hiện việc tự đánh giá" and "… định kỳ hằng quý" do;
    "sử dụng kết quả Chỉ số CCHC hằng năm trong công tác quản lý" does not.
    """
    if folded[start:end].startswith(("dinh", "cung")) or "cuoi" in folded[start:end]:
        return True
    continuous = folded[start:end].startswith(("th", "lien"))
    if continuous and _VERB_BEFORE_ADVERB_RE.search(folded[:start]):
        return True  # "cập nhật thường xuyên tin, bài", "phát thường xuyên các bản tin"
    if continuous and _ADVERB_BEFORE_VERB_RE.match(folded, end):
        # "… và thường xuyên kiểm tra việc …": the adverb of the task's verb, not "chi thường xuyên" (spending).
        return not re.search(r"(?:chi|kinh\s+phi|nguon|du\s+toan)\s*$", folded[:start])
    before = folded[:start].rstrip(" *_")
    if re.search(r"(?:tuan|ngay|thang|quy)\s+(?:dau(?:\s+tien)?|cuoi(?:\s+cung)?|thu\s+[a-z0-9]+)\s*$", before):
        return True  # "vào tuần đầu tiên hằng tháng"
    if re.match(r"\s*(?:[.;]|$)", folded[end:]) and _REPORTED_TO_RE.search(before):
        return True  # "… báo cáo UBND tỉnh và Bộ Nội vụ hàng năm.": the rhythm of the clause it closes
    clause_start = max(before.rfind(mark) for mark in ".;:(\n") + 1
    if (
        not continuous
        and _opens_with_periodic_verb(before[clause_start:])
        and not _NOUN_OF_PERIOD_RE.search(before)
        and not re.match(r"\s+(?:cua|theo|do)(?![a-z])", folded[end:])
    ):
        # "Tổ chức đánh giá, báo cáo kết quả thực hiện Đề án hàng năm và tổng kết …", "bố trí kinh phí … hằng năm
        # để …": a verb of periodic work earlier in the clause makes the rhythm the task's, wherever it stands.
        return True
    return bool(not before or before[-1] in ".;:(-+•\n" or before.endswith(("dinh ky", "thuc hien", "bao cao")))


def find_date_phrases(
    text: str,
    *,
    reference: datetime.date | None = None,
    bare: bool = False,
    not_before: datetime.date | None = None,
) -> list[DatePhrase]:
    """Every deadline phrase in ``text``, in reading order.

    A day or a period counts only after a deadline word ("trước", "chậm
    nhất", "trong", "hoàn thành", "Thời hạn:" …), so that "Nghị quyết số 76
    ngày 15/7/2021" is not read as a deadline; with ``bare=True`` (a table
    cell of deadlines, a section heading) periods and days stand alone too. With ``not_before`` (the document's
    date), a day or period that ends before it is not a deadline: in the text of a directive it says what has been
    done ("Đến ngày 30/9/2025, toàn tỉnh đã …") or since when a rule is in force ("từ ngày 01/7/2025").
    """
    # A scan reads "30/9" as "3O/9": a letter O between digits is a zero (same length, so positions still align).
    folded = _OCR_ZERO_RE.sub("0", fold_aligned(text))
    phrases: list[DatePhrase] = []
    taken: list[tuple[int, int]] = []

    def add(phrase: DatePhrase) -> None:
        phrases.append(phrase)
        taken.append((phrase.start, phrase.end))

    # "trước ngày 20 hằng tháng", "hằng tháng, trước ngày 20": a day of every month.
    for regex in (_DAY_OF_MONTH_RE, _MONTHLY_DAY_RE):
        for match in regex.finditer(folded):
            written = text[match.start() : match.end()]
            add(DatePhrase(written, match.start(), match.end(), recurrence=Recurrence.MONTHLY, strength=1))
    for match in _CUED_WEEK_RE.finditer(folded):
        # "trong tuần đầu tháng 12/2025": the seventh day of the month (the last day for "tuần cuối").
        base = _phrase(text, match, reference, is_date=False, cued=True)
        if base.period is not None:
            week = _WEEKS.get(" ".join(match.group("w").split()), 1)
            due = base.period.end if week == 5 else base.period.start + datetime.timedelta(days=7 * week - 1)
            add(replace(base, due=due, period=None, strength=3))
        else:
            add(base)
    for match in _HALF_RE.finditer(folded):
        # "6 tháng cuối năm 2022" is a half-year; its tail "cuối năm 2022" must not be read as the whole year.
        cue = _CUE_BEFORE_RE.search(folded[: match.start()])
        if cue is not None or bare:
            start = cue.start() if cue is not None else match.start()
            add(_phrase_bare(text, match, reference, is_date=False, start=start, strength=2 if cue else 0))
        else:
            taken.append((match.start(), match.end()))
    for regex, is_date in ((_CUED_DATE_RE, True), (_CUED_PERIOD_RE, False)):
        for match in regex.finditer(folded):
            if not is_date and match.group("sz") and not _span_is_due(folded, match):
                continue
            if not _overlaps((match.start(), match.end()), taken) and _word_start(folded, match.start()):
                add(_phrase(text, match, reference, is_date=is_date, cued=True))
                # "trong Quý II và Quý III năm 2026", "trước 15/6 và 15/12": what is joined to a cued phrase shares
                # its cue.
                joined = _AND_DATE_RE if is_date else _AND_PERIOD_RE
                follow = joined.match(folded, match.end())
                while follow is not None and not _overlaps((follow.start(), follow.end()), taken):
                    add(_phrase(text, follow, reference, is_date=is_date, cued=True))
                    follow = joined.match(folded, follow.end())
    for match in _RELATIVE_RE.finditer(folded):
        # Counted from the document's own date: that date plus the days, when they are calendar days.
        if _overlaps((match.start(), match.end()), taken):
            continue
        written = text[match.start() : match.end()]
        if match.group("work") or reference is None:
            taken.append((match.start(), match.end()))
            continue
        due = reference + datetime.timedelta(days=int(match.group("n")))
        add(DatePhrase(written, match.start(), match.end(), due=due, strength=3))
    for match in _START_DATE_RE.finditer(folded):
        # "kể từ ngày 01/12/2025", "Từ ngày 01/01/2026, …": the measure must be in force by that day (weakest).
        if not _overlaps((match.start(), match.end()), taken) and not _RANGE_AFTER_RE.match(folded, match.end()):
            add(replace(_phrase(text, match, reference, is_date=True, cued=True), strength=1))
    if bare and reference is not None:
        for match in _WHOLE_YEAR_RE.finditer(folded):
            # "Cả năm" in a deadline column: by the end of the document's year.
            if not _overlaps((match.start(), match.end()), taken):
                year = Period(reference.year, PeriodKind.YEAR)
                written = text[match.start() : match.end()].strip()
                add(DatePhrase(text=written, start=match.start(), end=match.end(), due=year.end, period=year))
    if bare:
        for regex, is_date in ((_BARE_DATE_RE, True), (_BARE_PERIOD_RE, False)):
            for match in regex.finditer(folded):
                if not _overlaps((match.start(), match.end()), taken) and _word_start(folded, match.start()):
                    add(_phrase_bare(text, match, reference, is_date=is_date))
    for kind, regex in _RECURRENCE_RES:
        for match in regex.finditer(folded):
            span = (match.start(), match.end())
            if _overlaps(span, taken):
                continue
            if bare or _recurrence_allowed(folded, *span):
                add(DatePhrase(text=text[span[0] : span[1]], start=span[0], end=span[1], recurrence=kind, strength=1))
    if not_before is not None:
        phrases = [phrase for phrase in phrases if phrase.due is None or phrase.due >= not_before]
    return sorted(phrases, key=lambda phrase: phrase.start)


# A span of years is when a task is due only where the work is done in it ("thực hiện trong giai đoạn 2026 - 2030",
# "hoàn thành giai đoạn 2026 - 2027"), not where it is what something covers ("ngân sách hỗ trợ trong giai đoạn
# 2026-2030", "kế hoạch … giai đoạn 2026 - 2030").
_SPAN_VERB_RE = re.compile(
    r"(?<![a-z])(?:thuc\s+hien|trien\s+khai|hoan\s+thanh|hoan\s+thien|duy\s+tri|to\s+chuc|xay\s+dung"
    r"|ap\s+dung|van\s+hanh|thi\s+diem|nghien\s+cuu)(?![a-z])"
)


def _span_is_due(folded: str, match: re.Match[str]) -> bool:
    cue = " ".join(match.group("cue").split())
    if cue not in ("trong", "trong thoi gian", "vao"):
        return True
    clause_start = max(folded.rfind(mark, 0, match.start()) for mark in (".", ";", ":", "\n", "(")) + 1
    return bool(_SPAN_VERB_RE.search(folded, clause_start, match.start()))


def _word_start(folded: str, index: int) -> bool:
    return index == 0 or not folded[index - 1].isalnum()


def _phrase_bare(
    text: str,
    match: re.Match[str],
    reference: datetime.date | None,
    *,
    is_date: bool,
    start: int | None = None,
    strength: int = 0,
) -> DatePhrase:
    begin = match.start() if start is None else start
    written = text[begin : match.end()].strip(' *_:,(“"')
    base = DatePhrase(text=written, start=begin, end=match.end(), strength=strength)
    try:
        if is_date:
            return replace(base, due=_date_from_match(match, reference, written))
        period = _period_from_match(match, reference, written)
    except ServiceError as error:
        return replace(base, error=error.message)
    except ValueError:
        return replace(base, error=_("Không đọc được thời hạn “%(text)s”.") % {"text": written})
    recurrence = Recurrence.YEARLY if match.groupdict().get("yn") else Recurrence.NONE
    return replace(base, due=period.end, period=period, recurrence=recurrence)


@dataclass(frozen=True)
class Deadline:
    """What a text says about when a task is due: the phrases combined."""

    text: str = ""
    due: datetime.date | None = None
    period: Period | None = None
    recurrence: Recurrence = Recurrence.NONE
    errors: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.text

    @property
    def period_key(self) -> str:
        return self.period.key if self.period else ""


def combine(phrases: list[DatePhrase], *, steps: bool = False) -> Deadline:
    """One deadline from the phrases of a text: the latest due day or period, and the recurrence if any.

    A task "hoàn thành trước ngày 30/6; báo cáo kết quả trước ngày 15/7" is
    finished only when the last step is; "trước ngày 20 hằng tháng" and
    "định kỳ hằng quý" set the rhythm; "thường xuyên" counts only when
    nothing more precise is said.
    """
    if not phrases:
        return Deadline()
    errors = tuple(phrase.error for phrase in phrases if phrase.error)
    # Separate steps ("Đợt 1: trước ngày 15/3; Đợt 2: Quý III") all count, however each is worded.
    strongest = 0 if steps else max(phrase.strength for phrase in phrases)
    dated = [phrase for phrase in phrases if phrase.due is not None and phrase.strength == strongest]
    if not dated:
        dated = [phrase for phrase in phrases if phrase.due is not None]
    rhythm = [phrase for phrase in phrases if phrase.recurrence != Recurrence.NONE]
    precise = [phrase for phrase in rhythm if phrase.recurrence != Recurrence.CONTINUOUS]
    recurrence = (precise or rhythm)[0].recurrence if (precise or rhythm) else Recurrence.NONE
    if dated:
        chosen = max(dated, key=lambda phrase: phrase.due or datetime.date.min)
        if recurrence == Recurrence.CONTINUOUS or chosen.recurrence != Recurrence.NONE:
            recurrence = chosen.recurrence
        used = [chosen, *[phrase for phrase in precise if phrase is not chosen][:1]]
        if recurrence == Recurrence.NONE:
            used = [chosen]
        used.sort(key=lambda phrase: phrase.start)
        return Deadline(
            text="; ".join(phrase.text for phrase in used),
            due=chosen.due,
            period=chosen.period,
            recurrence=recurrence,
            errors=errors,
        )
    if rhythm:
        chosen = (precise or rhythm)[0]
        return Deadline(text=chosen.text, recurrence=chosen.recurrence, errors=errors)
    failed = [phrase for phrase in phrases if phrase.error]
    return Deadline(text=failed[0].text if failed else "", errors=errors)


def parse_deadline(
    text: str,
    *,
    reference: datetime.date | None = None,
    bare: bool = False,
    not_before: datetime.date | None = None,
) -> Deadline:
    """The deadline stated in ``text`` (see :func:`find_date_phrases` and :func:`combine`)."""
    steps = bare and bool(re.search(r";|(?<![a-z])(?:dot|lan|giai\s+doan)\s+\d", fold_aligned(text)))
    return combine(find_date_phrases(text, reference=reference, bare=bare, not_before=not_before), steps=steps)


__all__ = [
    "DATE_STYLES",
    "DatePhrase",
    "Deadline",
    "Recurrence",
    "combine",
    "find_date_phrases",
    "fold_aligned",
    "format_date",
    "parse_date",
    "parse_deadline",
]
