"""Word's automatic list numbering, rendered as Word shows it ("1.2.", "a)", "(3)", "II.", "Điều 4.").

Numbers that Word adds through a list definition are not part of a
paragraph's text, so a directive numbered that way would lose the labels of
its sections. This module reads the definitions (the numbering part,
``word/numbering.xml``) and counts the numbered paragraphs in document order:

* a paragraph is numbered through its own ``w:numPr`` (``w:numId``,
  ``w:ilvl``) or through the ``w:numPr`` of its paragraph style and the styles
  that style is based on; ``w:numId`` 0 switches numbering off;
* each ``w:num`` (numId) points to a ``w:abstractNum`` (following
  ``w:numStyleLink`` to the numbering style that holds the levels), and may
  restart a level with ``w:lvlOverride/w:startOverride`` or replace it;
* counters are kept per abstract list, as Word does: two numIds on the same
  definition continue one another unless one of them restarts a level (which
  is how Word writes "Restart at 1"). A level counts from ``w:start``; a
  paragraph at a level resets the deeper levels (``w:lvlRestart`` can keep
  them going); a level named in a label but not used yet shows one less than
  its start, as Word's "1.0.1" does;
* the label is ``w:lvlText`` with ``%1`` … ``%9`` replaced by the counters in
  each level's ``w:numFmt`` (Arabic numerals for all of them under
  ``w:isLgl``); bullets of any symbol become "- " so that they still read as
  bullets.

Nothing here raises on a damaged definition: a paragraph whose list cannot be
resolved is marked "- ", which keeps at least the boundary of its item.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from docx.oxml.ns import qn

logger = logging.getLogger(__name__)

BULLET = "- "
# Text that already starts like a bullet keeps its own mark.
_BULLET_STARTS = ("-", "+", "•", "–")
_MAX_LEVEL = 8  # Word's nine levels, 0 to 8
_MAX_STYLE_DEPTH = 10
_PLACEHOLDER_RE = re.compile(r"%([1-9])")
_ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]


class MalformedNumbering(ValueError):
    """A list definition that cannot be followed."""


@dataclass(frozen=True)
class Level:
    """One ``w:lvl`` of a list definition."""

    start: int = 0
    format: str = "decimal"
    text: str = ""
    legal: bool = False
    # ``w:lvlRestart``: None for the default (restart after any shallower level), 0 for never.
    restart: int | None = None
    style: str = ""


@dataclass(frozen=True)
class ListInstance:
    """A ``w:num``: the abstract list it uses and its per-level overrides."""

    abstract: str
    starts: dict[int, int] = field(default_factory=dict)
    levels: dict[int, Level | None] = field(default_factory=dict)


@dataclass(frozen=True)
class StyleNumbering:
    num_id: str | None
    level: int | None
    based_on: str | None


def _attribute(element: Any, tag: str) -> str | None:
    """The ``w:val`` of the child ``tag`` of ``element``, or None."""
    if element is None:
        return None
    child = element.find(qn(tag))
    if child is None:
        return None
    value = child.get(qn("w:val"))
    return None if value is None else str(value)


def _integer(value: str | None, default: int | None = None) -> int | None:
    if value is None:
        return default
    try:
        return int(value.strip())
    except ValueError as exc:
        raise MalformedNumbering(f"not a number: {value!r}") from exc


def _flag(element: Any, tag: str) -> bool:
    child = element.find(qn(tag))
    if child is None:
        return False
    return str(child.get(qn("w:val"), "true")).lower() not in ("0", "false", "off")


def parse_level(element: Any) -> Level:
    """A ``w:lvl`` element as a :class:`Level`; raises :class:`MalformedNumbering` on bad values."""
    return Level(
        start=_integer(_attribute(element, "w:start"), 0) or 0,
        format=_attribute(element, "w:numFmt") or "decimal",
        text=_attribute(element, "w:lvlText") or "",
        legal=_flag(element, "w:isLgl"),
        restart=_integer(_attribute(element, "w:lvlRestart")),
        style=_attribute(element, "w:pStyle") or "",
    )


def _level_number(element: Any) -> int:
    level = _integer(element.get(qn("w:ilvl")))
    if level is None or not 0 <= level <= _MAX_LEVEL:
        raise MalformedNumbering(f"bad level: {level!r}")
    return level


def _levels(element: Any) -> dict[int, Level | None]:
    """The levels of an abstract list; a level with bad values is kept as None."""
    levels: dict[int, Level | None] = {}
    for child in element.findall(qn("w:lvl")):
        try:
            number = _level_number(child)
        except MalformedNumbering:
            continue
        try:
            levels[number] = parse_level(child)
        except MalformedNumbering:
            levels[number] = None
    return levels


# --- formats --------------------------------------------------------------------------------------------------------


def _roman(number: int) -> str:
    if not 0 < number < 4000:
        return str(number)
    digits = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        digits.append(letters * count)
    return "".join(digits)


def _letters(number: int) -> str:
    """Word's letters: a … z, then aa … zz, then aaa …"""
    if number <= 0:
        return str(number)
    repeat, index = divmod(number - 1, 26)
    return chr(ord("a") + index) * (repeat + 1)


