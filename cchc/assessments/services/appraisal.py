"""Appraisal of the leaves of submitted sheets: accept the self-score or adjust it with a reason, one by one or
several at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.audit.services import actor_user, diff, snapshot
from cchc.frameworks.rule_inputs import rule_of
from cchc.lib.errors import ConflictError, ServiceError
from cchc.lib.text import normalize
from cchc.lib.types import ActorOrSystem
from cchc.lib.validators import check_text

from ..models import Score
from ._common import SCORE_AUDIT_FIELDS, in_transaction, locked_score, record_score, save_score
from .stages import require_appraisal_open


def score_appraise(
    *,
    actor: ActorOrSystem,
    score: Score,
    version: int | None,
    accept: bool = False,
    points: Decimal | None = None,
    value: Decimal | None = None,
    choice: str | None = None,
    reason: str = "",
    locked: bool = False,
) -> Score:
    """Accept the self-score, or set the appraised score with a mandatory reason (also to settle after explanation).

    When adjusting, the appraiser enters the points, or the rate or choice the leaf's rule takes (the points
    are then computed from it, as for the unit). ``locked``: the caller read ``score`` with its row locked in the
    transaction it is in, and the write joins that transaction.
    """
    with in_transaction(locked):
        score = locked_score(score, version, locked=locked)
        require_appraisal_open(score)
        before = snapshot(score, SCORE_AUDIT_FIELDS)
        reason = check_text(normalize(reason), field="reason")
        if accept:
            if score.self_score is None:
                raise ServiceError(
                    _("Đơn vị chưa tự chấm tiêu chí này; hãy nhập điểm thẩm định và lý do."), field="points"
                )
            score.appraised_score = score.self_score
            score.appraised_value = score.self_value
            score.appraised_choice = score.self_choice
            score.appraisal_reason = reason
        else:
            rule = rule_of(score.criterion)
            entry = rule.resolve(points=points, value=value, choice=choice)
            if entry.points is None:
                raise ServiceError(
                    _("Hãy nhập %(what)s thẩm định.") % {"what": rule.input_word()}, field=rule.input_field
                )
            if not reason:
                raise ServiceError(_("Hãy ghi lý do khi điều chỉnh điểm."), field="reason")
            score.appraised_score = entry.points
            score.appraised_value = entry.value
            score.appraised_choice = entry.choice
            score.appraisal_reason = reason
        if not diff(before, snapshot(score, SCORE_AUDIT_FIELDS)):
            return score  # the same decision again: nothing to write, the version stays
        score.appraised_by = actor_user(actor)
        save_score(score)
        record_score(actor=actor, score=score, before=before, reason=reason)
        return score


# ---------------------------------------------------------------------------
# Bulk appraisal


@dataclass(frozen=True)
class SkippedScore:
    """A leaf a bulk action left alone, and why (in Vietnamese)."""

    score: Score
    reason: str


@dataclass
class BulkAcceptResult:
    accepted: list[Score] = dataclass_field(default_factory=list)
    skipped: list[SkippedScore] = dataclass_field(default_factory=list)


@transaction.atomic
def scores_accept_bulk(
    *, actor: ActorOrSystem, scores: Iterable[Score], versions: dict[int, int] | None = None, reason: str = ""
) -> BulkAcceptResult:
    """Accept the self-score of several leaves at once (“Đồng ý” for the selected leaves).

    One transaction; each accepted leaf is saved and audited exactly as :func:`score_appraise` with ``accept`` does.
    A leaf that cannot be accepted is skipped and named with the reason: not self-scored, already appraised (an
    adjustment is never overwritten by a bulk action), appraisal not open for its sheet, or changed by somebody
    since the page was read (``versions`` maps a score's id to the version the page showed). Who may appraise
    which leaf is the caller's check (:func:`cchc.assessments.access.can_appraise_score`).
    """
    versions = versions or {}
    result = BulkAcceptResult()
    for score in sorted(dict.fromkeys(scores), key=lambda item: (item.assessment_id, item.criterion.position, item.pk)):
        try:
            with transaction.atomic():
                locked = locked_score(score, versions.get(score.pk))
                require_appraisal_open(locked)
                if locked.self_score is None:
                    raise ServiceError(_("Đơn vị chưa tự chấm tiêu chí này."), code="unscored")
                if locked.appraised_score is not None:
                    raise ServiceError(
                        _("Tiêu chí đã được thẩm định; mở tiêu chí nếu cần điều chỉnh."), code="appraised"
                    )
                before = snapshot(locked, SCORE_AUDIT_FIELDS)
                locked.appraised_score = locked.self_score
                locked.appraised_value = locked.self_value
                locked.appraised_choice = locked.self_choice
                locked.appraisal_reason = normalize(reason)
                locked.appraised_by = actor_user(actor)
                save_score(locked)
                note = normalize(reason) or _("Đồng ý điểm tự chấm (chọn nhiều tiêu chí)")
                record_score(actor=actor, score=locked, before=before, reason=note)
        except ConflictError:
            result.skipped.append(SkippedScore(score, _("Tiêu chí vừa được người khác cập nhật; hãy tải lại trang.")))
        except ServiceError as exc:
            result.skipped.append(SkippedScore(score, exc.message))
        else:
            result.accepted.append(locked)
    return result
