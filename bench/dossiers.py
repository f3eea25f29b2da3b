"""Benchmark of the dossier import and of the yearly KPI table.

Run from the repository root::

    .venv/bin/python bench/dossiers.py                       # 1,000,000 rows, SQLite in a temporary file
    .venv/bin/python bench/dossiers.py --rows 100000 --kpi-rows 0
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench .venv/bin/python bench/dossiers.py

Part 1, the import. It builds a tree of about 300 receiving units (a province, its departments and communes) and a
catalogue of about 300 procedures, and writes a CSV file of ``--rows`` dossiers in the layout of the record synced
to the national portal (preset ``dvcqg-dong-bo``: status and channel codes, ``yyyyMMddHHmmss`` dates, fees, flags),
drawn by the demo generator (:func:`cchc.procedures.demo.dossier_rows`: per-unit volumes, late rates, channels). Then,
on the configured database:

* the reference: the database's own bulk load of the same file into an equivalent table (the file's columns typed
  as the database reads them, the same indexes as the dossier table: a unique index on the code and its three
  composite indexes; no conversion of codes to keys and no checks), in one transaction: PostgreSQL
  ``COPY … FROM STDIN (FORMAT csv)`` into a table of the dossier table's shape there (partitioned by year of the
  received date, the code's index plain, the codes' uniqueness kept by a key table filled from the copied rows by one
  ``INSERT … SELECT``, decision 26); SQLite ``executemany`` of the rows read by :mod:`csv`;
* the import, as ``cchc import_dossiers FILE --source … --preset dvcqg-dong-bo`` runs it (the same reader and service
  function), in a child process forked for it: rows per second, and the resident-set high-water mark of that
  process (``VmHWM`` of ``/proc/self/status``: Python objects and C buffers alike, the figure a worker's memory
  limit sees), and its growth over the resident size at the start;
* the same file imported a second time (every row unchanged), unless ``--no-reimport``.

``copy_ratio`` is the import's rows per second divided by the reference's (target: at least 0.5).

Part 2, the KPI table (needs :mod:`cchc.procedures.kpis`; skipped with a note otherwise, or with ``--kpi-rows 0``).
``--kpi-rows`` dossiers (default 10,000,000) of one year are written straight into the dossier table (PostgreSQL
``COPY``, SQLite ``executemany``), the rollups are refreshed, and ``kpi_table`` for every unit over the year is timed
(best of 3 after a warm-up). Reference: DuckDB (when installed) scanning the same rows, loaded from a CSV copy
into its own table, computing the same figures per unit and rolling them up the tree (best of 3 after a warm-up).
``duckdb_ratio`` is DuckDB's time divided by ``kpi_table``'s: above 1, the KPI table is faster than the scan.

The last line printed is one JSON object with every figure. SQLite: a fresh database file in a temporary
directory, removed afterwards. PostgreSQL: the database named in ``DATABASE_URL`` is dropped and created again, so
its name must contain "bench" (otherwise ``cchc_bench`` on the same server is used).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
os.environ.setdefault("DEBUG", "false")  # as a production worker runs: no log of every query in memory

from units import _prepare_database  # noqa: E402  (the same database preparation as every benchmark)

MB = 1024 * 1024
SOURCE = "Hệ thống một cửa (benchmark)"
PROVINCE = "BM"
DEPARTMENTS = 30
COMMUNES = 270
PROCEDURE_VARIANTS = 5
KPI_YEAR = 2025
HEADER = [
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "MaDonVi",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "TrangThaiHoSo",
    "KenhThucHien",
    "LePhi",
    "DuocThanhToanTrucTuyen",
    "HoSoCoThanhPhanSoHoa",
    "KetQuaSoHoa",
    "CoKetQuaDienTu",
    "NgayXinLoi",
    "SoLanBoSung",
]


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _in_child(function: Callable[[], Any]) -> dict[str, Any]:
    """Run ``function`` in a forked child: its seconds, resident high-water mark (MB), the growth of the resident set
    over its size at the start (MB), and its JSON result."""
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
            result = {"error": f"{type(exc).__name__}: {exc}"}
        seconds = time.perf_counter() - started
        high_kb = _status_kb("VmHWM")
        with os.fdopen(write_end, "w") as pipe:
            json.dump(
                {
                    "seconds": seconds,
                    "peak_mb": round(high_kb / 1024, 1),
                    "growth_mb": round((high_kb - start_kb) / 1024, 1),
                    "result": result,
                },
                pipe,
            )
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        measured = json.load(pipe)
    os.waitpid(pid, 0)
    if isinstance(measured["result"], dict) and "error" in measured["result"]:
        raise SystemExit(measured["result"]["error"])
    return measured


# --- Data ------------------------------------------------------------------------------------------------------------


def _build_tree() -> list[tuple[int, str, str]]:
    """A province with its departments and communes; (id, code, kind) of the receiving units."""
    from cchc.organisations.models import Unit, UnitKind
    from cchc.organisations.services import UnitData, units_bulk_insert

    rows: list[tuple[UnitData, str | None]] = [
        (UnitData(name="Tỉnh Thử Nghiệm", kind=UnitKind.PROVINCE, code=PROVINCE), None)
    ]
    rows += [
        (UnitData(name=f"Sở Thử Nghiệm {number}", kind=UnitKind.DEPARTMENT, code=f"{PROVINCE}-S{number:02d}"), PROVINCE)
        for number in range(1, DEPARTMENTS + 1)
    ]
    rows += [
        (UnitData(name=f"Xã Thử Nghiệm {number}", kind=UnitKind.COMMUNE, code=f"{PROVINCE}-X{number:03d}"), PROVINCE)
        for number in range(1, COMMUNES + 1)
    ]
    units_bulk_insert(actor=None, rows=rows)
    return list(
        Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.COMMUNE])
        .order_by("code")
        .values_list("pk", "code", "kind")
    )


def _catalogue() -> list[Any]:
    """The demo catalogue in ``PROCEDURE_VARIANTS`` copies (about 300 procedures), stored; returns their specs."""
    from dataclasses import replace

    from cchc.lib.text import fold
    from cchc.procedures.demo import CATALOGUE
    from cchc.procedures.models import Procedure

    specs = [
        replace(spec, code=f"{spec.code}.{variant}", name=f"{spec.name} ({variant})")
        for spec in CATALOGUE
        for variant in range(1, PROCEDURE_VARIANTS + 1)
    ]
    Procedure.objects.bulk_create(
        [
            Procedure(
                code=spec.code,
                name=spec.name,
                name_key=fold(spec.name),
                field=spec.field,
                level=spec.level,
                online_level=spec.online_level,
                fee_bearing=spec.fee > 0,
            )
            for spec in specs
        ]
    )
    return specs


def _generated(units: list[tuple[int, str, str]], specs: list[Any], rows: int, seed: int, year: int) -> Iterator[Any]:
    from cchc.procedures.demo import dossier_rows, profiles

    rng = random.Random(seed)
    return dossier_rows(
        units=profiles(units, specs, rng),
        procedures=specs,
        start=datetime.date(year, 1, 1),
        end=datetime.date(year, 12, 31),
        rng=rng,
        total=rows,
    )


def _write_csv(path: Path, units: list[tuple[int, str, str]], specs: list[Any], rows: int) -> None:
    """The portal-layout CSV of ``rows`` dossiers, written as they are generated."""
    from cchc.procedures.presets import PORTAL_SYNC

    status_code = {value: code for code, value in PORTAL_SYNC.codes["status"].items()}
    channel_code = {value: code for code, value in PORTAL_SYNC.codes["channel"].items()}
    stamps: dict[Any, str] = {}

    def stamp(day: datetime.date | None, time_of_day: str = "160000") -> str:
        if day is None:
            return ""
        text = stamps.get(day)
        if text is None:
            text = stamps[day] = f"{day:%Y%m%d}"
        return text + time_of_day

    times = [f"{hour:02d}{minute:02d}00" for hour in range(7, 17) for minute in range(0, 60, 5)]
    flag = ("0", "1")
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in _generated(units, specs, rows, seed=1, year=KPI_YEAR):
            spec = specs[row.procedure]
            writer.writerow(
                (
                    row.code,
                    spec.code,
                    spec.name,
                    row.unit.code,
                    stamp(row.received_on, rng.choice(times)),
                    stamp(row.due_on),
                    stamp(row.finished_on),
                    stamp(row.returned_on),
                    status_code[row.status],
                    channel_code[row.channel],
                    row.fee or "",
                    flag[row.paid_online],
                    flag[row.inputs_digitised],
                    flag[row.results_digitised],
                    flag[row.electronic_result],
                    stamp(row.apology_on),
                    row.supplement_requests,
                )
            )


# --- Part 1: the import against the database's bulk load -------------------------------------------------------------

REFERENCE_TABLE = "bench_copy_reference"
REFERENCE_COLUMNS = [
    ("ma_ho_so", "varchar(100) NOT NULL"),
    ("ma_tthc", "varchar(100)"),
    ("ten_tthc", "varchar(500)"),
    ("ma_don_vi", "varchar(100)"),
    ("ngay_tiep_nhan", "bigint"),
    ("ngay_hen_tra", "bigint"),
    ("ngay_ket_thuc", "bigint"),
    ("ngay_tra", "bigint"),
    ("trang_thai", "smallint"),
    ("kenh", "smallint"),
    ("le_phi", "numeric(14, 0)"),
    ("thanh_toan_truc_tuyen", "smallint"),
    ("so_hoa", "smallint"),
    ("ket_qua_so_hoa", "smallint"),
    ("ket_qua_dien_tu", "smallint"),
    ("ngay_xin_loi", "bigint"),
    ("so_lan_bo_sung", "smallint"),
]
# The dossier table's indexes, on the file's columns: unique code, (unit, received), (unit, finished),
# (procedure, received). The reference follows the dossier table: when the single-column indexes on unit and
# procedure were dropped there (the composite indexes cover them), they were dropped here too, so the ratio does not
# gain from an index the reference pays for and the import no longer does (docs/performance.md).
REFERENCE_INDEXES = [
    ("UNIQUE", "ma_ho_so"),
    ("", "ma_don_vi, ngay_tiep_nhan"),
    ("", "ma_don_vi, ngay_ket_thuc"),
    ("", "ma_tthc, ngay_tiep_nhan"),
]


REFERENCE_KEYS = f"{REFERENCE_TABLE}_key"
# On PostgreSQL the dossier table is partitioned by year of the received date, its codes kept unique by a key table
# the import fills from the rows stored (decision 26): the reference takes the same shape — partitioned by year of
# the received stamp (``YYYYMMDDhhmmss``, so a year is a range of numbers), the year of the file, this year and the
# next and a DEFAULT partition, primary key (id, received), the code's index plain, and the key rows written by one
# ``INSERT … SELECT`` from the rows copied, in the same transaction.
STAMP_YEAR = 10_000_000_000


def _year_partitions() -> None:
    """The dossier table's partition of the file's year (PostgreSQL), which a fresh database lacks: the migration
    makes this year's and the next."""
    from cchc.lib.partitions import partitions_ensure

    partitions_ensure(years=(KPI_YEAR,))


