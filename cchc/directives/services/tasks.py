"""Writes for directives and tasks: each function is one operation, atomic and audited.

Views, the API, management commands and the demo all call these; nothing else
saves a directive, task, assignment, report or extension request.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import diff, record, snapshot
from cchc.indicators.models import Indicator, IndicatorSource, Measure
from cchc.indicators.services import indicator_ensure, value_publish
from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.text import normalize
from cchc.lib.validators import DOCUMENT_MAX_LENGTH, NUL, TITLE_MAX_LENGTH, check_date, check_text
from cchc.organisations.models import Unit
from cchc.organisations.selectors import successors_on
from cchc.organisations.services import UnitData, unit_create

from ..models import (
    Assignment,
    DeadlineKind,
    Directive,
    DirectiveDraft,
    DirectiveKind,
    ExpectedOutput,
    ExtensionRequest,
    ExtensionState,
    Occurrence,
    ProgressReport,
    Recurrence,
    ReportAttachment,
    ReviewState,
    Task,
)

ON_TIME_RATE = "tasks.on_time_rate"
REPORT_FILE_KINDS = (files.DOCX, files.PDF, files.XLSX, files.IMAGE)
DIRECTIVE_FILE_KINDS = (files.DOCX, files.PDF, files.IMAGE)
RECURRENCE_PERIOD = {
    Recurrence.MONTHLY: PeriodKind.MONTH,
    Recurrence.QUARTERLY: PeriodKind.QUARTER,
    Recurrence.HALF_YEARLY: PeriodKind.HALF,
    Recurrence.YEARLY: PeriodKind.YEAR,
}
DIRECTIVE_FIELDS = (
    "kind",
    "reference",
    "issued_on",
    "issuing_unit",
    "signer",
    "subject",
    "addressees",
    "horizon_end",
    "note",
)
# Occurrences a recurring task may generate at most (ten years of monthly reports).
MAX_OCCURRENCES = 120


@dataclass
class DirectiveData:
    kind: str
    subject: str
    issuing_unit: Unit
    reference: str = ""
    issued_on: datetime.date | None = None
    signer: str = ""
    addressees: str = ""
    horizon_end: datetime.date | None = None
    note: str = ""
    text: str = ""
    # What the directive is generated from (a remediation plan's round and gaps); at most one directive per key.
    origin_key: str = ""


class DirectiveExistsError(ServiceError):
    """The directive generated from the same source already exists: ``directive`` is that one."""

    def __init__(self, directive: Directive) -> None:
        super().__init__(
            _("Văn bản này đã được tạo trước đó: %(directive)s.") % {"directive": directive},
            code="conflict",
        )
        self.directive = directive


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


@dataclass(frozen=True)
class NewUnit:
    """A unit named in a directive but missing from the registry, created when the directive is confirmed."""

    label: str
    data: UnitData
    parent: Unit


@dataclass(frozen=True)
class StoredFile:
    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


# ---------------------------------------------------------------------------
# Files


def check_directive_file(upload: IO[bytes], *, name: str | None = None) -> StoredFile:
    """A directive's original file: Word, PDF, a scan, or plain text (UTF-8)."""
    filename = name if name is not None else str(getattr(upload, "name", "") or "")
    if PurePath(filename).suffix.lower() == ".txt":
        data = files.read_upload(upload)
        if not data.strip():
            raise ServiceError(_("Tệp tải lên rỗng."), code="empty", field="file")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ServiceError(_("Tệp văn bản phải được lưu với bảng mã UTF-8."), field="file") from exc
        return StoredFile(name=PurePath(filename).name, content=data)
    try:
        _kind, data = files.check_upload(upload, name=filename, kinds=DIRECTIVE_FILE_KINDS)
    except ServiceError as exc:
        if exc.code == "bad_extension":
            raise ServiceError(
                _("Chỉ chấp nhận văn bản Word (.docx), PDF (.pdf), ảnh chụp (.png, .jpg) hoặc văn bản thuần (.txt)."),
                code="bad_extension",
                field="file",
            ) from exc
        raise
    return StoredFile(name=PurePath(filename).name, content=data)


