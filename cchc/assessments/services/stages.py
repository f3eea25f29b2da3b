"""The messages with which the services refuse a write outside its window: self-assessment, appraisal, explanation.

Whether a window is open is a question the sheet answers itself (``Assessment.is_open_for_self_assessment``,
``appraisal_closed_code``, ``is_open_for_explanation``), so the access helpers that decide which actions a page offers
and the services that refuse a write ask the same model methods.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError

from ..models import Assessment, Score


def require_self_assessment_open(assessment: Assessment) -> None:
    """Refuse, with the reason, a write to a sheet the unit may not fill in now."""
    if assessment.is_open_for_self_assessment():
        return
    if not assessment.is_unsubmitted:
        raise ServiceError(
            _("Phiếu tự đánh giá đã nộp và bị khóa; chỉ cơ quan thường trực mở lại được."), code="locked"
        )
    raise ServiceError(_("Kỳ đánh giá không ở giai đoạn tự đánh giá."), code="locked")


def require_appraisal_open(score: Score) -> None:
    """Refuse, with the reason, an appraisal of a leaf whose sheet cannot be appraised now."""
    code = score.assessment.appraisal_closed_code()
    if code == "locked":
        raise ServiceError(_("Hội đồng đã thông qua kết quả; điểm đã bị khóa."), code=code)
    if code == "bad_status":
        raise ServiceError(_("Đơn vị chưa nộp phiếu tự đánh giá; chưa thẩm định được."), code=code)
    if code:
        raise ServiceError(_("Chỉ thẩm định trong giai đoạn thẩm định hoặc giải trình."), code=code)
