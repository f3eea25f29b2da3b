"""Writing checked dossier rows: the upsert by (source, code) behind the dossier import.

The import hands each checked row to a :class:`DossierWriter` inside its one transaction; the writer keeps at most a
batch of rows in memory and counts exactly how many dossiers it created, updated and left unchanged (a row equal to
the stored dossier is not written, so importing the same file again writes nothing).

- **PostgreSQL**: rows are streamed with ``COPY`` while the file is read, by a thread fed from a bounded queue (the
  import's thread goes on parsing meanwhile), one ``COPY`` per :data:`ROWS_PER_COPY` rows with the dossier table's
  foreign keys checked as each ends rather than all at the commit. The rows go in ``COPY``'s binary format, typed
  as the table's columns are: the server then parses no text (dates, timestamps, amounts), and the driver formats
  each row in C (rows prepared as text by a parsing process go as text, :meth:`DossierWriter.use_text`). Into the
  dossier table itself when the source has no dossier yet (every row is new); otherwise into a temporary staging
  table, and at the end one
  ``INSERT … SELECT … ON CONFLICT (source, code) DO UPDATE … WHERE … IS DISTINCT FROM …`` writes them,
  ``RETURNING (xmax = 0)`` telling created rows from updated ones. All of it happens in the import's transaction, so
  a rolled-back or killed import leaves nothing behind.
- **Other databases (SQLite)**: per batch of :data:`BATCH_SIZE` rows, one query reads the stored values of the
  batch's codes, the rows are compared in Python, and new and changed rows are written with ``executemany``.

Both keep :attr:`DossierWriter.affected`: the (unit, first day of the month) keys whose monthly figures the written
rows change — received and finished months, of the new values and of the old values of updated dossiers.
"""

from __future__ import annotations

import datetime
import queue
import threading
from collections.abc import Sequence
from contextlib import suppress
from decimal import Decimal
from typing import Any

import psycopg
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib import page_cache
from cchc.lib.errors import ServiceError

from .kpis import ImportSums
from .models import DataImport, Dossier, DossierKey

BATCH_SIZE = 500
STAGING_TABLE = "procedures_dossier_import_staging"
MATCHED_TABLE = "procedures_dossier_import_matched"
# Set for the import's transaction on PostgreSQL: the import writes the key rows of its dossiers itself, and the
# dossier table's trigger, which writes them for every other writer, stands aside (migration ``procedures.0007``).
KEY_SETTING = "cchc.dossier_keys"
# The dossier columns a row sets, after source and code (foreign keys as their ids).
VALUE_COLUMNS = (
    "procedure_id",
    "unit_id",
    "received_on",
    "due_on",
    "finished_on",
    "returned_on",
    "status",
    "channel",
    "fee",
    "paid_online",
    "inputs_digitised",
    "results_digitised",
    "electronic_result",
    "apology_on",
    "supplement_requests",
    "returned_or_withdrawn",
)
_UNIT, _RECEIVED, _FINISHED = 2, 3, 5  # positions in a row

Row = tuple[Any, ...]  # (code, *values in VALUE_COLUMNS order)

COPY_LINES = 1_000  # rows handed to COPY at a time
ROWS_PER_COPY = 20_000  # rows of one COPY statement, whose foreign keys the server checks as it ends
QUEUED_TEXTS = 32  # texts of COPY_LINES rows waiting for the COPY thread at most
# Batches of rows (tuples of Python values, several times the size of their text) for a binary COPY waiting at most:
# enough to keep the server busy while the next rows are parsed, few enough that memory does not follow the file.
QUEUED_ROW_BATCHES = 4
_NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_FLAGS = {True: "t", False: "f"}


def _escaped(text: str) -> str:
    """``text`` for ``COPY``: backslash, tab and line ends escaped (checked first: ``translate`` is slow, and a
    printable text without a backslash has none of them)."""
    if "\\" not in text and text.isprintable():
        return text
    return text.translate(_ESCAPES)


