"""Storing responses: every bad input is refused with a Vietnamese message and nothing half-stored."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

import pytest

from cchc.lib.errors import ServiceError
from cchc.surveys.collection import (
    PointData,
    Submission,
    collection_point_create,
    collection_point_set_active,
    fingerprint_of,
    point_closed_reason,
    response_submit,
    version_form,
    visible_questions,
)
from cchc.surveys.models import (
    Answer,
    Channel,
    ImmutableError,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireVersion,
    Response,
    VersionState,
)
from cchc.surveys.services import questionnaire_build, version_close
from cchc.surveys.specs import ChoiceSpec, QuestionnaireSpec, QuestionSpec, SectionSpec
from cchc.surveys.templates_catalogue import ensure_templates
from cchc.testing.personas import Personas

from .factories import make_questionnaire


@pytest.fixture
def questionnaire(personas: Personas) -> Questionnaire:
    return make_questionnaire(personas.province, code="quay-nhan", publish=True)


@pytest.fixture
def version(questionnaire: Questionnaire) -> QuestionnaireVersion:
    return questionnaire.versions.get(state=VersionState.PUBLISHED)


def ids(version: QuestionnaireVersion) -> dict[str, int]:
    return dict(version.questions.values_list("code", "pk"))


def submit(
    version: QuestionnaireVersion, personas: Personas, answers: Mapping[str, Sequence[str]], **extra: object
) -> Response:
    by_code = ids(version)
    submission = Submission(
        unit=personas.unit_a,
        channel=Channel.COUNTER,
        answers={by_code[code]: values for code, values in answers.items()},
        **extra,  # type: ignore[arg-type]
    )
    return response_submit(version=version, submission=submission)


def refused(version: QuestionnaireVersion, personas: Personas, answers: Mapping[str, Sequence[str]]) -> str:
    before = (Response.objects.count(), Answer.objects.count())
    with pytest.raises(ServiceError) as error:
        submit(version, personas, answers)
    assert (Response.objects.count(), Answer.objects.count()) == before
    return error.value.message


def test_a_valid_response_is_stored_with_one_answer_per_answered_question(
    personas: Personas, version: QuestionnaireVersion
) -> None:
    response = submit(version, personas, {"hai_long": ["5"], "kenh": ["mang"], "so_lan": ["2,5"]})
    answers = {answer.question.code: answer for answer in response.answers.select_related("question")}
    assert set(answers) == {"hai_long", "kenh", "so_lan"}
    assert answers["hai_long"].choice_value == "5" and answers["so_lan"].number_value == 2.5
    assert response.unit == personas.unit_a and response.version == version and response.channel == Channel.COUNTER


def test_a_conditional_question_is_answered_only_when_its_condition_holds(
    personas: Personas, version: QuestionnaireVersion
) -> None:
    response = submit(version, personas, {"hai_long": ["1"], "ly_do": ["Chờ lâu quá"]})
    assert response.answers.get(question__code="ly_do").text_value == "Chờ lâu quá"
    message = refused(version, personas, {"hai_long": ["4"], "ly_do": ["Không có gì"]})
    assert "Câu 3 " in message and "để trống" in message
    shown = visible_questions(version, {ids(version)["hai_long"]: ["4"]})
    assert ids(version)["ly_do"] not in shown and ids(version)["kenh"] in shown


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ({}, "bắt buộc"),
        ({"hai_long": ["6"]}, "không thuộc thang"),
        ({"hai_long": ["4", "5"]}, "chỉ nhận một"),
        ({"hai_long": ["4"], "kenh": ["buu-dien"]}, "không thuộc thang"),
        ({"hai_long": ["4"], "so_lan": ["hai"]}, "cần một số"),
        ({"hai_long": ["4"], "so_lan": ["1e20"]}, "cần một số"),
        ({"hai_long": ["1"], "ly_do": ["x" * 4001]}, "dài quá 4000"),
    ],
)
def test_each_bad_answer_is_refused_with_a_vietnamese_message_and_nothing_is_stored(
    personas: Personas, version: QuestionnaireVersion, answers: Mapping[str, Sequence[str]], words: str
) -> None:
    assert words in refused(version, personas, answers)


def test_every_problem_is_listed_at_once(personas: Personas, version: QuestionnaireVersion) -> None:
    message = refused(version, personas, {"kenh": ["khac"], "so_lan": ["nhiều"]})
    assert "Câu 1 " in message and "Câu 2:" in message and "Câu 4 " in message


def test_an_unknown_or_tampered_question_id_is_refused(personas: Personas, version: QuestionnaireVersion) -> None:
    other = make_questionnaire(personas.province, code="phieu-khac", publish=True)
    foreign = other.versions.get().questions.first()
    assert foreign is not None
    submission = Submission(
        unit=personas.unit_a,
        channel=Channel.ONLINE,
        answers={ids(version)["hai_long"]: ["5"], foreign.pk: ["5"], 999999: ["1"]},
    )
    with pytest.raises(ServiceError, match="không thuộc phiếu này"):
        response_submit(version=version, submission=submission)
    assert not Response.objects.exists()


def test_a_closed_or_draft_version_takes_no_answers(personas: Personas, version: QuestionnaireVersion) -> None:
    version_close(actor=None, version=version)
    version.refresh_from_db()
    with pytest.raises(ServiceError, match="đã đóng"):
        submit(version, personas, {"hai_long": ["5"]})
    draft = make_questionnaire(personas.province, code="nhap").versions.get()
    with pytest.raises(ServiceError, match="chưa ban hành"):
        response_submit(version=draft, submission=Submission(unit=personas.unit_a, channel=Channel.ONLINE))


def test_one_dossier_gives_one_rating_and_the_second_is_refused_kindly(personas: Personas) -> None:
    ensure_templates()
    counter = Questionnaire.objects.get(code="khao-sat-nhanh-tai-quay")
    version = counter.versions.get(state=VersionState.PUBLISHED)
    required = {
        code: ["yes" if kind == "yes_no" else "4"]
        for code, kind in version.questions.filter(required=True).values_list("code", "kind")
    }
    submit(version, personas, {**required, "ma_ho_so": ["H12.34-250101-0001"]})
    with pytest.raises(ServiceError) as error:
        submit(version, personas, {**required, "ma_ho_so": ["H12.34-250101-0001"]})
    assert error.value.code == "duplicate" and "đã được đánh giá" in error.value.message
    with pytest.raises(ServiceError) as error:
        submit(version, personas, required, dossier_code="H12.34-250101-0001")
    assert error.value.code == "duplicate"
    submit(version, personas, required)
    submit(version, personas, required)  # without a dossier code, any number of ratings
    assert Response.objects.filter(questionnaire=counter).count() == 3


def test_a_malformed_dossier_code_is_refused(personas: Personas, version: QuestionnaireVersion) -> None:
    with pytest.raises(ServiceError, match="Mã hồ sơ"):
        submit(version, personas, {"hai_long": ["5"]}, dossier_code="=cmd|' /C calc'!A0")


def test_the_same_idempotency_key_stores_one_response(personas: Personas, version: QuestionnaireVersion) -> None:
    first = submit(version, personas, {"hai_long": ["5"]}, idempotency_key="k" * 32)
    again = submit(version, personas, {"hai_long": ["2"]}, idempotency_key="k" * 32)
    assert again.pk == first.pk and Response.objects.count() == 1


def test_a_stored_response_and_its_answers_never_change(personas: Personas, version: QuestionnaireVersion) -> None:
    response = submit(version, personas, {"hai_long": ["5"]})
    response.channel = Channel.ONLINE
    with pytest.raises(ImmutableError):
        response.save()
    with pytest.raises(ImmutableError):
        response.delete()
    answer = response.answers.get()
    answer.choice_value = "1"
    with pytest.raises(ImmutableError):
        answer.save()


def test_the_respondent_group_of_the_officials_survey_is_kept_on_the_response(personas: Personas) -> None:
    ensure_templates()
    version = Questionnaire.objects.get(code="dieu-tra-xa-hoi-hoc-cchc").versions.get(state=VersionState.PUBLISHED)
    group = version.questions.get(code="nhom_doi_tuong")
    value = group.choices.first().value  # type: ignore[union-attr]
    answers = {
        code: ["A"]
        for code in version.questions.filter(required=True, kind="options_ad").values_list("code", flat=True)
    }
    response = submit(version, personas, {**answers, "nhom_doi_tuong": [value]})
    assert response.respondent_group == value


def test_the_fingerprint_is_a_salted_hash_not_the_address() -> None:
    print_a = fingerprint_of("203.0.113.7", "device-1")
    assert "203.0.113.7" not in print_a and len(print_a) == 64
    assert print_a == fingerprint_of("203.0.113.7", "device-1") != fingerprint_of("203.0.113.7", "device-2")


def test_a_collection_point_needs_a_published_version_and_can_be_paused(personas: Personas) -> None:
    draft = make_questionnaire(personas.province, code="chua-ban-hanh")
    with pytest.raises(ServiceError, match="chưa có phiên bản"):
        collection_point_create(actor=None, questionnaire=draft, data=PointData(unit=personas.unit_a))
    published = make_questionnaire(personas.province, code="da-ban-hanh", publish=True)
    point = collection_point_create(
        actor=None, questionnaire=published, data=PointData(unit=personas.unit_a, counter_label="Quầy 1")
    )
    assert len(point.token) >= 24 and point_closed_reason(point) is None
    collection_point_set_active(actor=None, point=point, active=False)
    point.refresh_from_db()
    assert "tạm dừng" in (point_closed_reason(point) or "")
    later = collection_point_create(
        actor=None,
        questionnaire=published,
        data=PointData(unit=personas.unit_a, opens_on=datetime.date(2030, 1, 1), closes_on=datetime.date(2030, 2, 1)),
    )
    assert "bắt đầu" in (point_closed_reason(later, today=datetime.date(2029, 12, 1)) or "")
    assert "kết thúc" in (point_closed_reason(later, today=datetime.date(2030, 3, 1)) or "")
    with pytest.raises(ServiceError, match="Ngày đóng"):
        collection_point_create(
            actor=None,
            questionnaire=published,
            data=PointData(
                unit=personas.unit_a, opens_on=datetime.date(2030, 2, 1), closes_on=datetime.date(2030, 1, 1)
            ),
        )


def test_conditions_on_a_multiple_choice_and_on_a_number_and_chains_of_conditions(personas: Personas) -> None:
    spec = QuestionnaireSpec(
        code="dieu-kien",
        title="Điều kiện",
        kind=QuestionnaireKind.CUSTOM,
        sections=[
            SectionSpec(
                title="Chung",
                questions=[
                    QuestionSpec(
                        code="kenh",
                        text="Kênh",
                        kind=QuestionKind.MULTIPLE,
                        choices=[ChoiceSpec("quay", "Quầy"), ChoiceSpec("mang", "Mạng")],
                    ),
                    QuestionSpec(code="so_lan", text="Số lần", kind=QuestionKind.NUMBER, condition=("kenh", "quay")),
                    QuestionSpec(code="vi_sao", text="Vì sao", kind=QuestionKind.SHORT_TEXT, condition=("so_lan", "3")),
                ],
            )
        ],
    )
    version = questionnaire_build(actor=None, spec=spec, owner=personas.province, publish=True).versions.get()
    by_code = ids(version)
    shown = visible_questions(version, {by_code["kenh"]: ["mang", "quay"], by_code["so_lan"]: ["3,0"]})
    assert shown == set(by_code.values())
    hidden_chain = visible_questions(version, {by_code["kenh"]: ["mang"], by_code["so_lan"]: ["3"]})
    assert hidden_chain == {by_code["kenh"]}
    response = submit(version, personas, {"kenh": ["quay"], "so_lan": ["3"], "vi_sao": ["Thiếu giấy tờ"]})
    assert response.answers.get(question__code="kenh").choice_values == ["quay"]
    assert "Câu 3 " in refused(version, personas, {"kenh": ["quay"], "so_lan": ["2"], "vi_sao": ["x"]})


def test_a_published_version_is_checked_against_a_copy_of_its_questions_made_once_that_matches_them(
    version: QuestionnaireVersion,
) -> None:
    form = version_form(version)
    assert version_form(version) is form  # kept per process: the copy is made once
    assert [spec.pk for spec in form.specs] == [question.pk for question in form.questions]
    for spec, question in zip(form.specs, form.questions, strict=True):
        assert spec.kind == question.kind and spec.code == question.code
        assert spec.allowed == tuple(choice.value for choice in question.choices.all())
        assert spec.label == str(form.numbers.get(question.pk, question.code))
        assert spec.required == (question.required and question.kind != QuestionKind.NOTE)
        assert (spec.condition.pk if spec.condition else None) == question.condition_question_id
        assert spec.condition_value == question.condition_value
