"""The shipped questionnaires: their shape as the sources describe it, their sources, and an idempotent install."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from cchc.surveys.models import Choice, QuestionKind, Questionnaire, VersionState
from cchc.surveys.selectors import ordered_questions
from cchc.surveys.templates_catalogue import TEMPLATES, ensure_templates

pytestmark = pytest.mark.django_db


def _version(code: str):  # type: ignore[no-untyped-def]
    return Questionnaire.objects.get(code=code).versions.get()


def test_every_template_is_installed_published_and_names_its_source() -> None:
    created = ensure_templates()
    assert {questionnaire.code for questionnaire in created} == set(TEMPLATES)
    for questionnaire in created:
        version = questionnaire.versions.get()
        assert version.state == VersionState.PUBLISHED
        assert questionnaire.is_template and questionnaire.owner is None
        assert questionnaire.source_note.startswith("Nguồn")


def test_installing_again_creates_nothing_and_keeps_edits() -> None:
    ensure_templates()
    Questionnaire.objects.filter(code="sipas-2640").update(title="Đã sửa")
    assert ensure_templates() == []
    assert Questionnaire.objects.get(code="sipas-2640").title == "Đã sửa"
    assert Questionnaire.objects.count() == len(TEMPLATES)


def test_the_sipas_model_has_five_elements_and_twenty_two_criteria_marked_uncertain() -> None:
    ensure_templates()
    version = _version("sipas-2640")
    satisfaction = [q for q in ordered_questions(version) if q.kind == QuestionKind.SATISFACTION5]
    assert len(satisfaction) == 22
    counts = [section.questions.filter(kind=QuestionKind.SATISFACTION5).count() for section in version.sections.all()]
    assert counts[:5] == [4, 5, 6, 3, 4]
    assert "CHƯA đối chiếu" in version.questionnaire.source_note


def test_the_household_questionnaire_has_thirty_three_satisfaction_items() -> None:
    ensure_templates()
    version = _version("sipas-ho-gia-dinh-2022")
    assert version.questions.filter(kind=QuestionKind.SATISFACTION5).count() == 33
    assert version.questions.get(code="c2_kenh").kind == QuestionKind.MULTIPLE
    assert "KHÔNG phải bản PDF chính thức" in version.questionnaire.source_note


def test_the_dossier_evaluation_asks_for_the_dossier_code_and_nine_point_scales() -> None:
    ensure_templates()
    questions = ordered_questions(_version("danh-gia-ho-so-9-chi-so"))
    assert questions[0].code == "ma_ho_so" and questions[0].required
    points = [q for q in questions if q.kind == QuestionKind.POINTS012]
    assert len(points) == 9
    assert list(points[0].choices.values_list("value", flat=True)) == ["2", "1", "0"]


def test_the_counter_survey_is_short() -> None:
    ensure_templates()
    assert 4 <= _version("khao-sat-nhanh-tai-quay").questions.count() <= 6


def test_the_officials_survey_asks_the_respondent_group_and_offers_a_to_d() -> None:
    ensure_templates()
    version = _version("dieu-tra-xa-hoi-hoc-cchc")
    assert ordered_questions(version)[0].code == "nhom_doi_tuong"
    options = version.questions.filter(kind=QuestionKind.OPTIONS_AD)
    assert options.count() == 8
    assert list(Choice.objects.filter(question=options.first()).values_list("value", flat=True)) == list("ABCD")


def test_the_command_reports_in_vietnamese() -> None:
    out = StringIO()
    call_command("ensure_survey_templates", stdout=out)
    call_command("ensure_survey_templates", stdout=out)
    assert "5 phiếu mới" in out.getvalue() and "0 phiếu mới" in out.getvalue()
