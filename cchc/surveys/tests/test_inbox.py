"""Accepting public responses into the inbox and storing them in batches (``inbox.py``)."""

from __future__ import annotations

import datetime
import io
import threading
import uuid

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import Sum
from django.urls import reverse

from cchc.lib.errors import ServiceError
from cchc.surveys import collection, inbox
from cchc.surveys.collection import PointData, collection_point_create, collection_point_set_active
from cchc.surveys.models import (
    AnswerCount,
    CollectionPoint,
    PendingResponse,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseCount,
    VersionState,
)
from cchc.surveys.services import version_close
from cchc.surveys.templates_catalogue import ensure_templates
from cchc.testing.personas import Personas

from .factories import make_questionnaire


@pytest.fixture
def questionnaire(personas: Personas) -> Questionnaire:
    return make_questionnaire(personas.province, code="hop-thu", publish=True)


@pytest.fixture
def version(questionnaire: Questionnaire) -> QuestionnaireVersion:
    return questionnaire.versions.get(state=VersionState.PUBLISHED)


@pytest.fixture
def point(questionnaire: Questionnaire, personas: Personas) -> CollectionPoint:
    return collection_point_create(
        actor=None, questionnaire=questionnaire, data=PointData(unit=personas.unit_a, counter_label="Quầy 3")
    )


def _ids(version: QuestionnaireVersion) -> dict[str, int]:
    return dict(version.questions.values_list("code", "pk"))


def _accept(
    point: CollectionPoint, version: QuestionnaireVersion, *, key: str = "", dossier: str = "", **values: str
) -> bool | None:
    ids = _ids(version)
    return inbox.response_accept(
        inbox.Acceptance(
            point_id=point.pk,
            token=point.token,
            version_id=version.pk,
            answers={ids[code]: [value] for code, value in values.items()},
            dossier_code=dossier,
            started_at=None,
            fingerprint="f" * 64,
            idempotency_key=key or uuid.uuid4().hex,
        )
    )


def _required(version: QuestionnaireVersion) -> dict[str, str]:
    questions = version.questions.filter(required=True).values_list("code", "kind")
    return {code: "yes" if kind == "yes_no" else "4" for code, kind in questions}


def test_an_accepted_response_is_stored_with_its_answers_counts_and_the_time_it_was_accepted(
    point: CollectionPoint, version: QuestionnaireVersion
) -> None:
    assert _accept(point, version, hai_long="1", ly_do="Chờ lâu", so_lan="3") is True
    accepted_at = PendingResponse.objects.get().received_at
    assert not Response.objects.exists()
    result = inbox.inbox_process()
    assert (result.stored, result.duplicates, result.failed) == (1, 0, 0)
    response = Response.objects.get()
    assert (response.unit, response.channel, response.counter_label) == (point.unit, "counter", "Quầy 3")
    assert response.collection_point == point and response.submitted_at == accepted_at
    answers = dict(response.answers.values_list("question__code", "text_value"))
    assert set(answers) == {"hai_long", "ly_do", "so_lan"} and answers["ly_do"] == "Chờ lâu"
    counted = ResponseCount.objects.get()
    assert (counted.count, counted.comments) == (1, 1)
    assert not PendingResponse.objects.exists()


def test_the_same_form_accepted_twice_is_one_row_and_one_response(
    point: CollectionPoint, version: QuestionnaireVersion
) -> None:
    assert _accept(point, version, key="k1", hai_long="5") is True
    assert _accept(point, version, key="k1", hai_long="5") is False
    assert PendingResponse.objects.count() == 1
    inbox.inbox_process()
    assert _accept(point, version, key="k1", hai_long="5") is False  # resent after it was stored
    assert Response.objects.count() == 1 and not PendingResponse.objects.exists()


def test_a_row_whose_key_was_stored_meanwhile_is_dropped_not_stored_twice(
    point: CollectionPoint, version: QuestionnaireVersion
) -> None:
    assert _accept(point, version, key="k2", hai_long="4") is True
    row = PendingResponse.objects.get()
    inbox.inbox_process()
    PendingResponse.objects.create(  # the same form again, written before the first copy was stored
        questionnaire_id=row.questionnaire_id,
        version_id=row.version_id,
        collection_point_id=row.collection_point_id,
        answers=row.answers,
        received_at=row.received_at,
        idempotency_key="k2",
    )
    result = inbox.inbox_process()
    assert (result.stored, result.duplicates) == (0, 1)
    assert Response.objects.count() == 1 and not PendingResponse.objects.exists()


