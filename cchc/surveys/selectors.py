"""Reads of questionnaires: a version's questions in form order, its content as a spec, the versions to show."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import (
    Channel,
    Choice,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Section,
    VersionState,
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


def collection_summary(responses: QuerySet[Response], *, days: int = 31) -> CollectionSummary:
    """Counts of ``responses`` (already limited to what the reader may see) by unit, channel and day."""
    units: dict[int, UnitCounts] = {}
    rows = responses.values("unit_id", "unit__name", "channel").annotate(n=Count("pk")).order_by("unit__name")
    channel_totals = dict.fromkeys(Channel.values, 0)
    for row in rows:
        counts = units.setdefault(row["unit_id"], UnitCounts(row["unit_id"], row["unit__name"]))
        counts.by_channel[row["channel"]] = row["n"]
        counts.total += row["n"]
        channel_totals[row["channel"]] = channel_totals.get(row["channel"], 0) + row["n"]
    since = timezone.now() - datetime.timedelta(days=days)
    per_day = (
        responses.filter(submitted_at__gte=since)
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("-day")
    )
    return CollectionSummary(
        total=sum(counts.total for counts in units.values()),
        units=list(units.values()),
        channel_totals=[channel_totals[channel] for channel in Channel.values],
        days=[(row["day"], row["n"]) for row in per_day],
    )
