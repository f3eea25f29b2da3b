"""When a task's work falls due: recurring and continuous periods, occurrences, the assignments they fan out to.

A dated task gives each unit one assignment due on its deadline; a recurring task, and a continuous task (one report
per reporting period), gives each unit one assignment per occurrence, from the issue date to the end of tracking.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit

from ..models import Assignment, DeadlineKind, Directive, Occurrence, Recurrence, Task
from ._shared import reported

RECURRENCE_PERIOD = {
    Recurrence.MONTHLY: PeriodKind.MONTH,
    Recurrence.QUARTERLY: PeriodKind.QUARTER,
    Recurrence.HALF_YEARLY: PeriodKind.HALF,
    Recurrence.YEARLY: PeriodKind.YEAR,
}
# Occurrences a recurring task may generate at most (ten years of monthly reports).
MAX_OCCURRENCES = 120


def occurrence_periods(recurrence: str, start: datetime.date, end: datetime.date) -> list[Period]:
    """The periods of a recurring task from the one containing ``start`` to the one containing ``end``."""
    kind = RECURRENCE_PERIOD.get(Recurrence(recurrence)) if recurrence in Recurrence.values else None
    if kind is None:
        return []
    periods = []
    period = Period.containing(start, kind)
    while period.start <= end:
        periods.append(period)
        if len(periods) > MAX_OCCURRENCES:
            raise ServiceError(
                _("Nhiệm vụ định kỳ sinh quá nhiều kỳ báo cáo; hãy rút ngắn thời gian theo dõi."),
                field="recurrence",
            )
        period = period.next()
    return periods


def has_occurrences(task: Task) -> bool:
    """Recurring tasks, and continuous tasks (one report per reporting period), are tracked per occurrence."""
    return task.deadline_kind in (DeadlineKind.RECURRING, DeadlineKind.CONTINUOUS)


def _schedule(task: Task) -> str:
    """The recurrence whose periods a task's occurrences follow."""
    if task.deadline_kind == DeadlineKind.CONTINUOUS:
        return task.report_every or Recurrence.QUARTERLY
    return task.recurrence


def _ensure_occurrences(directive: Directive, task: Task) -> list[Occurrence]:
    """The task's occurrences from the issue date to the end of tracking, creating the missing ones."""
    start = directive.issued_on or timezone.localdate()
    present = set(task.occurrences.values_list("period_key", flat=True))
    Occurrence.objects.bulk_create(
        [
            Occurrence(task=task, period_key=period.key, due_date=period.end)
            for period in occurrence_periods(_schedule(task), start, directive.tracking_end)
            if period.key not in present
        ]
    )
    return list(task.occurrences.order_by("due_date"))


def create_assignments(directive: Directive, task: Task, units: Sequence[Unit]) -> int:
    """One assignment per unit, or per unit and occurrence for a recurring or continuous task.

    Combinations that already exist (a unit kept through an edit) are skipped.
    """
    rows: list[Assignment] = []
    taken = set(task.assignments.values_list("unit_id", "occurrence_id")) if task.pk else set()
    if has_occurrences(task):
        for occurrence in _ensure_occurrences(directive, task):
            rows += [
                Assignment(
                    task=task,
                    directive=directive,
                    unit=unit,
                    occurrence=occurrence,
                    original_due_date=occurrence.due_date,
                    due_date=occurrence.due_date,
                )
                for unit in units
                if (unit.pk, occurrence.pk) not in taken
            ]
    else:
        rows = [
            Assignment(
                task=task, directive=directive, unit=unit, original_due_date=task.deadline, due_date=task.deadline
            )
            for unit in units
            if (unit.pk, None) not in taken
        ]
    Assignment.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def reschedule(task: Task) -> None:
    """After a deadline change: drop what nobody reported on, re-date what stays in the same shape.

    Plain assignments without reports take the new due date (and lose any approved extension); under a
    periodic schedule the unreported occurrences go and :func:`create_assignments` makes the new ones.
    """
    assignments = task.assignments.all()
    reported_ids = set(reported(assignments).values_list("pk", flat=True))
    open_rows = assignments.exclude(pk__in=reported_ids)
    if has_occurrences(task):
        open_rows.delete()
    else:
        open_rows.filter(occurrence__isnull=False).delete()
        open_rows.filter(occurrence__isnull=True).update(original_due_date=task.deadline, due_date=task.deadline)
    task.occurrences.filter(assignments__isnull=True).delete()
