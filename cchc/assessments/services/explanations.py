"""The unit's explanation of an appraisal it disagrees with, within the explanation window."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, record
from cchc.frameworks.rule_inputs import rule_of
from cchc.lib.errors import ServiceError
from cchc.lib.text import normalize
from cchc.lib.types import ActorOrSystem
from cchc.lib.validators import check_text

from ..models import EXPLAINABLE_STATUSES, AssessmentStatus, Evidence, Explanation, Score, Stage
from ._common import locked_score, set_status
from .evidence import evidence_add_file


@transaction.atomic
def explanation_add(
    *,
    actor: ActorOrSystem,
    score: Score,
    text: str,
    proposed_score: Decimal | None = None,
    evidence: Iterable[Evidence] = (),
    upload: IO[bytes] | None = None,
    at: datetime.date | None = None,
) -> Explanation:
    """The unit's answer to the appraisal of one leaf, within the explanation window.

    ``upload`` is a new evidence file for this leaf, checked and stored like any other. ``at`` is the day the
    answer was received: today, unless a past answer is being recorded (the demonstration data).
    """
    score = locked_score(score, None)
    assessment = score.assessment
    if assessment.round.stage != Stage.EXPLANATION or assessment.status not in EXPLAINABLE_STATUSES:
        raise ServiceError(_("Kỳ đánh giá không ở giai đoạn giải trình."), code="bad_stage")
    deadline = assessment.round.explanation_deadline
    if deadline is not None and (at or timezone.localdate()) > deadline:
        raise ServiceError(
            _("Đã hết hạn giải trình (%(date)s).") % {"date": deadline.strftime("%d/%m/%Y")}, code="late"
        )
    if score.appraised_score is None or score.appraised_score == score.self_score:
        raise ServiceError(_("Chỉ giải trình tiêu chí có điểm thẩm định khác điểm tự chấm."), code="bad_status")
    text = check_text(normalize(text), field="text")
    if not text:
        raise ServiceError(_("Hãy ghi nội dung giải trình."), field="text")
    proposed = None
    if proposed_score is not None:
        proposed = rule_of(score.criterion).check_points(proposed_score, field="proposed_score")
    items = list(evidence)
    if upload is not None:
        items.append(
            evidence_add_file(
                actor=actor,
                assessment=assessment,
                upload=upload,
                title="",
                scores=[score],
            )
        )
    if any(item.assessment_id != assessment.pk for item in items):
        raise ServiceError(_("Tài liệu chỉ dùng cho các tiêu chí của cùng một phiếu."), field="evidence")
    explanation = Explanation.objects.create(
        score=score,
        text=text,
        proposed_score=proposed,
        author=actor_user(actor),
    )
    explanation.evidence.set(items)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=score,
        changes={"explanation": [None, text], "proposed_score": [None, proposed]},
        unit=assessment.unit,
    )
    if assessment.status == AssessmentStatus.APPRAISED:
        # A sheet still being appraised stays "Đã nộp": "Đã giải trình" follows a complete appraisal only.
        set_status(actor=actor, assessment=assessment, status=AssessmentStatus.EXPLAINED)
    return explanation
