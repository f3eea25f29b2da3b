"""Tables partitioned by year on PostgreSQL (decision 26): the conversion run by migrations, the yearly partitions.

A table is turned into a declarative ``PARTITION BY RANGE`` table on its date column by :func:`partition_by_year`,
called from a ``RunPython`` migration that does nothing on other databases (SQLite keeps plain tables). Its rows are
kept where they are: a table with rows becomes the partition of every year up to the latest year it holds
(``<table>_upto_<year>``), attached after a validated ``CHECK`` so that PostgreSQL does not scan it again; an empty
table is simply replaced. Every later year gets its own partition ``<table>_y<year>``, made ahead of time by
:func:`partitions_ensure` (``cchc ensure_partitions``, a daily job); a row outside every year lands in
``<table>_default``, which ``cchc check --deploy`` reports.

Django keeps ``id`` as the model's primary key. In the database the primary key becomes ``(id, <column>)``, since
PostgreSQL wants the partition key in every unique constraint, and ``id`` takes its values from a sequence owned by
the column (a partitioned table may not have an identity column before PostgreSQL 17), which Django's sequence reset,
``sqlflush`` and ``TRUNCATE … RESTART IDENTITY`` find like any serial column.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

DEFAULT_SUFFIX = "_default"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def year_bound(year: int, column_type: str) -> str:
    """The SQL literal of the first moment of ``year``: a date, or midnight of 1 January in ``TIME_ZONE``."""
    if column_type == "date":
        return f"'{year:04d}-01-01'"
    start = datetime.datetime(year, 1, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return f"'{start.isoformat()}'"


def _column_type(cursor: CursorWrapper, table: str, column: str) -> str:
    cursor.execute(
        "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = %s::regclass AND a.attname = %s AND NOT a.attisdropped",
        [table, column],
    )
    row = cursor.fetchone()
    if row is None:
        raise ValueError(f"{table} has no column {column}")
    return "date" if row[0] == "date" else "timestamptz"


def is_partitioned(cursor: CursorWrapper, table: str) -> bool:
    cursor.execute(
        "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
        "WHERE c.relname = %s AND c.relnamespace = 'public'::regnamespace",
        [table],
    )
    return cursor.fetchone() is not None


@dataclass
class _Definition:
    """What the conversion copies from the plain table onto the partitioned one."""

    indexes: list[str] = field(default_factory=list)  # CREATE INDEX statements, named as Django named them
    unique_indexes: list[tuple[str, list[str]]] = field(default_factory=list)  # (name, columns) of the unique ones
    foreign_keys: list[tuple[str, str]] = field(default_factory=list)  # (name, definition)
    unique: list[tuple[str, list[str]]] = field(default_factory=list)  # (name, columns) of UNIQUE constraints
    index_names: list[str] = field(default_factory=list)  # the indexes that are not constraints
    primary_key: list[str] = field(default_factory=list)  # the name of the primary key constraint
    referencing: list[tuple[str, str]] = field(default_factory=list)  # (table, name) of other tables' foreign keys
    last_id: int | None = None
    id_called: bool = False


def _definition(cursor: CursorWrapper, table: str) -> _Definition:
    found = _Definition()
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid), "
        "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.oid AND k.conrelid = x.indrelid), x.indisunique, "
        "ARRAY(SELECT a.attname FROM unnest(x.indkey) AS k(num) JOIN pg_attribute a ON a.attrelid = x.indrelid "
        "AND a.attnum = k.num)::text[] FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass ORDER BY i.relname",
        [table],
    )
    for name, definition, is_constraint, is_unique, columns in cursor.fetchall():
        if not is_constraint:
            found.index_names.append(name)
            found.indexes.append(definition)
            if is_unique:
                found.unique_indexes.append((name, list(columns)))
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid), "
        "ARRAY(SELECT a.attname FROM unnest(conkey) WITH ORDINALITY AS k(num, ord) "
        "JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.num ORDER BY k.ord)::text[] "
        "FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('f', 'u', 'p') ORDER BY conname",
        [table],
    )
    for name, kind, definition, columns in cursor.fetchall():
        if kind == "f":
            found.foreign_keys.append((name, definition))
        elif kind == "p":
            found.primary_key.append(name)
        else:
            found.unique.append((name, list(columns)))
    cursor.execute(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE confrelid = %s::regclass AND contype = 'f' "
        "AND conparentid = 0 ORDER BY 1, 2",
        [table],
    )
    found.referencing = [(str(other), str(name)) for other, name in cursor.fetchall()]
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    if sequence:
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - a name PostgreSQL gave
        found.last_id, found.id_called = cursor.fetchone()
    return found


def _moved_name(name: str, block: str) -> str:
    """A name for an index of the old table that keeps it recognisable and stays within PostgreSQL's 63 bytes."""
    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()[:6]
    return f"{name[:40]}_{digest}_{block.rsplit('_', 1)[1]}"


