"""Free-text comments: the paginated list with its filters, and turning a comment into a task for the unit concerned
through the directives app (one task per comment, audited, refused to those without the right)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from cchc.audit.models import AuditAction, AuditEntry
from cchc.directives.models import Assignment, Directive, Task
from cchc.lib.errors import ServiceError
from cchc.surveys.comments import comment_task_create, default_task_title
from cchc.surveys.models import Answer, Channel, CommentTask, Questionnaire
from cchc.testing.personas import Personas

from .test_results import make_survey, seed


@pytest.fixture
def survey(personas: Personas) -> Questionnaire:
    questionnaire = make_survey(personas.province)
    seed(questionnaire, personas.unit_a, {"q1": "2"}, text="Chờ lâu quá, cần thêm ghế ngồi")
    seed(questionnaire, personas.unit_b, {"q1": "4"}, channel=Channel.ONLINE, text="Cán bộ nhiệt tình")
    return questionnaire


def comment(text: str) -> Answer:
    return Answer.objects.select_related("response").get(text_value=text)


def task_url(survey: Questionnaire, answer: Answer) -> str:
    return reverse("surveys:comment_task", args=[survey.pk, answer.pk])


def deadline(days: int = 20) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_the_comments_list_is_paginated_with_its_total_and_keeps_the_filters(
    personas: Personas, survey: Questionnaire
) -> None:
    seed(survey, personas.unit_a, {"q1": "5"}, times=60, text="Thêm góp ý")
    client = personas.client("secretariat")
    listing = reverse("surveys:comments", args=[survey.pk])
    first = client.get(listing, {"channel": "counter"}).content.decode()
    assert first.count('data-testid="comment"') == 50
    assert "61 ý kiến góp ý" in first and "Cán bộ nhiệt tình" not in first
    assert "?channel=counter&amp;page=2" in first
    second = client.get(listing, {"channel": "counter", "page": "2"}).content.decode()
    assert second.count('data-testid="comment"') == 11
    assert client.get(listing, {"page": "x"}).status_code == 200
    assert 'data-testid="results-comments"' in client.get(reverse("surveys:results", args=[survey.pk])).content.decode()


def test_the_comments_list_costs_a_fixed_number_of_queries(
    personas: Personas, survey: Questionnaire, django_assert_max_num_queries: object
) -> None:
    client = personas.client("secretariat")
    listing = reverse("surveys:comments", args=[survey.pk])
    client.get(listing)
    seed(survey, personas.office_a, {"q1": "4"}, times=60, text="Thêm")
    for answer in Answer.objects.filter(text_value="Thêm")[:3]:
        comment_task_create(
            actor=personas.secretariat, answer=answer, unit=personas.unit_a, title="Việc", deadline=timezone.localdate()
        )
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        page = client.get(listing).content.decode()
    assert page.count('data-status="tasked"') == 3


def test_the_task_form_starts_with_the_unit_of_the_response_and_a_title_from_the_comment(
    personas: Personas, survey: Questionnaire
) -> None:
    answer = comment("Chờ lâu quá, cần thêm ghế ngồi")
    page = personas.client("secretariat").get(task_url(survey, answer)).content.decode()
    assert f'<option value="{personas.unit_a.pk}" selected' in page
    assert "Xử lý ý kiến góp ý của người dân: “Chờ lâu quá, cần thêm ghế ngồi”" in page


def test_the_secretariat_turns_a_comment_into_a_task_of_the_directives_app_audited(
    personas: Personas, survey: Questionnaire
) -> None:
    answer = comment("Chờ lâu quá, cần thêm ghế ngồi")
    client = personas.client("secretariat")
    response = client.post(
        task_url(survey, answer),
        {
            "unit": personas.unit_a.pk,
            "title": default_task_title(answer),
            "deadline": deadline(),
            "note": "Báo cáo kết quả bố trí ghế",
            "query": "channel=counter&page=1&x=1",
        },
    )
    listing = reverse("surveys:comments", args=[survey.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{listing}?channel=counter&page=1#comment-{answer.pk}"
    link = CommentTask.objects.get(answer=answer)
    task = link.task
    assert task.content.startswith("Xử lý ý kiến góp ý của người dân") and "bố trí ghế" in task.content
    assert task.directive.origin_key.startswith(f"survey-comments:{survey.pk}:")
    assert task.directive.issuing_unit == personas.province and survey.title in task.directive.subject
    assignment = Assignment.objects.get(task=task)
    assert assignment.unit == personas.unit_a and assignment.due_date is not None
    assert assignment.due_date.isoformat() == deadline()
    assert AuditEntry.objects.filter(object_type="surveys.commenttask", action=AuditAction.CREATE).exists()
    assert AuditEntry.objects.filter(object_type="directives.task", object_id=str(task.pk)).exists()
    page = client.get(listing).content.decode()
    assert 'data-status="tasked"' in page and reverse("directives:task_detail", args=[task.pk]) in page
    assert "đã giao việc 1" in page
    assert client.get(reverse("directives:task_detail", args=[task.pk])).status_code == 200
    assert client.get(reverse("directives:directive_detail", args=[task.directive_id])).status_code == 200
    assert survey.title in client.get(reverse("directives:directive_list")).content.decode()
    # The unit sees the task among its own.
    mine = personas.client("focal_a").get(reverse("directives:my_tasks")).content.decode()
    assert "Chờ lâu quá" in mine


def test_a_double_submit_creates_one_task_and_a_second_comment_joins_the_same_directive(
    personas: Personas, survey: Questionnaire
) -> None:
    answer = comment("Chờ lâu quá, cần thêm ghế ngồi")
    client = personas.client("secretariat")
    form = {"unit": personas.unit_a.pk, "title": "Bố trí thêm ghế", "deadline": deadline()}
    assert client.post(task_url(survey, answer), form).status_code == 302
    assert client.post(task_url(survey, answer), form).status_code == 302
    assert Task.objects.count() == 1 and CommentTask.objects.count() == 1
    assert 'data-testid="comment-tasked"' in client.get(task_url(survey, answer)).content.decode()
    other = comment("Cán bộ nhiệt tình")
    client.post(task_url(survey, other), {**form, "unit": personas.unit_b.pk, "title": "Khen thưởng"})
    assert Task.objects.count() == 2 and Directive.objects.count() == 1


def test_the_secretariat_may_give_the_task_to_another_unit_it_manages_only(
    personas: Personas, survey: Questionnaire
) -> None:
    answer = comment("Chờ lâu quá, cần thêm ghế ngồi")
    client = personas.client("secretariat")
    form = {"title": "Việc", "deadline": deadline()}
    outside = client.post(task_url(survey, answer), {**form, "unit": personas.other_commune.pk})
    assert outside.status_code == 200 and not Task.objects.exists()
    client.post(task_url(survey, answer), {**form, "unit": personas.office_a.pk})
    assert Assignment.objects.get().unit == personas.office_a


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline": "2001-01-01"}, "không được trước ngày hôm nay"),
        ({"deadline": "31/02/2027"}, "Ngày không hợp lệ"),
        ({"title": "   "}, "has-error"),
        ({"title": "x" * 400}, "has-error"),
        ({"unit": "abc"}, "has-error"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_stored(
    personas: Personas, survey: Questionnaire, changes: dict[str, str], message: str
) -> None:
    answer = comment("Chờ lâu quá, cần thêm ghế ngồi")
    form = {"unit": personas.unit_a.pk, "title": "Việc", "deadline": deadline(), **changes}
    response = personas.client("secretariat").post(task_url(survey, answer), form)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Task.objects.exists() and not Directive.objects.exists() and not CommentTask.objects.exists()


@pytest.mark.parametrize("name", ["focal_a", "focal_b", "leader", "supervisor", "appraiser"])
def test_people_other_than_the_secretariat_cannot_give_a_comment_as_a_task(
    personas: Personas, survey: Questionnaire, name: str
) -> None:
    answer = comment("Chờ lâu quá, cần thêm ghế ngồi")
    client = personas.client(name)
    assert client.get(task_url(survey, answer)).status_code == 403
    form = {"unit": personas.unit_a.pk, "title": "Việc", "deadline": deadline()}
    assert client.post(task_url(survey, answer), form).status_code == 403
    assert client.get(reverse("surveys:comments", args=[survey.pk])).status_code == 403
    assert not Task.objects.exists()


def test_unknown_comments_and_anonymous_visitors_are_refused(personas: Personas, survey: Questionnaire) -> None:
    answer = comment("Chờ lâu quá, cần thêm ghế ngồi")
    assert personas.client("anonymous").get(task_url(survey, answer)).status_code == 302
    missing = reverse("surveys:comment_task", args=[survey.pk, 99999999])
    assert personas.client("secretariat").get(missing).status_code == 404
    choice = Answer.objects.filter(choice_value="2").get()
    assert personas.client("secretariat").get(task_url(survey, choice)).status_code == 404


def test_the_service_refuses_an_answer_that_is_not_a_comment(personas: Personas, survey: Questionnaire) -> None:
    choice = Answer.objects.filter(choice_value="2").get()
    with pytest.raises(ServiceError):
        comment_task_create(
            actor=personas.secretariat,
            answer=choice,
            unit=personas.unit_a,
            title="Việc",
            deadline=timezone.localdate(),
        )
    assert not Task.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_for_one_comment_create_one_task(personas: Personas) -> None:
    """Two workers receive the same form at once: the lock on the comment lets one task through."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    survey = make_survey(personas.province)
    seed(survey, personas.unit_a, {"q1": "2"}, text="Đồng thời")
    answer = comment("Đồng thời")
    start = threading.Barrier(2)
    created: list[bool] = []

    def submit() -> None:
        try:
            start.wait()
            _link, new = comment_task_create(
                actor=personas.secretariat,
                answer=answer,
                unit=personas.unit_a,
                title="Việc",
                deadline=timezone.localdate() + datetime.timedelta(days=5),
            )
            created.append(new)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(created) == [False, True]
    assert Task.objects.count() == 1 and Directive.objects.count() == 1 and CommentTask.objects.count() == 1
