"""Questionnaire services: drafts, sections, questions, choices, publishing rules and versions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cchc.audit.models import AuditEntry
from cchc.lib.errors import ServiceError
from cchc.surveys import services
from cchc.surveys.models import Choice, QuestionKind, QuestionnaireKind, QuestionnaireVersion, VersionState
from cchc.surveys.scales import SATISFACTION5
from cchc.surveys.selectors import current_version, ordered_questions, spec_of
from cchc.surveys.services import QuestionData, QuestionnaireData, SectionData

from .factories import make_questionnaire, small_spec

pytestmark = pytest.mark.django_db


def _draft() -> QuestionnaireVersion:
    questionnaire = services.questionnaire_create(
        actor=None, data=QuestionnaireData(code="moi", title="Phiếu mới", kind=QuestionnaireKind.CUSTOM)
    )
    return questionnaire.versions.get()


def test_a_new_questionnaire_starts_with_an_empty_draft_and_is_audited() -> None:
    version = _draft()
    assert version.number == 1 and version.state == VersionState.DRAFT
    assert AuditEntry.objects.filter(object_id=str(version.questionnaire.pk)).exists()


def test_a_satisfaction_question_gets_the_five_vietnamese_levels() -> None:
    version = _draft()
    section = services.section_add(actor=None, version=version, data=SectionData(title="Tiếp cận dịch vụ"))
    question = services.question_add(
        actor=None, section=section, data=QuestionData(code="q1", text="Nơi ngồi chờ", kind="satisfaction5")
    )
    labels = list(question.choices.values_list("value", "label"))
    assert labels == list(SATISFACTION5)
    assert labels[0][1] == "Rất không hài lòng" and labels[-1][1] == "Rất hài lòng"


def test_question_codes_are_unique_within_a_version() -> None:
    version = _draft()
    section = services.section_add(actor=None, version=version, data=SectionData(title="Phần 1"))
    services.question_add(actor=None, section=section, data=QuestionData(code="q1", text="A", kind="yes_no"))
    with pytest.raises(ServiceError, match="đã có"):
        services.question_add(actor=None, section=section, data=QuestionData(code="Q1", text="B", kind="yes_no"))


@pytest.mark.parametrize("code", ["1abc", "câu_1", "a b", ""])
def test_a_question_code_must_be_an_xlsform_name(code: str) -> None:
    version = _draft()
    section = services.section_add(actor=None, version=version, data=SectionData(title="Phần 1"))
    with pytest.raises(ServiceError):
        services.question_add(actor=None, section=section, data=QuestionData(code=code, text="A", kind="yes_no"))


def test_publishing_an_empty_draft_lists_the_problem() -> None:
    version = _draft()
    services.section_add(actor=None, version=version, data=SectionData(title="Phần trống"))
    problems = services.version_problems(version)
    assert "Phiếu chưa có câu hỏi nào cần trả lời." in problems
    assert "Phần “Phần trống” chưa có câu hỏi." in problems
    with pytest.raises(ServiceError, match="Chưa ban hành được"):
        services.version_publish(actor=None, version=version)
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT


def test_a_condition_must_point_to_an_earlier_question_and_one_of_its_values() -> None:
    version = _draft()
    section = services.section_add(actor=None, version=version, data=SectionData(title="Phần 1"))
    later = services.question_add(
        actor=None, section=section, data=QuestionData(code="a", text="A", kind=QuestionKind.SHORT_TEXT)
    )
    first = services.question_add(actor=None, section=section, data=QuestionData(code="b", text="B", kind="yes_no"))
    services.question_update(
        actor=None,
        question=later,
        data=QuestionData(code="a", text="A", kind="short_text", condition_question=first, condition_value="yes"),
    )
    assert any("đứng trước" in problem for problem in services.version_problems(version))
    services.question_move(actor=None, question=first, direction=services.UP)
    assert services.version_problems(version) == []
    later.refresh_from_db()
    services.question_update(
        actor=None,
        question=later,
        data=QuestionData(code="a", text="A", kind="short_text", condition_question=first, condition_value="maybe"),
    )
    assert any("không có phương án “maybe”" in problem for problem in services.version_problems(version))


def test_a_single_choice_question_needs_two_choices_to_be_published() -> None:
    version = _draft()
    section = services.section_add(actor=None, version=version, data=SectionData(title="Phần 1"))
    question = services.question_add(actor=None, section=section, data=QuestionData(code="k", text="K", kind="single"))
    services.choice_add(actor=None, question=question, value="x", label="X")
    assert any("ít nhất 2 phương án" in problem for problem in services.version_problems(version))
    services.choice_add(actor=None, question=question, value="y", label="Y")
    assert services.version_problems(version) == []
    with pytest.raises(ServiceError, match="đã có"):
        services.choice_add(actor=None, question=question, value="y", label="Lặp")


def test_fixed_scales_refuse_new_choices_but_a_to_d_labels_may_be_reworded() -> None:
    version = _draft()
    section = services.section_add(actor=None, version=version, data=SectionData(title="Phần 1"))
    scale = services.question_add(actor=None, section=section, data=QuestionData(code="s", text="S", kind="points012"))
    with pytest.raises(ServiceError, match="cố định"):
        services.choice_add(actor=None, question=scale, value="3", label="Điểm 3")
    options = services.question_add(
        actor=None, section=section, data=QuestionData(code="o", text="O", kind="options_ad")
    )
    choice = options.choices.get(value="A")
    services.choice_update(actor=None, choice=choice, value="Z", label="Rất tốt")
    choice.refresh_from_db()
    assert (choice.value, choice.label) == ("A", "Rất tốt")


def test_editing_a_published_questionnaire_makes_a_new_draft_and_keeps_the_old_version() -> None:
    questionnaire = make_questionnaire(publish=True)
    published = questionnaire.versions.get()
    before = spec_of(published)
    with pytest.raises(ServiceError, match="tạo phiên bản mới"):
        services.section_add(actor=None, version=published, data=SectionData(title="Thêm"))
    draft = services.version_new_draft(actor=None, questionnaire=questionnaire)
    assert (draft.number, draft.state, draft.based_on) == (2, VersionState.DRAFT, published)
    assert spec_of(draft) == before
    assert services.version_new_draft(actor=None, questionnaire=questionnaire) == draft
    section = draft.sections.get(order=1)
    services.section_update(actor=None, section=section, data=SectionData(title="Đánh giá chung (sửa)", weight="1.5"))
    question = draft.questions.get(code="ly_do")
    assert question.condition_question is not None and question.condition_question.version == draft
    services.version_publish(actor=None, version=draft)
    published.refresh_from_db()
    assert published.state == VersionState.CLOSED and published.closed_at is not None
    assert spec_of(published) == before
    assert current_version(questionnaire, include_draft=False) == draft
    assert draft.sections.get(order=1).weight == Decimal("1.50")


def test_closing_needs_a_published_version() -> None:
    questionnaire = make_questionnaire()
    version = questionnaire.versions.get()
    with pytest.raises(ServiceError, match="Chỉ đóng"):
        services.version_close(actor=None, version=version)
    services.version_publish(actor=None, version=version)
    services.version_close(actor=None, version=version)
    version.refresh_from_db()
    assert version.state == VersionState.CLOSED


def test_a_question_others_depend_on_cannot_be_deleted() -> None:
    version = make_questionnaire().versions.get()
    with pytest.raises(ServiceError, match="ly_do"):
        services.question_delete(actor=None, question=version.questions.get(code="hai_long"))
    services.question_delete(actor=None, question=version.questions.get(code="ly_do"))
    services.question_delete(actor=None, question=version.questions.get(code="hai_long"))
    assert [q.code for q in ordered_questions(version)] == ["kenh", "so_lan"]
    assert [q.order for q in ordered_questions(version)] == [1, 1]


def test_sections_move_and_delete_keep_their_order_numbers() -> None:
    version = make_questionnaire().versions.get()
    second = version.sections.get(order=2)
    services.section_move(actor=None, section=second, direction=services.UP)
    assert list(version.sections.values_list("title", flat=True)) == ["Thông tin thêm", "Đánh giá chung"]
    services.section_delete(actor=None, section=version.sections.get(title="Thông tin thêm"))
    assert list(version.sections.values_list("order", flat=True)) == [1]


def test_building_is_all_or_nothing() -> None:
    spec = small_spec("hong")
    spec.sections[1].questions[0].condition = ("khong_co", "1")
    with pytest.raises(ServiceError, match="khong_co"):
        services.questionnaire_build(actor=None, spec=spec)
    assert not QuestionnaireVersion.objects.filter(questionnaire__code="hong").exists()
    assert not Choice.objects.exists()


def test_changing_a_question_kind_brings_the_new_scale() -> None:
    version = make_questionnaire().versions.get()
    question = version.questions.get(code="kenh")
    services.question_update(actor=None, question=question, data=QuestionData(code="kenh", text="K", kind="yes_no"))
    assert list(question.choices.values_list("value", flat=True)) == ["yes", "no"]
    services.question_update(actor=None, question=question, data=QuestionData(code="kenh", text="K", kind="number"))
    assert not question.choices.exists()


def test_a_published_questionnaire_cannot_be_deleted_but_a_draft_one_can() -> None:
    questionnaire = make_questionnaire(publish=True)
    with pytest.raises(ServiceError, match="không xóa được"):
        services.questionnaire_delete(actor=None, questionnaire=questionnaire)
    draft_only = make_questionnaire(code="nhap")
    services.questionnaire_delete(actor=None, questionnaire=draft_only)
    assert not QuestionnaireVersion.objects.filter(questionnaire__code="nhap").exists()


def test_a_copy_is_a_new_draft_with_the_same_content_and_its_source_named() -> None:
    source = make_questionnaire(publish=True).versions.get()
    copy = services.questionnaire_copy(actor=None, version=source, code="ban-sao", title="Bản sao", owner=None)
    version = copy.versions.get()
    assert version.state == VersionState.DRAFT
    assert spec_of(version).sections == spec_of(source).sections
    assert "quay-thu" in copy.source_note


def test_a_new_draft_can_be_discarded_but_not_the_only_version() -> None:
    questionnaire = make_questionnaire(publish=True)
    first = questionnaire.versions.get()
    draft = services.version_new_draft(actor=None, questionnaire=questionnaire)
    services.version_discard(actor=None, version=draft)
    assert list(questionnaire.versions.all()) == [first]
    with pytest.raises(ServiceError, match="đã ban hành"):
        services.version_discard(actor=None, version=first)
    only = make_questionnaire(code="chi-mot").versions.get()
    with pytest.raises(ServiceError, match="duy nhất"):
        services.version_discard(actor=None, version=only)