def test_batches_store_every_row_once_and_the_counts_match_the_answers(
    point: CollectionPoint, version: QuestionnaireVersion
) -> None:
    values = ["5", "4", "5", "1", "3", "5", "2"]
    for value in values:
        assert _accept(point, version, hai_long=value, kenh="quay") is True
    result = inbox.inbox_process(batch_size=3)
    assert result.stored == 7 and Response.objects.count() == 7 and not PendingResponse.objects.exists()
    assert ResponseCount.objects.aggregate(n=Sum("count"))["n"] == 7
    satisfaction = {f"n{i}": Sum(f"n{i}") for i in range(1, 6)}
    question = version.questions.get(code="hai_long")
    counted = AnswerCount.objects.filter(question=question).aggregate(**satisfaction)
    assert [counted[f"n{i}"] for i in range(1, 6)] == [values.count(str(i)) for i in range(1, 6)]


def test_a_run_that_dies_half_way_stores_nothing_of_its_batch_and_the_next_run_stores_it_once(
    point: CollectionPoint, version: QuestionnaireVersion
) -> None:
    for value in ("5", "4", "3"):
        _accept(point, version, hai_long=value)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert inbox.inbox_process().stored == 3
        raise RuntimeError("the worker was killed")
    assert not Response.objects.exists() and PendingResponse.objects.count() == 3
    assert inbox.inbox_process().stored == 3
    assert inbox.inbox_process().stored == 0
    assert Response.objects.count() == 3 and ResponseCount.objects.aggregate(n=Sum("count"))["n"] == 3


def test_a_row_that_cannot_be_stored_keeps_its_answers_and_the_reason_and_the_others_are_stored(
    point: CollectionPoint, version: QuestionnaireVersion
) -> None:
    _accept(point, version, hai_long="5")
    bad = PendingResponse.objects.create(
        questionnaire_id=version.questionnaire_id,
        version=version,
        collection_point=point,
        answers={"khong-phai-so": ["5"]},
        received_at=datetime.datetime.now(tz=datetime.UTC),
        idempotency_key="hong",
    )
    _accept(point, version, hai_long="3")
    result = inbox.inbox_process()
    assert (result.stored, result.failed) == (2, 1) and Response.objects.count() == 2
    bad.refresh_from_db()
    assert bad.error and bad.answers == {"khong-phai-so": ["5"]}
    assert inbox.inbox_process().failed == 0  # not taken again
    assert inbox.waiting(PendingResponse.objects.all()) == inbox.Waiting(pending=0, failed=1)


def test_a_dossier_rated_twice_is_refused_while_waiting_and_once_stored(personas: Personas) -> None:
    ensure_templates()
    counter = Questionnaire.objects.get(code="khao-sat-nhanh-tai-quay")
    version = counter.versions.get(state=VersionState.PUBLISHED)
    point = collection_point_create(actor=None, questionnaire=counter, data=PointData(unit=personas.unit_b))
    required = _required(version)
    assert _accept(point, version, dossier="HS-1", ma_ho_so="HS-1", **required) is True
    with pytest.raises(ServiceError) as refused:
        _accept(point, version, dossier="HS-1", ma_ho_so="HS-1", **required)
    assert refused.value.code == "duplicate"
    inbox.inbox_process()
    assert Response.objects.get().dossier_code == "HS-1"
    assert _accept(point, version, dossier="HS-1", ma_ho_so="HS-1", **required) is None
    assert inbox.dossier_rated(counter.pk, "HS-1") and not PendingResponse.objects.exists()