def check_report_files(uploads: Iterable[IO[bytes]]) -> list[StoredFile]:
    """Attachments of a progress report, all checked before anything is saved."""
    checked = []
    for upload in uploads:
        name = str(getattr(upload, "name", "") or "")
        _kind, data = files.check_upload(upload, name=name, kinds=REPORT_FILE_KINDS)
        checked.append(StoredFile(name=PurePath(name).name, content=data))
    return checked


# ---------------------------------------------------------------------------
# Directives


def _clean_directive(data: DirectiveData) -> DirectiveData:
    data.subject = normalize(data.subject)
    data.reference = normalize(data.reference)
    data.signer = normalize(data.signer)
    data.addressees = (data.addressees or "").strip()
    data.note = (data.note or "").strip()
    data.text = (data.text or "").replace(NUL, "")[:DOCUMENT_MAX_LENGTH]  # extracted from the file: kept as it fits
    check_text(data.subject, field="subject", max_length=TITLE_MAX_LENGTH)
    check_text(data.addressees, field="addressees")
    check_text(data.note, field="note")
    check_date(data.issued_on, field="issued_on")
    check_date(data.horizon_end, field="horizon_end")
    if not data.subject:
        raise ServiceError(_("Hãy ghi trích yếu của văn bản."), field="subject")
    if data.kind not in DirectiveKind.values:
        raise ServiceError(_("Loại văn bản không hợp lệ."), field="kind")
    if data.issued_on and data.horizon_end and data.horizon_end < data.issued_on:
        raise ServiceError(_("Ngày kết thúc theo dõi không được trước ngày ban hành."), field="horizon_end")
    if data.issued_on and data.issued_on > timezone.localdate() + datetime.timedelta(days=366):
        raise ServiceError(_("Ngày ban hành không hợp lệ."), field="issued_on")
    day = data.issued_on or timezone.localdate()
    if not data.issuing_unit.is_active(day):
        raise ServiceError(
            _(
                "%(unit)s không hoạt động vào ngày %(day)s; hãy chọn cơ quan ban hành hoạt động vào ngày ban hành "
                "văn bản."
            )
            % {"unit": data.issuing_unit.name, "day": f"{day:%d/%m/%Y}"},
            field="issuing_unit",
        )
    return data


@transaction.atomic
def directive_create(*, actor: Any, data: DirectiveData, file: StoredFile | None = None, reason: str = "") -> Directive:
    """Register a directive; one generated from a source already used raises :class:`DirectiveExistsError`."""
    data = _clean_directive(data)
    data.origin_key = (data.origin_key or "")[:100]
    if data.origin_key and (existing := Directive.objects.filter(origin_key=data.origin_key).first()):
        raise DirectiveExistsError(existing)
    directive = Directive(
        kind=data.kind,
        reference=data.reference,
        issued_on=data.issued_on,
        issuing_unit=data.issuing_unit,
        signer=data.signer,
        subject=data.subject,
        addressees=data.addressees,
        horizon_end=data.horizon_end,
        note=data.note,
        text=data.text,
        origin_key=data.origin_key,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if file is not None:
        directive.file.save(file.name, ContentFile(file.content), save=False)
        directive.file_name = file.name
        directive.file_size = len(file.content)
        directive.sha256 = file.sha256
    try:
        with transaction.atomic():
            directive.save()
    except IntegrityError:
        # Another request created the same directive between the check above and this insert.
        existing = Directive.objects.filter(origin_key=data.origin_key).first() if data.origin_key else None
        if existing is None:
            raise
        raise DirectiveExistsError(existing) from None
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=directive,
        changes={key: [None, value] for key, value in snapshot(directive, DIRECTIVE_FIELDS).items()},
        reason=reason,
        unit=directive.issuing_unit,
    )
    return directive


