"""Writes of the procedures app: importing the procedure catalogue and dossier exports, saving column presets.

Both imports run in **one transaction per import**. Rows are read as a stream and written in batches of
:data:`BATCH_SIZE` inside that transaction, so memory stays flat whatever the size of the file, and an import that is
killed half-way (a stopped process, a lost connection) leaves the database as it was. In the all-or-nothing mode the
batches already written are rolled back as soon as the end of the file shows that a row was bad; with
``valid_rows_only`` the good rows are kept and the bad ones reported. Dossiers are upserted by (source, code): a file
imported again changes nothing and adds nothing. Each import writes one audit entry with its counts, on a
:class:`~cchc.procedures.models.DataImport` row.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, record
from cchc.lib import spreadsheet
from cchc.lib.errors import ServiceError
from cchc.lib.numbers import format_count
from cchc.lib.spreadsheet import SheetRow
from cchc.lib.text import fold, search_key
from cchc.lib.types import ActorOrSystem
from cchc.lib.validators import TITLE_MAX_LENGTH
from cchc.organisations.models import Unit

from . import presets
from .kpis import rollups_add, rollups_add_import, rollups_refresh
from .models import (
    DataImport,
    DataImportKind,
    Dossier,
    DossierKey,
    DossierMonth,
    DossierUnitMonth,
    ImportPreset,
    OnlineLevel,
    Procedure,
)
from .parsing import BadRow, Layout, RowParser, find_layout, is_column_numbers, is_total_row
from .presets import Preset
from .reader import FileRows
from .upserts import BATCH_SIZE, DossierWriter, row_of

DOSSIER_FIELDS = (
    "procedure",
    "unit",
    "received_on",
    "due_on",
    "finished_on",
    "returned_on",
    "status",
    "channel",
    "fee",
    "paid_online",
    "inputs_digitised",
    "results_digitised",
    "electronic_result",
    "apology_on",
    "supplement_requests",
    "returned_or_withdrawn",
)


@dataclass
class ImportReport:
    """What an import did, or (``rejected``) why it did nothing."""

    source: str = ""
    valid_rows_only: bool = False
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    header: tuple[Any, ...] = ()
    bad_rows: list[BadRow] = field(default_factory=list)
    data_import: DataImport | None = None
    rollup_keys: set[tuple[int, Any]] = field(default_factory=set, repr=False)  # (unit, month) the KPIs recount
    analyzed: bool = False  # the statistics of the dossier and rollup tables were refreshed after the import

    @property
    def rejected(self) -> bool:
        """Nothing was imported because a row was bad (all-or-nothing mode)."""
        return bool(self.bad_rows) and not self.valid_rows_only

    def summary(self) -> str:
        """One Vietnamese sentence for the command line and the pages."""
        if self.rejected:
            return _(
                "Không nhập gì: %(bad)s/%(read)s dòng có lỗi. Hãy sửa tệp theo tệp báo lỗi rồi nhập lại, "
                "hoặc chọn “chỉ nhập các dòng hợp lệ”."
            ) % {"bad": format_count(len(self.bad_rows)), "read": format_count(self.rows_read)}
        text = _("Đã đọc %(read)s dòng: thêm mới %(created)s, cập nhật %(updated)s, không đổi %(unchanged)s.") % {
            "read": format_count(self.rows_read),
            "created": format_count(self.created),
            "updated": format_count(self.updated),
            "unchanged": format_count(self.unchanged),
        }
        if self.bad_rows:
            text += " " + _("Bỏ qua %(bad)s dòng có lỗi (xem tệp báo lỗi).") % {"bad": format_count(len(self.bad_rows))}
        return text

    def error_lines(self) -> list[str]:
        return [
            _("Dòng %(row)s: %(message)s") % {"row": bad.row.number, "message": "; ".join(bad.messages)}
            for bad in self.bad_rows
        ]


def finish_import(
    *, actor: ActorOrSystem, log: DataImport, report: ImportReport, details: dict[str, Any], unit: Unit | None = None
) -> None:
    """Store the counts of a finished import on its log and write its one audit entry: ``details`` (source, preset,
    file …) followed by the counts."""
    counts = {
        "rows": report.rows_read,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": len(report.bad_rows),
    }
    DataImport.objects.filter(pk=log.pk).update(
        rows_read=report.rows_read,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=len(report.bad_rows),
    )
    log.refresh_from_db()
    record(actor=actor, action=AuditAction.IMPORT, instance=log, unit=unit, changes=details | counts)
    report.data_import = log


class _Rejected(Exception):
    """Raised inside the import transaction to roll it back (all-or-nothing mode with bad rows)."""


# --- Presets ---------------------------------------------------------------------------------------------------------


def preset_get(name: str) -> Preset:
    """A shipped or saved preset by name; :class:`ServiceError` naming the known ones otherwise."""
    if name in presets.SHIPPED:
        return presets.SHIPPED[name]
    saved = ImportPreset.objects.filter(name=name).first()
    if saved is None:
        known = ", ".join([*presets.SHIPPED, *ImportPreset.objects.values_list("name", flat=True)])
        raise ServiceError(
            _("Không có mẫu cột “%(name)s”. Các mẫu có: %(known)s.") % {"name": name, "known": known},
            code="unknown_preset",
            field="preset",
        )
    return Preset.from_saved(saved)


def preset_save(
    *,
    actor: ActorOrSystem,
    name: str,
    columns: dict[str, list[str]],
    codes: dict[str, dict[str, str]] | None = None,
    date_format: str = presets.DMY,
    description: str = "",
    source_document: str = "",
) -> ImportPreset:
    """Create or replace a saved column mapping; shipped names are reserved."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ServiceError(_("Tên mẫu cột phải có từ 1 đến 100 ký tự."), field="name")
    if name in presets.SHIPPED:
        raise ServiceError(_("“%(name)s” là tên một mẫu cột có sẵn; hãy chọn tên khác.") % {"name": name}, field="name")
    unknown = sorted(set(columns) - set(presets.FIELDS))
    if unknown:
        raise ServiceError(
            _("Trường không có trong hồ sơ: %(fields)s.") % {"fields": ", ".join(unknown)}, field="columns"
        )
    if date_format not in presets.DATE_FORMATS:
        raise ServiceError(_("Định dạng ngày không được hỗ trợ."), field="date_format")
    with transaction.atomic():
        preset, created = ImportPreset.objects.update_or_create(
            name=name,
            defaults={
                "columns": {key: [str(label) for label in labels] for key, labels in columns.items()},
                "codes": codes or {},
                "date_format": date_format,
                "description": description[:TITLE_MAX_LENGTH],
                "source_document": source_document[:TITLE_MAX_LENGTH],
            },
        )
        record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            instance=preset,
            changes={"columns": preset.columns, "codes": preset.codes, "date_format": date_format},
        )
    return preset


