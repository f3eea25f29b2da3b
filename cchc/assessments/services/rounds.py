"""Writes for the PAR INDEX cycle: rounds, self-assessment, evidence, appraisal, explanation, council approval.

Every function is keyword-only, atomic and leaves audit entries; every change
of a score at every stage is recorded with its old and new values (and the
reason, when there is one), which is also what the per-leaf history shows.

Who may call what is decided by :mod:`cchc.accounts.permissions` in the views
and the API; the functions here enforce the rules of the cycle itself: stages,
statuses, deadlines, locks, valid points and optimistic locking of scores.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import diff, record, snapshot
from cchc.frameworks import scoring
from cchc.frameworks.models import Criterion, Framework, RuleKind
from cchc.lib import files
from cchc.lib.errors import ConflictError, ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.text import normalize, sort_key
from cchc.lib.validators import check_date, check_text, no_negative_zero
from cchc.organisations.models import Unit

from ..models import (
    STAGE_ORDER,
    Assessment,
    AssessmentStatus,
    Evidence,
    Explanation,
    Round,
    RuleChoice,
    Score,
    Stage,
)

DEFAULT_STEP = Decimal("0.25")
AUTO_RULE_KINDS = (RuleKind.INDICATOR, RuleKind.SURVEY)
EVIDENCE_KINDS = (files.PDF, files.DOCX, files.XLSX, files.IMAGE)
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
EDITABLE_STATUSES = (AssessmentStatus.DRAFT, AssessmentStatus.REOPENED)
# A sheet the appraisers had not finished when the round moved to explanation stays "submitted"; its unit
# still answers the leaves already adjusted.
EXPLAINABLE_STATUSES = (AssessmentStatus.SUBMITTED, AssessmentStatus.APPRAISED, AssessmentStatus.EXPLAINED)


# ---------------------------------------------------------------------------
# Points


def format_points(value: Decimal) -> str:
    """Points as the reader writes them (``0,25`` in Vietnamese)."""
    return formats.number_format(value.normalize() if value == value.to_integral() else value, use_l10n=True)


def parse_points(raw: Any, *, field: str = "points") -> Decimal | None:
    """A number typed by a person (``1,5`` or ``1.5``); empty means no score."""
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        return raw
    text = str(raw).strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ServiceError(_("Điểm phải là một số, ví dụ 1,5."), code="invalid", field=field) from None
    if not value.is_finite():
        raise ServiceError(_("Điểm phải là một số, ví dụ 1,5."), code="invalid", field=field)
    return no_negative_zero(value)


def step_of(criterion: Criterion) -> Decimal:
    raw = (criterion.rule_params or {}).get("step")
    try:
        step = Decimal(str(raw)) if raw not in (None, "") else DEFAULT_STEP
    except InvalidOperation:
        return DEFAULT_STEP
    return step if step > 0 else DEFAULT_STEP


def check_points(criterion: Criterion, value: Decimal, *, field: str = "points") -> Decimal:
    """``value`` if it lies in 0..max and on the criterion's step; otherwise a Vietnamese message."""
    if value < 0 or value > criterion.max_points:
        raise ServiceError(
            _("Điểm phải từ 0 đến %(max)s (điểm tối đa của tiêu chí %(code)s).")
            % {"max": format_points(criterion.max_points), "code": criterion.code},
            code="out_of_range",
            field=field,
        )
    step = step_of(criterion)
    if value % step != 0:
        raise ServiceError(
            _("Điểm phải chấm theo bước %(step)s điểm (ví dụ 0; %(step)s; %(double)s…).")
            % {"step": format_points(step), "double": format_points(step * 2)},
            code="off_step",
            field=field,
        )
    return no_negative_zero(value.quantize(Decimal("0.01")))


def is_auto(criterion: Criterion) -> bool:
    """Scored from the indicator store (an indicator or a survey result): the unit may comment, not overwrite."""
    return criterion.rule_kind in AUTO_RULE_KINDS


def _evaluate(criterion: Criterion, value: Decimal) -> Decimal | None:
    """Points for a computed value, by the framework's scoring rules (``None`` when they cannot tell)."""
    try:
        points = scoring.evaluate(criterion.rule_kind, criterion.rule_params or {}, criterion.max_points, value)
    except (ServiceError, ValueError, TypeError, KeyError, InvalidOperation):
        return None
    if points is None:
        return None
    points = min(max(Decimal(str(points)), Decimal(0)), criterion.max_points)
    return points.quantize(Decimal("0.01"))


# ---------------------------------------------------------------------------
# Rule-driven input: what a person enters for a leaf, by its rule


class InputKind:
    """What the forms and the API ask for, by the leaf's ``rule_kind``."""

    POINTS = "points"  # manual: the points themselves
    YES_NO = "yes_no"  # a choice “Có” / “Không”
    RATE = "rate"  # bands, proportional: a rate in percent
    TIMELINESS = "timeliness"  # a choice “Đúng hạn” / “Trễ hạn” / “Không thực hiện”
    AUTO = "auto"  # indicator, survey: filled from the indicator store, read-only


