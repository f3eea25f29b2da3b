"""Reads from the indicator store."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from cchc.lib.periods import Period
from cchc.organisations.models import Unit

from .models import IndicatorValue, Target


def value_for(code: str, unit: Unit, period: Period) -> IndicatorValue | None:
    return IndicatorValue.objects.filter(indicator__code=code, unit=unit, period_key=period.key).first()


def values_by_unit(code: str, units: Iterable[Unit], period: Period) -> dict[int, IndicatorValue]:
    """Values of one indicator for many units in one query, keyed by unit id."""
    unit_ids = [unit.pk for unit in units]
    rows = IndicatorValue.objects.filter(indicator__code=code, period_key=period.key, unit_id__in=unit_ids)
    return {row.unit_id: row for row in rows}


def target_for(code: str, unit: Unit, year: int) -> Decimal | None:
    """The unit's own target, else the target for its kind, else the general target."""
    targets = {
        (target.unit_id, target.unit_kind): target.value
        for target in Target.objects.filter(indicator__code=code, year=year)
    }
    for key in ((unit.pk, ""), (unit.pk, unit.kind), (None, unit.kind), (None, "")):
        if key in targets:
            return targets[key]
    return None
