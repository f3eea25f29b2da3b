"""The unit tree as an Excel workbook: export, and all-or-nothing import.

Layout (first sheet, header in row 1, one unit per row; the same layout is
written by the export and read by the import):

=====  ==========================================  =============================================
col    header                                      content
=====  ==========================================  =============================================
A      STT                                         row number (ignored on import)
B      Mã đơn vị                                   official code, unique (required)
C      Tên đơn vị                                  name (required)
D      Tên viết tắt                                short name
E      Loại đơn vị                                 kind, as its Vietnamese label (required)
F      Loại xã                                     Xã / Phường / Đặc khu / Thị trấn (communes only)
G      Mã đơn vị cấp trên                          parent's code; empty for a top-level unit
H      Hiệu lực từ                                 date (date cell, dd/mm/yyyy or yyyy-mm-dd)
I      Hiệu lực đến                                date
J      Kế thừa từ (mã, cách nhau bởi dấu ;)        codes of predecessor units
=====  ==========================================  =============================================

Columns are found by their header text (accents, case and punctuation do not
matter), so their order may change. Kinds and commune types are accepted as
Vietnamese or English labels or as code values (``commune``), diacritics
ignored.

Import rules:

* A row whose code already exists **updates** that unit (name, short name,
  kind, type, dates; a different parent code moves it with its subtree). An
  empty "Hiệu lực từ" keeps the unit's stored date. Predecessor links are
  added, never removed. Rows identical to the database change nothing and
  pass whoever imports them, so a file exported by someone imports back
  unchanged: a unit or a predecessor outside the importer's scope is refused
  only when the row would change it or add a link to it.
* A parent may be an existing unit or another row of the file, in any order.
* The whole file is checked first. If any row is wrong, nothing is written and
  the report lists every problem by row and column; otherwise all rows are
  written in one transaction through the unit services (audited as creations,
  updates and moves with the import's reason).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from cchc.accounts import roles
from cchc.lib import spreadsheet
from cchc.lib.errors import ServiceError
from cchc.lib.text import fold, normalize
from cchc.lib.types import ActorOrSystem

from .models import CommuneSubtype, SuccessionKind, Unit, UnitKind, UnitQuerySet, UnitSuccession, decode_path
from .selectors import tree_rows
from .services import UnitData, unit_create, unit_move, unit_succession_add, unit_update

# (key, header written by the export, other accepted header texts)
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("index", "STT", ("Số thứ tự",)),
    ("code", "Mã đơn vị", ("Mã",)),
    ("name", "Tên đơn vị", ("Tên",)),
    ("short_name", "Tên viết tắt", ()),
    ("kind", "Loại đơn vị", ("Loại",)),
    ("subtype", "Loại xã", ("Loại xã, phường",)),
    ("parent_code", "Mã đơn vị cấp trên", ("Mã cấp trên", "Đơn vị cấp trên")),
    ("valid_from", "Hiệu lực từ", ("Hiệu lực từ ngày", "Từ ngày")),
    ("valid_to", "Hiệu lực đến", ("Hiệu lực đến ngày", "Đến ngày")),
    ("predecessors", "Kế thừa từ (mã, cách nhau bởi dấu ;)", ("Kế thừa từ",)),
)
HEADER = [header for _key, header, _aliases in COLUMNS]
COLUMN_LABELS = {key: header for key, header, _aliases in COLUMNS}
COLUMN_LABELS["predecessors"] = "Kế thừa từ"
REQUIRED_COLUMNS = ("code", "name", "kind")
ERROR_HEADER = "Lỗi"
_WIDTHS = (6, 16, 42, 16, 30, 12, 18, 13, 13, 28)
_LIMITS = {"code": 50, "name": 255, "short_name": 100}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    links: int = 0
    errors: list[RowError] = field(default_factory=list)
    header: tuple[Any, ...] = ()
    rows: list[spreadsheet.SheetRow] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        """The report as plain text lines (for the command line)."""
        if self.errors:
            return [
                _("Dòng %(row)s, cột “%(column)s”: %(message)s")
                % {"row": error.row, "column": error.column, "message": error.message}
                for error in self.errors
            ]
        return [
            _("Thêm mới %(created)s, cập nhật %(updated)s, không đổi %(unchanged)s đơn vị; %(links)s liên kết kế thừa.")
            % {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "links": self.links}
        ]


@dataclass
class _Row:
    number: int
    code: str = ""
    name: str = ""
    short_name: str = ""
    kind: str = ""
    subtype: str = ""
    parent_code: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    predecessors: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Export


def _kind_label(kind: str) -> str:
    return str(UnitKind(kind).label) if kind in UnitKind.values else kind


def _subtype_label(subtype: str) -> str:
    return str(CommuneSubtype(subtype).label) if subtype in CommuneSubtype.values else subtype


_EXPORT_FIELDS = (
    "id",
    "code",
    "name",
    "short_name",
    "kind",
    "subtype",
    "parent",
    "path",
    "depth",
    "valid_from",
    "valid_to",
)


def export_rows(units: UnitQuerySet) -> list[list[Any]]:
    """The data rows of the export, parents before children, in three queries at most."""
    rows = tree_rows(units.only(*_EXPORT_FIELDS))
    codes = {unit.pk: unit.code for unit in rows}
    missing = {unit.parent_id for unit in rows if unit.parent_id and unit.parent_id not in codes}
    if missing:
        codes.update(Unit.objects.filter(pk__in=missing).values_list("pk", "code"))
    predecessors: dict[int, list[str]] = {}
    links = UnitSuccession.objects.filter(successor__in=units.values("pk")).values_list(
        "successor_id", "predecessor__code"
    )
    for successor_id, code in links.order_by("predecessor__code"):
        predecessors.setdefault(successor_id, []).append(code)
    with translation.override("vi"):
        return [
            [
                index,
                unit.code,
                unit.name,
                unit.short_name,
                _kind_label(unit.kind),
                _subtype_label(unit.subtype),
                codes.get(unit.parent_id, "") if unit.parent_id else "",
                unit.valid_from,
                unit.valid_to,
                "; ".join(predecessors.get(unit.pk, [])),
            ]
            for index, unit in enumerate(rows, start=1)
        ]


def write_units_xlsx(units: UnitQuerySet, stream: IO[bytes]) -> int:
    """Write the workbook for ``units`` to ``stream``; returns the number of units written."""
    rows = export_rows(units)
    spreadsheet.write_table(stream, title="Đơn vị", header=HEADER, rows=rows, widths=_WIDTHS)
    return len(rows)


def export_units(units: UnitQuerySet) -> bytes:
    """The workbook for ``units`` as bytes."""
    buffer = io.BytesIO()
    write_units_xlsx(units, buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Import: reading


_KIND_ALIASES = {
    "Tỉnh": "province",
    "Thành phố trực thuộc Trung ương": "province",
    "Sở": "department",
    "Ban": "department",
    "Huyện": "district",
    "Xã": "commune",
    "Phường": "commune",
    "Đặc khu": "commune",
    "Thị trấn": "commune",
    "Cấp xã": "commune",
    "Phòng": "office",
    "Đơn vị sự nghiệp công lập": "public_service_unit",
    "Khác": "other",
}


_COMMUNE_WORDS = {
    fold("Xã"): "commune",
    fold("Phường"): "ward",
    fold("Đặc khu"): "special_zone",
    fold("Thị trấn"): "township",
}


def _parse_rows(sheet_rows: list[spreadsheet.SheetRow], errors: list[RowError]) -> tuple[tuple[Any, ...], list[_Row]]:
    if not sheet_rows:
        raise ServiceError(_("Tệp không có dữ liệu: cần một dòng tiêu đề và các dòng đơn vị."), field="file")
    header = sheet_rows[0]
    columns = spreadsheet.map_columns(header.values, {key: (label, *aliases) for key, label, aliases in COLUMNS})
    missing = [COLUMN_LABELS[key] for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        raise ServiceError(
            _("Dòng tiêu đề thiếu cột bắt buộc: %(columns)s. Hãy dùng tệp mẫu tải về từ chức năng Xuất Excel.")
            % {"columns": ", ".join(missing)},
            field="file",
        )
    kinds = spreadsheet.choice_lookup(UnitKind, _KIND_ALIASES)
    subtypes = spreadsheet.choice_lookup(CommuneSubtype, {})
    parsed: list[_Row] = []
    for sheet_row in sheet_rows[1:]:
        values = sheet_row.values
        row = _Row(number=sheet_row.number)

        def text(key: str, values: Sequence[Any] = values) -> str:
            return spreadsheet.cell_text(spreadsheet.cell(values, columns.get(key)))

        def error(key: str, message: str, row: _Row = row) -> None:
            errors.append(RowError(row.number, COLUMN_LABELS[key], message))

        row.code, row.name, row.short_name = text("code"), text("name"), text("short_name")
        row.parent_code = text("parent_code")
        if not row.code:
            error("code", _("Thiếu mã đơn vị."))
        if not row.name:
            error("name", _("Thiếu tên đơn vị."))
        for key, limit in _LIMITS.items():
            if len(getattr(row, key)) > limit:
                error(key, _("Dài quá %(limit)s ký tự.") % {"limit": limit})
        kind_text = text("kind")
        row.kind = kinds.get(fold(kind_text), "")
        if not kind_text:
            error("kind", _("Thiếu loại đơn vị."))
        elif not row.kind:
            error("kind", _("Loại đơn vị “%(value)s” không hợp lệ.") % {"value": kind_text})
        subtype_text = text("subtype")
        if subtype_text:
            row.subtype = subtypes.get(fold(subtype_text), "")
            if not row.subtype:
                error("subtype", _("Loại xã “%(value)s” không hợp lệ.") % {"value": subtype_text})
            elif row.kind and row.kind != UnitKind.COMMUNE:
                error("subtype", _("Chỉ đơn vị cấp xã mới có loại xã/phường/đặc khu/thị trấn."))
        elif row.kind == UnitKind.COMMUNE and kind_text and fold(kind_text) in _COMMUNE_WORDS:
            row.subtype = _COMMUNE_WORDS[fold(kind_text)]
        for key in ("valid_from", "valid_to"):
            raw = spreadsheet.cell(values, columns.get(key))
            try:
                setattr(row, key, spreadsheet.cell_date(raw))
            except (ValueError, TypeError):
                error(key, _("Ngày “%(value)s” không hợp lệ; ghi theo dạng ngày/tháng/năm.") % {"value": raw})
        if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
            error("valid_to", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
        row.predecessors = [normalize(code) for code in text("predecessors").split(";") if normalize(code)]
        parsed.append(row)
    return header.values, parsed


# ---------------------------------------------------------------------------
# Import: checking against the database


def _units_by_code(codes: Iterable[str]) -> dict[str, Unit]:
    wanted = sorted(set(codes))
    found: dict[str, Unit] = {}
    for start in range(0, len(wanted), 500):
        for unit in Unit.objects.filter(code__in=wanted[start : start + 500]):
            found[unit.code] = unit
    return found


def _may_manage(actor: ActorOrSystem, unit: Unit | None) -> bool:
    """The command line (no actor) manages everything; people go through the permission helpers."""
    return actor is None or roles.manages(actor, unit)


def _check_against_database(actor: ActorOrSystem, rows: list[_Row], errors: list[RowError]) -> dict[str, Unit]:
    label = COLUMN_LABELS
    by_code: dict[str, _Row] = {}
    for row in rows:
        if not row.code:
            continue
        first = by_code.get(row.code)
        if first is not None:
            errors.append(
                RowError(row.number, label["code"], _("Mã đơn vị trùng với dòng %(row)s.") % {"row": first.number})
            )
        else:
            by_code[row.code] = row
    referenced = set(by_code) | {row.parent_code for row in rows if row.parent_code}
    referenced |= {code for row in rows for code in row.predecessors}
    existing = _units_by_code(referenced)
    # Parent codes of the existing units' ancestors, to follow the final parent chain through the database.
    ancestor_ids = {pk for unit in existing.values() for pk in decode_path(unit.path)}
    db_parent: dict[str, str] = {}
    codes_by_id = dict(Unit.objects.filter(pk__in=ancestor_ids).values_list("pk", "code")) if ancestor_ids else {}
    for unit in existing.values():
        chain = decode_path(unit.path)
        for child_id, parent_id in zip(chain[1:], chain[:-1], strict=False):
            if child_id in codes_by_id and parent_id in codes_by_id:
                db_parent[codes_by_id[child_id]] = codes_by_id[parent_id]

    def final_parent(code: str) -> str:
        if code in by_code:
            return by_code[code].parent_code
        return db_parent.get(code, "")

    linked = _existing_links(by_code)
    for row in rows:
        if not row.code or by_code.get(row.code) is not row:
            continue
        current = existing.get(row.code)
        if current is not None and _unchanged(row, current, db_parent.get(row.code, ""), linked):
            continue
        if current is not None and not _may_manage(actor, current):
            errors.append(
                RowError(
                    row.number,
                    label["code"],
                    _("Mã đơn vị “%(code)s” đã thuộc một đơn vị ngoài phạm vi quản lý của bạn.") % {"code": row.code},
                )
            )
            continue
        parent_changes = current is None or (
            (current.parent_id is None) != (not row.parent_code)
            or (row.parent_code and db_parent.get(row.code) != row.parent_code)
        )
        if row.parent_code:
            if row.parent_code == row.code:
                errors.append(
                    RowError(row.number, label["parent_code"], _("Đơn vị không thể là cấp trên của chính nó."))
                )
                continue
            parent_unit = existing.get(row.parent_code)
            if row.parent_code not in by_code and parent_unit is None:
                errors.append(
                    RowError(
                        row.number,
                        label["parent_code"],
                        _("Không tìm thấy đơn vị cấp trên có mã “%(code)s” trong tệp hoặc trong hệ thống.")
                        % {"code": row.parent_code},
                    )
                )
                continue
            if parent_changes and row.parent_code not in by_code and not _may_manage(actor, parent_unit):
                errors.append(
                    RowError(
                        row.number,
                        label["parent_code"],
                        _("Đơn vị cấp trên “%(code)s” nằm ngoài phạm vi quản lý của bạn.") % {"code": row.parent_code},
                    )
                )
                continue
            cycle = _find_cycle(row.code, final_parent)
            if cycle:
                errors.append(
                    RowError(
                        row.number,
                        label["parent_code"],
                        _("Quan hệ cấp trên tạo thành vòng lặp: %(cycle)s.") % {"cycle": " → ".join(cycle)},
                    )
                )
        elif parent_changes and not _may_manage(actor, None):
            errors.append(
                RowError(
                    row.number,
                    label["parent_code"],
                    _("Thiếu mã đơn vị cấp trên; bạn chỉ được thêm đơn vị trong phạm vi quản lý của mình."),
                )
            )
        for code in row.predecessors:
            if (code, row.code) in linked:
                continue  # recorded already: kept as it is, whoever manages the predecessor
            if code == row.code:
                errors.append(RowError(row.number, label["predecessors"], _("Một đơn vị không thể kế thừa chính nó.")))
            elif code not in by_code and code not in existing:
                errors.append(
                    RowError(
                        row.number,
                        label["predecessors"],
                        _("Không tìm thấy đơn vị có mã “%(code)s” trong tệp hoặc trong hệ thống.") % {"code": code},
                    )
                )
            elif code not in by_code and not _may_manage(actor, existing[code]):
                errors.append(
                    RowError(
                        row.number,
                        label["predecessors"],
                        _("Đơn vị “%(code)s” nằm ngoài phạm vi quản lý của bạn.") % {"code": code},
                    )
                )
        adds_links = any((code, row.code) not in linked for code in row.predecessors)
        if adds_links and row.valid_from is None and (current is None or current.valid_from is None):
            errors.append(
                RowError(
                    row.number,
                    label["valid_from"],
                    _("Cần ngày “Hiệu lực từ” để ghi nhận ngày kế thừa từ đơn vị trước."),
                )
            )
    return existing


def _existing_links(by_code: dict[str, _Row]) -> set[tuple[str, str]]:
    """(predecessor code, successor code) of the links already recorded for the file's units."""
    wanted = sorted(code for code, row in by_code.items() if row.predecessors)
    links: set[tuple[str, str]] = set()
    for start in range(0, len(wanted), 500):
        links.update(
            UnitSuccession.objects.filter(successor__code__in=wanted[start : start + 500]).values_list(
                "predecessor__code", "successor__code"
            )
        )
    return links


