"""Reads of the reports pages: who has reported for a period, and the report's sections in outline order."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from cchc.directives.models import Assignment, Task
from cchc.lib.periods import Period
from cchc.lib.text import sort_key
from cchc.organisations.models import Unit, UnitQuerySet

from .models import SECTION_SPECS, Report, ReportStatus, ReportTask


@dataclass
class SectionView:
    key: str
    title: str
    part: str
    text: str


def section_views(report: Report) -> list[SectionView]:
    texts = dict(report.sections.values_list("key", "text"))
    return [SectionView(key, str(title), part, texts.get(key, "")) for key, title, part in SECTION_SPECS]


@dataclass
class OverviewRow:
    unit: Unit
    report: Report | None
    due_date: datetime.date | None

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else ""

    @property
    def status_label(self) -> str:
        return str(self.report.get_status_display()) if self.report is not None else ""

    @property
    def is_late(self) -> bool:
        """Not submitted and the task's deadline has passed."""
        if self.due_date is None or self.due_date >= timezone.localdate():
            return False
        return self.report is None or self.report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


@dataclass
class Overview:
    period: Period
    rows: list[OverviewRow]
    consolidated: list[Report]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def submitted(self) -> int:
        return self.count(ReportStatus.SUBMITTED)

    @property
    def returned(self) -> int:
        return self.count(ReportStatus.RETURNED)

    @property
    def accepted(self) -> int:
        return self.count(ReportStatus.ACCEPTED)

    @property
    def not_started(self) -> int:
        return sum(1 for row in self.rows if row.report is None)

    @property
    def late(self) -> int:
        return sum(1 for row in self.rows if row.is_late)


def overview(units: UnitQuerySet, period: Period) -> Overview:
    """Every unit expected to report for ``period`` within ``units`` — those given the report task for the period,
    those that opened a report, or (without a tied task) the units directly under each province — with its report."""
    reports = {
        report.unit_id: report
        for report in Report.objects.filter(period_key=period.key, unit__in=units).select_related("unit")
    }
    due = dict(
        Assignment.objects.filter(
            task_id__in=ReportTask.objects.values("task_id"), occurrence__period_key=period.key, unit__in=units
        ).values_list("unit_id", "due_date")
    )
    expected = set(due) | {unit_id for unit_id, report in reports.items() if not report.is_consolidated}
    if not ReportTask.objects.exists():
        roots = units.filter(parent__isnull=True).values("pk")
        expected |= set(units.filter(parent_id__in=roots).active(period.end).values_list("pk", flat=True))
    shown = sorted(Unit.objects.filter(pk__in=expected), key=lambda unit: sort_key(unit.name))
    rows = [OverviewRow(unit, reports.get(unit.pk), due.get(unit.pk)) for unit in shown]
    consolidated = [report for report in reports.values() if report.is_consolidated]
    return Overview(period=period, rows=rows, consolidated=consolidated)


def recurring_report_tasks(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Recurring tasks that produce a report: candidates for the periodic reform report."""
    return (
        tasks.filter(expected_output="report", cancelled_at__isnull=True)
        .exclude(recurrence="", report_every="")
        .select_related("directive")
        .order_by("-directive__issued_on", "pk")
    )
