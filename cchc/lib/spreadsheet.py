"""Reading and writing simple one-table workbooks (.xlsx).

Officials keep lists as a header row followed by data rows. These helpers
open such a workbook safely (after :func:`cchc.lib.files.check_upload`), read
its rows as a stream up to a cap (:func:`iter_rows`; a damaged or hostile
file is a Vietnamese message, never an exception of the parser), find columns
by their header text whatever the accents or case, turn cells into clean text
and dates, and write a table back out in write-only mode so that large
exports stay fast and small in memory.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.reader import excel as openpyxl_excel_reader
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from cchc.lib.errors import ServiceError
from cchc.lib.text import fold, normalize

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


@dataclass(frozen=True)
class SheetRow:
    number: int  # 1-based row number as Excel shows it
    values: tuple[Any, ...]


class _SheetSizedByItsRows(ReadOnlyWorksheet):
    """A read-only sheet that does not look for its declared size when the workbook is opened.

    openpyxl reads a sheet's ``<dimension>`` as it opens the workbook; when a sheet has none (openpyxl's own
    write-only files, the exports of this product among them) it parses the whole sheet to find out, every sheet of
    the file, before a single row is asked for. The reader below never uses the declared size (a row is as long as
    its cells, up to :data:`MAX_COLUMNS`), so nothing is parsed until the rows are read, and only as far as they are.
    """

    def _get_size(self) -> None:
        return None


# Only this module opens workbooks in read-only mode (for imports); see the class above for why.
openpyxl_excel_reader.ReadOnlyWorksheet = _SheetSizedByItsRows  # type: ignore[attr-defined,misc]


# Import layouts have about ten columns; cells further right are ignored, so that a cell in column XFD (or a lying
# <dimension>) cannot make every row sixteen thousand values wide.
MAX_COLUMNS = 64


def max_import_rows() -> int:
    """How many data rows (after the header) one import may have: ``CCHC_IMPORT_MAX_ROWS``, 50,000 by default."""
    return int(getattr(settings, "CCHC_IMPORT_MAX_ROWS", 50_000))


def _damaged() -> ServiceError:
    return ServiceError(
        _("Tệp Excel bị hỏng hoặc không đúng định dạng (.xlsx); hãy mở lại bằng Excel, lưu rồi tải lên."),
        code="bad_file",
        field="file",
    )


def _too_many_rows(limit: int) -> ServiceError:
    return ServiceError(
        _("Tệp có hơn %(limit)s dòng dữ liệu; mỗi lần chỉ nhập được tối đa %(limit)s dòng. Hãy chia thành nhiều tệp.")
        % {"limit": f"{limit:,}".replace(",", ".")},
        code="too_many_rows",
        field="file",
    )


# openpyxl reads the whole shared-string table (every distinct text of the workbook) when it opens a file, even in
# read-only mode: its size, unlike the rows', is not bounded by the row cap. 32 MB of XML holds the distinct texts of
# 50,000 rows of ten 40-character cells with room to spare.
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024


def _check_shared_strings(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            size = sum(
                entry.file_size for entry in archive.infolist() if entry.filename.lower().endswith("sharedstrings.xml")
            )
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _damaged() from exc
    if size > MAX_SHARED_STRINGS_BYTES:
        raise ServiceError(
            _("Tệp có quá nhiều nội dung chữ cho một lần nhập (trên %(size)s MB); hãy chia thành nhiều tệp.")
            % {"size": MAX_SHARED_STRINGS_BYTES // (1024 * 1024)},
            code="too_large",
            field="file",
        )


def open_workbook(data: bytes) -> Any:
    """A read-only workbook (computed values, not formulas) or a :class:`ServiceError`."""
    _check_shared_strings(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on damaged or hostile files
        raise _damaged() from exc


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def iter_rows(
    data: bytes, *, max_rows: int | None = None, progress: Callable[[int], None] | None = None
) -> Iterator[SheetRow]:
    """Every non-empty row of the first sheet, with its Excel row number, read as a stream.

    Only one row is in memory at a time; the workbook's XML is parsed with
    entity declarations refused (``defusedxml``). More than ``max_rows`` data
    rows after the header raise :class:`ServiceError` naming the cap, as does
    a damaged sheet, at the row where it breaks. ``progress`` is called with
    the number of rows read every 1,000 rows.
    """
    workbook = open_workbook(data)
    try:
        if not workbook.worksheets:
            raise _damaged()
        sheet = workbook.worksheets[0]
        # The declared size is not trusted: rows are as long as their last cell, up to MAX_COLUMNS.
        sheet.reset_dimensions()
        count = 0
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if all(_is_blank(value) for value in values):
                continue
            if max_rows is not None and count > max_rows:  # the header plus max_rows data rows already read
                raise _too_many_rows(max_rows)
            count += 1
            end = len(values)
            while end and values[end - 1] is None:
                end -= 1
            yield SheetRow(number=number, values=tuple(values[:end]))
            if progress is not None and count % 1000 == 0:
                progress(count)
    except ServiceError:
        raise
    except Exception as exc:  # a damaged sheet only shows while it is being read
        raise _damaged() from exc
    finally:
        workbook.close()


def read_rows(
    data: bytes, *, max_rows: int | None = None, progress: Callable[[int], None] | None = None
) -> list[SheetRow]:
    """Every non-empty row of the first sheet (see :func:`iter_rows`)."""
    return list(iter_rows(data, max_rows=max_rows, progress=progress))


# Called with a phase ("reading", "checking", "writing") and the number of rows read so far.
Progress = Callable[[str, int], None]


def header_key(text: Any) -> str:
    """Comparable form of a header: accents, case, punctuation and spacing ignored."""
    return re.sub(r"[^a-z0-9]+", " ", fold(str(text or ""))).strip()


def map_columns(header: Sequence[Any], expected: dict[str, Iterable[str]]) -> dict[str, int]:
    """Column index of each expected key, matched by any of its accepted header texts."""
    found: dict[str, int] = {}
    keys = [header_key(value) for value in header]
    for name, labels in expected.items():
        wanted = {header_key(label) for label in labels}
        for index, key in enumerate(keys):
            if key in wanted:
                found[name] = index
                break
    return found


def choice_lookup(choices: Any, extra: dict[str, str]) -> dict[str, str]:
    """Folded text → value for a ``TextChoices``: Vietnamese and English labels, the values, and ``extra`` aliases.

    Lets an import accept "Sở, ban, ngành", "department" or "Sở" alike, whatever the accents or case.
    """
    lookup: dict[str, str] = {}
    for language in ("vi", "en"):
        with translation.override(language):
            for value, label in choices.choices:
                lookup[fold(str(label))] = value
    for value in choices.values:
        lookup[fold(value)] = value
        lookup[fold(value.replace("_", " "))] = value
    lookup.update({fold(key): value for key, value in extra.items()})
    return lookup


def cell(values: Sequence[Any], index: int | None) -> Any:
    if index is None or index >= len(values):
        return None
    return values[index]


def cell_text(value: Any) -> str:
    """A cell as clean text; whole numbers typed as numbers lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return normalize(str(value))


