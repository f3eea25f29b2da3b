"""The demo's published figures: real totals, only for provinces present, loaded once."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from cchc.accounts.models import User
from cchc.audit.models import AuditEntry
from cchc.indicators.external import responsibilities_of
from cchc.indicators.external_demo import PUBLISHED, load_external_demo, load_responsible_demo
from cchc.indicators.models import ExternalResponsibility, IndicatorValue
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


def _department(code: str, name: str, parent):
    return unit_create(actor=None, data=UnitData(name=name, kind=UnitKind.DEPARTMENT, code=code), parent=parent)


def test_the_demo_province_gets_its_responsible_units_once_and_other_provinces_none():
    province = unit_create(
        actor=None, data=UnitData(name="Tỉnh Phú Thọ", kind=UnitKind.PROVINCE, code="PT"), parent=None
    )
    home_affairs = _department("PT-SNV", "Sở Nội vụ", province)
    office = _department("PT-VP", "Văn phòng UBND tỉnh", province)
    other = unit_create(actor=None, data=UnitData(name="Tỉnh Khác", kind=UnitKind.PROVINCE, code="QG-01"), parent=None)
    assert load_responsible_demo("PT-NONE") is None
    change = load_responsible_demo("PT")
    assert change is not None and change.added > 0
    papi5 = responsibilities_of(province)["papi.d5"]
    assert {(row.unit, row.lead) for row in papi5} == {(home_affairs, True), (office, True)}
    assert not ExternalResponsibility.objects.filter(province=other).exists()
    entries = AuditEntry.objects.count()
    again = load_responsible_demo("PT")
    assert again is not None and not again.any and AuditEntry.objects.count() == entries


def test_the_national_demo_creates_no_account():
    call_command("demo", "--scale", "national", stdout=io.StringIO())
    assert not User.objects.exists()
    assert not ExternalResponsibility.objects.exists()
    assert IndicatorValue.objects.filter(indicator__code="par.total").exists()