def format_number(number: int, number_format: str) -> str:
    """``number`` in a ``w:numFmt``: decimal, decimalZero, lower/upperLetter, lower/upperRoman, none.

    Other formats (ordinal, text, enclosed, East Asian …) are shown as decimal.
    """
    if number_format == "none" or number_format == "bullet":
        return ""
    if number_format == "decimalZero":
        return f"{number:02d}" if 0 <= number < 10 else str(number)
    if number_format == "lowerLetter":
        return _letters(number)
    if number_format == "upperLetter":
        return _letters(number).upper()
    if number_format == "lowerRoman":
        return _roman(number).lower()
    if number_format == "upperRoman":
        return _roman(number)
    return str(number)


def _is_bullet(level: Level) -> bool:
    if level.format == "bullet":
        return True
    if _PLACEHOLDER_RE.search(level.text):
        return False
    symbol = level.text.strip()
    # "•", "", "-", "–", "o", "§": a bullet; typed words without a number ("Lưu ý:") are shown as they are.
    return bool(symbol) and (len(symbol) == 1 or not any(char.isalnum() for char in symbol))


# --- the document ---------------------------------------------------------------------------------------------------


class DocxNumbering:
    """The list definitions and counters of one document; label its paragraphs in document order."""

    def __init__(self, numbering: Any = None, styles: Any = None) -> None:
        self.abstracts: dict[str, Any] = {}
        self.instances: dict[str, ListInstance | None] = {}
        self.paragraph_styles: dict[str, StyleNumbering] = {}
        self.numbering_styles: dict[str, str] = {}  # numbering style id → its numId
        self.default_style: str | None = None
        self._levels: dict[str, dict[int, Level | None] | None] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._overridden: set[tuple[str, int]] = set()
        if numbering is not None:
            self._read_numbering(numbering)
        if styles is not None:
            self._read_styles(styles)

    @classmethod
    def from_document(cls, document: Any) -> DocxNumbering:
        """The numbering of a python-docx ``Document``; empty when it has no numbering part or an unreadable one."""
        try:
            numbering = document.part.numbering_part.element
        except Exception:  # python-docx raises NotImplementedError when the part is missing
            numbering = None
        try:
            styles = document.styles.element
        except Exception:  # a document without usable styles is numbered by its own paragraphs
            styles = None
        try:
            return cls(numbering, styles)
        except Exception as exc:  # never fail to read a file because of its list definitions
            logger.info("unreadable numbering definitions: %s", exc)
            return cls()

    def _read_numbering(self, numbering: Any) -> None:
        for element in numbering.findall(qn("w:abstractNum")):
            key = element.get(qn("w:abstractNumId"))
            if key is not None:
                self.abstracts[str(key)] = element
        for element in numbering.findall(qn("w:num")):
            num_id = element.get(qn("w:numId"))
            if num_id is None:
                continue
            try:
                self.instances[str(num_id)] = self._instance(element)
            except MalformedNumbering:
                self.instances[str(num_id)] = None

    @staticmethod
    def _instance(element: Any) -> ListInstance:
        abstract = _attribute(element, "w:abstractNumId")
        if abstract is None:
            raise MalformedNumbering("w:num without w:abstractNumId")
        starts: dict[int, int] = {}
        levels: dict[int, Level | None] = {}
        for override in element.findall(qn("w:lvlOverride")):
            number = _level_number(override)
            start = _integer(_attribute(override, "w:startOverride"))
            if start is not None:
                starts[number] = start
            replacement = override.find(qn("w:lvl"))
            if replacement is not None:
                try:
                    levels[number] = parse_level(replacement)
                except MalformedNumbering:
                    levels[number] = None
        return ListInstance(abstract=abstract, starts=starts, levels=levels)

    def _read_styles(self, styles: Any) -> None:
        for style in styles.findall(qn("w:style")):
            style_id = style.get(qn("w:styleId"))
            if style_id is None:
                continue
            kind = style.get(qn("w:type"))
            number_properties = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            num_id = _attribute(number_properties, "w:numId")
            if kind == "numbering":
                if num_id is not None:
                    self.numbering_styles[str(style_id)] = num_id
                continue
            if kind not in (None, "paragraph"):
                continue
            try:
                level = _integer(_attribute(number_properties, "w:ilvl"))
            except MalformedNumbering:
                level = None
            self.paragraph_styles[str(style_id)] = StyleNumbering(num_id, level, _attribute(style, "w:basedOn"))
            if str(style.get(qn("w:default"), "")).lower() in ("1", "true", "on"):
                self.default_style = str(style_id)

    # --- resolving ---------------------------------------------------------------------------------------------

    def _abstract_levels(self, abstract: str) -> tuple[str, dict[int, Level | None]]:
        """The abstract list that holds the levels of ``abstract``, following a link to a numbering style."""
        seen: set[str] = set()
        while abstract not in seen:
            seen.add(abstract)
            element = self.abstracts.get(abstract)
            if element is None:
                raise MalformedNumbering(f"no w:abstractNum {abstract}")
            link = _attribute(element, "w:numStyleLink")
            if link is None:
                cached = self._levels.get(abstract)
                if cached is None:
                    cached = _levels(element)
                    self._levels[abstract] = cached
                return abstract, cached
            num_id = self.numbering_styles.get(link)
            instance = self.instances.get(num_id) if num_id is not None else None
            if instance is None:
                raise MalformedNumbering(f"numbering style {link} without a list")
            abstract = instance.abstract
        raise MalformedNumbering("numbering styles link in a circle")

    def _style_numbering(self, style_id: str | None) -> tuple[str | None, int | None, list[str]]:
        """numId and level from a paragraph style and the styles it is based on, and the chain of style ids."""
        num_id: str | None = None
        level: int | None = None
        chain: list[str] = []
        current = style_id if style_id is not None else self.default_style
        while current is not None and current not in chain and len(chain) < _MAX_STYLE_DEPTH:
            chain.append(current)
            style = self.paragraph_styles.get(current)
            if style is None:
                break
            if num_id is None:
                num_id = style.num_id
            if level is None:
                level = style.level
            current = style.based_on
        return num_id, level, chain

    def number_properties(self, paragraph: Any) -> tuple[str, int, list[str]] | None:
        """(numId, level, style chain) of a ``w:p`` element, or None when it is not numbered."""
        properties = paragraph.find(qn("w:pPr"))
        direct = properties.find(qn("w:numPr")) if properties is not None else None
        style_id = _attribute(properties, "w:pStyle")
        num_id = _attribute(direct, "w:numId")
        level = _integer(_attribute(direct, "w:ilvl"))
        style_num_id, style_level, chain = self._style_numbering(style_id)
        if num_id is None:
            num_id = style_num_id
            if level is None:
                level = style_level
        if num_id is None or num_id.strip() in ("", "0"):
            return None
        if level is None:
            level = -1  # to be found from the level that names the paragraph's style
        return num_id.strip(), level, chain

    # --- counting ----------------------------------------------------------------------------------------------

    def label(self, paragraph: Any) -> str | None:
        """The number Word shows before the ``w:p`` element ``paragraph`` ("1.2.", "a)", :data:`BULLET`).

        None when the paragraph is not numbered, "" when its level shows nothing. Counts the paragraph:
        call once per paragraph, in document order. Raises :class:`MalformedNumbering` when its list
        cannot be resolved.
        """
        properties = self.number_properties(paragraph)
        if properties is None:
            return None
        num_id, number, chain = properties
        instance = self.instances.get(num_id)
        if instance is None:
            raise MalformedNumbering(f"no w:num {num_id}")
        abstract, levels = self._abstract_levels(instance.abstract)
        levels = {**levels, **instance.levels}
        if number < 0:
            number = next(
                (key for key, level in sorted(levels.items()) if level is not None and level.style in chain), 0
            )
        if not 0 <= number <= _MAX_LEVEL:
            raise MalformedNumbering(f"bad level: {number}")
        level = levels.get(number)
        if level is None:
            raise MalformedNumbering(f"no level {number} in list {abstract}")
        counters = self._counters.setdefault(abstract, {})
        if number in instance.starts and (num_id, number) not in self._overridden:
            self._overridden.add((num_id, number))
            value = instance.starts[number]
        elif number in counters:
            value = counters[number] + 1
        else:
            value = level.start
        counters[number] = value
        for deeper in [key for key in counters if key > number]:
            deeper_level = levels.get(deeper)
            restart = deeper_level.restart if deeper_level is not None else None
            if restart is None or (restart > 0 and number < restart):
                del counters[deeper]
        if _is_bullet(level):
            return BULLET
        return self._render(level, levels, counters, instance).strip()

    @staticmethod
    def _render(level: Level, levels: dict[int, Level | None], counters: dict[int, int], instance: ListInstance) -> str:
        def value(match: re.Match[str]) -> str:
            number = int(match.group(1)) - 1
            named = levels.get(number)
            start = instance.starts.get(number, named.start if named is not None else 1)
            count = counters.get(number, max(start - 1, 0))
            if level.legal or named is None:
                return str(count)
            return format_number(count, named.format)

        return _PLACEHOLDER_RE.sub(value, level.text)

    def paragraph_text(self, paragraph: Any, text: str, *, in_table: bool = False) -> str:
        """``text`` of the ``w:p`` element ``paragraph`` with its number in front, as Word shows it.

        An empty numbered paragraph stays empty in the body; in a table cell (the "STT" column, numbered
        automatically) it becomes its number alone. A list that cannot be resolved gives "- ".
        """
        try:
            label = self.label(paragraph)
        except Exception as exc:  # a damaged list must not make the whole file unreadable
            logger.info("unreadable list numbering: %s", exc)
            label = BULLET
        if label is None or not label.strip():
            return text
        body = text.strip()
        if not body:
            return label.strip() if in_table and label != BULLET else text
        if label == BULLET:
            return text if body.startswith(_BULLET_STARTS) else BULLET + body
        return f"{label} {body}"