@transaction.atomic
def directive_update(*, actor: Any, directive: Directive, data: DirectiveData, reason: str = "") -> Directive:
    data = _clean_directive(data)
    before = snapshot(directive, DIRECTIVE_FIELDS)
    for name in DIRECTIVE_FIELDS:
        setattr(directive, name, getattr(data, name))
    directive.save()
    changes = diff(before, snapshot(directive, DIRECTIVE_FIELDS))
    if changes:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=directive,
            changes=changes,
            reason=reason,
            unit=directive.issuing_unit,
        )
    return directive


# ---------------------------------------------------------------------------
# Tasks, fan-out and recurrence


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


def _clean_task(directive: Directive, data: TaskData, *, existing_unit_ids: Iterable[int] = ()) -> TaskData:
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
    successors = _successors_taking_over(inherited)
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


def _successors_taking_over(units: Sequence[Unit]) -> dict[int, list[Unit]]:
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


def _create_assignments(directive: Directive, task: Task, units: Sequence[Unit]) -> int:
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


def _create_task(*, actor: Any, directive: Directive, data: TaskData, position: int, reason: str) -> Task:
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
    count = _create_assignments(directive, task, data.units)
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
def task_create(*, actor: Any, directive: Directive, data: TaskData, reason: str = "") -> Task:
    """Create a task and fan it out: one assignment per unit (and per occurrence when it recurs)."""
    data = _clean_task(directive, data)
    position = (directive.tasks.count() + 1) * 10
    return _create_task(actor=actor, directive=directive, data=data, position=position, reason=reason)


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
SCHEDULE_FIELDS = ("deadline_kind", "deadline", "period_key", "recurrence", "report_every")


def _task_state(task: Task) -> dict[str, Any]:
    """What an edit of a task may change, for the audit trail (old → new)."""
    return {
        **snapshot(task, TASK_FIELDS),
        "units": sorted(Unit.objects.filter(assignments__task=task).distinct().values_list("name", flat=True)),
        "supporting_units": sorted(task.supporting_units.values_list("name", flat=True)),
        "criteria": sorted(str(criterion) for criterion in task.criteria.all()),
        "indicators": sorted(indicator.code for indicator in task.indicators.all()),
    }


def _reported(assignments: Any) -> Any:
    """Assignments a unit has reported on (or that were accepted as done): never removed by an edit."""
    return assignments.filter(Q(reports__isnull=False) | Q(completed_on__isnull=False)).distinct()


def _published_periods(assignments: Any) -> set[tuple[int, Period]]:
    """``(unit, period)`` pairs whose published on-time rates may count these assignments."""
    today = timezone.localdate()
    pairs: set[tuple[int, Period]] = set()
    for unit_id, due in assignments.filter(due_date__isnull=False).values_list("unit_id", "due_date"):
        if due < today:
            pairs.update((unit_id, period) for period in periods_containing(due))
    return pairs


def _republish(actor: Any, pairs: set[tuple[int, Period]]) -> None:
    by_period: dict[Period, list[int]] = {}
    for unit_id, period in pairs:
        by_period.setdefault(period, []).append(unit_id)
    for period, unit_ids in by_period.items():
        stats_publish(actor=actor, period=period, unit_ids=unit_ids)


def _locked_task(task: Task) -> Task:
    task = Task.objects.select_for_update().select_related("directive__issuing_unit").get(pk=task.pk)
    if task.cancelled_at is not None:
        raise ServiceError(_("Nhiệm vụ đã bị hủy; không thể thay đổi."), code="conflict")
    return task


