"""Results of the national indices published outside the product: PAR INDEX, SIPAS and PAPI, per province and year.

The catalogue below defines every item of the three indices (its code, Vietnamese name, maximum and unit of
measure), sourced from ``domain.md`` §1–§3. Each item is an :class:`Indicator` of the shared store with
``source=external``; each published figure is an :class:`IndicatorValue` of a province for a yearly period.

Import layout (first sheet of an .xlsx, or a UTF-8 .csv; header in the first row, one row per province × year ×
item, columns found by their header text whatever the accents or case):

======  ==================  ===============================================================================
col     header              content
======  ==================  ===============================================================================
A       Tỉnh, thành phố     the province's code or name ("Quảng Ninh", "Tỉnh Quảng Ninh", its unit code)
B       Năm                 the year of the results (2000 … this year)
C       Mã                  the catalogue code: ``papi.total``, ``papi.d1`` … ``papi.d8``, ``papi.d1.1`` …,
                            ``par.total``, ``par.a1`` … ``par.a8``, ``sipas.total``, ``sipas.e1`` …
D       Giá trị             the published figure (decimal point or comma), from 0 to the item's maximum
E       Nguồn               where the figure was published (optional, kept with the value)
======  ==================  ===============================================================================

A re-import of the same file changes nothing: values are upserted per province, item and year, and an unchanged
value writes no audit entry. The import runs in one of two modes: all-or-nothing (any wrong row: nothing is
written) or valid rows only (the wrong rows are returned in an error workbook, the others are written).

Ranks, the national mean and the best province are computed over the provinces that have a figure for the item in
that year (the imported ones): the mean is the plain mean of those figures, not the mean the publisher announces.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from pathlib import PurePath
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from cchc.audit.models import AuditAction
from cchc.audit.services import record
from cchc.lib import files, spreadsheet
from cchc.lib.errors import ServiceError
from cchc.lib.numbers import format_points
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.text import fold, normalize
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit, UnitKind

from .models import (
    EntryMode,
    ExternalResponsibility,
    Indicator,
    IndicatorSource,
    IndicatorValue,
    Measure,
    ValueOrigin,
)
from .services import indicator_ensure, value_publish

# ---------------------------------------------------------------------------
# The catalogue


@dataclass(frozen=True)
class ExternalIndex:
    key: str  # "papi", "par", "sipas"
    name: Promise
    short: str
    measure: str
    source: str  # who publishes it, named in every indicator's description


@dataclass(frozen=True)
class ExternalItem:
    code: str  # "papi.d1", "papi.d1.1", "par.total"
    index: str
    label: str  # "1", "1.1", "" for the total
    name: Promise
    maximum: Decimal
    confirmed: bool = True  # False: the name is not confirmed by an official source (domain.md marks it [U])

    @property
    def is_total(self) -> bool:
        return self.code.endswith(".total")

    @property
    def parent_code(self) -> str:
        """The dimension of a sub-dimension (``papi.d1.1`` → ``papi.d1``), the total for a dimension."""
        if self.is_total:
            return ""
        parts = self.code.split(".")
        return ".".join(parts[:2]) if len(parts) > 2 else f"{self.index}.total"

    @property
    def depth(self) -> int:
        return 0 if self.is_total else self.label.count(".") + 1


INDICES: dict[str, ExternalIndex] = {
    "par": ExternalIndex(
        "par",
        gettext_lazy("Chỉ số cải cách hành chính (PAR INDEX)"),
        "PAR INDEX",
        Measure.PERCENT,
        "Bộ Nội vụ (công bố hằng năm, QĐ 876/QĐ-BNV, QĐ 892/QĐ-BNV)",
    ),
    "sipas": ExternalIndex(
        "sipas",
        gettext_lazy("Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)"),
        "SIPAS",
        Measure.PERCENT,
        "Bộ Nội vụ (QĐ 2640/QĐ-BNV, QĐ 1001/QĐ-BNV)",
    ),
    "papi": ExternalIndex(
        "papi",
        gettext_lazy("Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh (PAPI)"),
        "PAPI",
        Measure.SCORE,
        "CECODES, RTA và UNDP (papi.org.vn)",
    ),
}

_HUNDRED = Decimal(100)
_TEN = Decimal(10)


def _share(total: Decimal, parts: int) -> Decimal:
    """A sub-dimension's maximum: the dimension's maximum shared equally, rounded up to 4 decimals."""
    return (total / parts).quantize(Decimal("0.0001"), rounding=ROUND_UP)


def _items() -> list[ExternalItem]:
    items: list[ExternalItem] = [
        ExternalItem("par.total", "par", "", gettext_lazy("Chỉ số CCHC (tổng)"), _HUNDRED),
    ]
    # Provincial areas under QĐ 876/QĐ-BNV and 892/QĐ-BNV (domain.md §1.2: inferred from the six reform areas of
    # NQ 76/NQ-CP plus direction and impact). Each area's figure is its component index in %, since the points per
    # area differ between schemes and are not confirmed for 876/892.
    par_areas = (
        gettext_lazy("Công tác chỉ đạo, điều hành cải cách hành chính"),
        gettext_lazy("Cải cách thể chế"),
        gettext_lazy("Cải cách thủ tục hành chính"),
        gettext_lazy("Cải cách tổ chức bộ máy hành chính nhà nước"),
        gettext_lazy("Cải cách chế độ công vụ"),
        gettext_lazy("Cải cách tài chính công"),
        gettext_lazy("Xây dựng và phát triển Chính quyền điện tử, Chính quyền số"),
        gettext_lazy("Tác động của cải cách hành chính đến người dân, tổ chức và phát triển kinh tế - xã hội"),
    )
    items += [ExternalItem(f"par.a{n}", "par", str(n), name, _HUNDRED) for n, name in enumerate(par_areas, 1)]
    items.append(ExternalItem("sipas.total", "sipas", "", gettext_lazy("Chỉ số SIPAS (tổng)"), _HUNDRED))
    sipas_elements = (
        gettext_lazy("Tiếp cận dịch vụ hành chính công"),
        gettext_lazy("Thủ tục hành chính"),
        gettext_lazy("Công chức trực tiếp giải quyết công việc"),
        gettext_lazy("Kết quả cung ứng dịch vụ hành chính công"),
        gettext_lazy("Tiếp nhận, giải quyết góp ý, phản ánh, kiến nghị"),
    )
    items += [ExternalItem(f"sipas.e{n}", "sipas", str(n), name, _HUNDRED) for n, name in enumerate(sipas_elements, 1)]
    items += [
        ExternalItem("sipas.policies", "sipas", "CS", gettext_lazy("Sự hài lòng về chính sách (từ 2022)"), _HUNDRED),
        ExternalItem(
            "sipas.services", "sipas", "DV", gettext_lazy("Sự hài lòng về dịch vụ hành chính công (từ 2022)"), _HUNDRED
        ),
    ]
    items.append(ExternalItem("papi.total", "papi", "", gettext_lazy("Chỉ số PAPI (tổng, thang 80)"), Decimal(80)))
    # Dimensions since 2018 (domain.md §3), each out of 10; sub-dimensions only where their names are confirmed.
    papi_dimensions: tuple[tuple[Promise, tuple[Promise, ...]], ...] = (
        (
            gettext_lazy("Tham gia của người dân ở cấp cơ sở"),
            (
                gettext_lazy("Tri thức công dân"),
                gettext_lazy("Cơ hội tham gia"),
                gettext_lazy("Chất lượng bầu cử"),
                gettext_lazy("Đóng góp tự nguyện"),
            ),
        ),
        (
            gettext_lazy("Công khai, minh bạch trong việc ra quyết định ở địa phương"),
            (
                gettext_lazy("Tiếp cận thông tin"),
                gettext_lazy("Công khai danh sách hộ nghèo"),
                gettext_lazy("Công khai thu, chi ngân sách cấp xã"),
                gettext_lazy("Quy hoạch, kế hoạch sử dụng đất và khung giá đền bù"),
            ),
        ),
        (gettext_lazy("Trách nhiệm giải trình với người dân"), ()),
        (gettext_lazy("Kiểm soát tham nhũng trong khu vực công"), ()),
        (gettext_lazy("Thủ tục hành chính công"), ()),
        (
            gettext_lazy("Cung ứng dịch vụ công"),
            (
                gettext_lazy("Y tế công lập"),
                gettext_lazy("Giáo dục tiểu học công lập"),
                gettext_lazy("Cơ sở hạ tầng căn bản"),
                gettext_lazy("An ninh, trật tự khu dân cư"),
            ),
        ),
        (gettext_lazy("Quản trị môi trường"), ()),
        (gettext_lazy("Quản trị điện tử"), ()),
    )
    for number, (name, subs) in enumerate(papi_dimensions, 1):
        items.append(ExternalItem(f"papi.d{number}", "papi", str(number), name, _TEN))
        items += [
            ExternalItem(f"papi.d{number}.{sub}", "papi", f"{number}.{sub}", sub_name, _share(_TEN, len(subs)))
            for sub, sub_name in enumerate(subs, 1)
        ]
    return items


ITEMS: dict[str, ExternalItem] = {item.code: item for item in _items()}


def items_of(index: str) -> list[ExternalItem]:
    return [item for item in ITEMS.values() if item.index == index]


def get_index(key: str) -> ExternalIndex | None:
    return INDICES.get(key)


def indicator_name(item: ExternalItem) -> str:
    index = INDICES[item.index]
    if item.is_total:
        return str(item.name)
    return f"{index.short} {item.label}. {item.name}"


def group_name(index: ExternalIndex) -> str:
    """The group of the store's indicators of one index ("Kết quả PAPI"), by which the indicators list groups them."""
    return f"Kết quả {index.short}"


