"""Completion statistics: each unit's on-time rate, published into the indicator store."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.indicators.models import Indicator, IndicatorSource, Measure
from cchc.indicators.services import indicator_ensure, value_publish
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit

from ..models import Assignment

ON_TIME_RATE = "tasks.on_time_rate"


def on_time_rate_indicator() -> Indicator:
    return indicator_ensure(
        code=ON_TIME_RATE,
        name=_("Tỷ lệ nhiệm vụ được giao hoàn thành đúng hạn"),
        source=IndicatorSource.DIRECTIVES,
        measure=Measure.PERCENT,
        description=_(
            "Số nhiệm vụ hoàn thành đúng hạn trên tổng số nhiệm vụ có hạn trong kỳ đã đến hạn hoặc đã hoàn thành, "
            "theo các văn bản chỉ đạo được theo dõi."
        ),
    )


def on_time_counts(period: Period, *, unit_ids: Iterable[int] | None = None) -> dict[int, tuple[int, int]]:
    """``{unit_id: (done on time, due)}`` for assignments due in ``period`` that are due by today or done."""
    today = timezone.localdate()
    rows = (
        Assignment.objects.live()
        .due_between(period.start, period.end)
        .filter(Q(completed_on__isnull=False) | Q(due_date__lt=today))
    )
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    counted = rows.values("unit_id").annotate(
        due=Count("pk"),
        on_time=Count("pk", filter=Q(completed_on__isnull=False, completed_on__lte=F("due_date"))),
    )
    return {row["unit_id"]: (row["on_time"], row["due"]) for row in counted}


def stats_publish(*, actor: ActorOrSystem, period: Period, unit_ids: Iterable[int] | None = None) -> int:
    """Publish ``tasks.on_time_rate`` for every unit with assignments due in ``period``; returns how many."""
    counts = on_time_counts(period, unit_ids=unit_ids)
    if not counts:
        return 0
    indicator = on_time_rate_indicator()
    units = Unit.objects.in_bulk(list(counts))
    for unit_id, (on_time, due) in counts.items():
        value = (Decimal(on_time) * 100 / Decimal(due)).quantize(Decimal("0.01"))
        value_publish(
            actor=actor,
            indicator=indicator,
            unit=units[unit_id],
            period=period,
            value=value,
            numerator=on_time,
            denominator=due,
            note=_("Tính từ theo dõi nhiệm vụ"),
        )
    return len(counts)


def periods_containing(day: datetime.date) -> list[Period]:
    return [Period.containing(day, kind) for kind in (PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR)]


def stats_refresh_for(*, actor: ActorOrSystem, assignment: Assignment, day: datetime.date | None = None) -> None:
    """Republish the unit's rates for the quarter, half-year and year of the assignment's due date."""
    target = day or assignment.due_date
    if target is None or (target >= timezone.localdate() and assignment.completed_on is None):
        return
    for period in periods_containing(target):
        stats_publish(actor=actor, period=period, unit_ids=[assignment.unit_id])
