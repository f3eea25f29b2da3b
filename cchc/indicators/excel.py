"""Targets and values of the indicator store as Excel workbooks: export, template, import with a per-row error file.

Two layouts, each written by the export and read back by the import (columns are found by their header text, accents,
case and punctuation ignored, so their order may change; columns marked "read only" are for the reader and ignored on
import):

Values (one value of one unit for one period per row):

=====================  ====================================================================================
header                 content
=====================  ====================================================================================
Mã chỉ số              indicator code (required)
Tên chỉ số             read only
Mã đơn vị              unit code (required)
Tên đơn vị             read only
Năm/kỳ                 period key of the indicator's kind: ``2026``, ``2026-H1``, ``2026-Q1``, ``2026-03`` (required)
Giá trị                number, ``12,5`` or ``12.5`` (required)
Tử số, Mẫu số          both or neither; for a rate the value must be their quotient × 100
Ghi chú                source note
Nguồn, Trạng thái      read only (how the value came, its review state)
=====================  ====================================================================================

Targets (one target per row, for one unit, every unit of a kind, or every unit):

=====================  ====================================================================================
Mã chỉ số              indicator code (required)
Tên chỉ số             read only
Năm                    the target's (first) year (required)
Mã đơn vị              a unit's code, or empty
Tên đơn vị             read only
Loại đơn vị            a unit kind (label or code), or empty; not with a unit code
Chỉ tiêu               the target (required)
Mức tăng mỗi năm       escalation step (empty: this year only)
Mức tối đa             cap of an escalating target
Căn cứ                 note
=====================  ====================================================================================

Rules of the import (the secretariat and administrators only, the units of their scope only):

* Every row is checked before anything is written. In the default mode one wrong row writes nothing; in the
  "valid rows" mode the good rows are written and the wrong ones come back in the error workbook.
* Values are published through :func:`services.value_publish` as imported and accepted, one audit entry per value
  created or changed; a row equal to the stored value changes nothing, so an exported file imports back unchanged.
* A value a unit entered (in any review state) is never overwritten by a file: such a row is refused with a message.
  Values of indicators computed by the system are not imported.
* Targets are created or updated (by indicator, year and scope) through the target services; none is deleted.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts import roles
from cchc.lib import spreadsheet
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.text import fold, normalize
from cchc.lib.types import Actor
from cchc.organisations.models import Unit, UnitKind

from . import services
from .models import EntryMode, Indicator, IndicatorSource, IndicatorValue, Target, ValueOrigin

VALUES = "values"
TARGETS = "targets"

# (key, header written by the export, other accepted header texts)
VALUE_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("indicator", "Mã chỉ số", ("Mã chỉ tiêu",)),
    ("indicator_name", "Tên chỉ số", ()),
    ("unit", "Mã đơn vị", ()),
    ("unit_name", "Tên đơn vị", ()),
    ("period", "Năm/kỳ", ("Kỳ", "Kỳ báo cáo", "Năm", "Mã kỳ")),
    ("value", "Giá trị", ("Số liệu",)),
    ("numerator", "Tử số", ()),
    ("denominator", "Mẫu số", ()),
    ("note", "Ghi chú", ("Ghi chú nguồn",)),
    ("origin", "Nguồn", ("Nguồn giá trị",)),
    ("state", "Trạng thái", ()),
)
VALUE_REQUIRED = ("indicator", "unit", "period", "value")

TARGET_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("indicator", "Mã chỉ số", ("Mã chỉ tiêu",)),
    ("indicator_name", "Tên chỉ số", ()),
    ("year", "Năm", ("Năm áp dụng",)),
    ("unit", "Mã đơn vị", ()),
    ("unit_name", "Tên đơn vị", ()),
    ("unit_kind", "Loại đơn vị", ()),
    ("value", "Chỉ tiêu", ("Giá trị",)),
    ("step", "Mức tăng mỗi năm", ("Mức tăng", "Bước tăng")),
    ("cap", "Mức tối đa", ("Đến mức",)),
    ("note", "Căn cứ", ("Ghi chú",)),
)
TARGET_REQUIRED = ("indicator", "year", "value")

ERROR_HEADER = "Lỗi"


def _labels(columns: tuple[tuple[str, str, tuple[str, ...]], ...]) -> dict[str, str]:
    return {key: header for key, header, _aliases in columns}


class ImportMode:
    ALL_OR_NOTHING = "all"
    VALID_ROWS = "valid"


@dataclass(frozen=True)
class RowError:
    row: int  # the Excel row number; 0 for a problem of the whole file
    column: str
    message: str


@dataclass
class ImportReport:
    kind: str = VALUES
    mode: str = ImportMode.ALL_OR_NOTHING
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    header: tuple[Any, ...] = ()
    rows: list[spreadsheet.SheetRow] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.created + self.updated

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def applied(self) -> bool:
        """Were the valid rows written (always without errors; with errors only in the valid-rows mode)?"""
        return self.ok or self.mode == ImportMode.VALID_ROWS

    @property
    def error_rows(self) -> set[int]:
        return {error.row for error in self.errors if error.row}

    def summary(self) -> str:
        if self.kind == TARGETS:
            text = _("Đã ghi %(written)s chỉ tiêu (%(created)s mới, %(updated)s thay đổi); %(unchanged)s không đổi.")
        else:
            text = _("Đã ghi %(written)s số liệu (%(created)s mới, %(updated)s thay đổi); %(unchanged)s không đổi.")
        return text % {
            "written": self.written,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


class _Rejected(Exception):
    """Raised inside the import transaction to roll it back (all-or-nothing mode, a row refused while writing)."""


# ---------------------------------------------------------------------------
# Cells


def _amount(value: Any) -> Decimal | None:
    """A number from a number cell or text written the Vietnamese way (``12,5``) or with a point; ``None`` if not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return None
        return amount if amount.is_finite() else None
    text = normalize(str(value or "")).replace(" ", "").replace("%", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _period_text(value: Any) -> str:
    """The period key a cell holds; a date cell (Excel turns ``2026-03`` into a date) is read as its month."""
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value.year}-{value.month:02d}"
    return spreadsheet.cell_text(value).upper().replace(" ", "")