class _Texts(dict[Any, str]):
    """Dates or amounts as ``COPY`` text, each formatted once; none is ``\\N``."""

    def __init__(self) -> None:
        super().__init__({None: _NULL})

    def __missing__(self, value: datetime.date | Decimal) -> str:
        text = self[value] = value.isoformat() if isinstance(value, datetime.date) else str(value)
        return text


class _CopyStream:
    """``COPY … FROM STDIN`` fed by a thread of its own, so that the import's thread goes on parsing while the
    connection waits on the server. The thread ends its ``COPY`` every :data:`ROWS_PER_COPY` rows and starts the next:
    with the dossier table's foreign keys checked at the end of each ``COPY`` (``SET CONSTRAINTS … IMMEDIATE``) the
    server checks them while the next rows are parsed, instead of all at the commit. At most :data:`QUEUED_TEXTS`
    texts of :data:`COPY_LINES` rows, or :data:`QUEUED_ROW_BATCHES` batches of rows for a binary ``COPY``, wait in the
    queue (memory stays flat)."""

    _END = object()
    _CANCEL = object()

    def __init__(
        self,
        raw_connection: Any,
        statement: str,
        types: Sequence[int] = (),
        prefix: Row = (),
        suffix: Row = (),
        after: Any = None,
    ) -> None:
        self.raw_connection = raw_connection
        self.after = after  # called with the cursor after each COPY ends (the key rows of the rows just stored)
        self.statement = statement
        self.types = types  # the columns' type oids, for a binary COPY fed by write_rows()
        self.prefix, self.suffix = prefix, suffix  # the values around each queued row (source; import, times)
        self.error: BaseException | None = None
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=QUEUED_ROW_BATCHES if types else QUEUED_TEXTS)
        self.thread = threading.Thread(target=self._run, name="dossier-copy", daemon=True)
        self.thread.start()

    def write(self, text: str, rows: int) -> None:
        self._put((text, rows))

    def write_rows(self, rows: list[Row]) -> None:
        """Queue ``rows`` (tuples of the statement's columns) for a binary ``COPY``."""
        self._put((rows, len(rows)))

    def close(self) -> None:
        """Write what is queued and end the ``COPY``; its error, if any, is raised here."""
        self._put(self._END)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def cancel(self) -> None:
        """Give the ``COPY`` up (its rows are rolled back with the import's transaction)."""
        if self.thread.is_alive():
            self._put(self._CANCEL, check=False)
            self.thread.join()

    def _put(self, item: Any, *, check: bool = True) -> None:
        while True:
            if check and self.error is not None:
                raise self.error
            if not self.thread.is_alive():
                if check:  # rows must never be dropped silently
                    raise self.error or RuntimeError("the COPY thread has ended")
                return
            try:
                self.queue.put(item, timeout=0.2)
            except queue.Full:
                continue
            return

    def _run(self) -> None:
        context: Any = None  # the COPY in progress
        try:
            with self.raw_connection.cursor() as cursor:
                rows = 0
                while True:
                    item = self.queue.get()
                    if item is self._END or item is self._CANCEL:
                        break
                    data, count = item
                    if context is None:
                        context = cursor.copy(self.statement)
                        copy = context.__enter__()
                        if self.types:
                            copy.set_types(self.types)
                    if type(data) is str:
                        copy.write(data)
                    else:
                        write_row, prefix, suffix = copy.write_row, self.prefix, self.suffix
                        if prefix or suffix:
                            for row in data:
                                write_row(prefix + row + suffix)
                        else:
                            for row in data:
                                write_row(row)
                    rows += count
                    if rows >= ROWS_PER_COPY:  # the server stores and checks these rows while the next are parsed
                        ending, context, rows = context, None, 0
                        ending.__exit__(None, None, None)
                        if self.after is not None:
                            self.after(cursor)
                if context is not None:
                    ending, context = context, None
                    if item is self._END:
                        ending.__exit__(None, None, None)
                        if self.after is not None:
                            self.after(cursor)
                    else:
                        _exit_quietly(ending, _Cancelled())
        except BaseException as exc:  # handed to the import's thread, which raises it
            self.error = exc
            if context is not None:
                _exit_quietly(context, exc)


