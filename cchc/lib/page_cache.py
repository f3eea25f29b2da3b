"""Parts of pages rendered once and kept in the cache under the version of exactly the data they read.

A page section that costs a lot to make and changes rarely (a dashboard, a ranking table) is made through
:func:`fragment`, which names:

- ``reads``: the apps (their labels) whose tables the section reads, directly or through other apps' selectors;
- ``scope``: everything else its content depends on — who looks (role and unit subtree, never a user's name unless
  the section shows it), the filters of the request;
- ``compute``: how to make it (any value the cache can store: the rendered HTML, a flag beside it).

The key is made of the name, the scope, the active language, today's date and the current version of every app
read, so a section is never shared between viewers who would see different things, and any write to a table of an
app it reads makes the next request compute it again. Whatever must stay per request (the CSRF token, the
messages, the greeting with the user's name) is left out of the section and rendered around it.

How a version moves: every SQL statement a Django connection runs passes through :func:`_watch` (added to each new
connection). An ``INSERT``, ``UPDATE``, ``DELETE`` or ``TRUNCATE`` of a table of one of the product's apps (a
library's, such as the sessions' or the sign-in attempts', moves nothing) — a model's ``save()``, a
queryset's ``update()`` or ``delete()``, ``bulk_create``, raw SQL, an import, a data migration — moves that app's
version on twice:

- at once in this process, so the process that writes never reads a section it has just made stale, even inside a
  transaction not yet committed;
- after the commit, in the table :class:`cchc.lib.models.DataVersion` (one row per app, one statement in its own
  short transaction), so every other process sees it whichever cache is configured: the local-memory cache (one
  per process) or Redis (shared by every server). A short write about to commit may store them as its own last
  statement instead (:func:`store_before_commit`): they then become visible with its data, at its one commit.

A transaction rolled back moves nothing stored, and moves its apps' versions in this process on once more (at the
next reading of the versions): a section made inside it from its own writes is never found again.

The one exception: an ``UPDATE`` that sets only columns declared shown by no cached section
(:func:`shown_by_no_section`: the time of a person's last sign-in, of an API token's last use) moves nothing, so a
rush of sign-ins keeps every section and every person's cached roles.

Reading the versions (one query) comes before reading the data, so a section made from data older than the
versions is stored under a key nobody asks for again. Within one request the committed versions are read once per
database, all apps together, at the first section that needs them (:func:`begin_request`): every later section of
the same request, and the signed-in person's roles (``cchc.accounts.roles``), use that reading, which is still
older than anything they read after it; a write of the request itself moves this process's version at once as
before. Writes that do not go through a Django cursor (psycopg's ``COPY``) call :func:`changed` themselves. A
migration moves every version once it has run.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.apps import apps
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone, translation

__all__ = [
    "SECONDS",
    "atomic_storing_versions",
    "changed",
    "fragment",
    "fragments",
    "key",
    "sections_of",
    "shown_by_no_section",
    "store_before_commit",
    "versions",
]

T = TypeVar("T")

# How long a section stays in the cache at most: a new version is made anyway whenever the data changes.
SECONDS = 60 * 60

TABLE = "cchc_lib_dataversion"
# The product's apps: the tables of the libraries (sessions, sign-in attempts) move no version.
WATCHED = "cchc."
_WRITE = re.compile(
    r'\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?"?(\w+)"?',
    re.IGNORECASE,
)
_TRUNCATED = re.compile(r'"?(\w+)"?\s*(?:,|$|\s)')
_WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCA", "WITH ", "REPLAC")
# An UPDATE of one table whose SET clause only gives columns placeholders, as Django's ``save(update_fields=…)`` and
# ``update()`` write it: the table, then the SET clause.
_PLAIN_UPDATE = re.compile(r'\s*UPDATE\s+"?(\w+)"?\s+SET\s+(.+?)(?:\s+WHERE\s.*)?', re.IGNORECASE | re.DOTALL)
_ASSIGNMENT = re.compile(r'\s*"?(\w+)"?\s*=\s*%s\s*')

# Every app's committed version, as ``DataVersion.objects.values_list("area", "counter")`` reads them.
_READ_ALL = f'SELECT "{TABLE}"."area" AS "area", "{TABLE}"."counter" AS "counter" FROM "{TABLE}"'  # noqa: S608

_local: dict[str, int] = {}  # moved at once, in this process
_lock = threading.Lock()
_tables: dict[str, str] = {}
# Per table, the columns that no cached section shows (:func:`shown_by_no_section`).
_unshown: dict[str, frozenset[str]] = {}
_paused = threading.local()
# The committed versions read during the current request, per database alias (``None``: not in a request).
_request = threading.local()


def _app_of_table(table: str) -> str | None:
    """The label of the product's app owning ``table`` (``None``: a library's table, this module's own, or none)."""
    if not _tables:
        found = {
            model._meta.db_table: model._meta.app_label
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_config is not None and model._meta.app_config.name.startswith(WATCHED)
        }
        found.pop(TABLE, None)
        _tables.update(found)
    return _tables.get(table)