def preset_delete(*, actor: ActorOrSystem, preset: ImportPreset) -> None:
    """Delete a saved column mapping (shipped presets are not rows and cannot be deleted); audited with what it was."""
    with transaction.atomic():
        record(
            actor=actor,
            action=AuditAction.DELETE,
            instance=preset,
            changes={
                "name": [preset.name, None],
                "columns": [preset.columns, None],
                "codes": [preset.codes, None],
                "date_format": [preset.date_format, None],
            },
        )
        preset.delete()


# --- Looking up units and procedures ---------------------------------------------------------------------------------


def find_unit(code: str, name: str) -> Unit | str:
    """The unit of the tree with this code, else the one active unit with this name (accents, case ignored), or a
    Vietnamese message saying why none was found."""
    if code:
        unit = Unit.objects.filter(code=code).first()
        if unit is not None:
            return unit
    if name:
        wanted = search_key(name)
        candidates = [
            unit
            for unit in Unit.objects.filter(search_key__startswith=wanted).active()
            if wanted in (search_key(unit.name), search_key(unit.short_name))
        ]
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            return _("Đơn vị tiếp nhận: có %(count)s đơn vị cùng tên “%(name)s”; hãy dùng mã đơn vị.") % {
                "count": len(candidates),
                "name": name,
            }
    return _("Đơn vị tiếp nhận: không tìm thấy đơn vị “%(unit)s” trong cây đơn vị.") % {"unit": code or name}


