"""Writes of the results: publishing them into the indicator store, the shipped targets they are compared with, and
the secretariat's marks on free-text comments.

Satisfaction questionnaires publish, per unit (with its subtree) and period, two computed indicators:

* ``sipas.satisfaction`` — the index of the regular surveys (at the counter and online); the code the PAR criteria
  scored “from survey” read (``Criterion.rule_kind = survey``, ``rule_params = {"indicator": "sipas.satisfaction",
  ...}``);
* ``sipas.satisfaction_adhoc`` — the index of the ad-hoc surveys.

The value is the index (0–100); the denominator the number of responses and the numerator index × responses / 100
(the equivalent number of satisfied respondents), so that totals can be weighted by the sample.

The officials' survey (kind ``officials``) publishes, instead, one indicator per A–D question,
``survey.<questionnaire code>.<question code>``: the mean of the options' points (A/B/C/D → 100/60/20/0 % by default,
:data:`cchc.surveys.results.DEFAULT_OPTION_POINTS`). A PAR criterion reads it by naming that code in its
``rule_params`` (``{"indicator": "survey.dieu-tra-xa-hoi-hoc-cchc.c1", "method": "proportional", "target": 100}``):
the item then gets that share of its points.

Publishing again replaces the values (``indicators.services.value_publish`` is idempotent and audits each change).
The store keeps one value per indicator, unit and period: when two questionnaires answered about the same unit are
published for the same period, the later publication wins — so one questionnaire per unit should feed the indices
(the command publishes the SIPAS questionnaires by default).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, record, snapshot
from cchc.indicators.models import Indicator, IndicatorValue, Target
from cchc.indicators.services import TargetData, indicator_ensure, target_create, value_publish
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period
from cchc.lib.text import normalize
from cchc.lib.types import Actor, ActorOrSystem
from cchc.organisations.models import Unit

from .models import Answer, CommentHandling, QuestionKind, Questionnaire, QuestionnaireKind, Response
from .results import ResultsRules, satisfaction_index
from .selectors import (
    ADHOC_CODE,
    REGULAR_CHANNELS,
    REGULAR_CODE,
    ResultsFilter,
    answer_counts,
    filtered_responses,
    results_version,
    shape_of,
)

# The targets the seeds set (issue 11): regular surveys at the one-stop desk and online ≥ 95 % satisfied, ad-hoc
# surveys ≥ 85 %. Stored from TARGETS_FROM_YEAR on, for every unit; the secretariat changes them on the indicator page.
DEFAULT_TARGETS = {REGULAR_CODE: Decimal(95), ADHOC_CODE: Decimal(85)}
TARGETS_FROM_YEAR = 2020
CODE_MAX_LENGTH = 80


def satisfaction_indicators() -> dict[str, Indicator]:
    """The store's definitions of the satisfaction indices, created on first use."""
    return {
        REGULAR_CODE: indicator_ensure(
            code=REGULAR_CODE,
            name=_("Chỉ số hài lòng (khảo sát thường xuyên tại quầy và trực tuyến)"),
            description=_("Tính từ phiếu khảo sát: trung bình có trọng số của các yếu tố (xem tài liệu khảo sát)."),
            group="SIPAS",
        ),
        ADHOC_CODE: indicator_ensure(
            code=ADHOC_CODE,
            name=_("Chỉ số hài lòng (khảo sát đột xuất)"),
            description=_("Tính từ phiếu khảo sát: trung bình có trọng số của các yếu tố (xem tài liệu khảo sát)."),
            group="SIPAS",
        ),
    }


@transaction.atomic
def satisfaction_targets_ensure(*, actor: ActorOrSystem = None) -> list[Target]:
    """The shipped targets (95 % regular, 85 % ad-hoc) for every unit, created once; existing targets are kept."""
    created = []
    for code, indicator in satisfaction_indicators().items():
        if Target.objects.filter(indicator=indicator).exists():
            continue
        data = TargetData(
            year=TARGETS_FROM_YEAR,
            value=DEFAULT_TARGETS[code],
            step=Decimal(0),  # a step (of nothing) carries the target into every later year
            note=_("Chỉ tiêu mặc định: khảo sát thường xuyên ≥ 95 %, đột xuất ≥ 85 % hài lòng."),
        )
        created.append(target_create(actor=actor, indicator=indicator, data=data))
    return created