def shown_by_no_section(table: str, *columns: str) -> None:
    """Declare that no cached section shows ``columns`` of ``table``: an UPDATE that sets only those moves no version.

    For the columns that record when something happened to a row and that only uncached pages show (the time of a
    person's last sign-in, of an API token's last use): written at every sign-in, they would otherwise make every
    section reading their app, and every person's cached roles, be made again. Whoever shows one of them in a cached
    section must take it out of here.
    """
    _unshown[table] = _unshown.get(table, frozenset()) | frozenset(columns)


def _sets_only_unshown_columns(sql: str, tables: list[str]) -> bool:
    """Is ``sql`` an UPDATE of one table that sets only columns no cached section shows (placeholders, nothing else)?"""
    if len(tables) != 1 or tables[0] not in _unshown:
        return False
    match = _PLAIN_UPDATE.fullmatch(sql)
    if match is None or match.group(1) != tables[0]:
        return False
    columns = set()
    for assignment in match.group(2).split(","):
        column = _ASSIGNMENT.fullmatch(assignment)
        if column is None:
            return False
        columns.add(column.group(1))
    return columns <= _unshown[tables[0]]


def _apps_written(sql: str) -> set[str]:
    """The apps whose tables the statement ``sql`` writes (empty for a read, or for a write of columns no cached
    section shows)."""
    head = sql.lstrip()[:6].upper()
    if not head.startswith(_WRITES):
        return set()
    tables = [match.group(1) for match in _WRITE.finditer(sql)]
    if head == "UPDATE" and _sets_only_unshown_columns(sql, tables):
        return set()
    if head == "TRUNCA":
        tables += _TRUNCATED.findall(sql.split(None, 1)[1] if " " in sql else "")
    return {label for table in tables if (label := _app_of_table(table)) is not None}


def _bump_local(labels: Iterable[str]) -> None:
    with _lock:
        for label in labels:
            _local[label] = _local.get(label, 0) + 1


def _bump_stored(labels: Iterable[str], using: str) -> None:
    """One statement, in its own transaction: each app's row moves on by one (created at 1)."""
    ordered = sorted(set(labels))
    if not ordered or getattr(_paused, "on", False):
        return
    rows = ", ".join(["(%s, 1)"] * len(ordered))
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (area, counter) VALUES {rows} "  # noqa: S608 - our table, placeholders only
            f"ON CONFLICT (area) DO UPDATE SET counter = {TABLE}.counter + 1",
            ordered,
        )


class _AfterCommit:
    """The apps written in the current transaction of a connection, stored once it commits (or, with
    :func:`store_before_commit`, as its last statement; ``stored`` holds those)."""

    def __init__(self, using: str) -> None:
        self.using = using
        self.labels: set[str] = set()
        self.stored: set[str] = set()
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        _bump_stored(self.labels, self.using)


