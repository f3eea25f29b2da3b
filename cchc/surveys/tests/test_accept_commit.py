"""How the public form's one statement commits (``inbox.response_accept`` outside a transaction, PostgreSQL):
prepared once per connection, and without waiting for the WAL flush unless ``SURVEY_ASYNC_ACCEPT`` is off."""

from __future__ import annotations

import dataclasses
import datetime
import uuid

import pytest
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from cchc.lib.errors import ServiceError
from cchc.surveys import inbox
from cchc.surveys.collection import PointData, collection_point_create
from cchc.surveys.models import CollectionPoint, PendingResponse, Response, VersionState
from cchc.testing.personas import Personas

from .factories import make_questionnaire
from .test_public import answer, form_url, open_form, stored

pytestmark = pytest.mark.usefixtures("fresh_cache")


@pytest.fixture
def point(personas: Personas) -> CollectionPoint:
    questionnaire = make_questionnaire(personas.province, code="cam-ket", publish=True)
    return collection_point_create(actor=None, questionnaire=questionnaire, data=PointData(unit=personas.unit_a))


def _acceptance(point: CollectionPoint) -> inbox.Acceptance:
    version = point.questionnaire.versions.get(state=VersionState.PUBLISHED)
    satisfaction = version.questions.get(code="hai_long")
    return inbox.Acceptance(
        point_id=point.pk,
        token=point.token,
        version_id=version.pk,
        answers={satisfaction.pk: ["5"]},
        started_at=datetime.datetime.now(datetime.UTC),
        idempotency_key=uuid.uuid4().hex,
    )


def _show(setting: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        return str(cursor.fetchone()[0])


def _commit_mode_of_the_acceptance(point: CollectionPoint) -> str:
    """``synchronous_commit`` as the acceptance's own transaction has it after the statement: the statement runs in a
    transaction opened on the server only (Django still sees autocommit, so it takes the public form's path)."""
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
    try:
        assert not connection.in_atomic_block
        assert inbox.response_accept(_acceptance(point)) is True
        return _show("synchronous_commit")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("asynchronous", "expected"), [(True, "off"), (False, "on")])
def test_on_postgresql_the_acceptance_commits_without_waiting_for_the_flush_unless_the_setting_is_off(
    point: CollectionPoint, settings: SettingsWrapper, asynchronous: bool, expected: str
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit: PostgreSQL")
    settings.SURVEY_ASYNC_ACCEPT = asynchronous
    assert _show("synchronous_commit") == "on"
    assert _commit_mode_of_the_acceptance(point) == expected
    # Local to the acceptance's transaction: the connection's next transactions commit as before.
    assert _show("synchronous_commit") == "on"
    assert inbox.response_accept(_acceptance(point)) is True
    assert _show("synchronous_commit") == "on"
    assert PendingResponse.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_acceptance_is_prepared_once_per_connection_at_its_first_run(
    point: CollectionPoint, kept_connection: None
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements: PostgreSQL")
    from django.conf import settings

    for _ in range(3):
        assert inbox.response_accept(_acceptance(point)) is True
    # The connection's own threshold (decision 43) is left as it was: the acceptance is prepared at its first run.
    expected = (settings.DATABASE_PREPARE_THRESHOLD or None) if settings.DATABASE_SERVER_SIDE_BINDING else None
    assert connection.connection.prepare_threshold == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    accepting = [text for text in prepared if text.startswith('INSERT INTO "surveys_pendingresponse"')]
    assert len(accepting) == 1
    assert PendingResponse.objects.count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("asynchronous", [True, False])
def test_a_form_sent_twice_is_thanked_twice_and_stored_once_however_the_acceptance_commits(
    point: CollectionPoint, settings: SettingsWrapper, kept_connection: None, asynchronous: bool
) -> None:
    settings.SURVEY_ASYNC_ACCEPT = asynchronous
    client = Client()
    fields = open_form(client, point)
    first = client.post(form_url(point), answer(fields, hai_long="4"))
    again = client.post(form_url(point), answer(fields, hai_long="4"))  # a double click
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == form_url(point) + "thanks/"
    assert PendingResponse.objects.count() == 1
    assert stored().count() == 1
    # Sent once more after the inbox was stored: thanked again, nothing new waits or is stored.
    late = client.post(form_url(point), answer(fields, hai_long="4"))
    assert late.status_code == 302 and late["Location"] == form_url(point) + "thanks/"
    assert PendingResponse.objects.count() == 0
    assert stored().count() == 1
    assert Response.objects.get().answers.get(question__code="hai_long").choice_value == "4"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_acceptance_whose_prepared_statement_the_session_lost_prepares_it_again(
    point: CollectionPoint, kept_connection: None
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements: PostgreSQL")
    assert inbox.response_accept(_acceptance(point)) is True
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a session reset does; the connection object is the same
    assert _prepared_statements() == []
    assert inbox.response_accept(_acceptance(point)) is True
    assert inbox.response_accept(_acceptance(point)) is True
    assert len(_prepared_statements()) == 1
    assert PendingResponse.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_dossier_waiting_in_the_inbox_refuses_a_second_rating_through_the_prepared_statement(
    point: CollectionPoint, kept_connection: None
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements: PostgreSQL")
    first = dataclasses.replace(_acceptance(point), dossier_code="HS-2026-001")
    assert inbox.response_accept(first) is True
    again = dataclasses.replace(_acceptance(point), dossier_code="HS-2026-001")  # another form, the same dossier
    with pytest.raises(ServiceError) as refused:
        inbox.response_accept(again)
    assert refused.value.code == "duplicate"
    assert inbox.response_accept(first) is False  # the first form sent again: accepted before
    # The connection is still usable afterwards, and the statement still prepared on it.
    assert inbox.response_accept(_acceptance(point)) is True
    assert len(_prepared_statements()) >= 1
    stored_rows = PendingResponse.objects.order_by("pk")
    assert [row.dossier_code for row in stored_rows] == ["HS-2026-001", ""]
    assert stored_rows[0].started_at == first.started_at  # sent as text, read back to the microsecond
    assert all(row.received_at is not None for row in stored_rows)