_DATE_PATTERNS = (
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"), ("day", "month", "year")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("year", "month", "day")),
)


def cell_date(value: Any) -> datetime.date | None:
    """A date from a date cell or text ``dd/mm/yyyy`` / ``yyyy-mm-dd``; ``ValueError`` otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = normalize(str(value))
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = dict(zip(order, (int(group) for group in match.groups()), strict=True))
            return datetime.date(parts["year"], parts["month"], parts["day"])
    raise ValueError(text)


def write_table(
    stream: IO[bytes],
    *,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int] | None = None,
    date_format: str = "DD/MM/YYYY",
) -> None:
    """Write one sheet (bold, frozen header row) to ``stream`` in write-only mode."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths or (), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header_cells = []
    for text in header:
        header_cell = _write_only_cell(sheet, text)
        header_cell.font = _HEADER_FONT
        header_cell.fill = _HEADER_FILL
        header_cells.append(header_cell)
    sheet.append(header_cells)
    for row in rows:
        out: list[Any] = []
        for value in row:
            if isinstance(value, datetime.date):
                date_cell = _write_only_cell(sheet, value)
                date_cell.number_format = date_format
                out.append(date_cell)
            else:
                out.append(value)
        sheet.append(out)
    workbook.save(stream)


# The first characters that make a spreadsheet read a cell's text as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> Any:
    """``value`` as it may go into an exported cell: a text a spreadsheet would run as a formula gets a leading
    apostrophe, so opening an export never runs what somebody typed; other values are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table_bytes(**kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    write_table(buffer, **kwargs)
    return buffer.getvalue()


def _write_only_cell(sheet: Any, value: Any) -> Any:
    return WriteOnlyCell(sheet, value=value)


__all__ = [
    "FORMULA_STARTS",
    "XLSX_CONTENT_TYPE",
    "Progress",
    "SheetRow",
    "cell",
    "cell_date",
    "cell_text",
    "formula_safe",
    "header_key",
    "iter_rows",
    "map_columns",
    "max_import_rows",
    "open_workbook",
    "read_rows",
    "table_bytes",
    "write_table",
]
