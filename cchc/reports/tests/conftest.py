"""A year of reform work in the test province, fixed in time: on 20 January 2026, one plan issued on 5 January 2025
gave unit A two dated tasks (one done on time in March, one done late in August), unit B one task left overdue in
March, and both units the yearly reform report (due 31 December 2025, tied to the reports as their deadline); the
inspection register has published a coverage of 35 % for the province. The figures the tests expect are counted by
hand from this list."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine

from cchc.directives import services as directive_services
from cchc.directives.models import Assignment, DeadlineKind, Directive, DirectiveKind, ExpectedOutput, Recurrence, Task
from cchc.indicators.services import indicator_ensure, value_publish
from cchc.lib.periods import Period
from cchc.reports import services
from cchc.testing.personas import Personas

TODAY = datetime.datetime(2026, 1, 20, 9, 0, tzinfo=datetime.UTC)
YEAR = Period.from_key("2025")


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fixed_day() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


@dataclass
class Year:
    directive: Directive
    report_task: Task


def _task(personas: Personas, directive: Directive, unit: Any, content: str, deadline: datetime.date) -> Task:
    return directive_services.task_create(
        actor=personas.secretariat,
        directive=directive,
        data=directive_services.TaskData(
            content=content, deadline_kind=DeadlineKind.DATE, units=[unit], deadline=deadline
        ),
    )


def _complete(personas: Personas, user: Any, task: Task, day: datetime.date) -> None:
    assignment = Assignment.objects.get(task=task)
    report = directive_services.report_submit(
        actor=user, assignment=assignment, percent=100, text="Đã hoàn thành.", submitted_on=day
    )
    directive_services.report_accept(actor=personas.secretariat, report=report)


@pytest.fixture
def year(personas: Personas) -> Year:
    directive = directive_services.directive_create(
        actor=personas.secretariat,
        data=directive_services.DirectiveData(
            kind=DirectiveKind.PLAN,
            subject="Kế hoạch cải cách hành chính năm 2025",
            issuing_unit=personas.province,
            reference="12/KH-UBND",
            issued_on=datetime.date(2025, 1, 5),
        ),
    )
    on_time = _task(personas, directive, personas.unit_a, "Rà soát, đơn giản hóa thủ tục", datetime.date(2025, 3, 20))
    _task(personas, directive, personas.unit_b, "Niêm yết công khai thủ tục", datetime.date(2025, 3, 25))
    late = _task(personas, directive, personas.unit_a, "Số hóa hồ sơ, kết quả", datetime.date(2025, 8, 10))
    _complete(personas, personas.focal_a, on_time, datetime.date(2025, 3, 15))
    _complete(personas, personas.focal_a, late, datetime.date(2025, 8, 20))
    report_task = directive_services.task_create(
        actor=personas.secretariat,
        directive=directive,
        data=directive_services.TaskData(
            content="Báo cáo kết quả thực hiện công tác cải cách hành chính năm",
            deadline_kind=DeadlineKind.RECURRING,
            recurrence=Recurrence.YEARLY,
            expected_output=ExpectedOutput.REPORT,
            units=[personas.unit_a, personas.unit_b],
        ),
    )
    services.report_task_link(actor=personas.secretariat, task=report_task)
    indicator = indicator_ensure(code="inspections.coverage_rate", name="Tỷ lệ đơn vị được kiểm tra CCHC")
    value_publish(actor=None, indicator=indicator, unit=personas.province, period=YEAR, value=Decimal(35))
    return Year(directive=directive, report_task=report_task)
