"""Benchmark of the task tracker with 200,000 assignments.

Run from the repository root::

    .venv/bin/python bench/tracker.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_tracker_bench .venv/bin/python bench/tracker.py

It builds the national unit tree, 400 directives with 2,000 tasks and
200,000 assignments (one per unit and task, due dates spread over two years
around today, a third done, some late, some reported, the rest open), then
opens the tracker page (``/directives/tracker/``, 50 rows a page, the real
view, permission helpers and template through Django's test client) as the
national secretariat and as one province's secretariat, unfiltered and
filtered by status, unit, directive and period, on the first and on a deep
page. The floor is a bare ``SELECT * FROM directives_assignment LIMIT 50`` on
the same table through the database cursor. The last line printed is one JSON
object with all figures.

Databases are prepared as in ``bench/units.py`` (the PostgreSQL database
named in ``DATABASE_URL`` is dropped and created again, so its name must
contain "bench").
"""

from __future__ import annotations

import datetime
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from units import ROOT, _median_seconds, _prepare_database

sys.path.insert(0, str(ROOT))

ASSIGNMENTS = int(os.environ.get("TRACKER_ASSIGNMENTS", "200000"))
UNITS_PER_TASK = 100
TASKS_PER_DIRECTIVE = 5
BUDGET_SECONDS = 0.200


