"""What the write modules of the PAR INDEX cycle share: audited fields, statuses, locked score rows, status changes.

Private to :mod:`cchc.assessments.services`; nothing here is meant for another module.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import diff, record, snapshot
from cchc.lib import page_cache
from cchc.lib.errors import ConflictError
from cchc.lib.types import ActorOrSystem

from ..models import Assessment, Score

if TYPE_CHECKING:
    pass

SCORE_AUDIT_FIELDS = (
    "self_score",
    "self_note",
    "no_evidence_reason",
    "computed_value",
    "computed_source",
    "self_value",
    "self_choice",
    "appraised_score",
    "appraised_value",
    "appraised_choice",
    "appraisal_reason",
    "final_score",
)
ASSESSMENT_AUDIT_FIELDS = (
    "status",
    "submitted_at",
    "is_late",
    "reopen_reason",
    "deadline",
    "closed_by_office",
    "approval_override_reason",
)


def set_status(*, actor: ActorOrSystem, assessment: Assessment, status: str, reason: str = "", **fields: Any) -> None:
    before = snapshot(assessment, ASSESSMENT_AUDIT_FIELDS)
    assessment.status = status
    for key, value in fields.items():
        setattr(assessment, key, value)
    assessment.save(update_fields=["status", *fields])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=assessment,
        changes=diff(before, snapshot(assessment, ASSESSMENT_AUDIT_FIELDS)),
        reason=reason,
        unit=assessment.unit,
    )


def record_score(*, actor: ActorOrSystem, score: Score, before: dict[str, Any], reason: str = "") -> None:
    changes = diff(before, snapshot(score, SCORE_AUDIT_FIELDS))
    if changes:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=score,
            changes=changes,
            reason=reason,
            unit=score.assessment.unit,
        )


def in_transaction(locked: bool) -> AbstractContextManager[Any]:
    """The transaction a score write runs in: its own, or with ``locked`` the caller's, which has read the score with
    its row locked (``access.get_score_for_user(..., for_update=True)``) and commits or rolls back the whole write.

    Joining the caller's transaction rather than nesting one saves the savepoint (two statements) a nested
    ``atomic`` would set and release around every write. A transaction of its own stores the data versions as its
    last statement: one commit per write (decision 42).
    """
    if not locked:
        return page_cache.atomic_storing_versions()  # one commit for the score and the versions (decision 42)
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("a score read locked must be written in the same transaction")
    return nullcontext()


def locked_score(score: Score, version: int | None, *, locked: bool = False) -> Score:
    """The score row locked for this transaction; ``ConflictError`` when it changed since ``version`` was read.

    ``locked``: ``score`` was read with its row locked in this transaction (see :func:`in_transaction`); it is the
    row as stored and is not read again.
    """
    if locked:
        check_version(score, version)
        return score
    # Lock the score row only: locking the joined round would serialise every write of the round. The sheet and its
    # round are read again with it (their status and stage decide whether the score may be written); the score's
    # criterion and the sheet's unit never change, so those already read are reused.
    read = score._state.fields_cache.get("assessment")
    unit = read._state.fields_cache.get("unit") if read is not None else None
    related = ["assessment__round"] if unit is not None else ["assessment__round", "assessment__unit"]
    row = Score.objects.select_for_update(of=("self",)).select_related(*related).get(pk=score.pk)
    row.criterion = score.criterion
    if unit is not None:
        row.assessment.unit = unit
    check_version(row, version)
    return row


def check_version(row: Score, version: int | None) -> None:
    """``ConflictError`` when the locked ``row`` is no longer at the ``version`` the writer read."""
    if version is not None and row.version != version:
        moment = timezone.localtime(row.updated_at)
        raise ConflictError(
            _("Tiêu chí này vừa được người khác cập nhật lúc %(time)s; vui lòng tải lại để xem điểm mới.")
            % {"time": moment.strftime("%H:%M:%S %d/%m/%Y")},
            field="points",
        )


def save_score(score: Score, before: dict[str, Any] | None = None) -> bool:
    """Save and bump the version; with the ``before`` snapshot, a save that changes nothing writes nothing, and a
    save that changes something writes only the fields that differ from it (a caller that sets ``appraised_by``,
    which the snapshot does not hold, passes no ``before``: every field is written).

    A no-op save must not bump the version: it would answer "changed by someone else" to whoever read it before.
    """
    fields: list[str] = [*SCORE_AUDIT_FIELDS, "appraised_by"]
    if before is not None:
        fields = list(diff(before, snapshot(score, SCORE_AUDIT_FIELDS)))
        if not fields:
            return False
    score.version += 1
    score.save(update_fields=[*fields, "version", "updated_at"])
    return True