def _pending(connection: BaseDatabaseWrapper) -> _AfterCommit | None:
    """The apps written in the connection's open transaction, or ``None``.

    A transaction (or savepoint) rolled back after a write drops its callback: what was read inside it, and may have
    been cached under the versions its writes moved in this process, showed data that no longer exists, and those
    versions are current again. They are moved on once more, here, the next time anything asks.
    """
    pending: _AfterCommit | None = getattr(connection, "_cchc_data_versions", None)
    if pending is None or any(entry[1] is pending for entry in connection.run_on_commit):
        return pending
    connection._cchc_data_versions = None  # type: ignore[attr-defined]
    if not pending.ran:
        _bump_local(pending.labels | pending.stored)
    return None


def _forget_rolled_back() -> None:
    for connection in connections.all(initialized_only=True):
        _pending(connection)


def changed(*labels: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Move the versions of the apps ``labels`` on: at once in this process, for every process after the commit."""
    _bump_local(labels)
    connection = connections[using]
    if not connection.in_atomic_block:
        _pending(connection)
        _bump_stored(labels, using)
        return
    pending = _pending(connection)
    if pending is None:
        # The first write of this transaction (an earlier one's callback has run or was dropped by a rollback).
        pending = _AfterCommit(using)
        connection._cchc_data_versions = pending  # type: ignore[attr-defined]
        transaction.on_commit(pending, using=using)
    pending.labels.update(labels)


def store_before_commit(using: str = DEFAULT_DB_ALIAS) -> None:
    """Store the versions the open transaction's writes have moved so far as its own statement, not after its commit.

    For a short write that is about to commit (an API score write): the versions and the data they cover become
    visible together at the commit, and the commit is the write's last statement, so there is one commit, not two,
    and no statement after it. Call it just before the end of the outermost ``atomic`` block: the version rows stay
    locked until the commit, as the separate statement would lock them until its own. Writes after it are stored after
    the commit as usual. Outside a transaction, or with nothing written, it does nothing.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        return
    pending = _pending(connection)
    if pending is None or not pending.labels:
        return
    _bump_stored(pending.labels, using)
    pending.stored |= pending.labels
    pending.labels = set()


@contextmanager
def atomic_storing_versions(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """``transaction.atomic`` for a short write: when it is the outermost block, the versions its writes moved are
    stored as its last statement (:func:`store_before_commit`) rather than in a transaction of their own after its
    commit. Nested in another transaction, it is a plain ``atomic`` block (a savepoint)."""
    outermost = not connections[using].in_atomic_block
    with transaction.atomic(using=using):
        yield
        if outermost:
            store_before_commit(using)


def _watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """The wrapper of every statement: runs it, then moves the versions of the apps it wrote."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str):
        labels = _apps_written(sql)
        if labels:
            changed(*labels, using=context["connection"].alias)
    return result


def install(connection: BaseDatabaseWrapper, **_kwargs: Any) -> None:
    """Watch the statements of ``connection`` (``connection_created``); first, so that another wrapper's
    ``execute_wrapper`` block still removes its own."""
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _watch)


def pause_for_migrations(**_kwargs: Any) -> None:
    """While migrations run the versions' table may not exist yet; they are all moved on afterwards."""
    _paused.on = True


def resume_after_migrations(using: str = DEFAULT_DB_ALIAS, **_kwargs: Any) -> None:
    _paused.on = False
    _tables.clear()
    labels = {config.label for config in apps.get_app_configs()}
    _bump_local(labels)
    if TABLE in connections[using].introspection.table_names():
        _bump_stored(labels, using)


def begin_request(**_kwargs: Any) -> None:
    """A request starts (``request_started``): its first reading of the versions is kept until it ends."""
    _request.stored = {}


def end_request(**_kwargs: Any) -> None:
    """The request has ended (``request_finished``): every reading afterwards asks the database again."""
    _request.stored = None


def _stored_versions(labels: list[str], using: str) -> dict[str, int]:
    """The committed versions of ``labels`` in the database ``using``: read once per request (every app at once)."""
    # Looked up, not imported: the app's models sit below its helpers (``cchc.lib.models.DataVersion``).
    model = apps.get_model("cchc_lib", "DataVersion")
    per_alias: dict[str, dict[str, int]] | None = getattr(_request, "stored", None)
    if per_alias is None:
        return dict(model.objects.using(using).filter(area__in=labels).values_list("area", "counter"))
    found = per_alias.get(using)
    if found is None:
        # The statement the queryset ``values_list("area", "counter")`` builds, written out: building it cost the
        # ORM about a third of a millisecond of CPU on every request that reads a section or a person's roles.
        with connections[using].cursor() as cursor:
            cursor.execute(_READ_ALL)
            found = per_alias[using] = dict(cursor.fetchall())
    return found


def versions(labels: Iterable[str], *, using: str | None = None) -> tuple[tuple[str, int, int], ...]:
    """Each app of ``labels`` with its committed version and its version in this process (one query per request).

    ``using`` names the database to read them from; by default the one the data of the caller is read from (the
    replica inside ``cchc.lib.replica.use_replica``), so that they are never newer than that data.
    """
    _forget_rolled_back()
    ordered = sorted(set(labels))
    alias = using or router.db_for_read(apps.get_model("cchc_lib", "DataVersion")) or DEFAULT_DB_ALIAS
    stored = _stored_versions(ordered, alias)
    return tuple((label, stored.get(label, 0), _local.get(label, 0)) for label in ordered)


def _key(name: str, scope: Hashable, found_versions: tuple[tuple[str, int, int], ...]) -> str:
    parts = (name, repr(scope), translation.get_language(), timezone.localdate().isoformat(), found_versions)
    return f"page_cache:{name}:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


def key(name: str, *, reads: Iterable[str], scope: Hashable) -> str:
    """The cache key of the section ``name`` for ``scope``, in the active language, today, at the current versions."""
    return _key(name, scope, versions(reads))


def fragment(
    name: str, *, reads: Iterable[str], scope: Hashable, compute: Callable[[], T], seconds: int = SECONDS
) -> T:
    """The section ``name`` for ``scope`` from the cache, or computed by ``compute`` and stored (see the module)."""
    found_key = key(name, reads=reads, scope=scope)
    found = cache.get(found_key)
    if found is None:
        found = compute()
        cache.set(found_key, found, seconds)
    return found  # type: ignore[no-any-return]


def fragments(
    reads: Iterable[str], sections: Sequence[tuple[str, Hashable, Callable[[], Any]]], *, seconds: int = SECONDS
) -> list[Any]:
    """Several sections of one page that read the same apps ``reads``, each ``(name, scope, compute)`` as for
    :func:`fragment`: the versions are read once and the cache asked once for them all."""
    reads = tuple(reads)
    return sections_of([(name, reads, scope, compute) for name, scope, compute in sections], seconds=seconds)


def sections_of(
    sections: Sequence[tuple[str, Iterable[str], Hashable, Callable[[], Any]]], *, seconds: int = SECONDS
) -> list[Any]:
    """Several sections of one page, each ``(name, reads, scope, compute)`` as for :func:`fragment` with the apps it
    reads: the versions of every app they read are read once, and the cache asked once for them all."""
    reads_of = [sorted(set(reads)) for _name, reads, _scope, _compute in sections]
    current = {found[0]: found for found in versions({label for reads in reads_of for label in reads})}
    keys = [
        _key(name, scope, tuple(current[label] for label in reads))
        for (name, _reads, scope, _compute), reads in zip(sections, reads_of, strict=True)
    ]
    found = cache.get_many(keys)
    values = []
    for found_key, (_name, _reads, _scope, compute) in zip(keys, sections, strict=True):
        value = found.get(found_key)
        if value is None:
            value = compute()
            cache.set(found_key, value, seconds)
        values.append(value)
    return values
