"""Benchmark of the unit tree at national size.

Run from the repository root::

    .venv/bin/python bench/units.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench .venv/bin/python bench/units.py

It builds the national tree (34 provinces, 3,321 commune-level units, their
departments and offices) in an empty database, then times subtree queries
for every province, the full-tree Excel export and the floor: one raw
``SELECT`` of every unit row on the same database, in the same process. The
last line printed is one JSON object with all figures.

SQLite: a fresh database file in a temporary directory, removed afterwards
(``var/`` is never touched). PostgreSQL: the database named in
``DATABASE_URL`` is dropped and created again, so its name must contain
"bench" (otherwise ``cchc_bench`` on the same server is used).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")

ROUNDS = 5


def _prepare_database() -> Callable[[], None]:
    """Point Django at a database of its own; returns the clean-up to run at the end."""
    url = os.environ.get("DATABASE_URL", "")
    if not url or url.startswith("sqlite"):
        directory = tempfile.mkdtemp(prefix="cchc-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
        os.environ["CCHC_VAR_DIR"] = directory
        return lambda: shutil.rmtree(directory, ignore_errors=True)

    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    name = str(config["NAME"])
    if "bench" not in name:
        print(f"Database {name!r} is not a benchmark database; using 'cchc_bench' on the same server instead.")
        name = "cchc_bench"
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    os.environ.setdefault("CCHC_VAR_DIR", tempfile.mkdtemp(prefix="cchc-bench-"))
    with psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return lambda: None


def _median_seconds(function: Callable[[], Any], rounds: int = ROUNDS) -> float:
    function()  # warm-up: caches, prepared statements, imports
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    cleanup = _prepare_database()
    try:
        _run()
    finally:
        cleanup()


def _run() -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from cchc.demo.national import load_national
    from cchc.organisations.excel import export_units
    from cchc.organisations.models import Unit, UnitKind
    from cchc.organisations.selectors import tree_rows

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    result = load_national()
    build_seconds = time.perf_counter() - started
    units = Unit.objects.count()
    assert result.created == units, "the benchmark database was not empty"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics as a live database would have them after a bulk load
    provinces = list(Unit.objects.filter(kind=UnitKind.PROVINCE))

    def subtree_fetch() -> int:
        return sum(len(list(Unit.objects.subtree_of(province))) for province in provinces)

    def subtree_count() -> int:
        return sum(Unit.objects.subtree_of(province).count() for province in provinces)

    def subtree_range() -> int:
        # The same subtrees as an explicit range on ``path``: segments use only [0-9a-z] and "~" sorts after
        # them in a binary collation (SQLite's default), so ``path >= p AND path < p || "~"`` is the subtree.
        return sum(
            len(list(Unit.objects.filter(path__gte=province.path, path__lt=province.path + "~")))
            for province in provinces
        )

    exported: dict[str, int] = {}

    def export() -> None:
        exported["bytes"] = len(export_units(Unit.objects.all()))

    def order_tree() -> None:
        tree_rows(Unit.objects.all())

    table = Unit._meta.db_table

    def floor() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table name from the model, no input
            return len(cursor.fetchall())

    assert subtree_fetch() == subtree_count() == units
    assert floor() == units
    figures: dict[str, Any] = {
        "database": connection.vendor,
        "units": units,
        "provinces": len(provinces),
        "build_seconds": round(build_seconds, 3),
        "subtree_all_provinces_seconds": _median_seconds(subtree_fetch),
        "subtree_count_all_provinces_seconds": _median_seconds(subtree_count),
        "tree_rows_seconds": _median_seconds(order_tree, rounds=3),
        "export_seconds": _median_seconds(export, rounds=3),
        "floor_seconds": _median_seconds(floor),
    }
    figures["export_bytes"] = exported["bytes"]
    if connection.vendor == "sqlite":
        assert subtree_range() == units
        figures["subtree_range_all_provinces_seconds"] = _median_seconds(subtree_range)
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    floor_seconds = figures["floor_seconds"]
    figures["ratio"] = round(figures["subtree_all_provinces_seconds"] / floor_seconds, 2)
    figures["count_ratio"] = round(figures["subtree_count_all_provinces_seconds"] / floor_seconds, 2)
    figures["tree_rows_ratio"] = round(figures["tree_rows_seconds"] / floor_seconds, 2)
    figures["export_ratio"] = round(figures["export_seconds"] / floor_seconds, 2)
    for key in list(figures):
        if key.endswith("_seconds"):
            figures[key] = round(figures[key], 4)

    plan = Unit.objects.subtree_of(provinces[0]).explain()
    print(f"Database: {connection.vendor}; {units} units in {len(provinces)} provinces.")
    print(f"Build the national tree:               {figures['build_seconds']:.3f} s")
    print(
        f"Subtree of every province, fetched:    {figures['subtree_all_provinces_seconds']:.4f} s"
        f"  ({figures['ratio']}x floor)"
    )
    print(
        f"Subtree of every province, count():   {figures['subtree_count_all_provinces_seconds']:.4f} s"
        f"  ({figures['count_ratio']}x floor)"
    )
    print(
        f"Whole tree in tree order (tree_rows): {figures['tree_rows_seconds']:.4f} s"
        f"  ({figures['tree_rows_ratio']}x floor)"
    )
    print(
        f"Whole tree Excel export:              {figures['export_seconds']:.4f} s"
        f"  ({figures['export_ratio']}x floor, {figures['export_bytes']} bytes)"
    )
    if "subtree_range_all_provinces_seconds" in figures:
        print(
            f"Same subtrees as a path range query:   {figures['subtree_range_all_provinces_seconds']:.4f} s"
            f"  (plan: {Unit.objects.filter(path__gte='0', path__lt='0~').explain()})"
        )
    print(f"Floor: one SELECT of all unit rows:    {figures['floor_seconds']:.4f} s")
    print(f"Load average (1 min) at the end: {figures['load_average_1min']} on {os.cpu_count()} processors")
    print("Plan of one subtree query:")
    print("  " + plan.replace("\n", "\n  "))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
