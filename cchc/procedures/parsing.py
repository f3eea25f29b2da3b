"""Turning the rows of an export into typed dossier rows, or Vietnamese errors per row.

The header is looked for in the first rows of the file: forms put a title, a book number and group headers above the
column names, with merged cells (an empty cell under a vertically merged header takes the text above it). A row of
column numbers ("1, 2, 3…" or "(1), (2)…") under the header and total rows at the end ("Tổng cộng" with no dossier
code) are skipped.
"""

from __future__ import annotations

import datetime
import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any, cast

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from cchc.lib import spreadsheet
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import SheetRow, header_key
from cchc.lib.text import fold, normalize
from cchc.lib.validators import MAX_YEAR, MIN_YEAR

from .models import Channel, DossierStatus
from .presets import NO, PORTAL_TIMESTAMP, YES, Preset

HEADER_SEARCH_ROWS = 20
DATE_FIELDS = ("received_on", "due_on", "finished_on", "returned_on", "apology_on")
FLAG_FIELDS = ("paid_online", "inputs_digitised", "results_digitised", "electronic_result", "returned_or_withdrawn")

# Vietnamese names of the fields, for messages and the error workbook.
FIELD_LABELS = {
    "code": gettext_lazy("Mã hồ sơ"),
    "procedure_code": gettext_lazy("Mã thủ tục"),
    "procedure_name": gettext_lazy("Tên thủ tục"),
    "unit_code": gettext_lazy("Mã đơn vị"),
    "unit_name": gettext_lazy("Đơn vị tiếp nhận"),
    "received_on": gettext_lazy("Ngày tiếp nhận"),
    "due_on": gettext_lazy("Ngày hẹn trả"),
    "finished_on": gettext_lazy("Ngày hoàn thành"),
    "returned_on": gettext_lazy("Ngày trả kết quả"),
    "status": gettext_lazy("Trạng thái"),
    "channel": gettext_lazy("Kênh nộp"),
    "fee": gettext_lazy("Phí, lệ phí"),
    "paid_online": gettext_lazy("Thanh toán trực tuyến"),
    "inputs_digitised": gettext_lazy("Số hóa thành phần hồ sơ"),
    "results_digitised": gettext_lazy("Số hóa kết quả"),
    "electronic_result": gettext_lazy("Kết quả điện tử"),
    "apology_on": gettext_lazy("Ngày phiếu xin lỗi"),
    "supplement_requests": gettext_lazy("Số lần yêu cầu bổ sung"),
    "returned_or_withdrawn": gettext_lazy("Trả lại, rút hồ sơ"),
}

_NUMBER_CELL = re.compile(r"^\(?(\d+)\)?$")
_PORTAL_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?$")
_DMY_TIME = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?)?$")
_GROUPED_NUMBER = re.compile(r"^\d{1,3}([.,]\d{3})+$")
_TOTAL_WORDS = ("tong", "cong")
# Excel serial days between 1/1/1945 and 31/12/2100.
_SERIAL_RANGE = (16438, 73415)


@dataclass(frozen=True)
class Layout:
    """Where each field is in the file: the header row and field → column index."""

    header: tuple[Any, ...]
    header_row: int
    columns: dict[str, int]


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]


@dataclass
class BadRow:
    row: SheetRow
    messages: list[str] = field(default_factory=list)


def _labels_by_key(preset: Preset) -> dict[str, set[str]]:
    return {name: {header_key(label) for label in labels} for name, labels in preset.columns.items()}


def _match(rows: list[SheetRow], preset: Preset) -> dict[str, int]:
    """Field → column for the last of ``rows`` read as the header, the rows above it filling merged cells."""
    wanted = _labels_by_key(preset)
    leaf = rows[-1].values
    width = max(len(row.values) for row in rows)
    found: dict[str, int] = {}
    for pass_above in (False, True):
        for index in range(width):
            texts = [leaf[index] if index < len(leaf) else None]
            if pass_above:
                if not spreadsheet.cell_text(texts[0]):
                    texts = [row.values[index] for row in reversed(rows[:-1]) if index < len(row.values)]
                    texts = [next((text for text in texts if spreadsheet.cell_text(text)), None)]
                else:
                    continue
            key = header_key(texts[0])
            if not key:
                continue
            for name, labels in wanted.items():
                if name not in found and key in labels and index not in found.values():
                    found[name] = index
    return found


