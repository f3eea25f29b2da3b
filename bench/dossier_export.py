"""Benchmark of the Excel export of the dossiers behind a KPI figure, at the demo province's size.

Run from the repository root::

    .venv/bin/python bench/dossier_export.py
    .venv/bin/python bench/dossier_export.py --from var/demo.sqlite3   # a copy of a demo database, left untouched

It loads the demo data (``cchc demo``: about 37,000 dossiers over twelve months) into a fresh SQLite database in a
temporary directory (removed afterwards; ``var/`` is never touched), then exports the province's "received in the
current year" drill-down (about 34,000 dossiers) three ways, in the same process:

- ``export``: :func:`cchc.procedures.excel.dossiers_export` (tuples from one query, the sheet written as text);
- ``page``: the same through the page ``/procedures/kpis/units/<id>/dossiers/received/export.xlsx``;
- ``list page``: the dossier list's own export ``/procedures/export.xlsx`` (every demo dossier, the same writer);
- ``reference``: the former export, model objects with their procedure and unit, written cell by cell by openpyxl's
  write-only workbook (:func:`cchc.lib.spreadsheet.write_table`).

The last line printed is one JSON object with all figures.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
DIRECTORY = tempfile.mkdtemp(prefix="cchc-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{DIRECTORY}/bench.sqlite3"
os.environ["CCHC_VAR_DIR"] = DIRECTORY
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def _reference_rows(dossiers: Any) -> Any:
    """The former export's rows: one model object (with its procedure and unit) per dossier."""
    for dossier in dossiers.select_related("procedure", "unit").iterator(chunk_size=2000):
        yield [
            dossier.code,
            dossier.source,
            dossier.procedure.code,
            dossier.procedure.name,
            dossier.procedure.field,
            dossier.unit.name,
            dossier.received_on,
            dossier.due_on,
            dossier.finished_on,
            dossier.get_status_display(),
            dossier.get_channel_display() if dossier.channel else "",
            dossier.fee,
            "Có" if dossier.paid_online else "Không",
            dossier.supplement_requests,
            dossier.apology_on,
        ]


def _timed(function: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone
    from openpyxl import load_workbook

    from cchc.accounts.models import User
    from cchc.lib.periods import Period, PeriodKind
    from cchc.lib.spreadsheet import write_table
    from cchc.organisations.models import Unit
    from cchc.procedures.excel import EXPORT_HEADER, EXPORT_WIDTHS, dossiers_export
    from cchc.procedures.kpis import drilldown

    if "--from" in sys.argv:
        shutil.copyfile(sys.argv[sys.argv.index("--from") + 1], Path(DIRECTORY) / "bench.sqlite3")
        call_command("migrate", verbosity=0)
    else:
        call_command("migrate", verbosity=0)
        call_command("demo", stdout=io.StringIO())
    province = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    assert province is not None
    period = Period(timezone.localdate().year, PeriodKind.YEAR)
    dossiers = drilldown(province, period, "received")
    rows = dossiers.count()

    export_seconds, written = _timed(lambda: dossiers_export(io.BytesIO(), dossiers, title="Hồ sơ tiếp nhận"))
    client = Client()
    client.force_login(User.objects.get(username="thuongtruc"))  # the demo's reform secretariat
    url = f"/procedures/kpis/units/{province.pk}/dossiers/received/export.xlsx"
    page_seconds, response = _timed(lambda: b"".join(client.get(url, {"period": period.key}).streaming_content))
    reference_seconds, _ = _timed(
        lambda: write_table(
            io.BytesIO(),
            title="Hồ sơ tiếp nhận",
            header=[str(text) for text in EXPORT_HEADER],
            rows=_reference_rows(dossiers),
            widths=EXPORT_WIDTHS,
        )
    )
    list_seconds, listed = _timed(lambda: b"".join(client.get("/procedures/export.xlsx").streaming_content))
    list_rows = sum(1 for _row in load_workbook(io.BytesIO(listed), read_only=True).active.iter_rows()) - 1
    sheet = load_workbook(io.BytesIO(response), read_only=True).active
    read_back = sum(1 for _row in sheet.iter_rows(values_only=True)) - 1  # the stream writes no dimension
    assert written == rows == read_back, (written, rows, read_back)

    print(f"dossiers exported: {rows:,}")
    print(f"export (tuples, sheet written as text): {export_seconds:.2f} s")
    print(f"page (request to the file):             {page_seconds:.2f} s, {len(response) / 1e6:.1f} MB")
    print(f"list page (all {list_rows:,} dossiers):   {list_seconds:.2f} s, {len(listed) / 1e6:.1f} MB")
    print(f"reference (model objects + openpyxl):   {reference_seconds:.2f} s")
    print(f"ratio reference / export: {reference_seconds / export_seconds:.1f}")
    print(
        json.dumps(
            {
                "rows": rows,
                "export_seconds": round(export_seconds, 3),
                "page_seconds": round(page_seconds, 3),
                "list_rows": list_rows,
                "list_page_seconds": round(list_seconds, 3),
                "reference_seconds": round(reference_seconds, 3),
                "speedup": round(reference_seconds / export_seconds, 2),
                "file_mb": round(len(response) / 1e6, 2),
            }
        )
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(DIRECTORY, ignore_errors=True)