_INPUT_KINDS = {
    RuleKind.MANUAL: InputKind.POINTS,
    RuleKind.YES_NO: InputKind.YES_NO,
    RuleKind.BANDS: InputKind.RATE,
    RuleKind.PROPORTIONAL: InputKind.RATE,
    RuleKind.TIMELINESS: InputKind.TIMELINESS,
    RuleKind.INDICATOR: InputKind.AUTO,
    RuleKind.SURVEY: InputKind.AUTO,
}
RATE_MAX = Decimal(100)
RULE_ORDER = (RuleChoice.ON_TIME.value, RuleChoice.LATE.value, RuleChoice.MISSING.value)
_INPUT_FIELDS = {
    InputKind.POINTS: "points",
    InputKind.YES_NO: "choice",
    InputKind.RATE: "value",
    InputKind.TIMELINESS: "choice",
    InputKind.AUTO: "points",
}


def input_kind(criterion: Criterion) -> str:
    return _INPUT_KINDS.get(criterion.rule_kind, InputKind.POINTS)  # type: ignore[call-overload]


def rule_text(criterion: Criterion) -> str:
    """The leaf's rule as a readable sentence (shown beside the input)."""
    return scoring.describe(criterion.rule_kind, criterion.rule_params or {}, criterion.max_points)


def choices_for(criterion: Criterion) -> list[tuple[str, str]]:
    """The choices a yes/no or timeliness leaf offers, each labelled with the points it gives."""
    kind = input_kind(criterion)
    if kind == InputKind.YES_NO:
        options = [(RuleChoice.YES.value, criterion.max_points), (RuleChoice.NO.value, Decimal(0))]
    elif kind == InputKind.TIMELINESS:
        try:
            points = scoring.timeliness_points(criterion.rule_params or {}, criterion.max_points)
        except ValueError:
            return []
        options = [(outcome, min(max(points[outcome], Decimal(0)), criterion.max_points)) for outcome in RULE_ORDER]
    else:
        return []
    return [
        (value, _("%(label)s (%(points)s điểm)") % {"label": RuleChoice(value).label, "points": format_points(points)})
        for value, points in options
    ]


def declared_text(value: Decimal | None, choice: str) -> str:
    """What was declared for a leaf, as read: ``85,5%``, ``Có``, ``Trễ hạn``; empty when points were typed."""
    if value is not None:
        return f"{scoring.format_number(value)}%"
    if choice in RuleChoice.values:
        return str(RuleChoice(choice).label)
    return ""


@dataclass(frozen=True)
class RuleInput:
    """Points for a leaf, with the rate or choice they were computed from (``None`` / ``""`` when typed directly)."""

    points: Decimal | None
    value: Decimal | None = None
    choice: str = ""


def _choice_of(criterion: Criterion, raw: str, *, field: str) -> str:
    kind = input_kind(criterion)
    word = normalize(str(raw))
    if kind == InputKind.YES_NO:
        if word in (RuleChoice.YES, RuleChoice.NO):
            return word
        try:
            return RuleChoice.YES.value if scoring.evaluate(RuleKind.YES_NO, {}, 1, word) else RuleChoice.NO.value
        except ServiceError:
            raise ServiceError(_("Hãy chọn “Có” hoặc “Không”."), code="invalid", field=field) from None
    if kind == InputKind.TIMELINESS:
        try:
            return scoring.timeliness_outcome(word)
        except ServiceError:
            raise ServiceError(
                _("Hãy chọn “Đúng hạn”, “Trễ hạn” hoặc “Không thực hiện”."), code="invalid", field=field
            ) from None
    raise ServiceError(
        _("Tiêu chí %(code)s không chấm theo lựa chọn; hãy nhập %(what)s.")
        % {"code": criterion.code, "what": _input_word(criterion)},
        code="invalid",
        field=field,
    )


def _input_word(criterion: Criterion) -> str:
    kind = input_kind(criterion)
    if kind == InputKind.RATE:
        return _("tỷ lệ (%)")
    if kind in (InputKind.YES_NO, InputKind.TIMELINESS):
        return _("lựa chọn")
    return _("điểm")


def _rate_of(criterion: Criterion, value: Any, *, field: str) -> Decimal:
    if input_kind(criterion) != InputKind.RATE:
        raise ServiceError(
            _("Tiêu chí %(code)s không chấm theo tỷ lệ; hãy nhập %(what)s.")
            % {"code": criterion.code, "what": _input_word(criterion)},
            code="invalid",
            field=field,
        )
    try:
        rate = scoring.to_decimal(value)
    except ValueError:
        raise ServiceError(_("Tỷ lệ phải là một số (ví dụ 85 hoặc 85,5)."), code="invalid", field=field) from None
    if rate < 0 or rate > RATE_MAX:
        raise ServiceError(_("Tỷ lệ phải từ 0 đến 100%."), code="out_of_range", field=field)
    return no_negative_zero(rate.quantize(Decimal("0.0001")))


