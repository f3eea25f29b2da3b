"""The demo registers: a plan covering about a third of the province's units, findings with tasks some remedied, and
initiatives per unit some below target; loading again creates nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cchc.audit.models import AuditEntry
from cchc.demo.loaders import load_province
from cchc.indicators.models import IndicatorValue
from cchc.initiatives import selectors as initiative_selectors
from cchc.initiatives.demo import load_demo as load_initiatives
from cchc.initiatives.models import Initiative
from cchc.inspections import selectors
from cchc.inspections.demo import load_demo as load_inspections

pytestmark = pytest.mark.django_db


def test_the_demo_registers_show_something_and_load_once() -> None:
    load_province(password="Mat-khau-minh-hoa-2025")
    plan = load_inspections()
    assert plan is not None
    covered = selectors.coverage(plan.organiser, plan.year)
    assert covered.total > 0
    assert abs(covered.planned - covered.total / 3) <= 1
    assert 0 < covered.inspected < covered.planned
    remedied = selectors.remedied_of_plan(plan)
    assert 0 < remedied.remedied < remedied.total
    assert load_initiatives() > 0
    counts = initiative_selectors.counts_by_unit(Initiative.objects.all(), timezone.localdate().year)
    assert any(row.meets_target for row in counts) and any(row.meets_target is False for row in counts)
    codes = set(IndicatorValue.objects.values_list("indicator__code", flat=True))
    assert {selectors.COVERAGE_RATE, selectors.FINDINGS_REMEDIED_RATE, initiative_selectors.RECOGNISED_COUNT} <= codes

    entries = AuditEntry.objects.count()
    assert load_inspections() is None
    assert load_initiatives() == 0
    assert AuditEntry.objects.count() == entries