@transaction.atomic
def task_update(*, actor: Any, task: Task, data: TaskData, reason: str = "") -> Task:
    """Edit a task: its content, units, deadline and links, keeping everything units have already reported.

    A unit added gets its assignment (and occurrences); a unit removed loses its assignments unless it
    has reported on them, which is refused. A new deadline re-derives the due dates of the assignments
    nobody has reported on; occurrences with reports stay as they are.
    """
    task = _locked_task(task)
    directive = task.directive
    current = task.assignments.all()
    old_unit_ids = set(current.values_list("unit_id", flat=True))
    data = _clean_task(directive, data, existing_unit_ids=old_unit_ids)
    if data.parent is not None and (data.parent.pk == task.pk or _descends_from(data.parent, task)):
        raise ServiceError(_("Nhiệm vụ cha không hợp lệ."), field="parent")
    new_unit_ids = {unit.pk for unit in data.units}
    removed = old_unit_ids - new_unit_ids
    blocked = sorted(
        Unit.objects.filter(pk__in=_reported(current.filter(unit_id__in=removed)).values("unit_id")).values_list(
            "name", flat=True
        )
    )
    if blocked:
        raise ServiceError(
            _("Không thể bỏ đơn vị đã báo cáo tiến độ nhiệm vụ: %(names)s.") % {"names": ", ".join(blocked)},
            code="conflict",
            field="units",
        )
    before = _task_state(task)
    stale = _published_periods(current)
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
        _reschedule(task)
    _create_assignments(directive, task, data.units)
    task.supporting_units.set(data.supporting_units)
    task.criteria.set(data.criteria)
    task.indicators.set(data.indicators)
    changes = diff(before, _task_state(task))
    if changes:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=task,
            changes=changes,
            reason=reason,
            unit=directive.issuing_unit,
        )
    _republish(actor, stale | _published_periods(task.assignments.all()))
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


def _reschedule(task: Task) -> None:
    """After a deadline change: drop what nobody reported on, re-date what stays in the same shape.

    Plain assignments without reports take the new due date (and lose any approved extension); under a
    periodic schedule the unreported occurrences go and :func:`_create_assignments` makes the new ones.
    """
    assignments = task.assignments.all()
    reported_ids = set(_reported(assignments).values_list("pk", flat=True))
    open_rows = assignments.exclude(pk__in=reported_ids)
    if has_occurrences(task):
        open_rows.delete()
    else:
        open_rows.filter(occurrence__isnull=False).delete()
        open_rows.filter(occurrence__isnull=True).update(original_due_date=task.deadline, due_date=task.deadline)
    task.occurrences.filter(assignments__isnull=True).delete()


