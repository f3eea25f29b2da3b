"""What keeping the dossier code unique across yearly partitions would cost the import's server (decision 26).

Run from the repository root, on PostgreSQL, on the same machine as the server (it reads the server process's CPU
time in ``/proc``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench .venv/bin/python bench/dossier_keys.py --rows 200000

``--rows`` dossier-like rows over two years (source, code, unit, procedure, received and finished dates, status,
fee) are loaded with one ``COPY`` into three layouts, each made afresh, in turn, ``--repeats`` times:

* ``plain``: one table, primary key ``id``, ``(source, code)`` unique, the dossier table's three composite indexes
  (the layout of today, and of the reference of ``bench/dossiers.py``);
* ``trigger``: the same partitioned by year of the received date, primary key ``(id, received_on)``, the three
  indexes, and a key table ``(source, code) → id, received_on`` filled by a row trigger;
* ``second_copy``: the same partitioned table, the key rows written by a second ``COPY`` in the same transaction (as
  the import would write them itself);
* ``insert_select``: the same partitioned table, the key rows written by the server from the rows copied, one
  ``INSERT … SELECT`` by id range after the ``COPY`` (as the import writes them);
* ``insert_select_idle_trigger``: the same, with the row trigger of ``trigger`` present but turned off for the
  transaction by its ``WHEN`` condition on a setting (as the dossier table's trigger for the other writers is).

Figure: the CPU time of the server process serving the connection during the load (median), and
``<layout>_ratio`` = plain's time / the layout's (above 1: cheaper than today). The import is bound by the server's
CPU (decision 32), so these ratios multiply its ``copy_ratio`` roughly. The last line is one JSON object.
The database named in ``DATABASE_URL`` must contain "bench"; its tables ``bench_dossier*`` are replaced.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys

import psycopg

COLUMNS = (
    "(id bigint NOT NULL, source varchar(100) NOT NULL, code varchar(100) NOT NULL, unit_id bigint NOT NULL, "
    "procedure_id bigint NOT NULL, received_on date NOT NULL, finished_on date, status varchar(20) NOT NULL, "
    "fee numeric(14, 2))"
)
LOADED = "source, code, unit_id, procedure_id, received_on, finished_on, status, fee"
INDEXES = (("unit_received", "unit_id, received_on"), ("unit_finished", "unit_id, finished_on"),
           ("procedure_received", "procedure_id, received_on"))  # fmt: skip
LAYOUTS = ("plain", "trigger", "second_copy", "insert_select", "insert_select_idle_trigger")


def _server_cpu(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _make(cursor: psycopg.Cursor, layout: str) -> str:
    cursor.execute("DROP TABLE IF EXISTS bench_dossier, bench_dossier_key CASCADE")
    cursor.execute("DROP SEQUENCE IF EXISTS bench_dossier_seq")
    cursor.execute("CREATE SEQUENCE bench_dossier_seq")
    if layout == "plain":
        cursor.execute(f"CREATE TABLE bench_dossier {COLUMNS}")
        cursor.execute("ALTER TABLE bench_dossier ADD PRIMARY KEY (id), ADD UNIQUE (source, code)")
    else:
        cursor.execute(f"CREATE TABLE bench_dossier {COLUMNS} PARTITION BY RANGE (received_on)")
        cursor.execute("ALTER TABLE bench_dossier ADD PRIMARY KEY (id, received_on)")
        for year in (2025, 2026):
            cursor.execute(
                f"CREATE TABLE bench_dossier_y{year} PARTITION OF bench_dossier "
                f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')"
            )
        cursor.execute(
            "CREATE TABLE bench_dossier_key (source varchar(100) NOT NULL, code varchar(100) NOT NULL, "
            "id bigint NOT NULL, received_on date NOT NULL, PRIMARY KEY (source, code))"
        )
        if layout in ("trigger", "insert_select_idle_trigger"):
            cursor.execute(
                "CREATE OR REPLACE FUNCTION bench_dossier_key_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "INSERT INTO bench_dossier_key VALUES (NEW.source, NEW.code, NEW.id, NEW.received_on); "
                "RETURN NULL; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER bench_dossier_key AFTER INSERT ON bench_dossier FOR EACH ROW "
                "WHEN (current_setting('bench.keys', true) IS DISTINCT FROM 'written') "
                "EXECUTE FUNCTION bench_dossier_key_insert()"
            )
    cursor.execute("ALTER TABLE bench_dossier ALTER id SET DEFAULT nextval('bench_dossier_seq')")
    for name, columns in INDEXES:
        cursor.execute(f"CREATE INDEX bench_dossier_{name} ON bench_dossier ({columns})")
    return layout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("DATABASE_URL must name a PostgreSQL database whose name contains 'bench'.")
    draw = random.Random(1)
    rows, keys = [], []
    for number in range(options.rows):
        received = datetime.date(2025, 1, 1) + datetime.timedelta(days=draw.randrange(700))
        finished = received + datetime.timedelta(days=draw.randrange(30))
        rows.append(
            f"s\tHS-{number:09d}\t{draw.randrange(300)}\t{draw.randrange(300)}\t{received}\t{finished}\tdone\t0\n"
        )
        keys.append(f"s\tHS-{number:09d}\t{number + 1}\t{received}\n")
    text, key_text = "".join(rows), "".join(keys)
    seconds: dict[str, list[float]] = {layout: [] for layout in LAYOUTS}
    with psycopg.connect(url, autocommit=True) as connection, connection.cursor() as cursor:
        pid = cursor.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        for _repeat in range(options.repeats):
            for layout in LAYOUTS:
                _make(cursor, layout)
                before = _server_cpu(pid)
                with connection.transaction():
                    if layout.startswith("insert_select"):
                        cursor.execute("SELECT set_config('bench.keys', 'written', true)")
                    with cursor.copy(f"COPY bench_dossier ({LOADED}) FROM STDIN") as copy:
                        copy.write(text)
                    if layout == "second_copy":
                        with cursor.copy("COPY bench_dossier_key FROM STDIN") as copy:
                            copy.write(key_text)
                    if layout.startswith("insert_select"):
                        cursor.execute(
                            "INSERT INTO bench_dossier_key SELECT source, code, id, received_on FROM bench_dossier "
                            "WHERE id BETWEEN 1 AND %s",
                            [options.rows],
                        )
                seconds[layout].append(_server_cpu(pid) - before)
        cursor.execute("DROP TABLE IF EXISTS bench_dossier, bench_dossier_key CASCADE")
    figures: dict[str, float | int] = {"rows": options.rows}
    for layout in LAYOUTS:
        figures[f"{layout}_server_cpu_s"] = round(statistics.median(seconds[layout]), 3)
        print(f"{layout:12} server CPU s: {', '.join(f'{value:.2f}' for value in seconds[layout])}")
    for layout in LAYOUTS[1:]:
        figures[f"{layout}_ratio"] = round(figures["plain_server_cpu_s"] / figures[f"{layout}_server_cpu_s"], 3)
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
