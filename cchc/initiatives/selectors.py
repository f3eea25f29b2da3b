"""Reads of the initiative register: counts per unit and year against the target (one function for every page)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from cchc.indicators.models import Indicator
from cchc.indicators.selectors import targets_for_units
from cchc.organisations.models import Unit

from .models import COUNTED_STATUSES, Initiative, InitiativeStatus

RECOGNISED_COUNT = "initiatives.recognised_count"
DEFAULT_TARGET = Decimal(3)


def recognised_count(unit: Unit, year: int) -> int:
    """Initiatives of ``unit`` for ``year`` recognised (or recognised and applied)."""
    return Initiative.objects.filter(unit=unit, year=year, status__in=COUNTED_STATUSES).count()


@dataclass(frozen=True)
class UnitCount:
    unit: Unit
    proposed: int
    recognised: int
    target: Decimal | None
    not_recognised: int = 0

    @property
    def meets_target(self) -> bool | None:
        return None if self.target is None else self.recognised >= self.target


def counts_by_unit(initiatives: QuerySet[Initiative], year: int) -> list[UnitCount]:
    """Per unit among ``initiatives`` (already limited to what the reader may see) of ``year``: all initiatives,
    recognised ones (those counting towards the target), not recognised ones and the target (two queries and one for
    the targets)."""
    rows = (
        initiatives.filter(year=year)
        .values("unit_id")
        .annotate(
            total=Count("pk"),
            counted=Count("pk", filter=Q(status__in=COUNTED_STATUSES)),
            refused=Count("pk", filter=Q(status=InitiativeStatus.NOT_RECOGNISED)),
        )
        .order_by()
    )
    totals = {row["unit_id"]: (row["total"], row["counted"], row["refused"]) for row in rows}
    units = sorted(Unit.objects.filter(pk__in=list(totals)), key=lambda unit: unit.name)
    indicator = Indicator.objects.filter(code=RECOGNISED_COUNT).first()
    targets = targets_for_units(indicator, units, year) if indicator is not None else {}
    return [
        UnitCount(
            unit=unit,
            proposed=totals[unit.pk][0],
            recognised=totals[unit.pk][1],
            target=targets.get(unit.pk),
            not_recognised=totals[unit.pk][2],
        )
        for unit in units
    ]


def counted_by_unit(year: int, unit_ids: Iterable[int] | None = None) -> dict[int, int]:
    """``{unit_id: recognised count}`` for ``year`` over units with any initiative (one query)."""
    rows = Initiative.objects.filter(year=year)
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    counted = rows.values("unit_id").annotate(n=Count("pk", filter=Q(status__in=COUNTED_STATUSES))).order_by()
    return {row["unit_id"]: row["n"] for row in counted}
