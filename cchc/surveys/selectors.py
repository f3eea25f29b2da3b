"""Reads of questionnaires: a version's questions in form order, its content as a spec, the versions to show."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cchc.indicators.models import Indicator, Target
from cchc.indicators.selectors import (
    PublishedIndicator,
    Status,
    published_values,
    status_of,
    target_in_force,
    target_value,
)
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import SEGMENT_WIDTH, Unit, subtree_condition
from cchc.procedures.kpis import kpis_for

from .counts import SCALE_SLOTS, SLOTS
from .models import (
    COMMENT_KINDS,
    RESPONDENT_GROUP_CODE,
    Answer,
    AnswerCount,
    Channel,
    Choice,
    CollectionPoint,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireVersion,
    Response,
    ResponseCount,
    Section,
    VersionState,
)
from .results import (
    SCORED_KINDS,
    IndexResult,
    QuestionShape,
    ResultsRules,
    SectionShape,
    index_only,
    recommended_sample,
    satisfaction_index,
)
from .specs import ChoiceSpec, QuestionnaireSpec, QuestionSpec, SectionSpec


def ordered_questions(version: QuestionnaireVersion) -> list[Question]:
    """The questions of ``version`` in the order a respondent meets them, with their choices and conditions."""
    return list(
        version.questions.select_related("section", "condition_question")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")))
        .order_by("section__order", "section__pk", "order", "pk")
    )


def question_numbers(questions: list[Question]) -> dict[int, int]:
    """The number a respondent reads before each question to answer (notes are not numbered), from 1."""
    answerable = [question for question in questions if question.kind != QuestionKind.NOTE]
    return {question.pk: number for number, question in enumerate(answerable, start=1)}


@dataclass
class SectionView:
    section: Section
    questions: list[Question] = field(default_factory=list)


def sections_of(version: QuestionnaireVersion) -> list[SectionView]:
    """The sections of ``version`` with their questions (empty sections included), for the preview and the editor."""
    views = [SectionView(section) for section in version.sections.order_by("order", "pk")]
    by_pk = {view.section.pk: view for view in views}
    for question in ordered_questions(version):
        by_pk[question.section_id].questions.append(question)
    return views


def preview_sections(version: QuestionnaireVersion) -> list[SectionView]:
    """:func:`sections_of` with what the preview shows instead of codes: each question's ``number`` (as the form
    numbers it; ``None`` for a note) and, for a conditional question, ``condition_number`` and ``condition_label``
    (the label of the value that shows it)."""
    views = sections_of(version)
    questions = [question for view in views for question in view.questions]
    numbers = question_numbers(questions)
    by_pk = {question.pk: question for question in questions}
    for question in questions:
        question.number = numbers.get(question.pk)  # type: ignore[attr-defined]
        condition = by_pk.get(question.condition_question_id) if question.condition_question_id else None
        if condition is not None:
            labels = {choice.value: choice.label for choice in condition.choices.all()}
            question.condition_number = numbers.get(condition.pk)  # type: ignore[attr-defined]
            question.condition_label = labels.get(question.condition_value, question.condition_value)  # type: ignore[attr-defined]
    return views


def spec_of(version: QuestionnaireVersion) -> QuestionnaireSpec:
    """The content of ``version`` as plain data (see :mod:`cchc.surveys.specs`)."""
    questionnaire = version.questionnaire
    sections = []
    for view in sections_of(version):
        questions = []
        for question in view.questions:
            target = question.condition_question
            questions.append(
                QuestionSpec(
                    code=question.code,
                    text=question.text,
                    kind=question.kind,
                    required=question.required,
                    hint=question.hint,
                    condition=(target.code, question.condition_value) if target is not None else None,
                    weight=question.weight,
                    choices=[ChoiceSpec(value=choice.value, label=choice.label) for choice in question.choices.all()],
                )
            )
        sections.append(SectionSpec(title=view.section.title, weight=view.section.weight, questions=questions))
    return QuestionnaireSpec(
        code=questionnaire.code,
        title=questionnaire.title,
        kind=questionnaire.kind,
        source_note=questionnaire.source_note,
        sections=sections,
    )


def current_version(questionnaire: Questionnaire, *, include_draft: bool) -> QuestionnaireVersion | None:
    """The version a reader sees first: the draft (for those who edit), else the published, else the latest."""
    versions = questionnaire.versions.order_by("-number")
    if include_draft and (draft := versions.filter(state=VersionState.DRAFT).first()) is not None:
        return draft
    published = versions.filter(state=VersionState.PUBLISHED).first()
    if published is not None:
        return published
    return versions.exclude(state=VersionState.DRAFT).first() if not include_draft else versions.first()


def visible_versions(questionnaire: Questionnaire, *, include_draft: bool) -> QuerySet[QuestionnaireVersion]:
    versions = questionnaire.versions.order_by("-number")
    return versions if include_draft else versions.exclude(state=VersionState.DRAFT)


@dataclass
class UnitCounts:
    unit_id: int
    unit_name: str
    total: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)

    def channel_cells(self) -> list[int]:
        return [self.by_channel.get(channel, 0) for channel in Channel.values]


@dataclass
class CollectionSummary:
    """How many responses came in, by unit and channel, and by day (the last days first)."""

    total: int
    units: list[UnitCounts]
    channel_totals: list[int]
    days: list[tuple[datetime.date, int]]
    channels: list[str] = field(default_factory=lambda: [str(label) for label in Channel.labels])


def counts_scope(responses: QuerySet[Response]) -> Q | None:
    """The condition on the counts (``AnswerCount``, ``ResponseCount``) that keeps what ``responses`` keeps; ``None``
    when it keeps nothing.

    ``responses`` is a reader's scope as :mod:`cchc.surveys.access` gives it: the responses to questionnaires about
    units, limited by questionnaire and by unit only. The condition keeps the counts of the questionnaires and units
    that ``responses`` holds (two small subqueries probing the response index once per questionnaire and unit, never
    a pass over the responses). Anything else (a period, a channel) is given in a :class:`ResultsFilter`.
    """
    if responses.query.is_empty():
        return None
    units = Unit.objects.filter(Exists(responses.filter(unit=OuterRef("pk")))).values("pk")
    questionnaires = Questionnaire.objects.filter(Exists(responses.filter(questionnaire=OuterRef("pk")))).values("pk")
    return Q(unit__in=units, questionnaire__in=questionnaires)


def collection_summary(responses: QuerySet[Response], *, days: int = 31) -> CollectionSummary:
    """Counts of ``responses`` (a reader's scope, see :func:`counts_scope`) by unit, channel and day (the last
    ``days`` days, today included), read from the response counts."""
    units: dict[int, UnitCounts] = {}
    channel_totals = dict.fromkeys(Channel.values, 0)
    scope = counts_scope(responses)
    if scope is None:
        return CollectionSummary(total=0, units=[], channel_totals=[0] * len(Channel.values), days=[])
    counted = ResponseCount.objects.filter(scope)
    rows = counted.values("unit_id", "unit__name", "channel").annotate(n=Sum("count")).order_by("unit__name")
    for row in rows:
        counts = units.setdefault(row["unit_id"], UnitCounts(row["unit_id"], row["unit__name"]))
        counts.by_channel[row["channel"]] = counts.by_channel.get(row["channel"], 0) + row["n"]
        counts.total += row["n"]
        channel_totals[row["channel"]] = channel_totals.get(row["channel"], 0) + row["n"]
    since = timezone.localdate() - datetime.timedelta(days=days)
    per_day = counted.filter(day__gt=since).values("day").annotate(n=Sum("count")).order_by("-day")
    return CollectionSummary(
        total=sum(counts.total for counts in units.values()),
        units=list(units.values()),
        channel_totals=[channel_totals[channel] for channel in Channel.values],
        days=[(row["day"], row["n"]) for row in per_day],
    )


# ---------------------------------------------------------------------------
# Results: the counts behind the index, counted by the database


@dataclass(frozen=True)
class ResultsFilter:
    """What the results are computed over; empty fields do not filter. ``unit`` means its whole subtree."""

    period: Period | None = None
    unit: Unit | None = None
    channels: tuple[str, ...] = ()
    group: str = ""


def period_bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of ``period`` and the first moment after it, in the current time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


def filtered_responses(responses: QuerySet[Response], where: ResultsFilter) -> QuerySet[Response]:
    """``responses`` (already limited to what the reader may see) narrowed to the period, subtree, channels, group."""
    if where.period is not None:
        start, end = period_bounds(where.period)
        responses = responses.filter(submitted_at__gte=start, submitted_at__lt=end)
    if where.unit is not None:
        responses = responses.filter(subtree_condition([where.unit.path], "unit"))
    if where.channels:
        responses = responses.filter(channel__in=where.channels)
    if where.group:
        responses = responses.filter(respondent_group=where.group)
    return responses


def shape_of(version: QuestionnaireVersion) -> tuple[SectionShape, ...]:
    """The sections and questions of ``version`` with their weights, as the index formula reads them."""
    return tuple(
        SectionShape(
            title=view.section.title,
            weight=view.section.weight,
            questions=tuple(
                QuestionShape(code=question.code, text=question.text, kind=question.kind, weight=question.weight)
                for question in view.questions
            ),
        )
        for view in sections_of(version)
    )


def results_version(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    """The version whose structure the results follow: the published one, else the latest released one."""
    return current_version(questionnaire, include_draft=False)


# The groupings of the breakdowns: name → the response column grouped by.
BREAKDOWN_COLUMNS = {
    "unit": "response__unit_id",
    "channel": "response__channel",
    "group": "response__respondent_group",
    "month": "month",
}


def _scored_answers(responses: QuerySet[Response], period: Period | None = None) -> QuerySet[Answer]:
    answers = Answer.objects.filter(response__in=responses.values("pk"), question__kind__in=SCORED_KINDS).exclude(
        choice_value=""
    )
    if period is not None:
        # The answers' own copy of the time, so that PostgreSQL reads only the period's yearly partitions.
        start, end = period_bounds(period)
        answers = answers.filter(submitted_at__gte=start, submitted_at__lt=end)
    return answers


def answer_counts(responses: QuerySet[Response], *, period: Period | None = None) -> dict[str, dict[str, int]]:
    """The number of answers per question code and value among ``responses`` (one grouped query); ``period``, when
    the responses are limited to one, lets the answers be read from that period's partitions only."""
    counts: dict[str, dict[str, int]] = {}
    rows = (
        _scored_answers(responses, period).values("question__code", "choice_value").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        counts.setdefault(row["question__code"], {})[row["choice_value"]] = row["n"]
    return counts


def grouped_answer_counts(responses: QuerySet[Response], by: str) -> dict[Any, dict[str, dict[str, int]]]:
    """``answer_counts`` for each value of a breakdown column (``BREAKDOWN_COLUMNS``), in one grouped query."""
    column = BREAKDOWN_COLUMNS[by]
    answers = _scored_answers(responses)
    if by == "month":
        answers = answers.annotate(month=TruncMonth("response__submitted_at", tzinfo=timezone.get_current_timezone()))
    rows = answers.values(column, "question__code", "choice_value").annotate(n=Count("pk")).order_by()
    grouped: dict[Any, dict[str, dict[str, int]]] = {}
    for row in rows:
        key = row[column]
        if by == "month":
            key = key.date() if isinstance(key, datetime.datetime) else key
        grouped.setdefault(key, {}).setdefault(row["question__code"], {})[row["choice_value"]] = row["n"]
    return grouped


def grouped_response_counts(responses: QuerySet[Response], by: str) -> dict[Any, int]:
    """The number of responses for each value of a breakdown column, in one grouped query."""
    column = BREAKDOWN_COLUMNS[by].removeprefix("response__")
    if by == "month":
        responses = responses.annotate(month=TruncMonth("submitted_at", tzinfo=timezone.get_current_timezone()))
    counts = {}
    for row in responses.values(column).annotate(n=Count("pk")).order_by():
        key = row[column]
        if by == "month":
            key = key.date() if isinstance(key, datetime.datetime) else key
        counts[key] = row["n"]
    return counts


# The questions the results page reads from the counts: the scored ones (the index) and the yes/no ones (beside it).
RESULT_KINDS = (*SCORED_KINDS, QuestionKind.YES_NO)
# The columns of the counts the breakdowns group by.
COUNT_COLUMNS = {"unit": "unit_id", "channel": "channel", "group": "respondent_group", "month": "month"}


def _narrowed(counts: QuerySet[Any], where: ResultsFilter, *, by_day: bool) -> QuerySet[Any]:
    if where.period is not None:
        column = "day" if by_day else "month"
        counts = counts.filter(**{f"{column}__gte": where.period.start, f"{column}__lte": where.period.end})
    if where.unit is not None:
        counts = counts.filter(subtree_condition([where.unit.path], "unit"))
    if where.channels:
        counts = counts.filter(channel__in=where.channels)
    if where.group:
        counts = counts.filter(respondent_group=where.group)
    return counts


def counted_answers(
    questionnaire: Questionnaire,
    responses: QuerySet[Response],
    where: ResultsFilter,
    kinds: tuple[str, ...] = SCORED_KINDS,
    *,
    questions: Iterable[int] | None = None,
) -> QuerySet[AnswerCount]:
    """The answer counts of the questions of ``kinds`` (the scored ones unless given; or of the ids ``questions``
    when the caller has listed them) of ``questionnaire`` within ``responses`` (a reader's scope, see
    :func:`counts_scope`) and ``where``."""
    scope = counts_scope(responses)
    if scope is None:
        return AnswerCount.objects.none()
    counts = AnswerCount.objects.filter(scope, questionnaire=questionnaire)
    counts = counts.filter(question__kind__in=kinds) if questions is None else counts.filter(question_id__in=questions)
    return _narrowed(counts, where, by_day=False)


def counted_responses(
    questionnaire: Questionnaire, responses: QuerySet[Response], where: ResultsFilter
) -> QuerySet[ResponseCount]:
    """The response counts of ``questionnaire`` within ``responses`` (a reader's scope) and ``where``."""
    scope = counts_scope(responses)
    if scope is None:
        return ResponseCount.objects.none()
    return _narrowed(ResponseCount.objects.filter(scope, questionnaire=questionnaire), where, by_day=True)


def _summed_counts(
    questionnaire: Questionnaire, responses: QuerySet[Response], where: ResultsFilter, by: str, kinds: tuple[str, ...]
) -> tuple[dict[Any, dict[str, dict[str, int]]], dict[str, dict[str, int]]]:
    """The answers to the questions of ``kinds`` summed from the counts in one grouped query: per value of a breakdown
    column (``COUNT_COLUMNS``) and question code, the number of answers per value, for the scored questions; and per
    code and value, whatever the column, for the yes/no questions (shown beside the index, never in it)."""
    column = COUNT_COLUMNS[by]
    # The questions of every version, listed first (a short query): the counts are then grouped by the question's
    # id alone, with no join, and folded by code (answers to earlier versions count for the code they kept).
    questions = {
        pk: (code, kind)
        for pk, code, kind in Question.objects.filter(version__questionnaire=questionnaire, kind__in=kinds).values_list(
            "pk", "code", "kind"
        )
    }
    rows = (
        counted_answers(questionnaire, responses, where, questions=list(questions))
        .values_list(column, "question_id")
        .annotate(*(Sum(slot) for slot in SLOTS))
        .order_by()
    )
    grouped: dict[Any, dict[str, dict[str, int]]] = {}
    yes_no: dict[str, dict[str, int]] = {}
    values_of = {kind: tuple(slots) for kind, slots in SCALE_SLOTS.items()}
    for key, question_id, *sums in rows:
        code, kind = questions[question_id]
        counts = (yes_no if kind == QuestionKind.YES_NO else grouped.setdefault(key, {})).setdefault(code, {})
        for value, n in zip(values_of.get(kind, ()), sums, strict=False):
            if n:
                counts[value] = counts.get(value, 0) + n
    return grouped, yes_no


def grouped_counted_answers(
    questionnaire: Questionnaire, responses: QuerySet[Response], where: ResultsFilter, by: str
) -> dict[Any, dict[str, dict[str, int]]]:
    """The answers per question code and value for each value of a breakdown column (``COUNT_COLUMNS``), summed from
    the counts in one grouped query; what :func:`grouped_answer_counts` counts from the answers themselves."""
    return _summed_counts(questionnaire, responses, where, by, SCORED_KINDS)[0]


def yes_no_counts(
    questionnaire: Questionnaire, responses: QuerySet[Response], where: ResultsFilter
) -> dict[str, dict[str, int]]:
    """The answers to the yes/no questions of ``questionnaire`` within ``responses`` (a reader's scope, see
    :func:`counts_scope`) and ``where``, per question code and value, summed from the counts in one grouped query
    (yes/no is a fixed scale). They are shown beside the index, never in it."""
    return _summed_counts(questionnaire, responses, where, "channel", (QuestionKind.YES_NO,))[1]


def grouped_counted_responses(
    questionnaire: Questionnaire, responses: QuerySet[Response], where: ResultsFilter, by: str
) -> dict[Any, int]:
    """The number of responses for each value of a breakdown column, summed from the counts in one grouped query."""
    return _summed_responses(questionnaire, responses, where, by)[0]


def _summed_responses(
    questionnaire: Questionnaire, responses: QuerySet[Response], where: ResultsFilter, by: str
) -> tuple[dict[Any, int], int]:
    """The number of responses for each value of a breakdown column and the number of free-text comments among them,
    summed from the response counts in one grouped query."""
    counts = counted_responses(questionnaire, responses, where)
    column = COUNT_COLUMNS[by]
    if by == "month":
        counts = counts.annotate(month=TruncMonth("day"))
    grouped: dict[Any, int] = {}
    comments = 0
    for row in counts.values(column).annotate(n=Sum("count"), c=Sum("comments")).order_by():
        grouped[row[column]] = row["n"]
        comments += row["c"] or 0
    return grouped, comments


def comment_answers(responses: QuerySet[Response]) -> QuerySet[Answer]:
    """The free-text answers (short and long texts) among ``responses``, newest first.

    The text questions are listed first (a short query): filtered by their ids, the database estimates from its
    statistics how few answers are texts and reads them by the question index instead of joining every answer."""
    texts = Question.objects.filter(kind__in=COMMENT_KINDS).values_list("pk")
    return (
        Answer.objects.filter(response__in=responses.values("pk"), question_id__in=[pk for (pk,) in texts])
        .exclude(text_value="")
        .select_related("question", "response__unit", "handling")
        .order_by("-response__submitted_at", "-pk")
    )


# Indicator codes the results are published under (and whose targets they are compared with): regular surveys at the
# counter and online, and ad-hoc surveys. ``sipas.satisfaction`` is the code the PAR criteria “from survey” read.
REGULAR_CODE = "sipas.satisfaction"
ADHOC_CODE = "sipas.satisfaction_adhoc"
REGULAR_CHANNELS = (Channel.COUNTER, Channel.ONLINE)


def indicator_code_for(channels: tuple[str, ...]) -> str:
    """The indicator a result is compared with: ad-hoc surveys alone have their own target, all else the regular."""
    return ADHOC_CODE if channels and set(channels) <= {Channel.ADHOC} else REGULAR_CODE


def dossiers_received(unit: Unit | None, period: Period | None) -> int | None:
    """The unit's number of dossiers received in the period (N of the recommended sample), when known."""
    if unit is None or period is None:
        return None
    received = kpis_for(unit, period).received
    return int(received) if received else None


@dataclass
class BreakdownRow:
    key: Any
    label: str
    responses: int
    index: float | None
    target: Decimal | None = None
    status: str = Status.NO_TARGET

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])