def _rounded(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _default_units(responses: QuerySet[Response], questionnaire: Questionnaire) -> list[Unit]:
    units = list(Unit.objects.filter(pk__in=responses.values("unit_id")).order_by("path"))
    if questionnaire.owner is not None and questionnaire.owner not in units:
        units.insert(0, questionnaire.owner)
    return units


@transaction.atomic
def survey_results_publish(
    *,
    actor: ActorOrSystem,
    questionnaire: Questionnaire,
    period: Period,
    units: list[Unit] | None = None,
    rules: ResultsRules | None = None,
) -> list[IndicatorValue]:
    """Publish the results of ``questionnaire`` over ``period`` for ``units`` (each with its subtree; by default the
    units answered about and the questionnaire's owner). Units or channels without a scored answer get no value."""
    version = results_version(questionnaire)
    if version is None:
        raise ServiceError(_("Phiếu chưa được ban hành nên chưa có kết quả để công bố."))
    rules = rules or ResultsRules()
    shape = shape_of(version)
    responses = Response.objects.filter(questionnaire=questionnaire)
    published: list[IndicatorValue] = []
    units = (
        units
        if units is not None
        else _default_units(filtered_responses(responses, ResultsFilter(period)), questionnaire)
    )
    if questionnaire.kind == QuestionnaireKind.OFFICIALS:
        questions = [q for section in shape for q in section.questions if q.kind == QuestionKind.OPTIONS_AD]
        indicators = {}
        for question in questions:
            code = f"survey.{questionnaire.code}.{question.code}"
            if len(code) > CODE_MAX_LENGTH:
                raise ServiceError(_("Mã chỉ số “%(code)s” quá dài; hãy rút ngắn mã phiếu.") % {"code": code})
            indicators[question.code] = indicator_ensure(
                code=code, name=question.text[:300], group=questionnaire.title[:80]
            )
        for unit in units:
            selected = filtered_responses(responses, ResultsFilter(period, unit))
            result = satisfaction_index(shape, answer_counts(selected, period=period), rules)
            for score in result.questions:
                if score.question.code not in indicators or score.score is None:
                    continue
                value = _rounded(score.score)
                published.append(
                    value_publish(
                        actor=actor,
                        indicator=indicators[score.question.code],
                        unit=unit,
                        period=period,
                        value=value,
                        numerator=Decimal(str(score.positive)),
                        denominator=score.n,
                        note=_("Từ phiếu “%(title)s”, %(n)d câu trả lời.")
                        % {"title": questionnaire.title, "n": score.n},
                    )
                )
        return published
    indicators = satisfaction_indicators()
    satisfaction_targets_ensure(actor=actor)
    for code, channels in ((REGULAR_CODE, REGULAR_CHANNELS), (ADHOC_CODE, ("adhoc",))):
        for unit in units:
            selected = filtered_responses(responses, ResultsFilter(period, unit, tuple(channels)))
            result = satisfaction_index(shape, answer_counts(selected, period=period), rules)
            if result.index is None:
                continue
            size = selected.count()
            value = _rounded(result.index)
            published.append(
                value_publish(
                    actor=actor,
                    indicator=indicators[code],
                    unit=unit,
                    period=period,
                    value=value,
                    numerator=(value * size / 100).quantize(Decimal("0.0001")),
                    denominator=size,
                    note=_("Từ phiếu “%(title)s”, %(n)d phiếu trả lời.") % {"title": questionnaire.title, "n": size},
                )
            )
    return published


# ---------------------------------------------------------------------------
# Free-text comments


HANDLING_FIELDS = ("answer", "handled_by", "note")


@transaction.atomic
def comment_set_handled(*, actor: Actor, answer: Answer, handled: bool, note: str = "") -> CommentHandling | None:
    """Mark a free-text comment handled (with an optional note) or not handled again; audited, idempotent."""
    if answer.question.kind not in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT) or not answer.text_value:
        raise ServiceError(_("Chỉ đánh dấu được ý kiến góp ý bằng chữ."))
    current = CommentHandling.objects.select_for_update().filter(answer=answer).first()
    unit = answer.response.unit
    if handled and current is None:
        current = CommentHandling.objects.create(
            answer=answer, handled_by=actor_user(actor), note=normalize(note)[:300]
        )
        changes = {key: [None, value] for key, value in snapshot(current, HANDLING_FIELDS).items()}
        record(actor=actor, action=AuditAction.CREATE, instance=current, changes=changes, unit=unit)
        return current
    if not handled and current is not None:
        changes = {key: [value, None] for key, value in snapshot(current, HANDLING_FIELDS).items()}
        record(actor=actor, action=AuditAction.DELETE, instance=current, changes=changes, unit=unit)
        current.delete()
        return None
    return current