def _rule_points(criterion: Criterion, entry: Any, *, field: str) -> Decimal:
    try:
        points = scoring.evaluate(criterion.rule_kind, criterion.rule_params or {}, criterion.max_points, entry)
    except (ValueError, TypeError, KeyError, InvalidOperation):
        raise ServiceError(
            _("Quy tắc chấm của tiêu chí %(code)s chưa hợp lệ; hãy báo cơ quan thường trực.")
            % {"code": criterion.code},
            code="invalid_rule",
            field=field,
        ) from None
    except ServiceError as exc:
        raise ServiceError(exc.message, code="invalid", field=field) from None
    return min(max(points, Decimal(0)), criterion.max_points).quantize(Decimal("0.01"))


def _auto_score_error() -> ServiceError:
    return ServiceError(
        _("Điểm của tiêu chí này được tính tự động từ số liệu; đơn vị chỉ ghi ý kiến, không sửa điểm."),
        code="auto_score",
        field="points",
    )


def entry_field(criterion: Criterion) -> str | None:
    """The field a client sends for the leaf: ``points``, ``choice`` or ``value``; ``None`` when it is computed."""
    kind = input_kind(criterion)
    return None if kind == InputKind.AUTO else _INPUT_FIELDS[kind]


def require_rule_entry(criterion: Criterion, *, points: Decimal | None) -> None:
    """Refuse points typed directly for a leaf whose rule computes them, as the self-assessment page does.

    That page asks a manual leaf for points, a yes/no or timeliness leaf for a choice, a rate leaf for a rate and an
    indicator or survey leaf for nothing; the API's self-score write holds its clients to the same entries.
    """
    if points is None or input_kind(criterion) == InputKind.POINTS:
        return
    field = entry_field(criterion)
    if field is None:
        raise _auto_score_error()
    if input_kind(criterion) == InputKind.YES_NO:
        allowed = f"{RuleChoice.YES.value}, {RuleChoice.NO.value}"
    elif input_kind(criterion) == InputKind.TIMELINESS:
        allowed = ", ".join(RULE_ORDER)
    else:
        allowed = _("từ 0 đến 100")
    raise ServiceError(
        _(
            "Tiêu chí %(code)s chấm theo quy tắc “%(rule)s”, không nhận điểm nhập trực tiếp: hãy gửi %(what)s "
            "trong trường “%(field)s” (%(allowed)s); điểm được tính theo quy tắc."
        )
        % {
            "code": criterion.code,
            "rule": RuleKind(criterion.rule_kind).label,
            "what": _input_word(criterion),
            "field": field,
            "allowed": allowed,
        },
        code="rule_input",
        field="points",
    )


def resolve_input(
    criterion: Criterion,
    *,
    points: Decimal | None = None,
    value: Decimal | None = None,
    choice: str | None = None,
    fields: tuple[str, str, str] = ("points", "value", "choice"),
) -> RuleInput:
    """The points a person's entry gives under the leaf's rule, computed by :func:`scoring.evaluate`.

    One of ``points`` (checked against 0..max and the step), ``value`` (a rate in percent, for the rate rules)
    or ``choice`` (``yes``/``no``, ``on_time``/``late``/``missing``); nothing at all means no score.
    """
    points_field, value_field, choice_field = fields
    choice = (choice or "").strip() or None
    given = [
        name
        for name, item in ((points_field, points), (value_field, value), (choice_field, choice))
        if item is not None
    ]
    if len(given) > 1:
        raise ServiceError(_("Chỉ nhập một trong: điểm, tỷ lệ hoặc lựa chọn."), code="invalid", field=given[-1])
    if value is not None:
        rate = _rate_of(criterion, value, field=value_field)
        return RuleInput(points=_rule_points(criterion, rate, field=value_field), value=rate)
    if choice is not None:
        chosen = _choice_of(criterion, choice, field=choice_field)
        return RuleInput(points=_rule_points(criterion, chosen, field=choice_field), choice=chosen)
    if points is not None:
        return RuleInput(points=check_points(criterion, points, field=points_field))
    return RuleInput(points=None)


# ---------------------------------------------------------------------------
# Rounds


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


def _create_assessment(*, actor: Any, round: Round, unit: Unit, framework: Framework, leaves: list[Criterion]) -> None:
    assessment = Assessment.objects.create(round=round, unit=unit, framework=framework)
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
    actor: Any,
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
    outside = [unit.name for unit in units if not unit.path.startswith(organiser.path)]
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
    round = Round.objects.create(organiser=organiser, previous_round=previous_round, **data.__dict__)
    round.frameworks.set(frameworks)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=round,
        changes={key: [None, value] for key, value in snapshot(round, ROUND_AUDIT_FIELDS).items()},
        reason=reason,
        unit=organiser,
    )
    leaves = {framework.pk: _leaves(framework) for framework in frameworks}
    for unit in units:
        framework = _framework_for(unit, frameworks)
        assert framework is not None
        _create_assessment(actor=actor, round=round, unit=unit, framework=framework, leaves=leaves[framework.pk])
    return round


