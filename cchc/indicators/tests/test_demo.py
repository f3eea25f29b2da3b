"""The demo indicators: targets from the seed, values in every review state, and loading twice changes nothing."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import User
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

        department = Unit.objects.get(code="PT-STP")
        first_quarter = value_for("pakn.on_time_rate", department, Period(2025, PeriodKind.QUARTER, 1))
        assert first_quarter is not None and first_quarter.value == Decimal(90)
        assert value_for("pakn.on_time_rate", commune, Period(2025, PeriodKind.QUARTER, 4)) is None  # none received

        audit = AuditEntry.objects.count()
        assert load_demo(stdout=io.StringIO()) == []
        assert AuditEntry.objects.count() == audit


@pytest.mark.django_db
def test_the_demo_accounts_see_the_indicator_pages_filled() -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0), tick=False):
        load_province(password="cchc-demo-2025")
        indicators = load_demo()
        pages = {
            "thuongtruc": [reverse("indicators:review_queue"), reverse("indicators:indicator_list")],
            "daumoi_xa": [reverse("indicators:entry_list")],
            "giamsat": [reverse("indicators:indicator_detail", args=[indicators[0].pk])],
        }
        for username, urls in pages.items():
            client = Client()
            client.force_login(User.objects.get(username=username))
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200, (username, url)
        client = Client()
        client.force_login(User.objects.get(username="thuongtruc"))
        assert len(client.get(reverse("indicators:review_queue")).context["values"]) == 2
        client.force_login(User.objects.get(username="daumoi_xa"))
        states = {row.value.state for row in client.get(reverse("indicators:entry_list")).context["rows"] if row.value}
        assert states == {"accepted", "submitted", "returned"}