def _missing(preset: Preset, columns: dict[str, int]) -> list[str]:
    """Labels of the required columns not found: code, received date, a procedure, a unit."""
    missing = []
    for names in (("code",), ("procedure_code", "procedure_name"), ("unit_code", "unit_name"), ("received_on",)):
        if not any(name in columns for name in names):
            labels = [label for name in names for label in preset.columns.get(name, ())[:1]]
            missing.append(" / ".join(labels) or str(FIELD_LABELS[names[0]]))
    return missing


def find_layout(rows: Iterator[SheetRow], preset: Preset) -> Layout:
    """The header of the file (read from ``rows``, which then go on with the data); a whole-file
    :class:`ServiceError` when the required columns are not found."""
    seen: list[SheetRow] = []
    best: dict[str, int] = {}
    for row in rows:
        seen.append(row)
        columns = _match(seen, preset)
        if len(columns) > len(best):
            best = columns
        if not _missing(preset, columns):
            return Layout(header=_combined_header(seen), header_row=row.number, columns=columns)
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise ServiceError(_("Tệp không có dòng dữ liệu nào."), code="empty", field="file")
    missing = "”, “".join(_missing(preset, best))
    raise ServiceError(
        _("Tệp không có cột bắt buộc “%(columns)s” (mẫu cột “%(preset)s”); không nhập gì.")
        % {"columns": missing, "preset": preset.name},
        code="missing_column",
        field="file",
    )


def _combined_header(rows: list[SheetRow]) -> tuple[Any, ...]:
    """The header texts for the error workbook: each leaf, or the merged text above it."""
    width = max(len(row.values) for row in rows)
    header = []
    for index in range(width):
        texts = [spreadsheet.cell_text(row.values[index]) for row in reversed(rows) if index < len(row.values)]
        header.append(next((text for text in texts if text), ""))
    return tuple(header)


def _plain(value: Any) -> bool:
    """A cell that :func:`cchc.lib.spreadsheet.cell_text` would give back unchanged: ASCII text without spaces."""
    return type(value) is str and value.isascii() and value.isprintable() and " " not in value


def is_column_numbers(row: SheetRow) -> bool:
    """A row "1, 2, 3…" or "(1), (2)…" under a form's header."""
    numbers = []
    for value in row.values:
        text = spreadsheet.cell_text(value)
        if not text:
            continue
        match = _NUMBER_CELL.match(text)
        if not match:
            return False
        numbers.append(int(match.group(1)))
    return len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def is_total_row(row: SheetRow, layout: Layout) -> bool:
    """A "Tổng cộng" / "Cộng" row: a cell starting with one of those words, and no dossier code (or the word is in
    the code column, where totals are often written)."""
    value = spreadsheet.cell(row.values, layout.columns["code"])
    code = value.lower() if _plain(value) else fold(spreadsheet.cell_text(value))
    if code and not code.startswith(_TOTAL_WORDS):
        return False
    return any(fold(spreadsheet.cell_text(value)).startswith(_TOTAL_WORDS) for value in row.values)


def _check_year(day: datetime.date) -> datetime.date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError
    return day


