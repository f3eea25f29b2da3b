"""What the user changed in a proposed task on the review page, field by field.

A proposed task (the extraction engine's JSON) and a confirmed one (:class:`.services.TaskData`) are both read into
:class:`TaskFields`, the values the review form shows; a field counts as corrected when the confirmed value differs
from the proposed one. The confirmed fields also give the task in the labelled-data shape of the extraction tests
(``tests/extraction/LABELLING.md``), so that confirmed directives can grow the development set.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cchc.extraction.evaluation import same_lead
from cchc.lib.periods import Period

from .models import DeadlineKind, Recurrence


class _Named(Protocol):
    pk: Any
    name: str


class ConfirmedTask(Protocol):
    """What the service knows of a confirmed task (:class:`.services.TaskData` has these)."""

    section: str
    content: str
    lead_label: str
    units: Sequence[Any]
    supporting_units: Sequence[Any]
    deadline_kind: str
    deadline: datetime.date | None
    period_key: str
    recurrence: str
    deadline_text: str
    new_unit_labels: Sequence[str]


def lead_unit_ids(task: dict[str, Any]) -> list[int]:
    """The registry units a proposed task names as its lead (one or several)."""
    ids = [int(pk) for pk in task.get("lead_unit_ids") or [] if pk]
    if not ids and task.get("lead_unit_id"):
        ids = [int(task["lead_unit_id"])]
    return ids


def deadline_kind(task: dict[str, Any]) -> str:
    """The kind of deadline the review form proposes for an extracted task."""
    recurrence = task.get("recurrence") or ""
    if recurrence == Recurrence.CONTINUOUS:
        return DeadlineKind.CONTINUOUS
    if recurrence and recurrence in Recurrence.values:
        return DeadlineKind.RECURRING
    if task.get("period_key"):
        return DeadlineKind.PERIOD
    if task.get("deadline"):
        return DeadlineKind.DATE
    return DeadlineKind.CONTINUOUS


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


@dataclass(frozen=True)
class TaskFields:
    section: str
    content: str
    lead: str
    lead_ids: frozenset[int]
    supporting: tuple[str, ...]
    supporting_ids: frozenset[int]
    deadline_kind: str
    deadline: datetime.date | None
    period_key: str
    recurrence: str
    deadline_text: str

    @property
    def due(self) -> datetime.date | None:
        """The due day as the labels give it: a period falls due at its end; continuous work has none."""
        if self.deadline_kind == DeadlineKind.PERIOD:
            try:
                return Period.from_key(self.period_key).end
            except ValueError:
                return None
        if self.deadline_kind == DeadlineKind.CONTINUOUS:
            return None
        return self.deadline

    @property
    def rhythm(self) -> str:
        """The recurrence as the labels give it (``continuous`` for "thường xuyên")."""
        if self.deadline_kind == DeadlineKind.CONTINUOUS:
            return Recurrence.CONTINUOUS
        if self.deadline_kind == DeadlineKind.RECURRING:
            return self.recurrence or ""
        return ""

    def label(self) -> dict[str, Any]:
        """The task in the shape of ``tests/extraction/data/real/*.expected.json``."""
        due = self.due
        return {
            "section": self.section,
            "lead_unit": self.lead,
            "supporting_units": list(self.supporting),
            "deadline": due.isoformat() if due else None,
            "recurrence": self.rhythm,
            "deadline_text": self.deadline_text,
            "content": self.content,
        }


def proposed_fields(task: dict[str, Any]) -> TaskFields:
    """A proposed task as the review form first shows it."""
    kind = deadline_kind(task)
    return TaskFields(
        section=_text(task.get("section")),
        content=_text(task.get("content")),
        lead=_text(task.get("lead_unit")),
        lead_ids=frozenset(lead_unit_ids(task)),
        supporting=tuple(_text(name) for name in task.get("supporting_units") or []),
        supporting_ids=frozenset(int(pk) for pk in task.get("supporting_unit_ids") or [] if pk),
        deadline_kind=kind,
        deadline=_date(task.get("deadline")),
        period_key=_text(task.get("period_key")),
        recurrence=_text(task.get("recurrence")) if kind == DeadlineKind.RECURRING else "",
        deadline_text=_text(task.get("deadline_text")),
    )


def confirmed_fields(task: ConfirmedTask) -> TaskFields:
    """A confirmed task; its lead is named by the chosen units (or the name of a unit created for it)."""
    units: list[_Named] = list(task.units)
    names = [unit.name for unit in units] or [_text(label) for label in task.new_unit_labels]
    return TaskFields(
        section=_text(task.section),
        content=_text(task.content),
        lead=", ".join(names) or _text(task.lead_label),
        lead_ids=frozenset(int(unit.pk) for unit in units),
        supporting=tuple(unit.name for unit in task.supporting_units),
        supporting_ids=frozenset(int(unit.pk) for unit in task.supporting_units),
        deadline_kind=task.deadline_kind,
        deadline=task.deadline,
        period_key=_text(task.period_key),
        recurrence=_text(task.recurrence),
        deadline_text=_text(task.deadline_text),
    )


def corrected_fields(proposed: TaskFields, confirmed: TaskFields) -> set[str]:
    """The fields of :data:`.models.CORRECTED_FIELDS` the user changed.

    The lead is compared on registry units when the extractor named some, otherwise on the name (a unit the
    registry lacked, created or mapped from the name the extractor read, is not a correction of the lead).
    """
    changed: set[str] = set()
    if proposed.lead_ids:
        if proposed.lead_ids != confirmed.lead_ids:
            changed.add("lead")
    elif not same_lead(proposed.lead, confirmed.lead):
        changed.add("lead")
    if proposed.supporting_ids != confirmed.supporting_ids:
        changed.add("supporting")
    if proposed.due != confirmed.due:
        changed.add("deadline")
    if proposed.rhythm != confirmed.rhythm:
        changed.add("recurrence")
    if proposed.content != confirmed.content:
        changed.add("content")
    return changed
