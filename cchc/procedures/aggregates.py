"""Importing aggregate reports (biểu 06a / 07a): counts per unit or per field for one period.

These reports have two or three header rows with horizontally merged group cells ("Số hồ sơ nhận giải quyết" above
"Tổng số | Trong kỳ | Kỳ trước", "Trong kỳ" above "Trực tuyến | Trực tiếp, dịch vụ bưu chính"), and the same leaf text
under several groups ("Tổng số", "Quá hạn"). A column is therefore found by its whole path of header texts. A read
stream does not say which cells were merged, so an empty header cell takes the text on its left when the cell above
it belongs to the same group (the rule that rebuilds a horizontal merge without crossing into the next group).

The import is one transaction, upserting by (source, unit, field, period); the modes and the audit are those of the
dossier import.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.audit.services import actor_user
from cchc.lib import spreadsheet
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import SheetRow, header_key
from cchc.lib.text import fold
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit

from .models import DataImport, DataImportKind, DossierAggregate
from .parsing import BadRow, is_column_numbers
from .presets import AggregatePreset
from .services import ImportReport, find_unit, finish_import

HEADER_SEARCH_ROWS = 20
MAX_HEADER_ROWS = 4
_TOTAL_WORDS = ("tong", "cong")


def _filled(rows: list[SheetRow]) -> tuple[list[list[str]], list[list[str]]]:
    """The header rows as comparable keys and as texts, horizontal merges rebuilt (see the module documentation)."""
    width = max(len(row.values) for row in rows)
    keys: list[list[str]] = []
    texts: list[list[str]] = []
    origins: list[list[int]] = []
    for depth, row in enumerate(rows):
        text = [spreadsheet.cell_text(spreadsheet.cell(row.values, index)) for index in range(width)]
        origin = list(range(width))
        for index in range(1, width):
            if text[index] or not text[index - 1]:
                continue
            if depth == 0 or origins[depth - 1][index] == origins[depth - 1][index - 1]:
                text[index] = text[index - 1]
                origin[index] = origin[index - 1]
        texts.append(text)
        keys.append([header_key(value) for value in text])
        origins.append(origin)
    return keys, texts


def _paths(rows: list[SheetRow]) -> tuple[list[tuple[str, ...]], tuple[str, ...]]:
    """Each column's path of header keys, and its header as shown (“Group › Leaf”)."""
    keys, texts = _filled(rows)
    paths = []
    shown = []
    for index in range(len(keys[0])):
        path: list[str] = []
        labels: list[str] = []
        for key_line, text_line in zip(keys, texts, strict=True):
            if key_line[index] and (not path or path[-1] != key_line[index]):
                path.append(key_line[index])
                labels.append(text_line[index])
        paths.append(tuple(path))
        shown.append(" › ".join(labels))
    return paths, tuple(shown)


def _matches(path: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    return len(path) == len(wanted) and all(
        segment.startswith(header_key(label)) for segment, label in zip(path, wanted, strict=True)
    )


def _layout(rows: Iterator[SheetRow], preset: AggregatePreset) -> tuple[int, dict[str, int], tuple[str, ...], SheetRow]:
    """(column of the row key, count → column, header texts, first data row)."""
    labels = {header_key(label) for label in preset.row_labels}
    header_rows: list[SheetRow] = []
    key_column: int | None = None
    for row in rows:
        if key_column is None:
            found = [index for index, value in enumerate(row.values) if header_key(value) in labels]
            if found:
                key_column = found[0]
                header_rows = [row]
            elif row.number > HEADER_SEARCH_ROWS:
                break
            continue
        if is_column_numbers(row):
            continue
        if spreadsheet.cell_text(spreadsheet.cell(row.values, key_column)) or len(header_rows) >= MAX_HEADER_ROWS:
            paths, header = _paths(header_rows)
            columns = {
                name: index
                for name, wanted in preset.counts.items()
                for index, path in enumerate(paths)
                if _matches(path, wanted)
            }
            missing = [" › ".join(wanted) for name, wanted in preset.counts.items() if name not in columns]
            if missing:
                raise ServiceError(
                    _("Tệp không có cột bắt buộc “%(columns)s” (mẫu “%(preset)s”); không nhập gì.")
                    % {"columns": "”, “".join(missing), "preset": preset.label},
                    code="missing_column",
                    field="file",
                )
            return key_column, columns, header, row
        header_rows.append(row)
    raise ServiceError(
        _("Tệp không có cột bắt buộc “%(columns)s” (mẫu “%(preset)s”); không nhập gì.")
        % {"columns": preset.row_labels[0], "preset": preset.label},
        code="missing_column",
        field="file",
    )


# The totals of a report row and their parts (formats.md §3.1): received = in the period (online + direct or postal,
# 06a) or newly received (07a) + carried over from the previous period; finished = early (06a only: in 07a "trả đúng
# thời hạn" includes the early ones) + on time + late; in progress = on time (not yet due) + late. Each rule is
# (total, parts, parts that may be missing from a layout); it applies to a layout that has the total and the other
# parts, and to a row whose total and parts are all filled in (an empty cell is a figure not reported).
TOTAL_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("received_total", ("received_online", "received_direct_postal", "received_previous"), ()),
    ("received_total", ("received_new", "received_previous"), ()),
    ("finished_total", ("finished_early", "finished_on_time", "finished_late"), ("finished_early",)),
    ("processing_total", ("processing_on_time", "processing_late"), ()),
)


def total_checks(columns: dict[str, int]) -> list[tuple[str, tuple[str, ...]]]:
    """The (total, parts) checks that apply to a layout whose counts are in ``columns``."""
    checks = []
    for total, parts, optional in TOTAL_RULES:
        if total in columns and all(part in columns for part in parts if part not in optional):
            checks.append((total, tuple(part for part in parts if part in columns)))
    return checks


