"""Rounds of the PAR INDEX: creation with one sheet per unit, settings, stages, council approval.

Stages only move forward, one at a time; leaving self-assessment or appraisal waits for the secretariat's decision
on every unsubmitted sheet, and the council's approval fixes the final score of every leaf.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, diff, record, snapshot
from cchc.frameworks.models import Criterion, Framework
from cchc.lib.errors import ServiceError
from cchc.lib.text import normalize, sort_key
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit

from ..models import EDITABLE_STATUSES, STAGE_ORDER, Assessment, AssessmentStatus, Evidence, Round, Score, Stage
from ..selectors import appraisal_progress_by_assessment
from ._common import set_status
from .sheets import assessment_prefill

ROUND_AUDIT_FIELDS = (
    "name",
    "year",
    "organiser",
    "stage",
    "previous_round",
    "self_assessment_deadline",
    "appraisal_deadline",
    "explanation_deadline",
    "council_deadline",
    "publication_date",
    "published_at",
    "is_public",
    "rescale_without_survey",
    "grade_bands",
)


@dataclass(frozen=True)
class RoundData:
    """The editable fields of a round, already cleaned by a form or schema."""

    name: str
    year: int
    self_assessment_deadline: datetime.date | None = None
    appraisal_deadline: datetime.date | None = None
    explanation_deadline: datetime.date | None = None
    council_deadline: datetime.date | None = None
    publication_date: datetime.date | None = None
    is_public: bool = False
    rescale_without_survey: bool = False
    grade_bands: str | list[dict[str, Any]] = dataclass_field(default_factory=list)


DEADLINE_FIELDS = (
    "self_assessment_deadline",
    "appraisal_deadline",
    "explanation_deadline",
    "council_deadline",
    "publication_date",
)


def _check_round_data(data: RoundData) -> RoundData:
    name = normalize(data.name)
    if not name:
        raise ServiceError(_("Tên kỳ đánh giá không được để trống."), field="name")
    if not 2000 <= data.year <= 2100:
        raise ServiceError(_("Năm đánh giá không hợp lệ."), field="year")
    previous: datetime.date | None = None
    for field in DEADLINE_FIELDS:
        day = getattr(data, field)
        if day is None:
            continue
        if previous is not None and day < previous:
            raise ServiceError(
                _("Các mốc thời gian phải theo thứ tự: tự đánh giá, thẩm định, giải trình, hội đồng, công bố."),
                field=field,
            )
        previous = day
    return RoundData(**{**data.__dict__, "name": name, "grade_bands": parse_grade_bands(data.grade_bands)})


def parse_grade_bands(raw: str | list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Grade bands from ``"A: 90; B: 80; C: 70; D: 0"`` (or the stored list); empty means the default bands.

    Minimums are percentages of the index, strictly decreasing, each between 0 and 100.
    """
    if not raw:
        return []
    items: list[tuple[str, str]] = []
    if isinstance(raw, str):
        for part in raw.replace("\n", ";").split(";"):
            if not part.strip():
                continue
            grade, sep, threshold = part.partition(":")
            if not sep:
                raise ServiceError(
                    _("Mỗi mức xếp loại ghi theo dạng “A: 90”, các mức cách nhau bằng dấu “;”."), field="grade_bands"
                )
            items.append((grade.strip(), threshold.strip()))
    else:
        items = [(str(item.get("grade", "")).strip(), str(item.get("min", ""))) for item in raw]
    bands: list[dict[str, Any]] = []
    previous: Decimal | None = None
    for grade, text in items:
        try:
            minimum = Decimal(text.replace(",", "."))
        except (InvalidOperation, ValueError):
            minimum = Decimal("NaN")
        if not grade or len(grade) > 8 or not minimum.is_finite() or not Decimal(0) <= minimum <= Decimal(100):
            raise ServiceError(
                _("Mức xếp loại “%(grade)s: %(min)s” không hợp lệ: tên tối đa 8 ký tự, ngưỡng từ 0 đến 100.")
                % {"grade": grade, "min": text},
                field="grade_bands",
            )
        if previous is not None and minimum >= previous:
            raise ServiceError(
                _("Ngưỡng các mức xếp loại phải giảm dần (ví dụ A: 90; B: 80; C: 70; D: 0)."), field="grade_bands"
            )
        previous = minimum
        bands.append({"grade": grade, "min": float(minimum)})
    return bands


def grade_bands_text(bands: list[dict[str, Any]]) -> str:
    return "; ".join(f"{band['grade']}: {band['min']:g}" for band in bands)


