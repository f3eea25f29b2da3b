"""What in a sentence may give a deadline: its text with the dates that never do blanked out.

A directive dates the documents it cites ("theo Kế hoạch số 12/KH-UBND ngày 05/3/2025 của UBND tỉnh", "Quyết định
số 1234/QĐ-TTg ngày 20 tháng 10 năm 2025"), quotes the names of plans ("“… giai đoạn 2026 - 2030, tầm nhìn đến năm
2045”"), names programmes with their horizon ("Chương trình … đến năm 2030") and states visions: none of these is
when a task is due. :func:`deadline_view` blanks them (keeping every other character in place, so spans still point
into the text) before :func:`cchc.lib.dates.parse_deadline` reads what is left. The kinds of cited documents and the
vision phrases are data files (``data/document_kinds.txt``, ``data/not_deadline_phrases.txt``).
"""

from __future__ import annotations

import functools
import re

from cchc.lib.dates import Recurrence, fold_aligned

from .rules import fire
from .vocabulary import alternation, labelled

_DATE = (
    r"(?:ngay\s+)?\d{1,2}\s*(?:/|-|\.|\s+thang\s+)\s*\d{1,2}\s*(?:/|-|\.|\s+nam\s+)\s*\d{4}"
    r"|(?:ngay\s+)?\d{1,2}\s*(?:/|-|\.|\s+thang\s+)\s*\d{1,2}(?![\d/])"
)


@functools.cache
def _cited_re() -> re.Pattern[str]:
    kinds = alternation("document_kinds")
    # "Kế hoạch số 12/KH-UBND ngày 05/3/2025", "Quyết định 1234/QĐ-TTg", "Nghị quyết số 21-NQ/TW ngày …",
    # and a bare symbol with its date ("số 12/KH-UBND ngày 05/3/2025").
    symbol = r"(?:so\s*:?\s*)?\d+[\w.]*(?:[/-][a-z0-9&.]+)+"
    return re.compile(
        rf"(?<![a-z])(?:(?:{kinds})\s+{symbol}|so\s*:?\s*\d+[\w.]*(?:[/-][a-z0-9&.]+)+)"
        rf"(?:\s*,?\s*(?:ban\s+hanh\s+)?(?:{_DATE}))?"
    )


@functools.cache
def _vision_re() -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z])(?:{alternation('not_deadline_phrases')})\s+(?:nam\s+)?\d{{4}}")


_QUOTED_RE = re.compile(r"[“\"][^“”\"]{3,300}[”\"]")
# The horizon in the name of a programme, a strategy or a scheme ("Chương trình mục tiêu quốc gia phòng, chống ma
# túy đến năm 2030", "Đề án phát triển … giai đoạn 2026 - 2030"), unless a word of completion comes between.
_PROGRAMME_RE = re.compile(
    r"(?<![a-z])(?:chuong\s+trinh|chien\s+luoc|de\s+an|quy\s+hoach|ke\s+hoach\s+hanh\s+dong)\s+"
    r"(?:(?!hoan\s+thanh|truoc\b|xong\b|cham\s+nhat|thoi\s+han)[a-z]+[\s,-]+){1,14}?"
    r"(?P<date>(?:den\s+nam|giai\s+doan)\s+\d{4}(?:\s*-\s*\d{4})?)"
)


@functools.cache
def _schedule_re() -> re.Pattern[str]:
    written = sorted(labelled("schedule_periods"), key=len, reverse=True)
    periods = "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in written)
    # "6 tháng (trước ngày 16/6)", "tổng kết năm (chậm nhất ngày 20/11 hàng năm)": a period and its day in brackets.
    return re.compile(rf"(?<![a-z0-9])(?P<period>{periods})\s*(?P<day>\(\s*(?:truoc|cham\s+nhat|han)[^()]{{1,60}}\))")


def _schedule_spans(folded: str) -> list[tuple[int, int]]:
    """The bracketed days of the longer periods of a report schedule that lists a day per period.

    "Định kỳ hàng tháng (trước ngày 16 hàng tháng), 6 tháng (trước ngày 16/6), tổng kết năm (trước ngày 20/11 hàng
    năm)": the task reports monthly (``LABELLING.md``: of several report rhythms, the shortest); 16/6 and 20/11 are
    the days of its half-yearly and yearly reports, not when the task is due. A single period with its day
    ("Định kỳ hằng năm (trước ngày 30 tháng 11)") is left alone.
    """
    ranks = labelled("schedule_periods")
    entries = [
        (int(ranks[" ".join(match.group("period").split())]), match.start("day"), match.end("day"))
        for match in _schedule_re().finditer(folded)
    ]
    if len({rank for rank, _start, _end in entries}) < 2:
        return []
    shortest = min(rank for rank, _start, _end in entries)
    return [(start, end) for rank, start, end in entries if rank != shortest]


def deadline_view(text: str) -> str:
    """``text`` with cited documents, quoted names and visions blanked (same length, same positions), and the days
    of the longer periods of a report schedule (:func:`_schedule_spans`)."""
    folded = fold_aligned(text)
    schedule = _schedule_spans(folded)
    if schedule:
        fire("deadline.schedule_day_of_longer_period", len(schedule))
    spans: list[tuple[int, int]] = list(schedule)
    for match in _cited_re().finditer(folded):
        if re.search(r"\d{4}|\d{1,2}\s*/\s*\d{1,2}", folded[match.start() : match.end()]):
            spans.append((match.start(), match.end()))
    for match in _QUOTED_RE.finditer(text):
        spans.append((match.start(), match.end()))
    for match in _vision_re().finditer(folded):
        spans.append((match.start(), match.end()))
    for match in _PROGRAMME_RE.finditer(folded):
        spans.append((match.start("date"), match.end("date")))
    if not spans:
        return text
    if len(spans) > len(schedule):
        fire("deadline.cited_or_quoted_blanked", len(spans) - len(schedule))
    chars = list(text)
    for start, end in spans:
        for index in range(start, end):
            chars[index] = " "
    return "".join(chars)