@dataclass
class ResultsReport:
    """The results of a questionnaire over one filter: the index with its target, per element and question."""

    questionnaire: Questionnaire
    version: QuestionnaireVersion
    where: ResultsFilter
    result: IndexResult
    responses: int
    population: int | None
    recommended: int | None
    indicator_code: str
    target: Decimal | None
    status: str
    book: TargetBook
    # The sections and questions of ``version`` (:func:`shape_of`), read once for the report and its breakdowns.
    shape: tuple[SectionShape, ...] = ()
    # The answers to the yes/no questions over the same filter (:func:`yes_no_counts`), code → value → n.
    yes_no: dict[str, dict[str, int]] = field(default_factory=dict)
    # The free-text comments among the responses of the filter (summed with their number by
    # :func:`results_with_breakdown`; ``None`` when not summed).
    comments: int | None = None

    @property
    def below_recommended(self) -> bool:
        return self.recommended is not None and self.responses < self.recommended

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status])


def _status(index: float | None, target: Decimal | None) -> str:
    if index is None:
        return Status.NO_TARGET
    return status_of(Decimal(str(round(index, 2))), target, higher_is_better=True)


class TargetBook:
    """The targets of the satisfaction indicators, read once (two queries) and looked up for any unit and year."""

    def __init__(self) -> None:
        self.indicators = {i.code: i for i in Indicator.objects.filter(code__in=(REGULAR_CODE, ADHOC_CODE))}
        self.targets: dict[int, list[Target]] = {}
        for target in Target.objects.filter(indicator__in=self.indicators.values()):
            self.targets.setdefault(target.indicator_id, []).append(target)
        self._root: Unit | None = None

    def target(self, code: str, unit: Unit | None, year: int) -> Decimal | None:
        indicator = self.indicators.get(code)
        if indicator is None:
            return None
        if unit is None:
            if self._root is None:
                self._root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
            unit = self._root
            if unit is None:
                return None
        targets = [t for t in self.targets.get(indicator.pk, []) if t.year <= year]
        return target_value(target_in_force(targets, indicator, unit, year), indicator, year)


