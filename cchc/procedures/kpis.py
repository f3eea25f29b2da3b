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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.indicators.models import Indicator, IndicatorSource, IndicatorValue, Measure, Target, ValueState
from cchc.indicators.selectors import status_of, target_in_force, target_value
from cchc.indicators.services import indicator_ensure, value_publish
from cchc.lib.periods import Period
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit, decode_path, subtree_condition

from .models import (
    Channel,
    Dossier,
    DossierAggregate,
    DossierMonth,
    DossierStatus,
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
KEYS_PER_QUERY = 300


def late_after_supplements() -> int:
    """More supplement requests than this make a dossier late (766 rule); 0 disables the rule. Setting
    ``CCHC_KPI_LATE_AFTER_SUPPLEMENTS`` (default 1); after changing it run ``cchc kpis --refresh``."""
    return int(getattr(settings, "CCHC_KPI_LATE_AFTER_SUPPLEMENTS", 1))


def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """``numerator / denominator × 100`` rounded to 2 places; ``None`` when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(CENT, ROUND_HALF_UP)


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


def _keys_condition(keys: Sequence[tuple[int, datetime.date]], column: str) -> Q:
    condition = Q()
    by_unit: dict[int, list[datetime.date]] = {}
    for unit_id, month in keys:
        by_unit.setdefault(unit_id, []).append(month)
    for unit_id, months in by_unit.items():
        ranges = Q()
        for month in months:
            ranges |= Q(**{f"{column}__gte": month, f"{column}__lt": next_month(month)})
        condition |= Q(unit_id=unit_id) & ranges
    return condition


def _received_counts(rows: QuerySet[Dossier]) -> QuerySet[Any]:
    fee = Q(fee__gt=0)
    full = Q(procedure__online_level=OnlineLevel.FULL)
    return (
        rows.annotate(month=TruncMonth("received_on"))
        .values("unit_id", "month", field=F("procedure__field"))
        .annotate(
            received=Count("pk"),
            received_online=Count("pk", filter=Q(channel=Channel.ONLINE)),
            received_postal=Count("pk", filter=Q(channel=Channel.POSTAL)),
            received_full=Count("pk", filter=full),
            received_full_online=Count("pk", filter=full & Q(channel=Channel.ONLINE)),
            received_digitised=Count("pk", filter=Q(inputs_digitised=True)),
            received_fee=Count("pk", filter=fee),
            received_fee_paid_online=Count("pk", filter=fee & Q(paid_online=True)),
        )
        .order_by()
    )


def _finished_counts(rows: QuerySet[Dossier]) -> QuerySet[Any]:
    on_time = on_time_condition()
    return (
        rows.annotate(month=TruncMonth("finished_on"))
        .values("unit_id", "month", field=F("procedure__field"))
        .annotate(
            finished=Count("pk"),
            finished_on_time=Count("pk", filter=on_time),
            finished_e_result=Count("pk", filter=Q(electronic_result=True)),
            finished_late_apology=Count("pk", filter=~on_time & Q(apology_on__isnull=False)),
            days=Sum(ExpressionWrapper(F("finished_on") - F("received_on"), output_field=DurationField())),
        )
        .order_by()
    )


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _rollup_rows(keys: Sequence[tuple[int, datetime.date]] | None) -> list[DossierMonth]:
    base = Dossier.objects.filter(counted())
    received = base if keys is None else base.filter(_keys_condition(keys, "received_on"))
    finished = base.filter(finished_on__isnull=False)
    if keys is not None:
        finished = finished.filter(_keys_condition(keys, "finished_on"))
    rows: dict[tuple[int, datetime.date, str], DossierMonth] = {}

    def row_for(values: dict[str, Any]) -> DossierMonth:
        key = (values["unit_id"], _as_date(values["month"]), values["field"] or "")
        if key not in rows:
            rows[key] = DossierMonth(unit_id=key[0], month=key[1], field=key[2])
        return rows[key]

    for values in _received_counts(received):
        row = row_for(values)
        for name in ROLLUP_COUNTS[:8]:
            setattr(row, name, values[name])
    for values in _finished_counts(finished):
        row = row_for(values)
        for name in ("finished", "finished_on_time", "finished_e_result", "finished_late_apology"):
            setattr(row, name, values[name])
        row.finished_days = values["days"].days if values["days"] else 0
    return list(rows.values())


def rollups_refresh(*, keys: Iterable[tuple[int, datetime.date]] | None = None) -> int:
    """Recompute the :class:`DossierMonth` rows of the given (unit id, first day of month) keys from the dossiers
    (``None``: all rows), in the caller's transaction; returns how many rows now exist for those keys."""
    if keys is None:
        DossierMonth.objects.all().delete()
        created = _rollup_rows(None)
        DossierMonth.objects.bulk_create(created, batch_size=1000)
        return len(created)
    wanted = sorted({(unit_id, month_of(month)) for unit_id, month in keys})
    total = 0
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        chunk = wanted[start : start + KEYS_PER_QUERY]
        DossierMonth.objects.filter(_keys_condition(chunk, "month")).delete()
        created = _rollup_rows(chunk)
        DossierMonth.objects.bulk_create(created, batch_size=1000)
        total += len(created)
    return total


# --- Counts of a unit ------------------------------------------------------------------------------------------------


@dataclass
class Counts:
    """The sums behind the figures. The ``*_base`` counts are the denominators of the rates that aggregate reports
    cannot give (they count dossier-level data only) or give partly."""

    received: int = 0
    received_online: int = 0
    received_online_base: int = 0
    received_postal: int = 0
    received_detail: int = 0
    received_full: int = 0
    received_full_online: int = 0
    received_digitised: int = 0
    received_fee: int = 0
    received_fee_paid_online: int = 0
    finished: int = 0
    finished_on_time: int = 0
    finished_on_time_base: int = 0
    finished_detail: int = 0
    finished_late_detail: int = 0
    finished_e_result: int = 0
    finished_late_apology: int = 0
    finished_days: int = 0
    overdue_pending: int = 0

    def add(self, other: Counts) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    @classmethod
    def from_rollup(cls, values: Mapping[str, Any]) -> Counts:
        counts = cls(**{name: int(values.get(name) or 0) for name in ROLLUP_COUNTS})
        counts.received_online_base = counts.received_detail = counts.received
        counts.finished_on_time_base = counts.finished_detail = counts.finished
        counts.finished_late_detail = counts.finished - counts.finished_on_time
        return counts

    @classmethod
    def from_aggregates(cls, rows: Sequence[DossierAggregate]) -> Counts:
        """The counts of a unit's aggregate reports inside one period (rows already chosen not to overlap)."""
        counts = cls()
        for row in rows:
            received = row.received_new if row.received_new is not None else 0
            counts.received += received
            if row.received_online is not None:
                counts.received_online += row.received_online
                counts.received_online_base += received
            split = [
                value for value in (row.finished_early, row.finished_on_time, row.finished_late) if value is not None
            ]
            finished = row.finished_total if row.finished_total is not None else sum(split)
            counts.finished += finished
            if row.finished_early is not None or row.finished_on_time is not None:
                counts.finished_on_time += (row.finished_early or 0) + (row.finished_on_time or 0)
                counts.finished_on_time_base += finished
            elif row.finished_late is not None:
                counts.finished_on_time += max(finished - row.finished_late, 0)
                counts.finished_on_time_base += finished
        latest = max(rows, key=lambda row: row.period_end, default=None)
        if latest is not None and latest.processing_late is not None:
            counts.overdue_pending = latest.processing_late
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


@dataclass(frozen=True)
class Kpis:
    """The figures of one unit (with or without its subtree) over one period and, optionally, one procedure field."""

    unit: Unit
    period: Period
    field: str
    subtree: bool
    received: int
    finished: int
    on_time: int
    late: int
    overdue_pending: int
    on_time_rate: Decimal | None
    average_days: Decimal | None
    online_rate: Decimal | None
    full_online_rate: Decimal | None
    postal_rate: Decimal | None
    digitised_rate: Decimal | None
    e_result_rate: Decimal | None
    online_payment_rate: Decimal | None
    apology_rate: Decimal | None
    not_overdue_rate: Decimal | None
    procedures_online_share: Decimal | None
    from_aggregates: bool
    groups: tuple[GroupScore, ...] = ()
    total_score: Decimal | None = None

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


def build_kpis(
    unit: Unit,
    period: Period,
    counts: Counts,
    *,
    field: str,
    subtree: bool,
    from_aggregates: bool,
    items: Sequence[ScoreItem],
    extra_rates: Mapping[str, Decimal | None],
) -> Kpis:
    late = counts.finished_on_time_base - counts.finished_on_time
    on_time_rate = rate(counts.finished_on_time, counts.finished_on_time_base)
    overdue_base = counts.finished_on_time_base + counts.overdue_pending
    not_overdue = rate(overdue_base - late - counts.overdue_pending, overdue_base)
    average = None
    if counts.finished_detail:
        average = (Decimal(counts.finished_days) / Decimal(counts.finished_detail)).quantize(CENT, ROUND_HALF_UP)
    figures: dict[str, Any] = {
        "received": counts.received,
        "finished": counts.finished,
        "on_time": counts.finished_on_time,
        "late": late,
        "overdue_pending": counts.overdue_pending,
        "on_time_rate": on_time_rate,
        "average_days": average,
        "online_rate": rate(counts.received_online, counts.received_online_base),
        "full_online_rate": rate(counts.received_full_online, counts.received_full),
        "postal_rate": rate(counts.received_postal, counts.received_detail),
        "digitised_rate": rate(counts.received_digitised, counts.received_detail),
        "e_result_rate": rate(counts.finished_e_result, counts.finished_detail),
        "online_payment_rate": rate(counts.received_fee_paid_online, counts.received_fee),
        "apology_rate": rate(counts.finished_late_apology, counts.finished_late_detail),
        "not_overdue_rate": not_overdue,
        "procedures_online_share": extra_rates.get("procedures_online_share"),
    }
    groups = group_scores(items, {**extra_rates, **figures})
    scored = [group.points for group in groups if group.points is not None]
    return Kpis(
        unit=unit,
        period=period,
        field=field,
        subtree=subtree,
        from_aggregates=from_aggregates,
        groups=groups,
        total_score=sum(scored, Decimal(0)) if scored else None,
        **figures,
    )


def period_months(period: Period) -> tuple[datetime.date, datetime.date]:
    """First day of the period's first month and first day of the month after it."""
    return period.start, next_month(month_of(period.end))


def kpi_table(units: Sequence[Unit], period: Period, *, field: str = "", subtree: bool = True) -> list[Kpis]:
    """The figures of each unit (with its subtree, or its own dossiers only) in a constant number of queries: the
    rollup sums grouped by unit, the overdue-pending snapshot grouped by unit, the aggregate reports of the period,
    the score items, the indicator values they read and the catalogue share. Subtrees are summed in Python."""
    units = list(units)
    if not units:
        return []
    wanted = {unit.pk for unit in units}
    scope = subtree_condition([unit.path for unit in units], "unit") if subtree else Q(unit_id__in=wanted)
    first, after = period_months(period)

    months = DossierMonth.objects.filter(scope, month__gte=first, month__lt=after)
    if field:
        months = months.filter(field=field)
    own: dict[int, Counts] = {}
    paths: dict[int, str] = {}
    sums = {name: Sum(name) for name in ROLLUP_COUNTS}
    for values in months.values("unit_id", "unit__path").annotate(**sums).order_by():
        own[values["unit_id"]] = Counts.from_rollup(values)
        paths[values["unit_id"]] = values["unit__path"]
    # Units with dossiers of any field in the period do not read aggregate reports.
    with_dossiers = set(own)
    if field:
        with_dossiers |= set(
            DossierMonth.objects.filter(scope, month__gte=first, month__lt=after)
            .values_list("unit_id", flat=True)
            .distinct()
            .order_by()
        )

    day = snapshot_day(period)
    pending = Dossier.objects.filter(scope, overdue_condition(day))
    if field:
        pending = pending.filter(procedure__field=field)
    for values in pending.values("unit_id", "unit__path").annotate(count=Count("pk")).order_by():
        own.setdefault(values["unit_id"], Counts()).overdue_pending = values["count"]
        paths[values["unit_id"]] = values["unit__path"]

    aggregates: dict[int, list[DossierAggregate]] = {}
    reports = DossierAggregate.objects.filter(scope, period_start__gte=period.start, period_end__lte=period.end)
    for report in reports.select_related("unit").only(*_AGGREGATE_FIELDS):
        if report.unit_id not in with_dossiers:
            aggregates.setdefault(report.unit_id, []).append(report)
            paths[report.unit_id] = report.unit.path
    aggregated = set()
    for unit_id, rows in aggregates.items():
        chosen = choose_aggregates(rows, field)
        if chosen:
            own[unit_id] = Counts.from_aggregates(chosen)
            aggregated.add(unit_id)

    totals: dict[int, Counts] = {unit_id: Counts() for unit_id in wanted}
    sources: dict[int, set[int]] = {unit_id: set() for unit_id in wanted}
    for unit_id, counts in own.items():
        targets = decode_path(paths[unit_id]) if subtree else [unit_id]
        for target in targets:
            if target in totals:
                totals[target].add(counts)
                sources[target].add(unit_id)

    items = active_score_items()
    stored = indicator_rates(items, units, period)
    needs_share = any(item.kpi == "procedures_online_share" for item in items)
    share = procedures_online_share(field) if needs_share else None
    return [
        build_kpis(
            unit,
            period,
            totals[unit.pk],
            field=field,
            subtree=subtree,
            from_aggregates=bool(sources[unit.pk]) and sources[unit.pk] <= aggregated,
            items=items,
            extra_rates={**stored.get(unit.pk, {}), "procedures_online_share": share},
        )
        for unit in units
    ]


_AGGREGATE_FIELDS = (
    "unit_id",
    "unit__path",
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


def kpis_publish(*, actor: ActorOrSystem, period: Period, units: Sequence[Unit] | None = None) -> int:
    """Publish each unit's figures (with its subtree) and its QĐ 766 total into the indicator store as computed values;
    idempotent (an unchanged value is not written again). ``units`` defaults to every unit with data in the period.
    Returns the number of values published."""
    chosen = list(units) if units is not None else units_with_data(period)
    if not chosen:
        return 0
    indicators = kpi_indicators()
    note = _("Tính từ hồ sơ TTHC")
    published = 0
    with transaction.atomic():
        for kpis in kpi_table(chosen, period):
            if not (kpis.received or kpis.finished or kpis.overdue_pending):
                continue
            for key, indicator in indicators.items():
                value = kpis.total_score if key == "total_score" else getattr(kpis, key)
                if value is None:
                    continue
                value_publish(actor=actor, indicator=indicator, unit=kpis.unit, period=period, value=value, note=note)
                published += 1
    return published


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
    "ItemScore",
    "Kpis",
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
    "rollups_refresh",
]