def _reference_tables(cursor: Any) -> None:
    from django.db import connection

    columns = ", ".join(f"{name} {kind}" for name, kind in REFERENCE_COLUMNS)
    cursor.execute(f"DROP TABLE IF EXISTS {REFERENCE_TABLE}, {REFERENCE_KEYS}")
    if connection.vendor != "postgresql":
        cursor.execute(f"CREATE TABLE {REFERENCE_TABLE} (id integer PRIMARY KEY, {columns})")
        for number, (unique, indexed) in enumerate(REFERENCE_INDEXES):
            cursor.execute(f"CREATE {unique} INDEX {REFERENCE_TABLE}_{number} ON {REFERENCE_TABLE} ({indexed})")
        return
    cursor.execute(
        f"CREATE TABLE {REFERENCE_TABLE} (id bigserial, {columns}, PRIMARY KEY (id, ngay_tiep_nhan)) "
        "PARTITION BY RANGE (ngay_tiep_nhan)"
    )
    this_year = datetime.date.today().year
    for year in sorted({KPI_YEAR, this_year, this_year + 1}):
        cursor.execute(
            f"CREATE TABLE {REFERENCE_TABLE}_y{year} PARTITION OF {REFERENCE_TABLE} "
            f"FOR VALUES FROM ({year * STAMP_YEAR}) TO ({(year + 1) * STAMP_YEAR})"
        )
    cursor.execute(f"CREATE TABLE {REFERENCE_TABLE}_default PARTITION OF {REFERENCE_TABLE} DEFAULT")
    for number, (_unique, indexed) in enumerate(REFERENCE_INDEXES):
        cursor.execute(f"CREATE INDEX {REFERENCE_TABLE}_{number} ON {REFERENCE_TABLE} ({indexed})")
    cursor.execute(
        f"CREATE TABLE {REFERENCE_KEYS} (ma_ho_so varchar(100) PRIMARY KEY, id bigint NOT NULL, ngay_tiep_nhan bigint)"
    )


