"""The error workbook of an import: the bad rows as they were in the file, with the row number and what is wrong.

A rule of the import (core layer), so that the background job can write it; ``excel.py`` offers it to the command
line and the pages under its usual name.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from cchc.lib import spreadsheet

from .parsing import pad
from .services import ImportReport


def error_workbook(report: ImportReport) -> bytes:
    """An .xlsx of the rows refused by an import: “Dòng” (row in the file), the original cells, “Lỗi”."""
    width = max([len(report.header), *(len(bad.row.values) for bad in report.bad_rows)])
    header = [_("Dòng"), *pad([spreadsheet.cell_text(value) for value in report.header], width), _("Lỗi")]
    rows = ([bad.row.number, *pad(list(bad.row.values), width), "; ".join(bad.messages)] for bad in report.bad_rows)
    return spreadsheet.table_bytes(
        title=_("Lỗi"), header=[text or "" for text in header], rows=rows, widths=[8, *[18] * width, 80]
    )


__all__ = ["error_workbook"]
