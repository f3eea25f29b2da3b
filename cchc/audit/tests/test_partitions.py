"""Audit entries in yearly partitions on PostgreSQL (decision 26): where rows land and what the audit page reads."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from cchc.audit.models import AuditAction, AuditEntry
from cchc.audit.selectors import filter_entries
from cchc.audit.services import record
from cchc.lib.partitions import partition_bounds, partitions_ensure
from cchc.testing.personas import Personas

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="tables are partitioned on PostgreSQL only"),
]

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TABLE = "audit_auditentry"


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes += _plan_nodes(child)
    return nodes


def _scans(explained: str) -> list[tuple[str, str, str | None]]:
    """(node type, table, index) of every scan of a table in a plan printed by EXPLAIN (FORMAT JSON)."""
    plan = json.loads(explained)[0]["Plan"]
    return [
        (node["Node Type"], node["Relation Name"], node.get("Index Name"))
        for node in _plan_nodes(plan)
        if "Relation Name" in node
    ]


def _fill(years: tuple[int, ...], per_year: int) -> None:
    """``per_year`` entries spread over each of ``years``, written straight into the table, then analysed."""
    partitions_ensure(years=years, tables=(TABLE,))
    minutes = 525_600 // per_year
    with connection.cursor() as cursor:
        for year in years:
            cursor.execute(
                f"INSERT INTO {TABLE} (at, actor_label, action, object_type, object_id, object_repr, unit_path, "  # noqa: S608
                "changes, reason) SELECT %s::timestamptz + g * make_interval(mins => %s), 'Cán bộ', 'update', "
                "'accounts.user', g::text, 'Người dùng ' || g, '', '{}'::jsonb, '' FROM generate_series(0, %s - 1) g",
                [datetime.datetime(year, 1, 1, 0, 5, tzinfo=ZONE), minutes, per_year],
            )
        cursor.execute(f"ANALYZE {TABLE}")


def test_the_audit_table_is_partitioned_by_range_of_its_time() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.partstrat, a.attname FROM pg_partitioned_table p "
            "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] "
            "WHERE p.partrelid = %s::regclass",
            [TABLE],
        )
        assert cursor.fetchall() == [("r", "at")]
    partitions = partition_bounds(TABLE)
    assert partitions[f"{TABLE}_default"] == "DEFAULT"
    this_year = datetime.date.today().year
    assert {f"{TABLE}_y{this_year}", f"{TABLE}_y{this_year + 1}"} <= set(partitions)


def test_an_entry_of_2025_lands_in_the_partition_of_2025(personas: Personas) -> None:
    partitions_ensure(years=(2025,), tables=(TABLE,))
    with time_machine.travel(datetime.datetime(2025, 12, 31, 23, 30, tzinfo=ZONE), tick=False):
        entry = record(actor=None, action=AuditAction.UPDATE, instance=personas.unit_a, changes={"x": 1})
    with time_machine.travel(datetime.datetime(2026, 1, 1, 0, 30, tzinfo=ZONE), tick=False):
        later = record(actor=None, action=AuditAction.UPDATE, instance=personas.unit_a, changes={"x": 2})
    assert entry is not None and later is not None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, tableoid::regclass::text FROM {TABLE} WHERE id IN (%s, %s)", [entry.pk, later.pk])  # noqa: S608
        where = dict(cursor.fetchall())
    # The year is the local one: half past eleven on New Year's Eve in Vietnam is still 2025.
    assert where == {entry.pk: f"{TABLE}_y2025", later.pk: f"{TABLE}_y2026"}
    assert AuditEntry.objects.get(pk=entry.pk).changes == {"x": 1}


def test_the_audit_page_reads_one_year_from_that_year_s_partition_through_its_index() -> None:
    _fill((2024, 2025, 2026), per_year=20_000)
    entries = filter_entries(
        AuditEntry.objects.order_by("-at", "-id"),
        date_from=datetime.date(2025, 1, 1),
        date_to=datetime.date(2025, 12, 31),
    )
    assert entries.count() == 20_000

    scans = _scans(entries[:50].explain(format="json"))

    assert [table for _node, table, _index in scans] == [f"{TABLE}_y2025"]
    assert scans[0][0] == "Index Scan"
    assert scans[0][2] == f"{TABLE}_y2025_at_idx"


def test_a_month_of_one_record_s_history_reads_one_partition() -> None:
    _fill((2024, 2025), per_year=20_000)
    entries = filter_entries(
        AuditEntry.objects.filter(object_type="accounts.user", object_id="42"),
        date_from=datetime.date(2025, 3, 1),
        date_to=datetime.date(2025, 3, 31),
    )

    scans = _scans(entries.explain(format="json"))

    assert {table for _node, table, _index in scans} == {f"{TABLE}_y2025"}
    assert all(index is not None for _node, _table, index in scans)


def test_new_entries_keep_numbering_after_a_sequence_reset_and_a_fixture(tmp_path: Path, personas: Personas) -> None:
    fixture = tmp_path / "entries.json"
    fields = {"at": "2026-03-01T08:00:00+07:00", "action": "update", "object_type": "accounts.user"}
    fixture.write_text(
        json.dumps([{"model": "audit.auditentry", "pk": 900_000, "fields": {**fields, "object_id": "1"}}]),
        encoding="utf-8",
    )
    call_command("loaddata", str(fixture), verbosity=0)
    entry = record(actor=None, action=AuditAction.UPDATE, instance=personas.unit_a, changes={"x": 1})
    assert entry is not None and entry.pk == 900_001

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [AuditEntry]):
            cursor.execute(statement)
    again = record(actor=None, action=AuditAction.UPDATE, instance=personas.unit_a, changes={"x": 2})
    assert again is not None and again.pk == 900_002

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign keys of this test's own writes
        for statement in connection.ops.sql_flush(no_style(), [TABLE], reset_sequences=True):
            cursor.execute(statement)
    first = record(actor=None, action=AuditAction.UPDATE, instance=personas.unit_a, changes={"x": 3})
    assert first is not None and first.pk == 1
    assert AuditEntry.objects.count() == 1
