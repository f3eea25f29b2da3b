"""Benchmark of the PAR INDEX results at national size.

Run from the repository root::

    .venv/bin/python bench/assessments.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench .venv/bin/python bench/assessments.py

It builds the national unit tree (``cchc demo --scale national``: 3,321
commune-level units and 476 departments), one framework of 102 leaves for
departments and one for communes (10 areas × 10 leaves of 1 point, one bonus
and one penalty leaf; 5 leaves scored by survey, some of them left unscored,
with rescaling on), one round with an assessment for every commune and
department and a final score on every leaf: about 387,000 score rows.

Then it times, on the same data in the same process:

* ``compute_round`` on an empty result table (every index, component index,
  rank and grade computed and bulk-inserted), when every stored result
  differs (all replaced), and when nothing changed;
* the points-lost analysis (``round_points_lost``);
* the whole computation as the product runs it on publication: one bulk
  read of the round shared by ``compute_round`` and the points-lost analysis;
* the floor: ONE aggregate SQL query over the same score rows
  (``SELECT assessment_id, SUM(final_score) … GROUP BY assessment_id``, every
  row fetched).

Database set-up is the one of ``bench/units.py`` (SQLite: a temporary file;
PostgreSQL: the benchmark database is dropped and created again). The last
line printed is one JSON object with all figures.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from units import _prepare_database

LEAVES_PER_AREA = 10
AREAS = 10
SURVEY_LEAVES = 5
ROUNDS = 3


def _timed(function: Callable[[], Any], *, before: Callable[[], None] | None = None, rounds: int = ROUNDS) -> float:
    """Median seconds of ``function`` after a warm-up; ``before`` runs untimed ahead of each call."""
    if before:
        before()
    function()
    timings = []
    for _ in range(rounds):
        if before:
            before()
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


def _framework(unit_kind: str, owner: Any) -> Any:
    from cchc.frameworks.models import Criterion, CriterionCategory, Framework, RuleKind

    framework = Framework.objects.create(name=f"Bộ tiêu chí đo hiệu năng ({unit_kind})", year=2025, unit_kind=unit_kind)
    areas = [
        Criterion(
            framework=framework,
            code=str(number),
            position=number * 100,
            depth=0,
            title=f"Lĩnh vực {number}",
            max_points=Decimal(LEAVES_PER_AREA),
        )
        for number in range(1, AREAS + 1)
    ]
    areas.append(
        Criterion(
            framework=framework,
            code=str(AREAS + 1),
            position=(AREAS + 1) * 100,
            title="Điểm thưởng",
            max_points=Decimal(2),
            category=CriterionCategory.BONUS,
        )
    )
    areas.append(
        Criterion(
            framework=framework,
            code=str(AREAS + 2),
            position=(AREAS + 2) * 100,
            title="Điểm trừ",
            max_points=Decimal(3),
            category=CriterionCategory.PENALTY,
        )
    )
    Criterion.objects.bulk_create(areas)
    leaves = []
    for area in areas[:AREAS]:
        for number in range(1, LEAVES_PER_AREA + 1):
            survey = area.code == "1" and number <= SURVEY_LEAVES
            leaves.append(
                Criterion(
                    framework=framework,
                    parent=area,
                    code=f"{area.code}.{number}",
                    position=area.position + number,
                    depth=1,
                    title=f"Tiêu chí {area.code}.{number}",
                    max_points=Decimal(1),
                    rule_kind=RuleKind.SURVEY if survey else RuleKind.MANUAL,
                )
            )
    for area in areas[AREAS:]:
        leaves.append(
            Criterion(
                framework=framework,
                parent=area,
                code=f"{area.code}.1",
                position=area.position + 1,
                depth=1,
                title=f"{area.title} 1",
                max_points=area.max_points,
                category=area.category,
            )
        )
    Criterion.objects.bulk_create(leaves)
    return framework, leaves


def _build(province_code: str | None = None) -> tuple[Any, int]:
    """The national tree, the two frameworks, a published round and a final score on every leaf of every sheet:
    sheets for every commune and department of the country, or of one province (``province_code``, its organiser)."""
    from django.db import connection
    from django.utils import timezone

    from cchc.assessments.models import Assessment, Round, Score, Stage
    from cchc.demo.national import load_national
    from cchc.frameworks.models import CriterionCategory, RuleKind
    from cchc.organisations.models import Unit, UnitKind

    load_national()
    provinces = Unit.objects.filter(kind=UnitKind.PROVINCE)
    if province_code is not None:
        provinces = provinces.filter(code=province_code)
    organiser = provinces.order_by("code").first()
    assert organiser is not None
    frameworks = {kind: _framework(kind, organiser) for kind in (UnitKind.DEPARTMENT, UnitKind.COMMUNE)}
    round_ = Round.objects.create(
        name="Chỉ số CCHC toàn quốc (đo hiệu năng)",
        year=2025,
        organiser=organiser,
        stage=Stage.PUBLISHED,
        rescale_without_survey=True,
    )
    round_.frameworks.set([framework for framework, _leaves in frameworks.values()])
    sheet_units = Unit.objects.filter(kind__in=list(frameworks))
    if province_code is not None:
        sheet_units = sheet_units.filter(path__startswith=organiser.path)
    units = list(sheet_units.order_by("code").values_list("pk", "kind"))
    assessments = Assessment.objects.bulk_create(
        [Assessment(round=round_, unit_id=pk, framework=frameworks[kind][0]) for pk, kind in units], batch_size=2000
    )
    rng = random.Random(2025)
    steps = [Decimal(value) / 4 for value in range(5)]  # 0, 0.25 … 1
    # Rows go in through one executemany per batch: building 387,000 model instances for bulk_create
    # would take most of the build time and is not what the benchmark measures.
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    fields = [field for field in Score._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {Score._meta.db_table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    defaults = {field.attname: field.get_default() for field in fields}
    defaults["updated_at"] = now
    batch: list[tuple[Any, ...]] = []
    rows = 0
    for assessment, (_pk, kind) in zip(assessments, units, strict=True):
        for leaf in frameworks[kind][1]:
            if leaf.category == CriterionCategory.BASE:
                final: Decimal | None = rng.choice(steps) if rng.random() < 0.7 else Decimal(1)
                if leaf.rule_kind == RuleKind.SURVEY and rng.random() < 0.1:
                    final = None
            else:
                final = Decimal(rng.randint(0, int(leaf.max_points)))
            values = dict(defaults, assessment_id=assessment.pk, criterion_id=leaf.pk, self_score=final)
            values["final_score"] = final
            batch.append(tuple(_adapt(connection, field, values[field.attname]) for field in fields))
        if len(batch) >= 20000:
            rows += _insert(connection, sql, batch)
            batch = []
    rows += _insert(connection, sql, batch)
    return round_, rows


def _adapt(connection: Any, field: Any, value: Any) -> Any:
    if isinstance(value, Decimal):
        return connection.ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    return value


def _insert(connection: Any, sql: str, batch: list[tuple[Any, ...]]) -> int:
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, batch)
    return len(batch)


def _run() -> None:
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from cchc.assessments.analysis import round_points_lost
    from cchc.assessments.models import Result, Score
    from cchc.assessments.results import compute_round, load_round

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    round_, score_rows = _build()
    build_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assessments = round_.assessments.count()

    def clear() -> None:
        Result.objects.filter(assessment__round=round_).delete()

    def compute() -> None:
        compute_round(round_)

    def spoil() -> None:
        Result.objects.filter(assessment__round=round_).update(grade="?")  # every stored result now differs

    def points_lost() -> None:
        round_points_lost(round_)

    def whole() -> None:
        data = load_round(round_)
        compute_round(round_, data=data)
        round_points_lost(round_, data=data)

    score_table = Score._meta.db_table

    def floor() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT assessment_id, SUM(final_score) FROM {score_table} GROUP BY assessment_id"  # noqa: S608
            )
            return len(cursor.fetchall())

    assert floor() == assessments
    figures: dict[str, Any] = {
        "database": connection.vendor,
        "assessments": assessments,
        "score_rows": score_rows,
        "build_seconds": round(build_seconds, 3),
        "compute_round_fresh_seconds": _timed(compute, before=clear),
        "compute_round_all_changed_seconds": _timed(compute, before=spoil),
        "compute_round_unchanged_seconds": _timed(compute),
        "points_lost_seconds": _timed(points_lost),
        "whole_seconds": _timed(whole, before=clear),
        "floor_seconds": _timed(floor, rounds=5),
    }
    results = Result.objects.filter(assessment__round=round_)
    assert results.count() == assessments
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    floor_seconds = figures["floor_seconds"]
    for key in ("compute_round_fresh", "compute_round_all_changed", "compute_round_unchanged", "points_lost", "whole"):
        figures[f"{key}_ratio"] = round(figures[f"{key}_seconds"] / floor_seconds, 1)
    for key in list(figures):
        if key.endswith("_seconds"):
            figures[key] = round(figures[key], 4)
    best = results.order_by("rank").values_list("assessment__unit__name", "index_value", "rank", "grade").first()

    print(f"Database: {connection.vendor}; {assessments} assessments, {score_rows} score rows.")
    print(f"Build (national tree, frameworks, round, scores): {figures['build_seconds']:.3f} s")
    print(
        f"compute_round, empty result table:  {figures['compute_round_fresh_seconds']:.3f} s"
        f"  ({figures['compute_round_fresh_ratio']}x floor)"
    )
    print(
        f"compute_round, every result changed: {figures['compute_round_all_changed_seconds']:.3f} s"
        f"  ({figures['compute_round_all_changed_ratio']}x floor)"
    )
    print(
        f"compute_round, nothing changed:     {figures['compute_round_unchanged_seconds']:.3f} s"
        f"  ({figures['compute_round_unchanged_ratio']}x floor)"
    )
    print(
        f"Points-lost analysis:               {figures['points_lost_seconds']:.3f} s"
        f"  ({figures['points_lost_ratio']}x floor)"
    )
    print(
        f"Whole (one read, results + points lost): {figures['whole_seconds']:.3f} s  ({figures['whole_ratio']}x floor)"
    )
    print(f"Floor: one SUM(final_score) GROUP BY assessment query: {figures['floor_seconds']:.4f} s")
    print(f"First in a ranking: {best}")
    print(f"Load average (1 min) at the end: {figures['load_average_1min']} on {os.cpu_count()} processors")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
