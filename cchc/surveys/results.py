"""Satisfaction results: the index formula, in one place, and the figures shown beside it.

The formula (see ``docs/surveys.md``, section “Kết quả”) is :func:`satisfaction_index`. It works on the counts of
answers per question and value, never on answers one by one, so that the database does the counting (``GROUP BY``,
:mod:`cchc.surveys.selectors`) however many responses there are:

* a question's **score** (0–100):

  - 5-level satisfaction: the share of satisfied answers, “hài lòng” (4) + “rất hài lòng” (5), among the valid
    answers 1–5, in per cent — with its 95 % Wilson interval and the mean on the 1–5 scale;
  - 0/1/2 points (per-dossier evaluation): the points obtained as a share of the maximum (2 per answer);
  - A–D options (officials' survey): the mean of the points each option is worth, by default
    A = 100 %, B = 60 %, C = 20 %, D = 0 % (:data:`DEFAULT_OPTION_POINTS`; a deployment sets its own with the
    setting ``CCHC_SURVEY_OPTION_POINTS``, a caller with :class:`ResultsRules`);

* an **element** (section): the mean of its questions' scores weighted by ``Question.weight`` (empty = 1);
* the **index**: the mean of the elements' scores weighted by ``Section.weight``.

Questions or elements without any valid answer, and those of weight 0, are left out of the means (they neither lower
nor raise the index). Other kinds of questions (texts, numbers, single choices …) are not scored.

Results are read by question code against the structure of one version (normally the published one), so answers
given to earlier versions count for the questions that kept their code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from .models import QuestionKind
from .scales import SATISFIED_VALUES

# Points of each option of the officials' survey, in per cent of the item's points (issue 11's default rule; the
# official scoring of each item may differ and is then set per publication).
DEFAULT_OPTION_POINTS: Mapping[str, Decimal] = {"A": Decimal(100), "B": Decimal(60), "C": Decimal(20), "D": Decimal(0)}
SATISFACTION_VALUES = ("1", "2", "3", "4", "5")
POINT_VALUES = ("0", "1", "2")
YES_VALUE, NO_VALUE = "yes", "no"
SCORED_KINDS = (QuestionKind.SATISFACTION5, QuestionKind.POINTS012, QuestionKind.OPTIONS_AD)
# The margin of error of the recommended sample size n = N / (1 + N·e²) (Yamane), and the z of a 95 % interval.
DEFAULT_MARGIN = 0.05
Z95 = 1.959964

# Counts of answers: question code → choice value → number of answers.
Counts = Mapping[str, Mapping[str, int]]


def configured_option_points() -> dict[str, Decimal]:
    """The points of the A–D options: the setting ``CCHC_SURVEY_OPTION_POINTS`` (e.g. ``{"A": 100, "B": 50, "C": 0,
    "D": 0}``) when a deployment sets it, else :data:`DEFAULT_OPTION_POINTS`."""
    configured = getattr(settings, "CCHC_SURVEY_OPTION_POINTS", None) or DEFAULT_OPTION_POINTS
    return {str(option): Decimal(str(points)) for option, points in configured.items()}


@dataclass(frozen=True)
class ResultsRules:
    """The configurable parts of the formula (the official 2023–2026 method is not fully published)."""

    satisfied: frozenset[str] = SATISFIED_VALUES
    option_points: Mapping[str, Decimal] = field(default_factory=configured_option_points)
    margin: float = DEFAULT_MARGIN


@dataclass(frozen=True)
class QuestionShape:
    code: str
    text: str
    kind: str
    weight: Decimal | None = None

    @property
    def effective_weight(self) -> float:
        return 1.0 if self.weight is None else float(self.weight)


@dataclass(frozen=True)
class SectionShape:
    title: str
    weight: Decimal
    questions: tuple[QuestionShape, ...]


@dataclass
class QuestionScore:
    question: QuestionShape
    n: int = 0
    positive: float = 0.0
    score: float | None = None
    mean: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass
class SectionScore:
    section: SectionShape
    questions: list[QuestionScore]
    score: float | None = None


@dataclass
class IndexResult:
    sections: list[SectionScore]
    index: float | None = None

    @property
    def questions(self) -> list[QuestionScore]:
        return [question for section in self.sections for question in section.questions]


def wilson_interval(positive: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a share (in per cent), ``None`` without answers."""
    if n <= 0:
        return None
    p = positive / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half) * 100, min(1.0, centre + half) * 100


def recommended_sample(population: int | None, margin: float = DEFAULT_MARGIN) -> int | None:
    """The minimum number of responses n = N / (1 + N·e²), rounded up; ``None`` when N is unknown or zero."""
    if not population or population <= 0:
        return None
    return math.ceil(population / (1 + population * margin * margin))


def _figures(kind: str, counts: Mapping[str, int], rules: ResultsRules) -> tuple[int, float, float] | None:
    """The number of valid answers, the positive answers (or points as answers) and the score of a question of
    ``kind`` from the counts of its answers by value; ``None`` without a valid answer or for a kind not scored."""
    if kind == QuestionKind.SATISFACTION5:
        n = positive = 0
        for value in SATISFACTION_VALUES:
            if count := counts.get(value, 0):
                n += count
                if value in rules.satisfied:
                    positive += count
        if not n:
            return None
        return n, float(positive), 100 * positive / n
    if kind == QuestionKind.POINTS012:
        n = sum(counts.get(value, 0) for value in POINT_VALUES)
        if not n:
            return None
        points = sum(int(value) * counts.get(value, 0) for value in POINT_VALUES)
        return n, points / 2, 100 * points / (2 * n)
    if kind == QuestionKind.OPTIONS_AD:
        n = sum(count for value, count in counts.items() if value in rules.option_points)
        if not n:
            return None
        worth = sum(
            float(rules.option_points[value]) * count for value, count in counts.items() if value in rules.option_points
        )
        return n, worth / 100, worth / n
    return None