def _reference_load(path: Path) -> int:
    """The database's own bulk load of the file into the equivalent table, in one transaction; rows loaded."""
    from django.db import connection, transaction

    names = ", ".join(name for name, _kind in REFERENCE_COLUMNS)
    with connection.cursor() as cursor:
        _reference_tables(cursor)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                path.open("rb") as handle,
                cursor.cursor.copy(
                    f"COPY {REFERENCE_TABLE} ({names}) FROM STDIN WITH (FORMAT csv, HEADER true)"
                ) as copy,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            cursor.execute(
                f"INSERT INTO {REFERENCE_KEYS} (ma_ho_so, id, ngay_tiep_nhan) "  # noqa: S608
                f"SELECT ma_ho_so, id, ngay_tiep_nhan FROM {REFERENCE_TABLE}"
            )
        else:
            placeholders = ", ".join("?" for _column in REFERENCE_COLUMNS)
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.reader(handle)
                next(reader)
                cursor.executemany(f"INSERT INTO {REFERENCE_TABLE} ({names}) VALUES ({placeholders})", reader)  # noqa: S608
        cursor.execute(f"SELECT count(*) FROM {REFERENCE_TABLE}")  # noqa: S608
        return int(cursor.fetchone()[0])


PAIR_PARALLEL_MIN_ROWS = 5_000


