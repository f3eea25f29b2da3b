"""The service indicators of one-stop dossiers (KPIs) and the QĐ 766 group scores.

Every figure of a period is a sum of :class:`~cchc.procedures.models.DossierMonth` rows (received counts by the month
of receipt, finished counts by the month of completion), which each dossier import keeps current in its own
transaction (:func:`rollups_refresh`). Only the overdue-pending snapshot reads the dossiers themselves, through a
partial index on the dossiers still open or finished late. A unit that sends only aggregate reports (biểu 06a / 07a)
and has no dossier in a period gets the figures those reports carry. Definitions, defaults and sources are in
``docs/kpis.md``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, DateField, F, Func, IntegerField, Q, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.indicators.models import Indicator, IndicatorSource, IndicatorValue, Measure, Target, ValueState
from cchc.indicators.selectors import status_of, target_in_force, target_value
from cchc.indicators.services import indicator_ensure, value_publish_changed
from cchc.lib.numbers import percent
from cchc.lib.periods import Period
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import SEGMENT_WIDTH, Unit, decode_path, subtree_condition

from .models import (
    Channel,
    Dossier,
    DossierAggregate,
    DossierMonth,
    DossierStatus,
    DossierUnitMonth,
    OnlineLevel,
    Procedure,
    ScoreGroup,
    ScoreItem,
)

KPI_KEYS: tuple[str, ...] = (
    "received",
    "finished",
    "on_time_rate",
    "overdue_pending",
    "average_days",
    "online_rate",
    "full_online_rate",
    "postal_rate",
    "digitised_rate",
    "e_result_rate",
    "online_payment_rate",
    "apology_rate",
)
RATE_KEYS: tuple[str, ...] = (
    "on_time_rate",
    "online_rate",
    "full_online_rate",
    "postal_rate",
    "digitised_rate",
    "e_result_rate",
    "online_payment_rate",
    "apology_rate",
)
# Rates a score item may read besides RATE_KEYS (see docs/kpis.md).
DERIVED_KEYS: tuple[str, ...] = ("procedures_online_share", "not_overdue_rate")
KPI_LABELS: Mapping[str, Any] = {
    "total_score": gettext_lazy("Điểm chất lượng phục vụ theo QĐ 766"),
    "received": gettext_lazy("Hồ sơ tiếp nhận"),
    "finished": gettext_lazy("Hồ sơ đã giải quyết"),
    "on_time": gettext_lazy("Giải quyết đúng hạn"),
    "late": gettext_lazy("Giải quyết trễ hạn"),
    "on_time_rate": gettext_lazy("Tỷ lệ giải quyết đúng hạn"),
    "overdue_pending": gettext_lazy("Hồ sơ quá hạn đang xử lý"),
    "average_days": gettext_lazy("Thời gian giải quyết trung bình (ngày)"),
    "online_rate": gettext_lazy("Tỷ lệ hồ sơ nộp trực tuyến"),
    "full_online_rate": gettext_lazy("Tỷ lệ nộp trực tuyến của thủ tục toàn trình"),
    "postal_rate": gettext_lazy("Tỷ lệ hồ sơ qua bưu chính công ích"),
    "digitised_rate": gettext_lazy("Tỷ lệ hồ sơ được số hóa"),
    "e_result_rate": gettext_lazy("Tỷ lệ hồ sơ có kết quả điện tử"),
    "online_payment_rate": gettext_lazy("Tỷ lệ hồ sơ thanh toán trực tuyến"),
    "apology_rate": gettext_lazy("Tỷ lệ hồ sơ trễ hạn có phiếu xin lỗi"),
    "procedures_online_share": gettext_lazy("Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến"),
    "not_overdue_rate": gettext_lazy("100% trừ tỷ lệ hồ sơ quá hạn"),
}
LOWER_IS_BETTER = frozenset({"overdue_pending", "average_days"})

NOT_COUNTED = (DossierStatus.NEW, DossierStatus.REJECTED)
NOT_PENDING = (DossierStatus.WITHDRAWN, DossierStatus.SUSPENDED, DossierStatus.REJECTED, DossierStatus.NEW)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
KEYS_PER_QUERY = 300  # units recounted per query
SCOPE_IN_SQL = 1000  # units of a table's scope sent to the database as a list; more are filtered in Python


def late_after_supplements() -> int:
    """More supplement requests than this make a dossier late (766 rule); 0 disables the rule. Setting
    ``CCHC_KPI_LATE_AFTER_SUPPLEMENTS`` (default 1); after changing it run ``cchc kpis --refresh``."""
    return int(getattr(settings, "CCHC_KPI_LATE_AFTER_SUPPLEMENTS", 1))


def rate(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator × 100`` rounded half up to 2 places; ``None`` when there is nothing to divide by."""
    return percent(numerator, denominator)


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


# --- Conditions on dossiers ------------------------------------------------------------------------------------------


def counted() -> Q:
    """Dossiers the KPIs count: received and accepted (not ``new``, not ``rejected``)."""
    return ~Q(status__in=NOT_COUNTED)


def on_time_condition() -> Q:
    """Finished dossiers that count as on time: withdrawn or returned to the applicant, or finished by the due date (no
    due date counts as on time) with no more supplement requests than :func:`late_after_supplements`."""
    in_time = Q(due_on__isnull=True) | Q(finished_on__lte=F("due_on"))
    limit = late_after_supplements()
    if limit > 0:
        in_time &= Q(supplement_requests__lte=limit)
    return Q(status=DossierStatus.WITHDRAWN) | Q(returned_or_withdrawn=True) | in_time


def overdue_condition(day: datetime.date) -> Q:
    """Dossiers overdue and still being processed on ``day``."""
    return (
        (Q(finished_on__isnull=True) | Q(finished_on__gt=F("due_on")))  # the partial index's predicate
        & (Q(finished_on__isnull=True) | Q(finished_on__gt=day))
        & Q(received_on__lte=day, due_on__lt=day)
        & ~Q(status__in=NOT_PENDING)
    )