class _References:
    """Units and procedures named by the rows, looked up once per distinct value. The first lookup by code reads the
    codes of every unit (or procedure) in one query; names are looked up one by one."""

    def __init__(self) -> None:
        self.units: dict[tuple[str, str], Unit | str] = {}
        self.procedures: dict[tuple[str, str], Procedure | str] = {}
        self.unit_codes: dict[str, Unit] | None = None
        self.procedure_codes: dict[str, Procedure] | None = None
        self.before_query: Callable[[], None] = lambda: None

    def load_codes(self) -> None:
        """Read the codes of every unit and procedure now (what the first lookup by code does)."""
        if self.unit_codes is None:
            self.unit_codes = {unit.code: unit for unit in Unit.objects.only("pk", "code")}
        if self.procedure_codes is None:
            self.procedure_codes = {procedure.code: procedure for procedure in Procedure.objects.only("pk", "code")}

    def unit(self, code: str, name: str) -> Unit | str:
        key = (code, name)
        found = self.units.get(key)
        if found is None:
            if code and self.unit_codes is None:
                self.before_query()
                self.unit_codes = {unit.code: unit for unit in Unit.objects.only("pk", "code")}
            found = self.unit_codes.get(code) if code and self.unit_codes is not None else None
            if found is None:
                self.before_query()
                found = find_unit(code, name or code)
            self.units[key] = found
        return found

    def procedure(self, code: str, name: str) -> Procedure | str:
        key = (code, name)
        found = self.procedures.get(key)
        if found is None:
            if code and self.procedure_codes is None:
                self.before_query()
                self.procedure_codes = {procedure.code: procedure for procedure in Procedure.objects.only("pk", "code")}
            found = self.procedure_codes.get(code) if code and self.procedure_codes is not None else None
            if found is None:
                self.before_query()
                found = self._procedure_by_name(code, name)
            self.procedures[key] = found
        return found

    def _procedure_by_name(self, code: str, name: str) -> Procedure | str:
        if name:
            matches = list(Procedure.objects.filter(name_key=fold(name))[:2])
            if len(matches) > 1:
                return _("Thủ tục: có nhiều thủ tục cùng tên “%(name)s” trong danh mục; hãy dùng mã thủ tục.") % {
                    "name": name
                }
            if matches:
                return matches[0]
        return _(
            "Thủ tục: không tìm thấy thủ tục “%(procedure)s” trong danh mục (hãy nhập danh mục thủ tục trước)."
        ) % {"procedure": code or name}


# --- Dossiers --------------------------------------------------------------------------------------------------------


def _plain_codes(objects: dict[str, Any] | None) -> dict[str, int]:
    """Code → id of the units or procedures whose code a cell gives as it is (plain ASCII, no space)."""
    return {
        code: item.pk
        for code, item in (objects or {}).items()
        if code and code.isascii() and code.isprintable() and " " not in code
    }


