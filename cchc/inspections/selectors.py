"""Reads of the inspection register: the units a plan covers, coverage and the share of findings remedied.

Each figure is computed here once; the pages, the Excel export, the API and the indicator publication all call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from cchc.directives.models import Assignment
from cchc.indicators.selectors import target_for
from cchc.lib.numbers import percent
from cchc.organisations.models import Unit, UnitKind, UnitQuerySet

from .models import Finding, Inspection, InspectionPlan, PlanStatus

COVERAGE_RATE = "inspections.coverage_rate"
FINDINGS_REMEDIED_RATE = "inspections.findings_remedied_rate"
DEFAULT_COVERAGE_TARGET = Decimal(30)
DEFAULT_REMEDIED_TARGET = Decimal(100)

# The units an organising unit inspects and counts for coverage: the departments, districts (before 1 July 2025) and
# communes directly under it, in force on the day asked (offices, public service units and other organisations are
# not counted).
INSPECTED_KINDS = (UnitKind.DEPARTMENT.value, UnitKind.DISTRICT.value, UnitKind.COMMUNE.value)


def subordinate_units(organiser: Unit, *, on: datetime.date | None = None) -> UnitQuerySet:
    """The units under ``organiser`` that its inspection plan may include and that coverage counts."""
    return Unit.objects.active(on).filter(parent=organiser, kind__in=INSPECTED_KINDS)


def remedied_condition() -> Exists:
    """A finding is remedied when the assignment of its task is done (completion accepted by the secretariat)."""
    return Exists(Assignment.objects.filter(task_id=OuterRef("task_id"), completed_on__isnull=False))


def findings_with_state(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """``findings`` annotated with ``remedied`` (bool) and the due date of their task's assignment."""
    return findings.annotate(remedied=remedied_condition())


@dataclass(frozen=True)
class Coverage:
    planned: int
    inspected: int
    total: int
    target: Decimal | None

    @property
    def rate(self) -> Decimal | None:
        """Inspected units / units under the organiser × 100 (``None`` when it has no such unit)."""
        return percent(self.inspected, self.total) if self.total else None

    @property
    def planned_rate(self) -> Decimal | None:
        return percent(self.planned, self.total) if self.total else None

    @property
    def meets_target(self) -> bool | None:
        if self.rate is None or self.target is None:
            return None
        return self.rate >= self.target


def coverage(organiser: Unit, year: int) -> Coverage:
    """How many of the organiser's units its plans of ``year`` (approved or closed) include and have inspected."""
    units = subordinate_units(organiser, on=datetime.date(year, 12, 31))
    total = units.count()
    inspections = Inspection.objects.filter(
        plan__organiser=organiser, plan__year=year, unit__in=units.values("pk")
    ).exclude(plan__status=PlanStatus.DRAFT)
    counted = inspections.aggregate(
        planned=Count("unit", distinct=True),
        inspected=Count("unit", distinct=True, filter=Q(done_on__isnull=False)),
    )
    return Coverage(
        planned=counted["planned"] or 0,
        inspected=counted["inspected"] or 0,
        total=total,
        target=target_for(COVERAGE_RATE, organiser, year),
    )


@dataclass(frozen=True)
class Remedied:
    remedied: int
    total: int

    @property
    def rate(self) -> Decimal | None:
        """Findings remedied / findings × 100 (``None`` without findings)."""
        return percent(self.remedied, self.total) if self.total else None


def _remedied(findings: QuerySet[Finding]) -> Remedied:
    return Remedied(remedied=findings.filter(remedied_condition()).count(), total=findings.count())


def year_findings(year: int) -> QuerySet[Finding]:
    """Findings of the inspections of plans of ``year`` (drafts have none: findings follow a done inspection)."""
    return Finding.objects.filter(inspection__plan__year=year)


def remedied_of_organiser(organiser: Unit, year: int) -> Remedied:
    return _remedied(year_findings(year).filter(inspection__plan__organiser=organiser))


def remedied_of_plan(plan: InspectionPlan) -> Remedied:
    return _remedied(Finding.objects.filter(inspection__plan=plan))


def remedied_by_unit(year: int, unit_ids: Iterable[int]) -> dict[int, Remedied]:
    """``{unit_id: Remedied}`` of the inspected units ``unit_ids`` over every plan of ``year`` (one query)."""
    rows = (
        year_findings(year)
        .filter(inspection__unit_id__in=list(unit_ids))
        .values("inspection__unit_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=remedied_condition()))
        .order_by()
    )
    return {row["inspection__unit_id"]: Remedied(remedied=row["done"], total=row["total"]) for row in rows}


def inspected_unit_ids(organiser: Unit, year: int) -> list[int]:
    return list(
        Inspection.objects.filter(plan__organiser=organiser, plan__year=year)
        .values_list("unit_id", flat=True)
        .distinct()
        .order_by()
    )


def plan_inspections_of(inspections: QuerySet[Inspection]) -> QuerySet[Inspection]:
    """``inspections`` with their unit and counts of findings and remedied findings (one query)."""
    return (
        inspections.select_related("unit", "plan__organiser")
        .annotate(
            finding_count=Count("findings", distinct=True),
            remedied_count=Count(
                "findings",
                distinct=True,
                filter=Q(findings__task__assignments__completed_on__isnull=False),
            ),
        )
        .order_by("planned_on", "unit__name", "pk")
    )


def plan_inspections(plan: InspectionPlan) -> QuerySet[Inspection]:
    return plan_inspections_of(plan.inspections.all())


def plan_is_incomplete(plan: InspectionPlan) -> dict[str, int]:
    """What closing the plan leaves unfinished: inspections not done, findings not yet remedied."""
    remedied = remedied_of_plan(plan)
    return {
        "not_done": plan.inspections.filter(done_on__isnull=True).count(),
        "not_remedied": remedied.total - remedied.remedied,
    }


def finding_rows(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    return (
        findings_with_state(findings)
        .select_related("inspection__unit", "inspection__plan__organiser", "task")
        .order_by("-inspection__plan__year", "inspection__unit__name", "pk")
    )
