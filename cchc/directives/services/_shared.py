"""Helpers the service modules of this package share (not part of its public interface)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from cchc.audit.services import snapshot
from cchc.lib.periods import Period
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit

from ..models import AssignmentQuerySet, Task
from .stats import periods_containing, stats_publish

if TYPE_CHECKING:
    pass


TASK_FIELDS = (
    "section",
    "content",
    "lead_label",
    "lead_unit",
    "expected_output",
    "deadline_kind",
    "deadline",
    "period_key",
    "recurrence",
    "report_every",
    "deadline_text",
    "parent",
    "papi_dimension",
    "succession_note",
)


def task_state(task: Task) -> dict[str, Any]:
    """What an edit of a task may change, for the audit trail (old → new)."""
    return {
        **snapshot(task, TASK_FIELDS),
        "units": sorted(Unit.objects.filter(assignments__task=task).distinct().values_list("name", flat=True)),
        "supporting_units": sorted(task.supporting_units.values_list("name", flat=True)),
        "criteria": sorted(str(criterion) for criterion in task.criteria.all()),
        "indicators": sorted(indicator.code for indicator in task.indicators.all()),
    }


def reported(assignments: AssignmentQuerySet) -> AssignmentQuerySet:
    """Assignments a unit has reported on (or that were accepted as done): never removed by an edit."""
    return assignments.filter(Q(reports__isnull=False) | Q(completed_on__isnull=False)).distinct()


def published_periods(assignments: AssignmentQuerySet) -> set[tuple[int, Period]]:
    """``(unit, period)`` pairs whose published on-time rates may count these assignments."""
    today = timezone.localdate()
    pairs: set[tuple[int, Period]] = set()
    for unit_id, due in assignments.filter(due_date__isnull=False).values_list("unit_id", "due_date"):
        if due is not None and due < today:
            pairs.update((unit_id, period) for period in periods_containing(due))
    return pairs


def republish(actor: ActorOrSystem, pairs: set[tuple[int, Period]]) -> None:
    by_period: dict[Period, list[int]] = {}
    for unit_id, period in pairs:
        by_period.setdefault(period, []).append(unit_id)
    for period, unit_ids in by_period.items():
        stats_publish(actor=actor, period=period, unit_ids=unit_ids)