def _import(path: Path, source: str = SOURCE, parallel_min_rows: int | None = None) -> dict[str, Any]:
    """The import as the command runs it: the file's rows read as a stream, through the service function."""
    from cchc.procedures import services
    from cchc.procedures.presets import PORTAL_SYNC
    from cchc.procedures.reader import iter_file_rows
    from cchc.procedures.services import dossiers_import

    # The import ends by bringing the KPI rollups of the months it wrote up to date (adding the counts of new
    # dossiers, or recounting the months of changed ones): timed apart, to be reported apart.
    spent = [0.0]

    def timed(function: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started

        return run

    for name in ("rollups_refresh", "rollups_add_import", "rollups_add"):
        if hasattr(services, name):
            setattr(services, name, timed(getattr(services, name)))
    if parallel_min_rows is not None:  # in the forked child only
        from django.test import override_settings

        override_settings(CCHC_DOSSIER_PARALLEL_MIN_ROWS=parallel_min_rows).enable()
    with path.open("rb") as handle:
        report = dossiers_import(
            actor=None,
            rows=iter_file_rows(handle, name=path.name),
            source=source,
            preset=PORTAL_SYNC,
            file_name=path.name,
        )
    if report.bad_rows:
        raise AssertionError(report.error_lines()[:3])
    return {
        "rollups_seconds": round(spent[0], 2),
        "read": report.rows_read,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        # the parsing process, when the file was parsed in one (its own resident high-water mark)
        "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def part_import(rows: int, directory: Path, *, reimport: bool, figures: dict[str, Any], pair: bool = False) -> None:
    from django.db import connection

    units = _build_tree()
    specs = _catalogue()
    path = directory / "dossiers.csv"
    started = time.perf_counter()
    _write_csv(path, units, specs, rows)
    size = path.stat().st_size
    figures.update(rows=rows, units=len(units), procedures=len(specs), file_mb=round(size / MB, 1))
    print(
        f"Database: {connection.vendor}. Wrote {rows:,} dossier rows ({size / MB:.1f} MB, {len(units)} units, "
        f"{len(specs)} procedures) in {time.perf_counter() - started:.1f} s"
    )

    reference = _in_child(lambda: _reference_load(path))
    assert reference["result"] == rows, reference
    figures["reference_seconds"] = round(reference["seconds"], 2)
    figures["reference_rows_per_second"] = round(rows / reference["seconds"])
    kind = "COPY" if connection.vendor == "postgresql" else "executemany"
    print(
        f"Reference, {kind} of the file into an equivalent table: {reference['seconds']:8.2f} s, "
        f"{figures['reference_rows_per_second']:>9,} rows/s"
    )

    if pair:
        # The same file parsed in the import's own process, into another source, just before the import parsed in a
        # second process: the pair to compare.
        single = _in_child(lambda: _import(path, source=SOURCE + "-single", parallel_min_rows=0))
        assert single["result"]["created"] == rows, single["result"]
        figures["single_process_rows_per_second"] = round(rows / single["seconds"])
        figures["single_process_copy_ratio"] = round(
            figures["single_process_rows_per_second"] / figures["reference_rows_per_second"], 3
        )
        figures["single_process_peak_mb"] = single["peak_mb"]
        print(
            f"Import parsed in one process (the pair, another source): {single['seconds']:8.2f} s, "
            f"{figures['single_process_rows_per_second']:>9,} rows/s = {figures['single_process_copy_ratio']} x "
            f"reference; resident high-water {single['peak_mb']} MB"
        )
        print(f"  load average (1 min) after it: {os.getloadavg()[0]:.2f}")
    # with --pair, the file parsed in a second process (CCHC_DOSSIER_PARALLEL_MIN_ROWS, off by default)
    measured = _in_child(lambda: _import(path, parallel_min_rows=PAIR_PARALLEL_MIN_ROWS if pair else None))
    counts = measured["result"]
    figures["worker_peak_mb"] = counts["worker_peak_mb"]
    assert counts["created"] == rows, counts
    figures["import_seconds"] = round(measured["seconds"], 2)
    figures["rows_per_second"] = round(rows / measured["seconds"])
    figures["peak_mb"] = measured["peak_mb"]
    figures["peak_growth_mb"] = measured["growth_mb"]
    figures["import_rollups_seconds"] = counts["rollups_seconds"]
    figures["copy_ratio"] = round(figures["rows_per_second"] / figures["reference_rows_per_second"], 3)
    print(
        f"{'Import parsed in a second process' if pair else 'Import (cchc import_dossiers, all new)':<55}"
        f"{measured['seconds']:8.2f} s, "
        f"{figures['rows_per_second']:>9,} rows/s = {figures['copy_ratio']} x reference; "
        f"resident high-water {measured['peak_mb']} MB (+{measured['growth_mb']} MB over the start)"
        + (f"; parsing process {counts['worker_peak_mb']} MB" if pair else "")
    )
    print(f"  of which the refresh of the KPI rollups of the months written: {counts['rollups_seconds']:.2f} s")
    if reimport:
        again = _in_child(lambda: _import(path))
        assert again["result"]["unchanged"] == rows, again["result"]
        figures["reimport_seconds"] = round(again["seconds"], 2)
        figures["reimport_rows_per_second"] = round(rows / again["seconds"])
        figures["reimport_peak_mb"] = again["peak_mb"]
        figures["reimport_rollups_seconds"] = again["result"]["rollups_seconds"]
        print(
            f"Same file again (every row unchanged):                {again['seconds']:8.2f} s, "
            f"{figures['reimport_rows_per_second']:>9,} rows/s; resident high-water {again['peak_mb']} MB"
        )
    path.unlink()


# --- Part 2: the KPI table against a DuckDB scan ----------------------------------------------------------------------

DUCKDB_COLUMNS = (
    "unit_id",
    "procedure_id",
    "received_on",
    "due_on",
    "finished_on",
    "status",
    "channel",
    "fee",
    "paid_online",
    "inputs_digitised",
    "electronic_result",
    "apology_on",
    "supplement_requests",
    "returned_or_withdrawn",
)


def _insert_dossiers(rows: int, directory: Path) -> Path:
    """``rows`` dossiers of ``KPI_YEAR`` written straight into the dossier table; the same rows in a CSV file for
    DuckDB (returned)."""
    from django.db import connection, transaction

    from cchc.procedures.models import Dossier, Procedure

    units = _units() if _has_units() else _build_tree()
    specs = _specs()
    procedure_ids = dict(Procedure.objects.values_list("code", "pk"))
    ids = [procedure_ids[spec.code] for spec in specs]
    table = Dossier._meta.db_table
    columns = (
        "source, code, procedure_id, unit_id, received_on, due_on, finished_on, returned_on, status, channel, fee, "
        "paid_online, inputs_digitised, results_digitised, electronic_result, apology_on, supplement_requests, "
        "returned_or_withdrawn, created_at, updated_at"
    )
    now: Any = datetime.datetime.now(datetime.UTC)
    if connection.vendor == "sqlite":
        now = now.replace(tzinfo=None).isoformat(" ")  # Django keeps naive UTC text in SQLite
    source = "Sinh trực tiếp (benchmark)"
    out = directory / "kpi_rows.csv"
    postgres = connection.vendor == "postgresql"
    null, true, false = ("\\N", "t", "f") if postgres else (None, 1, 0)

    def value(item: Any) -> Any:
        if item is None:
            return null
        if item is True:
            return true
        if item is False:
            return false
        return item

    with out.open("w", newline="", encoding="utf-8") as side, transaction.atomic(), connection.cursor() as cursor:
        writer = csv.writer(side)
        writer.writerow(DUCKDB_COLUMNS)

        def records() -> Iterator[list[Any]]:
            for row in _generated(units, specs, rows, seed=2, year=KPI_YEAR):
                procedure = ids[row.procedure]
                writer.writerow(
                    (
                        row.unit.unit_id,
                        procedure,
                        row.received_on,
                        row.due_on,
                        row.finished_on or "",
                        row.status,
                        row.channel,
                        row.fee or "",
                        int(row.paid_online),
                        int(row.inputs_digitised),
                        int(row.electronic_result),
                        row.apology_on or "",
                        row.supplement_requests,
                        int(row.returned_or_withdrawn),
                    )
                )
                yield [
                    source,
                    row.code,
                    procedure,
                    row.unit.unit_id,
                    row.received_on,
                    row.due_on,
                    value(row.finished_on),
                    value(row.returned_on),
                    row.status,
                    row.channel,
                    value(row.fee),
                    value(row.paid_online),
                    value(row.inputs_digitised),
                    value(row.results_digitised),
                    value(row.electronic_result),
                    value(row.apology_on),
                    row.supplement_requests,
                    value(row.returned_or_withdrawn),
                    now,
                    now,
                ]

        if postgres:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                buffer: list[str] = []
                for record in records():
                    buffer.append("\t".join(map(str, record)))
                    if len(buffer) >= 10_000:
                        copy.write("\n".join(buffer) + "\n")
                        buffer = []
                if buffer:
                    copy.write("\n".join(buffer) + "\n")
        else:
            placeholders = ", ".join("?" for _column in columns.split(", "))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", records())  # noqa: S608
    return out


def _has_units() -> bool:
    from cchc.organisations.models import Unit

    return Unit.objects.filter(code=PROVINCE).exists()


def _units() -> list[tuple[int, str, str]]:
    from cchc.organisations.models import Unit, UnitKind

    return list(
        Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.COMMUNE])
        .order_by("code")
        .values_list("pk", "code", "kind")
    )


