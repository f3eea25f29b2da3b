"""What the survey pages show: numbers and texts instead of codes, yes/no shares, headings that fit the kind of
questionnaire, group labels, unit labels that tell namesakes apart, page titles, tables on a phone, and copies."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.services import UnitData, unit_create
from cchc.surveys.models import QuestionKind, Questionnaire, QuestionnaireKind
from cchc.surveys.services import questionnaire_build
from cchc.surveys.specs import ChoiceSpec, QuestionnaireSpec, QuestionSpec, SectionSpec
from cchc.testing.personas import Personas

from .factories import make_questionnaire
from .test_results import make_survey, seed


def results(client: Client, questionnaire: Questionnaire, **query: str) -> str:
    response = client.get(reverse("surveys:results", args=[questionnaire.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def counter_with_yes_no(owner: Unit) -> Questionnaire:
    spec = QuestionnaireSpec(
        code="quay-co-khong",
        title="Khảo sát tại quầy",
        kind=QuestionnaireKind.COUNTER_EXIT,
        source_note="Thử.",
        sections=[
            SectionSpec(
                title="Chung",
                questions=[
                    QuestionSpec(code="hai_long_chung", text="Mức hài lòng chung", kind=QuestionKind.SATISFACTION5),
                    QuestionSpec(code="dung_hen", text="Có được trả kết quả đúng hẹn không?", kind=QuestionKind.YES_NO),
                    QuestionSpec(
                        code="ly_do",
                        text="Vì sao chưa đúng hẹn?",
                        kind=QuestionKind.SHORT_TEXT,
                        condition=("dung_hen", "no"),
                    ),
                    QuestionSpec(
                        code="nhom_doi_tuong",
                        text="Ông/bà là",
                        kind=QuestionKind.SINGLE,
                        choices=[ChoiceSpec("dn", "Doanh nghiệp"), ChoiceSpec("cd", "Người dân")],
                    ),
                ],
            )
        ],
    )
    return questionnaire_build(actor=None, spec=spec, owner=owner, publish=True)


def test_yes_no_answers_show_their_share_of_yes_and_questions_show_number_and_text(personas: Personas) -> None:
    survey = counter_with_yes_no(personas.province)
    seed(survey, personas.unit_a, {"hai_long_chung": "5", "dung_hen": "yes"}, times=3)
    seed(survey, personas.unit_a, {"hai_long_chung": "4", "dung_hen": "no"})
    page = results(personas.client("secretariat"), survey)
    section = page.split('data-testid="results-yes-no"')[1].split("</section>")[0]
    assert "Câu 2. Có được trả kết quả đúng hẹn không?" in section
    assert re.search(r"75[,.]0 % \(3\)", section)
    assert "Câu 1. Mức hài lòng chung" in page
    assert "hai_long_chung" not in page and "dung_hen" not in page


def test_the_preview_numbers_questions_and_names_conditions_by_number_and_label(personas: Personas) -> None:
    survey = counter_with_yes_no(personas.province)
    page = personas.client("secretariat").get(reverse("surveys:questionnaire_detail", args=[survey.pk]))
    html = page.content.decode()
    assert "Câu 1.</span> Mức hài lòng chung" in html
    assert "Chỉ hiện khi câu 2 được trả lời “Không”" in html
    for code in ("hai_long_chung.", "dung_hen", "ly_do"):
        assert code not in html


@pytest.mark.parametrize(
    ("kind", "heading"),
    [
        (QuestionnaireKind.OFFICIALS, "Điểm quy đổi từ các phương án A–D"),
        (QuestionnaireKind.COUNTER_EXIT, "Chỉ số hài lòng"),
    ],
)
def test_the_headline_fits_the_kind_of_questionnaire(personas: Personas, kind: str, heading: str) -> None:
    survey = make_survey(personas.province, kind=kind)
    page = results(personas.client("secretariat"), survey)
    headline = page.split('data-testid="results-index"')[1].split("</h2>")[0]
    assert heading in headline
    if kind == QuestionnaireKind.OFFICIALS:
        assert "hài lòng" not in headline


def test_a_dossier_evaluation_shows_points_not_satisfaction(personas: Personas) -> None:
    spec = QuestionnaireSpec(
        code="ho-so-thu",
        title="Đánh giá hồ sơ",
        kind=QuestionnaireKind.DOSSIER_EVALUATION,
        source_note="Thử.",
        sections=[SectionSpec(title="Chỉ số", questions=[QuestionSpec(code="c1", text="Đúng hạn", kind="points012")])],
    )
    survey = questionnaire_build(actor=None, spec=spec, owner=personas.province, publish=True)
    seed(survey, personas.unit_a, {"c1": "2"})
    page = results(personas.client("secretariat"), survey)
    assert "Điểm đánh giá" in page and "Chỉ số hài lòng" not in page and "Tỷ lệ hài lòng" not in page


def test_a_group_breakdown_without_groups_says_so_and_groups_show_their_labels(personas: Personas) -> None:
    survey = counter_with_yes_no(personas.province)
    seed(survey, personas.unit_a, {"hai_long_chung": "5"})
    client = personas.client("secretariat")
    empty = results(client, survey, by="group")
    breakdown = empty.split('data-testid="results-breakdown"')[1].split("</section>")[0]
    assert 'data-testid="no-groups"' in breakdown and "<tbody>" not in breakdown
    seed(survey, personas.unit_a, {"hai_long_chung": "4"}, group="dn")
    grouped = results(client, survey, by="group")
    breakdown = grouped.split('data-testid="results-breakdown"')[1].split("</section>")[0]
    assert "Doanh nghiệp" in breakdown and "Không ghi nhóm đối tượng" in breakdown
    assert ">dn<" not in breakdown
    # The group filter offers the labels, and filters by the value.
    assert '<option value="dn">Doanh nghiệp</option>' in grouped
    only = results(client, survey, group="dn", by="group")
    assert "Không ghi nhóm đối tượng" not in only.split('data-testid="results-breakdown"')[1]


def test_the_unit_filter_tells_namesakes_apart(personas: Personas) -> None:
    for parent in (personas.unit_a, personas.unit_b):
        unit_create(
            actor=None,
            data=UnitData(name="Văn phòng", kind=UnitKind.OFFICE, code=f"{parent.code}-VP2"),
            parent=parent,
        )
    survey = make_survey(personas.province)
    page = results(personas.client("secretariat"), survey)
    select = page.split('name="unit"')[1].split("</select>")[0]
    labels = re.findall(r"<option[^>]*>([^<]*Văn phòng[^<]*)</option>", select)
    assert len(labels) == len(set(labels)) >= 2


def test_link_pages_have_a_title_that_says_what_happened(personas: Personas) -> None:
    client = Client()
    unknown = client.get(reverse("survey_public:form", args=["khong-co-duong-dan-nay"]))
    assert unknown.status_code == 404
    assert "<title>Không tìm thấy phiếu khảo sát" in unknown.content.decode()
    invitation = client.get(reverse("survey_public:invited", args=["x" * 32]))
    html = invitation.content.decode()
    assert invitation.status_code == 404 and "<title>Không tìm thấy lời mời" in html
    assert "Khảo sát chưa mở" not in html + unknown.content.decode()


def test_result_tables_become_cards_on_a_phone(personas: Personas) -> None:
    survey = make_survey(personas.province)
    seed(survey, personas.unit_a, {"q1": "5", "q2": "4", "q3": "5"})
    page = results(personas.client("secretariat"), survey)
    tables = re.findall(r"<table[^>]*>", page)
    assert tables and all("cards" in table for table in tables)


def test_a_copy_is_owned_by_the_copiers_province_and_says_it_is_a_copy(personas: Personas) -> None:
    unit_create(
        actor=None,
        data=UnitData(name="Huyện Ánh Dương", kind=UnitKind.DISTRICT, code="T-P-HAD"),
        parent=personas.province,
    )
    source = make_questionnaire(None, code="mau-chung", publish=True)
    page = personas.client("secretariat").get(reverse("surveys:questionnaire_copy", args=[source.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(rf'<option value="{personas.province.pk}" selected>', html)
    assert 'value="Khảo sát nhanh tại quầy (thử) (bản sao)"' in html