def _read_rows(
    stream: Iterator[SheetRow],
    layout: Layout,
    parser: RowParser,
    references: _References,
    writer: DossierWriter,
    report: ImportReport,
    first_row_of: dict[str, int],
    lines: Iterator[tuple[int, Sequence[Any]]] | None = None,
) -> None:
    """Parse and check every data row; hand the good ones to ``writer`` (none after a bad row when all-or-nothing).

    Most rows of an export are plain (codes found by code, dates and codes as the preset writes them): once the
    codes of every unit and procedure are read, :meth:`RowParser.quick_cells` reads such a row straight into the
    writer's row; any other row (a total row, an unknown code, a bad cell…) goes through :meth:`RowParser.parse`, its
    checks and messages. ``lines``, when given, are the rows of ``stream`` as (row number, cells) (a CSV file's,
    :attr:`FileRows.lines`): a :class:`SheetRow` is then made only of the rows that need one."""
    valid_rows_only = report.valid_rows_only
    add = writer.add
    quick = parser.quick_cells
    procedures: dict[str, int] | None = None
    units: dict[str, int] = {}
    keep = True  # rows are still written (no bad row yet, or valid rows only)
    short = 0  # rows read the short way, added to report.rows_read at the end
    if lines is None:
        lines = ((row.number, row.values) for row in stream)
    first = True
    try:
        for number, cells in lines:
            if first:
                first = False
                if is_column_numbers(SheetRow(number=number, values=tuple(cells))):
                    continue
            if procedures is not None:
                found = quick(cells, procedures, units)
                if found is not None:
                    code = found[0]
                    if code not in first_row_of:
                        short += 1
                        first_row_of[code] = number
                        if keep:
                            add(found)
                        continue
            elif references.procedure_codes is not None and references.unit_codes is not None:
                procedures, units = _plain_codes(references.procedure_codes), _plain_codes(references.unit_codes)
            row = SheetRow(number=number, values=tuple(cells))
            if is_total_row(row, layout):
                continue
            report.rows_read += 1
            values, errors = parser.parse(row)
            code = values["code"]
            if code and code in first_row_of:
                errors.append(
                    _("Mã hồ sơ: “%(code)s” đã có ở dòng %(row)s của tệp.") % {"code": code, "row": first_row_of[code]}
                )
            elif code:
                first_row_of[code] = number
            _check_references(values, errors, references)
            if errors:
                report.bad_rows.append(BadRow(row=row, messages=errors))
                keep = valid_rows_only
                continue
            if keep:
                add(row_of(values))
            # otherwise the import will be rolled back: only keep looking for errors
    finally:
        report.rows_read += short


# --- Parsing in a second process --------------------------------------------------------------------------------
#
# A large file is read and parsed by a worker process (forked, so it starts with the parser, the codes of every unit
# and procedure and the writer's formats), which hands the import batches of rows in file order through a pipe: plain
# rows ready for the writer (on PostgreSQL already as ``COPY`` text), and every other row with its parsed values and
# errors, whose units and procedures the import then looks up in the database. The worker also keeps the first row
# of each code, so the duplicate-code errors, the row numbers and the counts are those of :func:`_read_rows`. The pipe
# holds at most a few batches: memory stays flat. Only the rows of a file as ``reader.iter_file_rows`` gives them
# (``reader.FileRows``, read with no other effect) go to a worker; other iterables (the background import's, which
# writes its progress as it reads), files of fewer than :func:`parallel_min_rows` rows and processes where ``fork``
# is missing or unsafe (another thread running) are parsed in the import's own process.

# Off by default: on a host whose cores are all busy the second process won nothing (docs/performance.md); where
# the database and the import have idle cores, set CCHC_DOSSIER_PARALLEL_MIN_ROWS (5,000 is a fair value).
PARALLEL_MIN_ROWS = 0
PARALLEL_BATCH_ROWS = 1_000
_QUICK, _SLOW, _END, _FAILED = "quick", "slow", "end", "failed"


def parallel_min_rows() -> int:
    """Rows from which a file is parsed in a second process (setting ``CCHC_DOSSIER_PARALLEL_MIN_ROWS``; 0, the
    default, never)."""
    return int(getattr(settings, "CCHC_DOSSIER_PARALLEL_MIN_ROWS", PARALLEL_MIN_ROWS))


def _fork_context() -> Any:
    """The ``fork`` context of :mod:`multiprocessing`, or ``None`` where forking is missing or unsafe."""
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return None
    return multiprocessing.get_context("fork")


