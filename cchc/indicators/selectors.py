"""Reads from the indicator store: accepted values, targets expanded to a year, status against target and trend.

``target_for`` is the one function that gives the target of an indicator for a unit and a year; every page, the
assessment prefill and later the exports call it. ``value_for`` and ``values_by_unit`` return accepted values only:
a draft, a value waiting for review or a returned value never reaches a score.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple, cast

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cchc.lib import page_cache
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit, subtree_condition

from .models import Indicator, IndicatorValue, Target, ValueState


def value_for(code: str, unit: Unit, period: Period) -> IndicatorValue | None:
    """The accepted value of indicator ``code`` for ``unit`` in ``period`` (what PAR criteria "from indicator" read)."""
    return (
        IndicatorValue.objects.filter(indicator__code=code, unit=unit, period_key=period.key, state=ValueState.ACCEPTED)
        .select_related("indicator", "unit")
        .first()
    )


def values_by_unit(code: str, units: Iterable[Unit], period: Period) -> dict[int, IndicatorValue]:
    """Accepted values of one indicator for many units in one query, keyed by unit id."""
    unit_ids = [unit.pk for unit in units]
    rows = IndicatorValue.objects.filter(
        indicator__code=code, period_key=period.key, unit_id__in=unit_ids, state=ValueState.ACCEPTED
    )
    return {row.unit_id: row for row in rows}


# ---------------------------------------------------------------------------
# Targets


def expand_target(
    *, base_year: int, value: Decimal, step: Decimal | None, cap: Decimal | None, higher_is_better: bool, year: int
) -> Decimal | None:
    """The target in ``year`` of a target set for ``base_year``.

    Without a step it holds for its own year only. With a step it holds from its year on, ``step`` better each year
    (added when higher is better, subtracted otherwise), never past ``cap`` (a ceiling when higher is better, a floor
    otherwise).
    """
    if year == base_year:
        return value
    if step is None or year < base_year:
        return None
    change = step * (year - base_year)
    target = value + change if higher_is_better else value - change
    if cap is not None:
        target = min(target, cap) if higher_is_better else max(target, cap)
    return target


def _scope_key(target: Target) -> tuple[int | None, str]:
    return (target.unit_id, target.unit_kind)


def target_in_force(targets: Iterable[Target], indicator: Indicator, unit: Unit, year: int) -> Target | None:
    """The target record that decides ``year`` for ``unit`` among ``targets`` of ``indicator``.

    Scopes from the most specific: the unit's own target, then its kind's, then the general one. Within a scope, a
    target set for the year itself wins over an escalating target of an earlier year; among escalating targets the
    latest base year wins.
    """
    return target_in_force_for(targets, unit.pk, unit.kind, year)


def target_in_force_for(targets: Iterable[Target], unit_id: int, unit_kind: str, year: int) -> Target | None:
    """:func:`target_in_force` for the unit ``unit_id`` of kind ``unit_kind`` (without its record)."""
    by_scope: dict[tuple[int | None, str], list[Target]] = {}
    for target in targets:
        by_scope.setdefault(_scope_key(target), []).append(target)
    for key in ((unit_id, ""), (unit_id, unit_kind), (None, unit_kind), (None, "")):
        candidates = [
            target
            for target in by_scope.get(key, [])
            if target.year == year or (target.step is not None and target.year < year)
        ]
        if candidates:
            return max(candidates, key=lambda target: (target.year == year, target.year))
    return None


def target_value(target: Target | None, indicator: Indicator, year: int) -> Decimal | None:
    if target is None:
        return None
    return expand_target(
        base_year=target.year,
        value=target.value,
        step=target.step,
        cap=target.cap,
        higher_is_better=indicator.higher_is_better,
        year=year,
    )


def target_for(code: str | Indicator, unit: Unit, year: int) -> Decimal | None:
    """The target of an indicator (code or instance) for ``unit`` in ``year``, escalating targets expanded."""
    indicator = code if isinstance(code, Indicator) else Indicator.objects.filter(code=code).first()
    if indicator is None:
        return None
    targets = list(Target.objects.filter(indicator=indicator, year__lte=year))
    return target_value(target_in_force(targets, indicator, unit, year), indicator, year)


def targets_for_units(indicator: Indicator, units: Iterable[Unit], year: int) -> dict[int, Decimal | None]:
    """``target_for`` for many units with one query."""
    targets = list(Target.objects.filter(indicator=indicator, year__lte=year))
    return {unit.pk: target_value(target_in_force(targets, indicator, unit, year), indicator, year) for unit in units}


@dataclass(frozen=True)
class TargetYear:
    year: int
    value: Decimal


def target_schedule(target: Target, *, years: int = 6) -> list[TargetYear]:
    """The first ``years`` years of a target (one for a plain target), for the definition page."""
    schedule = []
    for year in range(target.year, target.year + (years if target.step is not None else 1)):
        value = target_value(target, target.indicator, year)
        if value is not None:
            schedule.append(TargetYear(year, value))
    return schedule


# ---------------------------------------------------------------------------
# Status against target and trend


class Status:
    MET = "met"
    NOT_MET = "not_met"
    NO_TARGET = "no_target"

    LABELS = {MET: _("Đạt"), NOT_MET: _("Chưa đạt"), NO_TARGET: _("Không có chỉ tiêu")}


def status_of(value: Decimal, target: Decimal | None, *, higher_is_better: bool) -> str:
    """Met when the value reaches the target in the indicator's direction (equal counts as met)."""
    if target is None:
        return Status.NO_TARGET
    met = value >= target if higher_is_better else value <= target
    return Status.MET if met else Status.NOT_MET


