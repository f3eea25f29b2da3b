"""Benchmark of a large Excel import: time and peak memory stay bounded whatever the file's size.

Run from the repository root::

    .venv/bin/python bench/import_large.py                 # 600,000 rows, SQLite in a temporary file
    .venv/bin/python bench/import_large.py --rows 200000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench .venv/bin/python bench/import_large.py

It writes a unit-tree workbook of ``--rows`` rows (the size of the file that
once held a web worker for a minute and 767 MB), and a second one of exactly
``CCHC_IMPORT_MAX_ROWS`` rows whose last row is wrong. It then measures, each
in a child forked from the same process, the wall clock and the growth of
the resident set (``VmHWM`` at the end less ``VmRSS`` at the start, so C
allocations count too):

* the reference: openpyxl's read-only iteration over every row of the large
  file, keeping nothing (the floor of any streaming reader);
* the previous way of reading: every row of the large file in one list
  (``--skip-unbounded`` leaves it out; it is the slow, memory-hungry step);
* the upload checks (``check_upload``, as the import page runs them);
* the import of the large file, refused at the row cap while streaming;
* the reference iteration over the file at the cap, and its import, which
  reads, parses and checks every row against the database and reports the
  bad one (all-or-nothing: nothing is written).

The last line printed is one JSON object with all figures. SQLite: a fresh
database file in a temporary directory, removed afterwards. PostgreSQL: the
database named in ``DATABASE_URL`` is dropped and created again, so its name
must contain "bench" (otherwise ``cchc_bench`` on the same server is used).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")

from units import _prepare_database  # noqa: E402  (the same database preparation as every benchmark)

MB = 1024 * 1024


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _measure(function: Callable[[], Any]) -> tuple[float, float, Any]:
    """Seconds, peak growth of the resident set in MB, and the (JSON) result of ``function``.

    Each step runs in a forked child, whose high-water mark starts at its resident size at the fork: the
    growth counts everything the step allocates, Python objects and the C parsers' buffers alike, as a web or
    task worker would see it, and steps do not inherit each other's peaks.
    """
    from django.db import connections

    connections.close_all()  # the child opens its own connection
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        start_kb = _status_kb("VmRSS")
        started = time.perf_counter()
        try:
            result = function()
        except BaseException as exc:  # reported by the parent, which then fails
            result = f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - started
        peak_kb = _status_kb("VmHWM") - start_kb
        with os.fdopen(write_end, "w") as pipe:
            json.dump([round(seconds, 2), round(peak_kb / 1024, 1), result], pipe)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        seconds, peak, result = json.load(pipe)
    os.waitpid(pid, 0)
    return seconds, peak, result


def _workbook(rows: int, parent_code: str, *, bad_last_row: bool = False) -> bytes:
    """A unit-tree workbook in the export's layout, written in write-only mode."""
    from openpyxl import Workbook

    from cchc.organisations.excel import HEADER

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Đơn vị")
    sheet.append(HEADER)
    for number in range(1, rows + 1):
        name = "" if bad_last_row and number == rows else f"Tổ dân phố số {number} thuộc phường thử nghiệm"
        sheet.append([number, f"B-{number:07d}", name, f"TDP {number}", "Khác", "", parent_code, "01/07/2025", "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _iterate(data: bytes) -> int:
    """The reference: openpyxl read-only iteration over every row, keeping nothing."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = 0
    for _row in workbook.worksheets[0].iter_rows(values_only=True):
        count += 1
    workbook.close()
    return count


def _list_all(data: bytes) -> int:
    """The previous reading: every row of the sheet in one list."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=600_000, help="rows of the large file (default 600,000)")
    parser.add_argument("--skip-unbounded", action="store_true", help="leave out the one-list reading")
    options = parser.parse_args()
    cleanup = _prepare_database()
    try:
        _run(options.rows, unbounded=not options.skip_unbounded)
    finally:
        cleanup()


def _run(rows: int, *, unbounded: bool) -> None:
    import django

    django.setup()

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from cchc.lib import files
    from cchc.lib.errors import ServiceError
    from cchc.lib.spreadsheet import max_import_rows
    from cchc.organisations.excel import import_units
    from cchc.organisations.models import UnitKind
    from cchc.organisations.services import UnitData, unit_create

    call_command("migrate", verbosity=0)
    parent = unit_create(
        actor=None, data=UnitData(name="Phường Thử Nghiệm", kind=UnitKind.COMMUNE, code="B"), parent=None
    )
    cap = max_import_rows()
    started = time.perf_counter()
    large = _workbook(rows, parent.code)
    at_cap = _workbook(cap, parent.code, bad_last_row=True)
    print(f"Wrote {rows:,} rows ({len(large) / MB:.1f} MB) and {cap:,} rows in {time.perf_counter() - started:.0f} s")

    figures: dict[str, Any] = {"rows": rows, "file_mb": round(len(large) / MB, 1), "cap_rows": cap}

    seconds, peak, count = _measure(lambda: _iterate(large))
    figures.update(reference_seconds=seconds, reference_peak_mb=peak)
    print(f"Reference, openpyxl iteration of {count:,} rows:   {seconds:7.2f} s, peak {peak:7.1f} MB")

    if unbounded:
        seconds, peak, count = _measure(lambda: _list_all(large))
        figures.update(unbounded_seconds=seconds, unbounded_peak_mb=peak)
        print(f"Previous reading, all {count:,} rows in a list:   {seconds:7.2f} s, peak {peak:7.1f} MB")

    seconds, peak, _kind = _measure(
        lambda: files.check_upload(SimpleUploadedFile("b.xlsx", large), kinds=[files.XLSX], parse_xml=False)[0]
    )
    figures.update(check_seconds=seconds, check_peak_mb=peak, check_result=_kind)
    print(f"Upload checks (size, zip, parts):              {seconds:7.2f} s, peak {peak:7.1f} MB — {_kind}")

    def refused() -> str:
        try:
            import_units(actor=None, data=large)
        except ServiceError as exc:
            return exc.message
        raise AssertionError("a file above the cap was imported")

    seconds, peak, message = _measure(refused)
    figures.update(import_large_seconds=seconds, import_large_peak_mb=peak)
    print(f"Import of the large file (refused at the cap): {seconds:7.2f} s, peak {peak:7.1f} MB — {message}")

    seconds, peak, count = _measure(lambda: _iterate(at_cap))
    figures.update(reference_cap_seconds=seconds, reference_cap_peak_mb=peak)
    print(f"Reference, openpyxl iteration of {count:,} rows:    {seconds:7.2f} s, peak {peak:7.1f} MB")

    def checked() -> list[str]:
        report = import_units(actor=None, data=at_cap)
        assert len(report.errors) == 1 and report.created == 0, report.lines()[:3]
        return report.lines()

    seconds, peak, lines = _measure(checked)
    figures.update(import_cap_seconds=seconds, import_cap_peak_mb=peak)
    figures["import_cap_ratio"] = round(seconds / max(figures["reference_cap_seconds"], 0.01), 1)
    print(
        f"Import of {cap:,} rows checked, one bad row:      {seconds:7.2f} s, peak {peak:7.1f} MB"
        f"  ({figures['import_cap_ratio']}x reference) — {lines[0]}"
    )
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(f"Load average (1 min) at the end: {figures['load_average_1min']} on {os.cpu_count()} processors")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