def question_score(question: QuestionShape, counts: Mapping[str, int], rules: ResultsRules) -> QuestionScore:
    """The score of one question from the counts of its answers by value (invalid values are ignored)."""
    result = QuestionScore(question)
    figures = _figures(question.kind, counts, rules)
    if figures is None:
        return result
    result.n, result.positive, result.score = figures
    if question.kind == QuestionKind.SATISFACTION5:
        n = result.n
        result.mean = sum(int(value) * counts.get(value, 0) for value in SATISFACTION_VALUES) / n
        result.ci_low, result.ci_high = wilson_interval(int(result.positive), n) or (None, None)
    elif question.kind == QuestionKind.POINTS012:
        result.mean = sum(int(value) * counts.get(value, 0) for value in POINT_VALUES) / result.n
    return result


def weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    """The mean of the scores weighted by their weights; scores ``None`` and weights 0 are left out."""
    total = weight_sum = 0.0
    for score, weight in pairs:
        if score is None or weight <= 0:
            continue
        total += score * weight
        weight_sum += weight
    return total / weight_sum if weight_sum else None


def satisfaction_index(
    sections: Iterable[SectionShape], counts: Counts, rules: ResultsRules | None = None
) -> IndexResult:
    """The index of a questionnaire from the counts of answers (see the module's docstring for the formula)."""
    rules = rules or ResultsRules()
    scored = []
    for section in sections:
        questions = [
            question_score(question, counts.get(question.code, {}), rules)
            for question in section.questions
            if question.kind in SCORED_KINDS
        ]
        score = weighted_mean((item.score, item.question.effective_weight) for item in questions)
        scored.append(SectionScore(section, questions, score))
    index = weighted_mean((item.score, float(item.section.weight)) for item in scored)
    return IndexResult(scored, index)


def index_only(sections: Iterable[SectionShape], counts: Counts, rules: ResultsRules) -> float | None:
    """The index of :func:`satisfaction_index` (the same figure, computed the same way) without the per-question
    details (means, intervals): what a breakdown row shows, for many rows."""
    empty: Mapping[str, int] = {}
    elements = []
    for section in sections:
        scores = []
        for question in section.questions:
            if question.kind in SCORED_KINDS:
                figures = _figures(question.kind, counts.get(question.code, empty), rules)
                scores.append((None if figures is None else figures[2], question.effective_weight))
        elements.append((weighted_mean(scores), float(section.weight)))
    return weighted_mean(elements)


# ---------------------------------------------------------------------------
# Shown beside the index, not part of it


def question_numbers(sections: Iterable[SectionShape]) -> dict[str, int]:
    """The number a respondent reads before each question (notes are not numbered), by question code."""
    answerable = [q.code for section in sections for q in section.questions if q.kind != QuestionKind.NOTE]
    return {code: number for number, code in enumerate(answerable, start=1)}


@dataclass
class YesNoShare:
    """The share of “Có” among the answers to a yes/no question, with its 95 % Wilson interval. Not scored: a yes
    may be good or bad news depending on the question, so it never enters the index."""

    question: QuestionShape
    number: int | None
    n: int = 0
    yes: int = 0
    share: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None


def yes_no_shares(sections: Iterable[SectionShape], counts: Counts) -> list[YesNoShare]:
    """One :class:`YesNoShare` per yes/no question of ``sections``, in form order (``counts``: code → value → n)."""
    sections = tuple(sections)
    numbers = question_numbers(sections)
    shares = []
    for section in sections:
        for question in section.questions:
            if question.kind != QuestionKind.YES_NO:
                continue
            values = counts.get(question.code, {})
            yes, no = values.get(YES_VALUE, 0), values.get(NO_VALUE, 0)
            share = YesNoShare(question, numbers.get(question.code), n=yes + no, yes=yes)
            if share.n:
                share.share = 100 * yes / share.n
                share.ci_low, share.ci_high = wilson_interval(yes, share.n) or (None, None)
            shares.append(share)
    return shares


def index_interval(result: IndexResult) -> tuple[float, float] | None:
    """A 95 % interval of the index: the index formula applied to the lower, then to the upper, bounds of the
    questions' Wilson intervals, with the same weights and the same questions and elements left out.

    Combining bounds linearly assumes that one respondent's answers move together (full correlation), which gives
    the widest interval any correlation between questions allows: a conservative interval, never too narrow. It is
    given only when every scored question with answers has an interval (5-level satisfaction questions); ``None``
    otherwise, or without answers.
    """
    answered = [question for question in result.questions if question.score is not None]
    if not answered or any(question.ci_low is None or question.ci_high is None for question in answered):
        return None
    bounds = []
    for side in ("ci_low", "ci_high"):
        elements = []
        for section in result.sections:
            score = weighted_mean(
                (getattr(question, side) if question.score is not None else None, question.question.effective_weight)
                for question in section.questions
            )
            elements.append((score, float(section.section.weight)))
        bounds.append(weighted_mean(elements))
    low, high = bounds
    if low is None or high is None:
        return None
    return low, high
