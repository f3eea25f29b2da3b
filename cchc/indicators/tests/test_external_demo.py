"""The demo's published figures: real totals, only for provinces present, loaded once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cchc.audit.models import AuditEntry
from cchc.indicators.external_demo import PUBLISHED, load_external_demo
from cchc.indicators.models import IndicatorValue
from cchc.organisations.models import UnitKind
from cchc.organisations.services import UnitData, unit_create

pytestmark = pytest.mark.django_db


def test_without_any_province_of_the_published_figures_nothing_is_loaded():
    assert load_external_demo() is None
    assert not IndicatorValue.objects.exists()


def test_published_totals_attach_to_the_provinces_present_and_a_second_load_changes_nothing():
    ninh = unit_create(
        actor=None,
        data=UnitData(name="Tỉnh Quảng Ninh", kind=UnitKind.PROVINCE, code="22", short_name="Quảng Ninh"),
        parent=None,
    )
    report = load_external_demo()
    assert report is not None and report.ok
    assert report.created == len([row for row in PUBLISHED if row[0] == "Quảng Ninh"])
    value = IndicatorValue.objects.get(unit=ninh, indicator__code="par.total", period_key="2023")
    assert value.value == Decimal("92.18") and value.note.startswith("https://")
    entries = AuditEntry.objects.count()
    again = load_external_demo()
    assert again is not None and again.written == 0 and AuditEntry.objects.count() == entries
    assert not IndicatorValue.objects.exclude(indicator__code__endswith=".total").exists()
