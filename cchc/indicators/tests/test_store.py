import datetime
from decimal import Decimal

import pytest

from cchc.audit.models import AuditEntry
from cchc.indicators.models import Target
from cchc.indicators.selectors import target_for, value_for, values_by_unit
from cchc.indicators.services import indicator_ensure, value_publish
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind

pytestmark = pytest.mark.django_db

Q3 = Period(2023, PeriodKind.QUARTER, 3)


def _on_time_rate():
    return indicator_ensure(code="tasks.on_time_rate", name="Tỷ lệ nhiệm vụ hoàn thành đúng hạn")


def test_publishing_a_value_twice_keeps_one_row_and_audits_only_real_changes(personas):
    indicator = _on_time_rate()
    value_publish(actor=None, indicator=indicator, unit=personas.unit_a, period=Q3, value=80)
    value_publish(actor=None, indicator=indicator, unit=personas.unit_a, period=Q3, value=80)
    value_publish(actor=None, indicator=indicator, unit=personas.unit_a, period=Q3, value=Decimal("92.5"))
    stored = value_for("tasks.on_time_rate", personas.unit_a, Q3)
    assert stored is not None and stored.value == Decimal("92.5")
    assert stored.period_start == datetime.date(2023, 7, 1) and stored.period_end == datetime.date(2023, 9, 30)
    entries = AuditEntry.objects.filter(object_type="indicators.indicatorvalue")
    assert [entry.changes["value"] for entry in entries.order_by("id")] == [[None, "80.0000"], ["80.0000", "92.5000"]]


def test_a_percentage_outside_zero_to_hundred_is_refused(personas):
    with pytest.raises(ServiceError):
        value_publish(actor=None, indicator=_on_time_rate(), unit=personas.unit_a, period=Q3, value=120)
    assert value_for("tasks.on_time_rate", personas.unit_a, Q3) is None


def test_values_for_many_units_come_back_keyed_by_unit(personas):
    indicator = _on_time_rate()
    value_publish(actor=None, indicator=indicator, unit=personas.unit_a, period=Q3, value=50)
    value_publish(actor=None, indicator=indicator, unit=personas.unit_b, period=Q3, value=70)
    values = values_by_unit("tasks.on_time_rate", [personas.unit_a, personas.unit_b, personas.front], Q3)
    assert {unit_id: row.value for unit_id, row in values.items()} == {
        personas.unit_a.pk: Decimal(50),
        personas.unit_b.pk: Decimal(70),
    }


def test_a_unit_target_overrides_the_target_for_its_kind(personas):
    indicator = _on_time_rate()
    Target.objects.create(indicator=indicator, year=2023, unit_kind="", value=Decimal(90))
    Target.objects.create(indicator=indicator, year=2023, unit_kind="department", value=Decimal(95))
    Target.objects.create(indicator=indicator, year=2023, unit=personas.unit_a, value=Decimal(100))
    assert target_for("tasks.on_time_rate", personas.unit_a, 2023) == Decimal(100)
    assert target_for("tasks.on_time_rate", personas.home_affairs, 2023) == Decimal(95)
    assert target_for("tasks.on_time_rate", personas.unit_b, 2023) == Decimal(90)
    assert target_for("tasks.on_time_rate", personas.unit_b, 2024) is None


def test_a_value_reads_in_vietnamese_with_its_unit_period_and_formatted_number(personas):
    stored = value_publish(
        actor=None,
        indicator=_on_time_rate(),
        unit=personas.unit_b,
        period=Period(2026, PeriodKind.YEAR),
        value=Decimal("66.67"),
    )
    stored.refresh_from_db()
    assert stored.value == Decimal("66.6700")
    assert str(stored) == "Tỷ lệ nhiệm vụ hoàn thành đúng hạn, Xã Hòa Bình, Năm 2026: 66,67 %"
    assert AuditEntry.objects.get(object_type="indicators.indicatorvalue").object_repr == str(stored)


def test_a_target_reads_in_vietnamese():
    target = Target(indicator=_on_time_rate(), year=2026, value=Decimal("80.0000"))
    assert str(target) == "Chỉ tiêu năm 2026 của “Tỷ lệ nhiệm vụ hoàn thành đúng hạn”: 80,00 %"