def _unchanged(row: _Row, unit: Unit, parent_code: str, linked: set[tuple[str, str]]) -> bool:
    """Would importing ``row`` leave ``unit`` (whose parent has ``parent_code``) exactly as it is?"""
    return (
        row.name == unit.name
        and row.short_name == unit.short_name
        and row.kind == unit.kind
        and row.subtype == unit.subtype
        and row.parent_code == parent_code
        and (row.valid_from is None or row.valid_from == unit.valid_from)
        and row.valid_to == unit.valid_to
        and all((code, row.code) in linked for code in row.predecessors)
    )


def _find_cycle(start: str, parent_of: Any) -> list[str]:
    """The loop of codes when following parents from ``start`` comes back to it; empty otherwise."""
    chain = [start]
    seen = {start}
    code = parent_of(start)
    while code:
        if code == start:
            return [*chain, start]
        if code in seen:
            return []  # a loop further up, reported on its own rows
        seen.add(code)
        chain.append(code)
        code = parent_of(code)
    return []


# ---------------------------------------------------------------------------
# Import: writing


def _parents_first(rows: list[_Row]) -> list[_Row]:
    by_code = {row.code: row for row in rows}
    ordered: list[_Row] = []
    placed: set[str] = set()
    for row in rows:
        stack: list[_Row] = []
        current: _Row | None = row
        while current is not None and current.code not in placed:
            stack.append(current)
            current = by_code.get(current.parent_code)
        for item in reversed(stack):
            placed.add(item.code)
            ordered.append(item)
    return ordered


