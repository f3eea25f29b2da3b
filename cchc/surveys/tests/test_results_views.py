"""The results page and the exports: who sees what, the filters, bad input, exports that never run a formula."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cchc.audit.models import AuditAction, AuditEntry
from cchc.surveys.models import Answer, Channel, CommentHandling, Questionnaire
from cchc.testing.personas import Personas

from .test_results import make_survey, seed


@pytest.fixture
def survey(personas: Personas) -> Questionnaire:
    questionnaire = make_survey(personas.province)
    seed(questionnaire, personas.unit_a, {"q1": "5", "q2": "4", "q3": "5"}, times=2, text='=HYPERLINK("x")')
    seed(questionnaire, personas.unit_b, {"q1": "1", "q2": "2", "q3": "3"}, channel=Channel.ONLINE, text="Tốt")
    return questionnaire


def url(questionnaire: Questionnaire, name: str = "surveys:results") -> str:
    return reverse(name, args=[questionnaire.pk])


def test_the_secretariat_sees_the_index_against_the_target_the_tables_and_the_comments(
    personas: Personas, survey: Questionnaire
) -> None:
    response = personas.client("secretariat").get(url(survey))
    page = response.content.decode()
    assert response.status_code == 200
    for part in ("results-index", "results-elements", "results-questions", "results-breakdown", "results-comments"):
        assert f'data-testid="{part}"' in page
    assert "Sở Tư pháp" in page and "Xã Hòa Bình" in page and "3 ý kiến góp ý" in page
    comments = personas.client("secretariat").get(url(survey, "surveys:comments")).content.decode()
    assert "Tốt" in comments and 'data-testid="results-comments"' in comments


@pytest.mark.parametrize("name", ["leader", "supervisor"])
def test_leaders_and_supervisors_see_results_in_their_scope_without_the_comments(
    personas: Personas, survey: Questionnaire, name: str
) -> None:
    page = personas.client(name).get(url(survey)).content.decode()
    assert "Xã Hòa Bình" in page and 'data-testid="results-comments"' not in page


def test_a_units_people_see_only_their_own_subtree(personas: Personas, survey: Questionnaire) -> None:
    page = personas.client("focal_a").get(url(survey) + "?by=unit").content.decode()
    assert "Sở Tư pháp" in page and "Xã Hòa Bình" not in page
    rows = list(
        csv.reader(
            io.StringIO(
                personas.client("focal_a").get(url(survey, "surveys:results_csv")).getvalue().decode("utf-8-sig")
            )
        )
    )
    assert len(rows) == 3 and {row[2] for row in rows[1:]} == {"Sở Tư pháp"}


def test_anonymous_visitors_are_sent_to_log_in(personas: Personas, survey: Questionnaire) -> None:
    assert personas.client("anonymous").get(url(survey)).status_code == 302


def test_filters_narrow_the_results_and_bad_values_are_explained_not_a_server_error(
    personas: Personas, survey: Questionnaire
) -> None:
    client = personas.client("secretariat")
    online = client.get(url(survey), {"channel": "online", "by": "channel"}).content.decode()
    assert "Trực tuyến" in online
    for bad in ({"period": "2025-Q9"}, {"unit": "abc"}, {"unit": str(personas.other_province.pk)}, {"by": "x"}):
        response = client.get(url(survey), bad)
        assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def test_the_page_costs_a_fixed_number_of_queries(
    personas: Personas, survey: Questionnaire, django_assert_max_num_queries: object
) -> None:
    client = personas.client("secretariat")
    client.get(url(survey))
    seed(survey, personas.office_a, {"q1": "4"}, times=40, text="Thêm")
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        client.get(url(survey), {"by": "unit"})


# The queries of the results page as the secretariat (session, filter, version and shape, the two sums of the counts,
# the dossiers received, the targets, the breakdown's units, the comments; the person and their roles come from the
# cache): the same whatever the responses.
RESULTS_PAGE_QUERIES = 18  # the session is read, not written again; one counts the responses still waiting


def test_the_results_page_runs_the_same_pinned_queries_whatever_the_responses_and_units(
    personas: Personas, survey: Questionnaire
) -> None:
    client = personas.client("secretariat")
    client.get(url(survey), {"by": "unit"})
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(survey), {"by": "unit"}).status_code == 200
    for unit in (personas.office_a, personas.unit_b, personas.unit_a):
        seed(survey, unit, {"q1": "4", "q2": "5"}, times=15, text="Thêm", channel=Channel.ADHOC)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(survey), {"by": "unit"}).status_code == 200
    assert len(few) == len(many) == RESULTS_PAGE_QUERIES, [query["sql"][:90] for query in many.captured_queries]


def test_exports_have_a_row_per_response_a_column_per_question_and_no_live_formula(
    personas: Personas, survey: Questionnaire
) -> None:
    client = personas.client("secretariat")
    response = client.get(url(survey, "surveys:results_csv"))
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0][-4:] == ["q1", "q2", "q3", "gop_y"] and len(rows) == 4
    assert all(not row[-1].startswith("=") for row in rows[1:]) and '\'=HYPERLINK("x")' in {r[-1] for r in rows}
    workbook = load_workbook(io.BytesIO(client.get(url(survey, "surveys:results_xlsx")).content))
    sheet = workbook.worksheets[0]
    cells = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(cells) == 3 and not any(str(cell).startswith("=") for cell in cells)


def test_the_page_fits_a_phone_its_tables_wrap_in_a_scrolling_frame(personas: Personas, survey: Questionnaire) -> None:
    page = personas.client("secretariat").get(url(survey)).content.decode()
    assert page.count("<table") == page.count('<div class="table-wrap"><table')


def test_the_secretariat_marks_a_comment_handled_and_back_audited_and_others_cannot(
    personas: Personas, survey: Questionnaire
) -> None:
    answer = Answer.objects.filter(text_value="Tốt").get()
    action = reverse("surveys:comment_handle", args=[survey.pk, answer.pk])
    client = personas.client("secretariat")
    response = client.post(action, {"handled": "1", "note": "Đã trả lời công dân", "query": "by=channel&x=1"})
    assert response.status_code == 302
    assert response["Location"] == url(survey, "surveys:comments") + f"?by=channel#comment-{answer.pk}"
    handling = CommentHandling.objects.get(answer=answer)
    assert handling.handled_by == personas.secretariat and handling.note == "Đã trả lời công dân"
    assert AuditEntry.objects.filter(object_type="surveys.commenthandling", action=AuditAction.CREATE).exists()
    assert 'data-status="handled"' in client.get(url(survey, "surveys:comments")).content.decode()
    client.post(action, {"handled": "0"})
    assert not CommentHandling.objects.exists()
    assert AuditEntry.objects.filter(object_type="surveys.commenthandling", action=AuditAction.DELETE).exists()
    assert personas.client("leader").post(action, {"handled": "1"}).status_code == 403
    assert personas.client("focal_a").post(action, {"handled": "1"}).status_code == 403
    other = reverse("surveys:comment_handle", args=[survey.pk, 999999])
    assert client.post(other, {"handled": "1"}).status_code == 404
    assert client.get(action).status_code == 405