def partition_by_year(
    schema_editor: BaseDatabaseSchemaEditor,
    table: str,
    column: str,
    *,
    widen_unique: tuple[str, ...] = (),
    unique_elsewhere: tuple[str, ...] = (),
    drop_referencing: tuple[str, ...] = (),
    foreign_keys: bool = True,
    today: datetime.date | None = None,
) -> None:
    """Turn ``table`` into a table partitioned by year of ``column``, keeping its rows, indexes and names.

    ``widen_unique`` names the unique constraints that may take ``column`` as one more column (PostgreSQL wants the
    partition key in each); ``unique_elsewhere`` names the unique constraints and unique indexes whose rule another
    table keeps (a key table filled by a trigger): they become plain indexes, still serving the lookups they served.
    Any other unique constraint or index without ``column`` stops the conversion. ``drop_referencing`` names the tables
    whose foreign keys to this one are dropped (a foreign key must reference a unique constraint holding the partition
    key, which Django cannot declare); any other stops the conversion. ``cchc check --deploy`` looks for the rows
    those tables would then be left pointing at nothing (``dangling_references``). ``foreign_keys=False`` leaves the
    table's own foreign keys out of the database (the ORM still follows them). Does nothing on databases other
    than PostgreSQL, or on a table already partitioned.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    year = (today or timezone.localdate()).year
    with schema_editor.connection.cursor() as cursor:
        if is_partitioned(cursor, table):
            return
        # Deferred foreign key checks of rows written earlier in the transaction would forbid the ALTER TABLEs.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        column_type = _column_type(cursor, table, column)
        old = _definition(cursor, table)
        for name, columns in old.unique:
            if column not in columns and name not in widen_unique and name not in unique_elsewhere:
                raise ValueError(f"{table}.{name} is unique without {column}; it cannot hold on a partitioned table")
        for name, columns in old.unique_indexes:
            if column not in columns and name not in unique_elsewhere:
                raise ValueError(f"{table}.{name} is unique without {column}; it cannot hold on a partitioned table")
        for other, name in old.referencing:
            if other not in drop_referencing:
                raise ValueError(f"{other}.{name} refers to {table}; name {other} in drop_referencing to drop it")
        for other, name in old.referencing:
            cursor.execute(f"ALTER TABLE {_quote(other)} DROP CONSTRAINT {_quote(name)}")
        q_table, q_column = _quote(table), _quote(column)
        cursor.execute(f"SELECT max({q_column}) FROM {q_table}")  # noqa: S608 - our own names
        latest = cursor.fetchone()[0]
        block = f"{table}_upto_{max(year, latest.year) if latest else year}"
        q_block = _quote(block)
        # The plain table steps aside, giving up its constraints and the names of its indexes to the new table.
        cursor.execute(f"ALTER TABLE {q_table} RENAME TO {q_block}")
        cursor.execute(f"ALTER TABLE {q_block} ALTER COLUMN id DROP IDENTITY IF EXISTS")
        for name in [*old.primary_key, *(name for name, _columns in old.unique)]:
            cursor.execute(f"ALTER TABLE {q_block} DROP CONSTRAINT {_quote(name)}")
        if latest is None or not foreign_keys:
            for name, _definition_sql in old.foreign_keys:
                cursor.execute(f"ALTER TABLE {q_block} DROP CONSTRAINT {_quote(name)}")
        elsewhere = {name for name, _columns in old.unique_indexes if name in unique_elsewhere}
        for name in old.index_names:
            if name in elsewhere:  # built again as a plain index; the rule is kept by another table
                cursor.execute(f"DROP INDEX {_quote(name)}")
            else:
                cursor.execute(f"ALTER INDEX {_quote(name)} RENAME TO {_quote(_moved_name(name, block))}")
        cursor.execute(
            f"CREATE TABLE {q_table} (LIKE {q_block} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            f"PARTITION BY RANGE ({q_column})"
        )
        sequence = f"{table}_id_seq"
        cursor.execute(f"CREATE SEQUENCE {_quote(sequence)} AS bigint OWNED BY {q_table}.id")
        if old.last_id is not None:
            cursor.execute("SELECT setval(%s, %s, %s)", [sequence, old.last_id, old.id_called])
        cursor.execute(f"ALTER TABLE {q_table} ALTER COLUMN id SET DEFAULT nextval('{sequence}'::regclass)")
        cursor.execute(f"ALTER TABLE {q_table} ADD CONSTRAINT {_quote(table + '_pkey')} PRIMARY KEY (id, {q_column})")
        for name, columns in old.unique:
            if name in unique_elsewhere and column not in columns:
                cursor.execute(f"CREATE INDEX {_quote(name)} ON {q_table} ({', '.join(map(_quote, columns))})")
                continue
            widened = columns if column in columns else [*columns, column]
            cursor.execute(
                f"ALTER TABLE {q_table} ADD CONSTRAINT {_quote(name)} UNIQUE ({', '.join(map(_quote, widened))})"
            )
        for name, definition in zip(old.index_names, old.indexes, strict=True):
            if name in elsewhere:
                definition = definition.replace("CREATE UNIQUE INDEX", "CREATE INDEX", 1)
            cursor.execute(definition)
        if foreign_keys:
            for name, definition in old.foreign_keys:
                cursor.execute(f"ALTER TABLE {q_table} ADD CONSTRAINT {_quote(name)} {definition}")
        if latest is None:
            cursor.execute(f"DROP TABLE {q_block}")
        else:
            # The rows stay where they are: a validated CHECK lets ATTACH trust them instead of reading them again.
            high = year_bound(int(block.rsplit("_", 1)[1]) + 1, column_type)
            check = _quote(f"{block}_bound"[:63])
            cursor.execute(f"ALTER TABLE {q_block} ADD CONSTRAINT {check} CHECK ({q_column} < {high}) NOT VALID")
            cursor.execute(f"ALTER TABLE {q_block} VALIDATE CONSTRAINT {check}")
            cursor.execute(f"ALTER TABLE {q_table} ATTACH PARTITION {q_block} FOR VALUES FROM (MINVALUE) TO ({high})")
            cursor.execute(f"ALTER TABLE {q_block} DROP CONSTRAINT {check}")
        cursor.execute(f"CREATE TABLE {_quote(table + DEFAULT_SUFFIX)} PARTITION OF {q_table} DEFAULT")
    partitions_ensure(years=(year, year + 1), tables=(table,), using=schema_editor.connection)


@dataclass(frozen=True)
class PartitionResult:
    table: str
    year: int
    partition: str
    outcome: str  # "created", "exists", "covered" (by an older partition's range) or "blocked" (rows in DEFAULT)
    detail: str = ""


def partitioned_tables(cursor: CursorWrapper) -> list[tuple[str, str]]:
    """Every table of the schema partitioned by range of one column, with that column."""
    cursor.execute(
        "SELECT c.relname, a.attname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0] "
        "WHERE p.partstrat = 'r' AND p.partnatts = 1 AND c.relnamespace = 'public'::regnamespace "
        "AND NOT c.relispartition ORDER BY c.relname"
    )
    return [(str(name), str(column)) for name, column in cursor.fetchall()]


def partitions_ensure(
    *, years: tuple[int, ...], tables: tuple[str, ...] | None = None, using: BaseDatabaseWrapper | None = None
) -> list[PartitionResult]:
    """Make the partition of each of ``years`` for each partitioned table (all of them when ``tables`` is None).

    Idempotent: a partition that exists, or a year inside an existing partition's range, is left as it is. A year
    whose rows sit in the DEFAULT partition is not made ("blocked"): those rows must be moved first
    (docs/deployment.md, "Partitions"). Nothing happens on other databases than PostgreSQL.
    """
    db = using or connection
    if db.vendor != "postgresql":
        return []
    results: list[PartitionResult] = []
    with db.cursor() as cursor:
        found = [(t, c) for t, c in partitioned_tables(cursor) if tables is None or t in tables]
        for table, column in found:
            column_type = _column_type(cursor, table, column)
            for year in years:
                name = f"{table}_y{year}"
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
                if cursor.fetchone()[0]:
                    results.append(PartitionResult(table, year, name, "exists"))
                    continue
                low, high = year_bound(year, column_type), year_bound(year + 1, column_type)
                try:
                    with transaction.atomic(using=db.alias):
                        cursor.execute(
                            f"CREATE TABLE {_quote(name)} PARTITION OF {_quote(table)} "
                            f"FOR VALUES FROM ({low}) TO ({high})"
                        )
                except DatabaseError as exc:
                    code = getattr(exc.__cause__, "sqlstate", None) or getattr(exc.__cause__, "pgcode", None)
                    if code == "42P17":  # overlaps an existing partition: the year is covered already
                        results.append(PartitionResult(table, year, name, "covered", str(exc).strip()))
                    elif code == "23514":  # rows of that year wait in DEFAULT
                        results.append(PartitionResult(table, year, name, "blocked", str(exc).strip()))
                    else:
                        raise
                else:
                    results.append(PartitionResult(table, year, name, "created"))
    return results


def default_partition_rows(using: BaseDatabaseWrapper | None = None) -> dict[str, int]:
    """The DEFAULT partitions that hold rows, with how many (at most 1000 counted each); empty off PostgreSQL."""
    db = using or connection
    if db.vendor != "postgresql":
        return {}
    found: dict[str, int] = {}
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_partitioned_table p JOIN pg_inherits i ON i.inhparent = p.partrelid "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE p.partdefid = c.oid ORDER BY c.relname"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {_quote(name)} LIMIT 1000) rows")  # noqa: S608
            count = int(cursor.fetchone()[0])
            if count:
                found[str(name)] = count
    return found


def partition_bounds(table: str, using: BaseDatabaseWrapper | None = None) -> dict[str, str]:
    """The partitions of ``table`` with their bounds as PostgreSQL prints them."""
    db = using or connection
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [table],
        )
        return {str(name): str(bound) for name, bound in cursor.fetchall()}


def dangling_references(using: BaseDatabaseWrapper | None = None) -> dict[str, int]:
    """Foreign keys of the ORM into partitioned tables that the database does not enforce, and how many rows of each
    point at no row (counted up to 1000), as ``"<table>.<column>"``; only those with such rows. Empty off PostgreSQL."""
    db = using or connection
    if db.vendor != "postgresql":
        return {}
    found: dict[str, int] = {}
    with db.cursor() as cursor:
        partitioned = {name for name, _column in partitioned_tables(cursor)}
        for model in apps.get_models():
            for model_field in model._meta.concrete_fields:
                target = getattr(model_field, "related_model", None)
                if not model_field.is_relation or target is None or target._meta.db_table not in partitioned:
                    continue
                table, column, other = model._meta.db_table, model_field.column, target._meta.db_table
                cursor.execute(
                    "SELECT 1 FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
                    "AND a.attnum = c.conkey[1] WHERE c.conrelid = %s::regclass AND c.confrelid = %s::regclass "
                    "AND c.contype = 'f' AND a.attname = %s",
                    [table, other, column],
                )
                if cursor.fetchone():
                    continue
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {_quote(table)} t WHERE t.{_quote(column)} IS NOT NULL "  # noqa: S608
                    f"AND NOT EXISTS (SELECT 1 FROM {_quote(other)} o WHERE o.id = t.{_quote(column)}) LIMIT 1000) rows"
                )
                count = int(cursor.fetchone()[0])
                if count:
                    found[f"{table}.{column}"] = count
    return found
