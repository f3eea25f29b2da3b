"""Fixtures of the inspection tests: a plan of the test province for this year."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cchc.inspections import services
from cchc.inspections.models import InspectionPlan
from cchc.testing.personas import Personas


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


@pytest.fixture
def plan(personas: Personas, year: int) -> InspectionPlan:
    return services.plan_create(
        actor=personas.secretariat,
        organiser=personas.province,
        year=year,
        title=f"Kế hoạch kiểm tra công tác cải cách hành chính năm {year}",
        reference="15/KH-UBND",
    )