def _task_tree(task: Task) -> list[int]:
    ids, frontier = [task.pk], [task.pk]
    while frontier:
        frontier = list(Task.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


@transaction.atomic
def task_delete(*, actor: Any, task: Task, reason: str = "") -> None:
    """Delete a task (and its sub-tasks) that no unit has reported on; otherwise it can only be cancelled."""
    task = Task.objects.select_for_update().select_related("directive__issuing_unit").get(pk=task.pk)
    assignments = Assignment.objects.filter(task_id__in=_task_tree(task))
    if _reported(assignments).exists():
        raise ServiceError(
            _("Đã có đơn vị báo cáo tiến độ nhiệm vụ này nên không thể xóa; hãy hủy nhiệm vụ (ghi rõ lý do)."),
            code="conflict",
        )
    stale = _published_periods(assignments)
    before = {**_task_state(task), "assignments": assignments.count()}
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
    _republish(actor, stale)


@transaction.atomic
def task_cancel(*, actor: Any, task: Task, reason: str) -> Task:
    """Close a task that will not be carried out: kept with its reports, out of statistics and reminders."""
    reason = check_text((reason or "").strip(), field="reason")
    if not reason:
        raise ServiceError(_("Hãy ghi lý do hủy nhiệm vụ."), field="reason")
    task = _locked_task(task)
    task.cancelled_at = timezone.now()
    task.cancelled_by = actor if getattr(actor, "is_authenticated", False) else None
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
    _republish(actor, _published_periods(task.assignments.all()))
    return task


def _handed_over(assignments: Any) -> Any:
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
def directive_hand_over(*, actor: Any, directive: Directive, units: Sequence[Unit], reason: str = "") -> int:
    """Give the open work of units closed since to their successors in force today; returns the assignments moved.

    The user confirmed the hand-over ("X → Y, Z"). Only assignments nobody has reported on move: each is replaced by
    one per successor with the same task, period and due dates (a successor that already has it keeps its own);
    reported, waiting and done work stays with the closed unit as its record. Each task keeps a note of the hand-over
    and the audit trail has the change.
    """
    units = list(dict.fromkeys(units))
    found = _successors_taking_over(units)
    moved = 0
    stale: set[tuple[int, Period]] = set()
    for task in directive.tasks.filter(cancelled_at__isnull=True).select_for_update().order_by("pk"):
        rows = list(_handed_over(task.assignments.filter(unit__in=units)).select_related("unit"))
        if not rows:
            continue
        taken = set(task.assignments.values_list("unit_id", "occurrence_id"))
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
        stale |= _published_periods(Assignment.objects.filter(pk__in=[row.pk for row in rows]))
        before = _task_state(task)
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
            changes={**diff(before, _task_state(task)), "assignments": [len(rows), len(new_rows)]},
            reason=reason or note,
            unit=directive.issuing_unit,
        )
        stale |= _published_periods(Assignment.objects.filter(pk__in=[row.pk for row in new_rows]))
        moved += len(rows)
    if not moved:
        raise ServiceError(_("Không còn nhiệm vụ nào của các đơn vị này để giao cho đơn vị kế thừa."), code="conflict")
    _republish(actor, stale)
    return moved


@transaction.atomic
def directive_create_with_tasks(
    *,
    actor: Any,
    data: DirectiveData,
    tasks: Sequence[TaskData],
    new_units: Sequence[NewUnit] = (),
    file: StoredFile | None = None,
    draft: DirectiveDraft | None = None,
    reason: str = "",
) -> Directive:
    """The confirmation of a reviewed directive: the directive, any new units, and every task — or nothing.

    Each task is checked before anything is written, so a bad row raises with
    its number and the database is left as it was.
    """
    if not tasks:
        raise ServiceError(_("Văn bản chưa có nhiệm vụ nào; hãy thêm ít nhất một nhiệm vụ."), field="tasks")
    directive = directive_create(actor=actor, data=data, file=file, reason=reason)
    created: dict[str, Unit] = {}
    for new in new_units:
        created[new.label] = unit_create(actor=actor, data=new.data, parent=new.parent, reason=reason)
    for number, task in enumerate(tasks, start=1):
        task.units = [*task.units, *(created[label] for label in task.new_unit_labels if label in created)]
        missing = [label for label in task.new_unit_labels if label not in created]
        if missing:
            raise ServiceError(
                _("Nhiệm vụ %(number)s: chưa xác định đơn vị “%(name)s”.") % {"number": number, "name": missing[0]},
                field="tasks",
            )
        try:
            cleaned = _clean_task(directive, task)
        except ServiceError as exc:
            raise ServiceError(
                _("Nhiệm vụ %(number)s: %(message)s") % {"number": number, "message": exc.message},
                field="tasks",
            ) from exc
        _create_task(actor=actor, directive=directive, data=cleaned, position=number * 10, reason=reason)
    if draft is not None:
        draft.file.delete(save=False)
        draft.delete()
    return directive


# ---------------------------------------------------------------------------
# Progress reports and acceptance


def _check_open(assignment: Assignment) -> None:
    if assignment.completed_on is not None:
        raise ServiceError(_("Nhiệm vụ này đã được xác nhận hoàn thành."), code="conflict")