def _parse_in_worker(
    rows: Iterable[SheetRow],
    layout: Layout,
    parser: RowParser,
    procedures: dict[str, int],
    units: dict[str, int],
    first_row_of: dict[str, int],
    copy_line: Callable[[tuple[Any, ...]], str | None],
    pipe: Any,
) -> None:
    """The worker process: :func:`_read_rows` without the database (see above). Ends with ``_END``, or ``_FAILED``
    and the error that stopped the reading (a broken file)."""
    quick = parser.quick
    batch: list[Any] = []
    plain: list[Any] = []

    def flush_plain() -> None:
        if plain:
            lines = [copy_line(found) for found in plain]
            text = "".join(line for line in lines if line is not None)
            batch.append((_QUICK, text if lines[0] is not None else list(plain), len(plain)))
            plain.clear()

    try:
        first = True
        for row in rows:
            if first:
                first = False
                if is_column_numbers(row):
                    continue
            found = quick(row, procedures, units)
            if found is not None and found[0] not in first_row_of:
                first_row_of[found[0]] = row.number
                plain.append(found)
                if len(plain) >= PARALLEL_BATCH_ROWS:
                    flush_plain()
                    pipe.send(batch)
                    batch = []
                continue
            if is_total_row(row, layout):
                continue
            values, errors = parser.parse(row)
            code = values["code"]
            if code and code in first_row_of:
                errors.append(
                    _("Mã hồ sơ: “%(code)s” đã có ở dòng %(row)s của tệp.") % {"code": code, "row": first_row_of[code]}
                )
            elif code:
                first_row_of[code] = row.number
            flush_plain()
            batch.append((_SLOW, row, values, errors))
            if len(batch) >= PARALLEL_BATCH_ROWS:
                pipe.send(batch)
                batch = []
        flush_plain()
        batch.append((_END,))
        pipe.send(batch)
    except ServiceError as exc:
        pipe.send([(_FAILED, exc.message, exc.code, exc.field)])
    finally:
        pipe.close()


def _read_rows_parallel(
    context: Any,
    rows: Iterable[SheetRow],
    layout: Layout,
    parser: RowParser,
    references: _References,
    writer: DossierWriter,
    report: ImportReport,
    first_row_of: dict[str, int],
) -> None:
    """:func:`_read_rows` with the reading and parsing done by a worker process; the same rows, errors and counts."""
    procedures = _plain_codes(references.procedure_codes)
    units = _plain_codes(references.unit_codes)
    writer.use_text()  # the worker prepares the COPY text of plain rows
    receiving, sending = context.Pipe(duplex=False)
    worker = context.Process(
        target=_parse_in_worker,
        args=(rows, layout, parser, procedures, units, first_row_of, writer.copy_line, sending),
        name="dossier-parse",
        daemon=True,
    )
    worker.start()
    sending.close()
    valid_rows_only = report.valid_rows_only
    try:
        while True:
            try:
                batch = receiving.recv()
            except EOFError as exc:
                # the worker ended without finishing the file (killed, out of memory): the import is rolled back
                raise ServiceError(
                    _("Tiến trình đọc tệp đã dừng giữa chừng; không nhập gì."), code="parse_process_ended", field="file"
                ) from exc
            for item in batch:
                kind = item[0]
                if kind == _QUICK:
                    _kind, found, count = item
                    report.rows_read += count
                    if not report.bad_rows or valid_rows_only:
                        if isinstance(found, str):
                            writer.add_lines(found, count)
                        else:
                            for one in found:
                                writer.add(one)
                elif kind == _SLOW:
                    _kind, row, values, errors = item
                    report.rows_read += 1
                    _check_references(values, errors, references)
                    if errors:
                        report.bad_rows.append(BadRow(row=row, messages=errors))
                    elif not report.bad_rows or valid_rows_only:
                        writer.add(row_of(values))
                elif kind == _END:
                    return
                else:
                    _kind, message, code, field_name = item
                    raise ServiceError(message, code=code, field=field_name)
    finally:
        receiving.close()
        if worker.is_alive():
            worker.terminate()
        worker.join()


