"""A framework's criteria as an Excel workbook, in the layout provinces publish: export and all-or-nothing import.

Layout (first sheet, header in row 1, one criterion per row, parents before
their children; the export writes it and the import reads it back):

======  ==============================================  ====================================================
col     header                                          content
======  ==============================================  ====================================================
A       STT                                             code: ``1``, ``1.1``, ``1.1.2`` (or ``I``, ``II.1``)
B       Lĩnh vực/Tiêu chí/Tiêu chí thành phần            title (required)
C       Điểm tối đa                                     max points (required; decimal comma or point)
D       Hướng dẫn chấm                                  scoring guide, free text
E       Tài liệu kiểm chứng                             evidence required, free text
F       Cơ quan chủ trì thẩm định                       lead unit: its code, name or short name
G       Loại                                            Trong thang điểm / Điểm thưởng / Điểm trừ
H       Cách chấm                                       the rule kind (label or code, see below)
I       Tham số                                         the rule's parameters as short text (or JSON)
======  ==============================================  ====================================================

Columns A–F are those of the provinces' published tables; G–I are optional
and make the scoring machine-readable:

* **Loại**: empty means the parent's category; a top-level row whose title
  starts with “Điểm thưởng” or “Điểm trừ” opens a bonus or penalty section.
* **Cách chấm**: ``Chấm điểm trực tiếp`` (``manual``, the default), ``Có / không``
  (``yes_no``), ``Theo mức tỷ lệ`` (``bands``), ``Đúng hạn / trễ hạn / không thực
  hiện`` (``timeliness``), ``Tỷ lệ so với chỉ tiêu`` (``proportional``), ``Tự động
  từ chỉ số`` (``indicator``), ``Từ kết quả khảo sát`` (``survey``).
* **Tham số**: items separated by ``;`` — ``bước=0,25``; bands ``≥90%: 2; ≥70%: 1;
  ≥0%: 0`` (highest first); ``đúng hạn=1; trễ hạn=0,5; không thực hiện=0``;
  ``chỉ tiêu=100``; ``chỉ số=tasks.on_time_rate; cách tính=theo mức`` followed by
  the bands (or ``cách tính=tỷ lệ; chỉ tiêu=100``). A JSON object is accepted too.

A row's parent is the row whose code is its own code without the last part
(``1.1.2`` → ``1.1``); codes without a dot are areas. Columns are found by their
header text (accents, case and punctuation do not matter).

The import replaces every criterion of the framework. The whole file is
checked first; if any row is wrong nothing changes and the report lists every
problem by row and column.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from cchc.accounts import roles
from cchc.lib import spreadsheet
from cchc.lib.errors import ServiceError
from cchc.lib.text import fold
from cchc.lib.types import ActorOrSystem, Viewer
from cchc.organisations.models import Unit, UnitKind, UnitQuerySet

from . import scoring, selectors, services
from .models import CriterionCategory, Framework, RuleKind
from .services import CriterionData, CriterionNode

# (key, header written by the export, other accepted header texts)
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("code", "STT", ("Mã", "Mã tiêu chí", "Số thứ tự", "TT")),
    (
        "title",
        "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
        ("Lĩnh vực, tiêu chí, tiêu chí thành phần", "Nội dung", "Tiêu chí", "Lĩnh vực/Tiêu chí"),
    ),
    ("max_points", "Điểm tối đa", ("Điểm chuẩn", "Điểm")),
    ("scoring_guide", "Hướng dẫn chấm", ("Hướng dẫn chấm điểm", "Cách tính điểm")),
    ("evidence", "Tài liệu kiểm chứng", ("Tài liệu kiểm chứng/ghi chú",)),
    ("lead_unit", "Cơ quan chủ trì thẩm định", ("Cơ quan thẩm định", "Đơn vị chủ trì thẩm định", "Cơ quan chủ trì")),
    ("category", "Loại", ("Loại tiêu chí", "Phân loại")),
    ("rule_kind", "Cách chấm", ("Quy tắc chấm",)),
    ("rule_params", "Tham số", ("Tham số chấm điểm",)),
)
HEADER = [header for _key, header, _aliases in COLUMNS]
COLUMN_LABELS = {key: header for key, header, _aliases in COLUMNS}
REQUIRED_COLUMNS = ("code", "title", "max_points")
ERROR_HEADER = "Lỗi"
_WIDTHS = (9, 60, 10, 50, 40, 28, 16, 24, 40)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    problems: list[selectors.Problem] = field(default_factory=list)
    header: tuple[Any, ...] = ()
    rows: list[spreadsheet.SheetRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        if self.errors:
            return [
                _("Dòng %(row)s, cột “%(column)s”: %(message)s")
                % {"row": error.row, "column": error.column, "message": error.message}
                if error.column
                else error.message
                for error in self.errors
            ]
        return [_("Đã nhập %(count)s tiêu chí.") % {"count": self.imported}]


# ---------------------------------------------------------------------------
# Export


def _labels(choices: Any) -> dict[str, str]:
    with translation.override("vi"):
        return {value: str(label) for value, label in choices.choices}


def export_rows(framework: Framework) -> list[list[Any]]:
    rows = selectors.tree_rows(framework)
    categories = _labels(CriterionCategory)
    kinds = _labels(RuleKind)
    out = []
    for row in rows:
        criterion = row.criterion
        out.append(
            [
                criterion.code,
                criterion.title,
                float(criterion.max_points),
                criterion.scoring_guide,
                criterion.evidence_requirement,
                criterion.lead_unit.name if criterion.lead_unit else "",
                categories[criterion.category],
                kinds.get(criterion.rule_kind, criterion.rule_kind) if row.is_leaf else "",
                scoring.params_to_text(criterion.rule_kind, criterion.rule_params) if row.is_leaf else "",
            ]
        )
    return out


def export_framework(framework: Framework) -> bytes:
    buffer = io.BytesIO()
    spreadsheet.write_table(buffer, title="Bộ tiêu chí", header=HEADER, rows=export_rows(framework), widths=_WIDTHS)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Import


_CATEGORY_ALIASES = {
    "Cơ bản": "base",
    "Trong thang điểm": "base",
    "Thưởng": "bonus",
    "Cộng": "bonus",
    "Điểm cộng": "bonus",
    "Trừ": "penalty",
    "Điểm trừ": "penalty",
}
_RULE_ALIASES = {
    "Chấm trực tiếp": "manual",
    "Trực tiếp": "manual",
    "Thủ công": "manual",
    "Có/không": "yes_no",
    "Có không": "yes_no",
    "Theo mức": "bands",
    "Mức tỷ lệ": "bands",
    "Đúng hạn": "timeliness",
    "Thời hạn": "timeliness",
    "Tỷ lệ": "proportional",
    "Chỉ số": "indicator",
    "Khảo sát": "survey",
}


@dataclass
class _Row:
    number: int
    code: str = ""
    parent_code: str = ""
    category_text: str = ""
    has_errors: bool = False
    node: CriterionNode | None = None


def parent_code_of(code: str) -> str:
    head, dot, _tail = code.rpartition(".")
    return head if dot else ""


# Units that may lead the appraisal of a criterion.
LEAD_UNIT_KINDS = (UnitKind.PROVINCE, UnitKind.DEPARTMENT, UnitKind.PUBLIC_SERVICE_UNIT, UnitKind.OTHER)


def lead_units_for(user: Viewer, framework: Framework) -> UnitQuerySet:
    """Units ``user`` may name as a criterion's lead unit: active, of a leading kind, under the framework's owner."""
    units = roles.get_units_for_user(user).active().filter(kind__in=LEAD_UNIT_KINDS)
    if framework.owner is not None:
        units = units.subtree_of(framework.owner)
    return units.order_by("path")


class _UnitMatcher:
    """Lead units by code, name or short name (diacritics and case ignored) among ``units``."""

    def __init__(self, units: UnitQuerySet) -> None:
        self.by_key: dict[str, list[Unit]] = {}
        for unit in units.only("id", "code", "name", "short_name", "path"):
            for text in {unit.code, unit.name, unit.short_name}:
                if text:
                    self.by_key.setdefault(fold(text), []).append(unit)

    def find(self, text: str) -> Unit | list[Unit] | None:
        found = self.by_key.get(fold(text), [])
        unique = {unit.pk: unit for unit in found}
        if len(unique) == 1:
            return next(iter(unique.values()))
        return list(unique.values()) or None


def import_framework(
    *,
    actor: ActorOrSystem,
    framework: Framework,
    data: bytes,
    units: UnitQuerySet,
    reason: str = "",
    progress: spreadsheet.Progress | None = None,
) -> ImportReport:
    """Check the workbook ``data`` (after :func:`cchc.lib.files.check_upload`) and replace the criteria with it.

    ``units`` are the units a lead unit may be chosen from. Raises
    :class:`ServiceError` when the file as a whole is unusable (damaged, more
    rows than ``CCHC_IMPORT_MAX_ROWS``, header missing) or the framework may
    not change; row problems come back in ``report.errors`` and then nothing
    is written. Rows are read as a stream; ``progress`` hears of each phase.
    """
    services.ensure_editable(framework)
    sheet_rows = spreadsheet.read_rows(
        data,
        max_rows=spreadsheet.max_import_rows(),
        progress=(lambda count: progress("reading", count)) if progress else None,
    )
    if not sheet_rows:
        raise ServiceError(_("Tệp không có dữ liệu: cần một dòng tiêu đề và các dòng tiêu chí."), field="file")
    header = sheet_rows[0]
    columns = spreadsheet.map_columns(header.values, {key: (label, *aliases) for key, label, aliases in COLUMNS})
    missing = [COLUMN_LABELS[key] for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        raise ServiceError(
            _("Dòng tiêu đề thiếu cột bắt buộc: %(columns)s. Hãy dùng tệp tải về từ chức năng Xuất Excel.")
            % {"columns": ", ".join(missing)},
            field="file",
        )
    report = ImportReport(header=header.values, rows=sheet_rows[1:])
    if len(sheet_rows) < 2:
        raise ServiceError(_("Tệp không có dòng tiêu chí nào."), field="file")
    if progress:
        progress("checking", len(sheet_rows))
    errors: list[RowError] = []
    rows = _parse(sheet_rows[1:], columns, _UnitMatcher(units), framework, errors)
    roots = _link(rows, errors)
    if errors:
        report.errors = sorted(
            errors,
            key=lambda error: (
                error.row,
                list(COLUMN_LABELS.values()).index(error.column) if error.column in COLUMN_LABELS.values() else 99,
            ),
        )
        return report
    if progress:
        progress("writing", len(sheet_rows))
    report.imported = services.criteria_replace(
        actor=actor, framework=framework, nodes=roots, reason=reason or _("Nhập bộ tiêu chí từ tệp Excel.")
    )
    report.problems = selectors.framework_validate(framework)
    return report


def _parse(
    sheet_rows: list[spreadsheet.SheetRow],
    columns: dict[str, int],
    matcher: _UnitMatcher,
    framework: Framework,
    errors: list[RowError],
) -> list[_Row]:
    categories = spreadsheet.choice_lookup(CriterionCategory, _CATEGORY_ALIASES)
    kinds = spreadsheet.choice_lookup(RuleKind, _RULE_ALIASES)
    parsed: list[_Row] = []
    for sheet_row in sheet_rows:
        values = sheet_row.values
        row = _Row(number=sheet_row.number)

        def text(key: str, values: Any = values) -> str:
            return spreadsheet.cell_text(spreadsheet.cell(values, columns.get(key)))

        def error(key: str, message: str, row: _Row = row) -> None:
            row.has_errors = True
            errors.append(RowError(row.number, COLUMN_LABELS[key], message))

        row.code = text("code").rstrip(".").strip()
        title = text("title")
        if not row.code:
            error("code", _("Thiếu STT (mã tiêu chí)."))
        elif len(row.code) > 20 or " " in row.code:
            error("code", _("STT “%(code)s” không hợp lệ (tối đa 20 ký tự, không có dấu cách).") % {"code": row.code})
        row.parent_code = parent_code_of(row.code)
        if not title:
            error("title", _("Thiếu nội dung tiêu chí."))
        max_text = text("max_points")
        max_points = Decimal(0)
        if not max_text:
            error("max_points", _("Thiếu điểm tối đa."))
        else:
            try:
                max_points = scoring.to_decimal(max_text)
            except ValueError:
                error("max_points", _("Điểm tối đa “%(value)s” không phải là số.") % {"value": max_text})
            else:
                if max_points < 0:
                    error("max_points", _("Điểm tối đa không được âm."))
                elif max_points != max_points.quantize(Decimal("0.01")):
                    error("max_points", _("Điểm tối đa chỉ được có tối đa 2 chữ số thập phân."))
        lead_text = text("lead_unit")
        lead_unit: Unit | None = None
        if lead_text:
            found = matcher.find(lead_text)
            if found is None:
                error("lead_unit", _("Không tìm thấy cơ quan “%(name)s”.") % {"name": lead_text})
            elif isinstance(found, list):
                error(
                    "lead_unit",
                    _("Có nhiều cơ quan tên “%(name)s”; hãy ghi mã đơn vị (%(codes)s).")
                    % {"name": lead_text, "codes": ", ".join(unit.code for unit in found[:5])},
                )
            else:
                lead_unit = found
        row.category_text = text("category")
        category = ""
        if row.category_text:
            category = categories.get(fold(row.category_text), "")
            if not category:
                error("category", _("Loại “%(value)s” không hợp lệ.") % {"value": row.category_text})
        elif not row.parent_code and fold(title).startswith("diem thuong"):
            category = CriterionCategory.BONUS
        elif not row.parent_code and fold(title).startswith("diem tru"):
            category = CriterionCategory.PENALTY
        kind_text = text("rule_kind")
        rule_kind = RuleKind.MANUAL.value
        if kind_text:
            rule_kind = kinds.get(fold(kind_text), "")
            if not rule_kind:
                error("rule_kind", _("Cách chấm “%(value)s” không hợp lệ.") % {"value": kind_text})
        params: dict[str, Any] = {}
        params_text = text("rule_params")
        if rule_kind and params_text:
            try:
                params = scoring.params_from_text(rule_kind, params_text)
            except ValueError as exc:
                error("rule_params", str(exc))
        data = CriterionData(
            code=row.code,
            title=title,
            max_points=max_points,
            category=category,
            scoring_guide=text("scoring_guide"),
            evidence_requirement=text("evidence"),
            lead_unit=lead_unit,
            rule_kind=rule_kind or RuleKind.MANUAL,
            rule_params=params,
        )
        row.node = CriterionNode(data=data)
        parsed.append(row)
    return parsed


def _link(rows: list[_Row], errors: list[RowError]) -> list[CriterionNode]:
    """Attach rows to their parents, fill inherited categories and check what needs the whole tree."""
    label = COLUMN_LABELS
    by_code: dict[str, _Row] = {}
    for row in rows:
        if not row.code:
            continue
        if row.code in by_code:
            errors.append(
                RowError(
                    row.number, label["code"], _("STT trùng với dòng %(row)s.") % {"row": by_code[row.code].number}
                )
            )
        else:
            by_code[row.code] = row
    roots: list[CriterionNode] = []
    for row in rows:
        if not row.code or by_code.get(row.code) is not row or row.node is None:
            continue
        if not row.parent_code:
            roots.append(row.node)
            continue
        parent = by_code.get(row.parent_code)
        if parent is None or parent.node is None:
            errors.append(
                RowError(
                    row.number,
                    label["code"],
                    _("Không có dòng “%(parent)s” (cấp trên của “%(code)s”).")
                    % {"parent": row.parent_code, "code": row.code},
                )
            )
            continue
        if parent.number > row.number:
            errors.append(
                RowError(
                    row.number,
                    label["code"],
                    _("Dòng cấp trên “%(parent)s” phải đứng trước.") % {"parent": parent.code},
                )
            )
            continue
        parent.node.children.append(row.node)

    def settle(node: CriterionNode, inherited: str, row_of: dict[int, _Row]) -> None:
        row = row_of[id(node)]
        if not node.data.category:
            node.data.category = inherited
        elif inherited != CriterionCategory.BASE and node.data.category != inherited and row.category_text:
            errors.append(RowError(row.number, label["category"], _("Tiêu chí phải cùng loại với mục cấp trên.")))
        if not node.children and not row.has_errors:
            for message in scoring.validate_params(node.data.rule_kind, node.data.rule_params, node.data.max_points):
                errors.append(RowError(row.number, label["rule_params"], message))
        for child in node.children:
            settle(child, node.data.category, row_of)

    row_of = {id(row.node): row for row in rows if row.node is not None}
    for root in roots:
        settle(root, CriterionCategory.BASE, row_of)
    return roots


def error_workbook(report: ImportReport) -> bytes:
    """The uploaded rows again, with a “Lỗi” column saying what is wrong on each."""
    messages: dict[int, list[str]] = {}
    for error in report.errors:
        messages.setdefault(error.row, []).append(f"{error.column}: {error.message}" if error.column else error.message)
    # Rows come without their trailing empty cells: pad every row to the widest of them and the header.
    width = max([len(report.header), *(len(row.values) for row in report.rows)])
    header = [*(spreadsheet.cell_text(value) for value in report.header), *[""] * (width - len(report.header))]
    rows = [
        [*row.values, *[None] * (width - len(row.values)), "; ".join(messages.get(row.number, []))]
        for row in report.rows
    ]
    return spreadsheet.table_bytes(title="Lỗi", header=[*header, ERROR_HEADER], rows=rows, widths=[*_WIDTHS, 60])