@functools.cache
def _short_rhythm_re() -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z])(?:{alternation('short_rhythms')})(?![a-z])")


@functools.cache
def _rhythm_verb_re() -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z])(?:{alternation('short_rhythm_verbs')})(?![a-z])")


@functools.cache
def _continuous_update_re() -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z])(?:{alternation('continuous_updates')})(?![a-z])")


@functools.cache
def _routine_tag_re() -> re.Pattern[str]:
    return re.compile(
        rf"(?:^|[,;(]|(?<![a-z])la)\s*(?P<tag>{alternation('routine_tags')})\s*(?=[.;,)]|$)", re.MULTILINE
    )


# "trước 6h sáng hàng ngày", "trước 19h00’ hằng ngày", "lúc 16 giờ 30 hằng ngày": an hour of every day.
_HOUR_BEFORE_RE = re.compile(
    r"(?<![a-z0-9])\d{1,2}\s*(?:h|gio)\s*(?:\d{2})?\W{0,2}\s*(?:(?:sang|chieu|toi|trua|dem)\s*)?,?\s*$"
)


def short_rhythm(text: str) -> str:
    """The words that make a task daily, weekly or continuously kept up ("báo cáo … trước 19h00’ hằng ngày",
    "định kỳ hàng tuần", "Cập nhật liên tục …"), or "" (``data/short_rhythms.txt`` and the lists beside it).

    A daily or weekly phrase counts after a verb of reporting or keeping up in the same clause, or at its start,
    and not when a genitive follows ("báo cáo hằng ngày của Cơ quan …" cites a report).
    """
    folded = fold_aligned(text)
    for match in _continuous_update_re().finditer(folded):
        return text[match.start() : match.end()]
    for match in _routine_tag_re().finditer(folded):
        fire("deadline.routine_task_tag")
        return text[match.start("tag") : match.end("tag")]
    for match in _short_rhythm_re().finditer(folded):
        if re.match(r"\s+cua(?![a-z])", folded[match.end() :]):
            continue
        if _HOUR_BEFORE_RE.search(folded, 0, match.start()):
            # "(đêm và sáng sớm, trước 6h sáng hàng ngày)": a time of every day is a daily rhythm, verb or not.
            fire("deadline.hour_of_each_day")
            return text[match.start() : match.end()]
        clause_start = max(folded.rfind(mark, 0, match.start()) for mark in (".", ";", ":", "\n", "(")) + 1
        clause = folded[clause_start : match.start()]
        if not clause.strip(" ,-+") or _rhythm_verb_re().search(clause):
            return text[match.start() : match.end()]
    return ""


_PERIODS = {"thang": Recurrence.MONTHLY, "quy": Recurrence.QUARTERLY, "nam": Recurrence.YEARLY}
_PERIOD_RHYTHM_RE = re.compile(r"(?<![a-z])(?:dinh\s+ky\s+)?(?:hang|moi)\s+(?P<period>thang|quy|nam)(?![a-z])")
# What may follow the rhythm that closes the work: the end of the clause, or the doer's own ("… trong báo cáo công
# tác giảm nghèo hàng năm của cơ quan, đơn vị và gửi về …"), not another body's ("báo cáo hằng năm của Bộ …").
_CLOSING_RE = re.compile(
    r"\s*(?:[.;]|$)|\s+cua\s+(?:minh|co\s+quan|don\s+vi|dia\s+phuong|nganh)(?=\s*(?:[,.;]|va\s|$))"
)


@functools.cache
def _periodic_verb_re() -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z])(?:{alternation('periodic_work_verbs')})(?![a-z])")


def periodic_rhythm(text: str) -> tuple[str, Recurrence]:
    """The words and rhythm of yearly, quarterly or monthly work that a clause opens with and ends on ("Tổng hợp,
    đánh giá kết quả thực hiện Kế hoạch hằng năm."), or ("", NONE).

    A verb of periodic work (``data/periodic_work_verbs.txt``) must stand among the clause's first three words, one
    (it or another) at most twelve words before the rhythm, and the rhythm must close the clause: "bố trí kinh phí
    ngân sách địa phương hằng năm đảm bảo thực hiện …" says what a budget is, and sets no rhythm.
    """
    folded = fold_aligned(text)
    for match in _PERIOD_RHYTHM_RE.finditer(folded):
        if not _CLOSING_RE.match(folded, match.end()):
            continue
        clause_start = max(folded.rfind(mark, 0, match.start()) for mark in (". ", ";", ":", "\n", "(")) + 1
        verbs = list(_periodic_verb_re().finditer(folded, clause_start, match.start()))
        if not verbs or len(folded[clause_start : verbs[0].start()].split()) > 2:
            continue
        if len(folded[verbs[-1].end() : match.start()].split()) > 12:
            continue
        fire("deadline.rhythm_closing_periodic_work")
        return text[match.start() : match.end()], _PERIODS[match.group("period")]
    return "", Recurrence.NONE
