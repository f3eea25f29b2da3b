"""What the extractor proposed and what the user confirmed, kept when an uploaded directive's review is confirmed."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils.dateparse import parse_datetime

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, record
from cchc.lib.types import ActorOrSystem

from ..corrections import confirmed_fields, corrected_fields, proposed_fields
from ..models import Directive, ExtractionReview, ReviewedTask, ReviewOutcome, Task
from .tasks import TaskData

# The key of the extraction result naming the extractor (written by ``proposals.extract``).
EXTRACTOR_KEY = "extractor"


def _extracted_at(value: Any) -> datetime.datetime | None:
    try:
        return parse_datetime(str(value)) if value else None
    except ValueError:
        return None


def extraction_review_record(
    *,
    actor: ActorOrSystem,
    directive: Directive,
    extraction: dict[str, Any],
    confirmed: Sequence[tuple[TaskData, Task]],
    reason: str = "",
) -> ExtractionReview:
    """Keep the proposal and the confirmed tasks of a reviewed directive, each task linked to its proposal.

    Called inside the confirmation's transaction. Proposals no confirmed task came from are kept as discarded; a
    confirmed task naming no proposal (or one out of range, or one already used) counts as added by hand.
    """
    proposed = [task for task in extraction.get("tasks") or [] if isinstance(task, dict)]
    about = extraction.get(EXTRACTOR_KEY)
    if not isinstance(about, dict):
        about = {}
    review = ExtractionReview.objects.create(
        directive=directive,
        proposal={key: value for key, value in extraction.items() if key not in {"text", EXTRACTOR_KEY}},
        extractor_version=str(about.get("version") or "")[:60],
        extracted_at=_extracted_at(about.get("at")),
        confirmed_by=actor_user(actor),
    )
    rows: list[ReviewedTask] = []
    used: set[int] = set()
    for data, task in confirmed:
        index = data.proposal_index
        fields = confirmed_fields(data)
        row = ReviewedTask(review=review, position=len(rows), task=task, confirmed=fields.label())
        if index is not None and 0 <= index < len(proposed) and index not in used:
            used.add(index)
            changed = corrected_fields(proposed_fields(proposed[index]), fields)
            row.outcome, row.proposal_index = ReviewOutcome.KEPT, index
            for name in changed:
                setattr(row, f"{name}_corrected", True)
        else:
            row.outcome = ReviewOutcome.ADDED
        rows.append(row)
    for index in range(len(proposed)):
        if index not in used:
            rows.append(
                ReviewedTask(review=review, position=len(rows), outcome=ReviewOutcome.DISCARDED, proposal_index=index)
            )
    ReviewedTask.objects.bulk_create(rows)
    counts = {outcome: sum(row.outcome == outcome for row in rows) for outcome in ReviewOutcome.values}
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=review,
        changes={
            "extractor_version": [None, review.extractor_version],
            "proposed": [None, len(proposed)],
            "kept": [None, counts[ReviewOutcome.KEPT]],
            "added": [None, counts[ReviewOutcome.ADDED]],
            "discarded": [None, counts[ReviewOutcome.DISCARDED]],
        },
        reason=reason,
        unit=directive.issuing_unit,
    )
    return review
