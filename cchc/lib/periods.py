"""Reporting periods: a month, a quarter, a half-year or a year.

Reform work is planned and reported by period ("Quý III/2023", "6 tháng đầu
năm 2022"); tasks due "trong tháng 8/2022" fall due at the period's end, and
indicator values are stored per period.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


_SPAN_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.HALF: 6, PeriodKind.YEAR: 12}
_COUNT = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.HALF: 2, PeriodKind.YEAR: 1}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: PeriodKind
    number: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.number <= _COUNT[self.kind]:
            raise ValueError(f"{self.kind} number out of range: {self.number}")
        if not 1900 <= self.year <= 2200:
            raise ValueError(f"year out of range: {self.year}")

    @property
    def start(self) -> datetime.date:
        month = (self.number - 1) * _SPAN_MONTHS[self.kind] + 1
        return datetime.date(self.year, month, 1)

    @property
    def end(self) -> datetime.date:
        month = self.number * _SPAN_MONTHS[self.kind]
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def key(self) -> str:
        """Stable text key: ``2023``, ``2023-H1``, ``2023-Q3``, ``2023-08``."""
        if self.kind == PeriodKind.YEAR:
            return f"{self.year}"
        if self.kind == PeriodKind.HALF:
            return f"{self.year}-H{self.number}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.year}-Q{self.number}"
        return f"{self.year}-{self.number:02d}"

    @classmethod
    def from_key(cls, key: str) -> Period:
        text = key.strip().upper()
        try:
            if len(text) == 4:
                return cls(int(text), PeriodKind.YEAR)
            year, rest = text.split("-", 1)
            if rest.startswith("H"):
                return cls(int(year), PeriodKind.HALF, int(rest[1:]))
            if rest.startswith("Q"):
                return cls(int(year), PeriodKind.QUARTER, int(rest[1:]))
            return cls(int(year), PeriodKind.MONTH, int(rest))
        except ValueError as exc:
            raise ValueError(f"not a period key: {key!r}") from exc

    @classmethod
    def containing(cls, day: datetime.date, kind: PeriodKind) -> Period:
        months = _SPAN_MONTHS[kind]
        return cls(day.year, kind, (day.month - 1) // months + 1)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> Period:
        if self.number < _COUNT[self.kind]:
            return Period(self.year, self.kind, self.number + 1)
        return Period(self.year + 1, self.kind, 1)

    def previous(self) -> Period:
        if self.number > 1:
            return Period(self.year, self.kind, self.number - 1)
        return Period(self.year - 1, self.kind, _COUNT[self.kind])

    @property
    def label(self) -> str:
        """Vietnamese label as written in official documents."""
        if self.kind == PeriodKind.YEAR:
            return _("Năm %(year)s") % {"year": self.year}
        if self.kind == PeriodKind.HALF:
            if self.number == 1:
                return _("6 tháng đầu năm %(year)s") % {"year": self.year}
            return _("6 tháng cuối năm %(year)s") % {"year": self.year}
        if self.kind == PeriodKind.QUARTER:
            return _("Quý %(roman)s/%(year)s") % {"roman": ROMAN[self.number], "year": self.year}
        return _("Tháng %(month)s/%(year)s") % {"month": self.number, "year": self.year}

    @property
    def label_in_sentence(self) -> str:
        """The label as it reads inside a sentence: "năm 2026", "quý III/2026", "tháng 3/2026", "6 tháng đầu năm 2026"
        ("Kỳ quý III/2026 chưa bắt đầu", "Đã công bố … cho năm 2026"); :attr:`label` starts a heading or a cell."""
        if self.kind == PeriodKind.YEAR:
            return _("năm %(year)s") % {"year": self.year}
        if self.kind == PeriodKind.HALF:
            if self.number == 1:
                return _("6 tháng đầu năm %(year)s") % {"year": self.year}
            return _("6 tháng cuối năm %(year)s") % {"year": self.year}
        if self.kind == PeriodKind.QUARTER:
            return _("quý %(roman)s/%(year)s") % {"roman": ROMAN[self.number], "year": self.year}
        return _("tháng %(month)s/%(year)s") % {"month": self.number, "year": self.year}

    def __str__(self) -> str:
        return self.label
