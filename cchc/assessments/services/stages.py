"""Whether a stage of the PAR INDEX cycle is open for a sheet or a leaf: self-assessment, appraisal, explanation.

The services refuse a write outside its window with a Vietnamese message; the permission helpers ask the same
questions to decide which actions a page offers.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError

from ..models import Assessment, AssessmentStatus, Score, Stage
from ._common import EDITABLE_STATUSES, EXPLAINABLE_STATUSES


def _self_assessment_open(assessment: Assessment) -> bool:
    stage = assessment.round.stage
    if assessment.status == AssessmentStatus.DRAFT:
        # A unit whose deadline the secretariat extended keeps its sheet open while the round is in appraisal.
        return stage == Stage.SELF_ASSESSMENT or (stage == Stage.APPRAISAL and assessment.deadline is not None)
    if assessment.status == AssessmentStatus.REOPENED:
        return stage in (Stage.SELF_ASSESSMENT, Stage.APPRAISAL)
    return False


def _require_self_assessment_open(assessment: Assessment) -> None:
    if _self_assessment_open(assessment):
        return
    if assessment.status not in EDITABLE_STATUSES:
        raise ServiceError(
            _("Phiếu tự đánh giá đã nộp và bị khóa; chỉ cơ quan thường trực mở lại được."), code="locked"
        )
    raise ServiceError(_("Kỳ đánh giá không ở giai đoạn tự đánh giá."), code="locked")


def _require_appraisal_open(score: Score) -> None:
    assessment = score.assessment
    stage = assessment.round.stage
    if stage == Stage.APPRAISAL and assessment.status == AssessmentStatus.SUBMITTED:
        return
    if stage == Stage.EXPLANATION and assessment.status in (
        AssessmentStatus.SUBMITTED,  # not fully appraised when the round moved on: the appraisers finish it
        AssessmentStatus.APPRAISED,
        AssessmentStatus.EXPLAINED,
    ):
        return
    if assessment.status == AssessmentStatus.APPROVED:
        raise ServiceError(_("Hội đồng đã thông qua kết quả; điểm đã bị khóa."), code="locked")
    if stage == Stage.APPRAISAL:
        raise ServiceError(_("Đơn vị chưa nộp phiếu tự đánh giá; chưa thẩm định được."), code="bad_status")
    raise ServiceError(_("Chỉ thẩm định trong giai đoạn thẩm định hoặc giải trình."), code="bad_stage")


def _explanation_open(score: Score) -> bool:
    assessment = score.assessment
    deadline = assessment.round.explanation_deadline
    return (
        assessment.round.stage == Stage.EXPLANATION
        and assessment.status in EXPLAINABLE_STATUSES
        and (deadline is None or timezone.localdate() <= deadline)
    )