def _specs() -> list[Any]:
    from dataclasses import replace

    from cchc.procedures.demo import CATALOGUE
    from cchc.procedures.models import Procedure

    specs = [
        replace(spec, code=f"{spec.code}.{variant}", name=f"{spec.name} ({variant})")
        for spec in CATALOGUE
        for variant in range(1, PROCEDURE_VARIANTS + 1)
    ]
    if not Procedure.objects.filter(code=specs[0].code).exists():
        return _catalogue()
    return specs


def _best_of(function: Callable[[], Any], rounds: int = 3) -> float:
    function()  # warm-up
    timings = []
    for _round in range(rounds):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


DUCKDB_QUERY = """
WITH per_unit AS (
    SELECT d.unit_id,
        count(*) FILTER (WHERE received_on BETWEEN $start AND $end) AS received,
        count(*) FILTER (WHERE received_on BETWEEN $start AND $end AND channel = 'online') AS received_online,
        count(*) FILTER (WHERE received_on BETWEEN $start AND $end AND channel = 'postal') AS received_postal,
        count(*) FILTER (WHERE received_on BETWEEN $start AND $end AND p.online_level = 'full') AS received_full,
        count(*) FILTER (WHERE received_on BETWEEN $start AND $end AND p.online_level = 'full'
                         AND channel = 'online') AS received_full_online,
        count(*) FILTER (WHERE received_on BETWEEN $start AND $end AND inputs_digitised) AS received_digitised,
        count(*) FILTER (WHERE received_on BETWEEN $start AND $end AND fee > 0) AS received_fee,
        count(*) FILTER (WHERE received_on BETWEEN $start AND $end AND fee > 0 AND paid_online) AS received_paid,
        count(*) FILTER (WHERE finished_on BETWEEN $start AND $end) AS finished,
        count(*) FILTER (WHERE finished_on BETWEEN $start AND $end AND ON_TIME) AS on_time,
        count(*) FILTER (WHERE finished_on BETWEEN $start AND $end AND electronic_result) AS e_result,
        count(*) FILTER (WHERE finished_on BETWEEN $start AND $end AND apology_on IS NOT NULL AND NOT ON_TIME)
            AS late_apology,
        sum(finished_on - received_on) FILTER (WHERE finished_on BETWEEN $start AND $end) AS finished_days,
        count(*) FILTER (WHERE received_on <= $end AND due_on < $end AND (finished_on IS NULL OR finished_on > $end)
                         AND status NOT IN ('withdrawn', 'suspended', 'rejected', 'new')) AS overdue_pending
    FROM dossiers d JOIN procedures p ON p.id = d.procedure_id
    WHERE status NOT IN ('new', 'rejected')
    GROUP BY d.unit_id
)
SELECT a.ancestor_id, sum(received), sum(received_online), sum(received_postal), sum(received_full),
    sum(received_full_online), sum(received_digitised), sum(received_fee), sum(received_paid), sum(finished),
    sum(on_time), sum(e_result), sum(late_apology), sum(finished_days), sum(overdue_pending)
FROM per_unit JOIN ancestry a ON a.unit_id = per_unit.unit_id
GROUP BY a.ancestor_id
""".replace(
    "ON_TIME",
    "(status = 'withdrawn' OR returned_or_withdrawn OR ((due_on IS NULL OR finished_on <= due_on)"
    " AND ($limit = 0 OR supplement_requests <= $limit)))",
)


