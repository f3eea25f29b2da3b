"""What one self-score write through the API costs, and what it still guarantees at that cost.

The endpoint reads the score with its sheet, round and unit in one statement that also locks the score's row, and
the service writes in the endpoint's transaction (no second read, no savepoint): the version check, the sheet's
rules, the one audit entry and the caches are the same as through the page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.accounts.models import User
from cchc.accounts.services import api_token_authenticate, api_token_create
from cchc.assessments import access, services
from cchc.assessments.models import Score
from cchc.audit.models import AuditEntry

from .conftest import Workflow

pytestmark = pytest.mark.django_db

CaptureCallbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


class Writer:
    """A client of the API with a token of its own, made before anything is counted."""

    def __init__(self, user: User) -> None:
        _token, raw = api_token_create(actor=user, user=user, name="Kết nối thử")
        self.headers = {"Authorization": f"Bearer {raw}"}
        self.client = Client()

    def put(self, score: Score, body: dict[str, Any]) -> Any:
        url = f"/api/assessments/scores/{score.pk}/self"
        return self.client.put(url, data=json.dumps(body), content_type="application/json", headers=self.headers)


def _entries(score: Score) -> Any:
    return AuditEntry.objects.filter(object_type="assessments.score", object_id=str(score.pk))


@pytest.mark.django_db(transaction=True)  # real transactions: the statements as a server runs them
def test_a_self_score_write_through_the_api_runs_nine_statements(wf: Workflow) -> None:
    writer = Writer(wf.personas.focal_a)
    score = wf.score(wf.a, "1.1")
    version = score.version
    # Two writes first: the token's last use is written at the first, and the roles, read again after that
    # change to the accounts, are kept in the cache at the second.
    for note in ("Lần một", "Lần hai"):
        response = writer.put(score, {"note": note, "version": version})
        assert response.status_code == 200
        version = response.json()["version"]
    with CaptureQueriesContext(connection) as queries:
        response = writer.put(score, {"note": "Lần ba", "version": version})
    assert response.status_code == 200 and response.json()["self_note"] == "Lần ba"
    statements = [" ".join(query["sql"].split()[:2]).upper() for query in queries.captured_queries]
    statements = ["BEGIN" if sql.startswith("BEGIN") else sql for sql in statements]  # SQLite: BEGIN IMMEDIATE
    assert statements == [
        'SELECT "ACCOUNTS_APITOKEN"."ID",',  # the token with its user (its last use written less than a minute ago)
        "BEGIN",
        'SELECT "ASSESSMENTS_SCORE"."ID",',  # the score, its criterion, sheet, round and unit; on PostgreSQL FOR UPDATE
        'SELECT "CCHC_LIB_DATAVERSION"."AREA"',  # the data versions the caller's roles are kept in the cache under
        'UPDATE "ASSESSMENTS_SCORE"',  # the note, the version and the time: only what changed
        "INSERT INTO",  # the audit entry
        "INSERT INTO",  # the versions of the two apps written, for the page caches: committed with the data
        "COMMIT",  # the only commit: no statement of its own for the versions after it
        'SELECT "ASSESSMENTS_EVIDENCE_SCORES"."EVIDENCE_ID"',  # the evidence linked to the score, for the answer
    ], statements
    sqls = [query["sql"] for query in queries.captured_queries]
    assert "audit_auditentry" in sqls[5] and "cchc_lib_dataversion" in sqls[6]
    assert '"self_note"' in sqls[4] and '"self_score"' not in sqls[4] and '"appraised_by_id"' not in sqls[4]
    if connection.vendor == "postgresql":
        assert sqls[2].rstrip().endswith('FOR UPDATE OF "assessments_score"')
    assert _entries(score).count() == 3


def test_an_accepted_write_has_exactly_one_audit_entry_with_the_values_before_and_after(wf: Workflow) -> None:
    writer = Writer(wf.personas.focal_a)
    score = wf.score(wf.a, "1.2")
    response = writer.put(score, {"points": "2.5", "note": "Đủ 4 báo cáo", "version": score.version})
    assert response.status_code == 200 and response.json()["version"] == score.version + 1
    assert Decimal(response.json()["self_score"]) == Decimal("2.5")
    [entry] = _entries(score)
    assert entry.actor == wf.personas.focal_a and entry.action == "update"
    assert entry.changes == {"self_note": ["", "Đủ 4 báo cáo"], "self_score": [None, "2.50"]}
    stored = Score.objects.get(pk=score.pk)
    assert (stored.self_score, stored.self_note, stored.version) == (Decimal("2.5"), "Đủ 4 báo cáo", 1)
    # The same values again change nothing: no entry, the version stays.
    again = writer.put(score, {"points": "2.5", "note": "Đủ 4 báo cáo", "version": 1})
    assert again.status_code == 200 and again.json()["version"] == 1 and _entries(score).count() == 1


def test_a_write_based_on_a_stale_version_is_refused_in_vietnamese_and_changes_nothing(wf: Workflow) -> None:
    writer = Writer(wf.personas.focal_a)
    score = wf.score(wf.a, "2.1")
    services.score_self_set(actor=wf.personas.focal_a, score=score, points=Decimal(3), version=score.version)
    response = writer.put(score, {"points": "4", "note": "Sửa theo bản cũ", "version": score.version})
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert response.json()["detail"].startswith("Tiêu chí này vừa được người khác cập nhật lúc ")
    assert response.json()["detail"].endswith("vui lòng tải lại để xem điểm mới.")
    stored = Score.objects.get(pk=score.pk)
    assert (stored.self_score, stored.self_note, stored.version) == (Decimal(3), "", score.version + 1)
    assert _entries(score).count() == 1  # the first write's only


def test_a_caller_refused_after_the_score_was_locked_writes_nothing_and_leaves_it_writable(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.1")
    other_unit = Writer(wf.personas.focal_b).put(score, {"note": "Không phải đơn vị mình", "version": 0})
    reader_only = Writer(wf.personas.secretariat).put(score, {"note": "Chỉ được xem", "version": 0})
    assert (other_unit.status_code, reader_only.status_code) == (404, 403)
    assert not _entries(score).exists() and Score.objects.get(pk=score.pk).version == 0
    response = Writer(wf.personas.focal_a).put(score, {"note": "Đơn vị ghi", "version": 0})
    assert response.status_code == 200 and _entries(score).count() == 1


def test_a_write_to_a_locked_sheet_is_refused_and_rolled_back(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.1")
    wf.a.status = "submitted"
    wf.a.save(update_fields=["status"])
    response = Writer(wf.personas.focal_a).put(score, {"note": "Sau khi nộp", "version": 0})
    assert response.status_code == 400 and response.json()["code"] == "locked"
    assert Score.objects.get(pk=score.pk).self_note == "" and not _entries(score).exists()


def test_a_note_written_through_the_api_shows_at_the_next_opening_of_the_sheet(
    wf: Workflow, django_capture_on_commit_callbacks: CaptureCallbacks
) -> None:
    page = reverse("assessments:assessment_detail", args=[wf.a.pk])
    browser = wf.personas.client("focal_a")
    assert "Thuyết minh gửi qua API" not in browser.get(page).content.decode()
    score = wf.score(wf.a, "1.1")
    with django_capture_on_commit_callbacks(execute=True):
        response = Writer(wf.personas.focal_a).put(score, {"note": "Thuyết minh gửi qua API", "version": 0})
    assert response.status_code == 200
    assert "Thuyết minh gửi qua API" in browser.get(page).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_service_told_the_score_is_locked_refuses_to_write_outside_a_transaction(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.1")
    with pytest.raises(TransactionManagementError, match="same transaction"):
        services.score_self_set(actor=wf.personas.focal_a, score=score, note="Không khóa", version=0, locked=True)
    assert Score.objects.get(pk=score.pk).version == 0 and not _entries(score).exists()


def _fields(instance: Any, depth: int = 0) -> dict[str, Any]:
    """Every stored value of ``instance`` and of the related objects read with it."""
    values: dict[str, Any] = {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }
    for name, related in instance._state.fields_cache.items():
        values[name] = _fields(related, depth + 1) if related is not None and depth < 3 else related
    return values


@pytest.mark.parametrize("related", [access.SCORE_WRITE_RELATED, access.SCORE_PAGE_RELATED])
def test_a_score_read_by_its_prepared_statement_is_the_one_the_orm_reads(wf: Workflow, related: Any) -> None:
    scores = list(Score.objects.filter(assessment__in=[wf.a, wf.b]).order_by("pk"))
    services.score_self_set(actor=wf.personas.focal_a, score=wf.score(wf.a, "1.2"), points=Decimal("2.5"), note="Có")
    for for_update in (False, True):
        with transaction.atomic():
            for score in scores:
                found = access.get_score_for_user(
                    wf.personas.secretariat, score.pk, related=related, for_update=for_update
                )
                expected = Score.objects.select_related(*related).get(pk=score.pk)
                assert _fields(found) == _fields(expected) and found._state.db == "default" and not found._state.adding
    with pytest.raises(Http404):
        access.get_score_for_user(wf.personas.secretariat, scores[-1].pk + 1000, related=related)


def test_a_token_read_by_its_prepared_statement_is_the_one_the_orm_reads(wf: Workflow) -> None:
    _token, raw = api_token_create(actor=None, user=wf.personas.focal_a, name="Kết nối thử")
    user = api_token_authenticate(raw)
    assert user is not None and _fields(user) == _fields(User.objects.get(pk=wf.personas.focal_a.pk))
    assert api_token_authenticate(raw + "x") is None


@pytest.mark.django_db(transaction=True)
def test_a_score_written_in_its_own_transaction_commits_once_with_the_data_versions_before_the_commit(
    wf: Workflow,
) -> None:
    score = Score.objects.select_related("criterion", "assessment__unit").get(pk=wf.score(wf.a, "1.1").pk)
    with CaptureQueriesContext(connection) as queries:
        services.score_self_set(actor=wf.personas.focal_a, score=score, note="Ghi trên trang", version=score.version)
    sqls = [query["sql"] for query in queries.captured_queries]
    commits = [index for index, sql in enumerate(sqls) if sql.upper().startswith("COMMIT")]
    versions = [index for index, sql in enumerate(sqls) if "cchc_lib_dataversion" in sql and sql.startswith("INSERT")]
    assert len(commits) == 1 and versions == [commits[0] - 1], sqls  # stored last, inside the one transaction
    assert Score.objects.get(pk=score.pk).self_note == "Ghi trên trang" and _entries(score).count() == 1