def _plain(amount: Decimal | None) -> int | float | None:
    """A stored amount as an Excel number: whole numbers as such (85, not 85.0000)."""
    if amount is None:
        return None
    return int(amount) if amount == amount.to_integral_value() else float(amount)


_PERIOD_EXAMPLES = {
    PeriodKind.YEAR.value: "2026",
    PeriodKind.HALF.value: "2026-H1",
    PeriodKind.QUARTER.value: "2026-Q1",
    PeriodKind.MONTH.value: "2026-03",
}


# ---------------------------------------------------------------------------
# Export


def value_rows(values: QuerySet[IndicatorValue]) -> Iterable[list[Any]]:
    for value in values.select_related("indicator", "unit").order_by("indicator__code", "period_start", "unit__path"):
        yield [
            value.indicator.code,
            value.indicator.name,
            value.unit.code,
            value.unit.name,
            value.period_key,
            _plain(value.value),
            _plain(value.numerator),
            _plain(value.denominator),
            value.note,
            str(value.get_origin_display()),
            str(value.get_state_display()),
        ]


def export_values(values: QuerySet[IndicatorValue]) -> bytes:
    """The values (already limited to the reader) in the import layout."""
    return spreadsheet.table_bytes(
        title=_("Số liệu chỉ số"),
        header=[header for _key, header, _aliases in VALUE_COLUMNS],
        rows=value_rows(values),
        widths=[24, 40, 14, 32, 10, 12, 12, 12, 30, 14, 14],
    )


def _kind_label(kind: str) -> str:
    try:
        return str(UnitKind(kind).label)
    except ValueError:
        return kind