def ensure_indicators(items: Iterable[ExternalItem]) -> dict[str, Indicator]:
    """The store's indicator of each item, created on first use with the publisher named in its description."""
    result = {}
    for item in items:
        index = INDICES[item.index]
        result[item.code] = indicator_ensure(
            code=item.code,
            name=indicator_name(item),
            source=IndicatorSource.EXTERNAL,
            entry=EntryMode.IMPORTED,
            group=group_name(index),
            measure=index.measure,
            description=_("Kết quả công bố của %(source)s; tối đa %(maximum)s.")
            % {"source": index.source, "maximum": format_points(item.maximum)},
        )
    return result


# ---------------------------------------------------------------------------
# Import

COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("province", "Tỉnh, thành phố", ("Tỉnh", "Tỉnh/thành phố", "Địa phương", "Mã tỉnh", "Province")),
    ("year", "Năm", ("Year", "Năm công bố")),
    ("code", "Mã", ("Mã chỉ số", "Mã nội dung", "Code")),
    ("value", "Giá trị", ("Điểm", "Kết quả", "Value")),
    ("note", "Nguồn", ("Ghi chú", "Ghi chú nguồn", "Source")),
)
HEADER = [header for _key, header, _aliases in COLUMNS]
COLUMN_LABELS = {key: header for key, header, _aliases in COLUMNS}
REQUIRED_COLUMNS = ("province", "year", "code", "value")
ERROR_HEADER = "Lỗi"
CSV_EXTENSION = ".csv"
FIRST_YEAR = 2000


class ImportMode:
    ALL_OR_NOTHING = "all"
    VALID_ROWS = "valid"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    mode: str = ImportMode.ALL_OR_NOTHING
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    header: tuple[Any, ...] = ()
    rows: list[spreadsheet.SheetRow] = field(default_factory=list)
    error_rows: set[int] = field(default_factory=set)

    @property
    def written(self) -> int:
        return self.created + self.updated

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def applied(self) -> bool:
        """Were the valid rows written (always when there is no error; with errors only in the valid-rows mode)?"""
        return self.ok or self.mode == ImportMode.VALID_ROWS

    def summary(self) -> str:
        return _("Đã ghi %(written)s kết quả (%(created)s mới, %(updated)s thay đổi); %(unchanged)s không đổi.") % {
            "written": self.written,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True)
