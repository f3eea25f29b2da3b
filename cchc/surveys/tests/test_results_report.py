"""The summary report in Word: the page's filter and reader, the page's figures, its charts, an empty report."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from docx.document import Document as DocumentObject

from cchc.lib.periods import Period, PeriodKind
from cchc.surveys import access
from cchc.surveys.documents import DOCX_CONTENT_TYPE, percent_text, summary_docx, summary_report
from cchc.surveys.models import Channel, Questionnaire, QuestionnaireKind
from cchc.surveys.publishing import satisfaction_targets_ensure
from cchc.surveys.results import index_interval
from cchc.surveys.selectors import ResultsFilter, results_breakdown, results_with_breakdown
from cchc.surveys.services import questionnaire_build
from cchc.surveys.specs import QuestionnaireSpec
from cchc.testing.personas import Personas

from .test_results import DAY, make_survey, seed


@pytest.fixture
def survey(personas: Personas) -> Questionnaire:
    satisfaction_targets_ensure()
    questionnaire = make_survey(personas.province)
    seed(questionnaire, personas.unit_a, {"q1": "5", "q2": "4", "q3": "5"}, times=3, text="Rất tốt", group="dân")
    seed(questionnaire, personas.unit_a, {"q1": "2", "q2": "4", "q3": "3"}, times=1)
    seed(questionnaire, personas.unit_b, {"q1": "1", "q2": "2", "q3": "4"}, times=2, channel=Channel.ONLINE)
    return questionnaire


def download(personas: Personas, name: str, questionnaire: Questionnaire, **query: str) -> DocumentObject:
    response = personas.client(name).get(reverse("surveys:results_docx", args=[questionnaire.pk]), query)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith(f'attachment; filename="bao-cao-{questionnaire.code}-')
    return Document(io.BytesIO(response.content))


def headings(document: DocumentObject) -> list[str]:
    return [
        p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith(("Heading", "Title"))
    ]


def table_after(document: DocumentObject, first_header: str) -> list[list[str]]:
    for table in document.tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if rows and rows[0][0] == first_header:
            return rows
    raise AssertionError(f"no table headed {first_header!r}")


def images(document: DocumentObject) -> int:
    return len(document.inline_shapes)


def test_the_report_has_its_title_sections_and_the_pages_figures_in_its_tables(
    personas: Personas, survey: Questionnaire
) -> None:
    period = Period.containing(DAY.date(), PeriodKind.YEAR)
    document = download(personas, "secretariat", survey, period=period.key)
    titles = headings(document)
    assert titles[0] == "Báo cáo kết quả khảo sát sự hài lòng"
    for part in ("1. Kết quả chung", "2. Kết quả theo yếu tố", "3. Kết quả theo câu hỏi", "7. Ý kiến góp ý"):
        assert part in titles
    assert any(title.startswith("4. Phân tích theo đơn vị") for title in titles)
    assert any(survey.title in p.text and period.label in p.text for p in document.paragraphs)

    responses = access.get_result_responses_for_user(personas.secretariat, survey)
    where = ResultsFilter(period=period)
    report, by_unit = results_with_breakdown(survey, responses, where, "unit")
    assert report is not None
    overall = {row[0]: row[1] for row in table_after(document, "Nội dung")[1:]}
    assert overall["Chỉ số hài lòng"] == percent_text(report.result.index)
    assert overall["Số phiếu trả lời (cỡ mẫu)"] == str(report.responses) == "6"
    assert overall["Chỉ tiêu"] == percent_text(report.target) == "95,0 %"
    assert overall["Đánh giá"] == "Chưa đạt"
    low, high = index_interval(report.result) or (None, None)
    assert overall["Khoảng tin cậy 95 %"] == f"{percent_text(low)[:-2]}–{percent_text(high)}"
    assert low is not None and high is not None and low < report.result.index < high  # type: ignore[operator]

    elements = table_after(document, "Yếu tố")[1:]
    assert [(row[0], row[2]) for row in elements] == [
        (element.section.title, percent_text(element.score)) for element in report.result.sections
    ]
    questions = table_after(document, "Câu hỏi")[1:]
    assert [(row[1], row[2]) for row in questions] == [
        (str(score.n), percent_text(score.score)) for score in report.result.questions if score.question.code != "gop_y"
    ]
    units = table_after(document, "Đơn vị")[1:]
    assert [(row[0], row[1], row[2]) for row in units] == [
        (row.label, str(row.responses), percent_text(row.index)) for row in by_unit
    ]
    channels = table_after(document, "Kênh thu thập")[1:]
    assert [row[0] for row in channels] == [row.label for row in results_breakdown(report, responses, "channel")]
    groups = table_after(document, "Nhóm đối tượng")[1:]
    assert {row[0]: row[1] for row in groups} == {"dân": "3", "Không ghi nhóm": "3"}
    assert any("Có 3 ý kiến góp ý bằng chữ: đã xử lý 0, chưa xử lý 3" in p.text for p in document.paragraphs)
    assert any(
        p.text.startswith("Chỉ tiêu so sánh: chỉ tiêu của chỉ số “sipas.satisfaction”") for p in document.paragraphs
    )
    assert images(document) == 2  # elements against the target, and the units


def test_the_report_follows_the_filters_of_the_page(personas: Personas, survey: Questionnaire) -> None:
    document = download(personas, "secretariat", survey, channel="online", unit=str(personas.unit_b.pk))
    overall = {row[0]: row[1] for row in table_after(document, "Nội dung")[1:]}
    assert overall["Số phiếu trả lời (cỡ mẫu)"] == "2"
    assert any(p.text == "Kênh thu thập: Trực tuyến" for p in document.paragraphs)
    assert any(p.text.startswith("Đơn vị: Xã Hòa Bình") for p in document.paragraphs)


def test_an_empty_selection_gives_a_report_that_says_so(personas: Personas, survey: Questionnaire) -> None:
    document = download(personas, "secretariat", survey, period="2024-Q1")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Chưa có phiếu trả lời nào trong phạm vi và kỳ đã chọn" in text
    assert images(document) == 0 and not document.tables


def test_a_questionnaire_never_published_gives_a_report_that_says_so(personas: Personas) -> None:
    draft = questionnaire_build(
        actor=None,
        spec=QuestionnaireSpec(code="nhap", title="Nháp", kind="custom", source_note="", sections=[]),
        owner=personas.province,
        publish=False,
    )
    document = download(personas, "secretariat", draft)
    assert any("chưa được ban hành" in p.text for p in document.paragraphs)


def test_a_units_focal_point_gets_only_its_own_units_figures_never_another_units(
    personas: Personas, survey: Questionnaire
) -> None:
    document = download(personas, "focal_a", survey)
    text = "\n".join(p.text for p in document.paragraphs) + "".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "Xã Hòa Bình" not in text and "Sở Tư pháp" in text
    overall = {row[0]: row[1] for row in table_after(document, "Nội dung")[1:]}
    assert overall["Số phiếu trả lời (cỡ mẫu)"] == "4"
    assert any("Ý kiến góp ý do cơ quan thường trực theo dõi" in p.text for p in document.paragraphs)
    asked = personas.client("focal_a").get(
        reverse("surveys:results_docx", args=[survey.pk]), {"unit": str(personas.unit_b.pk)}
    )
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("surveys:results", args=[survey.pk]))


def test_people_without_a_role_or_outside_the_province_cannot_download(
    personas: Personas, survey: Questionnaire
) -> None:
    url = reverse("surveys:results_docx", args=[survey.pk])
    assert personas.client("anonymous").get(url).status_code == 302
    other = make_survey(personas.other_province, code="kq-khac")
    assert personas.client("focal_a").get(reverse("surveys:results_docx", args=[other.pk])).status_code == 404


def test_a_sample_below_the_recommended_size_is_flagged_in_the_report(
    personas: Personas, survey: Questionnaire
) -> None:
    responses = access.get_result_responses_for_user(personas.secretariat, survey)
    summary = summary_report(survey, responses, ResultsFilter(unit=personas.unit_a))
    assert summary.report is not None
    summary.report.recommended, summary.report.population = 50, 100
    document = Document(io.BytesIO(summary_docx(summary)))
    assert any(p.text.startswith("Lưu ý: số phiếu trả lời (4) ít hơn cỡ mẫu tối thiểu") for p in document.paragraphs)


def test_the_officials_report_has_no_satisfaction_target_nor_mean_and_numbers_questions_without_codes(
    personas: Personas,
) -> None:
    officials = make_survey(personas.province, code="can-bo-bao-cao", kind=QuestionnaireKind.OFFICIALS)
    seed(officials, personas.unit_a, {"c1": "A", "c2": "C"}, times=2)
    document = download(personas, "secretariat", officials)
    assert headings(document)[0] == "Báo cáo kết quả khảo sát"
    overall = {row[0]: row[1] for row in table_after(document, "Nội dung")[1:]}
    assert "Chỉ số hài lòng" not in overall and "Đánh giá" not in overall
    assert overall["Chỉ tiêu"] == "Không áp dụng cho loại phiếu này"
    questions = table_after(document, "Câu hỏi")
    assert "Điểm trung bình" not in questions[0]
    assert [row[0] for row in questions[1:]] == ["Câu 1. Công khai TTHC", "Câu 2. Thái độ công chức"]
    units = table_after(document, "Đơn vị")
    assert units[0] == ["Đơn vị", "Số phiếu", "Điểm quy đổi"]
    assert not any(p.text.startswith("Chỉ tiêu so sánh") for p in document.paragraphs)