def target_rows(targets: QuerySet[Target]) -> Iterable[list[Any]]:
    for target in targets.select_related("indicator", "unit").order_by(
        "indicator__code", "year", "unit_kind", "unit__path"
    ):
        yield [
            target.indicator.code,
            target.indicator.name,
            target.year,
            target.unit.code if target.unit else None,
            target.unit.name if target.unit else None,
            _kind_label(target.unit_kind) if target.unit_kind else None,
            _plain(target.value),
            _plain(target.step),
            _plain(target.cap),
            target.note,
        ]


def export_targets(targets: QuerySet[Target]) -> bytes:
    return spreadsheet.table_bytes(
        title=_("Chỉ tiêu"),
        header=[header for _key, header, _aliases in TARGET_COLUMNS],
        rows=target_rows(targets),
        widths=[24, 40, 8, 14, 32, 18, 12, 14, 12, 40],
    )


def template(kind: str) -> bytes:
    """An empty workbook in the import layout, with one example row."""
    if kind == TARGETS:
        header = [header for _key, header, _aliases in TARGET_COLUMNS]
        example: list[Any] = ["tthc.digitised_results", "", 2026, "", "", "Xã", 15, 20, 100, "Công văn …"]
    else:
        header = [header for _key, header, _aliases in VALUE_COLUMNS]
        example = ["pakn.received", "", "T-P-STP", "", "2026-Q1", 12, "", "", "Sổ theo dõi PAKN", "", ""]
    return spreadsheet.table_bytes(title=_("Mẫu nhập"), header=header, rows=[example])


# ---------------------------------------------------------------------------
# Import: shared


def _read(data: bytes, report: ImportReport, columns: tuple[tuple[str, str, tuple[str, ...]], ...]) -> Any:
    """The header's columns and the data rows, or ``None`` with the problem of the whole file in the report."""
    rows = spreadsheet.read_rows(data, max_rows=spreadsheet.max_import_rows())
    report.rows = rows
    if not rows:
        report.errors.append(RowError(0, "", _("Tệp không có dòng tiêu đề.")))
        return None
    header, body = rows[0], rows[1:]
    report.header = header.values
    found = spreadsheet.map_columns(header.values, {key: (label, *aliases) for key, label, aliases in columns})
    required = VALUE_REQUIRED if columns is VALUE_COLUMNS else TARGET_REQUIRED
    labels = _labels(columns)
    missing = [labels[key] for key in required if key not in found]
    if missing:
        report.errors.append(
            RowError(
                header.number, "", _("Thiếu cột: %(columns)s. Hãy dùng tệp mẫu.") % {"columns": ", ".join(missing)}
            )
        )
        return None
    if not body:
        report.errors.append(RowError(0, "", _("Tệp không có dòng dữ liệu nào.")))
        return None
    return found, body


def _indicators_by_code(codes: Iterable[str]) -> dict[str, Indicator]:
    folded = {fold(code) for code in codes if code}
    return {fold(indicator.code): indicator for indicator in Indicator.objects.all() if fold(indicator.code) in folded}


def _units_by_code(actor: Actor, codes: Iterable[str]) -> dict[str, Unit]:
    """The units with these codes that the actor manages (others are reported as not found in their scope)."""
    wanted = {code for code in codes if code}
    units = roles.get_units_for_user(actor, manage=True).filter(code__in=wanted)
    return {unit.code.upper(): unit for unit in units}


def _write_rows(
    report: ImportReport, rows: Sequence[Any], write: Callable[[Any], str], column: Callable[[ServiceError], str]
) -> None:
    """Write the checked rows in one transaction; ``write`` returns "created", "updated" or "unchanged".

    A row a service still refuses is reported; in the all-or-nothing mode that undoes every row written before it.
    """
    try:
        with transaction.atomic():
            for row in rows:
                try:
                    with transaction.atomic():
                        outcome = write(row)
                except ServiceError as exc:
                    report.errors.append(RowError(row.number, column(exc), exc.message))
                    if report.mode == ImportMode.ALL_OR_NOTHING:
                        raise _Rejected from exc
                    continue
                setattr(report, outcome, getattr(report, outcome) + 1)
    except _Rejected:
        report.created = report.updated = report.unchanged = 0