def results_report(
    questionnaire: Questionnaire,
    responses: QuerySet[Response],
    where: ResultsFilter,
    *,
    rules: ResultsRules | None = None,
    population: int | None = None,
    counts: dict[str, dict[str, int]] | None = None,
    size: int | None = None,
    yes_no: dict[str, dict[str, int]] | None = None,
    version: QuestionnaireVersion | None = None,
) -> ResultsReport | None:
    """The results of ``responses`` (scoped to the reader) filtered by ``where``; ``None`` without a released version.

    ``population`` (N) defaults to the dossiers the filtered unit received in the filtered period. ``counts``,
    ``yes_no`` and ``size`` (the answer counts of the scored and of the yes/no questions, and the number of the
    filtered responses) are summed from the counts kept as responses come in (:mod:`cchc.surveys.counts`) unless the
    caller has them; ``responses`` is a reader's scope (see :func:`counts_scope`). ``version`` is
    :func:`results_version` unless the caller has read it.
    """
    version = version or results_version(questionnaire)
    if version is None:
        return None
    rules = rules or ResultsRules()
    if counts is None or yes_no is None:
        grouped, summed_yes_no = _summed_counts(questionnaire, responses, where, "channel", RESULT_KINDS)
        counts = _merged(grouped.values()) if counts is None else counts
        yes_no = summed_yes_no if yes_no is None else yes_no
    if size is None:
        size = sum(grouped_counted_responses(questionnaire, responses, where, "channel").values())
    shape = shape_of(version)
    result = satisfaction_index(shape, counts, rules)
    if population is None:
        population = dossiers_received(where.unit, where.period)
    code = indicator_code_for(where.channels)
    year = where.period.year if where.period else timezone.localdate().year
    book = TargetBook()
    target = book.target(code, where.unit or questionnaire.owner, year)
    return ResultsReport(
        book=book,
        questionnaire=questionnaire,
        version=version,
        where=where,
        result=result,
        responses=size,
        population=population,
        recommended=recommended_sample(population, rules.margin),
        indicator_code=code,
        target=target,
        status=_status(result.index, target),
        shape=shape,
        yes_no=yes_no,
    )