class Trend:
    BETTER = "better"
    WORSE = "worse"
    SAME = "same"
    NONE = "none"

    LABELS = {
        BETTER: _("Tốt lên"),
        WORSE: _("Giảm sút"),
        SAME: _("Không đổi"),
        NONE: _("Chưa có kỳ trước"),
    }


def trend_of(value: Decimal, previous: Decimal | None, *, higher_is_better: bool) -> str:
    """Better, worse or the same as the previous period of the same kind, in the indicator's direction."""
    if previous is None:
        return Trend.NONE
    if value == previous:
        return Trend.SAME
    return Trend.BETTER if (value > previous) == higher_is_better else Trend.WORSE


@dataclass(frozen=True)
class ValueRow:
    """One unit's value in a period, as the pages show it."""

    value: IndicatorValue
    target: Decimal | None
    status: str
    trend: str
    previous: Decimal | None

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])

    @property
    def trend_label(self) -> str:
        return str(Trend.LABELS[self.trend])


def period_values(indicator: Indicator, values: QuerySet[IndicatorValue], period: Period) -> QuerySet[IndicatorValue]:
    """The values of ``indicator`` in ``period`` among ``values``, in the order of the pages (by unit name)."""
    return values.filter(indicator=indicator, period_key=period.key).select_related("unit").order_by("unit__name", "pk")


def value_rows(
    indicator: Indicator,
    values: QuerySet[IndicatorValue],
    period: Period,
    *,
    current: list[IndicatorValue] | None = None,
) -> list[ValueRow]:
    """The values of ``indicator`` in ``period`` among ``values`` (already limited to the reader), each with its
    target, status and trend; ``current``: only these values of the period (one page of a long table). A trend
    compares accepted values only; the status is shown for every state."""
    if current is None:
        current = list(period_values(indicator, values, period))
    units = [row.unit for row in current]
    previous = {
        row.unit_id: row.value
        for row in values.filter(
            indicator=indicator,
            period_key=period.previous().key,
            unit_id__in=[unit.pk for unit in units],
            state=ValueState.ACCEPTED,
        )
    }
    targets = targets_for_units(indicator, units, period.year)
    better = indicator.higher_is_better
    return [
        ValueRow(
            value=row,
            target=targets[row.unit_id],
            status=status_of(row.value, targets[row.unit_id], higher_is_better=better),
            trend=trend_of(row.value, previous.get(row.unit_id), higher_is_better=better),
            previous=previous.get(row.unit_id),
        )
        for row in current
    ]