def _check_mode(mode: str) -> None:
    if mode not in (ImportMode.ALL_OR_NOTHING, ImportMode.VALID_ROWS):
        raise ServiceError(_("Cách nhập không hợp lệ."), field="mode")


# ---------------------------------------------------------------------------
# Import: values


@dataclass(frozen=True)
class _Value:
    number: int
    indicator: Indicator
    unit: Unit
    period: Period
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    note: str


_FIELD_COLUMN = {"value": "value", "numerator": "numerator", "denominator": "denominator", "period": "period"}


def _parse_values(actor: Actor, data: bytes, report: ImportReport) -> list[_Value]:
    read = _read(data, report, VALUE_COLUMNS)
    if read is None:
        return []
    columns, body = read
    labels = _labels(VALUE_COLUMNS)

    def text(row: spreadsheet.SheetRow, key: str) -> str:
        return spreadsheet.cell_text(spreadsheet.cell(row.values, columns.get(key)))

    indicators = _indicators_by_code(text(row, "indicator") for row in body)
    units = _units_by_code(actor, (text(row, "unit").upper() for row in body))
    stored = {
        (value.indicator_id, value.unit_id, value.period_key): value
        for value in IndicatorValue.objects.filter(
            indicator__in=list(indicators.values()), unit__in=list(units.values())
        )
    }
    today = timezone.localdate()
    seen: dict[tuple[int, int, str], int] = {}
    parsed: list[_Value] = []
    for row in body:
        errors: list[RowError] = []

        def error(key: str, message: str, errors: list[RowError] = errors, row: spreadsheet.SheetRow = row) -> None:
            errors.append(RowError(row.number, labels[key], message))

        code = text(row, "indicator")
        indicator = indicators.get(fold(code)) if code else None
        if not code:
            error("indicator", _("Chưa ghi mã chỉ số."))
        elif indicator is None:
            error("indicator", _("Không có chỉ số mã “%(code)s”.") % {"code": code[:80]})
        unit_code = text(row, "unit")
        unit = units.get(unit_code.upper()) if unit_code else None
        if not unit_code:
            error("unit", _("Chưa ghi mã đơn vị."))
        elif unit is None:
            error(
                "unit",
                _("Không có đơn vị mã “%(code)s” trong phạm vi bạn quản lý.") % {"code": unit_code[:50]},
            )
        raw_period = _period_text(spreadsheet.cell(row.values, columns["period"]))
        period: Period | None = None
        try:
            period = Period.from_key(raw_period) if raw_period else None
        except ValueError:
            period = None
        if period is None:
            example = _PERIOD_EXAMPLES.get(indicator.period_kind, "2026-Q1") if indicator else "2026, 2026-Q1"
            error(
                "period",
                _("Kỳ “%(value)s” không hợp lệ; ghi theo dạng %(example)s.")
                % {"value": raw_period[:20], "example": example},
            )
        raw_value = spreadsheet.cell(row.values, columns["value"])
        amount = _amount(raw_value)
        if amount is None:
            if raw_value is None or spreadsheet.cell_text(raw_value) == "":
                error("value", _("Chưa ghi giá trị."))
            else:
                error(
                    "value",
                    _("Giá trị “%(value)s” không phải là số.") % {"value": spreadsheet.cell_text(raw_value)[:30]},
                )
        parts: dict[str, Decimal | None] = {}
        for key in ("numerator", "denominator"):
            raw = spreadsheet.cell(row.values, columns.get(key))
            parts[key] = _amount(raw) if spreadsheet.cell_text(raw) else None
            if spreadsheet.cell_text(raw) and parts[key] is None:
                error(key, _("“%(value)s” không phải là số.") % {"value": spreadsheet.cell_text(raw)[:30]})
        note = text(row, "note")[:300]
        if errors or indicator is None or unit is None or period is None or amount is None:
            report.errors.extend(errors)
            continue
        current = stored.get((indicator.pk, unit.pk, period.key))
        try:
            amount, top, bottom = services.check_value(indicator, amount, parts["numerator"], parts["denominator"])
        except ServiceError as exc:
            error(_FIELD_COLUMN.get(exc.field or "", "value"), exc.message)
        else:
            if current is not None and (current.value, current.numerator, current.denominator, current.note) == (
                amount,
                top,
                bottom,
                note,
            ):
                report.unchanged += 1  # as stored (an exported file imported back): nothing to check or write
                seen[(indicator.pk, unit.pk, period.key)] = row.number
                continue
            if indicator.source == IndicatorSource.EXTERNAL:
                error(
                    "indicator",
                    _(
                        "Chỉ số “%(code)s” là kết quả công bố bên ngoài; "
                        "nhập ở trang “Nhập kết quả PAR INDEX, SIPAS, PAPI”."
                    )
                    % {"code": indicator.code},
                )
            elif indicator.entry == EntryMode.COMPUTED:
                error(
                    "indicator",
                    _("Chỉ số “%(code)s” do hệ thống tính; không nhập từ tệp.") % {"code": indicator.code},
                )
            if period.kind.value != indicator.period_kind:
                error(
                    "period",
                    _("Chỉ số “%(code)s” báo cáo theo %(kind)s; ghi kỳ theo dạng %(example)s.")
                    % {
                        "code": indicator.code,
                        "kind": str(indicator.get_period_kind_display()).lower(),
                        "example": _PERIOD_EXAMPLES[indicator.period_kind],
                    },
                )
            elif period.start > today:
                error("period", _("Kỳ %(period)s chưa bắt đầu.") % {"period": period.label_in_sentence})
            if indicator.unit_kind and unit.kind != indicator.unit_kind:
                error(
                    "unit",
                    _("Chỉ số “%(code)s” chỉ áp dụng cho loại đơn vị “%(kind)s”.")
                    % {"code": indicator.code, "kind": _kind_label(indicator.unit_kind)},
                )
            if current is not None and current.origin == ValueOrigin.ENTERED:
                error(
                    "value",
                    _("Đơn vị đã nhập giá trị cho kỳ này (%(state)s); tệp không ghi đè giá trị do đơn vị nhập.")
                    % {"state": str(current.get_state_display()).lower()},
                )
            slot = (indicator.pk, unit.pk, period.key)
            if slot in seen:
                error("period", _("Trùng với dòng %(row)s (cùng chỉ số, đơn vị và kỳ).") % {"row": seen[slot]})
            seen.setdefault(slot, row.number)
        if errors:
            report.errors.extend(errors)
            continue
        parsed.append(_Value(row.number, indicator, unit, period, amount, top, bottom, note))
    return parsed