def _check_references(values: dict[str, Any], errors: list[str], references: _References) -> None:
    """Look the row's procedure and unit up (``values["procedure"]``, ``values["unit"]``), adding their errors."""
    if values["procedure_code"] or values["procedure_name"]:
        procedure = references.procedure(values["procedure_code"], values["procedure_name"])
        if isinstance(procedure, str):
            errors.append(procedure)
        values["procedure"] = procedure
    if values["unit_code"] or values["unit_name"]:
        unit = references.unit(values["unit_code"], values["unit_name"])
        if isinstance(unit, str):
            errors.append(unit)
        values["unit"] = unit


def _head(stream: Iterator[SheetRow], count: int) -> tuple[list[SheetRow], bool]:
    """The next ``count`` rows of ``stream`` at most, and whether more follow."""
    head = list(itertools.islice(stream, count))
    return head, len(head) == count


def dossiers_import(
    *,
    actor: ActorOrSystem,
    rows: Iterable[SheetRow],
    source: str,
    preset: Preset,
    file_name: str = "",
    valid_rows_only: bool = False,
) -> ImportReport:
    """Import the dossier rows of one export (see the module documentation for the transaction and the modes).

    A missing required column refuses the whole file with :class:`ServiceError`; bad rows are reported in the
    returned :class:`ImportReport` (``rejected`` when nothing was imported because of them).
    """
    source = source.strip()
    if not source or len(source) > 100:
        raise ServiceError(_("Tên nguồn dữ liệu phải có từ 1 đến 100 ký tự."), code="bad_source", field="source")
    report = ImportReport(source=source, valid_rows_only=valid_rows_only)
    pure = isinstance(rows, FileRows)  # rows with no other effect, which a second process may read
    stream = rows.rows if isinstance(rows, FileRows) else iter(rows)
    layout = find_layout(stream, preset)
    report.header = layout.header
    parser = RowParser(preset=preset, layout=layout)
    references = _References()
    first_row_of: dict[str, int] = {}
    head: Iterator[SheetRow] = stream
    context = None
    min_rows = parallel_min_rows()
    if pure and min_rows > 0:
        first_rows, more = _head(stream, min_rows)
        head = itertools.chain(first_rows, stream)
        if more:
            context = _fork_context()
    try:
        with transaction.atomic():
            log = DataImport.objects.create(
                kind=DataImportKind.DOSSIERS,
                source=source,
                preset=preset.name,
                file_name=file_name[:255],
                valid_rows_only=valid_rows_only,
                author=actor_user(actor),
            )
            writer = DossierWriter(source=source, log=log)
            references.before_query = writer.pause  # a COPY in progress holds the connection
            try:
                if context is not None:
                    references.load_codes()
                    _read_rows_parallel(context, head, layout, parser, references, writer, report, first_row_of)
                else:
                    lines = rows.lines if isinstance(rows, FileRows) and head is stream else None
                    _read_rows(head, layout, parser, references, writer, report, first_row_of, lines)
                if report.bad_rows and not valid_rows_only:
                    raise _Rejected
                writer.finish()
            except BaseException:
                writer.abort()
                raise
            report.created, report.updated, report.unchanged = writer.created, writer.updated, writer.unchanged
            report.rollup_keys = writer.affected
            if writer.created and not writer.updated:
                # Every dossier written is new: add their counts instead of recounting their months, as summed
                # while they were written when they were (no scan of the rows just written), else read back.
                if writer.sums is not None and writer.sums.complete:
                    rollups_add(writer.sums)
                else:
                    rollups_add_import(log.pk)
            else:
                rollups_refresh(keys=report.rollup_keys)
            if report.rows_read == 0:
                raise ServiceError(_("Tệp không có dòng hồ sơ nào dưới dòng tiêu đề."), code="empty", field="file")
            finish_import(
                actor=actor,
                log=log,
                report=report,
                details={
                    "source": source,
                    "preset": preset.name,
                    "file": file_name,
                },
            )
    except _Rejected:
        report.created = report.updated = report.unchanged = 0
    return report


# --- Statistics after a large import --------------------------------------------------------------------------------