def _fetch(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` query as the database driver gives them: the table sums thousands of rows, and
    the ORM's per-row converters would cost more than the query."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def outermost_paths(paths: Iterable[str]) -> list[str]:
    """The paths not inside another of them (a long list of units becomes the few roots of their subtrees)."""
    kept: set[str] = set()
    for path in sorted(set(paths), key=len):
        if not any(path[:end] in kept for end in range(SEGMENT_WIDTH, len(path), SEGMENT_WIDTH)):
            kept.add(path)
    return sorted(kept)


def overdue_counts(scope: Q, day: datetime.date, field: str = "") -> dict[int, int]:
    """``{unit id: dossiers overdue and still being processed on day}`` for the dossiers matching ``scope``. Two
    queries without an OR between them, so that each reads only the partial index ``dossier_open_or_late`` (open
    dossiers; dossiers settled late after ``day``)."""
    base = Dossier.objects.filter(scope, received_on__lte=day, due_on__lt=day).exclude(status__in=NOT_PENDING)
    if field:
        base = base.filter(procedure__field=field)
    counts: dict[int, int] = {}
    for part in (
        base.filter(finished_on__isnull=True),
        base.filter(finished_on__gt=day).filter(finished_on__gt=F("due_on")),
    ):
        for unit_id, count in _fetch(part.values_list("unit_id").annotate(count=Count("*")).order_by()):
            counts[unit_id] = counts.get(unit_id, 0) + count
    return counts


def snapshot_day(period: Period) -> datetime.date:
    return min(period.end, timezone.localdate())


# --- Rollups ---------------------------------------------------------------------------------------------------------

ROLLUP_COUNTS = (
    "received",
    "received_online",
    "received_postal",
    "received_full",
    "received_full_online",
    "received_digitised",
    "received_fee",
    "received_fee_paid_online",
    "finished",
    "finished_on_time",
    "finished_e_result",
    "finished_late_apology",
    "finished_days",
)


def dossier_keys(unit_id: int, received_on: datetime.date | None, finished_on: datetime.date | None) -> set[tuple]:
    """The (unit, month) rollup keys a dossier with these values counts in."""
    keys = set()
    if received_on is not None:
        keys.add((unit_id, month_of(received_on)))
    if finished_on is not None:
        keys.add((unit_id, month_of(finished_on)))
    return keys


Box = tuple[int, datetime.date, datetime.date]  # a unit and its first and last month to recount


def _boxes_condition(boxes: Sequence[Box], column: str) -> Q:
    condition = Q()
    for unit_id, first, last in boxes:
        condition |= Q(**{"unit_id": unit_id, f"{column}__gte": first, f"{column}__lt": next_month(last)})
    return condition


class MonthStart(Func):
    """The first day of the month of a date, as a date (PostgreSQL and SQLite, the two databases cchc runs on)."""

    output_field = DateField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(DATE_TRUNC('month', %(expressions)s) AS DATE)")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="strftime('%%%%Y-%%%%m-01', %(expressions)s)")


class DaysBetween(Func):
    """Calendar days from the second date to the first, as an integer."""

    output_field = IntegerField()
    arity = 2

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)", arg_joiner=") - julianday("
        )


def _received_counts(rows: QuerySet[Dossier]) -> QuerySet[Any]:
    fee = Q(fee__gt=0)
    full = Q(procedure__online_level=OnlineLevel.FULL)
    zero = Value(0, output_field=IntegerField())
    return (
        rows.values("unit_id", month=MonthStart("received_on"), field=F("procedure__field"))
        .annotate(
            received=Count("pk"),
            received_online=Count("pk", filter=Q(channel=Channel.ONLINE)),
            received_postal=Count("pk", filter=Q(channel=Channel.POSTAL)),
            received_full=Count("pk", filter=full),
            received_full_online=Count("pk", filter=full & Q(channel=Channel.ONLINE)),
            received_digitised=Count("pk", filter=Q(inputs_digitised=True)),
            received_fee=Count("pk", filter=fee),
            received_fee_paid_online=Count("pk", filter=fee & Q(paid_online=True)),
            finished=zero,
            finished_on_time=zero,
            finished_e_result=zero,
            finished_late_apology=zero,
            finished_days=zero,
        )
        .order_by()
    )


def _finished_counts(rows: QuerySet[Dossier]) -> QuerySet[Any]:
    on_time = on_time_condition()
    zero = Value(0, output_field=IntegerField())
    return (
        rows.values("unit_id", month=MonthStart("finished_on"), field=F("procedure__field"))
        .annotate(
            received=zero,
            received_online=zero,
            received_postal=zero,
            received_full=zero,
            received_full_online=zero,
            received_digitised=zero,
            received_fee=zero,
            received_fee_paid_online=zero,
            finished=Count("pk"),
            finished_on_time=Count("pk", filter=on_time),
            finished_e_result=Count("pk", filter=Q(electronic_result=True)),
            finished_late_apology=Count("pk", filter=~on_time & Q(apology_on__isnull=False)),
            finished_days=Sum(DaysBetween("finished_on", "received_on")),
        )
        .order_by()
    )


def _insert_rollups(boxes: Sequence[Box] | None) -> int:
    """Count the dossiers of the boxes (``None``: all) into both rollup tables with two ``INSERT … SELECT``: the
    received and the finished counts are grouped apart (by their own month), joined by ``UNION ALL`` and summed per
    unit, month and field; the unit totals are then summed from those rows. Nothing passes through Python."""
    base = Dossier.objects.filter(counted())
    received = base if boxes is None else base.filter(_boxes_condition(boxes, "received_on"))
    finished = base.filter(finished_on__isnull=False)
    if boxes is not None:
        finished = finished.filter(_boxes_condition(boxes, "finished_on"))
    received_sql, received_params = _received_counts(received).query.sql_with_params()
    finished_sql, finished_params = _finished_counts(finished).query.sql_with_params()
    by_field, totals = DossierMonth._meta.db_table, DossierUnitMonth._meta.db_table
    columns = ", ".join(ROLLUP_COUNTS)
    sums = ", ".join(f"SUM({name})" for name in ROLLUP_COUNTS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {by_field} (unit_id, month, field, {columns}) "  # noqa: S608 - names of our own tables
            f"SELECT unit_id, month, COALESCE(field, ''), {sums} "
            f"FROM ({received_sql} UNION ALL {finished_sql}) AS parts GROUP BY unit_id, month, COALESCE(field, '')",
            [*received_params, *finished_params],
        )
        count = cursor.rowcount
        scope, params = "", []
        if boxes is not None:
            scope = "WHERE " + " OR ".join(["(unit_id = %s AND month >= %s AND month <= %s)"] * len(boxes))
            params = [value for box in boxes for value in box]
        cursor.execute(
            f"INSERT INTO {totals} (unit_id, month, {columns}) "  # noqa: S608 - names of our own tables
            f"SELECT unit_id, month, {sums} FROM {by_field} {scope} GROUP BY unit_id, month",
            params,
        )
    return count


ROLLUP_LOCK = 7_660_001  # PostgreSQL advisory lock key of the rollup refresh


def _lock_rollups() -> None:
    """Two imports refreshing at once would both delete and re-insert the same rows: on PostgreSQL the second waits
    here until the first's transaction ends (SQLite writes one transaction at a time anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])


@contextmanager
def _planner_settings(**values: str) -> Iterator[None]:
    """PostgreSQL planner settings for the statements inside, restored after them (other databases: nothing)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        before = {}
        for name, value in values.items():
            cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)", [name, name, value])
            before[name] = cursor.fetchone()[0]
        try:
            yield
        finally:
            for name, value in before.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


class ImportSums:
    """The rollup counts of the dossiers an import creates, summed in the import's process as the rows are written
    (rows in the dossier writer's layout, ``upserts.Row``): what :func:`rollups_add_import` would read back from the
    table, without the grouped scan of the import's rows. :meth:`add` runs once per row, so it is kept to dictionary
    hits and integer additions; the conditions are those of :func:`counted`, :func:`on_time_condition` and the
    grouped queries (``_received_counts``, ``_finished_counts``).

    ``sums`` maps (unit id, first day of the month, procedure field) to the :data:`ROLLUP_COUNTS` of that key;
    :attr:`keys` gives every (unit id, month) the rows count in, dossiers the KPIs do not count included (the keys a
    recount would read)."""

    def __init__(self) -> None:
        self.sums: dict[tuple[int, datetime.date, str], list[int]] = {}
        self.complete = True  # False when a row named a procedure not known when the sums began
        self.other_keys: set[tuple[int, datetime.date]] = set()  # months of rows not counted (new, rejected)
        self.limit = late_after_supplements()
        self._procedures: dict[int, tuple[str, bool]] = {
            pk: (field or "", online_level == OnlineLevel.FULL)
            for pk, field, online_level in Procedure.objects.values_list("pk", "field", "online_level")
        }
        self._months: dict[datetime.date, datetime.date] = {}
        self._not_counted = frozenset(str(status) for status in NOT_COUNTED)

    def _month(self, day: datetime.date) -> datetime.date:
        month = self._months.get(day)
        if month is None:
            month = self._months[day] = day.replace(day=1)
        return month

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        """Count ``rows`` (code, procedure id, unit id, received, due, finished, returned, status, channel, fee,
        paid online, inputs digitised, results digitised, electronic result, apology, supplements, withdrawn)."""
        sums, months, procedures, limit = self.sums, self._months, self._procedures, self.limit
        not_counted, month_of_day = self._not_counted, self._month
        online, postal, withdrawn_status = str(Channel.ONLINE), str(Channel.POSTAL), str(DossierStatus.WITHDRAWN)
        for row in rows:
            unit, received, finished, status = row[2], row[3], row[5], row[7]
            month = months.get(received) or month_of_day(received)
            if status in not_counted:
                self.other_keys.add((unit, month))
                if finished is not None:
                    self.other_keys.add((unit, months.get(finished) or month_of_day(finished)))
                continue
            found = procedures.get(row[1])
            field, full = found if found is not None else self._procedure(row[1])
            key = (unit, month, field)
            counts = sums.get(key)
            if counts is None:
                counts = sums[key] = [0] * len(ROLLUP_COUNTS)
            counts[0] += 1
            channel = row[8]
            if channel == online:
                counts[1] += 1
                if full:
                    counts[4] += 1
            elif channel == postal:
                counts[2] += 1
            if full:
                counts[3] += 1
            if row[11]:
                counts[5] += 1
            fee = row[9]
            if fee is not None and fee > 0:
                counts[6] += 1
                if row[10]:
                    counts[7] += 1
            if finished is None:
                continue
            key = (unit, months.get(finished) or month_of_day(finished), field)
            counts = sums.get(key)
            if counts is None:
                counts = sums[key] = [0] * len(ROLLUP_COUNTS)
            counts[8] += 1
            due = row[4]
            if (
                status == withdrawn_status
                or row[16]
                or ((due is None or finished <= due) and (limit <= 0 or row[15] <= limit))
            ):
                counts[9] += 1
            elif row[14] is not None:
                counts[11] += 1
            if row[13]:
                counts[10] += 1
            counts[12] += (finished - received).days

    def _procedure(self, pk: int) -> tuple[str, bool]:
        """A procedure stored after the sums began: the sums are then incomplete (:attr:`complete`), and the import
        reads its counts back from the table instead (no query here: a ``COPY`` may hold the connection)."""
        self.complete = False
        return "", False

    @property
    def keys(self) -> set[tuple[int, datetime.date]]:
        return {(unit, month) for unit, month, _field in self.sums} | self.other_keys


def rollups_add(sums: ImportSums) -> int:
    """Add counts summed in the import's process (:class:`ImportSums`) to both rollup tables, in the caller's
    transaction, as :func:`rollups_add_import` adds those it reads back: the same exactness condition (every dossier
    counted is new, the rollups were current before). Returns how many per-field rows were written."""
    _lock_rollups()
    if not sums.sums:
        return 0
    columns = ", ".join(ROLLUP_COUNTS)
    rows: list[tuple[Any, ...]] = [(unit, month, field, *counts) for (unit, month, field), counts in sums.sums.items()]
    delta = "procedures_rollup_delta"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {delta}")
        integers = ", ".join(f"{name} bigint NOT NULL" for name in ROLLUP_COUNTS)
        cursor.execute(
            f"CREATE TEMPORARY TABLE {delta} (unit_id bigint NOT NULL, month date NOT NULL, "
            f"field varchar(255) NOT NULL, {integers})"
        )
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {delta} (unit_id, month, field, {columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * (len(ROLLUP_COUNTS) + 3))
            cursor.executemany(
                f"INSERT INTO {delta} (unit_id, month, field, {columns}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )
        count = _add_delta(cursor, delta)
        cursor.execute(f"DROP TABLE {delta}")
    return count


def _add_delta(cursor: Any, delta: str) -> int:
    """Add the rows of the temporary table ``delta`` (unit, month, field and the counts) to both rollup tables."""
    by_field, totals = DossierMonth._meta.db_table, DossierUnitMonth._meta.db_table
    columns = ", ".join(ROLLUP_COUNTS)
    total_sums = ", ".join(f"SUM({name})" for name in ROLLUP_COUNTS)

    def added(table: str) -> str:
        return ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in ROLLUP_COUNTS)

    # "WHERE 1 = 1" keeps SQLite from reading ON CONFLICT as a join's ON.
    cursor.execute(
        f"INSERT INTO {by_field} (unit_id, month, field, {columns}) "  # noqa: S608 - names of our own tables
        f"SELECT unit_id, month, field, {columns} FROM {delta} WHERE 1 = 1 "
        f"ON CONFLICT (unit_id, month, field) DO UPDATE SET {added(by_field)}"
    )
    count = int(cursor.rowcount)
    cursor.execute(
        f"INSERT INTO {totals} (unit_id, month, {columns}) "  # noqa: S608 - names of our own tables
        f"SELECT unit_id, month, {total_sums} FROM {delta} WHERE 1 = 1 GROUP BY unit_id, month "
        f"ON CONFLICT (unit_id, month) DO UPDATE SET {added(totals)}"
    )
    return count


def rollups_add_import(import_id: int) -> int:
    """Add the counts of the dossiers an import wrote (those whose last import it is) to both rollup tables, in the
    caller's transaction: their sums per unit, month and field go into a temporary table, and one ``INSERT … SELECT
    … ON CONFLICT DO UPDATE`` per rollup table adds them to the rows already there. Exact only when every one of
    those dossiers is new (the import updated none) and the rollups were current before it: the dossier import calls
    it then, and :func:`rollups_refresh` otherwise. Returns how many per-field rows were written.

    On PostgreSQL the statistics of the dossier table do not know rows just copied in: the planner would then join
    each procedure to the import's rows by a nested loop (seconds instead of a hash join's fraction of a second), so
    nested loops are off for this statement, and its grouping gets more memory than the default. Sorts are off too:
    believing the import's rows few, the planner would sort them all by unit, month and field (a text compared by
    collation) to group them, where hashing them groups them in about three quarters of the time."""
    _lock_rollups()
    rows = Dossier.objects.filter(counted(), last_import_id=import_id)
    received_sql, received_params = _received_counts(rows).query.sql_with_params()
    finished_sql, finished_params = _finished_counts(rows.filter(finished_on__isnull=False)).query.sql_with_params()
    sums = ", ".join(f"SUM({name}) AS {name}" for name in ROLLUP_COUNTS)
    delta = "procedures_rollup_delta"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {delta}")
        with _planner_settings(enable_nestloop="off", enable_sort="off", work_mem="64MB"):
            cursor.execute(
                f"CREATE TEMPORARY TABLE {delta} AS "  # noqa: S608 - names of our own tables
                f"SELECT unit_id, month, COALESCE(field, '') AS field, {sums} "
                f"FROM ({received_sql} UNION ALL {finished_sql}) AS parts GROUP BY unit_id, month, COALESCE(field, '')",
                [*received_params, *finished_params],
            )
        count = _add_delta(cursor, delta)
        cursor.execute(f"DROP TABLE {delta}")
    return count


def rollups_refresh(*, keys: Iterable[tuple[int, datetime.date]] | None = None) -> int:
    """Recompute the :class:`DossierMonth` and :class:`DossierUnitMonth` rows of the given (unit id, month) keys from
    the dossiers (``None``: all rows), in the caller's transaction. Each unit's months are recounted from its first
    to its last month given (one range per unit keeps the queries simple); returns how many per-field rows now exist
    in those ranges."""
    _lock_rollups()
    if keys is None:
        DossierMonth.objects.all().delete()
        DossierUnitMonth.objects.all().delete()
        return _insert_rollups(None)
    spans: dict[int, tuple[datetime.date, datetime.date]] = {}
    for unit_id, day in keys:
        month = month_of(day)
        first, last = spans.get(unit_id, (month, month))
        spans[unit_id] = (min(first, month), max(last, month))
    boxes = sorted((unit_id, first, last) for unit_id, (first, last) in spans.items())
    count = 0
    for start in range(0, len(boxes), KEYS_PER_QUERY):
        chunk = boxes[start : start + KEYS_PER_QUERY]
        DossierMonth.objects.filter(_boxes_condition(chunk, "month")).delete()
        DossierUnitMonth.objects.filter(_boxes_condition(chunk, "month")).delete()
        count += _insert_rollups(chunk)
    return count


# --- Counts of a unit ------------------------------------------------------------------------------------------------


COUNT_NAMES = (
    *ROLLUP_COUNTS,
    "received_online_base",  # denominators of the rates aggregate reports give partly or not at all
    "received_detail",
    "finished_on_time_base",
    "finished_detail",
    "finished_late_detail",
    "overdue_pending",
    "units",  # units whose own data is in the sums, and how many of them from aggregate reports
    "report_units",
)
_AT = {name: index for index, name in enumerate(COUNT_NAMES)}


class Counts:
    """The sums behind one unit's figures, a list in the order of :data:`COUNT_NAMES` (the table adds thousands of
    them). The ``*_base`` and ``*_detail`` counts are the denominators of the rates that aggregate reports give partly
    (``received_online_base``, ``finished_on_time_base``) or not at all (dossier-level data only)."""

    __slots__ = ("values",)

    def __init__(self, values: list[int] | None = None) -> None:
        self.values = values if values is not None else [0] * len(COUNT_NAMES)

    def __getitem__(self, name: str) -> int:
        return self.values[_AT[name]]

    def __setitem__(self, name: str, value: int) -> None:
        self.values[_AT[name]] = value

    def add(self, other: Counts) -> None:
        self.values = [mine + theirs for mine, theirs in zip(self.values, other.values, strict=True)]

    @classmethod
    def from_rollup(cls, row: Sequence[Any]) -> Counts:
        """From the sums of :data:`ROLLUP_COUNTS` in that order (integers; a database may give a decimal sum)."""
        values = [value if type(value) is int else int(value or 0) for value in row]
        received, finished, on_time = values[0], values[8], values[9]
        return cls([*values, received, received, finished, finished, finished - on_time, 0, 0, 0])

    @classmethod
    def from_aggregates(cls, rows: Sequence[DossierAggregate]) -> Counts:
        """The counts of a unit's aggregate reports inside one period (rows already chosen not to overlap)."""
        counts = cls()
        for row in rows:
            received = row.received_new if row.received_new is not None else 0
            counts["received"] += received
            if row.received_online is not None:
                counts["received_online"] += row.received_online
                counts["received_online_base"] += received
            split = [
                value for value in (row.finished_early, row.finished_on_time, row.finished_late) if value is not None
            ]
            finished = row.finished_total if row.finished_total is not None else sum(split)
            counts["finished"] += finished
            if row.finished_early is not None or row.finished_on_time is not None:
                counts["finished_on_time"] += (row.finished_early or 0) + (row.finished_on_time or 0)
                counts["finished_on_time_base"] += finished
            elif row.finished_late is not None:
                counts["finished_on_time"] += max(finished - row.finished_late, 0)
                counts["finished_on_time_base"] += finished
        latest = max(rows, key=lambda row: row.period_end, default=None)
        if latest is not None and latest.processing_late is not None:
            counts["overdue_pending"] = latest.processing_late
        return counts


def choose_aggregates(rows: Iterable[DossierAggregate], field: str) -> list[DossierAggregate]:
    """The aggregate rows one unit's figures read: those of the field asked (without a field, the whole-unit rows,
    else the per-field rows), the longest first and none overlapping one already taken."""
    rows = list(rows)
    if field:
        rows = [row for row in rows if row.field == field]
    elif any(not row.field for row in rows):
        rows = [row for row in rows if not row.field]
    taken: list[DossierAggregate] = []
    for row in sorted(rows, key=lambda row: (row.period_start - row.period_end, row.period_start, row.source)):
        same_scope = [other for other in taken if other.field == row.field]
        if all(row.period_end < other.period_start or row.period_start > other.period_end for other in same_scope):
            taken.append(row)
    return taken


# --- Scores ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemScore:
    item: ScoreItem
    value: Decimal | None  # the rate read; None: no data ("chưa có số liệu")
    points: Decimal | None

    @property
    def missing(self) -> bool:
        return self.points is None


@dataclass(frozen=True)
class GroupScore:
    group: int
    name: str
    max_points: Decimal  # of all the group's active items
    points: Decimal | None  # sum of the scored items; None when none has data
    items: tuple[ItemScore, ...]

    @property
    def missing_items(self) -> int:
        return sum(1 for item in self.items if item.missing)


def item_points(value: Decimal, *, max_points: Decimal, full_at: Decimal) -> Decimal:
    """score = min(max, rate / full_at × max), never below 0 (domain notes §4)."""
    if full_at <= 0:
        return max_points
    points = min(max_points, max(Decimal(0), value) / full_at * max_points)
    return points.quantize(CENT, ROUND_HALF_UP)


def active_score_items() -> list[ScoreItem]:
    return list(ScoreItem.objects.filter(active=True).order_by("group", "order", "code"))


def group_scores(items: Sequence[ScoreItem], rates: Mapping[str, Decimal | None]) -> tuple[GroupScore, ...]:
    """The five group scores from the rates of one unit (``rates`` holds KPI keys and indicator codes)."""
    groups = []
    for group in ScoreGroup:
        scored = []
        for item in (item for item in items if item.group == group.value):
            value = rates.get(item.kpi) if item.kpi else rates.get(f"indicator:{item.indicator_code}")
            points = None if value is None else item_points(value, max_points=item.max_points, full_at=item.full_at)
            scored.append(ItemScore(item=item, value=value, points=points))
        done = [score.points for score in scored if score.points is not None]
        groups.append(
            GroupScore(
                group=group.value,
                name=str(group.label),
                max_points=sum((score.item.max_points for score in scored), Decimal(0)),
                points=sum(done, Decimal(0)) if done else None,
                items=tuple(scored),
            )
        )
    return tuple(groups)


def procedures_online_share(field: str = "") -> Decimal | None:
    """Share of the catalogue's procedures offered online (full or partial); the catalogue has no link from a unit to
    the procedures under its authority, so every unit gets the same share (docs/kpis.md)."""
    procedures = Procedure.objects.all()
    if field:
        procedures = procedures.filter(field=field)
    counts = procedures.aggregate(
        total=Count("pk"), online=Count("pk", filter=Q(online_level__in=(OnlineLevel.FULL, OnlineLevel.PARTIAL)))
    )
    return rate(counts["online"] or 0, counts["total"] or 0)


def indicator_rates(
    items: Sequence[ScoreItem], units: Sequence[Unit], period: Period
) -> dict[int, dict[str, Decimal | None]]:
    """``{unit id: {"indicator:<code>": value}}`` of the accepted store values the items read, in one query."""
    codes = sorted({item.indicator_code for item in items if item.indicator_code})
    found: dict[int, dict[str, Decimal | None]] = {}
    if not codes:
        return found
    values = IndicatorValue.objects.filter(
        indicator__code__in=codes,
        unit_id__in=[unit.pk for unit in units],
        period_key=period.key,
        state=ValueState.ACCEPTED,
    ).values_list("unit_id", "indicator__code", "value")
    for unit_id, code, value in values:
        found.setdefault(unit_id, {})[f"indicator:{code}"] = value
    return found


# --- The figures -----------------------------------------------------------------------------------------------------


class ScoreContext:
    """What the scores of one table need besides the counts (score items, indicator store values, the catalogue
    share), read once for the whole table on the first score asked for: the figures alone cost no query."""

    def __init__(self, units: Sequence[Unit], period: Period, field: str) -> None:
        self.units, self.period, self.field = units, period, field
        self._loaded: tuple[list[ScoreItem], dict[int, dict[str, Decimal | None]], Decimal | None] | None = None

    def load(self) -> tuple[list[ScoreItem], dict[int, dict[str, Decimal | None]], Decimal | None]:
        if self._loaded is None:
            items = active_score_items()
            share = None
            if any(item.kpi == "procedures_online_share" for item in items):
                share = procedures_online_share(self.field)
            self._loaded = (items, indicator_rates(items, self.units, self.period), share)
        return self._loaded


@dataclass(frozen=True)
class Kpis:
    """The figures of one unit (with or without its subtree) over one period and, optionally, one procedure field.

    Counts and rates are computed from ``counts`` when first read; the group scores read the score items and the
    indicator store through the table's shared ``scores`` context."""

    unit: Unit
    period: Period
    field: str
    subtree: bool
    counts: Counts
    scores: ScoreContext

    received = property(lambda self: self.counts["received"])
    finished = property(lambda self: self.counts["finished"])
    on_time = property(lambda self: self.counts["finished_on_time"])
    overdue_pending = property(lambda self: self.counts["overdue_pending"])

    @property
    def from_aggregates(self) -> bool:
        """All of these figures come from aggregate reports (biểu 06a / 07a)."""
        return self.counts["units"] > 0 and self.counts["report_units"] == self.counts["units"]

    @property
    def late(self) -> int:
        return self.counts["finished_on_time_base"] - self.counts["finished_on_time"]

    def _rate(self, numerator: str, denominator: str) -> Decimal | None:
        return rate(self.counts[numerator], self.counts[denominator])

    @cached_property
    def on_time_rate(self) -> Decimal | None:
        return self._rate("finished_on_time", "finished_on_time_base")

    @cached_property
    def average_days(self) -> Decimal | None:
        finished = self.counts["finished_detail"]
        if not finished:
            return None
        return (Decimal(self.counts["finished_days"]) / Decimal(finished)).quantize(CENT, ROUND_HALF_UP)

    @cached_property
    def online_rate(self) -> Decimal | None:
        return self._rate("received_online", "received_online_base")

    @cached_property
    def full_online_rate(self) -> Decimal | None:
        return self._rate("received_full_online", "received_full")

    @cached_property
    def postal_rate(self) -> Decimal | None:
        return self._rate("received_postal", "received_detail")

    @cached_property
    def digitised_rate(self) -> Decimal | None:
        return self._rate("received_digitised", "received_detail")

    @cached_property
    def e_result_rate(self) -> Decimal | None:
        return self._rate("finished_e_result", "finished_detail")

    @cached_property
    def online_payment_rate(self) -> Decimal | None:
        return self._rate("received_fee_paid_online", "received_fee")

    @cached_property
    def apology_rate(self) -> Decimal | None:
        return self._rate("finished_late_apology", "finished_late_detail")

    @cached_property
    def not_overdue_rate(self) -> Decimal | None:
        base = self.counts["finished_on_time_base"] + self.overdue_pending
        return rate(base - self.late - self.overdue_pending, base)

    @cached_property
    def procedures_online_share(self) -> Decimal | None:
        return self.scores.load()[2]

    @cached_property
    def groups(self) -> tuple[GroupScore, ...]:
        items, stored, _share = self.scores.load()
        rates: dict[str, Decimal | None] = {**stored.get(self.unit.pk, {})}
        for item in items:
            if item.kpi and item.kpi not in rates:
                rates[item.kpi] = getattr(self, item.kpi, None)
        return group_scores(items, rates)

    @cached_property
    def total_score(self) -> Decimal | None:
        scored = [group.points for group in self.groups if group.points is not None]
        return sum(scored, Decimal(0)) if scored else None

    def value(self, key: str) -> Any:
        return getattr(self, key)

    def as_dict(self) -> dict[str, Any]:
        """The CLI/JSON figures: the KPI keys, the five group scores and the total (Decimals as strings)."""

        def plain(value: Any) -> Any:
            return str(value) if isinstance(value, Decimal) else value

        data: dict[str, Any] = {"unit": self.unit.code, "unit_name": self.unit.name, "period": self.period.key}
        data |= {key: plain(getattr(self, key)) for key in KPI_KEYS}
        data |= {f"group_{group.group}": plain(group.points) for group in self.groups}
        data["total_score"] = plain(self.total_score)
        return data


def period_months(period: Period) -> tuple[datetime.date, datetime.date]:
    """First day of the period's first month and first day of the month after it."""
    return period.start, next_month(month_of(period.end))


_AGGREGATE_FIELDS = (
    "unit_id",
    "field",
    "source",
    "period_start",
    "period_end",
    "received_new",
    "received_online",
    "finished_total",
    "finished_early",
    "finished_on_time",
    "finished_late",
    "processing_late",
)


def kpi_table(units: Sequence[Unit], period: Period, *, field: str = "", subtree: bool = True) -> list[Kpis]:
    """The figures of each unit (with its subtree, or its own dossiers only) in three queries whatever the number of
    units: the monthly sums grouped by unit, the overdue snapshot grouped by unit, the aggregate reports of the
    period. Subtrees are summed in Python, each unit's total added once to its parent's. The scores read their
    context (three more queries) only when first asked for."""
    units = list(units)
    if not units:
        return []
    first, after = period_months(period)
    if subtree:
        in_scope = Unit.objects.filter(subtree_condition(outermost_paths(unit.path for unit in units)))
        paths: dict[int, str] = dict(_fetch(in_scope.values_list("pk", "path")))
    else:
        paths = {unit.pk: unit.path for unit in units}
    # A long list of units is not sent to the database: the rows of the months are filtered here instead, which keeps
    # the plans simple (index on the month; the overdue partial index alone).
    scope = Q(unit_id__in=list(paths)) if len(paths) <= SCOPE_IN_SQL else Q()

    own: dict[int, Counts] = {}
    months: QuerySet[Any]
    if field:
        months = DossierMonth.objects.filter(scope, month__gte=first, month__lt=after, field=field)
    else:
        months = DossierUnitMonth.objects.filter(scope, month__gte=first, month__lt=after)
    sums = [Sum(name) for name in ROLLUP_COUNTS]
    for unit_id, *values in _fetch(months.values_list("unit_id").annotate(*sums).order_by()):
        if unit_id in paths:
            own[unit_id] = Counts.from_rollup(values)
    # A unit with dossiers of any field in the period does not read its aggregate reports.
    with_dossiers = set(own)
    if field:
        with_dossiers |= set(
            DossierUnitMonth.objects.filter(scope, month__gte=first, month__lt=after)
            .values_list("unit_id", flat=True)
            .distinct()
            .order_by()
        )

    for unit_id, count in overdue_counts(scope, snapshot_day(period), field).items():
        if unit_id in paths:
            own.setdefault(unit_id, Counts())["overdue_pending"] = count

    aggregates: dict[int, list[DossierAggregate]] = {}
    reports = DossierAggregate.objects.filter(scope, period_start__gte=period.start, period_end__lte=period.end)
    for report in reports.only(*_AGGREGATE_FIELDS):
        if report.unit_id in paths and report.unit_id not in with_dossiers:
            aggregates.setdefault(report.unit_id, []).append(report)
    aggregated = set()
    for unit_id, rows in aggregates.items():
        chosen = choose_aggregates(rows, field)
        if chosen:
            own[unit_id] = Counts.from_aggregates(chosen)
            aggregated.add(unit_id)

    for unit_id, counts in own.items():
        counts["units"] = 1
        counts["report_units"] = int(unit_id in aggregated)
    if subtree:
        by_path = _sum_subtrees(own, paths)
        totals = {unit.pk: by_path[unit.path] for unit in units if unit.path in by_path}
    else:
        totals = own
    scores = ScoreContext(units, period, field)
    return [
        Kpis(
            unit=unit,
            period=period,
            field=field,
            subtree=subtree,
            counts=totals.get(unit.pk) or Counts(),
            scores=scores,
        )
        for unit in units
    ]


def _sum_subtrees(own: dict[int, Counts], paths: dict[int, str]) -> dict[str, Counts]:
    """Each unit's own counts plus those of every unit below it, keyed by unit path, for every unit with data and each
    of its ancestors; deepest first, so each total is added once, to its parent's (the parent's path is the path
    without its last segment)."""
    totals = {paths[unit_id]: counts for unit_id, counts in own.items()}
    for path in list(totals):
        parent = path[:-SEGMENT_WIDTH]
        while parent and parent not in totals:
            totals[parent] = Counts()
            parent = parent[:-SEGMENT_WIDTH]
    for path in sorted(totals, key=len, reverse=True):
        parent = path[:-SEGMENT_WIDTH]
        if parent:
            totals[parent].add(totals[path])
    return totals


def kpis_for(unit: Unit, period: Period, *, field: str = "", subtree: bool = True) -> Kpis:
    """The figures of one unit (with its subtree unless ``subtree`` is false) over ``period``."""
    return kpi_table([unit], period, field=field, subtree=subtree)[0]


# --- Targets and the indicator store ---------------------------------------------------------------------------------

INDICATOR_PREFIX = "dossiers."
SCORE_CODE = "dossiers.score_766"
_MEASURES = {"received": Measure.COUNT, "finished": Measure.COUNT, "overdue_pending": Measure.COUNT}
_MEASURES |= {"average_days": Measure.DAYS}


def indicator_code(key: str) -> str:
    """The indicator store code of a KPI key (``dossiers.on_time_rate`` …)."""
    return SCORE_CODE if key == "total_score" else f"{INDICATOR_PREFIX}{key}"


def kpi_indicators() -> dict[str, Indicator]:
    """The store's definitions of the published figures, created on first use, keyed by KPI key."""
    found = {}
    for key in (*KPI_KEYS, "total_score"):
        name = str(KPI_LABELS[key])
        found[key] = indicator_ensure(
            code=indicator_code(key),
            name=name,
            source=IndicatorSource.PROCEDURES,
            measure=_MEASURES.get(key, Measure.SCORE if key == "total_score" else Measure.PERCENT),
            higher_is_better=key not in LOWER_IS_BETTER,
            description=_("Tính từ hồ sơ TTHC nhập từ hệ thống một cửa (xem tài liệu chỉ số phục vụ)."),
        )
    return found


def kpi_targets(units: Sequence[Unit], year: int) -> dict[int, dict[str, Decimal | None]]:
    """``{unit id: {KPI key: target}}`` from the indicator store's targets (``target_in_force``), in two queries."""
    codes = {indicator_code(key): key for key in (*KPI_KEYS, "total_score")}
    indicators = {indicator.pk: indicator for indicator in Indicator.objects.filter(code__in=list(codes))}
    by_indicator: dict[int, list[Target]] = {}
    for target in Target.objects.filter(indicator_id__in=list(indicators), year__lte=year):
        by_indicator.setdefault(target.indicator_id, []).append(target)
    result: dict[int, dict[str, Decimal | None]] = {unit.pk: {} for unit in units}
    for indicator_id, targets in by_indicator.items():
        indicator = indicators[indicator_id]
        key = codes[indicator.code]
        for unit in units:
            chosen = target_in_force(targets, indicator, unit, year)
            result[unit.pk][key] = target_value(chosen, indicator, year)
    return result


def figure_status(key: str, value: Decimal | int | None, target: Decimal | None) -> str | None:
    """Đạt / chưa đạt / không có chỉ tiêu of one figure (``None`` when the figure has no value)."""
    if value is None:
        return None
    return status_of(Decimal(value), target, higher_is_better=key not in LOWER_IS_BETTER)


def units_with_data(period: Period) -> list[Unit]:
    """The units whose subtree has dossiers, aggregate reports or overdue dossiers in ``period``."""
    first, after = period_months(period)
    paths = set(DossierMonth.objects.filter(month__gte=first, month__lt=after).values_list("unit__path", flat=True))
    paths |= set(
        DossierAggregate.objects.filter(period_start__gte=period.start, period_end__lte=period.end).values_list(
            "unit__path", flat=True
        )
    )
    paths |= set(Dossier.objects.filter(overdue_condition(snapshot_day(period))).values_list("unit__path", flat=True))
    ids = {unit_id for path in paths for unit_id in decode_path(path)}
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


PUBLISH_LOCK = 7_660_002  # PostgreSQL advisory lock key of the publication


def _lock_publish() -> None:
    """Two publications at once (a double click, the nightly command) would both insert the same values: on PostgreSQL
    the second waits here until the first's transaction ends, then finds the values unchanged and writes nothing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK])


@dataclass(frozen=True)
class PublishOutcome:
    """What a publication did: values written (new or changed, each audited) and values already stored as they are."""

    written: int = 0
    unchanged: int = 0

    @property
    def values(self) -> int:
        """Every value published, written or found unchanged."""
        return self.written + self.unchanged


def kpis_publish(*, actor: ActorOrSystem, period: Period, units: Sequence[Unit] | None = None) -> PublishOutcome:
    """Publish each unit's figures (with its subtree) and its QĐ 766 total into the indicator store as computed values;
    idempotent (an unchanged value is not written again). ``units`` defaults to every unit with data in the period.
    Returns how many values were written and how many were already stored unchanged."""
    chosen = list(units) if units is not None else units_with_data(period)
    if not chosen:
        return PublishOutcome()
    indicators = kpi_indicators()
    note = _("Tính từ hồ sơ TTHC")
    written = unchanged = 0
    with transaction.atomic():
        _lock_publish()
        for kpis in kpi_table(chosen, period):
            if not (kpis.received or kpis.finished or kpis.overdue_pending):
                continue
            for key, indicator in indicators.items():
                value = kpis.total_score if key == "total_score" else getattr(kpis, key)
                if value is None:
                    continue
                _stored, changed = value_publish_changed(
                    actor=actor, indicator=indicator, unit=kpis.unit, period=period, value=value, note=note
                )
                written += changed
                unchanged += not changed
    return PublishOutcome(written=written, unchanged=unchanged)


# --- Drill-down ------------------------------------------------------------------------------------------------------

DRILLDOWN_KINDS: Mapping[str, Any] = {
    "received": gettext_lazy("Hồ sơ tiếp nhận trong kỳ"),
    "finished": gettext_lazy("Hồ sơ đã giải quyết trong kỳ"),
    "on_time": gettext_lazy("Hồ sơ giải quyết đúng hạn"),
    "late": gettext_lazy("Hồ sơ giải quyết trễ hạn"),
    "late_without_apology": gettext_lazy("Hồ sơ trễ hạn chưa có phiếu xin lỗi"),
    "overdue_pending": gettext_lazy("Hồ sơ quá hạn đang xử lý"),
    "online": gettext_lazy("Hồ sơ nộp trực tuyến"),
    "not_online": gettext_lazy("Hồ sơ không nộp trực tuyến"),
    "full_not_online": gettext_lazy("Hồ sơ của thủ tục toàn trình không nộp trực tuyến"),
    "postal": gettext_lazy("Hồ sơ qua bưu chính công ích"),
    "digitised": gettext_lazy("Hồ sơ được số hóa"),
    "not_digitised": gettext_lazy("Hồ sơ chưa được số hóa"),
    "e_result": gettext_lazy("Hồ sơ có kết quả điện tử"),
    "no_e_result": gettext_lazy("Hồ sơ chưa có kết quả điện tử"),
    "fee_paid_online": gettext_lazy("Hồ sơ có phí đã thanh toán trực tuyến"),
    "fee_unpaid_online": gettext_lazy("Hồ sơ có phí chưa thanh toán trực tuyến"),
}
# The drill-down of each figure of the pages.
FIGURE_DRILLDOWN: Mapping[str, str] = {
    "received": "received",
    "finished": "finished",
    "on_time_rate": "late",
    "overdue_pending": "overdue_pending",
    "average_days": "finished",
    "online_rate": "not_online",
    "full_online_rate": "full_not_online",
    "postal_rate": "postal",
    "digitised_rate": "not_digitised",
    "e_result_rate": "no_e_result",
    "online_payment_rate": "fee_unpaid_online",
    "apology_rate": "late_without_apology",
}


def drilldown(unit: Unit, period: Period, kind: str, *, field: str = "", subtree: bool = True) -> QuerySet[Dossier]:
    """The dossiers behind one figure; ``ValueError`` for an unknown kind."""
    if kind not in DRILLDOWN_KINDS:
        raise ValueError(_("Không có danh sách hồ sơ “%(kind)s”.") % {"kind": kind})
    rows = Dossier.objects.filter(subtree_condition([unit.path], "unit") if subtree else Q(unit=unit))
    if field:
        rows = rows.filter(procedure__field=field)
    if kind == "overdue_pending":
        return rows.filter(overdue_condition(snapshot_day(period))).order_by("due_on", "pk")
    rows = rows.filter(counted())
    received = Q(received_on__gte=period.start, received_on__lte=period.end)
    finished = Q(finished_on__gte=period.start, finished_on__lte=period.end)
    on_time = on_time_condition()
    fee = Q(fee__gt=0)
    conditions: dict[str, Q] = {
        "received": received,
        "finished": finished,
        "on_time": finished & on_time,
        "late": finished & ~on_time,
        "late_without_apology": finished & ~on_time & Q(apology_on__isnull=True),
        "online": received & Q(channel=Channel.ONLINE),
        "not_online": received & ~Q(channel=Channel.ONLINE),
        "full_not_online": received & Q(procedure__online_level=OnlineLevel.FULL) & ~Q(channel=Channel.ONLINE),
        "postal": received & Q(channel=Channel.POSTAL),
        "digitised": received & Q(inputs_digitised=True),
        "not_digitised": received & Q(inputs_digitised=False),
        "e_result": finished & Q(electronic_result=True),
        "no_e_result": finished & Q(electronic_result=False),
        "fee_paid_online": received & fee & Q(paid_online=True),
        "fee_unpaid_online": received & fee & Q(paid_online=False),
    }
    order = (
        "finished_on" if kind in ("finished", "on_time", "late", "late_without_apology", "e_result") else "received_on"
    )
    if kind == "no_e_result":
        order = "finished_on"
    return rows.filter(conditions[kind]).order_by(order, "pk")


__all__ = [
    "DRILLDOWN_KINDS",
    "FIGURE_DRILLDOWN",
    "KPI_KEYS",
    "KPI_LABELS",
    "Counts",
    "GroupScore",
    "ImportSums",
    "ItemScore",
    "Kpis",
    "PublishOutcome",
    "dossier_keys",
    "drilldown",
    "figure_status",
    "group_scores",
    "item_points",
    "kpi_table",
    "kpi_targets",
    "kpis_for",
    "kpis_publish",
    "rate",
    "rollups_add",
    "rollups_add_import",
    "rollups_refresh",
]