@transaction.atomic
def round_update(*, actor: Any, round: Round, data: RoundData, reason: str = "") -> Round:
    """Change the name, deadlines or public flag of a round (the year is fixed once units are assessed)."""
    data = _check_round_data(data)
    if data.year != round.year:
        raise ServiceError(_("Không đổi được năm của kỳ đánh giá đã tạo."), field="year")
    before = snapshot(round, ROUND_AUDIT_FIELDS)
    for key, value in data.__dict__.items():
        setattr(round, key, value)
    round.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=round,
        changes=diff(before, snapshot(round, ROUND_AUDIT_FIELDS)),
        reason=reason,
        unit=round.organiser,
    )
    return round


def next_stage(round: Round) -> str | None:
    index = STAGE_ORDER.index(round.stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def awaits_council_approval(round: Round) -> bool:
    """Whether ``round`` is at the council stage and the council has not approved yet (nothing to publish)."""
    return round.stage == Stage.COUNCIL and round.approved_at is None


def awaiting_approval_message() -> str:
    return _("Hội đồng thẩm định chưa thông qua kết quả; chưa công bố được.")


def _compute_results(round: Round) -> None:
    """Indices, ranks and grades of the round (``cchc.assessments.results``)."""
    try:
        results: Any = importlib.import_module("cchc.assessments.results")
    except ImportError as exc:  # pragma: no cover - the results module ships with the app
        raise ServiceError(_("Chưa cài đặt phần tính kết quả của kỳ đánh giá."), code="unavailable") from exc
    results.compute_round(round)


def _unit_names(assessments: Iterable[Assessment]) -> str:
    """The units of ``assessments`` in Vietnamese order, for a message that names them."""
    return ", ".join(sorted((assessment.unit.name for assessment in assessments), key=sort_key))


def unsubmitted_sheets(round: Round) -> list[Assessment]:
    """The sheets of ``round`` still being self-assessed (draft or reopened), units in Vietnamese order."""
    sheets = round.assessments.filter(status__in=EDITABLE_STATUSES).select_related("unit")
    return sorted(sheets, key=lambda assessment: sort_key(assessment.unit.name))


def blocking_sheets(round: Round) -> list[Assessment]:
    """The sheets that stop the round from leaving its stage until the secretariat decides on them.

    Leaving self-assessment: every unsubmitted sheet without an extended deadline. Leaving appraisal: every
    sheet still unsubmitted (an extension ends with the appraisal stage; the office closes the sheet).
    """
    if round.stage == Stage.SELF_ASSESSMENT:
        return [sheet for sheet in unsubmitted_sheets(round) if sheet.deadline is None]
    if round.stage == Stage.APPRAISAL:
        return unsubmitted_sheets(round)
    return []


def _promote_appraised(*, actor: Any, round: Round, reason: str) -> None:
    """Mark "Đã thẩm định" the submitted sheets of ``round`` whose every leaf has been accepted or adjusted."""
    from ..selectors import appraisal_progress_by_assessment

    submitted = round.assessments.filter(status=AssessmentStatus.SUBMITTED)
    progress = appraisal_progress_by_assessment(submitted)
    for assessment in submitted.select_related("unit"):
        done, total = progress.get(assessment.pk, (0, 0))
        if total and done == total:
            _set_status(actor=actor, assessment=assessment, status=AssessmentStatus.APPRAISED, reason=reason)


@transaction.atomic
def round_advance(*, actor: Any, round: Round, to_stage: str, reason: str = "") -> Round:
    """Close the current stage and open the next one; stages only move forward, one at a time.

    Leaving self-assessment or appraisal is refused while a unit's sheet awaits a decision of the secretariat
    (:func:`blocking_sheets`); a sheet becomes "Đã thẩm định" only when every leaf has been appraised.
    """
    round = Round.objects.select_for_update(of=("self",)).get(pk=round.pk)
    if to_stage == round.stage:
        raise ServiceError(
            _("Kỳ đánh giá đã ở giai đoạn “%(stage)s”.") % {"stage": Stage(round.stage).label}, code="already"
        )
    expected = next_stage(round)
    if to_stage != expected:
        raise ServiceError(
            _("Kỳ đánh giá đang ở giai đoạn “%(stage)s”; chỉ chuyển được sang giai đoạn kế tiếp.")
            % {"stage": Stage(round.stage).label},
            code="bad_stage",
        )
    if to_stage == Stage.SELF_ASSESSMENT and not round.assessments.exists():
        raise ServiceError(_("Kỳ đánh giá chưa có đơn vị tham gia."), code="bad_stage")
    blocking = blocking_sheets(round)
    if blocking and round.stage == Stage.SELF_ASSESSMENT:
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
    if to_stage == Stage.PUBLISHED and awaits_council_approval(round):
        raise ServiceError(awaiting_approval_message(), code="bad_stage")
    before = snapshot(round, ROUND_AUDIT_FIELDS)
    round.stage = to_stage
    changed = ["stage"]
    if to_stage == Stage.PUBLISHED:
        # The day the results actually became public, recorded with the stage change (the planned day is
        # ``publication_date``).
        round.published_at = timezone.now()
        changed.append("published_at")
    round.save(update_fields=changed)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=round,
        changes=diff(before, snapshot(round, ROUND_AUDIT_FIELDS)),
        reason=reason,
        unit=round.organiser,
    )
    if to_stage == Stage.SELF_ASSESSMENT:
        for assessment in round.assessments.select_related("unit", "round"):
            assessment_prefill(actor=actor, assessment=assessment)
    elif to_stage in (Stage.EXPLANATION, Stage.COUNCIL):
        # The appraisal goes back to the units whose sheets were appraised in full; the others stay "Đã nộp"
        # (appraisers finish them during the explanation stage) and the council sees how far each one got.
        _promote_appraised(actor=actor, round=round, reason=reason)
    elif to_stage == Stage.PUBLISHED:
        _compute_results(round)
    return round