@transaction.atomic
def report_submit(
    *,
    actor: Any,
    assignment: Assignment,
    percent: int,
    text: str,
    attachments: Sequence[StoredFile] = (),
    submitted_on: datetime.date | None = None,
) -> ProgressReport:
    """A unit's progress report; at 100 % it asks the secretariat to accept completion.

    ``submitted_on`` records a report received earlier (on paper, by official letter); it may not be in
    the future nor before the directive was issued.
    """
    assignment = (
        Assignment.objects.select_for_update().select_related("unit", "directive", "task").get(pk=assignment.pk)
    )
    _check_open(assignment)
    if assignment.task.cancelled_at is not None:
        raise ServiceError(_("Nhiệm vụ đã bị hủy; không cần báo cáo."), code="conflict")
    text = check_text((text or "").strip(), field="text")
    if not 0 <= percent <= 100:
        raise ServiceError(_("Tiến độ phải từ 0 đến 100%."), field="percent")
    if not text:
        raise ServiceError(_("Hãy ghi nội dung báo cáo."), field="text")
    if assignment.review_pending:
        raise ServiceError(
            _("Báo cáo hoàn thành trước đó đang chờ xác nhận; hãy chờ cơ quan thường trực xem xét."),
            code="conflict",
        )
    today = timezone.localdate()
    if submitted_on is not None:
        issued = assignment.directive.issued_on
        if submitted_on > today or (issued is not None and submitted_on < issued):
            raise ServiceError(_("Ngày báo cáo phải từ ngày ban hành văn bản đến hôm nay."), field="submitted_on")
        today = submitted_on
    report = ProgressReport.objects.create(
        assignment=assignment,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        submitted_on=today,
        percent=percent,
        text=text,
        review_state=ReviewState.PENDING if percent == 100 else ReviewState.NONE,
    )
    for stored in attachments:
        attachment = ReportAttachment(
            report=report, file_name=stored.name, file_size=len(stored.content), sha256=stored.sha256
        )
        attachment.file.save(stored.name, ContentFile(stored.content), save=False)
        attachment.save()
    before = {
        "percent": assignment.percent,
        "review_pending": assignment.review_pending,
        "completed_on": assignment.completed_on,
    }
    assignment.percent = percent
    assignment.last_report_on = today
    # A 100 % report — a continuous task's period report too — only asks for completion: the assignment stays
    # open, "waiting for acceptance", until the secretariat accepts it (then done as of this report's day).
    assignment.review_pending = percent == 100
    assignment.save(update_fields=["percent", "last_report_on", "review_pending"])
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=report,
        changes={
            **diff(
                before,
                {
                    "percent": assignment.percent,
                    "review_pending": assignment.review_pending,
                    "completed_on": assignment.completed_on,
                },
            ),
            "attachments": [None, [stored.name for stored in attachments]],
        },
        unit=assignment.unit,
    )
    return report


def _pending_report(report: ProgressReport) -> ProgressReport:
    report = ProgressReport.objects.select_for_update().select_related("assignment__unit").get(pk=report.pk)
    if report.review_state != ReviewState.PENDING:
        raise ServiceError(_("Báo cáo này không ở trạng thái chờ xác nhận."), code="conflict")
    return report


