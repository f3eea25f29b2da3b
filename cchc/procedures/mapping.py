"""The column-mapping screen's reading of a file: its header row, a first guess of each dossier field's column, and
the distinct values of its first rows, so that a person can map a layout no preset knows and save it as a preset.

The header is looked for as the parser does (:mod:`cchc.procedures.parsing`): in the first
:data:`~cchc.procedures.parsing.HEADER_SEARCH_ROWS` rows, an empty cell taking the text above it (a vertically merged
header). The row chosen is the one whose headers name the most dossier fields, by the labels of the chosen preset, of
every shipped preset and the Vietnamese field names; when none names any, the first row with the most filled cells.
A mapping is saved as the header text of each chosen column, which is what a preset holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from cchc.lib import spreadsheet
from cchc.lib.spreadsheet import SheetRow, header_key
from cchc.lib.text import fold

from . import presets
from .models import Channel, DossierStatus
from .parsing import FIELD_LABELS, HEADER_SEARCH_ROWS, is_column_numbers
from .presets import Preset

# Data rows read under the header for the distinct values shown beside the coded columns.
SAMPLE_DATA_ROWS = 200
# Distinct values kept per column.
MAX_DISTINCT = 15
CODED_FIELDS = ("status", "channel")
# (code, name) choices of a coded field, for its table of values.
CODE_CHOICES: dict[str, Any] = {"status": DossierStatus, "channel": Channel}
# Exactly one of each group is needed for a file to be imported.
REQUIRED_GROUPS: tuple[tuple[str, ...], ...] = (
    ("code",),
    ("procedure_code", "procedure_name"),
    ("unit_code", "unit_name"),
    ("received_on",),
)


@dataclass(frozen=True)
class Column:
    index: int
    letter: str
    text: str
    examples: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.letter} · {self.text}"


@dataclass
class Sample:
    """What the mapping screen shows of a file."""

    header_row: int
    columns: list[Column]
    guess: dict[str, int]
    distinct: dict[int, list[str]] = field(default_factory=dict)
    looks_like_portal_dates: bool = False

    def column(self, index: int | None) -> Column | None:
        return next((column for column in self.columns if column.index == index), None)


def _combined(rows: list[SheetRow]) -> list[str]:
    """Each column's header text for ``rows`` read as the header: the last row's text, or the text above it."""
    width = max(len(row.values) for row in rows)
    texts = []
    for index in range(width):
        cells = [spreadsheet.cell_text(spreadsheet.cell(row.values, index)) for row in reversed(rows)]
        texts.append(next((text for text in cells if text), ""))
    return texts


def _known_labels(preset: Preset) -> dict[str, list[str]]:
    """Field → header keys that name it, the chosen preset's first."""
    known: dict[str, list[str]] = {name: [] for name in presets.FIELDS}
    for source in (preset, *presets.SHIPPED.values()):
        for name, labels in source.columns.items():
            known.setdefault(name, []).extend(header_key(label) for label in labels)
    for name, label in FIELD_LABELS.items():
        known[name].append(header_key(str(label)))
    return known


def guess_columns(texts: list[str], preset: Preset) -> dict[str, int]:
    """Field → column index of ``texts`` by the known labels; a column is given to one field at most."""
    keys = [header_key(text) for text in texts]
    found: dict[str, int] = {}
    for name, labels in _known_labels(preset).items():
        for label in labels:
            index = next((i for i, key in enumerate(keys) if key and key == label and i not in found.values()), None)
            if index is not None:
                found[name] = index
                break
    return found


def read_sample(rows: Iterator[SheetRow], preset: Preset) -> Sample:
    """The header, the guessed columns and the distinct values of the first data rows of ``rows``."""
    head: list[SheetRow] = []
    for row in rows:
        head.append(row)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    if not head:
        return Sample(header_row=0, columns=[], guess={})
    best_at, best = -1, -1
    for end in range(len(head)):
        score = len(guess_columns(_combined(head[: end + 1]), preset))
        if score > best:
            best_at, best = end, score
    if best <= 0:
        filled = [sum(1 for value in row.values if spreadsheet.cell_text(value)) for row in head]
        best_at = filled.index(max(filled))
    texts = _combined(head[: best_at + 1])
    data = [row for row in head[best_at + 1 :] if not is_column_numbers(row)]
    for row in rows:
        if len(data) >= SAMPLE_DATA_ROWS:
            break
        data.append(row)
    distinct: dict[int, list[str]] = {}
    for index in range(len(texts)):
        values: list[str] = []
        for row in data:
            text = spreadsheet.cell_text(spreadsheet.cell(row.values, index))
            if text and text not in values and not fold(text).startswith(("tong", "cong")):
                values.append(text)
                if len(values) >= MAX_DISTINCT:
                    break
        distinct[index] = values
    columns = [
        Column(index=index, letter=get_column_letter(index + 1), text=text, examples=tuple(distinct[index][:3]))
        for index, text in enumerate(texts)
        if text
    ]
    guess = guess_columns(texts, preset)
    received = distinct.get(guess["received_on"], []) if "received_on" in guess else []
    portal = bool(received) and all(value.isdigit() and len(value) in (8, 12, 14) for value in received)
    return Sample(
        header_row=head[best_at].number,
        columns=columns,
        guess=guess,
        distinct=distinct,
        looks_like_portal_dates=portal,
    )


def missing_required(chosen: dict[str, int | None]) -> list[str]:
    """The Vietnamese names of the required fields with no column: code, a procedure, a unit, the received date."""
    missing = []
    for group in REQUIRED_GROUPS:
        if not any(chosen.get(name) is not None for name in group):
            missing.append(_(" hoặc ").join(str(FIELD_LABELS[name]) for name in group))
    return missing


def code_guess(name: str, value: str, preset: Preset) -> str:
    """What a value of a coded column probably means: the preset's table, the choice itself, the portal's codes."""
    table = preset.codes.get(name, {})
    if value in table:
        return table[value]
    lookup = spreadsheet.choice_lookup(CODE_CHOICES[name], {})
    folded = fold(value)
    if folded in lookup:
        return lookup[folded]
    return presets.PORTAL_SYNC.codes.get(name, {}).get(value, "")


__all__ = [
    "CODED_FIELDS",
    "CODE_CHOICES",
    "Column",
    "Sample",
    "code_guess",
    "guess_columns",
    "missing_required",
    "read_sample",
]
