"""Citizen feedback (PAKN) as indicators: the shipped definitions, and the on-time rate computed from the counts."""

from decimal import Decimal

import pytest

from cchc.audit.models import AuditAction, AuditEntry
from cchc.indicators import excel, services
from cchc.indicators.models import EntryMode, Indicator, IndicatorValue, Measure, ValueOrigin, ValueState
from cchc.lib import spreadsheet
from cchc.lib.periods import Period, PeriodKind

from .conftest import enter

pytestmark = pytest.mark.django_db

Q1 = Period(2025, PeriodKind.QUARTER, 1)
CODES = ("pakn.received", "pakn.on_time", "pakn.overdue", "pakn.on_time_rate")


def rate(personas, unit=None, period=Q1):
    return IndicatorValue.objects.filter(
        indicator__code="pakn.on_time_rate", unit=unit or personas.unit_a, period_key=period.key
    ).first()


def publish(personas, code, amount, unit=None, period=Q1):
    services.value_publish(
        actor=personas.secretariat,
        indicator=Indicator.objects.get(code=code),
        unit=unit or personas.unit_a,
        period=period,
        value=amount,
        origin=ValueOrigin.IMPORTED,
    )


def test_the_pakn_definitions_are_created_once_and_an_edited_definition_is_kept(personas):
    first = services.pakn_indicators_ensure()
    assert sorted(first) == sorted(CODES)
    counts = [first[code] for code in CODES[:3]]
    assert {(i.measure, i.entry, i.period_kind) for i in counts} == {(Measure.COUNT, EntryMode.UNIT, "quarter")}
    assert not first["pakn.overdue"].higher_is_better
    assert (first["pakn.on_time_rate"].measure, first["pakn.on_time_rate"].entry) == (
        Measure.PERCENT,
        EntryMode.COMPUTED,
    )
    Indicator.objects.filter(code="pakn.received").update(name="Số PAKN đã nhận (tỉnh đặt tên)")
    again = services.pakn_indicators_ensure()
    assert Indicator.objects.filter(code__startswith="pakn.").count() == 4
    assert again["pakn.received"].name == "Số PAKN đã nhận (tỉnh đặt tên)"


def test_the_rate_is_computed_when_both_counts_a_unit_entered_are_accepted(personas):
    indicators = services.pakn_indicators_ensure()
    received = enter(personas, indicators["pakn.received"], period=Q1, amount=20)
    on_time = enter(personas, indicators["pakn.on_time"], period=Q1, amount=15)
    services.value_accept(actor=personas.secretariat, value=received)
    assert rate(personas) is None  # the on-time count is not accepted yet
    services.value_accept(actor=personas.secretariat, value=on_time)
    computed = rate(personas)
    assert (computed.value, computed.numerator, computed.denominator) == (Decimal(75), Decimal(15), Decimal(20))
    assert (computed.origin, computed.state) == (ValueOrigin.COMPUTED, ValueState.ACCEPTED)
    assert AuditEntry.objects.filter(object_id=str(computed.pk), action=AuditAction.CREATE).exists()


def test_no_rate_with_nothing_received_and_an_earlier_rate_is_removed(personas):
    services.pakn_indicators_ensure()
    publish(personas, "pakn.received", 3)
    publish(personas, "pakn.on_time", 2)
    assert rate(personas).value == Decimal("66.67")
    publish(personas, "pakn.received", 0)
    publish(personas, "pakn.on_time", 0)
    assert rate(personas) is None
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, object_type="indicators.indicatorvalue").exists()


def test_no_rate_when_more_were_handled_on_time_than_received(personas):
    services.pakn_indicators_ensure()
    publish(personas, "pakn.received", 4)
    publish(personas, "pakn.on_time", 5)
    assert rate(personas) is None


def test_importing_the_counts_computes_the_rate_per_unit_and_quarter(personas):
    data = spreadsheet.table_bytes(
        title="PAKN",
        header=["Mã chỉ số", "Mã đơn vị", "Năm/kỳ", "Giá trị"],
        rows=[
            ["pakn.received", "T-P-STP", "2025-Q1", 8],
            ["pakn.on_time", "T-P-STP", "2025-Q1", 6],
            ["pakn.overdue", "T-P-STP", "2025-Q1", 2],
            ["pakn.received", "T-P-XHB", "2025-Q1", 0],
            ["pakn.on_time", "T-P-XHB", "2025-Q1", 0],
            ["pakn.received", "T-P-STP", "2025-Q2", 10],
        ],
    )
    report = excel.import_values(actor=personas.secretariat, data=data)
    assert report.ok, report.errors
    assert rate(personas).value == Decimal(75)
    assert rate(personas, unit=personas.unit_b) is None
    assert rate(personas, period=Period(2025, PeriodKind.QUARTER, 2)) is None
    again = excel.import_values(
        actor=personas.secretariat,
        data=spreadsheet.table_bytes(
            title="PAKN",
            header=["Mã chỉ số", "Mã đơn vị", "Năm/kỳ", "Giá trị"],
            rows=[["pakn.on_time", "T-P-STP", "2025-Q1", 8]],
        ),
    )
    assert again.updated == 1 and rate(personas).value == Decimal(100)
    year = excel.import_values(
        actor=personas.secretariat,
        data=spreadsheet.table_bytes(
            title="PAKN",
            header=["Mã chỉ số", "Mã đơn vị", "Năm/kỳ", "Giá trị"],
            rows=[["pakn.on_time_rate", "T-P-STP", "2025-Q3", 8]],
        ),
    )
    assert year.errors[0].message == "Chỉ số “pakn.on_time_rate” do hệ thống tính; không nhập từ tệp."
