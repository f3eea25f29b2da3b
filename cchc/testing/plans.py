"""Query plans for tests on PostgreSQL: which tables and indexes a statement reads, and where a row is stored."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection


def plan_nodes(sql: str, params: Any = None) -> list[dict[str, Any]]:
    """Every node of the plan of ``sql`` (``EXPLAIN (FORMAT JSON)``), the top one first."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        return nodes_of(cursor.fetchone()[0])


def nodes_of(explained: Any) -> list[dict[str, Any]]:
    """Every node of a plan printed by ``EXPLAIN (FORMAT JSON)`` (as the driver returns it), the top one first."""
    nodes: list[dict[str, Any]] = []
    pending = [(explained if isinstance(explained, list) else json.loads(explained))[0]["Plan"]]
    while pending:
        node = pending.pop(0)
        nodes.append(node)
        pending.extend(node.get("Plans", []))
    return nodes


def scans(nodes: list[dict[str, Any]], prefix: str) -> list[tuple[str, str, str | None]]:
    """(table, node type, index) of every read of a table whose name starts with ``prefix``, sorted."""
    return sorted(
        (node["Relation Name"], node["Node Type"], node.get("Index Name"))
        for node in nodes
        if node.get("Relation Name", "").startswith(prefix)
    )


def partition_of(table: str, row_id: int) -> str:
    """The name of the partition of ``table`` that stores the row ``row_id``."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [row_id])  # noqa: S608
        return str(cursor.fetchone()[0])