def _exit_quietly(context: Any, error: BaseException) -> None:
    """End a ``COPY`` with an error (psycopg then sends ``CopyFail``), ignoring what that raises."""
    with suppress(Exception):  # the first error is the one to report
        context.__exit__(type(error), error, error.__traceback__)


class _Cancelled(Exception):
    """Ends a ``COPY`` with an error (psycopg then sends ``CopyFail``)."""


class _Cache(dict[Any, Any]):
    """``function`` of each value, computed once (dates repeat a lot)."""

    def __init__(self, function: Any) -> None:
        super().__init__()
        self.function = function

    def __missing__(self, value: Any) -> Any:
        result = self[value] = self.function(value)
        return result


def row_of(values: dict[str, Any]) -> Row:
    """The row a writer takes, from the parsed values of a checked row (procedure and unit as instances)."""
    return (
        values["code"],
        values["procedure"].pk,
        values["unit"].pk,
        values["received_on"],
        values["due_on"],
        values["finished_on"],
        values["returned_on"],
        str(values["status"]),
        str(values["channel"]),
        values["fee"],
        values["paid_online"],
        values["inputs_digitised"],
        values["results_digitised"],
        values["electronic_result"],
        values["apology_on"],
        values["supplement_requests"],
        values["returned_or_withdrawn"],
    )


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def keys_of_copy_sql() -> str:
    """The key rows of the dossiers of one import among the ids in a range (PostgreSQL; parameters: the ids after
    which and up to which, the import). The range is read on its own (a materialised CTE), through each partition's
    primary key: the planner cannot then prefer the index on the last import, which would read every earlier batch
    of the import again."""
    table = connection.ops.quote_name(Dossier._meta.db_table)
    return f"""
        WITH copied AS MATERIALIZED (
            SELECT source, code, id, received_on, last_import_id FROM {table} WHERE id > %s AND id <= %s
        )
        INSERT INTO {DossierKey._meta.db_table} (source, code, dossier_id, received_on)
        SELECT source, code, id, received_on FROM copied WHERE last_import_id = %s
    """  # noqa: S608 - table names from the models


def matched_sql() -> str:
    """The staged rows that are new or differ from their stored dossier (PostgreSQL), with the stored dossier's id,
    unit and dates: the key table gives each code's dossier id and received date, and so the one partition and row
    to compare with. Takes the source as its parameter."""
    stored = ", ".join(f"d.{name}" for name in VALUE_COLUMNS)
    staged = ", ".join(f"s.{name}" for name in VALUE_COLUMNS)
    return f"""
        SELECT s.code, {staged}, d.id AS old_id, d.unit_id AS old_unit, d.received_on AS old_received,
               d.finished_on AS old_finished
        FROM {STAGING_TABLE} s
        LEFT JOIN {DossierKey._meta.db_table} k ON k.source = %s AND k.code = s.code
        LEFT JOIN {connection.ops.quote_name(Dossier._meta.db_table)} d
            ON d.id = k.dossier_id AND d.received_on = k.received_on
        WHERE d.id IS NULL OR ({stored}) IS DISTINCT FROM ({staged})
    """  # noqa: S608 - table and column names from the models


