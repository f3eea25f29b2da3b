"""CPU seconds of the dossier import and of the reference ``COPY``, on both sides of the connection (PostgreSQL).

Run from the repository root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench .venv/bin/python bench/dossier_server_cpu.py

On a shared machine wall-clock times move with the other work; CPU seconds much less. This writes the file of
``bench/dossiers.py`` once, then ``--rounds`` times, alternated in this one process: the reference (``COPY`` of the
file into the equivalent table of ``bench/dossiers.py``) and the import into a new source, each after the dossier and
rollup tables were emptied and a ``CHECKPOINT``. For each: CPU seconds of this process (``time.process_time``: the
parsing and ``COPY`` threads) and of its PostgreSQL backend (``utime + stime`` of ``/proc/<pg_backend_pid()>/stat``;
the database server must run on this machine; parallel workers of a query are not counted), and wall seconds.
``server_cpu_ratio`` is the reference's server CPU divided by the import's: on an idle machine, where the import
ends when the server does, the figure ``copy_ratio`` follows. With ``--reimport``, after each import the same file is
imported again into the same source (every row unchanged), then a copy with one row in ten changed (its due date a
day later): ``reimport_server_cpu`` and ``reimport_changed_server_cpu``. The last line printed is one JSON object
(medians).
The database named in ``DATABASE_URL`` is dropped and created again (its name must contain "bench").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dossiers as bench  # sets the settings module and puts the repository on the path
from units import _prepare_database

TICK = os.sysconf("SC_CLK_TCK")


def _backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _measured(function: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """``function()``, and the server CPU, process CPU and wall seconds it took."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = int(cursor.fetchone()[0])
    server, process, wall = _backend_cpu(pid), time.process_time(), time.perf_counter()
    result = function()
    return result, _backend_cpu(pid) - server, time.process_time() - process, time.perf_counter() - wall


def _empty() -> None:
    from django.db import connection

    from cchc.procedures.models import Dossier, DossierKey, DossierMonth, DossierUnitMonth

    tables = ", ".join(model._meta.db_table for model in (Dossier, DossierKey, DossierMonth, DossierUnitMonth))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables}")
        cursor.execute(f"DROP TABLE IF EXISTS {bench.REFERENCE_TABLE}, {bench.REFERENCE_KEYS}")
        cursor.execute("CHECKPOINT")


def _write_changed(path: Path, out: Path) -> int:
    """The file again with one row in ten changed: its due date a day later (a dossier updated in place); returns how
    many rows changed."""
    import csv
    import datetime

    with path.open(newline="", encoding="utf-8") as source, out.open("w", newline="", encoding="utf-8") as target:
        reader, writer = csv.reader(source), csv.writer(target)
        header = next(reader)
        writer.writerow(header)
        due, changed = 5, 0  # the due stamp's column (YYYYMMDDhhmmss)
        for number, row in enumerate(reader):
            if number % 10 == 0 and row[due]:
                day = datetime.datetime.strptime(row[due][:8], "%Y%m%d").date() + datetime.timedelta(days=1)
                row[due] = f"{day:%Y%m%d}{row[due][8:]}"
                changed += 1
            writer.writerow(row)
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="dossier rows of the CSV file (default 200,000)")
    parser.add_argument("--rounds", type=int, default=3, help="reference and import pairs (default 3)")
    parser.add_argument(
        "--reimport",
        action="store_true",
        help="after each import, import the same file again (every row unchanged), then with one row in ten changed",
    )
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("PostgreSQL only: set DATABASE_URL to a benchmark database on this machine.")
    _prepare_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    bench._year_partitions()
    units = bench._build_tree()
    specs = bench._catalogue()
    rounds: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="cchc-dossier-cpu-") as directory:
        path = Path(directory) / "dossiers.csv"
        bench._write_csv(path, units, specs, options.rows)
        changed = Path(directory) / "changed.csv"
        changes = _write_changed(path, changed) if options.reimport else 0
        for number in range(options.rounds):
            _empty()
            _loaded, ref_server, _ref_process, ref_wall = _measured(lambda: bench._reference_load(path))
            _empty()
            source = f"{bench.SOURCE} {number}"
            counts, server, process, wall = _measured(lambda: bench._import(path, source=source))  # noqa: B023
            assert counts["created"] == options.rows, counts
            figures = {
                "reference_server_cpu": round(ref_server, 2),
                "reference_wall": round(ref_wall, 2),
                "import_server_cpu": round(server, 2),
                "import_process_cpu": round(process, 2),
                "import_wall": round(wall, 2),
                "server_cpu_ratio": round(ref_server / server, 3),
                "wall_ratio": round(ref_wall / wall, 3),
                "load_average_1min": round(os.getloadavg()[0], 1),
            }
            if options.reimport:
                again, again_server, _again_process, again_wall = _measured(
                    lambda: bench._import(path, source=source)  # noqa: B023
                )
                assert again["unchanged"] == options.rows, again
                figures.update(reimport_server_cpu=round(again_server, 2), reimport_wall=round(again_wall, 2))
                again, again_server, _again_process, again_wall = _measured(
                    lambda: bench._import(changed, source=source)  # noqa: B023
                )
                assert again["updated"] == changes, again
                figures.update(
                    reimport_changed_server_cpu=round(again_server, 2), reimport_changed_wall=round(again_wall, 2)
                )
                print(
                    f"  re-import: unchanged {figures['reimport_server_cpu']:.2f} s server CPU, "
                    f"{figures['reimport_wall']:.2f} s; one row in ten changed "
                    f"{figures['reimport_changed_server_cpu']:.2f} s server CPU, "
                    f"{figures['reimport_changed_wall']:.2f} s",
                    flush=True,
                )
            rounds.append(figures)
            print(
                f"Round {number + 1}: reference server {ref_server:.2f} s CPU, {ref_wall:.2f} s; import server "
                f"{server:.2f} s CPU, process {process:.2f} s CPU, {wall:.2f} s; server CPU ratio "
                f"{figures['server_cpu_ratio']}, wall ratio {figures['wall_ratio']}; "
                f"load {figures['load_average_1min']}",
                flush=True,
            )
    summary: dict[str, Any] = {"rows": options.rows, "rounds": options.rounds}
    for key in rounds[0]:
        summary[key] = round(statistics.median(round_[key] for round_ in rounds), 3)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