def _write(
    *, actor: ActorOrSystem, rows: list[_Row], existing: dict[str, Unit], reason: str, report: ImportReport
) -> None:
    units: dict[str, Unit] = dict(existing)
    for row in _parents_first(rows):
        current = existing.get(row.code)
        if row.valid_from is None and current is not None:
            row.valid_from = current.valid_from  # an empty cell keeps the stored date
        data = UnitData(
            name=row.name,
            kind=row.kind,
            code=row.code,
            short_name=row.short_name,
            subtype=row.subtype,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )
        parent = units[row.parent_code] if row.parent_code else None
        if current is None:
            units[row.code] = unit_create(actor=actor, data=data, parent=parent, reason=reason)
            report.created += 1
            continue
        changed = any(getattr(current, name) != getattr(data, name) for name in _DATA_FIELDS)
        if changed:
            current = unit_update(actor=actor, unit=current, data=data, reason=reason)
        if current.parent_id != (parent.pk if parent else None):
            current = unit_move(actor=actor, unit=current, new_parent=parent, reason=reason)
            changed = True
        units[row.code] = current
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
    successors_per_predecessor: dict[str, int] = {}
    for row in rows:
        for code in row.predecessors:
            successors_per_predecessor[code] = successors_per_predecessor.get(code, 0) + 1
    for row in rows:
        for code in row.predecessors:
            if row.valid_from is None:
                continue  # the checks let a row without a date list only links recorded already
            kind = SuccessionKind.SPLIT if successors_per_predecessor[code] > 1 else SuccessionKind.MERGE
            if unit_succession_add(
                actor=actor,
                predecessor=units[code],
                successor=units[row.code],
                kind=kind,
                effective_date=row.valid_from,
                reason=reason,
            ):
                report.links += 1