# An import that writes at least this many dossiers (setting ``CCHC_DOSSIER_ANALYZE_AFTER_ROWS``), or this share of
# the rows the table held, refreshes the statistics of the dossier and rollup tables when it ends
# (:func:`dossiers_analyze_after`).
ANALYZE_AFTER_ROWS = 100_000
ANALYZE_AFTER_SHARE = 0.1


def analyze_after_rows() -> int:
    return int(getattr(settings, "CCHC_DOSSIER_ANALYZE_AFTER_ROWS", ANALYZE_AFTER_ROWS))


def _analyzed_tables() -> list[str]:
    # The key table (PostgreSQL) grows with the dossiers and is what the next re-import joins its rows with.
    keys = [DossierKey] if connection.vendor == "postgresql" else []
    return [model._meta.db_table for model in (Dossier, *keys, DossierUnitMonth, DossierMonth)]


def _known_dossiers() -> int:
    """The rows of the dossier table as the database's statistics last counted them (0 when never counted)."""
    table = Dossier._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [table])
            row = cursor.fetchone()
            return max(int(row[0]), 0) if row else 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return 0
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
            return max((int(stat.split()[0]) for (stat,) in cursor.fetchall()), default=0)
    return 0


def dossiers_analyze() -> None:
    """Refresh the planner's statistics of the dossier and rollup tables. PostgreSQL: ``VACUUM ANALYZE``, which also
    marks the new rows' pages all-visible, so that the KPIs' overdue snapshot reads its partial index alone; inside
    a transaction (where ``VACUUM`` cannot run) ``ANALYZE`` only. SQLite: ``ANALYZE``."""
    tables = _analyzed_tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            for table in tables:
                cursor.execute(f"{command} {connection.ops.quote_name(table)}")
        elif connection.vendor == "sqlite":
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def dossiers_analyze_after(report: ImportReport) -> bool:
    """After a dossier import has committed: :func:`dossiers_analyze` when it wrote at least
    :func:`analyze_after_rows` dossiers or :data:`ANALYZE_AFTER_SHARE` of those the statistics knew (a table never
    counted counts as empty). Right after a bulk write the planner does not know the new rows (PostgreSQL's
    autovacuum comes only once inserts reach a fifth of the table) and picks slow plans for the KPIs. Sets and
    returns ``report.analyzed``."""
    written = report.created + report.updated
    if report.rejected or not written:
        return False
    if written < analyze_after_rows() and written < ANALYZE_AFTER_SHARE * _known_dossiers():
        return False
    dossiers_analyze()
    report.analyzed = True
    return True


# --- Procedures ------------------------------------------------------------------------------------------------------

PROCEDURE_COLUMNS: dict[str, Iterable[str]] = {
    "code": ("Mã thủ tục", "Mã TTHC", "Mã số", "MaTTHC", "Mã"),
    "name": ("Tên thủ tục", "Tên thủ tục hành chính", "Tên TTHC", "TenTTHC"),
    "field": ("Lĩnh vực", "TenLinhVuc"),
    "level": ("Cấp thực hiện", "Cấp"),
    "online_level": ("Mức độ DVC trực tuyến", "Dịch vụ công trực tuyến", "Mức độ DVCTT", "Mức độ"),
    "fee_bearing": ("Có phí, lệ phí", "Phí, lệ phí", "Có phí"),
}
_ONLINE_LEVELS = {
    **{fold(text): OnlineLevel.FULL for text in ("toàn trình", "full", "4", "mức 4", "mức độ 4")},
    **{fold(text): OnlineLevel.PARTIAL for text in ("một phần", "partial", "3", "mức 3", "mức độ 3")},
    **{fold(text): OnlineLevel.NONE for text in ("", "không", "none", "1", "2", "mức 2", "mức 1")},
}