def _duckdb_seconds(
    csv_path: Path, start: datetime.date, end: datetime.date
) -> tuple[float | None, str, dict[int, tuple[Any, ...]]]:
    """DuckDB's best time for the same figures per unit subtree, a note on the engine, and its figures by unit."""
    try:
        import duckdb
    except ImportError:
        return None, "DuckDB is not installed (pip install -e '.[bench]'): no DuckDB reference", {}
    from cchc.organisations.models import Unit
    from cchc.procedures.kpis import late_after_supplements
    from cchc.procedures.models import Procedure

    database = duckdb.connect()
    database.execute(f"CREATE TABLE dossiers AS SELECT * FROM read_csv_auto('{csv_path}', header = true)")  # noqa: S608
    database.execute("CREATE TABLE procedures (id BIGINT, online_level VARCHAR)")
    database.executemany(
        "INSERT INTO procedures VALUES (?, ?)", list(Procedure.objects.values_list("pk", "online_level"))
    )
    paths = dict(Unit.objects.values_list("pk", "path"))
    by_path = {path: pk for pk, path in paths.items()}
    pairs = [
        (by_path[ancestor], pk)
        for pk, path in paths.items()
        for ancestor in (path[:end] for end in range(1, len(path) + 1))
        if ancestor in by_path
    ]
    database.execute("CREATE TABLE ancestry (ancestor_id BIGINT, unit_id BIGINT)")
    database.executemany("INSERT INTO ancestry VALUES (?, ?)", pairs)
    parameters = {"start": start, "end": end, "limit": late_after_supplements()}
    seconds = _best_of(lambda: database.execute(DUCKDB_QUERY, parameters).fetchall())
    threads = database.execute("SELECT current_setting('threads')").fetchone()
    totals = {row[0]: row for row in database.execute(DUCKDB_QUERY, parameters).fetchall()}
    return seconds, f"DuckDB {duckdb.__version__}, {threads[0] if threads else '?'} threads, in-memory table", totals


