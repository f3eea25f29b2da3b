"""Targets: escalating targets expanded to any year, the most specific scope first, status and trend."""

from decimal import Decimal

import pytest

from cchc.audit.models import AuditEntry
from cchc.indicators import services
from cchc.indicators.models import IndicatorValue, Target
from cchc.indicators.selectors import (
    Status,
    Trend,
    expand_target,
    status_of,
    target_for,
    trend_of,
    value_rows,
)
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind

from .conftest import enter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2020, None), (2021, 15), (2022, 35), (2024, 75), (2025, 95), (2026, 100), (2030, 100)],
)
def test_an_escalating_target_rises_by_its_step_until_the_cap(year, expected):
    target = expand_target(
        base_year=2021, value=Decimal(15), step=Decimal(20), cap=Decimal(100), higher_is_better=True, year=year
    )
    assert target == (Decimal(expected) if expected is not None else None)


def test_a_lower_is_better_target_falls_by_its_step_down_to_its_floor():
    def at(year):
        return expand_target(
            base_year=2024, value=Decimal(10), step=Decimal(3), cap=Decimal(2), higher_is_better=False, year=year
        )

    assert [at(year) for year in (2024, 2025, 2026, 2027)] == [Decimal(10), Decimal(7), Decimal(4), Decimal(2)]


def test_a_plain_target_holds_for_its_year_only_and_a_zero_step_keeps_it_in_force():
    assert (
        expand_target(base_year=2025, value=Decimal(80), step=None, cap=None, higher_is_better=True, year=2026) is None
    )
    assert expand_target(
        base_year=2025, value=Decimal(80), step=Decimal(0), cap=None, higher_is_better=True, year=2030
    ) == Decimal(80)


def test_target_for_prefers_the_unit_then_its_kind_then_the_general_target(personas, digitised):
    assert target_for(digitised.code, personas.unit_b, 2023) == Decimal(55)  # commune kind, escalated
    assert target_for(digitised.code, personas.unit_a, 2023) is None  # a department: no target
    services.target_create(
        actor=personas.secretariat, indicator=digitised, data=services.TargetData(year=2023, value=Decimal(50))
    )
    assert target_for(digitised.code, personas.unit_a, 2023) == Decimal(50)
    services.target_create(
        actor=personas.secretariat,
        indicator=digitised,
        data=services.TargetData(year=2023, unit=personas.unit_b, value=Decimal(40)),
    )
    assert target_for(digitised, personas.unit_b, 2023) == Decimal(40)
    assert target_for(digitised, personas.unit_b, 2024) == Decimal(75)  # the unit's target was for 2023 only


def test_a_target_of_the_year_itself_wins_over_an_earlier_escalating_one(personas, digitised):
    services.target_create(
        actor=personas.secretariat,
        indicator=digitised,
        data=services.TargetData(year=2024, unit_kind="commune", value=Decimal(60)),
    )
    assert target_for(digitised, personas.unit_b, 2024) == Decimal(60)
    assert target_for(digitised, personas.unit_b, 2025) == Decimal(95)


def test_target_rules_are_checked_with_vietnamese_messages(personas, digitised):
    def create(**fields):
        services.target_create(actor=personas.secretariat, indicator=digitised, data=services.TargetData(**fields))

    with pytest.raises(ServiceError, match="không được âm"):
        create(year=2026, value=Decimal(10), step=Decimal(-5))
    with pytest.raises(ServiceError, match="chỉ dùng cho chỉ tiêu tăng dần"):
        create(year=2026, value=Decimal(10), cap=Decimal(50))
    with pytest.raises(ServiceError, match="Mức tối đa"):
        create(year=2026, value=Decimal(60), step=Decimal(5), cap=Decimal(50))
    with pytest.raises(ServiceError, match="0–100"):
        create(year=2026, value=Decimal(120))
    with pytest.raises(ServiceError, match="Đã có chỉ tiêu"):
        create(year=2021, unit_kind="commune", value=Decimal(10))
    with pytest.raises(ServiceError, match="không chọn cả hai"):
        create(year=2026, unit_kind="commune", unit=personas.unit_b, value=Decimal(10))
    assert Target.objects.count() == 1


def test_changing_and_deleting_a_target_is_audited(personas, digitised):
    target = digitised.targets.get()
    services.target_update(
        actor=personas.secretariat,
        target=target,
        data=services.TargetData(year=2021, unit_kind="commune", value=Decimal(20), step=Decimal(20), cap=Decimal(100)),
    )
    services.target_delete(actor=personas.secretariat, target=target)
    services.target_delete(actor=personas.secretariat, target=target)  # a second click deletes nothing more
    entries = AuditEntry.objects.filter(object_type="indicators.target").order_by("id")
    assert [entry.action for entry in entries] == ["create", "update", "delete"]
    assert entries[1].changes["value"] == ["15.0000", "20.0000"]


def test_status_follows_the_direction_of_the_indicator():
    assert status_of(Decimal(80), Decimal(80), higher_is_better=True) == Status.MET
    assert status_of(Decimal(79), Decimal(80), higher_is_better=True) == Status.NOT_MET
    assert status_of(Decimal(3), Decimal(5), higher_is_better=False) == Status.MET
    assert status_of(Decimal(6), Decimal(5), higher_is_better=False) == Status.NOT_MET
    assert status_of(Decimal(6), None, higher_is_better=False) == Status.NO_TARGET


def test_trend_compares_with_the_previous_period_in_the_direction_of_the_indicator():
    assert trend_of(Decimal(80), Decimal(70), higher_is_better=True) == Trend.BETTER
    assert trend_of(Decimal(80), Decimal(70), higher_is_better=False) == Trend.WORSE
    assert trend_of(Decimal(70), Decimal(70), higher_is_better=True) == Trend.SAME
    assert trend_of(Decimal(70), None, higher_is_better=True) == Trend.NONE


def test_value_rows_show_target_status_and_trend_from_the_previous_accepted_value(personas, digitised):
    last = enter(
        personas,
        digitised,
        unit=personas.unit_b,
        user=personas.focal_b,
        amount=50,
        period=Period(2024, PeriodKind.YEAR),
    )
    services.value_accept(actor=personas.secretariat, value=last)
    enter(personas, digitised, unit=personas.unit_b, user=personas.focal_b, amount=90)
    rows = value_rows(digitised, IndicatorValue.objects.all(), Period(2025, PeriodKind.YEAR))
    assert [(row.target, row.status, row.trend, row.previous) for row in rows] == [
        (Decimal(95), Status.NOT_MET, Trend.BETTER, Decimal(50))
    ]
