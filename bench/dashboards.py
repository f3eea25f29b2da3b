"""Benchmark of the role dashboards (the home page) at national demo scale.

Run from the repository root::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_dashboards_bench .venv/bin/python bench/dashboards.py
    .venv/bin/python bench/dashboards.py --sqlite          # SQLite, temporary file, without the survey responses

It builds, with the builders of the other benchmarks:

* the province demo (``cchc demo``: Phú Thọ with its accounts, rounds, directives, indicators, surveys,
  inspections, initiatives and reports) and the national tree (``cchc demo --scale national``: 34 provinces,
  3,321 communes and wards, 476 departments, their offices and other organisations) with the published PAR INDEX,
  SIPAS and PAPI totals of every province;
* a published PAR round with sheets, a final score on every leaf and computed results for every commune and
  department of the largest national province (``assessments._build``), and that province's secretariat, leader,
  a commune's focal point and the Fatherland Front's supervisor;
* 200,000 assignments of 2,000 tasks of 400 directives over the national tree, and the national secretariat
  (``tracker._build``; ``--assignments``);
* the demo's indicators (services, surveys, inspections, initiatives) with a value for every commune and
  department of the country in every period the demo filled;
* (PostgreSQL) 100,000 SIPAS responses over the national units and their counts (``surveys._generate``,
  ``cchc rebuild_survey_counts``; ``--responses``).

Then it opens the home page of each role through Django's test client (the real view, access helpers and
templates) without filters and filtered by year, unit kind and subtree: the median of ``--rounds`` requests after a
warm-up, the number of queries of one request, and the ratio to the reference measured in the same process on the
same database: the home page of a person signed in without a role (the same view and base template, no dashboard;
the anonymous login page is timed too). The last line printed is one JSON
object: ``pages`` (name → ``seconds``, ``queries``, ``ratio``), ``worst_seconds``, ``reference_seconds``, the load.

The PostgreSQL database named in ``DATABASE_URL`` (its name must contain "bench") is dropped and built again unless
``--reuse`` finds the data of a previous run in it (the build takes about ten minutes on a shared machine).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DEBUG", "false")

from units import ROOT, _prepare_database

sys.path.insert(0, str(ROOT))

BUDGET_SECONDS = 0.300
MARKER = "bench-dashboards-done"
YEAR = 2025


def _median(function: Callable[[], Any], rounds: int) -> float:
    function()  # warm-up
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _cpu_of(function: Callable[[], Any]) -> float:
    """Processor seconds this process spent in ``function`` (the page without the database server's share): less
    sensitive than the wall clock to the other processes on a shared machine."""
    started = time.process_time()
    function()
    return time.process_time() - started


def _largest_province() -> Any:
    from django.db.models import Count

    from cchc.demo.national import CODE_PREFIX
    from cchc.organisations.models import Unit, UnitKind

    communes = dict(
        Unit.objects.filter(kind=UnitKind.COMMUNE, code__startswith=CODE_PREFIX)
        .values("parent__path")
        .annotate(n=Count("id"))
        .values_list("parent__path", "n")
    )
    path = max(communes, key=lambda key: communes[key])
    return Unit.objects.get(path=path)


def _accounts(province: Any) -> None:
    from cchc.accounts.models import Role, RoleAssignment, User
    from cchc.organisations.models import Membership, Unit, UnitKind

    commune = Unit.objects.filter(path__startswith=province.path, kind=UnitKind.COMMUNE).order_by("code").first()
    for username, role, scope in [
        ("bench_thuongtruc", Role.SECRETARIAT, province),
        ("bench_lanhdao", Role.LEADER, province),
        ("bench_daumoi_xa", Role.FOCAL_POINT, commune),
        ("bench_giamsat", Role.SUPERVISOR, province),
    ]:
        user = User.objects.create(username=username, full_name=username)
        RoleAssignment.objects.create(user=user, role=role, scope=scope)
        Membership.objects.create(user=user, unit=scope)


def _indicator_values() -> int:
    """Every non-external indicator the demo filled gets a value for every national commune and department in
    each period the demo filled (accepted, as published values are)."""
    from decimal import Decimal

    from cchc.demo.national import CODE_PREFIX
    from cchc.indicators.models import IndicatorSource, IndicatorValue, ValueState
    from cchc.organisations.models import Unit, UnitKind

    units = list(
        Unit.objects.filter(code__startswith=CODE_PREFIX, kind__in=[UnitKind.COMMUNE, UnitKind.DEPARTMENT]).values_list(
            "pk", flat=True
        )
    )
    periods = (
        IndicatorValue.objects.filter(state=ValueState.ACCEPTED)
        .exclude(indicator__source=IndicatorSource.EXTERNAL)
        .values("indicator_id", "period_kind", "period_key", "period_start", "period_end")
        .distinct()
    )
    written = 0
    for number, period in enumerate(periods):
        batch = [
            IndicatorValue(
                unit_id=unit_id,
                value=Decimal((unit_id * 37 + number * 11) % 60 + 40),
                state=ValueState.ACCEPTED,
                **period,
            )
            for unit_id in units
        ]
        IndicatorValue.objects.bulk_create(batch, batch_size=5000)
        written += len(batch)
    return written


def _build(args: argparse.Namespace) -> dict[str, Any]:
    import assessments as assessments_bench
    import tracker as tracker_bench
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from cchc.assessments.models import Round
    from cchc.assessments.results import compute_round
    from cchc.demo.national import load_national
    from cchc.indicators.external_demo import load_external_demo
    from cchc.organisations.models import Unit, UnitKind

    figures: dict[str, Any] = {}
    started = time.perf_counter()
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    figures["demo_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    load_national()
    load_external_demo()
    province = _largest_province()
    round_, scores = assessments_bench._build(province.code)
    round_.name = f"Chỉ số CCHC năm {YEAR} ({province.name})"
    round_.save(update_fields=["name"])
    compute_round(Round.objects.get(pk=round_.pk))
    _accounts(province)
    figures["round_sheets"] = round_.assessments.count()
    figures["round_scores"] = scores
    tracker_bench.ASSIGNMENTS = args.assignments
    tracker_bench._build(datetime.date.today())
    figures["indicator_values_written"] = _indicator_values()
    if connection.vendor == "postgresql" and args.responses:
        import surveys as surveys_bench

        from cchc.surveys.demo import SIPAS_SURVEY
        from cchc.surveys.models import Questionnaire, VersionState

        questionnaire = Questionnaire.objects.get(code=SIPAS_SURVEY)
        version = questionnaire.versions.get(state=VersionState.PUBLISHED)
        units = list(Unit.objects.filter(kind__in=[UnitKind.COMMUNE, UnitKind.DEPARTMENT]).values_list("pk", flat=True))
        surveys_bench._generate(questionnaire.pk, version.pk, units, args.responses)
        call_command("rebuild_survey_counts", stdout=open(os.devnull, "w"))  # noqa: SIM115
    figures["responses_written"] = args.responses if connection.vendor == "postgresql" else 0
    Group.objects.create(name=MARKER)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    figures["build_seconds"] = round(time.perf_counter() - started, 1)
    return figures


def _database(args: argparse.Namespace) -> tuple[Callable[[], None], bool]:
    """Point Django at the benchmark database; (clean-up, whether a previous run's data is there)."""
    if args.sqlite:
        os.environ["DATABASE_URL"] = ""
    url = os.environ.get("DATABASE_URL", "")
    if args.reuse and url.startswith("postgres") and "bench" in url.rsplit("/", 1)[-1]:
        # Kept as it is; what a previous run built is not built again (the demo's loaders skip what exists).
        import psycopg

        try:
            with psycopg.connect(url) as connection:
                found = connection.execute("SELECT 1 FROM auth_group WHERE name = %s", [MARKER]).fetchone()
        except psycopg.Error:
            found = None
        return (lambda: None), bool(found)
    return _prepare_database(), False


def _cases(province: Any) -> list[tuple[str, str, dict[str, str]]]:
    from cchc.organisations.models import Unit, UnitKind

    department = Unit.objects.filter(parent=province, kind=UnitKind.DEPARTMENT).order_by("code").first()
    assert department is not None
    year = {"year": str(YEAR)}
    return [
        ("secretariat national", "thuongtruc_tw", {}),
        ("secretariat national, year", "thuongtruc_tw", year),
        ("secretariat national, communes", "thuongtruc_tw", {**year, "kind": UnitKind.COMMUNE}),
        ("secretariat national, subtree", "thuongtruc_tw", {**year, "unit": str(province.pk)}),
        ("secretariat province", "bench_thuongtruc", {}),
        ("secretariat province, communes", "bench_thuongtruc", {**year, "kind": UnitKind.COMMUNE}),
        ("secretariat province, subtree", "bench_thuongtruc", {**year, "unit": str(department.pk)}),
        ("secretariat demo", "thuongtruc", {}),
        ("leader", "bench_lanhdao", {}),
        ("leader, year", "bench_lanhdao", year),
        ("leader, communes", "bench_lanhdao", {**year, "kind": UnitKind.COMMUNE}),
        ("leader, subtree", "bench_lanhdao", {**year, "unit": str(department.pk)}),
        ("leader demo", "lanhdao", {}),
        ("focal point", "bench_daumoi_xa", {}),
        ("focal point, year", "bench_daumoi_xa", year),
        ("focal point demo", "daumoi", {}),
        ("supervisor", "bench_giamsat", {}),
        ("supervisor, year", "bench_giamsat", year),
        ("supervisor, communes", "bench_giamsat", {**year, "kind": UnitKind.COMMUNE}),
        ("supervisor demo", "giamsat", {}),
    ]


def _run(args: argparse.Namespace, reused: bool) -> None:
    import django

    django.setup()

    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cchc.accounts.models import User
    from cchc.assessments.models import Assessment, Score
    from cchc.directives.models import Assignment
    from cchc.indicators.models import IndicatorValue
    from cchc.organisations.models import Unit, UnitKind

    figures: dict[str, Any] = {"database": connection.vendor, "reused": reused}
    if not reused:
        call_command("migrate", verbosity=0)
        figures.update(_build(args))
    province = _largest_province()
    figures["units"] = Unit.objects.count()
    figures["provinces"] = Unit.objects.filter(kind=UnitKind.PROVINCE).count()
    figures["communes"] = Unit.objects.filter(kind=UnitKind.COMMUNE).count()
    figures["departments"] = Unit.objects.filter(kind=UnitKind.DEPARTMENT).count()
    figures["sheets"] = Assessment.objects.count()
    figures["scores"] = Score.objects.count()
    figures["assignments"] = Assignment.objects.count()
    figures["indicator_values"] = IndicatorValue.objects.count()

    clients: dict[str, Client] = {}

    def client_of(username: str) -> Client:
        if username not in clients:
            client = Client()
            client.force_login(User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend")
            client.get("/")  # the first request after signing in refreshes the session
            clients[username] = client
        return clients[username]

    anonymous = Client()

    def login_page() -> None:
        response = anonymous.get("/accounts/login/")
        assert response.status_code == 200, response.status_code

    # The reference: the same view and base template, signed in, for a person without a role (no dashboard).
    User.objects.get_or_create(username="bench_khong_vai_tro", defaults={"full_name": "Chưa có vai trò"})
    bare = client_of("bench_khong_vai_tro")

    def bare_home() -> None:
        response = bare.get("/")
        assert response.status_code == 200, response.status_code

    login_seconds = _median(login_page, args.rounds * 2)
    reference = _median(bare_home, args.rounds * 2)
    reference_cpu = statistics.median(_cpu_of(bare_home) for _ in range(5))
    pages: dict[str, dict[str, Any]] = {}
    for label, username, params in _cases(province):
        client = client_of(username)

        def cached_page(client: Client = client, params: dict[str, str] = params) -> None:
            response = client.get("/", params)
            assert response.status_code == 200, response.status_code

        def page(client: Client = client, params: dict[str, str] = params) -> None:
            cache.clear()  # the board computed, as after any write to what it reads (``cchc.lib.page_cache``)
            cached_page(client, params)

        page()
        reset_queries()  # each request starts by emptying the log of queries the context reads
        with CaptureQueriesContext(connection) as captured:
            page()
        logged = list(captured.captured_queries)  # read now: the next requests empty the log
        queries = len(logged)
        seconds = _median(page, args.rounds)
        cpu = statistics.median(_cpu_of(page) for _ in range(3))
        cached_page()
        cached = _median(cached_page, args.rounds)
        pages[label] = {
            "seconds": round(seconds, 4),
            "cached_seconds": round(cached, 4),
            "cpu_seconds": round(cpu, 4),
            "queries": queries,
            "ratio": round(seconds / reference, 1),
        }
        print(
            f"  {label:<34} {seconds * 1000:7.1f} ms  {seconds / reference:6.1f}x  {queries} queries  "
            f"(this process's CPU: {cpu * 1000:.1f} ms; from the cache: {cached * 1000:.1f} ms)"
        )
        if args.profile and label.startswith(args.profile):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(page)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
            for query in sorted(logged, key=lambda q: -float(q["time"]))[:8]:
                print(f"    {query['time']} s  {query['sql'][:300]}")
    worst = max(page["seconds"] for page in pages.values())
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    figures.update(
        {
            "reference": "GET / signed in without a role (the same view and base template, no dashboard)",
            "reference_seconds": round(reference, 4),
            "reference_cpu_seconds": round(reference_cpu, 4),
            "login_page_seconds": round(login_seconds, 4),
            "worst_cpu_seconds": max(page["cpu_seconds"] for page in pages.values()),
            "pages": pages,
            "worst_seconds": worst,
            "under_budget": worst < BUDGET_SECONDS,
            "loadavg": " ".join(load),
            "cpus": os.cpu_count(),
        }
    )
    print(
        f"Database: {connection.vendor}; {figures['units']} units ({figures['provinces']} provinces, "
        f"{figures['communes']} communes, {figures['departments']} departments), {figures['sheets']} sheets, "
        f"{figures['scores']} scores, {figures['assignments']} assignments, {figures['indicator_values']} "
        "indicator values."
    )
    print(
        f"Reference (home page without a role): {reference * 1000:.1f} ms; login page {login_seconds * 1000:.1f} ms. "
        f"Worst page: {worst * 1000:.1f} ms "
        f"(budget {BUDGET_SECONDS * 1000:.0f} ms). Load average: {figures['loadavg']} on {os.cpu_count()} CPUs."
    )
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite database instead of DATABASE_URL")
    parser.add_argument("--reuse", action="store_true", help="keep the data a previous run left (PostgreSQL)")
    parser.add_argument("--rounds", type=int, default=7, help="requests timed per page (median)")
    parser.add_argument("--assignments", type=int, default=200_000)
    parser.add_argument("--responses", type=int, default=100_000, help="SIPAS responses (PostgreSQL only)")
    parser.add_argument("--profile", default="", help="profile the pages whose name starts with this")
    args = parser.parse_args()
    cleanup, reused = _database(args)
    try:
        _run(args, reused)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
