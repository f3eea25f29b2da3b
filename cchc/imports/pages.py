"""What the import pages of units and frameworks share for a run in the background: the progress fragment, the
error workbook and the context of the page. Page helpers with no URL of their own; the pages live in the apps that
import (``organisations``, ``frameworks``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE, max_import_rows

from .models import ImportRun

# Errors listed in the page; the error workbook has all of them.
ERRORS_SHOWN = 200


def run_response(request: HttpRequest, run: ImportRun, *, error_file_name: str) -> HttpResponse | None:
    """The error workbook (``?errors``) or the progress fragment (htmx polling); ``None``: render the whole page."""
    if "errors" in request.GET and run.error_file:
        with run.error_file.open("rb") as handle:
            content = handle.read()
        return HttpResponse(
            content,
            content_type=XLSX_CONTENT_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{error_file_name}"'},
        )
    if getattr(request, "htmx", False):
        return render(request, "imports/_run.html", run_context(run))
    return None


def run_context(run: ImportRun | None) -> dict[str, object]:
    """What the import page shows of ``run`` (if any), and the row cap it states."""
    context: dict[str, object] = {"max_rows": f"{max_import_rows():,}".replace(",", ".")}
    if run is not None:
        errors = run.errors
        context.update(run=run, errors_shown=errors[:ERRORS_SHOWN], errors_more=max(0, len(errors) - ERRORS_SHOWN))
    return context
