"""Writes to the indicator store; values are upserted per unit and period and audited when they change."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import record
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit

from .models import Indicator, IndicatorSource, IndicatorValue, Measure


def indicator_ensure(
    *,
    code: str,
    name: str,
    source: str = IndicatorSource.MANUAL,
    measure: str = Measure.PERCENT,
    description: str = "",
    higher_is_better: bool = True,
) -> Indicator:
    """The indicator with ``code``, created on first use (definitions ship with the modules that publish them)."""
    indicator, _created = Indicator.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "source": source,
            "measure": measure,
            "description": description,
            "higher_is_better": higher_is_better,
        },
    )
    return indicator


def _decimal(value: Decimal | float | int | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.0001"))


@transaction.atomic
def value_publish(
    *,
    actor: ActorOrSystem,
    indicator: Indicator,
    unit: Unit,
    period: Period,
    value: Decimal | float | int,
    numerator: Decimal | float | int | None = None,
    denominator: Decimal | float | int | None = None,
    note: str = "",
) -> IndicatorValue:
    """Store the value of ``indicator`` for ``unit`` in ``period`` (replacing an earlier one)."""
    amount = _decimal(value)
    if amount is None or not amount.is_finite():
        raise ServiceError(_("Giá trị chỉ số không hợp lệ."))
    if indicator.measure == Measure.PERCENT and not Decimal(0) <= amount <= Decimal(100):
        raise ServiceError(_("Tỷ lệ phải nằm trong khoảng 0–100%."))
    current = (
        IndicatorValue.objects.select_for_update().filter(indicator=indicator, unit=unit, period_key=period.key).first()
    )
    old = current.value if current else None
    fields = {
        "value": amount,
        "numerator": _decimal(numerator),
        "denominator": _decimal(denominator),
        "note": note[:300],
    }
    if current is None:
        current = IndicatorValue.objects.create(
            indicator=indicator,
            unit=unit,
            period_kind=period.kind.value,
            period_key=period.key,
            period_start=period.start,
            period_end=period.end,
            **fields,
        )
    elif any(getattr(current, name) != new for name, new in fields.items()):
        for name, new in fields.items():
            setattr(current, name, new)
        current.save()
    else:
        return current
    record(
        actor=actor,
        action=AuditAction.UPDATE if old is not None else AuditAction.CREATE,
        instance=current,
        changes={"value": [str(old) if old is not None else None, str(amount)], "period": [None, period.key]},
        unit=unit,
    )
    return current