def parse_date(value: Any, *, date_format: str) -> datetime.date | None:
    """A day from a date cell, an Excel serial number, ``dd/mm/yyyy[ HH:mm[:ss]]``, ``yyyy-mm-dd`` or (portal)
    ``yyyyMMddHHmmss``; ``ValueError`` otherwise. Never month first: "12/25/2025" is an error."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return _check_year(value.date())
    if isinstance(value, datetime.date):
        return _check_year(value)
    if isinstance(value, bool):
        raise ValueError
    text = normalize(str(value))
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text:
        return None
    if date_format == PORTAL_TIMESTAMP:
        match = _PORTAL_DATE.match(text)
        if match and len(text) in (8, 12, 14):
            year, month, day = (int(part) for part in match.groups()[:3])
            return _check_year(datetime.date(year, month, day))
    match = _DMY_TIME.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return _check_year(datetime.date(year, month, day))
    match = _ISO.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        return _check_year(datetime.date(year, month, day))
    if isinstance(value, int | float) or re.fullmatch(r"\d+(\.\d+)?", text):
        serial = float(text)
        if _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
            return from_excel(serial).date()
    raise ValueError(text)


_YES = frozenset(fold(word) for word in YES)
_NO = frozenset(fold(word) for word in NO)
# The flag cells met most often, answered without folding.
_PLAIN_FLAGS: dict[Any, bool] = {"": False, None: False, "0": False, "1": True, 0: False, 1: True, "x": True}


def parse_flag(value: Any) -> bool:
    if type(value) is not bool:  # True == 1 would otherwise be found as a key
        plain = _PLAIN_FLAGS.get(value)
        if plain is not None:
            return plain
    text = fold(spreadsheet.cell_text(value))
    if not text:
        return False
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(text)


def parse_amount(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if type(value) is str and value.isascii() and value.isdigit():
        amount = Decimal(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        amount = Decimal(str(value))
    else:
        text = spreadsheet.cell_text(value).lower().replace("đồng", "").replace("đ", "").replace(" ", "")
        if _GROUPED_NUMBER.match(text):
            text = re.sub(r"[.,]", "", text)
        try:
            amount = Decimal(text.replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError(text) from exc
    if amount < 0 or not amount.is_finite() or amount >= Decimal(10) ** 14:
        raise ValueError(str(value))
    return amount.quantize(Decimal(1))


_LOOKUPS: dict[Any, dict[str, str]] = {}


def _choice_lookup(choices: Any) -> dict[str, str]:
    """:func:`cchc.lib.spreadsheet.choice_lookup` of ``choices`` (its Vietnamese and English labels), built once."""
    lookup = _LOOKUPS.get(choices)
    if lookup is None:
        lookup = _LOOKUPS[choices] = spreadsheet.choice_lookup(choices, {})
    return lookup


def _coded(value: Any, table: dict[str, str], choices: Any) -> str:
    """The value of a coded column: the preset's code table first, then the labels and values of ``choices``."""
    if type(value) is str and value in table:  # the common case: a code of the preset, already clean
        return table[value]
    text = spreadsheet.cell_text(value)
    if text in table:
        return table[text]
    lookup = _choice_lookup(choices)
    folded = fold(text)
    if folded in lookup:
        return lookup[folded]
    raise ValueError(text)


# The fields :meth:`RowParser.quick` reads, in the order it unpacks their column indexes.
_QUICK_FIELDS = (
    "code",
    "procedure_code",
    "unit_code",
    *DATE_FIELDS[:4],
    "apology_on",
    "status",
    "channel",
    "fee",
    *FLAG_FIELDS,
    "supplement_requests",
)
_RETURNED = DossierStatus.RETURNED.value
_FINISHED = DossierStatus.FINISHED.value
_PROCESSING = DossierStatus.PROCESSING.value
_WITHDRAWN_STATUSES = frozenset({DossierStatus.WITHDRAWN.value, DossierStatus.REJECTED.value})

# Caches of a parser: dates and texts met in the file (they repeat a lot), emptied when they grow past this.
_CACHE_LIMIT = 50_000
_BAD = object()
_MISSING = object()