def _set_status(*, actor: Any, assessment: Assessment, status: str, reason: str = "", **fields: Any) -> None:
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


def approval_gaps(round: Round) -> list[tuple[Assessment, int, int]]:
    """``(sheet, appraised, total)`` for every sheet of ``round`` not fully appraised, units in Vietnamese order."""
    from ..selectors import appraisal_progress_by_assessment

    sheets = round.assessments.select_related("unit")
    progress = appraisal_progress_by_assessment(sheets)
    gaps = []
    for assessment in sheets:
        done, total = progress.get(assessment.pk, (0, 0))
        if not (total and done == total):
            gaps.append((assessment, done, total))
    return sorted(gaps, key=lambda gap: sort_key(gap[0].unit.name))


@transaction.atomic
def round_approve(*, actor: Any, round: Round, reason: str = "", overrides: Mapping[int, str] | None = None) -> Round:
    """The council approves the compiled table: final = appraised (else self) for every leaf, all locked.

    Refused while a sheet is not fully appraised, unless ``overrides`` gives the council's reason for that
    sheet (``{assessment id: reason}``); each reason is stored on the sheet and in the audit trail.
    """
    round = Round.objects.select_for_update(of=("self",)).get(pk=round.pk)
    if round.approved_at is not None:
        raise ServiceError(_("Hội đồng đã thông qua kết quả của kỳ này."), code="locked")
    if round.stage != Stage.COUNCIL:
        raise ServiceError(_("Chỉ thông qua kết quả trong giai đoạn họp hội đồng thẩm định."), code="bad_stage")
    given = {int(key): normalize(str(value)) for key, value in (overrides or {}).items()}
    gaps = approval_gaps(round)
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
    assessments = list(round.assessments.select_related("unit"))
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
        _set_status(
            actor=actor,
            assessment=assessment,
            status=AssessmentStatus.APPROVED,
            reason=override or reason,
            approval_override_reason=override,
        )
    before = snapshot(round, ROUND_AUDIT_FIELDS)
    round.approved_at = now
    round.approved_by = actor if getattr(actor, "is_authenticated", False) else None
    round.save(update_fields=["approved_at", "approved_by"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=round,
        changes={**diff(before, snapshot(round, ROUND_AUDIT_FIELDS)), "approved_at": [None, now]},
        reason=reason,
        unit=round.organiser,
    )
    _compute_results(round)
    return round


# ---------------------------------------------------------------------------
# Self-assessment


def _record_score(*, actor: Any, score: Score, before: dict[str, Any], reason: str = "") -> None:
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


def _locked_score(score: Score, version: int | None) -> Score:
    """The score row locked for this transaction; ``ConflictError`` when it changed since ``version`` was read."""
    # Lock the score row only: locking the joined round or unit would serialise every write of the round.
    current = Score.objects.select_for_update(of=("self",)).select_related("assessment__round", "assessment__unit")
    row = current.get(pk=score.pk)
    row.criterion = score.criterion  # a score's criterion never changes; reuse the one already read
    if version is not None and row.version != version:
        moment = timezone.localtime(row.updated_at)
        raise ConflictError(
            _("Tiêu chí này vừa được người khác cập nhật lúc %(time)s; vui lòng tải lại để xem điểm mới.")
            % {"time": moment.strftime("%H:%M:%S %d/%m/%Y")},
            field="points",
        )
    return row


def _save_score(score: Score, before: dict[str, Any] | None = None) -> bool:
    """Save and bump the version; with the ``before`` snapshot, a save that changes nothing writes nothing.

    A no-op save must not bump the version: it would answer "changed by someone else" to whoever read it before.
    """
    if before is not None and not diff(before, snapshot(score, SCORE_AUDIT_FIELDS)):
        return False
    score.version += 1
    score.save(update_fields=[*SCORE_AUDIT_FIELDS, "appraised_by", "version", "updated_at"])
    return True


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


@transaction.atomic
def score_self_set(
    *,
    actor: Any,
    score: Score,
    points: Decimal | None = None,
    value: Decimal | None = None,
    choice: str | None = None,
    keep_entry: bool = False,
    note: str | None = "",
    no_evidence_reason: str | None = "",
    version: int | None = None,
) -> Score:
    """The unit's self-score, note and (when it has no evidence) explanation for one leaf.

    The unit enters what the leaf's rule asks for: ``points`` (manual), ``choice`` (yes/no, timeliness) or
    ``value`` (a rate in percent for the rate rules); the declared rate or choice is kept and the points are
    computed from it. Points may also be given directly for any leaf not scored from data.
    ``keep_entry`` keeps the current entry, and a ``note`` or ``no_evidence_reason`` of ``None`` the current text
    (a partial update); a save that changes nothing leaves the version as it is.
    """
    score = _locked_score(score, version)
    _require_self_assessment_open(score.assessment)
    before = snapshot(score, SCORE_AUDIT_FIELDS)
    if is_auto(score.criterion):
        if (points is not None and points != score.self_score) or value is not None or (choice or "").strip():
            raise _auto_score_error()
    elif not keep_entry:
        entry = resolve_input(score.criterion, points=points, value=value, choice=choice)
        score.self_score = entry.points
        score.self_value = entry.value
        score.self_choice = entry.choice
    if note is not None:
        score.self_note = check_text(normalize(note), field="note")
    if no_evidence_reason is not None:
        score.no_evidence_reason = check_text(normalize(no_evidence_reason), field="no_evidence_reason")
    _save_score(score, before)
    _record_score(actor=actor, score=score, before=before)
    return score


def _indicator_value(criterion: Criterion, unit: Unit, year: int) -> tuple[Decimal, str] | None:
    from cchc.indicators.selectors import value_for

    code = (criterion.rule_params or {}).get("indicator")
    if not code:
        return None
    period = Period(year, PeriodKind.YEAR)
    found = value_for(str(code), unit, period)
    if found is None:
        return None
    source = f"{found.indicator.name} ({found.indicator.code}), {period.label}"
    if found.note:
        source = f"{source}: {found.note}"
    return found.value, source[:300]


@transaction.atomic
def assessment_prefill(*, actor: Any, assessment: Assessment) -> int:
    """Fill the leaves scored from indicators or surveys with the value in the store; returns how many changed."""
    changed = 0
    if assessment.status not in EDITABLE_STATUSES:
        return 0
    scores = assessment.scores.select_related("criterion", "assessment__unit", "assessment__round").filter(
        criterion__rule_kind__in=AUTO_RULE_KINDS
    )
    for score in scores.select_for_update(of=("self",)):
        found = _indicator_value(score.criterion, assessment.unit, assessment.round.year)
        if found is None:
            continue
        value, source = found
        points = _evaluate(score.criterion, value)
        before = snapshot(score, SCORE_AUDIT_FIELDS)
        score.computed_value = value
        score.computed_source = source
        score.self_score = points
        if snapshot(score, SCORE_AUDIT_FIELDS) == before:
            continue
        _save_score(score)
        _record_score(actor=actor, score=score, before=before, reason=_("Lấy từ kho số liệu chỉ số"))
        changed += 1
    return changed


def score_is_done(score: Score, evidence_count: int) -> bool:
    """A leaf is done when it has a self-score and evidence (or a written reason for having none)."""
    if is_auto(score.criterion):
        return True
    return score.self_score is not None and (evidence_count > 0 or bool(score.no_evidence_reason))


@transaction.atomic
def assessment_submit(*, actor: Any, assessment: Assessment, at: datetime.datetime | None = None) -> Assessment:
    """Submit the self-assessment: every leaf scored and evidenced (or explained); locks the sheet and its files.

    ``at`` is the moment of submission: now, unless a past submission is being recorded (the demonstration data).
    """
    assessment = (
        Assessment.objects.select_for_update(of=("self",)).select_related("round", "unit").get(pk=assessment.pk)
    )
    _require_self_assessment_open(assessment)
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
    _set_status(
        actor=actor,
        assessment=assessment,
        status=AssessmentStatus.SUBMITTED,
        submitted_at=now,
        is_late=late,
    )
    Evidence.objects.filter(assessment=assessment, locked_at__isnull=True).update(locked_at=now)
    return assessment


@transaction.atomic
def assessment_reopen(*, actor: Any, assessment: Assessment, reason: str) -> Assessment:
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
    _set_status(
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
    *, actor: Any, assessment: Assessment, deadline: datetime.date, reason: str
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
    _set_status(actor=actor, assessment=assessment, status=assessment.status, reason=reason, deadline=deadline)
    return assessment


@transaction.atomic
def assessment_close_by_office(
    *, actor: Any, assessment: Assessment, reason: str, at: datetime.datetime | None = None
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
        _save_score(score)
        _record_score(actor=actor, score=score, before=before, reason=reason)
    _set_status(
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


# ---------------------------------------------------------------------------
# Evidence


def _explanation_open(score: Score) -> bool:
    assessment = score.assessment
    deadline = assessment.round.explanation_deadline
    return (
        assessment.round.stage == Stage.EXPLANATION
        and assessment.status in EXPLAINABLE_STATUSES
        and (deadline is None or timezone.localdate() <= deadline)
    )


def _check_scores(assessment: Assessment, scores: Iterable[Score]) -> list[Score]:
    chosen = list(scores)
    if not chosen:
        raise ServiceError(_("Hãy chọn ít nhất một tiêu chí mà tài liệu chứng minh."), field="scores")
    if any(score.assessment_id != assessment.pk for score in chosen):
        raise ServiceError(_("Tài liệu chỉ dùng cho các tiêu chí của cùng một phiếu."), field="scores")
    return chosen


def _require_evidence_open(assessment: Assessment, scores: list[Score]) -> None:
    """Evidence is added while self-assessing, or with an explanation for the leaves being explained."""
    if _self_assessment_open(assessment):
        return
    if all(_explanation_open(score) for score in scores):
        return
    _require_self_assessment_open(assessment)


def _evidence_snapshot(evidence: Evidence, scores: list[Score]) -> dict[str, Any]:
    values = snapshot(evidence, ("title", "file_name", "file_size", "sha256", "document_number", "document_date"))
    values.update(snapshot(evidence, ("issuer", "link")))
    values["scores"] = sorted(score.criterion.code for score in scores)
    return values


@transaction.atomic
def evidence_add_file(
    *, actor: Any, assessment: Assessment, upload: IO[bytes], title: str, scores: Iterable[Score]
) -> Evidence:
    """Store an uploaded file (checked: type, size, zip bombs, corrupt) with its SHA-256."""
    chosen = _check_scores(assessment, scores)
    _require_evidence_open(assessment, chosen)
    name = PurePath(str(getattr(upload, "name", "") or "")).name
    _kind, data = files.check_upload(upload, name=name, kinds=EVIDENCE_KINDS)
    digest = hashlib.sha256(data).hexdigest()
    evidence = Evidence(
        assessment=assessment,
        title=normalize(title) or normalize(PurePath(name).stem) or name,
        file_name=normalize(name)[:255],
        file_size=len(data),
        sha256=digest,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    # The stored name is the content hash: no user text in paths, and the same bytes are recognisable.
    evidence.file.save(f"{digest}{PurePath(name).suffix.lower()}", ContentFile(data), save=False)
    evidence.save()
    evidence.scores.set(chosen)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=evidence,
        changes={key: [None, value] for key, value in _evidence_snapshot(evidence, chosen).items()},
        unit=assessment.unit,
    )
    return evidence


@transaction.atomic
def evidence_add_reference(
    *,
    actor: Any,
    assessment: Assessment,
    title: str,
    scores: Iterable[Score],
    document_number: str = "",
    document_date: datetime.date | None = None,
    issuer: str = "",
    link: str = "",
) -> Evidence:
    """A reference to an existing document (number, date, issuer, link) instead of a file."""
    chosen = _check_scores(assessment, scores)
    _require_evidence_open(assessment, chosen)
    title = normalize(title)
    if not title:
        raise ServiceError(_("Hãy ghi tên hoặc trích yếu của văn bản."), field="title")
    if not (normalize(document_number) or link):
        raise ServiceError(_("Hãy ghi số, ký hiệu văn bản hoặc đường dẫn đến văn bản."), field="document_number")
    evidence = Evidence.objects.create(
        assessment=assessment,
        title=title[:500],
        document_number=normalize(document_number)[:100],
        document_date=document_date,
        issuer=normalize(issuer)[:300],
        link=link,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    evidence.scores.set(chosen)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=evidence,
        changes={key: [None, value] for key, value in _evidence_snapshot(evidence, chosen).items()},
        unit=assessment.unit,
    )
    return evidence


@transaction.atomic
def evidence_set_scores(*, actor: Any, evidence: Evidence, scores: Iterable[Score]) -> Evidence:
    """Change the leaves an evidence item supports (before it is locked by submission)."""
    evidence = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("assessment__round", "assessment__unit")
        .get(pk=evidence.pk)
    )
    chosen = _check_scores(evidence.assessment, scores)
    _require_evidence_unlocked(evidence)
    before = _evidence_snapshot(evidence, list(evidence.scores.select_related("criterion")))
    evidence.scores.set(chosen)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=evidence,
        changes=diff(before, _evidence_snapshot(evidence, chosen)),
        unit=evidence.assessment.unit,
    )
    return evidence


def _require_evidence_unlocked(evidence: Evidence) -> None:
    if evidence.locked_at is not None:
        raise ServiceError(
            _("Tài liệu kiểm chứng đã nộp không được sửa hoặc xóa; hãy bổ sung tài liệu mới nếu cần."),
            code="locked",
        )
    _require_self_assessment_open(evidence.assessment)


@transaction.atomic
def evidence_delete(*, actor: Any, evidence: Evidence) -> None:
    evidence = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("assessment__round", "assessment__unit")
        .get(pk=evidence.pk)
    )
    _require_evidence_unlocked(evidence)
    before = _evidence_snapshot(evidence, list(evidence.scores.select_related("criterion")))
    assessment = evidence.assessment
    record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=evidence,
        changes={key: [value, None] for key, value in before.items()},
        unit=assessment.unit,
    )
    stored = evidence.file.name if evidence.file else ""
    storage = evidence.file.storage if evidence.file else None
    evidence.delete()
    if stored and storage is not None:
        transaction.on_commit(lambda: storage.delete(stored))