@transaction.atomic
def report_accept(*, actor: Any, report: ProgressReport, comment: str = "", publish: bool = True) -> Assignment:
    """Accept completion: the assignment is done as of the day the unit reported completion.

    The unit's on-time rates are republished; ``publish=False`` leaves that to one
    :func:`stats_publish` at the end of a bulk load.
    """
    report = _pending_report(report)
    assignment = Assignment.objects.select_for_update().get(pk=report.assignment_id)
    _check_open(assignment)
    now = timezone.now()
    report.review_state = ReviewState.ACCEPTED
    report.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    report.reviewed_at = now
    report.review_comment = check_text((comment or "").strip(), field="comment")
    report.save(update_fields=["review_state", "reviewed_by", "reviewed_at", "review_comment"])
    assignment.completed_on = report.submitted_on
    assignment.accepted_at = now
    assignment.accepted_by = report.reviewed_by
    assignment.review_pending = False
    assignment.percent = 100
    assignment.save(update_fields=["completed_on", "accepted_at", "accepted_by", "review_pending", "percent"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=assignment,
        changes={
            "completed_on": [None, assignment.completed_on],
            "status": [None, str(assignment.status_on().label)],
        },
        reason=report.review_comment,
        unit=report.assignment.unit,
    )
    if publish:
        stats_refresh_for(actor=actor, assignment=assignment)
    return assignment


@transaction.atomic
def report_return(*, actor: Any, report: ProgressReport, comment: str) -> ProgressReport:
    """Return a completion report with the secretariat's comment; the unit reports again."""
    comment = check_text((comment or "").strip(), field="comment")
    if not comment:
        raise ServiceError(_("Hãy ghi ý kiến khi trả lại báo cáo."), field="comment")
    report = _pending_report(report)
    assignment = Assignment.objects.select_for_update().get(pk=report.assignment_id)
    report.review_state = ReviewState.RETURNED
    report.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    report.reviewed_at = timezone.now()
    report.review_comment = comment
    report.save(update_fields=["review_state", "reviewed_by", "reviewed_at", "review_comment"])
    assignment.review_pending = False
    assignment.save(update_fields=["review_pending"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=report,
        changes={"review_state": [ReviewState.PENDING.value, ReviewState.RETURNED.value]},
        reason=comment,
        unit=report.assignment.unit,
    )
    return report


# ---------------------------------------------------------------------------
# Extensions


@transaction.atomic
def extension_request(
    *, actor: Any, assignment: Assignment, new_due_date: datetime.date, reason: str
) -> ExtensionRequest:
    assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
    _check_open(assignment)
    reason = check_text((reason or "").strip(), field="reason")
    if not reason:
        raise ServiceError(_("Hãy ghi lý do xin gia hạn."), field="reason")
    if assignment.due_date is None:
        raise ServiceError(_("Nhiệm vụ thường xuyên không có thời hạn để gia hạn."), field="new_due_date")
    if new_due_date <= assignment.due_date:
        raise ServiceError(_("Hạn đề nghị phải sau hạn hiện tại."), field="new_due_date")
    if new_due_date > assignment.due_date + datetime.timedelta(days=366):
        raise ServiceError(_("Không thể gia hạn quá một năm."), field="new_due_date")
    if assignment.extension_requests.filter(state=ExtensionState.PENDING).exists():
        raise ServiceError(_("Đã có một đề nghị gia hạn đang chờ quyết định."), code="conflict")
    request = ExtensionRequest.objects.create(
        assignment=assignment,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        current_due_date=assignment.due_date,
        new_due_date=new_due_date,
        reason=reason,
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=request,
        changes={"new_due_date": [assignment.due_date, new_due_date]},
        reason=reason,
        unit=assignment.unit,
    )
    return request


@transaction.atomic
def extension_decide(*, actor: Any, request: ExtensionRequest, approve: bool, comment: str = "") -> ExtensionRequest:
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != ExtensionState.PENDING:
        raise ServiceError(_("Đề nghị gia hạn này đã được quyết định."), code="conflict")
    comment = check_text((comment or "").strip(), field="comment")
    if not approve and not comment:
        raise ServiceError(_("Hãy ghi lý do không đồng ý gia hạn."), field="comment")
    assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=request.assignment_id)
    request.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    request.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    request.decided_at = timezone.now()
    request.decision_comment = comment
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])
    changes: dict[str, Any] = {"state": [ExtensionState.PENDING.value, request.state]}
    old_due = assignment.due_date
    if approve:
        assignment.due_date = request.new_due_date
        assignment.save(update_fields=["due_date"])
        changes["due_date"] = [old_due, assignment.due_date]
    record(
        actor=actor, action=AuditAction.UPDATE, instance=request, changes=changes, reason=comment, unit=assignment.unit
    )
    if approve:
        for day in {old_due, assignment.due_date}:
            if day is not None:
                stats_refresh_for(actor=actor, assignment=assignment, day=day)
    return request