def _build(today: datetime.date) -> dict[str, Any]:
    from django.db import connection, transaction

    from cchc.accounts.models import Role, RoleAssignment, User
    from cchc.demo.national import load_national
    from cchc.directives.models import Assignment, DeadlineKind, Directive, DirectiveKind, Task
    from cchc.organisations.models import Unit, UnitKind

    load_national()
    rng = random.Random(20251001)
    units = list(Unit.objects.exclude(kind=UnitKind.PROVINCE).values_list("pk", flat=True))
    provinces = list(Unit.objects.filter(kind=UnitKind.PROVINCE).order_by("path"))
    tasks_needed = ASSIGNMENTS // UNITS_PER_TASK
    started = time.perf_counter()
    with transaction.atomic():
        directives = Directive.objects.bulk_create(
            [
                Directive(
                    kind=DirectiveKind.PLAN,
                    reference=f"{number}/KH-UBND",
                    issued_on=today - datetime.timedelta(days=rng.randint(30, 400)),
                    issuing_unit=provinces[number % len(provinces)],
                    subject=f"Kế hoạch cải cách hành chính số {number}",
                )
                for number in range(tasks_needed // TASKS_PER_DIRECTIVE)
            ]
        )
        tasks = Task.objects.bulk_create(
            [
                Task(
                    directive=directives[number // TASKS_PER_DIRECTIVE],
                    position=number,
                    section=f"{number % TASKS_PER_DIRECTIVE + 1}.",
                    content=f"Nhiệm vụ {number}: rà soát, đơn giản hóa thủ tục hành chính và báo cáo kết quả",
                    deadline_kind=DeadlineKind.DATE,
                    deadline=today,
                )
                for number in range(tasks_needed)
            ],
            batch_size=2000,
        )
        batch: list[Assignment] = []
        for task in tasks:
            for unit_id in rng.sample(units, UNITS_PER_TASK):
                due = today + datetime.timedelta(days=rng.randint(-365, 365))
                roll = rng.random()
                completed = None
                reported = None
                if roll < 0.35 and due <= today + datetime.timedelta(days=30):
                    completed = due + datetime.timedelta(days=rng.randint(-20, 15))
                    reported = completed
                elif roll < 0.6:
                    reported = min(today, due) - datetime.timedelta(days=rng.randint(0, 20))
                batch.append(
                    Assignment(
                        task=task,
                        directive_id=task.directive_id,
                        unit_id=unit_id,
                        original_due_date=due,
                        due_date=due,
                        percent=100 if completed else (50 if reported else 0),
                        last_report_on=reported,
                        completed_on=completed,
                        review_pending=bool(reported and not completed and roll > 0.55),
                    )
                )
            if len(batch) >= 20000:
                Assignment.objects.bulk_create(batch, batch_size=5000)
                batch = []
        Assignment.objects.bulk_create(batch, batch_size=5000)
        national = User.objects.create(username="thuongtruc_tw", full_name="Thường trực toàn quốc")
        RoleAssignment.objects.create(user=national, role=Role.SECRETARIAT, scope=None)
        local = User.objects.create(username="thuongtruc_tinh", full_name="Thường trực tỉnh")
        RoleAssignment.objects.create(user=local, role=Role.SECRETARIAT, scope=provinces[0])
    with connection.cursor() as cursor:
        # Planner statistics and the visibility map, as autovacuum leaves a live database after a bulk load.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "national": national,
        "local": local,
        "province": provinces[0],
        "unit": Unit.objects.filter(path__startswith=provinces[0].path, kind=UnitKind.COMMUNE).first(),
        "directive": directives[len(directives) // 2],
        "build_seconds": time.perf_counter() - started,
    }


def _run() -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cchc.directives.models import Assignment, Status
    from cchc.lib.periods import Period, PeriodKind

    call_command("migrate", verbosity=0)
    today = datetime.date.today()
    data = _build(today)
    total = Assignment.objects.count()
    quarter = Period.containing(today, PeriodKind.QUARTER)
    clients = {}
    for name in ("national", "local"):
        client = Client()
        client.force_login(data[name], backend="django.contrib.auth.backends.ModelBackend")
        clients[name] = client

    cases: list[tuple[str, str, dict[str, str]]] = [
        ("all, page 1", "national", {"status": "all"}),
        ("all, page 200", "national", {"status": "all", "page": "200"}),
        ("overdue, page 1", "national", {"status": Status.OVERDUE}),
        ("overdue, page 100", "national", {"status": Status.OVERDUE, "page": "100"}),
        ("done late", "national", {"status": Status.DONE_LATE}),
        ("in progress", "national", {"status": Status.IN_PROGRESS}),
        ("one unit", "national", {"unit": str(data["unit"].pk)}),
        ("one directive", "national", {"directive": str(data["directive"].pk)}),
        ("this quarter, overdue", "national", {"period": quarter.key, "status": Status.OVERDUE}),
        ("waiting for acceptance", "national", {"waiting": "1"}),
        ("province secretariat, all", "local", {"status": "all"}),
        ("province secretariat, overdue", "local", {"status": Status.OVERDUE}),
    ]
    timings: dict[str, float] = {}
    queries: dict[str, int] = {}
    for label, who, params in cases:
        client = clients[who]

        def page(client: Any = client, params: dict[str, str] = params) -> None:
            response = client.get("/directives/tracker/", params)
            assert response.status_code == 200, response.status_code

        with CaptureQueriesContext(connection) as captured:
            page()
        queries[label] = len(captured.captured_queries)
        timings[label] = _median_seconds(page)

    table = Assignment._meta.db_table

    def floor() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table} LIMIT 50")  # noqa: S608 - table name from the model
            return len(cursor.fetchall())

    assert floor() == 50
    floor_seconds = _median_seconds(floor, rounds=20)
    slowest = max(timings.values())
    figures: dict[str, Any] = {
        "database": connection.vendor,
        "assignments": total,
        "build_seconds": round(data["build_seconds"], 2),
        "floor_seconds": round(floor_seconds, 5),
        "pages": {label: round(seconds, 4) for label, seconds in timings.items()},
        "ratios": {label: round(seconds / floor_seconds, 1) for label, seconds in timings.items()},
        "queries": queries,
        "slowest_seconds": round(slowest, 4),
        "under_budget": slowest < BUDGET_SECONDS,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    print(f"Database: {connection.vendor}; {total} assignments; built in {figures['build_seconds']} s.")
    print(f"Floor: SELECT * FROM {table} LIMIT 50: {floor_seconds * 1000:.2f} ms")  # noqa: S608
    for label, seconds in timings.items():
        print(
            f"  {label:<32} {seconds * 1000:7.1f} ms  ({seconds / floor_seconds:6.1f}x floor, {queries[label]} queries)"
        )
    overdue = Assignment.objects.in_status(Status.OVERDUE).in_tracker_order().values_list("pk", flat=True)[:50]
    print("Plan of the first step of the overdue page (the 50 primary keys):")
    print("  " + overdue.explain().replace("\n", "\n  "))
    print(f"Slowest page: {slowest * 1000:.1f} ms (budget {BUDGET_SECONDS * 1000:.0f} ms)")
    print(json.dumps(figures))


def main() -> None:
    cleanup = _prepare_database()
    try:
        _run()
    finally:
        cleanup()


if __name__ == "__main__":
    main()
