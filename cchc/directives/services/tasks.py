"""Tasks of a directive: creating one and fanning it out to units, editing, deleting and cancelling it.

An edit keeps everything units have already reported on; the due dates and occurrences follow :mod:`.schedule`, the
hand-over of closed units' work is in :mod:`.succession`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, diff, record, snapshot
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period
from cchc.lib.text import normalize
from cchc.lib.types import Actor, ActorOrSystem
from cchc.lib.validators import check_date, check_text
from cchc.organisations.models import Unit

from ..models import Assignment, DeadlineKind, Directive, ExpectedOutput, Recurrence, Task
from ._shared import published_periods, reported, republish, task_state
from .schedule import RECURRENCE_PERIOD, create_assignments, reschedule
from .succession import succession_note, successors_taking_over

SCHEDULE_FIELDS = ("deadline_kind", "deadline", "period_key", "recurrence", "report_every")


@dataclass
class TaskData:
    content: str
    deadline_kind: str
    units: Sequence[Unit] = ()
    section: str = ""
    lead_label: str = ""
    supporting_units: Sequence[Unit] = ()
    expected_output: str = ExpectedOutput.OTHER
    deadline: datetime.date | None = None
    period_key: str = ""
    recurrence: str = ""
    deadline_text: str = ""
    parent: Task | None = None
    criteria: Sequence[Any] = ()
    indicators: Sequence[Any] = ()
    papi_dimension: str = ""
    # Reporting period of a continuous task (monthly, quarterly, half_yearly, yearly); quarterly when empty.
    report_every: str = ""
    # Units to be created on confirmation (labels of :class:`NewUnit` entries), also tracked.
    new_unit_labels: Sequence[str] = field(default_factory=tuple)
    # Units closed since the directive was issued whose part of the task goes to their successors in force today
    # (the user confirmed "X → Y, Z"): each is replaced by those successors. Filled in by the check.
    inherits_from: Sequence[Unit] = ()
    succession_note: str = ""
    # On the review of an uploaded directive: the index of the proposed task this one was confirmed from (``None``
    # for a task added by hand), kept in the directive's :class:`ExtractionReview`.
    proposal_index: int | None = None


def clean_task(directive: Directive, data: TaskData, *, existing_unit_ids: Iterable[int] = ()) -> TaskData:
    data.content = (data.content or "").strip()
    data.section = normalize(data.section)[:30]
    data.lead_label = normalize(data.lead_label)[:300]
    data.deadline_text = normalize(data.deadline_text)[:300]
    check_text(data.content, field="content")
    check_date(data.deadline, field="deadline")
    if not data.content:
        raise ServiceError(_("Hãy ghi nội dung nhiệm vụ."), field="content")
    if data.expected_output not in ExpectedOutput.values:
        raise ServiceError(_("Sản phẩm của nhiệm vụ không hợp lệ."), field="expected_output")
    if data.deadline_kind not in DeadlineKind.values:
        raise ServiceError(_("Loại thời hạn không hợp lệ."), field="deadline_kind")
    if data.deadline_kind == DeadlineKind.DATE:
        if data.deadline is None:
            raise ServiceError(_("Hãy ghi thời hạn hoàn thành."), field="deadline")
        if directive.issued_on and data.deadline < directive.issued_on:
            raise ServiceError(_("Thời hạn không được trước ngày ban hành văn bản."), field="deadline")
        data.period_key, data.recurrence = "", ""
    elif data.deadline_kind == DeadlineKind.PERIOD:
        try:
            period = Period.from_key(data.period_key)
        except ValueError:
            raise ServiceError(
                _("Kỳ không hợp lệ (ví dụ 2025-Q3, 2025-H2, 2025-08, 2025)."), field="period_key"
            ) from None
        data.period_key = period.key
        data.deadline, data.recurrence = period.end, ""
    elif data.deadline_kind == DeadlineKind.RECURRING:
        if data.recurrence not in RECURRENCE_PERIOD:
            raise ServiceError(_("Hãy chọn chu kỳ lặp lại của nhiệm vụ định kỳ."), field="recurrence")
        data.deadline, data.period_key = None, ""
    else:
        data.deadline, data.period_key, data.recurrence = None, "", Recurrence.CONTINUOUS
        data.report_every = data.report_every or Recurrence.QUARTERLY
        if data.report_every not in RECURRENCE_PERIOD:
            raise ServiceError(_("Kỳ báo cáo của nhiệm vụ thường xuyên không hợp lệ."), field="report_every")
    if data.deadline_kind != DeadlineKind.CONTINUOUS:
        data.report_every = ""
    if data.parent is not None and data.parent.directive_id != directive.pk:
        raise ServiceError(_("Nhiệm vụ cha phải thuộc cùng văn bản."), field="parent")
    inherited = list(dict.fromkeys(data.inherits_from))
    successors = successors_taking_over(inherited)
    units = [unit for unit in dict.fromkeys(data.units) if unit not in inherited]
    if not units and not successors and not data.new_unit_labels:
        raise ServiceError(_("Hãy chọn ít nhất một đơn vị thực hiện."), field="units")
    day = directive.issued_on or timezone.localdate()
    kept = set(existing_unit_ids)
    closed = [unit.name for unit in units if unit.pk not in kept and not unit.is_active(day)]
    if closed:
        raise ServiceError(
            _("Đơn vị không còn hoạt động vào ngày ban hành văn bản: %(names)s.") % {"names": ", ".join(closed)},
            field="units",
        )
    data.units = list(dict.fromkeys([*units, *(unit for found in successors.values() for unit in found)]))
    data.succession_note = succession_note(inherited, successors)[:1000]
    return data


def create_task(*, actor: ActorOrSystem, directive: Directive, data: TaskData, position: int, reason: str) -> Task:
    task = Task.objects.create(
        directive=directive,
        parent=data.parent,
        position=position,
        section=data.section,
        content=data.content,
        lead_label=data.lead_label,
        lead_unit=data.units[0] if len(data.units) == 1 else None,
        expected_output=data.expected_output,
        deadline_kind=data.deadline_kind,
        deadline=data.deadline,
        period_key=data.period_key,
        recurrence=data.recurrence,
        report_every=data.report_every,
        deadline_text=data.deadline_text,
        papi_dimension=normalize(data.papi_dimension)[:200],
        succession_note=data.succession_note,
    )
    if data.supporting_units:
        task.supporting_units.set(data.supporting_units)
    if data.criteria:
        task.criteria.set(data.criteria)
    if data.indicators:
        task.indicators.set(data.indicators)
    count = create_assignments(directive, task, data.units)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=task,
        changes={
            "directive": [None, str(directive)],
            "content": [None, task.content[:300]],
            "deadline_kind": [None, task.deadline_kind],
            "deadline": [None, task.deadline],
            "period_key": [None, task.period_key],
            "recurrence": [None, task.recurrence],
            "units": [None, [unit.name for unit in data.units]],
            **({"succession_note": [None, data.succession_note]} if data.succession_note else {}),
            "assignments": [None, count],
        },
        reason=reason,
        unit=directive.issuing_unit,
    )
    return task


@transaction.atomic
def task_create(*, actor: Actor, directive: Directive, data: TaskData, reason: str = "") -> Task:
    """Create a task and fan it out: one assignment per unit (and per occurrence when it recurs)."""
    data = clean_task(directive, data)
    position = (directive.tasks.count() + 1) * 10
    return create_task(actor=actor, directive=directive, data=data, position=position, reason=reason)


def _locked_task(task: Task) -> Task:
    task = Task.objects.select_for_update().select_related("directive__issuing_unit").get(pk=task.pk)
    if task.cancelled_at is not None:
        raise ServiceError(_("Nhiệm vụ đã bị hủy; không thể thay đổi."), code="conflict")
    return task


@transaction.atomic
def task_update(*, actor: Actor, task: Task, data: TaskData, reason: str = "") -> Task:
    """Edit a task: its content, units, deadline and links, keeping everything units have already reported.

    A unit added gets its assignment (and occurrences); a unit removed loses its assignments unless it
    has reported on them, which is refused. A new deadline re-derives the due dates of the assignments
    nobody has reported on; occurrences with reports stay as they are.
    """
    task = _locked_task(task)
    directive = task.directive
    current = task.assignments.all()
    old_unit_ids = set(current.values_list("unit_id", flat=True))
    data = clean_task(directive, data, existing_unit_ids=old_unit_ids)
    if data.parent is not None and (data.parent.pk == task.pk or _descends_from(data.parent, task)):
        raise ServiceError(_("Nhiệm vụ cha không hợp lệ."), field="parent")
    new_unit_ids = {unit.pk for unit in data.units}
    removed = old_unit_ids - new_unit_ids
    blocked = sorted(
        Unit.objects.filter(pk__in=reported(current.filter(unit_id__in=removed)).values("unit_id")).values_list(
            "name", flat=True
        )
    )
    if blocked:
        raise ServiceError(
            _("Không thể bỏ đơn vị đã báo cáo tiến độ nhiệm vụ: %(names)s.") % {"names": ", ".join(blocked)},
            code="conflict",
            field="units",
        )
    before = task_state(task)
    stale = published_periods(current)
    current.filter(unit_id__in=removed).delete()
    task.section, task.content, task.lead_label = data.section, data.content, data.lead_label
    task.lead_unit = data.units[0] if len(data.units) == 1 else None
    task.expected_output, task.parent = data.expected_output, data.parent
    task.papi_dimension = normalize(data.papi_dimension)[:200]
    task.deadline_text = data.deadline_text
    if data.succession_note:
        task.succession_note = "; ".join(filter(None, [task.succession_note, data.succession_note]))[:1000]
    schedule_before = snapshot(task, SCHEDULE_FIELDS)
    task.deadline_kind, task.deadline, task.period_key = data.deadline_kind, data.deadline, data.period_key
    task.recurrence, task.report_every = data.recurrence, data.report_every
    task.save()
    if snapshot(task, SCHEDULE_FIELDS) != schedule_before:
        reschedule(task)
    create_assignments(directive, task, data.units)
    task.supporting_units.set(data.supporting_units)
    task.criteria.set(data.criteria)
    task.indicators.set(data.indicators)
    changes = diff(before, task_state(task))
    if changes:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=task,
            changes=changes,
            reason=reason,
            unit=directive.issuing_unit,
        )
    republish(actor, stale | published_periods(task.assignments.all()))
    return task


def _descends_from(candidate: Task, ancestor: Task) -> bool:
    seen: set[int] = set()
    node: Task | None = candidate
    while node is not None and node.pk not in seen:
        if node.pk == ancestor.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def _task_tree(task: Task) -> list[int]:
    ids, frontier = [task.pk], [task.pk]
    while frontier:
        frontier = list(Task.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


@transaction.atomic
def task_delete(*, actor: Actor, task: Task, reason: str = "") -> None:
    """Delete a task (and its sub-tasks) that no unit has reported on; otherwise it can only be cancelled."""
    task = Task.objects.select_for_update().select_related("directive__issuing_unit").get(pk=task.pk)
    assignments = Assignment.objects.filter(task_id__in=_task_tree(task))
    if reported(assignments).exists():
        raise ServiceError(
            _("Đã có đơn vị báo cáo tiến độ nhiệm vụ này nên không thể xóa; hãy hủy nhiệm vụ (ghi rõ lý do)."),
            code="conflict",
        )
    stale = published_periods(assignments)
    before = {**task_state(task), "assignments": assignments.count()}
    directive = task.directive
    record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=task,
        changes={key: [value, None] for key, value in before.items()},
        reason=reason,
        unit=directive.issuing_unit,
    )
    task.delete()
    republish(actor, stale)


@transaction.atomic
def task_cancel(*, actor: Actor, task: Task, reason: str) -> Task:
    """Close a task that will not be carried out: kept with its reports, out of statistics and reminders."""
    reason = check_text((reason or "").strip(), field="reason")
    if not reason:
        raise ServiceError(_("Hãy ghi lý do hủy nhiệm vụ."), field="reason")
    task = _locked_task(task)
    task.cancelled_at = timezone.now()
    task.cancelled_by = actor_user(actor)
    task.cancel_reason = reason
    task.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    Assignment.objects.filter(task=task, review_pending=True).update(review_pending=False)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=task,
        changes={"cancelled_at": [None, task.cancelled_at]},
        reason=reason,
        unit=task.directive.issuing_unit,
    )
    republish(actor, published_periods(task.assignments.all()))
    return task