# ---------------------------------------------------------------------------
# Completion statistics published into the indicator store


def on_time_rate_indicator() -> Indicator:
    return indicator_ensure(
        code=ON_TIME_RATE,
        name=_("Tỷ lệ nhiệm vụ được giao hoàn thành đúng hạn"),
        source=IndicatorSource.DIRECTIVES,
        measure=Measure.PERCENT,
        description=_(
            "Số nhiệm vụ hoàn thành đúng hạn trên tổng số nhiệm vụ có hạn trong kỳ đã đến hạn hoặc đã hoàn thành, "
            "theo các văn bản chỉ đạo được theo dõi."
        ),
    )


def on_time_counts(period: Period, *, unit_ids: Iterable[int] | None = None) -> dict[int, tuple[int, int]]:
    """``{unit_id: (done on time, due)}`` for assignments due in ``period`` that are due by today or done."""
    today = timezone.localdate()
    rows = (
        Assignment.objects.live()
        .due_between(period.start, period.end)
        .filter(Q(completed_on__isnull=False) | Q(due_date__lt=today))
    )
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=list(unit_ids))
    counted = rows.values("unit_id").annotate(
        due=Count("pk"),
        on_time=Count("pk", filter=Q(completed_on__isnull=False, completed_on__lte=F("due_date"))),
    )
    return {row["unit_id"]: (row["on_time"], row["due"]) for row in counted}


def stats_publish(*, actor: Any, period: Period, unit_ids: Iterable[int] | None = None) -> int:
    """Publish ``tasks.on_time_rate`` for every unit with assignments due in ``period``; returns how many."""
    counts = on_time_counts(period, unit_ids=unit_ids)
    if not counts:
        return 0
    indicator = on_time_rate_indicator()
    units = Unit.objects.in_bulk(list(counts))
    for unit_id, (on_time, due) in counts.items():
        value = (Decimal(on_time) * 100 / Decimal(due)).quantize(Decimal("0.01"))
        value_publish(
            actor=actor,
            indicator=indicator,
            unit=units[unit_id],
            period=period,
            value=value,
            numerator=on_time,
            denominator=due,
            note=_("Tính từ theo dõi nhiệm vụ"),
        )
    return len(counts)


def periods_containing(day: datetime.date) -> list[Period]:
    return [Period.containing(day, kind) for kind in (PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR)]


def stats_refresh_for(*, actor: Any, assignment: Assignment, day: datetime.date | None = None) -> None:
    """Republish the unit's rates for the quarter, half-year and year of the assignment's due date."""
    target = day or assignment.due_date
    if target is None or (target >= timezone.localdate() and assignment.completed_on is None):
        return
    for period in periods_containing(target):
        stats_publish(actor=actor, period=period, unit_ids=[assignment.unit_id])


# ---------------------------------------------------------------------------
# Uploaded directives awaiting review


@transaction.atomic
def draft_create(*, actor: Any, issuing_unit: Unit, file: StoredFile, extraction: dict[str, Any]) -> DirectiveDraft:
    """Keep an uploaded directive and its proposed tasks until the user confirms or discards them."""
    draft = DirectiveDraft(
        created_by=actor,
        issuing_unit=issuing_unit,
        file_name=file.name,
        file_size=len(file.content),
        sha256=file.sha256,
        extraction=extraction,
    )
    draft.file.save(file.name, ContentFile(file.content), save=False)
    draft.save()
    return draft


@transaction.atomic
def draft_discard(*, actor: Any, draft: DirectiveDraft) -> None:
    draft.file.delete(save=False)
    draft.delete()


def draft_file(draft: DirectiveDraft) -> StoredFile:
    with draft.file.open("rb") as handle:
        return StoredFile(name=draft.file_name, content=handle.read())