def part_kpis(rows: int, directory: Path, figures: dict[str, Any]) -> None:
    import importlib.util

    from django.db import connection

    if importlib.util.find_spec("cchc.procedures.kpis") is None:
        print("KPI table: skipped, cchc.procedures.kpis is not there yet (no rollups, no kpi_table).")
        figures.update(kpi_table_seconds=None, duckdb_seconds=None, duckdb_ratio=None)
        return
    from cchc.lib.periods import Period
    from cchc.organisations.models import Unit
    from cchc.procedures import kpis
    from cchc.procedures.models import Dossier

    with connection.cursor() as cursor:  # the KPI table and DuckDB then read the same rows
        cursor.execute(f"DELETE FROM {Dossier._meta.db_table} WHERE source = %s", [SOURCE])  # noqa: S608
    started = time.perf_counter()
    csv_path = _insert_dossiers(rows, directory)
    figures["kpi_rows"] = rows
    figures["kpi_insert_seconds"] = round(time.perf_counter() - started, 1)
    print(f"Wrote {rows:,} dossiers of {KPI_YEAR} straight into the table in {figures['kpi_insert_seconds']} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    refreshed = kpis.rollups_refresh()
    figures["rollups_refresh_seconds"] = round(time.perf_counter() - started, 1)
    print(f"rollups_refresh() over every dossier: {figures['rollups_refresh_seconds']} s ({refreshed} rollup rows)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    units = list(Unit.objects.all())
    period = Period.from_key(str(KPI_YEAR))
    table: list[Any] = []
    seconds = _best_of(lambda: table.__setitem__(slice(None), kpis.kpi_table(units, period)))
    if connection.vendor == "postgresql":
        # Right after a bulk load PostgreSQL's visibility map is empty: the overdue snapshot's index-only scans then
        # read the table's pages too. VACUUM sets it; an import of this size runs it when it ends
        # (services.dossiers_analyze_after), so that is the state the table is timed in; both are printed.
        figures["kpi_table_seconds_before_vacuum"] = round(seconds, 4)
        print(f"kpi_table(all {len(units)} units, {KPI_YEAR}), before VACUUM, best of 3: {seconds:.4f} s")
        from cchc.procedures.services import dossiers_analyze

        started = time.perf_counter()
        dossiers_analyze()
        figures["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 1)
        print(
            "VACUUM ANALYZE of the dossier and rollup tables, as a large import ends "
            f"(services.dossiers_analyze): {figures['vacuum_analyze_seconds']} s"
        )
        seconds = _best_of(lambda: table.__setitem__(slice(None), kpis.kpi_table(units, period)))
    figures["kpi_table_seconds"] = round(seconds, 4)
    print(f"kpi_table(all {len(units)} units, {KPI_YEAR}), best of 3 after a warm-up: {seconds:.4f} s")
    duck_seconds, note, totals = _duckdb_seconds(csv_path, period.start, period.end)
    root = next(row for row in table if row.unit.parent_id is None)
    if root.unit.pk in totals:
        duck = totals[root.unit.pk]
        same = (duck[1], duck[9], duck[10]) == (root.received, root.finished, root.on_time)
        figures["same_figures"] = same
        print(
            f"Province {root.unit.code}: received {root.received:,}, finished {root.finished:,}, on time "
            f"{root.on_time:,} (kpi_table); {duck[1]:,}, {duck[9]:,}, {duck[10]:,} (DuckDB)"
            + ("" if same else "  <-- DIFFERENT")
        )
    figures["duckdb_seconds"] = round(duck_seconds, 4) if duck_seconds is not None else None
    figures["duckdb_ratio"] = round(duck_seconds / seconds, 2) if duck_seconds is not None else None
    print(f"Reference, {note}: " + (f"{duck_seconds:.4f} s" if duck_seconds is not None else "not measured"))
    csv_path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="dossier rows of the CSV file (default 1,000,000)")
    parser.add_argument(
        "--kpi-rows", type=int, default=10_000_000, help="dossiers for the KPI table (default 10,000,000; 0 skips)"
    )
    parser.add_argument("--no-reimport", action="store_true", help="do not import the file a second time")
    parser.add_argument(
        "--pair",
        action="store_true",
        help="import the file parsed in one process, then parsed in a second process (into another source), to compare",
    )
    options = parser.parse_args()
    cleanup = _prepare_database()
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        _year_partitions()
        figures: dict[str, Any] = {}
        with tempfile.TemporaryDirectory(prefix="cchc-dossiers-") as directory:
            if options.rows:
                part_import(
                    options.rows, Path(directory), reimport=not options.no_reimport, figures=figures, pair=options.pair
                )
            if options.kpi_rows:
                part_kpis(options.kpi_rows, Path(directory), figures)
            else:
                figures.update(kpi_table_seconds=None, duckdb_ratio=None)
        from django.db import connection

        figures["database"] = connection.vendor
        figures["load_average_1min"] = round(os.getloadavg()[0], 2)
        print(f"Load average (1 min) at the end: {figures['load_average_1min']} on {os.cpu_count()} processors")
        for key in ("rows_per_second", "copy_ratio", "peak_mb", "kpi_table_seconds", "duckdb_ratio"):
            figures.setdefault(key, None)
        print(json.dumps(figures))
    finally:
        cleanup()


if __name__ == "__main__":
    main()