def _leaves(framework: Framework) -> list[Criterion]:
    return list(framework.criteria.filter(children__isnull=True).order_by("position", "pk"))


def _framework_for(unit: Unit, frameworks: Sequence[Framework]) -> Framework | None:
    return next((framework for framework in frameworks if framework.unit_kind == unit.kind), None)


def _create_assessment(
    *, actor: ActorOrSystem, round_: Round, unit: Unit, framework: Framework, leaves: list[Criterion]
) -> None:
    assessment = Assessment.objects.create(round=round_, unit=unit, framework=framework)
    Score.objects.bulk_create([Score(assessment=assessment, criterion=leaf) for leaf in leaves])
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=assessment,
        changes={"framework": [None, str(framework)], "leaves": [None, len(leaves)]},
        unit=unit,
    )


@transaction.atomic
def round_create(
    *,
    actor: ActorOrSystem,
    data: RoundData,
    organiser: Unit,
    frameworks: Sequence[Framework],
    units: Iterable[Unit],
    previous_round: Round | None = None,
    reason: str = "",
) -> Round:
    """A new round in preparation, with one assessment per unit (its leaves materialised as empty scores)."""
    data = _check_round_data(data)
    frameworks = list(frameworks)
    units = list(dict.fromkeys(units))
    if not frameworks:
        raise ServiceError(_("Hãy chọn ít nhất một bộ tiêu chí."), field="frameworks")
    kinds = [framework.unit_kind for framework in frameworks]
    if len(kinds) != len(set(kinds)):
        raise ServiceError(_("Mỗi loại đơn vị chỉ dùng một bộ tiêu chí trong một kỳ."), field="frameworks")
    if not units:
        raise ServiceError(_("Hãy chọn các đơn vị tham gia."), field="units")
    outside = [unit.name for unit in units if not unit.is_within(organiser)]
    if outside:
        raise ServiceError(
            _("Đơn vị không thuộc đơn vị tổ chức: %(units)s.") % {"units": ", ".join(outside[:10])}, field="units"
        )
    without = [unit.name for unit in units if _framework_for(unit, frameworks) is None]
    if without:
        raise ServiceError(
            _("Chưa chọn bộ tiêu chí phù hợp cho: %(units)s.") % {"units": ", ".join(without[:10])}, field="units"
        )
    if Round.objects.filter(organiser=organiser, year=data.year, name=data.name).exists():
        raise ServiceError(_("Đã có kỳ đánh giá cùng tên trong năm này."), field="name")
    round_ = Round.objects.create(organiser=organiser, previous_round=previous_round, **data.__dict__)
    round_.frameworks.set(frameworks)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=round_,
        changes={key: [None, value] for key, value in snapshot(round_, ROUND_AUDIT_FIELDS).items()},
        reason=reason,
        unit=organiser,
    )
    leaves = {framework.pk: _leaves(framework) for framework in frameworks}
    for unit in units:
        framework = _framework_for(unit, frameworks)
        assert framework is not None
        _create_assessment(actor=actor, round_=round_, unit=unit, framework=framework, leaves=leaves[framework.pk])
    return round_


@transaction.atomic
def round_update(*, actor: ActorOrSystem, round_: Round, data: RoundData, reason: str = "") -> Round:
    """Change the name, deadlines or public flag of a round (the year is fixed once units are assessed)."""
    data = _check_round_data(data)
    if data.year != round_.year:
        raise ServiceError(_("Không đổi được năm của kỳ đánh giá đã tạo."), field="year")
    before = snapshot(round_, ROUND_AUDIT_FIELDS)
    for key, value in data.__dict__.items():
        setattr(round_, key, value)
    round_.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=round_,
        changes=diff(before, snapshot(round_, ROUND_AUDIT_FIELDS)),
        reason=reason,
        unit=round_.organiser,
    )
    return round_