class DossierWriter:
    """Upserts the rows of one import by (source, code); call :meth:`add` per row, then :meth:`finish` once.

    On PostgreSQL one ``COPY`` stays open while rows are added, so that the server stores them while the next rows
    are read and parsed; :meth:`pause` ends it before the import runs another query (a unit looked up by name), and
    the next row opens a new one. When the source has no dossier yet, every row is new (codes are unique within an
    import) and is copied straight into the dossier table; otherwise rows go through the staging table and one
    upsert at the end."""

    def __init__(self, *, source: str, log: DataImport) -> None:
        self.source = source
        self.log = log
        self.created = 0
        self.updated = 0
        self.unchanged = 0
        self.affected: set[tuple[int, datetime.date]] = set()
        self.table = connection.ops.quote_name(Dossier._meta.db_table)
        self.now = timezone.now()
        self.postgres = connection.vendor == "postgresql"
        self.batch: list[Row] = []
        self.staged = 0
        self.had_rows = Dossier.objects.filter(source=source).exists()
        self.lines: list[str] = []
        self.rows: list[Row] = []  # rows waiting for the binary COPY
        self.binary = self.postgres  # False once use_text() was called
        self._types: dict[str, int] | None = None
        self._days = _Texts()
        self._sql_days = _Cache(connection.ops.adapt_datefield_value)
        self._months = _Cache(_month)
        self._amounts = _Texts()
        self._prefix = source.translate(_ESCAPES) + "\t"
        self._suffix = f"\t{log.pk}\t{self.now.isoformat()}\t{self.now.isoformat()}\n"
        self._stream: _CopyStream | None = None
        self._checked_now: list[str] = []  # foreign keys checked at the end of each COPY instead of at the commit
        # The rollup counts of the created rows, summed as they are written: on PostgreSQL when every row goes straight
        # into the table (a new source) as values (not as text prepared elsewhere); on other databases always.
        self.sums: ImportSums | None = ImportSums() if not (self.postgres and self.had_rows) else None
        # PostgreSQL: the ids above which the dossiers of the next COPY get theirs (keys written by _keys_of_copy).
        self._sequence = ""
        self._keys_after = 0
        if self.postgres:
            self._write_keys_here()
        if self.postgres and self.had_rows:
            self._create_staging()

    def add(self, row: Row) -> None:
        if self.binary:
            rows = self.rows
            rows.append(row)
            if len(rows) >= COPY_LINES:
                self._send()
            self.staged += 1
            return
        if self.postgres:
            self.lines.append(self._copy_line(row))
            if len(self.lines) >= COPY_LINES:
                self._send()
            self.staged += 1
            return
        self.batch.append(row)
        if len(self.batch) >= BATCH_SIZE:
            self._write(self.batch)
            self.batch = []

    def use_text(self) -> None:
        """Write in ``COPY``'s text format from now on (before the first row): the format of :meth:`copy_line`, which a
        parsing process prepares ahead of :meth:`add_lines`."""
        self.pause()
        self.binary = False
        self.sums = None

    def copy_line(self, row: Row) -> str | None:
        """The ``COPY`` line of ``row`` (PostgreSQL), for a process that prepares rows ahead of :meth:`add_lines`;
        ``None`` on other databases, whose rows are handed to :meth:`add` as they are. Call :meth:`use_text` first."""
        return self._copy_line(row) if self.postgres else None

    def add_lines(self, text: str, count: int) -> None:
        """Add ``count`` rows already in the text of ``COPY`` (lines of :meth:`copy_line`)."""
        self._send()
        stream = self._stream or self._open_copy()
        stream.write(text, count)
        self.staged += count

    def pause(self) -> None:
        """End the ``COPY`` in progress (PostgreSQL), so that the connection can run another query."""
        self._send()
        if self._stream is None:
            return
        stream, self._stream = self._stream, None
        try:
            stream.close()
        except (IntegrityError, psycopg.IntegrityError) as exc:
            # another import of the same source committed its dossiers meanwhile
            raise ServiceError(
                _("Một lần nhập khác của cùng nguồn dữ liệu vừa ghi các hồ sơ này; hãy nhập lại tệp."),
                code="concurrent_import",
                field="source",
            ) from exc

    def _send(self) -> None:
        if self.rows:
            if self.sums is not None:
                self.sums.add(self.rows)
            stream = self._stream or self._open_copy()
            stream.write_rows(self.rows)
            self.rows = []
        if not self.lines:
            return
        stream = self._stream or self._open_copy()
        stream.write("".join(self.lines), len(self.lines))
        self.lines = []

    def _copy_line(self, row: Row) -> str:
        """One row in the text format of ``COPY``: tab-separated, ``\\N`` for none, backslash escapes."""
        (
            code,
            procedure,
            unit,
            received,
            due,
            finished,
            returned,
            status,
            channel,
            fee,
            paid_online,
            inputs_digitised,
            results_digitised,
            electronic_result,
            apology,
            supplements,
            withdrawn,
        ) = row
        day, flag = self._days, _FLAGS
        line = (
            f"{_escaped(code)}\t{procedure}\t{unit}\t{day[received]}\t{day[due]}\t{day[finished]}\t"
            f"{day[returned]}\t{_escaped(status)}\t{_escaped(channel)}\t{self._amounts[fee]}\t"
            f"{flag[paid_online]}\t{flag[inputs_digitised]}\t{flag[results_digitised]}\t{flag[electronic_result]}\t"
            f"{day[apology]}\t{supplements}\t{flag[withdrawn]}"
        )
        return f"{line}\n" if self.had_rows else f"{self._prefix}{line}{self._suffix}"

    def abort(self) -> None:
        """Give up a ``COPY`` in progress after an error; the import's transaction is then rolled back."""
        self.lines = []
        self.rows = []
        if self._stream is not None:
            stream, self._stream = self._stream, None
            stream.cancel()

    def finish(self) -> None:
        """Write what is left: the last batch, the end of the ``COPY``, the upsert from the staging table."""
        if not self.postgres:
            if self.batch:
                self._write(self.batch)
                self.batch = []
            return
        self.pause()
        # ``COPY`` goes round the statements ``cchc.lib.page_cache`` watches: the dossiers' version moves here.
        page_cache.changed(Dossier._meta.app_label)
        if self._checked_now:
            self._check_at_commit()
        if self.had_rows:
            self._upsert_staged()
        elif self.staged:
            self.created += self.staged
            if self.sums is not None:
                self.affected.update(self.sums.keys)
            else:
                self._keys_of_import()
        with connection.cursor() as cursor:  # other writers in this transaction are followed by the trigger again
            cursor.execute("SELECT set_config(%s, '', true)", [KEY_SETTING])

    def _open_copy(self) -> Any:
        table = STAGING_TABLE if self.had_rows else self.table
        columns: tuple[str, ...] = ("code", *VALUE_COLUMNS)
        if not self.had_rows:
            columns = ("source", *columns, "last_import_id", "created_at", "updated_at")
        if not self.had_rows and not self._checked_now:
            self._check_now()
        connection.ensure_connection()
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        after = None if self.had_rows else self._keys_of_copy
        if not self.binary:
            self._stream = _CopyStream(connection.connection, statement, after=after)
            return self._stream
        types = self._column_types()
        prefix: Row = ()
        suffix: Row = ()
        if not self.had_rows:
            prefix, suffix = (self.source,), (self.log.pk, self.now, self.now)
        self._stream = _CopyStream(
            connection.connection,
            f"{statement} (FORMAT binary)",
            types=[types[name] for name in columns],
            prefix=prefix,
            suffix=suffix,
            after=after,
        )
        return self._stream

    def _write_keys_here(self) -> None:
        """Turn the dossier table's key trigger off for this transaction (PostgreSQL): this writer writes the key rows
        of its dossiers itself, in bulk, from the rows just stored (:meth:`_keys_of_copy`, :meth:`_upsert_staged`)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, 'written', true), pg_get_serial_sequence(%s, 'id')",
                [KEY_SETTING, Dossier._meta.db_table],
            )
            self._sequence = cursor.fetchone()[1]
            if not self.had_rows:
                # Ids only grow: every dossier this import copies gets a larger one than the sequence has given yet.
                cursor.execute(f"SELECT last_value, is_called FROM {self._sequence}")  # noqa: S608 - PostgreSQL's name
                last, called = cursor.fetchone()
                self._keys_after = int(last) if called else int(last) - 1

    def _keys_of_copy(self, cursor: Any) -> None:
        """The key rows of the dossiers the ``COPY`` just ended stored, written by the server from those rows (called
        in the ``COPY`` thread, on its connection). They are the rows of this import among the ids the sequence gave
        since the last call (``currval``: the last id this connection took); another import's rows may lie between
        them. A code already stored for the source fails here, on the key table's primary key."""
        cursor.execute("SELECT currval(%s::regclass)", [self._sequence])
        last = int(cursor.fetchone()[0])
        if last <= self._keys_after:
            return
        cursor.execute(keys_of_copy_sql(), [self._keys_after, last, self.log.pk])
        self._keys_after = last

    def _column_types(self) -> dict[str, int]:
        """The type of each column of the dossier table (the staging table's are the same), by name: a binary
        ``COPY`` sends each value in its column's own binary form."""
        if self._types is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
                    "AND NOT attisdropped",
                    [Dossier._meta.db_table],
                )
                self._types = {name: int(oid) for name, oid in cursor.fetchall()}
        return self._types

    def _check_now(self) -> None:
        """Check the dossier table's foreign keys (deferred to the commit by default) as each ``COPY`` ends."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(%s) AND contype = 'f' "
                "AND condeferrable AND condeferred ORDER BY conname",
                [Dossier._meta.db_table],
            )
            self._checked_now = [name for (name,) in cursor.fetchall()]
            if self._checked_now:
                names = ", ".join(connection.ops.quote_name(name) for name in self._checked_now)
                cursor.execute(f"SET CONSTRAINTS {names} IMMEDIATE")

    def _check_at_commit(self) -> None:
        """Back to the foreign keys' own timing (deferred) for the rest of the import's transaction."""
        names = ", ".join(connection.ops.quote_name(name) for name in self._checked_now)
        self._checked_now = []
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {names} DEFERRED")

    def _keys_of_import(self) -> None:
        """The months of the dossiers this import copied straight into the table (PostgreSQL, new source)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT unit_id, date_trunc('month', received_on)::date FROM {self.table} WHERE last_import_id = %s
                UNION SELECT unit_id, date_trunc('month', finished_on)::date FROM {self.table}
                    WHERE last_import_id = %s AND finished_on IS NOT NULL
                """,  # noqa: S608 - table name from the model
                [self.log.pk, self.log.pk],
            )
            self.affected.update((unit, month) for unit, month in cursor.fetchall())

    def _keys(self, row: Sequence[Any]) -> None:
        unit, months = row[_UNIT], self._months
        self.affected.add((unit, months[row[_RECEIVED]]))
        if row[_FINISHED] is not None:
            self.affected.add((unit, months[row[_FINISHED]]))

    # --- Any database: compare in Python, executemany --------------------------------------------------------------

    def _write(self, batch: list[Row]) -> None:
        # Codes are unique within an import: when the source had no dossier before it, none is stored yet.
        stored = (
            {
                values[0]: values[1:]
                for values in Dossier.objects.filter(
                    source=self.source, code__in=[row[0] for row in batch]
                ).values_list("code", "pk", *VALUE_COLUMNS)
            }
            if self.had_rows
            else {}
        )
        now = connection.ops.adapt_datetimefield_value(self.now)
        day = self._sql_days

        def adapted(row: Row) -> list[Any]:
            # (code, procedure, unit, received, due, finished, returned, …, apology, supplements, withdrawn)
            return [*row[:3], day[row[3]], day[row[4]], day[row[5]], day[row[6]], *row[7:14], day[row[14]], *row[15:]]

        inserts: list[list[Any]] = []
        updates: list[list[Any]] = []
        created: list[Row] = []
        for row in batch:
            old = stored.get(row[0])
            if old is None:
                inserts.append([self.source, *adapted(row), self.log.pk, now, now])
                created.append(row)
                self._keys(row)
            elif old[1:] != row[1:]:
                updates.append([*adapted(row)[1:], self.log.pk, now, old[0]])
                self._keys(row)
                self._keys((None, *old[1:]))
            else:
                self.unchanged += 1
        columns = ", ".join(("source", "code", *VALUE_COLUMNS, "last_import_id", "created_at", "updated_at"))
        placeholders = ", ".join(["%s"] * (len(VALUE_COLUMNS) + 5))
        assignments = ", ".join(f"{name} = %s" for name in (*VALUE_COLUMNS, "last_import_id", "updated_at"))
        with connection.cursor() as cursor:
            if inserts:
                cursor.executemany(f"INSERT INTO {self.table} ({columns}) VALUES ({placeholders})", inserts)  # noqa: S608
            if updates:
                cursor.executemany(f"UPDATE {self.table} SET {assignments} WHERE id = %s", updates)  # noqa: S608
        self.created += len(inserts)
        self.updated += len(updates)
        if self.sums is not None:
            self.sums.add(created)

    # --- PostgreSQL: COPY into a staging table, one INSERT … ON CONFLICT ----------------------------------------------

    def _create_staging(self) -> None:
        fields = {field.attname: field for field in Dossier._meta.concrete_fields}
        definitions = ", ".join(f"{name} {fields[name].db_type(connection)}" for name in VALUE_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {STAGING_TABLE} (code varchar(100) NOT NULL, {definitions})")

    def _upsert_staged(self) -> None:
        """Write the staged rows: the new and changed ones, found once through the key table, go into a temporary
        table with the stored dossier's id and old values; the changed dossiers are updated by (id, received_on) (a
        dossier whose received date moves to another year moves partition), the new ones inserted with their keys."""
        names = ", ".join(VALUE_COLUMNS)
        keys = DossierKey._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {MATCHED_TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {MATCHED_TABLE} AS {matched_sql()}", [self.source])
            # The months of new and changed dossiers, with their old months, before they are overwritten.
            cursor.execute(
                f"""
                SELECT unit_id, date_trunc('month', received_on)::date FROM {MATCHED_TABLE}
                UNION SELECT unit_id, date_trunc('month', finished_on)::date FROM {MATCHED_TABLE}
                    WHERE finished_on IS NOT NULL
                UNION SELECT old_unit, date_trunc('month', old_received)::date FROM {MATCHED_TABLE}
                    WHERE old_id IS NOT NULL
                UNION SELECT old_unit, date_trunc('month', old_finished)::date FROM {MATCHED_TABLE}
                    WHERE old_finished IS NOT NULL
                """  # noqa: S608 - our own table
            )
            self.affected.update((unit, month) for unit, month in cursor.fetchall())
            assignments = ", ".join(f"{name} = m.{name}" for name in VALUE_COLUMNS)
            cursor.execute(
                f"""
                UPDATE {self.table} d SET {assignments}, last_import_id = %s, updated_at = %s
                FROM {MATCHED_TABLE} m WHERE m.old_id IS NOT NULL AND d.id = m.old_id AND d.received_on = m.old_received
                """,  # noqa: S608 - table and column names from the models
                [self.log.pk, self.now],
            )
            updated = cursor.rowcount
            cursor.execute(
                f"""
                UPDATE {keys} k SET received_on = m.received_on FROM {MATCHED_TABLE} m
                WHERE m.old_id IS NOT NULL AND m.received_on <> m.old_received AND k.source = %s AND k.code = m.code
                """,  # noqa: S608 - table names from the models
                [self.source],
            )
            try:
                with transaction.atomic():
                    cursor.execute(
                        f"""
                        WITH written AS (
                            INSERT INTO {self.table} (source, code, {names}, last_import_id, created_at, updated_at)
                            SELECT %s, code, {names}, %s, %s, %s FROM {MATCHED_TABLE} WHERE old_id IS NULL
                            RETURNING source, code, id, received_on
                        )
                        INSERT INTO {keys} (source, code, dossier_id, received_on) SELECT * FROM written
                        """,  # noqa: S608 - table and column names from the models
                        [self.source, self.log.pk, self.now, self.now],
                    )
                    created = cursor.rowcount
            except IntegrityError as exc:
                # another import of the same source stored some of these codes meanwhile
                raise ServiceError(
                    _("Một lần nhập khác của cùng nguồn dữ liệu vừa ghi các hồ sơ này; hãy nhập lại tệp."),
                    code="concurrent_import",
                    field="source",
                ) from exc
            cursor.execute(f"DROP TABLE {MATCHED_TABLE}")
            cursor.execute(f"DROP TABLE {STAGING_TABLE}")
        self.created += created
        self.updated += updated
        self.unchanged += self.staged - created - updated


__all__ = ["BATCH_SIZE", "VALUE_COLUMNS", "DossierWriter", "row_of"]
