"""The PAR INDEX API over HTTP with real tokens: same permission helpers as the pages."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cchc.accounts.models import User
from cchc.accounts.services import api_token_create
from cchc.assessments import services
from cchc.assessments.models import Stage

from .conftest import Workflow, self_assess_all

pytestmark = pytest.mark.django_db


def _call(user: User | None, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    headers = {}
    if user is not None:
        _token, raw = api_token_create(actor=user, user=user, name="Kết nối thử")
        headers["Authorization"] = f"Bearer {raw}"
    client = Client()
    if method == "get":
        return client.get(url, headers=headers)
    return client.put(url, data=json.dumps(body or {}), content_type="application/json", headers=headers)


def test_rounds_are_listed_for_every_role_and_refused_without_a_token(wf: Workflow) -> None:
    for name in ("secretariat", "leader", "focal_a", "appraiser", "supervisor"):
        response = _call(wf.personas.user(name), "get", "/api/assessments/rounds")
        assert response.status_code == 200 and [row["id"] for row in response.json()] == [wf.round.pk], name
    assert _call(None, "get", "/api/assessments/rounds").status_code == 401


def test_a_round_lists_only_the_sheets_the_caller_may_read(wf: Workflow) -> None:
    url = f"/api/assessments/rounds/{wf.round.pk}"
    units = {
        name: [row["unit_name"] for row in _call(wf.personas.user(name), "get", url).json()["assessments"]]
        for name in ("secretariat", "focal_a", "focal_b", "leader")
    }
    assert units == {
        "secretariat": ["Sở Tư pháp", "Xã Hòa Bình"],
        "focal_a": ["Sở Tư pháp"],
        "focal_b": ["Xã Hòa Bình"],
        "leader": [],
    }


def test_a_units_assessment_has_its_scores_and_evidence_metadata_and_is_hidden_from_others(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.1")
    services.evidence_add_reference(
        actor=wf.personas.focal_a, assessment=wf.a, title="Kế hoạch CCHC", scores=[score], document_number="12/KH-STP"
    )
    body = _call(wf.personas.focal_a, "get", f"/api/assessments/{wf.a.pk}").json()
    assert [row["code"] for row in body["scores"]] == ["1.1", "1.2", "2.1", "2.2"]
    assert body["evidence"][0]["document_number"] == "12/KH-STP"
    assert body["evidence"][0]["score_ids"] == [score.pk]
    assert body["scores"][0]["evidence_ids"] == [body["evidence"][0]["id"]]
    assert _call(wf.personas.focal_b, "get", f"/api/assessments/{wf.a.pk}").status_code == 404


def test_self_scores_are_written_by_the_focal_point_and_checked(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.2")
    url = f"/api/assessments/scores/{score.pk}/self"
    response = _call(wf.personas.focal_a, "put", url, {"points": "1.25", "version": 0})
    assert response.status_code == 400 and "bước 0,5" in response.json()["detail"]
    response = _call(wf.personas.focal_a, "put", url, {"points": "2.5", "note": "Đủ 4 báo cáo", "version": 0})
    assert response.status_code == 200 and Decimal(response.json()["self_score"]) == Decimal("2.5")
    assert response.json()["version"] == 1
    assert _call(wf.personas.focal_b, "put", url, {"points": "3", "version": 1}).status_code == 404
    assert _call(wf.personas.secretariat, "put", url, {"points": "3", "version": 1}).status_code == 403


def test_appraisal_writes_answer_409_on_a_stale_version_and_403_outside_the_lead_unit(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    score = wf.score(wf.a, "1.1")
    url = f"/api/assessments/scores/{score.pk}/appraisal"
    body = {"points": "1", "reason": "Ban hành muộn", "version": score.version}
    first = _call(wf.personas.appraiser, "put", url, body)
    assert first.status_code == 200 and Decimal(first.json()["appraised_score"]) == Decimal(1)
    second = _call(wf.personas.appraiser, "put", url, {**body, "points": "0.5"})
    assert second.status_code == 409 and second.json()["code"] == "conflict"
    assert "vui lòng tải lại" in second.json()["detail"]
    other = wf.score(wf.a, "2.1")
    response = _call(wf.personas.appraiser, "put", f"/api/assessments/scores/{other.pk}/appraisal", body)
    assert response.status_code == 403