def _unit_groups(parent: Unit | None, unit_ids: set[int]) -> tuple[dict[int, Unit], dict[int, int]]:
    """The units a unit breakdown shows (the children of ``parent``, or the units answered about when there is no
    parent) and, for each unit answered about, the shown unit whose subtree holds it."""
    if parent is None:
        units = {unit.pk: unit for unit in Unit.objects.filter(pk__in=unit_ids)}
        return units, {pk: pk for pk in units}
    children = list(Unit.objects.filter(parent=parent).order_by("name"))
    shown = {child.pk: child for child in children}
    # A path is its ancestors' paths followed by its own segment: a unit lies under the child whose path starts it.
    child_by_path = {child.path: child.pk for child in children}
    width = len(parent.path) + SEGMENT_WIDTH
    owner = {}
    for pk, path in Unit.objects.filter(pk__in=unit_ids).values_list("pk", "path"):
        if pk == parent.pk:
            shown[parent.pk] = parent
            owner[pk] = parent.pk
        elif (child := child_by_path.get(path[:width])) is not None:
            owner[pk] = child
    return shown, owner


def _merge(into: dict[str, dict[str, int]], counts: dict[str, dict[str, int]]) -> None:
    for code, values in counts.items():
        target = into.setdefault(code, {})
        for value, n in values.items():
            target[value] = target.get(value, 0) + n