def import_values(*, actor: Actor, data: bytes, mode: str = ImportMode.ALL_OR_NOTHING) -> ImportReport:
    """Import values from an .xlsx already checked by ``files.check_upload``; see the module's rules."""
    _check_mode(mode)
    report = ImportReport(kind=VALUES, mode=mode)
    services.pakn_indicators_ensure()
    parsed = _parse_values(actor, data, report)
    if not report.ok and mode == ImportMode.ALL_OR_NOTHING:
        report.unchanged = 0
        return report

    def write(row: _Value) -> str:
        existed = IndicatorValue.objects.filter(
            indicator=row.indicator, unit=row.unit, period_key=row.period.key
        ).exists()
        services.value_publish(
            actor=actor,
            indicator=row.indicator,
            unit=row.unit,
            period=row.period,
            value=row.value,
            numerator=row.numerator,
            denominator=row.denominator,
            note=row.note,
            origin=ValueOrigin.IMPORTED,
        )
        return "updated" if existed else "created"

    labels = _labels(VALUE_COLUMNS)
    _write_rows(report, parsed, write, lambda exc: labels.get(_FIELD_COLUMN.get(exc.field or "", "value"), ""))
    return report


# ---------------------------------------------------------------------------
# Import: targets


@dataclass(frozen=True)
class _Target:
    number: int
    indicator: Indicator
    data: services.TargetData