def next_stage(round_: Round) -> str | None:
    index = STAGE_ORDER.index(round_.stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def awaits_council_approval(round_: Round) -> bool:
    """Whether ``round_`` is at the council stage and the council has not approved yet (nothing to publish)."""
    return round_.stage == Stage.COUNCIL and round_.approved_at is None


def awaiting_approval_message() -> str:
    return _("Hội đồng thẩm định chưa thông qua kết quả; chưa công bố được.")


def _compute_results(round_: Round) -> None:
    """Indices, ranks and grades of the round (``cchc.assessments.results``)."""
    try:
        results: Any = importlib.import_module("cchc.assessments.results")
    except ImportError as exc:  # pragma: no cover - the results module ships with the app
        raise ServiceError(_("Chưa cài đặt phần tính kết quả của kỳ đánh giá."), code="unavailable") from exc
    results.compute_round(round_)


def _unit_names(assessments: Iterable[Assessment]) -> str:
    """The units of ``assessments`` in Vietnamese order, for a message that names them."""
    return ", ".join(sorted((assessment.unit.name for assessment in assessments), key=sort_key))


def unsubmitted_sheets(round_: Round) -> list[Assessment]:
    """The sheets of ``round_`` still being self-assessed (draft or reopened), units in Vietnamese order."""
    sheets = round_.assessments.filter(status__in=EDITABLE_STATUSES).select_related("unit")
    return sorted(sheets, key=lambda assessment: sort_key(assessment.unit.name))


def blocking_sheets(round_: Round) -> list[Assessment]:
    """The sheets that stop the round from leaving its stage until the secretariat decides on them.

    Leaving self-assessment: every unsubmitted sheet without an extended deadline. Leaving appraisal: every
    sheet still unsubmitted (an extension ends with the appraisal stage; the office closes the sheet).
    """
    if round_.stage == Stage.SELF_ASSESSMENT:
        return [sheet for sheet in unsubmitted_sheets(round_) if sheet.deadline is None]
    if round_.stage == Stage.APPRAISAL:
        return unsubmitted_sheets(round_)
    return []


def _promote_appraised(*, actor: ActorOrSystem, round_: Round, reason: str) -> None:
    """Mark "Đã thẩm định" the submitted sheets of ``round_`` whose every leaf has been accepted or adjusted."""
    submitted = round_.assessments.filter(status=AssessmentStatus.SUBMITTED)
    progress = appraisal_progress_by_assessment(submitted)
    for assessment in submitted.select_related("unit"):
        done, total = progress.get(assessment.pk, (0, 0))
        if total and done == total:
            set_status(actor=actor, assessment=assessment, status=AssessmentStatus.APPRAISED, reason=reason)


@transaction.atomic
def round_advance(*, actor: ActorOrSystem, round_: Round, to_stage: str, reason: str = "") -> Round:
    """Close the current stage and open the next one; stages only move forward, one at a time.

    Leaving self-assessment or appraisal is refused while a unit's sheet awaits a decision of the secretariat
    (:func:`blocking_sheets`); a sheet becomes "Đã thẩm định" only when every leaf has been appraised.
    """
    round_ = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
    if to_stage == round_.stage:
        raise ServiceError(
            _("Kỳ đánh giá đã ở giai đoạn “%(stage)s”.") % {"stage": Stage(round_.stage).label}, code="already"
        )
    expected = next_stage(round_)
    if to_stage != expected:
        raise ServiceError(
            _("Kỳ đánh giá đang ở giai đoạn “%(stage)s”; chỉ chuyển được sang giai đoạn kế tiếp.")
            % {"stage": Stage(round_.stage).label},
            code="bad_stage",
        )
    if to_stage == Stage.SELF_ASSESSMENT and not round_.assessments.exists():
        raise ServiceError(_("Kỳ đánh giá chưa có đơn vị tham gia."), code="bad_stage")
    blocking = blocking_sheets(round_)
    if blocking and round_.stage == Stage.SELF_ASSESSMENT:
        raise ServiceError(
            _(
                "Chưa chuyển được sang thẩm định: %(count)s đơn vị chưa nộp phiếu và chưa được quyết định "
                "(gia hạn hoặc đóng phiếu thay đơn vị): %(units)s."
            )
            % {"count": len(blocking), "units": _unit_names(blocking)},
            code="undecided",
        )
    if blocking:
        raise ServiceError(
            _(
                "Chưa chuyển được sang giải trình: %(count)s đơn vị vẫn chưa nộp phiếu; hãy chờ đơn vị nộp hoặc "
                "đóng phiếu thay đơn vị: %(units)s."
            )
            % {"count": len(blocking), "units": _unit_names(blocking)},
            code="undecided",
        )
    if to_stage == Stage.PUBLISHED and awaits_council_approval(round_):
        raise ServiceError(awaiting_approval_message(), code="bad_stage")
    before = snapshot(round_, ROUND_AUDIT_FIELDS)
    round_.stage = to_stage
    changed = ["stage"]
    if to_stage == Stage.PUBLISHED:
        # The day the results actually became public, recorded with the stage change (the planned day is
        # ``publication_date``).
        round_.published_at = timezone.now()
        changed.append("published_at")
    round_.save(update_fields=changed)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=round_,
        changes=diff(before, snapshot(round_, ROUND_AUDIT_FIELDS)),
        reason=reason,
        unit=round_.organiser,
    )
    if to_stage == Stage.SELF_ASSESSMENT:
        for assessment in round_.assessments.select_related("unit", "round"):
            assessment_prefill(actor=actor, assessment=assessment)
    elif to_stage in (Stage.EXPLANATION, Stage.COUNCIL):
        # The appraisal goes back to the units whose sheets were appraised in full; the others stay "Đã nộp"
        # (appraisers finish them during the explanation stage) and the council sees how far each one got.
        _promote_appraised(actor=actor, round_=round_, reason=reason)
    elif to_stage == Stage.PUBLISHED:
        _compute_results(round_)
    return round_