def periods_of_year(year: int, kind: str) -> list[Period]:
    """Every period of ``kind`` in ``year``, in order."""
    period = Period(year, PeriodKind(kind), 1)
    periods = []
    while period.year == year:
        periods.append(period)
        period = period.next()
    return periods


# ---------------------------------------------------------------------------
# The public page (no login): accepted values only


@dataclass(frozen=True)
class PublishedIndicator:
    """An indicator's accepted values in its latest period that has any, the top-level units (the province) first."""

    indicator: Indicator
    period: Period | None
    rows: list[ValueRow]

    @property
    def headline(self) -> ValueRow | None:
        """The value of the highest unit (the province) when it has one."""
        return self.rows[0] if self.rows and self.rows[0].value.unit.depth == 0 else None


def public_indicators(*, exclude_codes: Iterable[str] = ()) -> list[Indicator]:
    """The indicators the secretariat chose to show on the public page (``Indicator.on_public_page``)."""
    return list(
        Indicator.objects.filter(on_public_page=True).exclude(code__in=list(exclude_codes)).order_by("group", "name")
    )


def published_values(indicator: Indicator, *, within: Unit | None = None) -> PublishedIndicator:
    """The accepted values of ``indicator`` in the latest period that has any (a year before a month ending the same
    day), with target, status and trend; a draft, a value waiting for review or a returned value never appears.
    ``within``: only the values of that unit's subtree (the province of the public page)."""
    accepted = IndicatorValue.objects.filter(state=ValueState.ACCEPTED)
    if within is not None:
        accepted = accepted.filter(subtree_condition([within.path], "unit"))
    key = (
        accepted.filter(indicator=indicator)
        .order_by("-period_end", "period_start")
        .values_list("period_key", flat=True)
        .first()
    )
    if key is None:
        return PublishedIndicator(indicator=indicator, period=None, rows=[])
    period = Period.from_key(key)
    rows = value_rows(indicator, accepted, period)
    rows.sort(key=lambda row: (row.value.unit.depth, row.value.unit.name))
    return PublishedIndicator(indicator=indicator, period=period, rows=rows)


def published_values_version(codes: Iterable[str] = ()) -> tuple[object, ...]:
    """What changes whenever the public page's values change: which indicators are public, their accepted values
    (and those of ``codes``), and their targets."""
    public = tuple(Indicator.objects.filter(on_public_page=True).order_by("pk").values_list("pk", flat=True))
    shown = IndicatorValue.objects.filter(state=ValueState.ACCEPTED, indicator__code__in=list(codes)) | (
        IndicatorValue.objects.filter(state=ValueState.ACCEPTED, indicator_id__in=public)
    )
    values = shown.aggregate(latest=Max("updated_at"), count=Count("pk"))
    targets = Target.objects.aggregate(latest=Max("pk"), count=Count("pk"))
    return public, values["latest"], values["count"], targets["latest"], targets["count"]


# ---------------------------------------------------------------------------
# Standing against target (home pages)


class StandingUnit(NamedTuple):
    """The unit of a standing row, as the pages show it (read with the values, no unit record)."""

    pk: int
    name: str
    kind: str


@dataclass(slots=True)
class UnitStanding:
    unit: StandingUnit
    value: Decimal
    target: Decimal | None
    status: str

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])


@dataclass
class IndicatorStanding:
    """An indicator's accepted values in its latest period of a year, each against its target (units by name).

    ``rows`` and ``below`` may hold only the first rows (``standings(keep=…)``); ``counts`` and ``total`` always
    count every unit."""

    indicator: Indicator
    period: Period
    rows: list[UnitStanding]
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    below: list[UnitStanding] = field(default_factory=list)

    def add(self, row: UnitStanding, keep: int | None) -> None:
        self.total += 1
        self.counts[row.status] = self.counts.get(row.status, 0) + 1
        if keep is None or len(self.rows) < keep:
            self.rows.append(row)
        if row.status == Status.NOT_MET and (keep is None or len(self.below) < keep):
            self.below.append(row)

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def met(self) -> int:
        return self.count(Status.MET)

    @property
    def not_met(self) -> int:
        return self.count(Status.NOT_MET)


STANDINGS_CACHE_SECONDS = 15 * 60