def _merged(parts: Iterable[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for part in parts:
        _merge(counts, part)
    return counts


def results_with_breakdown(
    questionnaire: Questionnaire,
    responses: QuerySet[Response],
    where: ResultsFilter,
    by: str,
    *,
    period_kind: PeriodKind = PeriodKind.MONTH,
) -> tuple[ResultsReport | None, list[BreakdownRow]]:
    """:func:`results_report` and :func:`results_breakdown` together, for the results page: the totals are the sums
    of the grouped counts, so the counts are summed once (two grouped queries in all: the answers of the scored and the
    yes/no questions, the responses)."""
    version = results_version(questionnaire)
    if version is None:
        return None, []
    grouped, yes_no = _summed_counts(questionnaire, responses, where, by, RESULT_KINDS)
    sizes, comments = _summed_responses(questionnaire, responses, where, by)
    report = results_report(
        questionnaire,
        responses,
        where,
        counts=_merged(grouped.values()),
        size=sum(sizes.values()),
        yes_no=yes_no,
        version=version,
    )
    if report is None:
        return None, []
    report.comments = comments
    return report, results_breakdown(report, responses, by, period_kind=period_kind, grouped=(grouped, sizes))


def results_breakdown(
    report: ResultsReport,
    responses: QuerySet[Response],
    by: str,
    *,
    period_kind: PeriodKind = PeriodKind.MONTH,
    grouped: tuple[dict[Any, dict[str, dict[str, int]]], dict[Any, int]] | None = None,
) -> list[BreakdownRow]:
    """The index of ``report``'s filter broken down by unit (the subtrees under the filtered unit), channel, period
    (months folded into ``period_kind``) or respondent group — two grouped queries over the counts whatever the number
    of answers (none when ``grouped``, the answer and response counts by the breakdown column, is given)."""
    if grouped is None:
        questionnaire, where = report.questionnaire, report.where
        counts = grouped_counted_answers(questionnaire, responses, where, by)
        sizes = grouped_counted_responses(questionnaire, responses, where, by)
    else:
        counts, sizes = grouped
    shape = report.shape or shape_of(report.version)
    year = report.where.period.year if report.where.period else timezone.localdate().year
    labels: dict[Any, str] = {}
    folded_counts: dict[Any, dict[str, dict[str, int]]] = {}
    folded_sizes: dict[Any, int] = {}
    units: dict[int, Unit] = {}
    mapping: dict[Any, Any]
    if by == "unit":
        units, owner = _unit_groups(report.where.unit, set(sizes))
        mapping = {key: owner.get(key) for key in sizes}
        labels = {pk: unit.name for pk, unit in units.items()}
    elif by == "month":
        periods = {key: Period.containing(key, period_kind) for key in sizes}
        mapping = dict(periods)
        labels = {period: period.label for period in periods.values()}
    elif by == "channel":
        mapping = {key: key for key in sizes}
        labels = {value: str(label) for value, label in Channel.choices}
    else:
        mapping = {key: key for key in sizes}
    sources: dict[Any, list[Any]] = {}
    for key, n in sizes.items():
        shown = mapping.get(key)
        if shown is None:
            continue
        folded_sizes[shown] = folded_sizes.get(shown, 0) + n
        sources.setdefault(shown, []).append(key)
    for shown, keys in sources.items():
        # A row of one source reads its counts as they are; only rows folding several sum them.
        folded_counts[shown] = counts.get(keys[0], {}) if len(keys) == 1 else _merged(counts.get(k, {}) for k in keys)
    rules = ResultsRules()
    rows = []
    for key, n in folded_sizes.items():
        index = index_only(shape, folded_counts.get(key, {}), rules)
        code = ADHOC_CODE if by == "channel" and key == Channel.ADHOC else report.indicator_code
        target_unit = units.get(key) if by == "unit" else report.where.unit or report.questionnaire.owner
        target = report.book.target(code, target_unit, key.year if by == "month" else year)
        rows.append(
            BreakdownRow(
                key=key,
                label=labels.get(key, str(key) or "—"),
                responses=n,
                index=index,
                target=target,
                status=_status(index, target),
            )
        )
    rows.sort(key=lambda row: row.key if by == "month" else row.label)
    return rows


def respondent_groups(version: QuestionnaireVersion) -> dict[str, str]:
    """The respondent groups the questionnaire asks for (question ``nhom_doi_tuong``), value → label; empty without."""
    rows = Choice.objects.filter(question__version=version, question__code=RESPONDENT_GROUP_CODE).order_by(
        "order", "pk"
    )
    return dict(rows.values_list("value", "label"))


# ---------------------------------------------------------------------------
# The public page (no login)

# The channels whose links anyone may be given: the online survey and ad-hoc surveys (a counter's link is for the
# tablet at the desk, an invited respondent's link is personal).
PUBLIC_CHANNELS = (Channel.ONLINE, Channel.ADHOC)


def published_satisfaction(*, within: Unit | None = None) -> list[PublishedIndicator]:
    """The satisfaction indices as published into the indicator store (accepted values, latest period), regular
    surveys first; an index never published is left out. ``within``: only that unit's subtree."""
    indicators = {
        indicator.code: indicator for indicator in Indicator.objects.filter(code__in=[REGULAR_CODE, ADHOC_CODE])
    }
    found = [
        published_values(indicators[code], within=within) for code in (REGULAR_CODE, ADHOC_CODE) if code in indicators
    ]
    return [item for item in found if item.rows]


@dataclass(frozen=True)
class OpenSurvey:
    title: str
    unit_name: str
    channel_label: str
    token: str
    closes_on: datetime.date | None


def open_public_surveys(today: datetime.date | None = None, *, within: Unit | None = None) -> list[OpenSurvey]:
    """The survey links open to anyone today: active, within their dates, on a questionnaire with a published
    version (a draft or closed questionnaire has no open link), online or ad-hoc; ``within``: only the links of that
    unit's subtree."""
    today = today or timezone.localdate()
    published = QuestionnaireVersion.objects.filter(
        questionnaire=OuterRef("questionnaire"), state=VersionState.PUBLISHED
    )
    points = (
        CollectionPoint.objects.filter(active=True, channel__in=PUBLIC_CHANNELS)
        .filter(Q(opens_on__isnull=True) | Q(opens_on__lte=today), Q(closes_on__isnull=True) | Q(closes_on__gte=today))
        .filter(Exists(published))
        .filter(subtree_condition([within.path], "unit") if within is not None else Q())
        .select_related("questionnaire", "unit")
        .order_by("questionnaire__title", "unit__name", "pk")
    )
    return [
        OpenSurvey(
            title=point.questionnaire.title,
            unit_name=point.unit.name,
            channel_label=str(point.get_channel_display()),
            token=point.token,
            closes_on=point.closes_on,
        )
        for point in points
    ]


def open_public_surveys_version(today: datetime.date | None = None) -> tuple[object, ...]:
    """What changes whenever the list of open links changes (links, their dates, published versions, the day)."""
    today = today or timezone.localdate()
    points = tuple(
        CollectionPoint.objects.filter(channel__in=PUBLIC_CHANNELS)
        .order_by("pk")
        .values_list("pk", "active", "opens_on", "closes_on", "questionnaire__title")
    )
    versions = tuple(QuestionnaireVersion.objects.order_by("pk").values_list("pk", "state"))
    return today, points, versions


@dataclass(frozen=True)
class SatisfactionRow:
    """One satisfaction questionnaire's regular-survey result for a unit subtree and period, with its target."""

    questionnaire: Questionnaire
    responses: int
    index: float | None
    target: Decimal | None
    status: str


def satisfaction_for(unit: Unit, period: Period) -> list[SatisfactionRow]:
    """The satisfaction index of each SIPAS questionnaire answered about ``unit`` (with its subtree) in ``period``,
    over the regular channels (at the counter and online), as the results page computes it."""
    where = ResultsFilter(period, unit, REGULAR_CHANNELS)
    responses = Response.objects.all()
    rows = []
    questionnaires = Questionnaire.objects.filter(
        kind=QuestionnaireKind.SIPAS,
        pk__in=filtered_responses(Response.objects.all(), where).values("questionnaire_id"),
    ).order_by("title", "pk")
    for questionnaire in questionnaires:
        report = results_report(questionnaire, responses.filter(questionnaire=questionnaire), where, population=0)
        if report is None:
            continue
        rows.append(
            SatisfactionRow(
                questionnaire=questionnaire,
                responses=report.responses,
                index=report.result.index,
                target=report.target,
                status=report.status,
            )
        )
    return rows
