"""Work of units closed since a directive was issued, given to their successors in force today.

Nothing moves without the user's confirmation ("X → Y, Z"); work a closed unit reported on stays its record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import diff, record
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period
from cchc.lib.types import Actor
from cchc.organisations.models import Unit
from cchc.organisations.selectors import successors_on

from ..models import Assignment, AssignmentQuerySet, Directive
from ._shared import published_periods, republish, task_state


def successors_taking_over(units: Sequence[Unit]) -> dict[int, list[Unit]]:
    """The successors in force today of each unit closed since (all of them must be closed and have some)."""
    if not units:
        return {}
    found = successors_on(list(units), timezone.localdate())
    still_open = [unit.name for unit in units if unit.pk not in found]
    if still_open:
        raise ServiceError(
            _("Đơn vị vẫn đang hoạt động, không giao cho đơn vị kế thừa: %(names)s.")
            % {"names": ", ".join(still_open)},
            field="units",
        )
    orphans = [unit.name for unit in units if not found[unit.pk]]
    if orphans:
        raise ServiceError(
            _("Đơn vị đã giải thể nhưng không có đơn vị kế thừa đang hoạt động: %(names)s.")
            % {"names": ", ".join(orphans)},
            field="units",
        )
    return found


def succession_note(units: Sequence[Unit], successors: dict[int, list[Unit]]) -> str:
    """``Xã Bằng Doãn → Xã Bằng Luân; Huyện Đoan Hùng → …``: who took over whose part of a task."""
    return "; ".join(
        f"{former_name(unit, successors.get(unit.pk, []))} → {', '.join(s.name for s in successors.get(unit.pk, []))}"
        for unit in units
    )


def former_name(unit: Unit, successors: Sequence[Unit]) -> str:
    """The closed unit's name, marked "cũ" (former) when a successor bears the same name."""
    return f"{unit.name} cũ" if any(successor.name == unit.name for successor in successors) else unit.name


@dataclass(frozen=True)
class SuccessorProposal:
    """A unit closed since a directive was issued, and the units in force today that took it over (maybe none)."""

    unit: Unit
    successors: list[Unit]


def successor_proposals(units: Iterable[Unit], *, except_ids: Iterable[int] = ()) -> list[SuccessorProposal]:
    """For the units of a task that have closed since (other than ``except_ids``), their successors today.

    What the task form asks the user to confirm before a task of an old directive is given to the units that carry
    on the work of a merged or split unit; nothing is reassigned without that confirmation.
    """
    skip = set(except_ids)
    candidates = [unit for unit in dict.fromkeys(units) if unit.pk not in skip]
    found = successors_on(candidates, timezone.localdate())
    return [SuccessorProposal(unit, found[unit.pk]) for unit in candidates if unit.pk in found]


def _handed_over(assignments: AssignmentQuerySet) -> AssignmentQuerySet:
    """Assignments a closed unit's successors take over: not done, not waiting for acceptance, never reported on,
    and due after the unit closed (work due while it existed stays its record)."""
    return assignments.filter(
        Q(due_date__isnull=True) | Q(due_date__gt=F("unit__valid_to")),
        completed_on__isnull=True,
        review_pending=False,
        reports__isnull=True,
    )


def hand_over_proposals(directive: Directive) -> list[tuple[SuccessorProposal, int]]:
    """Units closed since that still hold open work in ``directive``, their successors today and how much work."""
    open_rows = _handed_over(Assignment.objects.filter(directive=directive, task__cancelled_at__isnull=True))
    counts = dict(open_rows.values("unit_id").annotate(count=Count("pk")).values_list("unit_id", "count"))
    units = list(Unit.objects.filter(pk__in=list(counts)).exclude(valid_to__isnull=True).order_by("path"))
    return [(proposal, counts[proposal.unit.pk]) for proposal in successor_proposals(units)]


@transaction.atomic
def directive_hand_over(*, actor: Actor, directive: Directive, units: Sequence[Unit], reason: str = "") -> int:
    """Give the open work of units closed since to their successors in force today; returns the assignments moved.

    The user confirmed the hand-over ("X → Y, Z"). Only assignments nobody has reported on move: each is replaced by
    one per successor with the same task, period and due dates (a successor that already has it keeps its own);
    reported, waiting and done work stays with the closed unit as its record. Each task keeps a note of the hand-over
    and the audit trail has the change.
    """
    units = list(dict.fromkeys(units))
    found = successors_taking_over(units)
    moved = 0
    stale: set[tuple[int, Period]] = set()
    for task in directive.tasks.filter(cancelled_at__isnull=True).select_for_update().order_by("pk"):
        rows = list(_handed_over(task.assignments.filter(unit__in=units)).select_related("unit"))
        if not rows:
            continue
        taken: set[tuple[int, int | None]] = set(task.assignments.values_list("unit_id", "occurrence_id"))
        new_rows = []
        for row in rows:
            for successor in found[row.unit_id]:
                if (successor.pk, row.occurrence_id) in taken:
                    continue
                taken.add((successor.pk, row.occurrence_id))
                new_rows.append(
                    Assignment(
                        task=task,
                        directive=directive,
                        unit=successor,
                        occurrence_id=row.occurrence_id,
                        original_due_date=row.original_due_date,
                        due_date=row.due_date,
                    )
                )
        stale |= published_periods(Assignment.objects.filter(pk__in=[row.pk for row in rows]))
        before = task_state(task)
        Assignment.objects.filter(pk__in=[row.pk for row in rows]).delete()
        Assignment.objects.bulk_create(new_rows, batch_size=1000)
        from_units = [unit for unit in units if any(row.unit_id == unit.pk for row in rows)]
        note = succession_note(from_units, found)
        task.succession_note = "; ".join(filter(None, [task.succession_note, note]))[:1000]
        task.save(update_fields=["succession_note"])
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=task,
            changes={**diff(before, task_state(task)), "assignments": [len(rows), len(new_rows)]},
            reason=reason or note,
            unit=directive.issuing_unit,
        )
        stale |= published_periods(Assignment.objects.filter(pk__in=[row.pk for row in new_rows]))
        moved += len(rows)
    if not moved:
        raise ServiceError(_("Không còn nhiệm vụ nào của các đơn vị này để giao cho đơn vị kế thừa."), code="conflict")
    republish(actor, stale)
    return moved
