"""The demo indicators: targets from the seed, values in every review state, and loading twice changes nothing."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import time_machine

from cchc.audit.models import AuditEntry
from cchc.demo.loaders import load_province
from cchc.indicators.demo import DIGITISED, load_demo
from cchc.indicators.models import IndicatorValue, ValueState
from cchc.indicators.selectors import target_for, value_for
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit


@pytest.mark.django_db
def test_demo_loads_unit_entered_indicators_with_values_in_every_state_once() -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0), tick=False):
        load_province(password="cchc-demo-2025")
        out = io.StringIO()
        loaded = load_demo(stdout=out)
        assert len(loaded) == 3 and "3 chỉ số" in out.getvalue()
        assert all(indicator.basis for indicator in loaded)
        assert set(IndicatorValue.objects.values_list("state", flat=True)) == set(ValueState)
        commune = Unit.objects.get(code="PT-X-DOANHUNG")
        assert target_for(DIGITISED, commune, 2021) == Decimal(15)
        assert target_for(DIGITISED, commune, 2025) == Decimal(95)
        assert target_for(DIGITISED, commune, 2026) == Decimal(100)
        accepted = value_for(DIGITISED, commune, Period(2026, PeriodKind.YEAR))
        assert accepted is not None and accepted.evidence.exists()

        audit = AuditEntry.objects.count()
        assert load_demo(stdout=io.StringIO()) == []
        assert AuditEntry.objects.count() == audit
