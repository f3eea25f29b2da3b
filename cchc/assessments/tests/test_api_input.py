"""Malformed score bodies are refused with a Vietnamese 422 and change nothing; partial updates keep the rest."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cchc.accounts.models import User
from cchc.accounts.services import api_token_create
from cchc.assessments import services
from cchc.assessments.models import Score
from cchc.audit.models import AuditEntry

from .conftest import Workflow

pytestmark = pytest.mark.django_db


def _put(user: User, url: str, body: Any) -> Any:
    _token, raw = api_token_create(actor=user, user=user, name="Kết nối thử")
    return Client().put(
        url, data=json.dumps(body), content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )


def _scored(wf: Workflow) -> Score:
    score = wf.score(wf.a, "1.2")
    return services.score_self_set(
        actor=wf.personas.focal_a, score=score, points=Decimal("2.5"), note="Đủ 4 báo cáo", version=score.version
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([1, 2], "phải là một đối tượng JSON"),
        ("x", "phải là một đối tượng JSON"),
        ({}, "Thiếu trường bắt buộc “version”"),
        ({"pionts": 2, "version": 1}, "Trường “pionts” không được chấp nhận"),
        ({"points": "hai", "version": 1}, "“points” phải là số"),
        ({"points": [2], "version": 1}, "“points” phải là số"),
        ({"note": 5, "version": 1}, "“note” phải là chuỗi văn bản"),
        ({"points": 2}, "Thiếu trường bắt buộc “version”"),
        ({"points": 2, "version": "một"}, "“version” phải là số nguyên"),
        (None, "phải là một đối tượng JSON"),
        ({"points": "1e1000000", "version": 1}, "“points” có quá nhiều chữ số"),
        ({"value": "1e-1000000", "version": 1}, "“value” có quá nhiều chữ số"),
    ],
)
def test_a_malformed_self_score_body_is_refused_in_vietnamese_and_clears_nothing(
    wf: Workflow, body: Any, expected: str
) -> None:
    score = _scored(wf)
    response = _put(wf.personas.focal_a, f"/api/assessments/scores/{score.pk}/self", body)
    assert response.status_code == 422, response.content
    assert expected in response.json()["detail"]
    assert response.json()["code"] == "invalid"
    score.refresh_from_db()
    assert (score.self_score, score.self_note, score.version) == (Decimal("2.5"), "Đủ 4 báo cáo", 1)


def test_a_body_that_is_not_json_is_refused_in_vietnamese(wf: Workflow) -> None:
    score = _scored(wf)
    _token, raw = api_token_create(actor=wf.personas.focal_a, user=wf.personas.focal_a, name="Kết nối thử")
    response = Client().put(
        f"/api/assessments/scores/{score.pk}/self",
        data=b'{"points": 2,',
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 400
    assert "không phải JSON hợp lệ" in response.json()["detail"]
    assert "Cannot parse" not in response.content.decode()


def test_a_self_score_write_changes_only_the_fields_sent(wf: Workflow) -> None:
    score = _scored(wf)
    url = f"/api/assessments/scores/{score.pk}/self"
    response = _put(wf.personas.focal_a, url, {"no_evidence_reason": "Chưa có văn bản", "version": 1})
    assert response.status_code == 200
    body = response.json()
    assert (body["self_score"], body["self_note"], body["no_evidence_reason"]) == (
        "2.50",
        "Đủ 4 báo cáo",
        "Chưa có văn bản",
    )
    response = _put(wf.personas.focal_a, url, {"points": "1", "version": 2})
    assert (response.json()["self_score"], response.json()["self_note"]) == ("1.00", "Đủ 4 báo cáo")


def test_a_field_sent_as_null_is_cleared(wf: Workflow) -> None:
    score = _scored(wf)
    url = f"/api/assessments/scores/{score.pk}/self"
    response = _put(wf.personas.focal_a, url, {"points": None, "note": None, "version": 1})
    assert response.status_code == 200
    assert (response.json()["self_score"], response.json()["self_note"]) == (None, "")


def test_a_self_score_write_without_version_is_refused_and_a_stale_one_answers_409(wf: Workflow) -> None:
    score = _scored(wf)
    url = f"/api/assessments/scores/{score.pk}/self"
    assert _put(wf.personas.focal_a, url, {"points": "1"}).status_code == 422
    assert _put(wf.personas.focal_a, url, {"points": "1", "version": 0}).status_code == 409
    score.refresh_from_db()
    assert score.self_score == Decimal("2.5")


def test_an_api_save_that_changes_nothing_keeps_the_version_and_writes_no_audit_row(wf: Workflow) -> None:
    score = _scored(wf)
    entries = AuditEntry.objects.filter(object_id=str(score.pk), object_type__endswith="score")
    assert entries.count() == 1
    url = f"/api/assessments/scores/{score.pk}/self"
    response = _put(wf.personas.focal_a, url, {"points": "2.5", "note": "Đủ 4 báo cáo", "version": 1})
    assert response.status_code == 200 and response.json()["version"] == 1
    assert entries.count() == 1


def test_minus_zero_points_are_stored_as_zero(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.2")
    response = _put(wf.personas.focal_a, f"/api/assessments/scores/{score.pk}/self", {"points": "-0", "version": 0})
    assert response.status_code == 200 and response.json()["self_score"] == "0.00"
    score.refresh_from_db()
    assert str(score.self_score) == "0.00"


def test_a_note_too_long_or_with_a_nul_is_refused(wf: Workflow) -> None:
    score = _scored(wf)
    url = f"/api/assessments/scores/{score.pk}/self"
    response = _put(wf.personas.focal_a, url, {"note": "x" * 1_000_000, "version": 1})
    assert response.status_code == 422 and "“note” dài quá 10000 ký tự" in response.json()["detail"]
    response = _put(wf.personas.focal_a, url, {"note": "a\x00b", "version": 1})
    assert response.status_code in (400, 422) and "NUL" in response.json()["detail"]
    score.refresh_from_db()
    assert score.self_note == "Đủ 4 báo cáo"