def procedures_import(*, actor: ActorOrSystem, rows: Iterable[SheetRow], file_name: str = "") -> ImportReport:
    """Import the procedure catalogue, all or nothing, upserting by procedure code."""
    stream = iter(rows)
    header: SheetRow | None = None
    columns: dict[str, int] = {}
    for row in stream:
        columns = spreadsheet.map_columns(row.values, PROCEDURE_COLUMNS)
        if "code" in columns and "name" in columns:
            header = row
            break
        if row.number > 20:
            break
    if header is None:
        raise ServiceError(
            _("Tệp không có cột bắt buộc “Mã thủ tục” và “Tên thủ tục”; không nhập gì."),
            code="missing_column",
            field="file",
        )
    report = ImportReport(header=header.values)
    seen: dict[str, int] = {}
    try:
        with transaction.atomic():
            log = DataImport.objects.create(
                kind=DataImportKind.PROCEDURES, file_name=file_name[:255], author=actor_user(actor)
            )
            for row in stream:
                text = {
                    name: spreadsheet.cell_text(spreadsheet.cell(row.values, index)) for name, index in columns.items()
                }
                if not text.get("code") and any(fold(value).startswith(("tong", "cong")) for value in text.values()):
                    continue
                report.rows_read += 1
                errors = []
                code, name = text.get("code", ""), text.get("name", "")
                if not code or len(code) > 100:
                    errors.append(_("Mã thủ tục: thiếu hoặc dài quá 100 ký tự."))
                elif code in seen:
                    errors.append(_("Mã thủ tục: “%(code)s” đã có ở dòng %(row)s.") % {"code": code, "row": seen[code]})
                else:
                    seen[code] = row.number
                if not name or len(name) > TITLE_MAX_LENGTH:
                    errors.append(_("Tên thủ tục: thiếu hoặc quá dài."))
                level = _ONLINE_LEVELS.get(fold(text.get("online_level", "")))
                if level is None:
                    errors.append(
                        _("Mức độ DVC trực tuyến: “%(value)s” không phải toàn trình / một phần / không.")
                        % {"value": text["online_level"]}
                    )
                try:
                    fee_bearing = _fee_flag(text.get("fee_bearing", ""))
                except ValueError:
                    errors.append(
                        _("Có phí, lệ phí: “%(value)s” không phải có/không.") % {"value": text["fee_bearing"]}
                    )
                    fee_bearing = False
                if errors:
                    report.bad_rows.append(BadRow(row=row, messages=errors))
                    continue
                if report.bad_rows:
                    continue
                values = {
                    "name": name,
                    "name_key": fold(name),
                    "field": text.get("field", "")[:255],
                    "level": text.get("level", "")[:255],
                    "online_level": level,
                    "fee_bearing": fee_bearing,
                }
                procedure = Procedure.objects.filter(code=code).first()
                if procedure is None:
                    Procedure.objects.create(code=code, **values)
                    report.created += 1
                elif any(getattr(procedure, key) != value for key, value in values.items()):
                    for key, value in values.items():
                        setattr(procedure, key, value)
                    procedure.save()
                    report.updated += 1
                else:
                    report.unchanged += 1
            if report.bad_rows:
                raise _Rejected
            DataImport.objects.filter(pk=log.pk).update(
                rows_read=report.rows_read, created=report.created, updated=report.updated, unchanged=report.unchanged
            )
            log.refresh_from_db()
            record(
                actor=actor,
                action=AuditAction.IMPORT,
                instance=log,
                changes={
                    "file": file_name,
                    "rows": report.rows_read,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
            report.data_import = log
    except _Rejected:
        report.created = report.updated = report.unchanged = 0
    return report


def _fee_flag(text: str) -> bool:
    folded = fold(text)
    if folded in {fold(word) for word in presets.YES} or folded.startswith("co"):
        return True
    if not folded or folded in {fold(word) for word in presets.NO}:
        return False
    raise ValueError(text)


__all__ = [
    "ANALYZE_AFTER_ROWS",
    "ANALYZE_AFTER_SHARE",
    "BATCH_SIZE",
    "PROCEDURE_COLUMNS",
    "ImportReport",
    "dossiers_analyze",
    "dossiers_analyze_after",
    "dossiers_import",
    "find_unit",
    "preset_delete",
    "preset_get",
    "preset_save",
    "procedures_import",
]