_TARGET_FIELD_COLUMN = {"year": "year", "value": "value", "step": "step", "cap": "cap", "unit_kind": "unit_kind"}


def _kind_lookup() -> dict[str, str]:
    short = {
        "Tỉnh": UnitKind.PROVINCE,
        "Sở": UnitKind.DEPARTMENT,
        "Ban, ngành": UnitKind.DEPARTMENT,
        "Huyện": UnitKind.DISTRICT,
        "Xã": UnitKind.COMMUNE,
        "Phường": UnitKind.COMMUNE,
        "Cấp xã": UnitKind.COMMUNE,
        "Phòng": UnitKind.OFFICE,
    }
    return spreadsheet.choice_lookup(UnitKind, {key: str(value) for key, value in short.items()})


def _parse_targets(actor: Actor, data: bytes, report: ImportReport) -> list[_Target]:
    read = _read(data, report, TARGET_COLUMNS)
    if read is None:
        return []
    columns, body = read
    labels = _labels(TARGET_COLUMNS)

    def text(row: spreadsheet.SheetRow, key: str) -> str:
        return spreadsheet.cell_text(spreadsheet.cell(row.values, columns.get(key)))

    indicators = _indicators_by_code(text(row, "indicator") for row in body)
    units = _units_by_code(actor, (text(row, "unit").upper() for row in body))
    kinds = _kind_lookup()
    seen: dict[tuple[int, int, str, int | None], int] = {}
    parsed: list[_Target] = []
    for row in body:
        errors: list[RowError] = []

        def error(key: str, message: str, errors: list[RowError] = errors, row: spreadsheet.SheetRow = row) -> None:
            errors.append(RowError(row.number, labels[key], message))

        code = text(row, "indicator")
        indicator = indicators.get(fold(code)) if code else None
        if not code:
            error("indicator", _("Chưa ghi mã chỉ số."))
        elif indicator is None:
            error("indicator", _("Không có chỉ số mã “%(code)s”.") % {"code": code[:80]})
        year_text = text(row, "year")
        year = int(year_text) if year_text.isdigit() and 1900 <= int(year_text) <= 2200 else None
        if year is None:
            error("year", _("Năm “%(value)s” không hợp lệ; ghi năm bốn chữ số.") % {"value": year_text[:20]})
        unit_code = text(row, "unit")
        unit = units.get(unit_code.upper()) if unit_code else None
        if unit_code and unit is None:
            error("unit", _("Không có đơn vị mã “%(code)s” trong phạm vi bạn quản lý.") % {"code": unit_code[:50]})
        kind_text = text(row, "unit_kind")
        kind = kinds.get(fold(kind_text), "") if kind_text else ""
        if kind_text and not kind:
            error("unit_kind", _("Không rõ loại đơn vị “%(kind)s”.") % {"kind": kind_text[:50]})
        amounts: dict[str, Decimal | None] = {}
        for key in ("value", "step", "cap"):
            raw = spreadsheet.cell(row.values, columns.get(key))
            amounts[key] = _amount(raw) if spreadsheet.cell_text(raw) else None
            if spreadsheet.cell_text(raw) and amounts[key] is None:
                error(key, _("“%(value)s” không phải là số.") % {"value": spreadsheet.cell_text(raw)[:30]})
            elif key == "value" and not spreadsheet.cell_text(raw):
                error(key, _("Chưa ghi chỉ tiêu."))
        if errors or indicator is None or year is None or amounts["value"] is None:
            report.errors.extend(errors)
            continue
        if unit is not None and kind:
            error("unit_kind", _("Ghi mã đơn vị hoặc loại đơn vị, không ghi cả hai."))
            report.errors.extend(errors)
            continue
        slot = (indicator.pk, year, kind, unit.pk if unit else None)
        if slot in seen:
            error("year", _("Trùng với dòng %(row)s (cùng chỉ số, năm và phạm vi).") % {"row": seen[slot]})
            report.errors.extend(errors)
            continue
        seen[slot] = row.number
        parsed.append(
            _Target(
                row.number,
                indicator,
                services.TargetData(
                    year=year,
                    value=amounts["value"],
                    unit_kind=kind,
                    unit=unit,
                    step=amounts["step"],
                    cap=amounts["cap"],
                    note=text(row, "note")[:300],
                ),
            )
        )
    return parsed