class _Parsed:
    row: int
    province: Unit
    year: int
    item: ExternalItem
    value: Decimal
    note: str


def _decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError(_("Tệp CSV phải được lưu với bảng mã UTF-8."), code="bad_file", field="file")


def read_csv_rows(data: bytes) -> list[spreadsheet.SheetRow]:
    """Non-empty rows of a CSV file (comma, semicolon or tab separated), with the row cap of the Excel imports."""
    text = _decode_csv(data)
    if "\x00" in text:
        raise ServiceError(_("Tệp CSV bị hỏng hoặc không phải tệp văn bản."), code="bad_file", field="file")
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    limit = spreadsheet.max_import_rows()
    rows: list[spreadsheet.SheetRow] = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            values = values[: spreadsheet.MAX_COLUMNS]
            if all(not value.strip() for value in values):
                continue
            if len(rows) > limit:
                raise ServiceError(
                    _("Tệp có hơn %(limit)s dòng dữ liệu; mỗi lần chỉ nhập được tối đa %(limit)s dòng.")
                    % {"limit": limit},
                    code="too_many_rows",
                    field="file",
                )
            rows.append(spreadsheet.SheetRow(number=number, values=tuple(values)))
    except csv.Error as exc:
        raise ServiceError(_("Tệp CSV bị hỏng hoặc không phải tệp văn bản."), code="bad_file", field="file") from exc
    return rows


def read_upload(upload: IO[bytes], *, name: str) -> list[spreadsheet.SheetRow]:
    """The rows of an uploaded .xlsx (checked by ``check_upload``) or .csv (size-checked, decoded as text)."""
    if PurePath(name).suffix.lower() == CSV_EXTENSION:
        data = files.read_upload(upload)
        if not data:
            raise ServiceError(_("Tệp tải lên rỗng."), code="empty", field="file")
        return read_csv_rows(data)
    try:
        _kind, data = files.check_upload(upload, name=name, kinds=[files.XLSX], parse_xml=False)
    except ServiceError as exc:
        if exc.code == "bad_extension":
            raise ServiceError(
                _("Chỉ chấp nhận tệp Excel (.xlsx) hoặc CSV (.csv)."), code="bad_extension", field="file"
            ) from exc
        raise
    return spreadsheet.read_rows(data, max_rows=spreadsheet.max_import_rows())


class ProvinceLookup:
    """Provinces by code, full name and short name, folded (accents, case and the word "Tỉnh"/"Thành phố" ignored)."""

    _PREFIX = re.compile(r"^(tinh|thanh pho|tp\.?)\s+")

    def __init__(self, provinces: Iterable[Unit]) -> None:
        self.by_key: dict[str, Unit] = {}
        ambiguous: set[str] = set()
        for unit in provinces:
            for key in {fold(unit.code), self.key(unit.name), self.key(unit.short_name)} - {""}:
                if key in self.by_key and self.by_key[key].pk != unit.pk:
                    ambiguous.add(key)
                self.by_key.setdefault(key, unit)
        for key in ambiguous:
            del self.by_key[key]

    @classmethod
    def key(cls, text: str) -> str:
        return cls._PREFIX.sub("", fold(text)).strip()

    def find(self, text: str) -> Unit | None:
        return self.by_key.get(fold(text)) or self.by_key.get(self.key(text))


def province_units() -> Any:
    """Every province of the tree (closed ones included: results of former provinces stay attached to them)."""
    return Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("name")


_CODE_LOOKUP = {fold(code): item for code, item in ITEMS.items()}


def _parse_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    text = normalize(str(value or "")).replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _parse_year(value: Any) -> int | None:
    text = spreadsheet.cell_text(value)
    if not re.fullmatch(r"\d{4}", text):
        return None
    return int(text)


