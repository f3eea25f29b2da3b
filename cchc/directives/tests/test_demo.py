"""The demo directives: every stage of follow-up is there, and loading twice changes nothing."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine

from cchc.audit.models import AuditEntry
from cchc.demo.loaders import load_province
from cchc.directives.demo import load_demo
from cchc.directives.models import Assignment, DeadlineKind, Directive, ProgressReport, Status
from cchc.directives.services import ON_TIME_RATE
from cchc.indicators.models import IndicatorValue


@pytest.mark.django_db
def test_demo_loads_the_three_seed_directives_at_every_stage_and_a_second_run_changes_nothing() -> None:
    with time_machine.travel(datetime.datetime(2025, 10, 15, 9, 0), tick=False):
        load_province(password="cchc-demo-2025")
        out = io.StringIO()
        loaded = load_demo(stdout=out)
        assert "3 văn bản" in out.getvalue()
        assert {directive.reference for directive in loaded} == {"/UBND-NV", "B_3b/KH-VP", "176/TB-UBND"}
        statuses = {row.status for row in Assignment.objects.with_status()}
        assert statuses == set(Status)
        assert Assignment.objects.filter(review_pending=True).exists()
        assert Directive.objects.get(reference="B_3b/KH-VP").tasks.filter(deadline_kind=DeadlineKind.RECURRING).exists()
        historical = Directive.objects.get(reference="/UBND-NV")
        assert not historical.assignments.filter(completed_on__isnull=True).exists()
        assert Assignment.objects.filter(unit__code="PT-STP").exists()
        assert Assignment.objects.filter(unit__code="PT-X-DOANHUNG").exists()
        assert IndicatorValue.objects.filter(indicator__code=ON_TIME_RATE).exists()

        counts = (Directive.objects.count(), Assignment.objects.count(), ProgressReport.objects.count())
        audit = AuditEntry.objects.count()
        assert load_demo(stdout=io.StringIO()) == []
        assert (Directive.objects.count(), Assignment.objects.count(), ProgressReport.objects.count()) == counts
        assert AuditEntry.objects.count() == audit
