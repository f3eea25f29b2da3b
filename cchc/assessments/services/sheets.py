"""The unit's self-assessment sheet: self-scores, values from the indicator store, submission, and the
secretariat's decisions on a sheet (reopen, extend the deadline, close it in the unit's place).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.services import snapshot
from cchc.frameworks.rule_inputs import AUTO_RULE_KINDS, AutoRule, auto_score_error, is_auto, rule_of
from cchc.indicators.selectors import value_for
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.text import normalize
from cchc.lib.types import ActorOrSystem
from cchc.lib.validators import check_date, check_text
from cchc.organisations.models import Unit

from ..models import EDITABLE_STATUSES, Assessment, AssessmentStatus, Evidence, Score, Stage
from ._common import SCORE_AUDIT_FIELDS, in_transaction, locked_score, record_score, save_score, set_status
from .stages import require_self_assessment_open


def score_self_set(
    *,
    actor: ActorOrSystem,
    score: Score,
    points: Decimal | None = None,
    value: Decimal | None = None,
    choice: str | None = None,
    keep_entry: bool = False,
    note: str | None = "",
    no_evidence_reason: str | None = "",
    version: int | None = None,
    locked: bool = False,
) -> Score:
    """The unit's self-score, note and (when it has no evidence) explanation for one leaf.

    The unit enters what the leaf's rule asks for: ``points`` (manual), ``choice`` (yes/no, timeliness) or
    ``value`` (a rate in percent for the rate rules); the declared rate or choice is kept and the points are
    computed from it. Points may also be given directly for any leaf not scored from data.
    ``keep_entry`` keeps the current entry, and a ``note`` or ``no_evidence_reason`` of ``None`` the current text
    (a partial update); a save that changes nothing leaves the version as it is. ``locked``: the caller read
    ``score`` with its row locked in the transaction it is in, and the write joins that transaction.
    """
    with in_transaction(locked):
        score = locked_score(score, version, locked=locked)
        require_self_assessment_open(score.assessment)
        before = snapshot(score, SCORE_AUDIT_FIELDS)
        rule = rule_of(score.criterion)
        if rule.is_auto:
            if (points is not None and points != score.self_score) or value is not None or (choice or "").strip():
                raise auto_score_error()
        elif not keep_entry:
            entry = rule.resolve(points=points, value=value, choice=choice)
            score.self_score = entry.points
            score.self_value = entry.value
            score.self_choice = entry.choice
        if note is not None:
            score.self_note = check_text(normalize(note), field="note")
        if no_evidence_reason is not None:
            score.no_evidence_reason = check_text(normalize(no_evidence_reason), field="no_evidence_reason")
        save_score(score, before)
        record_score(actor=actor, score=score, before=before)
        return score


def _indicator_value(rule: AutoRule, unit: Unit, year: int) -> tuple[Decimal, str] | None:
    if not rule.indicator:
        return None
    period = Period(year, PeriodKind.YEAR)
    found = value_for(rule.indicator, unit, period)
    if found is None:
        return None
    source = f"{found.indicator.name} ({found.indicator.code}), {period.label}"
    if found.note:
        source = f"{source}: {found.note}"
    return found.value, source[:300]


@transaction.atomic
def assessment_prefill(*, actor: ActorOrSystem, assessment: Assessment) -> int:
    """Fill the leaves scored from indicators or surveys with the value in the store; returns how many changed."""
    changed = 0
    if assessment.status not in EDITABLE_STATUSES:
        return 0
    scores = assessment.scores.select_related("criterion", "assessment__unit", "assessment__round").filter(
        criterion__rule_kind__in=AUTO_RULE_KINDS
    )
    for score in scores.select_for_update(of=("self",)):
        rule = rule_of(score.criterion)
        if not isinstance(rule, AutoRule):
            continue
        found = _indicator_value(rule, assessment.unit, assessment.round.year)
        if found is None:
            continue
        value, source = found
        points = rule.points_for_value(value)
        before = snapshot(score, SCORE_AUDIT_FIELDS)
        score.computed_value = value
        score.computed_source = source
        score.self_score = points
        if snapshot(score, SCORE_AUDIT_FIELDS) == before:
            continue
        save_score(score)
        record_score(actor=actor, score=score, before=before, reason=_("Lấy từ kho số liệu chỉ số"))
        changed += 1
    return changed


@transaction.atomic
def assessment_submit(
    *, actor: ActorOrSystem, assessment: Assessment, at: datetime.datetime | None = None
) -> Assessment:
    """Submit the self-assessment: every leaf scored and evidenced (or explained); locks the sheet and its files.

    ``at`` is the moment of submission: now, unless a past submission is being recorded (the demonstration data).
    """
    assessment = (
        Assessment.objects.select_for_update(of=("self",)).select_related("round", "unit").get(pk=assessment.pk)
    )
    require_self_assessment_open(assessment)
    scores = list(assessment.scores.select_related("criterion").order_by("criterion__position", "pk"))
    with_evidence = set(
        Evidence.scores.through.objects.filter(score__assessment=assessment).values_list("score_id", flat=True)
    )
    unscored = [s.criterion.code for s in scores if not is_auto(s.criterion) and s.self_score is None]
    if unscored:
        raise ServiceError(
            _("Chưa tự chấm các tiêu chí: %(codes)s.") % {"codes": ", ".join(unscored[:20])}, code="incomplete"
        )
    unproven = [
        s.criterion.code
        for s in scores
        if not is_auto(s.criterion) and s.pk not in with_evidence and not s.no_evidence_reason
    ]
    if unproven:
        raise ServiceError(
            _("Các tiêu chí sau chưa có tài liệu kiểm chứng và chưa giải thích lý do: %(codes)s.")
            % {"codes": ", ".join(unproven[:20])},
            code="incomplete",
        )
    now = at or timezone.now()
    deadline = assessment.deadline or assessment.round.self_assessment_deadline
    late = deadline is not None and timezone.localdate(now) > deadline
    set_status(
        actor=actor,
        assessment=assessment,
        status=AssessmentStatus.SUBMITTED,
        submitted_at=now,
        is_late=late,
    )
    Evidence.objects.filter(assessment=assessment, locked_at__isnull=True).update(locked_at=now)
    return assessment


@transaction.atomic
def assessment_reopen(*, actor: ActorOrSystem, assessment: Assessment, reason: str) -> Assessment:
    """Give a submitted sheet back to the unit (secretariat); the reason is mandatory and shown to the unit."""
    assessment = (
        Assessment.objects.select_for_update(of=("self",)).select_related("round", "unit").get(pk=assessment.pk)
    )
    reason = check_text(normalize(reason), field="reason")
    if not reason:
        raise ServiceError(_("Hãy ghi lý do mở lại phiếu."), field="reason")
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ServiceError(_("Chỉ mở lại được phiếu đã nộp và chưa thẩm định xong."), code="bad_status")
    if assessment.round.stage not in (Stage.SELF_ASSESSMENT, Stage.APPRAISAL):
        raise ServiceError(_("Chỉ mở lại phiếu trong giai đoạn tự đánh giá hoặc thẩm định."), code="bad_stage")
    set_status(
        actor=actor, assessment=assessment, status=AssessmentStatus.REOPENED, reason=reason, reopen_reason=reason
    )
    return assessment


def _require_pending_decision(assessment: Assessment) -> None:
    if assessment.status not in EDITABLE_STATUSES:
        raise ServiceError(
            _("Đơn vị %(unit)s đã nộp phiếu; không cần quyết định thêm.") % {"unit": assessment.unit.name},
            code="already",
        )
    if assessment.round.stage not in (Stage.SELF_ASSESSMENT, Stage.APPRAISAL):
        raise ServiceError(
            _("Chỉ gia hạn hoặc đóng phiếu thay đơn vị trong giai đoạn tự đánh giá hoặc thẩm định."), code="bad_stage"
        )


@transaction.atomic
def assessment_extend_deadline(
    *, actor: ActorOrSystem, assessment: Assessment, deadline: datetime.date, reason: str
) -> Assessment:
    """Give one unit that has not submitted its own deadline (secretariat, with a reason; self-assessment stage).

    The unit keeps self-assessing and may submit while the round is in appraisal; a submission after this
    deadline is marked late. During appraisal an extension would change nothing (the unit may submit until the
    office closes its sheet, and the round cannot leave appraisal while the sheet is unsubmitted), so it is
    refused, as is an extension to the deadline the unit already has.
    """
    assessment = (
        Assessment.objects.select_for_update(of=("self",)).select_related("round", "unit").get(pk=assessment.pk)
    )
    _require_pending_decision(assessment)
    if assessment.round.stage != Stage.SELF_ASSESSMENT:
        raise ServiceError(
            _(
                "Trong giai đoạn thẩm định không gia hạn được: đơn vị vẫn nộp được phiếu cho đến khi cơ quan "
                "thường trực đóng phiếu thay đơn vị, và kỳ chỉ sang giải trình khi phiếu đã nộp hoặc đã đóng."
            ),
            code="bad_stage",
            field="decision",
        )
    reason = normalize(reason)
    if not reason:
        raise ServiceError(_("Hãy ghi lý do gia hạn."), field="reason")
    check_date(deadline, field="deadline")
    if deadline < timezone.localdate():
        raise ServiceError(_("Hạn mới phải từ hôm nay trở đi."), field="deadline")
    if assessment.deadline == deadline:
        raise ServiceError(
            _("Đơn vị đã được gia hạn đến ngày %(date)s; hãy chọn một hạn khác.")
            % {"date": deadline.strftime("%d/%m/%Y")},
            code="unchanged",
            field="deadline",
        )
    set_status(actor=actor, assessment=assessment, status=assessment.status, reason=reason, deadline=deadline)
    return assessment


@transaction.atomic
def assessment_close_by_office(
    *, actor: ActorOrSystem, assessment: Assessment, reason: str, at: datetime.datetime | None = None
) -> Assessment:
    """Close a unit's sheet in its place (đóng phiếu thay đơn vị): submitted late, missing leaves scored 0.

    The framework's rule: a criterion the unit did not score gets no points. Each leaf set to 0 and the sheet's
    new status are recorded in the audit trail with the secretariat's reason; the sheet and its files lock.
    """
    assessment = (
        Assessment.objects.select_for_update(of=("self",)).select_related("round", "unit").get(pk=assessment.pk)
    )
    _require_pending_decision(assessment)
    reason = normalize(reason)
    if not reason:
        raise ServiceError(_("Hãy ghi lý do đóng phiếu thay đơn vị."), field="reason")
    now = at or timezone.now()
    missing = assessment.scores.select_for_update(of=("self",)).filter(self_score__isnull=True)
    for score in missing.select_related("criterion", "assessment__unit", "assessment__round"):
        before = snapshot(score, SCORE_AUDIT_FIELDS)
        score.self_score = Decimal(0)
        save_score(score)
        record_score(actor=actor, score=score, before=before, reason=reason)
    set_status(
        actor=actor,
        assessment=assessment,
        status=AssessmentStatus.SUBMITTED,
        reason=reason,
        submitted_at=now,
        is_late=True,
        closed_by_office=True,
    )
    Evidence.objects.filter(assessment=assessment, locked_at__isnull=True).update(locked_at=now)
    return assessment
