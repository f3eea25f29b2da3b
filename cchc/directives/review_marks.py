"""Where each proposed task and its fields came from in the document, for the review page.

The extractor keeps, for each task, its content and the words its lead unit and deadline were read from
(``sources``). Those are words, not positions: the document keeps its hard line wraps, so the same words may be
split over lines. :func:`locate` finds them again in the text with whitespace folded, and :func:`marked_text`
writes the text with the found passages marked, so the reviewer sees which words each field came from.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from cchc.extraction.core import LOW_CONFIDENCE

FIELDS = ("lead_unit", "deadline")
# A content that was cleaned by the extractor (markers dropped, lines joined) is found by its opening words.
_PREFIX = 60
_SHORT_PREFIX = 25


@dataclass(frozen=True)
class Mark:
    """A passage of the text (``start``–``end``, character offsets) that task ``task`` came from.

    ``field`` is ``""`` for the task's own passage, else the field its words gave (``lead_unit``, ``deadline``).
    """

    start: int
    end: int
    task: int
    field: str


class _Folded:
    """The text with each run of whitespace folded to one space and letters lower-cased, mapped to the original."""

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        origin: list[int] = []
        space = False
        for index, char in enumerate(text):
            if char.isspace():
                if not space and chars:
                    chars.append(" ")
                    origin.append(index)
                space = True
                continue
            space = False
            lowered = char.lower()
            chars.append(lowered if len(lowered) == 1 else char)
            origin.append(index)
        self.text = "".join(chars)
        self.origin = origin
        self.length = len(text)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of folded ``start``–``end``."""
        last = min(end, len(self.origin)) - 1
        return self.origin[start], (self.origin[last] + 1 if last >= start else self.origin[start])


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _fold(words: str) -> str:
    return " ".join(words.split()).lower()


def _find_content(folded: _Folded, content: str, cursor: int) -> tuple[int, int] | None:
    wanted = _fold(content)
    if not wanted:
        return None
    for probe in (wanted, wanted[:_PREFIX], wanted[:_SHORT_PREFIX]):
        if len(probe) < min(len(wanted), 8):
            continue
        for start in (cursor, 0):
            found = folded.text.find(probe, start)
            if found >= 0:
                return found, min(found + len(wanted), len(folded.text))
    return None


def _find_source(folded: _Folded, words: str, around: tuple[int, int] | None) -> tuple[int, int] | None:
    """The passage of ``words``: inside the task's own passage, else the nearest before it (an introduction
    the task inherits), else the nearest after it (a closing sentence), else anywhere."""
    wanted = _fold(words)
    if not wanted:
        return None
    text = folded.text
    if around is not None:
        start, end = around
        found = text.find(wanted, start, end + len(wanted))
        if found < 0:
            found = text.rfind(wanted, 0, start)
        if found < 0:
            found = text.find(wanted, end)
    else:
        found = text.find(wanted)
    return (found, found + len(wanted)) if found >= 0 else None


def locate(text: str, tasks: Sequence[dict[str, Any]]) -> list[Mark]:
    """The passages of ``text`` each task (by its index in ``tasks``) and each of its fields came from.

    Tasks are looked for in document order, each after the previous one first. A task or a field whose words are
    not in the text (a scan read differently, words the extractor rewrote) gets no mark rather than a wrong one.
    """
    folded = _Folded(text)
    marks: list[Mark] = []
    cursor = 0
    for index, task in enumerate(tasks):
        own = _find_content(folded, str(task.get("content") or ""), cursor)
        if own is not None:
            cursor = own[0] + 1
            marks.append(Mark(*folded.span(*own), task=index, field=""))
        sources = _mapping(task.get("sources"))
        for name in FIELDS:
            found = _find_source(folded, str(sources.get(name) or ""), own)
            if found is not None:
                marks.append(Mark(*folded.span(*found), task=index, field=name))
    return marks


def marked_text(text: str, marks: Sequence[Mark]) -> SafeString:
    """``text`` as HTML with every marked passage in a ``<mark>``.

    Passages may overlap (an introduction's lead shared by several tasks): the text is cut at every mark's ends,
    and each piece lists the tasks whose passage holds it (``data-tasks``) and whether it is the source of a
    field (class ``doc-source``). Each task's passage starts with an anchor ``doc-task-<n>`` (n from 1).
    """
    cuts = sorted({0, len(text), *(mark.start for mark in marks), *(mark.end for mark in marks)})
    starting: dict[int, list[Mark]] = {}
    for mark in marks:
        starting.setdefault(mark.start, []).append(mark)
    covering: list[Mark] = []
    parts: list[str] = []
    for start, end in itertools.pairwise(cuts):
        # The marks over this piece: those still open, and those that start here (a sweep along the text).
        covering = [mark for mark in covering if mark.end > start] + starting.get(start, [])
        parts.extend(
            str(format_html('<span id="doc-task-{}" class="doc-anchor"></span>', mark.task + 1))
            for mark in starting.get(start, [])
            if not mark.field
        )
        piece = escape(text[start:end])
        if not covering:
            parts.append(piece)
            continue
        tasks = sorted({mark.task + 1 for mark in covering})
        fields = sorted({mark.field for mark in covering if mark.field})
        classes = "doc-passage" + (" doc-source" if fields else "")
        parts.append(
            str(
                format_html(
                    '<mark class="{}" data-tasks="{}"{}>{}</mark>',
                    classes,
                    " ".join(str(task) for task in tasks),
                    format_html(' data-fields="{}"', " ".join(fields)) if fields else "",
                    piece,
                )
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


@dataclass(frozen=True)
class FieldSource:
    """What the review page says of one proposed field: the words it came from and how far to trust it."""

    field: str
    words: str
    confidence: float | None
    needs_attention: bool
    # Why the value needs a second look beyond a low confidence (a year a scan may have misread), else empty.
    doubt: str = ""

    @property
    def percent(self) -> int | None:
        return round(self.confidence * 100) if self.confidence is not None else None


def field_sources(task: dict[str, Any]) -> list[FieldSource]:
    """The source of the lead unit and the deadline of a proposed task.

    A field needs attention when it was read with a confidence below the extractor's threshold, when it was not
    found at all (a task with no lead), or when the deadline is in doubt (a year a scan may have misread).
    """
    sources, confidence = _mapping(task.get("sources")), _mapping(task.get("confidence"))
    result = []
    for name in FIELDS:
        words = " ".join(str(sources.get(name) or "").split())
        value = confidence.get(name)
        trust = float(value) if isinstance(value, int | float) else None
        missing = not words and not (task.get(name) or (name == "deadline" and task.get("recurrence")))
        doubt = str(task.get("deadline_doubt") or "") if name == "deadline" else ""
        low = trust is not None and trust < LOW_CONFIDENCE
        result.append(
            FieldSource(
                field=name,
                words=words,
                confidence=trust,
                needs_attention=low or bool(doubt) or missing,
                doubt=doubt,
            )
        )
    return result