def standings(
    values: QuerySet[IndicatorValue],
    year: int,
    *,
    codes: Iterable[str] | None = None,
    exclude_sources: Iterable[str] = (),
    keep: int | None = None,
) -> list[IndicatorStanding]:
    """For each indicator with accepted values among ``values`` (the reader's, possibly narrowed to a subtree or a
    unit kind) in ``year``: its latest period of that year, and every unit's value there against
    :func:`target_for`'s target (the same expansion, read for all indicators at once), indicators by code and units
    by name. ``codes`` limits the indicators. The values are read as plain rows and the target is worked out once per
    indicator and unit kind (once per unit for the units with a target of their own).

    With ``keep``, each standing holds its first ``keep`` rows and units below target (its counts still count every
    unit), and the result is cached under the version of what it reads: the values' count and latest change per
    indicator, the indicators, their targets and the latest change of any unit, so that any change shows at once.
    Five queries whatever the number of indicators and units (four when the cache answers)."""
    accepted = values.filter(state=ValueState.ACCEPTED, period_start__year=year).exclude(
        indicator__source__in=list(exclude_sources)
    )
    if codes is not None:
        accepted = accepted.filter(indicator__code__in=list(codes))
    found = list(
        accepted.order_by()
        .values("indicator_id")
        .annotate(last=Max("period_end"), changed=Max("updated_at"), n=Count("pk"))
        .values_list("indicator_id", "last", "changed", "n")
        .order_by("indicator_id")
    )
    latest = {indicator_id: last for indicator_id, last, _changed, _n in found}
    if not latest:
        return []
    indicators = Indicator.objects.in_bulk(list(latest))
    targets: dict[int, list[Target]] = {}
    for target in Target.objects.filter(indicator_id__in=list(latest), year__lte=year).order_by("pk"):
        targets.setdefault(target.indicator_id, []).append(target)
    key = ""
    if keep is not None:
        version = (
            str(accepted.query),
            year,
            keep,
            found,
            [(i.pk, i.code, i.name, i.measure, i.higher_is_better, i.source) for i in indicators.values()],
            [
                (t.pk, t.unit_id, t.unit_kind, t.year, t.value, t.step, t.cap)
                for found in targets.values()
                for t in found
            ],
            Unit.objects.aggregate(changed=Max("updated_at"))["changed"],
            # Writes that leave ``updated_at`` alone (a queryset's ``update()``, an import) move these.
            page_cache.versions(("indicators", "organisations")),
        )
        key = "indicators:standings:" + hashlib.sha256(repr(version).encode()).hexdigest()
        cached = cache.get(key)
        if cached is not None:
            return cast(list[IndicatorStanding], cached)
    condition = Q()
    for indicator_id, end in latest.items():
        condition |= Q(indicator_id=indicator_id, period_end=end)
    rows = (
        accepted.filter(condition)
        .order_by("unit__name", "unit_id")
        .values_list("indicator_id", "period_key", "unit_id", "unit__name", "unit__kind", "value")
    )
    own_target = {(target.indicator_id, target.unit_id) for found in targets.values() for target in found}
    expected: dict[tuple[int, int | None, str], Decimal | None] = {}
    result: dict[int, IndicatorStanding] = {}
    for indicator_id, period_key, unit_id, unit_name, unit_kind, value in rows:
        indicator = indicators[indicator_id]
        standing = result.get(indicator_id)
        if standing is None:
            standing = result[indicator_id] = IndicatorStanding(indicator, Period.from_key(period_key), [])
        scope = (indicator_id, unit_id if (indicator_id, unit_id) in own_target else None, unit_kind)
        if scope not in expected:
            in_force = target_in_force_for(targets.get(indicator_id, []), unit_id, unit_kind, year)
            expected[scope] = target_value(in_force, indicator, year)
        goal = expected[scope]
        status = status_of(value, goal, higher_is_better=indicator.higher_is_better)
        standing.add(UnitStanding(StandingUnit(unit_id, unit_name, unit_kind), value, goal, status), keep)
    out = sorted(result.values(), key=lambda standing: standing.indicator.code)
    if key:
        cache.set(key, out, STANDINGS_CACHE_SECONDS)
    return out