@dataclass(frozen=True)
class RowParser:
    preset: Preset
    layout: Layout
    _dates: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _texts: dict[Any, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def _columns(self) -> dict[str, int | None]:
        return {name: self.layout.columns.get(name) for name in FIELD_LABELS}

    @cached_property
    def _portal(self) -> bool:
        return self.preset.date_format == PORTAL_TIMESTAMP

    def cell(self, row: SheetRow, name: str) -> Any:
        index = self._columns[name]
        values = row.values
        return values[index] if index is not None and index < len(values) else None

    def text(self, row: SheetRow, name: str) -> str:
        return self._text(self.cell(row, name))

    def _text(self, value: Any) -> str:
        if value is None:
            return ""
        if _plain(value):
            return str(value)
        if type(value) is not str:
            return spreadsheet.cell_text(value)
        text = self._texts.get(value)
        if text is None:
            if len(self._texts) >= _CACHE_LIMIT:
                self._texts.clear()
            text = self._texts[value] = spreadsheet.cell_text(value)
        return text

    def _date(self, value: Any) -> datetime.date | None:
        """:func:`parse_date` with the preset's format, remembered per text (a portal timestamp per day)."""
        found = self._dates.get(value, _MISSING) if type(value) is str else _MISSING
        if found is not _MISSING:  # the same text seen before
            if found is _BAD:
                raise ValueError(value)
            return cast(datetime.date | None, found)
        if type(value) is not str:
            return parse_date(value, date_format=self.preset.date_format)
        key = value[:8] if self._portal and len(value) == 14 and value.isascii() and value.isdigit() else value
        found = self._dates.get(key, _MISSING)
        if found is _MISSING:
            try:
                found = parse_date(value, date_format=self.preset.date_format)
            except (ValueError, OverflowError):
                found = _BAD
            if len(self._dates) >= _CACHE_LIMIT:
                self._dates.clear()
            self._dates[key] = found
        self._dates[value] = found
        if found is _BAD:
            raise ValueError(value)
        return cast(datetime.date | None, found)

    @cached_property
    def _width(self) -> int:
        """Cells a row is padded to: every mapped column, plus one empty cell that unmapped fields point at."""
        return max(self.layout.columns.values(), default=-1) + 2

    @cached_property
    def _slots(self) -> dict[str, int]:
        empty = self._width - 1
        return {name: empty if index is None else index for name, index in self._columns.items()}

    @cached_property
    def _quick_caches(self) -> tuple[dict[Any, Any], dict[Any, Any], dict[Any, Any]]:
        """Dates, amounts and counts already read by :meth:`quick`, by cell."""
        return {}, {}, {}

    @cached_property
    def _quick_plan(self) -> tuple[Any, ...]:
        """What :meth:`quick_cells` reads, worked out once: one getter of the fields' cells in :data:`_QUICK_FIELDS`
        order (a field without a column reads the empty cell added after the row's own), the number of cells a row
        needs, and the status and channel codes of the preset whose cells are plain."""
        columns = self._columns
        codes = self.preset.codes

        def plain_codes(name: str) -> dict[str, str]:
            return {code: value for code, value in codes.get(name, {}).items() if _plain(code)}

        indexes = [columns[name] for name in _QUICK_FIELDS]
        needed = max((index for index in indexes if index is not None), default=-1) + 1
        getter = operator.itemgetter(*(-1 if index is None else index for index in indexes))
        return getter, needed, None in indexes, plain_codes("status"), plain_codes("channel")

    def _quick_date(self, raw: Any) -> Any:
        """The day of a date cell :meth:`quick_cells` meets for the first time, remembered; ``_BAD`` for a cell it
        leaves to :meth:`parse` (not a text, or not a date)."""
        if raw is not None and type(raw) is not str:
            return _BAD
        try:
            day = self._date(raw)
        except (ValueError, OverflowError):
            return _BAD
        dates = self._quick_caches[0]
        if len(dates) >= _CACHE_LIMIT:
            dates.clear()
        dates[raw] = day
        return day

    def _quick_amount(self, raw: Any) -> Any:
        """The amount of a fee cell :meth:`quick_cells` meets for the first time, remembered; ``_BAD`` for a cell it
        leaves to :meth:`parse`."""
        if not (raw is None or _plain(raw)):
            return _BAD
        try:
            fee = parse_amount(raw)
        except ValueError:
            return _BAD
        amounts = self._quick_caches[1]
        if len(amounts) >= _CACHE_LIMIT:
            amounts.clear()
        amounts[raw] = fee
        return fee

    def quick(self, row: SheetRow, procedures: dict[str, int], units: dict[str, int]) -> tuple[Any, ...] | None:
        """:meth:`quick_cells` of a row."""
        return self.quick_cells(row.values, procedures, units)

    def quick_cells(
        self, cells: Sequence[Any], procedures: dict[str, int], units: dict[str, int]
    ) -> tuple[Any, ...] | None:
        """The writer's row (:data:`cchc.procedures.upserts.VALUE_COLUMNS` after the code, procedure and unit as
        ids) of a row's cells with nothing unusual in them, read without building :meth:`parse`'s values; ``None``
        for anything else, which :meth:`parse` then reads, checks and explains. Taken only for what :meth:`parse`
        would read the same way and accept: plain ASCII code cells (not a total row), a procedure and a unit found
        by code in ``procedures`` / ``units`` (code → id), dates :meth:`parse` reads (due, finished and returned
        dates not before the received date), status and channel codes of the preset, plain amounts, flags and
        counts."""
        getter, needed, padded, status_codes, channel_codes = self._quick_plan
        if len(cells) < needed:
            cells = [*cells, *(None,) * (needed - len(cells)), None]
        elif padded:
            cells = [*cells, None]
        (
            code,
            procedure,
            unit,
            received,
            due,
            finished,
            returned,
            apology,
            status,
            channel,
            raw_fee,
            paid_online,
            inputs_digitised,
            results_digitised,
            electronic_result,
            withdrawn,
            raw_supplements,
        ) = getter(cells)
        if (
            type(code) is not str
            or not code
            or len(code) > 100
            or not (code.isascii() and code.isprintable())
            or " " in code
            or code.lower().startswith(_TOTAL_WORDS)
        ):
            return None
        procedure = procedures.get(procedure)
        unit = units.get(unit)
        if procedure is None or unit is None:
            return None
        dates, amounts, counts = self._quick_caches
        # Each date cell as read before; a cell met for the first time is read (and remembered) by _quick_date.
        day = dates.get(received, _MISSING)
        received = self._quick_date(received) if day is _MISSING else day
        day = dates.get(due, _MISSING)
        due = self._quick_date(due) if day is _MISSING else day
        day = dates.get(finished, _MISSING)
        finished = self._quick_date(finished) if day is _MISSING else day
        day = dates.get(returned, _MISSING)
        returned = self._quick_date(returned) if day is _MISSING else day
        day = dates.get(apology, _MISSING)
        apology = self._quick_date(apology) if day is _MISSING else day
        if received is None or _BAD in (received, due, finished, returned, apology):
            return None
        if (
            (due is not None and due < received)
            or (finished is not None and finished < received)
            or (returned is not None and returned < received)
        ):
            return None
        if not status:
            status = _RETURNED if returned else _FINISHED if finished else _PROCESSING
        else:
            status = status_codes.get(status)
            if status is None:
                return None
        if channel:
            channel = channel_codes.get(channel)
            if channel is None:
                return None
        else:
            channel = ""
        fee = amounts.get(raw_fee, _MISSING)
        if fee is _MISSING:
            fee = self._quick_amount(raw_fee)
            if fee is _BAD:
                return None
        flags = _PLAIN_FLAGS
        paid_online = flags.get(paid_online)
        inputs_digitised = flags.get(inputs_digitised)
        results_digitised = flags.get(results_digitised)
        electronic_result = flags.get(electronic_result)
        withdrawn = flags.get(withdrawn)
        if (
            paid_online is None
            or inputs_digitised is None
            or results_digitised is None
            or electronic_result is None
            or withdrawn is None
        ):
            return None
        if not withdrawn and status in _WITHDRAWN_STATUSES:
            withdrawn = True
        supplements = counts.get(raw_supplements)
        if supplements is None:
            if raw_supplements is None or raw_supplements == "":
                supplements = 0
            elif _plain(raw_supplements) and raw_supplements.isdigit() and int(raw_supplements) <= 1000:
                supplements = int(raw_supplements)
            else:
                return None
            counts[raw_supplements] = supplements
        return (
            code,
            procedure,
            unit,
            received,
            due,
            finished,
            returned,
            status,
            channel,
            fee,
            paid_online,
            inputs_digitised,
            results_digitised,
            electronic_result,
            apology,
            supplements,
            withdrawn,
        )

    def parse(self, row: SheetRow) -> tuple[dict[str, Any], list[str]]:
        """The typed values of one row, and the Vietnamese errors found in it (references are checked later)."""
        values: dict[str, Any] = {}
        errors: list[str] = []
        slots = self._slots
        cells = row.values
        width = self._width
        if len(cells) < width:
            cells = (*cells, *(None,) * (width - len(cells)))
        else:  # the last slot must be the empty cell
            cells = (*cells[: width - 1], None)
        text_of = self._text

        def text(name: str) -> str:
            value = cells[slots[name]]
            if type(value) is str and value.isascii() and value.isprintable() and " " not in value:
                return value
            return text_of(value)

        def fail(name: str, message: str) -> None:
            errors.append(f"{FIELD_LABELS[name]!s}: {message}")

        code = text("code")
        if not code:
            fail("code", _("thiếu mã hồ sơ."))
        elif len(code) > 100:
            fail("code", _("mã hồ sơ dài quá 100 ký tự."))
        values["code"] = code
        values["procedure_code"] = procedure_code = text("procedure_code")
        values["procedure_name"] = procedure_name = text("procedure_name")
        values["unit_code"] = unit_code = text("unit_code")
        values["unit_name"] = unit_name = text("unit_name")
        if not procedure_code and not procedure_name:
            fail("procedure_name", _("thiếu thủ tục."))
        if not unit_code and not unit_name:
            fail("unit_name", _("thiếu đơn vị tiếp nhận."))
        received_failed = False
        date_of = self._date
        for name in DATE_FIELDS:
            raw = cells[slots[name]]
            try:
                values[name] = date_of(raw)
            except (ValueError, OverflowError):
                expected = "yyyyMMddHHmmss" if self._portal else "dd/mm/yyyy"
                fail(
                    name,
                    _("“%(value)s” không phải ngày hợp lệ (%(format)s).")
                    % {"value": spreadsheet.cell_text(raw), "format": expected},
                )
                values[name] = None
                received_failed = received_failed or name == "received_on"
        received = values["received_on"]
        if received is None and not received_failed:
            fail("received_on", _("thiếu ngày tiếp nhận."))
        if received is not None:
            for name in ("due_on", "finished_on", "returned_on"):
                day = values[name]
                if day is not None and day < received:
                    fail(
                        name,
                        _("%(date)s trước ngày tiếp nhận %(received)s.")
                        % {"date": f"{day:%d/%m/%Y}", "received": f"{received:%d/%m/%Y}"},
                    )
        status = text("status")
        try:
            values["status"] = _coded(status, self.preset.codes.get("status", {}), DossierStatus) if status else ""
        except ValueError:
            fail("status", _("không hiểu trạng thái “%(value)s”.") % {"value": status})
            values["status"] = ""
        if not values["status"]:
            values["status"] = (
                DossierStatus.RETURNED
                if values["returned_on"]
                else DossierStatus.FINISHED
                if values["finished_on"]
                else DossierStatus.PROCESSING
            )
        channel = text("channel")
        try:
            values["channel"] = _coded(channel, self.preset.codes.get("channel", {}), Channel) if channel else ""
        except ValueError:
            fail("channel", _("không hiểu kênh nộp “%(value)s”.") % {"value": channel})
            values["channel"] = ""
        try:
            values["fee"] = parse_amount(cells[slots["fee"]])
        except ValueError:
            fail("fee", _("“%(value)s” không phải số tiền hợp lệ.") % {"value": text("fee")})
        for name in FLAG_FIELDS:
            try:
                values[name] = parse_flag(cells[slots[name]])
            except ValueError:
                fail(name, _("“%(value)s” không phải có/không.") % {"value": text(name)})
        if values.get("returned_or_withdrawn") is False and values["status"] in (
            DossierStatus.WITHDRAWN,
            DossierStatus.REJECTED,
        ):
            values["returned_or_withdrawn"] = True
        raw_count = text("supplement_requests")
        if not raw_count:
            values["supplement_requests"] = 0
        elif raw_count.isdigit() and int(raw_count) <= 1000:
            values["supplement_requests"] = int(raw_count)
        else:
            fail("supplement_requests", _("“%(value)s” không phải số lần hợp lệ.") % {"value": raw_count})
        return values, errors


def pad(values: Sequence[Any], width: int) -> list[Any]:
    return [*values, *[None] * (width - len(values))]


__all__ = [
    "DATE_FIELDS",
    "FIELD_LABELS",
    "BadRow",
    "Layout",
    "ParsedRow",
    "RowParser",
    "find_layout",
    "is_column_numbers",
    "is_total_row",
    "pad",
    "parse_amount",
    "parse_date",
    "parse_flag",
]
