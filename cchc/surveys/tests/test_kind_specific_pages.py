"""What the survey pages say about each kind of questionnaire: the satisfaction target only where it applies, no
mean column where there is no mean, no group filter without a group question, no code in the header, and the copy
page naming the questionnaire once."""

from __future__ import annotations

from django.urls import reverse

from cchc.surveys.models import QuestionnaireKind
from cchc.surveys.services import questionnaire_build
from cchc.testing.personas import Personas

from .factories import officials_spec
from .test_results import make_survey, seed


def results(personas: Personas, questionnaire_id: int, **query: str) -> str:
    response = personas.client("secretariat").get(reverse("surveys:results", args=[questionnaire_id]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_officials_results_are_not_compared_with_the_satisfaction_target(personas: Personas) -> None:
    survey = make_survey(personas.province, kind=QuestionnaireKind.OFFICIALS)
    seed(survey, personas.unit_a, {"c1": "A", "c2": "D"}, times=2)
    page = results(personas, survey.pk)
    summary = page.split('data-testid="results-index"')[1].split("</section>")[0]
    assert "Chỉ tiêu:" not in summary and "Chưa đạt" not in summary and "Đạt" not in summary
    assert "không có chỉ tiêu hài lòng" in summary
    breakdown = page.split('data-testid="results-breakdown"')[1].split("</section>")[0]
    assert "Chỉ tiêu" not in breakdown and "Đánh giá" not in breakdown


def test_the_officials_results_have_no_mean_column_and_satisfaction_results_keep_it(personas: Personas) -> None:
    officials = make_survey(personas.province, code="can-bo", kind=QuestionnaireKind.OFFICIALS)
    seed(officials, personas.unit_a, {"c1": "A", "c2": "B"})
    assert "Điểm trung bình" not in results(personas, officials.pk)
    counter = make_survey(personas.province, code="quay")
    seed(counter, personas.unit_a, {"q1": "5", "q2": "4", "q3": "5"})
    page = results(personas, counter.pk)
    assert "Điểm trung bình" in page


def test_a_questionnaire_without_a_group_question_offers_no_group_filter(personas: Personas) -> None:
    survey = make_survey(personas.province)
    seed(survey, personas.unit_a, {"q1": "5", "q2": "4", "q3": "5"}, group="x")
    page = results(personas, survey.pk, group="x")
    filters = page.split('data-testid="results-filters"')[1].split("</form>")[0]
    assert "Nhóm đối tượng" not in filters
    assert 'type="text" name="group"' not in filters
    # a group typed into the address is ignored rather than filtering everything out
    assert "Chưa có phiếu trả lời nào" not in page


def test_the_questionnaire_header_shows_no_code_and_the_copy_page_names_it_once(personas: Personas) -> None:
    survey = make_survey(personas.province, code="ma-rieng-khong-hien")
    client = personas.client("secretariat")
    detail = client.get(reverse("surveys:questionnaire_detail", args=[survey.pk])).content.decode()
    assert "ma-rieng-khong-hien" not in detail.split("<h1")[1].split("</p>")[0]
    listing = client.get(reverse("surveys:questionnaire_list")).content.decode()
    assert "mã ma-rieng-khong-hien" not in listing
    copy = client.get(reverse("surveys:questionnaire_copy", args=[survey.pk])).content.decode()
    main = copy.split("<main")[1]
    assert main.split("<form")[0].count(survey.title) == 1


def test_the_comments_page_offers_the_group_filter_only_with_a_group_question(personas: Personas) -> None:
    client = personas.client("secretariat")
    with_groups = questionnaire_build(actor=None, spec=officials_spec(), owner=personas.province, publish=True)
    page = client.get(reverse("surveys:comments", args=[with_groups.pk])).content.decode()
    filters = page.split('data-testid="comments-filters"')[1].split("</form>")[0]
    assert '<select name="group"' in filters and "Lãnh đạo sở, ban, ngành" in filters
    without = make_survey(personas.province)
    page = client.get(reverse("surveys:comments", args=[without.pk]), {"group": "x"}).content.decode()
    filters = page.split('data-testid="comments-filters"')[1].split("</form>")[0]
    assert "Nhóm đối tượng" not in filters
