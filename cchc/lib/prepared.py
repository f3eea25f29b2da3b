"""Reads of one row by its key whose SQL the ORM builds once per process, for the few statements on a hot path.

Building the SQL of a queryset (its columns, joins, clauses) costs the ORM more CPU than running it when the
statement joins several tables: reading a score with its criterion, sheet, round and unit spent about 0.6 ms
building and 0.2 ms running on the test machine, on every API write. :class:`PreparedRead` lets the ORM build the
statement once per database (from the queryset ``build`` gives for a key), keeps it with what turns its rows into
model instances (the columns' converters and the related objects of ``select_related``), and afterwards only runs
it with the key. The instances are those the queryset would give (the test compares them field by field); the
statement is logged and watched like any other (query counts, the page caches' versions).

Annotations (``annotate(has_results=Exists(…))``) are set on the instance as the queryset sets them. The statement
must take the key as its only parameter; otherwise (or on an unknown database feature) every read
goes through the queryset as usual.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import FlatValuesListIterable, get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)

# A key no row has, to find where the key sits among the statement's parameters.
_PROBE_INT = -424242
_PROBE_TEXT = "\x1fprepared-read-key\x1f"
_MIN_BIGINT, _MAX_BIGINT = -(2**63), 2**63 - 1

S = TypeVar("S", bound="_Built")


@dataclass(frozen=True)
class _Built:
    """A statement built once: its SQL and parameters, where the key sits among them, and its columns' converters."""

    sql: str
    params: tuple[Any, ...]
    key_at: int
    compiler: Any
    converters: dict[int, Any]


def _outside_bigint(key: Any) -> bool:
    """An integer key no database accepts as a parameter (the ORM's lookups of integer fields find nothing)."""
    return isinstance(key, int) and not _MIN_BIGINT <= key <= _MAX_BIGINT


class _Prepared(Generic[S]):
    """The statement of each database, built on its first read, and running it with a key."""

    def __init__(self, key_is_text: bool) -> None:
        self.probe: Any = _PROBE_TEXT if key_is_text else _PROBE_INT
        self._statements: dict[str, S | None] = {}
        self._lock = threading.Lock()

    def statement(self, alias: str, build: Callable[[], QuerySet[Any]]) -> S | None:
        """The statement for ``alias``, built from ``build()`` (the queryset for the probe key) on the first read;
        ``None`` when it cannot be built (the caller reads through the ORM)."""
        if alias not in self._statements:
            prepared = self.prepare(build(), alias)
            with self._lock:
                self._statements[alias] = prepared
        return self._statements[alias]

    def prepare(self, queryset: QuerySet[Any], alias: str) -> S | None:
        raise NotImplementedError

    def key_position(self, params: list[Any]) -> int | None:
        """Where the probe key sits among ``params``, if it is there exactly once."""
        positions = [index for index, value in enumerate(params) if value == self.probe]
        return positions[0] if len(positions) == 1 else None

    @staticmethod
    def rows(statement: S, alias: str, key: Any, *, first_only: bool) -> list[Any]:
        """The rows of ``statement`` run with ``key`` on ``alias`` (the first only, or all), converted."""
        params = list(statement.params)
        params[statement.key_at] = key
        with connections[alias].cursor() as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchmany(1) if first_only else cursor.fetchall()
        if rows and statement.converters:
            rows = list(statement.compiler.apply_converters(rows, statement.converters))
        return list(rows)


@dataclass(frozen=True)
class _Statement(_Built):
    init_list: list[str]
    model_slice: tuple[int, int]
    populators: list[Any]
    annotations: tuple[tuple[str, int], ...]


class PreparedRead(_Prepared[_Statement], Generic[M]):
    """``build(key)`` is the queryset of the row (with its ``select_related``, no ordering; with ``for_update`` its
    ``select_for_update``, read in the caller's transaction); :meth:`one` reads it, the statement built on the first
    read in each database."""

    def __init__(
        self,
        model: type[M],
        build: Callable[[Any], QuerySet[M]],
        *,
        key_is_text: bool = False,
        for_update: bool = False,
    ) -> None:
        super().__init__(key_is_text)
        self.model = model
        self.build = build
        self.for_update = for_update

    def one(self, key: Any) -> M | None:
        """The row with ``key`` (the first if several), or ``None``. An integer key outside 64 bits finds nothing, as
        the ORM's lookups of integer fields find nothing for it (a database would refuse it as a parameter)."""
        if _outside_bigint(key):
            return None
        alias = (router.db_for_write if self.for_update else router.db_for_read)(self.model) or DEFAULT_DB_ALIAS
        statement = self.statement(alias, lambda: self.build(self.probe)[:1])
        if statement is None:
            return next(iter(self.build(key)[:1]), None)
        rows = self.rows(statement, alias, key, first_only=True)
        if not rows:
            return None
        row = rows[0]
        start, end = statement.model_slice
        found = self.model.from_db(alias, statement.init_list, row[start:end])
        for populator in statement.populators:
            populator.populate(row, found)
        for name, position in statement.annotations:
            setattr(found, name, row[position])
        return found

    def prepare(self, queryset: QuerySet[Any], alias: str) -> _Statement | None:
        if queryset.db != alias:
            return None
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        key_at = self.key_position(params)
        klass_info = compiler.klass_info
        known = queryset._known_related_objects  # type: ignore[attr-defined]
        if key_at is None or not klass_info or known:
            return None
        select = compiler.select
        fields = [column[0] for column in select[0 : compiler.col_count]]
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Statement(
            sql=sql,
            params=tuple(params),
            key_at=key_at,
            compiler=compiler,
            converters=compiler.get_converters(fields),
            init_list=[column[0].target.attname for column in select[start:end]],
            model_slice=(start, end),
            populators=get_related_populators(klass_info, select, alias),
            annotations=tuple(compiler.annotation_col_map.items()),
        )


class PreparedValues(_Prepared[_Built]):
    """``build(key)`` is a ``values_list(<one column>, flat=True)`` queryset of ``model`` (its ordering included)
    whose only parameter is the key; :meth:`all` gives its values, the statement built on the first read in each
    database. Any other queryset is read through the ORM each time."""

    def __init__(self, model: type[Model], build: Callable[[Any], QuerySet[Any]], *, key_is_text: bool = False) -> None:
        super().__init__(key_is_text)
        self.model = model
        self.build = build

    def all(self, key: Any) -> list[Any]:
        """The values for ``key``; none for an integer key outside 64 bits, as the ORM finds none."""
        if _outside_bigint(key):
            return []
        alias = router.db_for_read(self.model) or DEFAULT_DB_ALIAS
        statement = self.statement(alias, lambda: self.build(self.probe))
        if statement is None:
            return list(self.build(key))
        return [row[0] for row in self.rows(statement, alias, key, first_only=False)]

    def prepare(self, queryset: QuerySet[Any], alias: str) -> _Built | None:
        if queryset.db != alias or queryset._iterable_class is not FlatValuesListIterable:  # type: ignore[attr-defined]
            return None
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        key_at = self.key_position(params)
        if key_at is None or compiler.col_count != 1:
            return None
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        return _Built(
            sql=sql, params=tuple(params), key_at=key_at, compiler=compiler, converters=compiler.get_converters(fields)
        )