def parse_rows(
    rows: Sequence[spreadsheet.SheetRow], *, province: Unit | None = None
) -> tuple[list[_Parsed], ImportReport]:
    """Check every row; return the good ones and a report listing every problem by row and column."""
    report = ImportReport(rows=list(rows))
    if not rows:
        report.errors.append(RowError(0, "", _("Tệp không có dòng tiêu đề.")))
        return [], report
    header, body = rows[0], rows[1:]
    report.header = header.values
    columns = spreadsheet.map_columns(header.values, {key: (label, *aliases) for key, label, aliases in COLUMNS})
    missing = [COLUMN_LABELS[key] for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        report.errors.append(
            RowError(
                header.number,
                "",
                _("Thiếu cột: %(columns)s. Hãy dùng tệp mẫu.") % {"columns": ", ".join(missing)},
            )
        )
        return [], report
    if not body:
        report.errors.append(RowError(0, "", _("Tệp không có dòng dữ liệu nào.")))
        return [], report
    lookup = ProvinceLookup(province_units())
    this_year = timezone.localdate().year
    seen: dict[tuple[int, int, str], int] = {}
    parsed: list[_Parsed] = []

    def error(row: spreadsheet.SheetRow, key: str, message: str) -> None:
        report.errors.append(RowError(row.number, COLUMN_LABELS[key], message))
        report.error_rows.add(row.number)

    for row in body:
        values = row.values
        province_text = spreadsheet.cell_text(spreadsheet.cell(values, columns["province"]))
        unit = lookup.find(province_text) if province_text else None
        if not province_text:
            error(row, "province", _("Chưa ghi tỉnh, thành phố."))
        elif unit is None:
            error(row, "province", _("Không tìm thấy tỉnh, thành phố “%(name)s”.") % {"name": province_text[:100]})
        elif province is not None and unit.pk != province.pk:
            error(
                row,
                "province",
                _("Dòng của %(name)s, không phải của tỉnh đã chọn (%(chosen)s).")
                % {"name": unit.name, "chosen": province.name},
            )
            unit = None
        raw_year = spreadsheet.cell(values, columns["year"])
        year = _parse_year(raw_year)
        if year is None or not FIRST_YEAR <= year <= this_year:
            error(
                row,
                "year",
                _("Năm “%(value)s” không hợp lệ; ghi năm từ %(first)s đến %(last)s.")
                % {"value": spreadsheet.cell_text(raw_year)[:20], "first": FIRST_YEAR, "last": this_year},
            )
            year = None
        code_text = spreadsheet.cell_text(spreadsheet.cell(values, columns["code"]))
        item = _CODE_LOOKUP.get(fold(code_text))
        if item is None:
            error(
                row,
                "code",
                _("Mã “%(code)s” không có trong danh mục (ví dụ papi.d1, par.a3, sipas.total).")
                % {"code": code_text[:50]},
            )
        raw_value = spreadsheet.cell(values, columns["value"])
        amount = _parse_decimal(raw_value)
        if amount is None:
            error(
                row,
                "value",
                _("Giá trị “%(value)s” không phải là số.") % {"value": spreadsheet.cell_text(raw_value)[:30]},
            )
        elif item is not None and not Decimal(0) <= amount <= item.maximum:
            error(
                row,
                "value",
                _("Giá trị %(value)s nằm ngoài khoảng 0–%(maximum)s của “%(name)s”.")
                % {
                    "value": format_points(amount),
                    "maximum": format_points(item.maximum),
                    "name": indicator_name(item),
                },
            )
            amount = None
        note = spreadsheet.cell_text(spreadsheet.cell(values, columns.get("note")))[:300]
        if unit is None or year is None or item is None or amount is None:
            continue
        key = (unit.pk, year, item.code)
        if key in seen:
            error(
                row,
                "code",
                _("Trùng với dòng %(row)s (cùng tỉnh, năm và mã).") % {"row": seen[key]},
            )
            continue
        seen[key] = row.number
        parsed.append(_Parsed(row.number, unit, year, item, amount.quantize(Decimal("0.0001")), note))
    return parsed, report


@transaction.atomic
def external_results_import(
    *,
    actor: ActorOrSystem,
    rows: Sequence[spreadsheet.SheetRow],
    mode: str = ImportMode.ALL_OR_NOTHING,
    province: Unit | None = None,
) -> ImportReport:
    """Import published results: every row is checked first; in the all-or-nothing mode one wrong row writes nothing.

    Values are upserted through :func:`value_publish` (one audit entry per value created or changed, none for a
    value that is already stored as it is), so importing the same file again changes nothing.
    """
    if mode not in (ImportMode.ALL_OR_NOTHING, ImportMode.VALID_ROWS):
        raise ServiceError(_("Cách nhập không hợp lệ."), field="mode")
    parsed, report = parse_rows(rows, province=province)
    report.mode = mode
    if not report.ok and mode == ImportMode.ALL_OR_NOTHING:
        return report
    indicators = ensure_indicators({row.item for row in parsed})
    existing = {
        (value.unit_id, value.indicator.code, value.period_key): (value.value, value.note)
        for value in IndicatorValue.objects.filter(
            indicator__code__in=list(indicators), unit_id__in={row.province.pk for row in parsed}
        ).select_related("indicator")
    }
    for row in parsed:
        period = Period(row.year, PeriodKind.YEAR)
        before = existing.get((row.province.pk, row.item.code, period.key))
        if before is not None and before == (row.value, row.note):
            report.unchanged += 1
            continue
        value_publish(
            actor=actor,
            indicator=indicators[row.item.code],
            unit=row.province,
            period=period,
            value=row.value,
            note=row.note,
            origin=ValueOrigin.IMPORTED,
        )
        if before is None:
            report.created += 1
        else:
            report.updated += 1
    return report


def error_workbook(report: ImportReport) -> bytes:
    """The rows that were refused, as read, with an error column: fix them and import this file again."""
    messages: dict[int, list[str]] = defaultdict(list)
    general: list[str] = []
    for error in report.errors:
        if error.row in report.error_rows:
            messages[error.row].append(f"{error.column}: {error.message}")
        else:
            general.append(error.message)
    header = [spreadsheet.cell_text(value) for value in report.header] or list(HEADER)
    width = len(header)
    out_rows: list[list[Any]] = []
    for row in report.rows[1:]:
        if row.number in messages:
            values = list(row.values) + [None] * (width - len(row.values))
            out_rows.append([*values[:width], "; ".join(messages[row.number])])
    for message in general:
        out_rows.append([None] * width + [message])
    return spreadsheet.table_bytes(title="Lỗi", header=[*header, ERROR_HEADER], rows=out_rows)


def template_workbook() -> bytes:
    """The import template: the header on the first sheet, the catalogue of codes and maxima on the second."""
    workbook = Workbook()
    sheet = workbook.create_sheet("Kết quả", 0)
    workbook.remove(workbook.worksheets[1])
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (24, 8, 14, 10, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    catalogue = workbook.create_sheet("Danh mục mã")
    catalogue.append(["Mã", "Chỉ số", "Nội dung", "Tối đa"])
    for cell in catalogue[1]:
        cell.font = Font(bold=True)
    for item in ITEMS.values():
        catalogue.append([item.code, INDICES[item.index].short, str(item.name), float(item.maximum)])
    catalogue.column_dimensions["A"].width = 16
    catalogue.column_dimensions["C"].width = 70
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Reading: trend, rank, mean, best, gaps


@dataclass(frozen=True)
class Rank:
    position: int
    shared: bool
    of: int


def competition_ranks(values: dict[int, Decimal], *, higher_is_better: bool = True) -> dict[int, Rank]:
    """Competition ranking ("1, 2, 2, 4"): equal values share a rank, the next rank skips; shared ranks are marked."""
    ordered = sorted(values.items(), key=lambda pair: pair[1], reverse=higher_is_better)
    counts: dict[Decimal, int] = defaultdict(int)
    for _unit, value in ordered:
        counts[value] += 1
    ranks: dict[int, Rank] = {}
    position = 0
    previous: Decimal | None = None
    for index, (unit_id, value) in enumerate(ordered, 1):
        if value != previous:
            position = index
            previous = value
        ranks[unit_id] = Rank(position, counts[value] > 1, len(ordered))
    return ranks


def mean(values: Iterable[Decimal]) -> Decimal | None:
    """The plain mean, rounded half-up to two decimals (``None`` without values)."""
    items = list(values)
    if not items:
        return None
    return (sum(items, Decimal(0)) / len(items)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class ItemYear:
    """One item in one year for one province, against every province with a figure that year."""

    item: ExternalItem
    value: Decimal | None
    rank: Rank | None
    mean: Decimal | None
    best: Decimal | None
    best_provinces: list[Unit]
    previous: Decimal | None = None
    illustrative: bool = False  # the province's figure is an illustration, not a published result

    @property
    def gap_to_mean(self) -> Decimal | None:
        return None if self.value is None or self.mean is None else self.value - self.mean

    @property
    def gap_to_best(self) -> Decimal | None:
        return None if self.value is None or self.best is None else self.value - self.best

    @property
    def change(self) -> Decimal | None:
        return None if self.value is None or self.previous is None else self.value - self.previous


@dataclass
class ProvinceReport:
    index: ExternalIndex
    province: Unit
    years: list[int]
    year: int | None
    items: list[ExternalItem]
    trend: dict[str, dict[int, Decimal]]  # item code → year → value
    rows: list[ItemYear]
    provinces_ranked: int = 0
    mean_trend: dict[str, dict[int, Decimal]] = field(default_factory=dict)  # item code → year → mean of provinces
    illustrative: set[tuple[str, int]] = field(default_factory=set)  # (item code, year) of the province's illustrations

    @property
    def trend_cells(self) -> list[tuple[ExternalItem, list[tuple[Decimal | None, bool]]]]:
        """:attr:`trend_rows` with, for each figure, whether it is illustrative."""
        return [
            (
                item,
                [
                    (value, (item.code, year) in self.illustrative)
                    for year, value in zip(self.years, values, strict=True)
                ],
            )
            for item, values in self.trend_rows
        ]

    @property
    def trend_rows(self) -> list[tuple[ExternalItem, list[Decimal | None]]]:
        """Every item the province has a figure for, with its figure in each year (``None`` where there is none)."""
        return [
            (item, [self.trend[item.code].get(year) for year in self.years])
            for item in self.items
            if self.trend.get(item.code)
        ]


# The source a figure is stored with when it is not a published result but an illustration (the one-province demo):
# every page that shows such a figure marks it "Số liệu minh hoạ" (decision "Illustrative index figures").
ILLUSTRATIVE_SOURCE = "Số liệu minh hoạ cho bản trình diễn, không phải kết quả công bố"


def is_illustrative(note: str | None) -> bool:
    """Whether a figure's source says it is illustrative (begins "Số liệu minh hoạ", with or without diacritics)."""
    return fold(note).startswith("so lieu minh hoa")


def _values_of(
    codes: list[str], illustrative: set[tuple[str, int, int]] | None = None
) -> dict[str, dict[int, dict[int, Decimal]]]:
    """code → year → unit id → value, for every province with a figure (yearly periods only); ``illustrative``, when
    given, receives (code, year, unit id) of each figure whose source says it is illustrative."""
    result: dict[str, dict[int, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    rows = IndicatorValue.objects.filter(
        indicator__code__in=codes, period_kind=PeriodKind.YEAR.value, unit__kind=UnitKind.PROVINCE
    ).values_list("indicator__code", "period_key", "unit_id", "value", "note")
    for code, key, unit_id, value, note in rows:
        result[code][int(key)][unit_id] = value
        if illustrative is not None and is_illustrative(note):
            illustrative.add((code, int(key), unit_id))
    return result


def years_with_results(index: ExternalIndex) -> list[int]:
    """The years for which some province has a published figure of ``index`` (the same rows ``_values_of`` reads:
    the index's catalogue codes, for provinces; the product's own survey indicator ``sipas.satisfaction`` of
    departments and communes is not a published result)."""
    keys = (
        IndicatorValue.objects.filter(
            indicator__code__in=[item.code for item in items_of(index.key)],
            period_kind=PeriodKind.YEAR.value,
            unit__kind=UnitKind.PROVINCE,
        )
        .values_list("period_key", flat=True)
        .distinct()
    )
    return sorted({int(key) for key in keys})


def province_report(*, index: ExternalIndex, province: Unit, year: int | None = None) -> ProvinceReport:
    """The province's figures year by year, and for ``year`` (the latest with a figure of the province by default)
    its rank, the mean of the provinces with a figure, the best figure and who has it, and the gaps to both."""
    items = items_of(index.key)
    codes = [item.code for item in items]
    marked: set[tuple[str, int, int]] = set()
    values = _values_of(codes, marked)
    illustrative = {(code, year_) for code, year_, unit_id in marked if unit_id == province.pk}
    trend = {
        code: {year_: by_unit[province.pk] for year_, by_unit in by_year.items() if province.pk in by_unit}
        for code, by_year in values.items()
    }
    years = sorted({year_ for by_year in trend.values() for year_ in by_year})
    if year is None or year not in years:
        year = years[-1] if years else None
    best_ids: set[int] = set()
    rows: list[ItemYear] = []
    ranked = 0
    if year is not None:
        per_item = {code: values.get(code, {}).get(year, {}) for code in codes}
        for by_unit in per_item.values():
            best_value = max(by_unit.values(), default=None)
            best_ids.update(unit_id for unit_id, value in by_unit.items() if value == best_value)
        names = Unit.objects.in_bulk(best_ids)
        for item in items:
            by_unit = per_item[item.code]
            value = by_unit.get(province.pk)
            ranks = competition_ranks(by_unit) if value is not None else {}
            best_value = max(by_unit.values(), default=None)
            earlier = [y for y in trend.get(item.code, {}) if y < year]
            rows.append(
                ItemYear(
                    item=item,
                    value=value,
                    rank=ranks.get(province.pk),
                    mean=mean(by_unit.values()),
                    best=best_value,
                    best_provinces=sorted(
                        (names[unit_id] for unit_id, v in by_unit.items() if v == best_value and unit_id in names),
                        key=lambda unit: unit.name,
                    ),
                    previous=trend[item.code][max(earlier)] if earlier else None,
                    illustrative=(item.code, year) in illustrative,
                )
            )
        ranked = len(per_item.get(f"{index.key}.total", {}))
    else:
        # No figure yet: the items still list, so that the units answerable for them can be named and shown.
        rows = [ItemYear(item=item, value=None, rank=None, mean=None, best=None, best_provinces=[]) for item in items]
    mean_trend = {
        code: {year_: average for year_ in years if (average := mean(by_year.get(year_, {}).values())) is not None}
        for code, by_year in values.items()
    }
    return ProvinceReport(
        index=index,
        province=province,
        years=years,
        year=year,
        items=items,
        trend=trend,
        rows=rows,
        provinces_ranked=ranked,
        mean_trend=mean_trend,
        illustrative=illustrative,
    )


def result_values(
    provinces: QuerySet[Unit],
    *,
    index: str | None = None,
    year: int | None = None,
    province_code: str | None = None,
) -> QuerySet[IndicatorValue]:
    """The published figures (yearly values of the catalogue's items) of ``provinces``, optionally of one index, one
    year and one province (by its unit code), latest year first, then by province and catalogue code."""
    codes = [item.code for item in (items_of(index) if index else ITEMS.values())]
    values = IndicatorValue.objects.filter(
        indicator__code__in=codes,
        period_kind=PeriodKind.YEAR.value,
        unit__kind=UnitKind.PROVINCE,
        unit__in=provinces,
    )
    if year is not None:
        values = values.filter(period_key=str(year))
    if province_code:
        values = values.filter(unit__code=province_code)
    return values.select_related("indicator", "unit").order_by(
        "-period_key", "unit__name", "unit_id", "indicator__code"
    )


# ---------------------------------------------------------------------------
# Excel exports: a province's results, and every province's figures for one index and year


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _add_sheet(workbook: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([spreadsheet.formula_safe(value) for value in row])
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 60


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def province_workbook(report: ProvinceReport, responsible: dict[str, list[ExternalResponsibility]]) -> bytes:
    """A province's page as a workbook: the chosen year (rank, mean, best, gaps, responsible units) and the trend."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    year_header = [
        "Mã",
        "Nội dung",
        "Kết quả",
        "Tối đa",
        "Xếp hạng",
        "Số tỉnh có kết quả",
        "Đồng hạng",
        "Bình quân các tỉnh",
        "So với bình quân",
        "Cao nhất",
        "Tỉnh cao nhất",
        "So với cao nhất",
        "So với năm trước",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
    ]
    year_rows = [
        [
            row.item.code,
            indicator_name(row.item),
            _number(row.value),
            float(row.item.maximum),
            row.rank.position if row.rank else None,
            row.rank.of if row.rank else None,
            "có" if row.rank and row.rank.shared else "",
            _number(row.mean),
            _number(row.gap_to_mean),
            _number(row.best),
            ", ".join(unit.name for unit in row.best_provinces),
            _number(row.gap_to_best),
            _number(row.change),
            "; ".join(duty.unit.name for duty in responsible.get(row.item.code, []) if duty.lead),
            "; ".join(duty.unit.name for duty in responsible.get(row.item.code, []) if not duty.lead),
        ]
        for row in report.rows
    ]
    title = f"Năm {report.year}" if report.year is not None else "Nội dung"
    _add_sheet(workbook, title, year_header, year_rows)
    _add_sheet(
        workbook,
        "Diễn biến",
        ["Mã", "Nội dung", *[str(year) for year in report.years]],
        [[item.code, indicator_name(item), *[_number(v) for v in values]] for item, values in report.trend_rows],
    )
    info = workbook.create_sheet("Thông tin")
    info.append(["Tỉnh, thành phố", report.province.name])
    info.append(["Mã đơn vị", report.province.code])
    info.append(["Chỉ số", str(report.index.name)])
    info.append(["Nguồn công bố", report.index.source])
    if report.illustrative:
        marked = ", ".join(f"{code} {year}" for code, year in sorted(report.illustrative))
        info.append(["Số liệu minh hoạ", f"{ILLUSTRATIVE_SOURCE}: {marked}."])
    info.append(
        ["Ghi chú", "Thứ hạng, bình quân và cao nhất tính trên các tỉnh, thành phố đã có kết quả trong hệ thống."]
    )
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 80
    return _workbook_bytes(workbook)


@dataclass
class ProvinceTable:
    """Every listed province's figures for one index and year, by item, with its rank on the total."""

    index: ExternalIndex
    year: int | None
    years: list[int]
    items: list[ExternalItem]
    rows: list[tuple[Unit, Rank | None, list[Decimal | None]]]


def province_table(*, index: ExternalIndex, provinces: QuerySet[Unit], year: int | None = None) -> ProvinceTable:
    """The figures of ``provinces`` for ``index`` in ``year`` (the latest year with a figure by default); ranks are
    over every province with a figure of the total, listed or not."""
    years = years_with_results(index)
    if year is None or year not in years:
        year = years[-1] if years else None
    items = items_of(index.key)
    if year is None:
        return ProvinceTable(index=index, year=None, years=years, items=items, rows=[])
    values = _values_of([item.code for item in items])
    shown = {item.code for item in items if values.get(item.code, {}).get(year)}
    items = [item for item in items if item.code in shown]
    ranks = competition_ranks(values.get(f"{index.key}.total", {}).get(year, {}))
    with_figures = {unit_id for item in items for unit_id in values[item.code][year]}
    rows = [
        (unit, ranks.get(unit.pk), [values[item.code][year].get(unit.pk) for item in items])
        for unit in provinces.filter(pk__in=with_figures).order_by("name")
    ]
    rows.sort(key=lambda row: (row[1].position if row[1] else 10**6, row[0].name))
    return ProvinceTable(index=index, year=year, years=years, items=items, rows=rows)


@dataclass(frozen=True)
class RankingRow:
    """One province in the all-province table: its rank on the sorted item, its figure for each item, and whether it
    is one of the reader's own provinces."""

    unit: Unit
    rank: Rank | None
    values: list[Decimal | None]
    own: bool = False


@dataclass
class RankingTable:
    """The all-province table of one index and year: the total and the items one level under it (dimensions, areas,
    elements) that some province has a figure for, the mean and the best of every province with a figure, and the
    listed provinces ranked on the sorted item."""

    index: ExternalIndex
    year: int | None
    years: list[int]
    items: list[ExternalItem]
    sort: ExternalItem | None
    rows: list[RankingRow]
    means: list[Decimal | None]
    bests: list[Decimal | None]
    best_provinces: list[list[Unit]]
    provinces_ranked: int = 0

    @property
    def columns(self) -> list[tuple[ExternalItem, Decimal | None, Decimal | None, list[Unit]]]:
        return list(zip(self.items, self.means, self.bests, self.best_provinces, strict=True))


def province_ranking(
    *,
    index: ExternalIndex,
    provinces: QuerySet[Unit],
    year: int | None = None,
    sort: str = "",
    own: Iterable[int] = (),
) -> RankingTable:
    """Every listed province's total and dimensions (areas, elements) for ``index`` in ``year`` (the latest year with
    a figure by default), ranked on the item ``sort`` (its catalogue code; the total, or the first item with a figure,
    when it is unknown or has no figure that year). Ranks, means and bests are over every province with a figure,
    listed or not (the figures are public); provinces without a figure of the sorted item come last, by name.
    ``own`` names the reader's provinces, marked in the rows."""
    years = years_with_results(index)
    if year is None or year not in years:
        year = years[-1] if years else None
    candidates = [item for item in items_of(index.key) if item.depth <= 1]
    if year is None:
        return RankingTable(index, None, years, [], None, [], [], [], [])
    values = _values_of([item.code for item in candidates])
    items = [item for item in candidates if values.get(item.code, {}).get(year)]
    by_item = [values[item.code][year] for item in items]
    sorted_item = next((item for item in items if item.code == sort), None)
    if sorted_item is None:
        sorted_item = next((item for item in items if item.is_total), items[0] if items else None)
    if sorted_item is None:
        return RankingTable(index, year, years, [], None, [], [], [], [])
    sort_values = by_item[items.index(sorted_item)]
    ranks = competition_ranks(sort_values)
    with_figures = {unit_id for figures in by_item for unit_id in figures}
    own_ids = set(own)
    rows = [
        RankingRow(
            unit=unit,
            rank=ranks.get(unit.pk),
            values=[figures.get(unit.pk) for figures in by_item],
            own=unit.pk in own_ids,
        )
        for unit in provinces.filter(pk__in=with_figures)
    ]
    rows.sort(key=lambda row: (row.rank.position if row.rank else 10**6, fold(row.unit.name), row.unit.pk))
    bests = [max(figures.values(), default=None) for figures in by_item]
    names = Unit.objects.in_bulk(
        {unit_id for figures, best in zip(by_item, bests, strict=True) for unit_id, v in figures.items() if v == best}
    )
    best_provinces = [
        sorted(
            (names[unit_id] for unit_id, v in figures.items() if v == best and unit_id in names),
            key=lambda unit: unit.name,
        )
        for figures, best in zip(by_item, bests, strict=True)
    ]
    return RankingTable(
        index=index,
        year=year,
        years=years,
        items=items,
        sort=sorted_item,
        rows=rows,
        means=[mean(figures.values()) for figures in by_item],
        bests=bests,
        best_provinces=best_provinces,
        provinces_ranked=len(sort_values),
    )


def province_table_workbook(table: ProvinceTable) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    header = [
        "Mã tỉnh",
        "Tỉnh, thành phố",
        "Xếp hạng (tổng)",
        *[f"{item.code} {indicator_name(item)}" for item in table.items],
    ]
    rows = [
        [unit.code, unit.name, rank.position if rank else None, *[_number(value) for value in values]]
        for unit, rank, values in table.rows
    ]
    _add_sheet(workbook, f"{table.index.short} {table.year or ''}".strip(), header, rows)
    sheet = workbook.worksheets[0]
    sheet.column_dimensions["B"].width = 28
    return _workbook_bytes(workbook)


# ---------------------------------------------------------------------------
# What each item is aimed at by: tasks (PAPI dimension text, PAR criteria by area)

_PAPI_NUMBER = re.compile(r"^(?:papi\W*)?(?:d|chi so noi dung|noi dung|linh vuc)?\W*(\d)(?:\.(\d))?\b")

# Words of a framework area's title that mark it as one of the PAR INDEX areas (folded).
PAR_AREA_WORDS: dict[str, tuple[str, ...]] = {
    "par.a1": ("chi dao", "dieu hanh"),
    "par.a2": ("the che", "van ban quy pham"),
    "par.a3": ("thu tuc hanh chinh", "tthc", "mot cua"),
    "par.a4": ("bo may",),
    "par.a5": ("cong vu", "can bo, cong chuc", "doi ngu"),
    "par.a6": ("tai chinh cong", "tai chinh"),
    "par.a7": ("chinh quyen dien tu", "chinh quyen so", "hien dai hoa", "chuyen doi so"),
    "par.a8": ("tac dong",),
}


def papi_codes_for_text(text: str) -> set[str]:
    """The PAPI items a task's free-text "PAPI dimension" names: by number ("3", "d3", "Nội dung 3", "papi.d3.1")
    or by the dimension's name (Vietnamese, accents ignored)."""
    folded = fold(text)
    if not folded:
        return set()
    codes: set[str] = set()
    match = _PAPI_NUMBER.match(folded)
    if match:
        number, sub = match.groups()
        code = f"papi.d{number}"
        if code in ITEMS:
            codes.add(code)
            if sub and f"{code}.{sub}" in ITEMS:
                codes.add(f"{code}.{sub}")
    for item in items_of("papi"):
        if not item.is_total and fold(str(item.name)) in folded:
            codes.add(item.code)
            if item.depth == 2:
                codes.add(item.parent_code)
    return codes


def par_area_for_title(title: str) -> str | None:
    """The PAR INDEX area a framework area (top-level criterion) belongs to, judged by its title."""
    folded = fold(title)
    for code, words in PAR_AREA_WORDS.items():
        if any(word in folded for word in words):
            return code
    return None


# ---------------------------------------------------------------------------
# Responsible units: who answers, in a province, for each item of an index


@dataclass
class ResponsibilityChange:
    added: int = 0
    removed: int = 0
    changed: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def responsibilities_of(province: Unit, codes: Iterable[str] | None = None) -> dict[str, list[ExternalResponsibility]]:
    """Item code → the units answerable for it in ``province``, lead units first, then by name."""
    rows = ExternalResponsibility.objects.filter(province=province).select_related("unit")
    if codes is not None:
        rows = rows.filter(item_code__in=list(codes))
    result: dict[str, list[ExternalResponsibility]] = defaultdict(list)
    for row in rows.order_by("item_code", "-lead", "unit__name", "pk"):
        result[row.item_code].append(row)
    return result


def _role_label(lead: bool) -> str:
    return _("chủ trì") if lead else _("phối hợp")


@transaction.atomic
def responsibility_set(
    *,
    actor: ActorOrSystem,
    province: Unit,
    item_code: str,
    lead_units: Iterable[Unit],
    supporting_units: Iterable[Unit] = (),
) -> ResponsibilityChange:
    """Make ``lead_units`` (chủ trì) and ``supporting_units`` (phối hợp) the units answerable for one item of an index
    in ``province``, replacing the previous ones; both empty clears the item. One audit entry per unit added, removed
    or whose role changed; nothing is written when nothing changes."""
    item = ITEMS.get(item_code)
    if item is None:
        raise ServiceError(_("Nội dung chỉ số không có trong danh mục."), code="invalid", field="item_code")
    if province.kind != UnitKind.PROVINCE:
        raise ServiceError(_("Chỉ giao đơn vị chịu trách nhiệm cho một tỉnh, thành phố."), code="invalid")
    wanted: dict[int, tuple[Unit, bool]] = {}
    for unit in lead_units:
        wanted[unit.pk] = (unit, True)
    for unit in supporting_units:
        if unit.pk in wanted:
            raise ServiceError(
                _("%(unit)s không thể vừa chủ trì vừa phối hợp.") % {"unit": unit.name},
                code="invalid",
                field="supporting_units",
            )
        wanted[unit.pk] = (unit, False)
    for unit, _lead in wanted.values():
        if unit.pk == province.pk or not unit.is_within(province):
            raise ServiceError(
                _("%(unit)s không thuộc %(province)s.") % {"unit": unit.name, "province": province.name},
                code="invalid",
                field="lead_units",
            )
    name = indicator_name(item)
    current = {
        row.unit_id: row
        for row in ExternalResponsibility.objects.select_for_update()
        .filter(province=province, item_code=item.code)
        .select_related("unit")
    }
    change = ResponsibilityChange()
    for unit_id, row in current.items():
        if unit_id in wanted:
            continue
        record(
            actor=actor,
            action=AuditAction.DELETE,
            instance=row,
            changes={"indicator": [name, None], "unit": [row.unit.name, None], "status": [_role_label(row.lead), None]},
            unit=row.unit,
        )
        row.delete()
        change.removed += 1
    for unit_id, (unit, lead) in wanted.items():
        existing = current.get(unit_id)
        if existing is None:
            created = ExternalResponsibility.objects.create(
                province=province, item_code=item.code, unit=unit, lead=lead
            )
            record(
                actor=actor,
                action=AuditAction.CREATE,
                instance=created,
                changes={"indicator": [None, name], "unit": [None, unit.name], "status": [None, _role_label(lead)]},
                unit=unit,
            )
            change.added += 1
        elif existing.lead != lead:
            before = _role_label(existing.lead)
            existing.lead = lead
            existing.save(update_fields=["lead"])
            record(
                actor=actor,
                action=AuditAction.UPDATE,
                instance=existing,
                changes={"status": [before, _role_label(lead)]},
                unit=unit,
            )
            change.changed += 1
    return change


__all__ = [
    "COLUMNS",
    "HEADER",
    "INDICES",
    "ITEMS",
    "ExternalIndex",
    "ExternalItem",
    "ImportMode",
    "ImportReport",
    "ItemYear",
    "ProvinceLookup",
    "ProvinceReport",
    "ProvinceTable",
    "Rank",
    "RankingRow",
    "RankingTable",
    "ResponsibilityChange",
    "competition_ranks",
    "ensure_indicators",
    "error_workbook",
    "external_results_import",
    "get_index",
    "group_name",
    "indicator_name",
    "items_of",
    "mean",
    "papi_codes_for_text",
    "par_area_for_title",
    "parse_rows",
    "province_ranking",
    "province_report",
    "province_table",
    "province_table_workbook",
    "province_units",
    "province_workbook",
    "read_csv_rows",
    "read_upload",
    "responsibilities_of",
    "responsibility_set",
    "result_values",
    "template_workbook",
    "years_with_results",
]