_DATA_FIELDS = ("name", "kind", "code", "short_name", "subtype", "valid_from", "valid_to")


def import_units(
    *,
    actor: ActorOrSystem,
    data: bytes,
    reason: str = "",
    dry_run: bool = False,
    progress: spreadsheet.Progress | None = None,
) -> ImportReport:
    """Check the workbook ``data`` (already through :func:`cchc.lib.files.check_upload`) and import it.

    Raises :class:`ServiceError` when the file as a whole is unusable (not a
    workbook, damaged, more rows than ``CCHC_IMPORT_MAX_ROWS``, header
    missing); row problems come back in ``report.errors`` and then nothing is
    written. ``dry_run`` checks and counts without keeping anything. Rows are
    read as a stream; ``progress`` hears of each phase and of the rows read.
    """
    sheet_rows = spreadsheet.read_rows(
        data,
        max_rows=spreadsheet.max_import_rows(),
        progress=(lambda count: progress("reading", count)) if progress else None,
    )
    errors: list[RowError] = []
    header, rows = _parse_rows(sheet_rows, errors)
    report = ImportReport(header=header, rows=sheet_rows[1:], dry_run=dry_run)
    if not rows:
        raise ServiceError(_("Tệp không có dòng đơn vị nào."), field="file")
    if progress:
        progress("checking", len(sheet_rows))
    existing = _check_against_database(actor, rows, errors)
    if errors:
        report.errors = sorted(errors, key=lambda error: (error.row, _column_order(error.column)))
        return report
    reason = reason or _("Nhập danh mục đơn vị từ tệp Excel.")
    if progress:
        progress("writing", len(sheet_rows))
    try:
        with transaction.atomic():
            _write(actor=actor, rows=rows, existing=existing, reason=reason, report=report)
            if dry_run:
                transaction.set_rollback(True)
    except ServiceError as exc:
        # A rule the checks above did not foresee: the transaction is rolled back, report it as a whole-file error.
        report.created = report.updated = report.unchanged = report.links = 0
        report.errors = [RowError(0, "", exc.message)]
    return report


def _column_order(column: str) -> int:
    labels = list(COLUMN_LABELS.values())
    return labels.index(column) if column in labels else len(labels)


def error_workbook(report: ImportReport) -> bytes:
    """The uploaded rows again, with a “Lỗi” column saying what is wrong on each."""
    messages: dict[int, list[str]] = {}
    for error in report.errors:
        text = f"{error.column}: {error.message}" if error.column else error.message
        messages.setdefault(error.row, []).append(text)
    # Rows come without their trailing empty cells: pad every row to the widest of them and the header.
    width = max([len(report.header), *(len(row.values) for row in report.rows)])
    header = [*(spreadsheet.cell_text(value) for value in report.header), *[""] * (width - len(report.header))]
    rows = [
        [*row.values, *[None] * (width - len(row.values)), "; ".join(messages.get(row.number, []))]
        for row in report.rows
    ]
    return spreadsheet.table_bytes(title="Lỗi", header=[*header, ERROR_HEADER], rows=rows, widths=[*_WIDTHS, 60])


__all__ = [
    "COLUMNS",
    "HEADER",
    "ImportReport",
    "RowError",
    "error_workbook",
    "export_rows",
    "export_units",
    "import_units",
    "write_units_xlsx",
]
