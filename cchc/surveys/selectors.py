"""Reads of questionnaires: a version's questions in form order, its content as a spec, the versions to show."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from .models import Choice, Question, Questionnaire, QuestionnaireVersion, Section, VersionState
from .specs import ChoiceSpec, QuestionnaireSpec, QuestionSpec, SectionSpec


def ordered_questions(version: QuestionnaireVersion) -> list[Question]:
    """The questions of ``version`` in the order a respondent meets them, with their choices and conditions."""
    return list(
        version.questions.select_related("section", "condition_question")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")))
        .order_by("section__order", "section__pk", "order", "pk")
    )


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
