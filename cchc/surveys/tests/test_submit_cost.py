"""What one public submission costs, and the per-process form of a published version staying right."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cchc.lib.errors import ServiceError
from cchc.surveys import collection
from cchc.surveys.inbox import inbox_process
from cchc.surveys.models import (
    CollectionPoint,
    PendingResponse,
    QuestionKind,
    Questionnaire,
    Response,
    VersionState,
)
from cchc.surveys.services import QuestionData, question_add, version_close, version_new_draft, version_publish

from .test_public import answer, form_url, open_form, stored

pytestmark = pytest.mark.usefixtures("fresh_cache")


def _new_version_with_question(questionnaire: Questionnaire, code: str) -> None:
    draft = version_new_draft(actor=None, questionnaire=questionnaire)
    section = draft.sections.order_by("order").first()
    assert section is not None
    question_add(
        actor=None,
        section=section,
        data=QuestionData(code=code, text="Ông/bà có góp ý thêm?", kind=QuestionKind.YES_NO),
    )
    version_publish(actor=None, version=draft)


def test_a_submission_is_one_statement_that_checks_the_link_and_accepts_the_response(point: CollectionPoint) -> None:
    client = Client()
    fields = open_form(client, point)
    assert client.post(form_url(point), answer(fields, hai_long="5")).status_code == 302
    fields = open_form(client, point)
    with CaptureQueriesContext(connection) as queries:
        sent = client.post(form_url(point), answer(fields, hai_long="4", kenh="quay", so_lan="2"))
    assert sent.status_code == 302 and PendingResponse.objects.count() == 2
    statements = [query["sql"].split(" ", 1)[0].upper() for query in queries.captured_queries]
    # The form of the version is kept by the process: one INSERT … SELECT checks the link and the version and writes
    # the row (the job that stores it was queued by the first submission of this process, a few seconds ago).
    assert [s for s in statements if s not in ("SAVEPOINT", "RELEASE")] == ["INSERT"], statements
    assert stored().count() == 2 and not PendingResponse.objects.exists()


def test_storing_a_batch_of_accepted_responses_costs_the_same_statements_as_one(
    point: CollectionPoint, questionnaire: Questionnaire
) -> None:
    client = Client()
    for value in ("5", "4", "3", "5", "2"):
        assert client.post(form_url(point), answer(open_form(client, point), hai_long=value)).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        result = inbox_process()
    assert result.stored == 5 and Response.objects.count() == 5
    statements = [query["sql"].split(" ", 1)[0].upper() for query in queries.captured_queries]
    writes = [s for s in statements if s in ("INSERT", "WITH", "DELETE", "UPDATE")]
    counts = ["WITH"] if connection.vendor == "postgresql" else ["INSERT", "INSERT"]
    assert writes == ["INSERT", "INSERT", *counts, "DELETE"], statements


def test_a_newly_published_version_is_used_at_once(point: CollectionPoint, questionnaire: Questionnaire) -> None:
    client = Client()
    fields = open_form(client, point)
    assert client.post(form_url(point), answer(fields, hai_long="5")).status_code == 302
    _new_version_with_question(questionnaire, "gop_y")
    fields = open_form(client, point)
    assert "Ông/bà có góp ý thêm?" in client.get(form_url(point)).content.decode()
    assert client.post(form_url(point), answer(fields, hai_long="3", gop_y="yes")).status_code == 302
    latest = stored().order_by("-pk").first()
    assert latest is not None and latest.version.number == 2
    assert list(latest.answers.order_by("question__code").values_list("question__code", flat=True)) == [
        "gop_y",
        "hai_long",
    ]


def test_an_answer_to_the_earlier_version_is_refused_once_a_new_one_is_published(
    point: CollectionPoint, questionnaire: Questionnaire
) -> None:
    client = Client()
    old = open_form(client, point)
    assert client.post(form_url(point), answer(open_form(client, point), hai_long="5")).status_code == 302
    _new_version_with_question(questionnaire, "gop_y")
    refused = client.post(form_url(point), answer(old, hai_long="5"))
    assert refused.status_code == 400 and "không thuộc phiếu này" in refused.content.decode()
    assert stored().count() == 1


def test_a_closed_version_refuses_at_once(point: CollectionPoint, questionnaire: Questionnaire) -> None:
    client = Client()
    assert client.post(form_url(point), answer(open_form(client, point), hai_long="5")).status_code == 302
    fields = open_form(client, point)
    published = questionnaire.versions.get(state=VersionState.PUBLISHED)
    version_close(actor=None, version=published)
    refused = client.post(form_url(point), answer(fields, hai_long="5"))
    assert refused.status_code == 410 and stored().count() == 1
    published.refresh_from_db()
    submission = collection.Submission(unit=point.unit, channel=point.channel, answers={})
    with pytest.raises(ServiceError) as error:
        collection.response_submit(version=published, submission=submission)
    assert error.value.code == "closed"


def test_a_draft_is_read_afresh_every_time(questionnaire: Questionnaire) -> None:
    draft = version_new_draft(actor=None, questionnaire=questionnaire)
    before = collection.version_form(draft)
    section = draft.sections.order_by("order").first()
    assert section is not None
    question_add(actor=None, section=section, data=QuestionData(code="them", text="Thêm", kind=QuestionKind.YES_NO))
    after = collection.version_form(draft)
    assert len(after.questions) == len(before.questions) + 1


def test_the_form_of_a_published_version_is_read_once_per_process(questionnaire: Questionnaire) -> None:
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    first = collection.version_form(version)
    with CaptureQueriesContext(connection) as queries:
        again = collection.version_form(questionnaire.versions.get(state=VersionState.PUBLISHED))
    assert again is first and len(queries.captured_queries) == 1  # only the version itself