# ---------------------------------------------------------------------------
# Appraisal and explanation


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


@transaction.atomic
def score_appraise(
    *,
    actor: Any,
    score: Score,
    version: int | None,
    accept: bool = False,
    points: Decimal | None = None,
    value: Decimal | None = None,
    choice: str | None = None,
    reason: str = "",
) -> Score:
    """Accept the self-score, or set the appraised score with a mandatory reason (also to settle after explanation).

    When adjusting, the appraiser enters the points, or the rate or choice the leaf's rule takes (the points
    are then computed from it, as for the unit).
    """
    score = _locked_score(score, version)
    _require_appraisal_open(score)
    before = snapshot(score, SCORE_AUDIT_FIELDS)
    reason = check_text(normalize(reason), field="reason")
    if accept:
        if score.self_score is None:
            raise ServiceError(_("Đơn vị chưa tự chấm tiêu chí này; hãy nhập điểm thẩm định và lý do."), field="points")
        score.appraised_score = score.self_score
        score.appraised_value = score.self_value
        score.appraised_choice = score.self_choice
        score.appraisal_reason = reason
    else:
        entry = resolve_input(score.criterion, points=points, value=value, choice=choice)
        if entry.points is None:
            raise ServiceError(
                _("Hãy nhập %(what)s thẩm định.") % {"what": _input_word(score.criterion)},
                field=_INPUT_FIELDS[input_kind(score.criterion)],
            )
        if not reason:
            raise ServiceError(_("Hãy ghi lý do khi điều chỉnh điểm."), field="reason")
        score.appraised_score = entry.points
        score.appraised_value = entry.value
        score.appraised_choice = entry.choice
        score.appraisal_reason = reason
    if not diff(before, snapshot(score, SCORE_AUDIT_FIELDS)):
        return score  # the same decision again: nothing to write, the version stays
    score.appraised_by = actor if getattr(actor, "is_authenticated", False) else None
    _save_score(score)
    _record_score(actor=actor, score=score, before=before, reason=reason)
    return score