def _total_errors(
    row: SheetRow, counts: dict[str, int], columns: dict[str, int], header: tuple[str, ...], checks: Any
) -> list[str]:
    errors = []
    for total, parts in checks:
        names = (total, *parts)
        if any(name not in counts or _blank(spreadsheet.cell(row.values, columns[name])) for name in names):
            continue
        added = sum(counts[part] for part in parts)
        if counts[total] != added:
            errors.append(
                _("%(total)s là %(value)s nhưng tổng các cột thành phần là %(sum)s (%(parts)s).")
                % {
                    "total": header[columns[total]],
                    "value": counts[total],
                    "sum": added,
                    "parts": " + ".join(f"{header[columns[part]]}: {counts[part]}" for part in parts),
                }
            )
    return errors


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _count(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31:
        return value
    text = spreadsheet.cell_text(value).replace(".", "").replace(",", "")
    if text.isdigit() and int(text) < 2**31:
        return int(text)
    raise ValueError(spreadsheet.cell_text(value))


def aggregates_import(
    *,
    actor: ActorOrSystem,
    rows: Iterable[SheetRow],
    source: str,
    preset: AggregatePreset,
    period_start: datetime.date,
    period_end: datetime.date,
    unit: Unit | None = None,
    file_name: str = "",
    valid_rows_only: bool = False,
) -> ImportReport:
    """Import one aggregate report for the period; ``unit`` is required for a report per field (07a)."""
    source = source.strip()
    if not source or len(source) > 100:
        raise ServiceError(_("Tên nguồn dữ liệu phải có từ 1 đến 100 ký tự."), code="bad_source", field="source")
    if period_end < period_start:
        raise ServiceError(_("Ngày kết thúc kỳ phải sau ngày bắt đầu."), code="bad_period", field="period")
    if preset.row_key == "field" and unit is None:
        raise ServiceError(
            _("Biểu theo lĩnh vực cần chỉ rõ đơn vị báo cáo (mã đơn vị)."), code="missing_unit", field="unit"
        )
    stream = iter(rows)
    key_column, columns, header, first = _layout(stream, preset)
    report = ImportReport(source=source, valid_rows_only=valid_rows_only, header=header)
    checks = total_checks(columns)
    seen: dict[str, int] = {}
    units: dict[str, Unit | str] = {}
    try:
        with transaction.atomic():
            log = DataImport.objects.create(
                kind=DataImportKind.AGGREGATES,
                source=source,
                preset=preset.name,
                file_name=file_name[:255],
                valid_rows_only=valid_rows_only,
                author=actor_user(actor),
            )
            for row in _chain(first, stream):
                key = spreadsheet.cell_text(spreadsheet.cell(row.values, key_column))
                if not key or fold(key).startswith(_TOTAL_WORDS):
                    continue  # a total or an empty line
                report.rows_read += 1
                errors: list[str] = []
                counts: dict[str, int] = {}
                for name, index in columns.items():
                    try:
                        counts[name] = _count(spreadsheet.cell(row.values, index))
                    except ValueError:
                        errors.append(
                            _("%(column)s: “%(value)s” không phải số hồ sơ.")
                            % {"column": header[index], "value": spreadsheet.cell_text(row.values[index])}
                        )
                errors += _total_errors(row, counts, columns, header, checks)
                row_unit: Unit | str | None = unit
                field = ""
                if preset.row_key == "unit":
                    if key not in units:
                        units[key] = find_unit(key, key)
                    row_unit = units[key]
                    if isinstance(row_unit, str):
                        errors.append(row_unit)
                else:
                    field = key[:255]
                if key in seen:
                    errors.append(_("“%(key)s” đã có ở dòng %(row)s của tệp.") % {"key": key, "row": seen[key]})
                else:
                    seen[key] = row.number
                if errors or not isinstance(row_unit, Unit):
                    report.bad_rows.append(BadRow(row=row, messages=errors))
                    continue
                if report.bad_rows and not valid_rows_only:
                    continue
                _upsert(
                    report,
                    log=log,
                    source=source,
                    unit=row_unit,
                    field=field,
                    period=(period_start, period_end),
                    counts=counts,
                )
            if report.bad_rows and not valid_rows_only:
                raise _Rejected
            finish_import(
                actor=actor,
                log=log,
                report=report,
                unit=unit,
                details={
                    "source": source,
                    "preset": preset.name,
                    "file": file_name,
                    "period": f"{period_start:%d/%m/%Y}–{period_end:%d/%m/%Y}",
                },
            )
    except _Rejected:
        report.created = report.updated = report.unchanged = 0
    return report


class _Rejected(Exception):
    pass


def _chain(first: SheetRow, rest: Iterator[SheetRow]) -> Iterator[SheetRow]:
    yield first
    yield from rest


def _upsert(
    report: ImportReport,
    *,
    log: DataImport,
    source: str,
    unit: Unit,
    field: str,
    period: tuple[datetime.date, datetime.date],
    counts: dict[str, int],
) -> None:
    existing = DossierAggregate.objects.filter(
        source=source, unit=unit, field=field, period_start=period[0], period_end=period[1]
    ).first()
    if existing is None:
        DossierAggregate.objects.create(
            source=source,
            unit=unit,
            field=field,
            period_start=period[0],
            period_end=period[1],
            last_import=log,
            **counts,
        )
        report.created += 1
    elif any(getattr(existing, name) != value for name, value in counts.items()):
        for name, value in counts.items():
            setattr(existing, name, value)
        existing.last_import = log
        existing.save()
        report.updated += 1
    else:
        report.unchanged += 1


__all__ = ["TOTAL_RULES", "aggregates_import", "total_checks"]