def _same_target(target: Target, data: services.TargetData) -> bool:
    def quantized(amount: Decimal | None) -> Decimal | None:
        return None if amount is None else amount.quantize(Decimal("0.0001"))

    return (
        target.value == quantized(data.value)
        and target.step == quantized(data.step)
        and target.cap == quantized(data.cap)
        and target.note == normalize(data.note)[:300]
    )


def import_targets(*, actor: Actor, data: bytes, mode: str = ImportMode.ALL_OR_NOTHING) -> ImportReport:
    """Create or update targets from an .xlsx already checked by ``files.check_upload``."""
    _check_mode(mode)
    report = ImportReport(kind=TARGETS, mode=mode)
    parsed = _parse_targets(actor, data, report)
    if not report.ok and mode == ImportMode.ALL_OR_NOTHING:
        return report

    def write(row: _Target) -> str:
        current = Target.objects.filter(
            indicator=row.indicator, year=row.data.year, unit_kind=row.data.unit_kind, unit=row.data.unit
        ).first()
        if current is None:
            services.target_create(actor=actor, indicator=row.indicator, data=row.data)
            return "created"
        if _same_target(current, row.data):
            return "unchanged"
        services.target_update(actor=actor, target=current, data=row.data)
        return "updated"

    labels = _labels(TARGET_COLUMNS)
    _write_rows(report, parsed, write, lambda exc: labels.get(_TARGET_FIELD_COLUMN.get(exc.field or "", "value"), ""))
    return report


# ---------------------------------------------------------------------------
# Error workbook


def error_workbook(report: ImportReport) -> bytes:
    """The refused rows as they were in the file: “Dòng” (row number), the original cells, “Lỗi”. Problems of the
    whole file (a missing column) come as rows without a number."""
    messages: dict[int, list[str]] = {}
    general: list[str] = []
    numbers = {row.number for row in report.rows[1:]}
    for error in report.errors:
        if error.row and error.row in numbers:
            messages.setdefault(error.row, []).append(
                f"{error.column}: {error.message}" if error.column else error.message
            )
        else:
            general.append(error.message)
    columns = VALUE_COLUMNS if report.kind == VALUES else TARGET_COLUMNS
    header = [spreadsheet.cell_text(value) for value in report.header] or [label for _k, label, _a in columns]
    width = max([len(header), *(len(row.values) for row in report.rows[1:] if row.number in messages)])
    header += [""] * (width - len(header))
    out: list[list[Any]] = []
    for row in report.rows[1:]:
        if row.number in messages:
            cells = list(row.values) + [None] * (width - len(row.values))
            out.append([row.number, *cells, "; ".join(messages[row.number])])
    for message in general:
        out.append([None, *([None] * width), message])
    return spreadsheet.table_bytes(
        title=ERROR_HEADER,
        header=[_("Dòng"), *header, ERROR_HEADER],
        rows=out,
        widths=[8, *([18] * width), 80],
    )


__all__ = [
    "TARGETS",
    "TARGET_COLUMNS",
    "VALUES",
    "VALUE_COLUMNS",
    "ImportMode",
    "ImportReport",
    "RowError",
    "error_workbook",
    "export_targets",
    "export_values",
    "import_targets",
    "import_values",
    "template",
]