@transaction.atomic
def explanation_add(
    *,
    actor: Any,
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
    score = _locked_score(score, None)
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
        proposed = check_points(score.criterion, proposed_score, field="proposed_score")
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
        author=actor if getattr(actor, "is_authenticated", False) else None,
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
        _set_status(actor=actor, assessment=assessment, status=AssessmentStatus.EXPLAINED)
    return explanation


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
    *, actor: Any, scores: Iterable[Score], versions: dict[int, int] | None = None, reason: str = ""
) -> BulkAcceptResult:
    """Accept the self-score of several leaves at once (“Đồng ý” for the selected leaves).

    One transaction; each accepted leaf is saved and audited exactly as :func:`score_appraise` with ``accept`` does.
    A leaf that cannot be accepted is skipped and named with the reason: not self-scored, already appraised (an
    adjustment is never overwritten by a bulk action), appraisal not open for its sheet, or changed by somebody
    since the page was read (``versions`` maps a score's id to the version the page showed). Who may appraise
    which leaf is the caller's check (:func:`cchc.accounts.permissions.can_appraise_score`).
    """
    versions = versions or {}
    result = BulkAcceptResult()
    for score in sorted(dict.fromkeys(scores), key=lambda item: (item.assessment_id, item.criterion.position, item.pk)):
        try:
            with transaction.atomic():
                locked = _locked_score(score, versions.get(score.pk))
                _require_appraisal_open(locked)
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
                locked.appraised_by = actor if getattr(actor, "is_authenticated", False) else None
                _save_score(locked)
                note = normalize(reason) or _("Đồng ý điểm tự chấm (chọn nhiều tiêu chí)")
                _record_score(actor=actor, score=locked, before=before, reason=note)
        except ConflictError:
            result.skipped.append(SkippedScore(score, _("Tiêu chí vừa được người khác cập nhật; hãy tải lại trang.")))
        except ServiceError as exc:
            result.skipped.append(SkippedScore(score, exc.message))
        else:
            result.accepted.append(locked)
    return result