def approval_gaps(round_: Round) -> list[tuple[Assessment, int, int]]:
    """``(sheet, appraised, total)`` for every sheet of ``round_`` not fully appraised, units in Vietnamese order."""
    sheets = round_.assessments.select_related("unit")
    progress = appraisal_progress_by_assessment(sheets)
    gaps = []
    for assessment in sheets:
        done, total = progress.get(assessment.pk, (0, 0))
        if not (total and done == total):
            gaps.append((assessment, done, total))
    return sorted(gaps, key=lambda gap: sort_key(gap[0].unit.name))


@transaction.atomic
def round_approve(
    *, actor: ActorOrSystem, round_: Round, reason: str = "", overrides: Mapping[int, str] | None = None
) -> Round:
    """The council approves the compiled table: final = appraised (else self) for every leaf, all locked.

    Refused while a sheet is not fully appraised, unless ``overrides`` gives the council's reason for that
    sheet (``{assessment id: reason}``); each reason is stored on the sheet and in the audit trail.
    """
    round_ = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
    if round_.approved_at is not None:
        raise ServiceError(_("Hội đồng đã thông qua kết quả của kỳ này."), code="locked")
    if round_.stage != Stage.COUNCIL:
        raise ServiceError(_("Chỉ thông qua kết quả trong giai đoạn họp hội đồng thẩm định."), code="bad_stage")
    given = {int(key): normalize(str(value)) for key, value in (overrides or {}).items()}
    gaps = approval_gaps(round_)
    missing = [assessment for assessment, _done, _total in gaps if not given.get(assessment.pk)]
    if missing:
        raise ServiceError(
            _(
                "Chưa thông qua được: %(count)s phiếu chưa thẩm định đủ tiêu chí; hội đồng cần ghi lý do cho "
                "từng đơn vị: %(units)s."
            )
            % {"count": len(missing), "units": _unit_names(missing)},
            code="incomplete",
        )
    if any(len(given[assessment.pk]) > 2000 for assessment, _done, _total in gaps):
        raise ServiceError(_("Lý do của hội đồng dài tối đa 2000 ký tự."), field="overrides")
    override_of = {assessment.pk: given[assessment.pk] for assessment, _done, _total in gaps}
    now = timezone.now()
    assessments = list(round_.assessments.select_related("unit"))
    for assessment in assessments:
        scores = list(assessment.scores.select_for_update(of=("self",)).select_related("criterion"))
        changed = []
        for score in scores:
            final = score.appraised_score if score.appraised_score is not None else score.self_score
            final = final if final is not None else Decimal(0)
            if score.final_score == final:
                continue
            record(
                actor=actor,
                action=AuditAction.UPDATE,
                instance=score,
                changes={"final_score": [score.final_score, final]},
                reason=reason or _("Hội đồng thẩm định thông qua kết quả"),
                unit=assessment.unit,
            )
            score.final_score = final
            score.version += 1
            score.updated_at = now
            changed.append(score)
        Score.objects.bulk_update(changed, ["final_score", "version", "updated_at"], batch_size=500)
        Evidence.objects.filter(assessment=assessment, locked_at__isnull=True).update(locked_at=now)
        override = override_of.get(assessment.pk, "")
        set_status(
            actor=actor,
            assessment=assessment,
            status=AssessmentStatus.APPROVED,
            reason=override or reason,
            approval_override_reason=override,
        )
    before = snapshot(round_, ROUND_AUDIT_FIELDS)
    round_.approved_at = now
    round_.approved_by = actor_user(actor)
    round_.save(update_fields=["approved_at", "approved_by"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=round_,
        changes={**diff(before, snapshot(round_, ROUND_AUDIT_FIELDS)), "approved_at": [None, now]},
        reason=reason,
        unit=round_.organiser,
    )
    _compute_results(round_)
    return round_