def test_a_dossier_rated_through_another_path_meanwhile_is_kept_with_the_kind_message(personas: Personas) -> None:
    ensure_templates()
    counter = Questionnaire.objects.get(code="khao-sat-nhanh-tai-quay")
    version = counter.versions.get(state=VersionState.PUBLISHED)
    point = collection_point_create(actor=None, questionnaire=counter, data=PointData(unit=personas.unit_b))
    required = _required(version)
    assert _accept(point, version, dossier="HS-2", ma_ho_so="HS-2", **required) is True
    ids = _ids(version)
    collection.response_submit(
        version=version,
        submission=collection.Submission(
            unit=personas.unit_b,
            channel="counter",
            answers={ids[code]: [value] for code, value in {**required, "ma_ho_so": "HS-2"}.items()},
        ),
    )
    result = inbox.inbox_process()
    assert (result.stored, result.failed) == (0, 1)
    assert "đã được đánh giá rồi" in PendingResponse.objects.get().error
    assert Response.objects.count() == 1


def test_a_paused_link_or_a_closed_version_accepts_nothing(
    point: CollectionPoint, version: QuestionnaireVersion
) -> None:
    collection_point_set_active(actor=None, point=point, active=False)
    assert _accept(point, version, hai_long="5") is None
    collection_point_set_active(actor=None, point=point, active=True)
    version_close(actor=None, version=version)
    assert _accept(point, version, hai_long="5") is None
    assert not PendingResponse.objects.exists()


def test_a_token_of_another_link_accepts_nothing(
    point: CollectionPoint, version: QuestionnaireVersion, questionnaire: Questionnaire
) -> None:
    other = collection_point_create(actor=None, questionnaire=questionnaire, data=PointData(unit=point.unit))
    ids = _ids(version)
    acceptance = inbox.Acceptance(
        point_id=point.pk,
        token=other.token,
        version_id=version.pk,
        answers={ids["hai_long"]: ["5"]},
        idempotency_key="x",
    )
    assert inbox.response_accept(acceptance) is None and not PendingResponse.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_time_store_each_row_once(personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED: PostgreSQL")
    questionnaire = make_questionnaire(personas.province, code="hop-thu-song-song", publish=True)
    version = questionnaire.versions.get(state=VersionState.PUBLISHED)
    point = collection_point_create(actor=None, questionnaire=questionnaire, data=PointData(unit=personas.unit_a))
    for value in ["5", "4", "3", "2", "1"] * 12:
        _accept(point, version, hai_long=value)
    stored: list[int] = []

    def run() -> None:
        try:
            stored.append(inbox.inbox_process(batch_size=7).stored)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(stored) == 60 and Response.objects.filter(questionnaire=questionnaire).count() == 60
    assert ResponseCount.objects.filter(version=version).aggregate(n=Sum("count"))["n"] == 60
    assert not PendingResponse.objects.exists()


def test_the_command_and_the_queued_job_store_what_waits(point: CollectionPoint, version: QuestionnaireVersion) -> None:
    _accept(point, version, hai_long="5")
    out = io.StringIO()
    call_command("process_survey_inbox", stdout=out)
    assert "Đã lưu 1 phiếu" in out.getvalue() and Response.objects.count() == 1
    _accept(point, version, hai_long="4")
    assert inbox.process_pending_job.call() == 1 and Response.objects.count() == 2


def test_a_failed_row_is_tried_again_on_request(point: CollectionPoint, version: QuestionnaireVersion) -> None:
    _accept(point, version, hai_long="5")
    PendingResponse.objects.update(error="Thử")
    assert inbox.inbox_process().stored == 0
    out = io.StringIO()
    call_command("process_survey_inbox", "--retry-failed", stdout=out)
    assert Response.objects.count() == 1 and not PendingResponse.objects.exists()


def test_the_results_page_says_how_many_accepted_responses_wait(
    personas: Personas, point: CollectionPoint, version: QuestionnaireVersion
) -> None:
    _accept(point, version, hai_long="5")
    _accept(point, version, hai_long="4")
    url = reverse("surveys:results", args=[point.questionnaire_id])
    html = personas.client("secretariat").get(url).content.decode()
    assert "2 phiếu trả lời đã nhận đang chờ đưa vào số liệu" in html
    inbox.inbox_process()
    html = personas.client("secretariat").get(url).content.decode()
    assert "đang chờ đưa vào số liệu" not in html
