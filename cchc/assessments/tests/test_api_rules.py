"""Score writes through the API follow each leaf's scoring rule, as the self-assessment and appraisal pages do.

A manual leaf takes points; a rule-driven leaf takes its rule's choice or rate and the service computes the points;
points sent for a rule-driven leaf are refused. The API calls the same services as the pages: same optimistic
locking, same audit entries, same permissions.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import User
from cchc.accounts.services import api_token_create
from cchc.assessments import services
from cchc.assessments.models import Score, Stage
from cchc.audit.models import AuditEntry
from cchc.frameworks.models import Criterion, RuleKind

from .conftest import Workflow, self_assess_all

pytestmark = pytest.mark.django_db

BANDS = {"bands": [{"min": 90, "points": 2}, {"min": 70, "points": 1}, {"min": 0, "points": 0}]}
LEAVES: dict[str, dict[str, Any]] = {
    "1.3": {"rule_kind": RuleKind.YES_NO, "max_points": Decimal(1)},
    "1.4": {"rule_kind": RuleKind.BANDS, "max_points": Decimal(2), "rule_params": BANDS},
    "1.5": {"rule_kind": RuleKind.PROPORTIONAL, "max_points": Decimal(4), "rule_params": {"target": 80}},
    "1.6": {
        "rule_kind": RuleKind.TIMELINESS,
        "max_points": Decimal(1),
        "rule_params": {"on_time": 1, "late": "0.5", "missing": 0},
    },
    "1.8": {"rule_kind": RuleKind.YES_NO, "max_points": Decimal(1)},
}


@pytest.fixture
def rules(wf: Workflow) -> Workflow:
    """The workflow with rule-driven leaves in unit A's sheet, led by the appraiser's unit."""
    area = Criterion.objects.get(framework=wf.a.framework, code="1")
    for index, (code, rule) in enumerate(LEAVES.items(), start=60):
        leaf = Criterion.objects.create(
            framework=wf.a.framework,
            parent=area,
            code=code,
            position=index,
            depth=1,
            title=f"Tiêu chí theo quy tắc {code}",
            lead_unit=wf.personas.home_affairs,
            **rule,
        )
        Score.objects.create(assessment=wf.a, criterion=leaf)
    return wf


def _put(user: User | None, url: str, body: dict[str, Any]) -> Any:
    headers = {}
    if user is not None:
        _token, raw = api_token_create(actor=user, user=user, name="Kết nối thử")
        headers["Authorization"] = f"Bearer {raw}"
    return Client().put(url, data=json.dumps(body), content_type="application/json", headers=headers)


def _self_url(score: Score) -> str:
    return f"/api/assessments/scores/{score.pk}/self"


def _state(score: Score) -> tuple[Any, ...]:
    score.refresh_from_db()
    return (score.version, score.self_score, score.self_value, score.self_choice, score.self_note)


def _score_entries(score: Score) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type="assessments.score", object_id=str(score.pk)).order_by("pk"))


def test_a_focal_points_api_write_of_a_yes_no_leaf_with_a_choice_computes_its_points(rules: Workflow) -> None:
    score = rules.score(rules.a, "1.3")
    response = _put(rules.personas.focal_a, _self_url(score), {"choice": "yes", "version": score.version})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["self_choice"], Decimal(body["self_score"]), body["self_value"]) == ("yes", Decimal(1), None)
    assert (body["entry_field"], body["entry_choices"], body["version"]) == ("choice", ["yes", "no"], 1)
    body = _put(rules.personas.focal_a, _self_url(score), {"choice": "no", "version": 1}).json()
    assert (body["self_choice"], Decimal(body["self_score"])) == ("no", Decimal(0))
    assert _state(score)[:4] == (2, Decimal(0), None, "no")


def test_a_rate_leaf_takes_a_rate_and_returns_the_points_its_rule_gives(rules: Workflow) -> None:
    score = rules.score(rules.a, "1.4")
    body = _put(rules.personas.focal_a, _self_url(score), {"value": "85.5", "version": 0}).json()
    assert (Decimal(body["self_value"]), Decimal(body["self_score"])) == (Decimal("85.5"), Decimal(1))
    assert (body["entry_field"], body["entry_choices"]) == ("value", [])


YES_NO_REFUSAL = (
    "Tiêu chí 1.3 chấm theo quy tắc “Có / không”, không nhận điểm nhập trực tiếp: hãy gửi lựa chọn trong trường "
    "“choice” (yes, no); điểm được tính theo quy tắc."
)


@pytest.mark.parametrize(
    ("code", "points", "expected"),
    [
        ("1.3", "1", YES_NO_REFUSAL),
        ("1.4", "2", "hãy gửi tỷ lệ (%) trong trường “value” (từ 0 đến 100)"),
        ("1.5", "0", "Tiêu chí 1.5 chấm theo quy tắc “Tỷ lệ so với chỉ tiêu”"),
        ("1.6", "0.5", "trong trường “choice” (on_time, late, missing)"),
    ],
)
def test_raw_points_on_a_rule_driven_leaf_are_refused_in_vietnamese_and_nothing_changes(
    rules: Workflow, code: str, points: str, expected: str
) -> None:
    score = rules.score(rules.a, code)
    entry = {"1.4": {"value": "95"}, "1.5": {"value": "40"}}.get(code, {"choice": "yes" if code == "1.3" else "late"})
    assert _put(rules.personas.focal_a, _self_url(score), {**entry, "note": "Lần đầu", "version": 0}).status_code == 200
    before, entries = _state(score), len(_score_entries(score))
    for body in ({"points": points}, {"points": points, **entry}):
        body["version"] = before[0]
        response = _put(rules.personas.focal_a, _self_url(score), {**body, "note": "Sửa"})
        assert response.status_code == 400, body
        assert response.json()["code"] == "rule_input" and response.json()["field"] == "points"
        assert expected in response.json()["detail"]
    assert _state(score) == before
    assert len(_score_entries(score)) == entries


def test_points_on_a_leaf_computed_from_data_are_refused_but_a_note_is_taken(rules: Workflow) -> None:
    score = rules.score(rules.a, "2.2")
    assert _put(rules.personas.focal_a, _self_url(score), {"points": "0", "version": 0}).status_code == 400
    response = _put(rules.personas.focal_a, _self_url(score), {"points": "0", "note": "Số liệu đúng", "version": 0})
    assert response.json()["code"] == "auto_score"
    assert "được tính tự động từ số liệu" in response.json()["detail"]
    assert _state(score)[0] == 0
    response = _put(rules.personas.focal_a, _self_url(score), {"note": "Số liệu đã đối chiếu", "version": 0})
    assert response.status_code == 200 and response.json()["entry_field"] is None
    assert (response.json()["self_note"], response.json()["self_score"]) == ("Số liệu đã đối chiếu", None)


def test_a_manual_leaf_still_takes_points_and_rejects_off_step_values(rules: Workflow) -> None:
    score = rules.score(rules.a, "1.2")
    url = _self_url(score)
    off_step = _put(rules.personas.focal_a, url, {"points": "1.25", "version": 0})
    assert (
        off_step.status_code == 400
        and off_step.json()["code"] == "off_step"
        and "bước 0,5" in off_step.json()["detail"]
    )
    too_many = _put(rules.personas.focal_a, url, {"points": "3.5", "version": 0})
    assert too_many.status_code == 400 and too_many.json()["code"] == "out_of_range"
    chosen = _put(rules.personas.focal_a, url, {"choice": "yes", "version": 0})
    assert chosen.status_code == 400 and "không chấm theo lựa chọn; hãy nhập điểm" in chosen.json()["detail"]
    assert _state(score)[:2] == (0, None)
    response = _put(rules.personas.focal_a, url, {"points": "2.5", "version": 0})
    assert response.status_code == 200
    body = response.json()
    assert (Decimal(body["self_score"]), body["entry_field"], Decimal(body["step"])) == (
        Decimal("2.5"),
        "points",
        Decimal("0.5"),
    )


def test_a_stale_version_gets_409_and_changes_nothing(rules: Workflow) -> None:
    score = rules.score(rules.a, "1.6")
    url = _self_url(score)
    assert _put(rules.personas.focal_a, url, {"choice": "on_time", "version": 0}).status_code == 200
    stale = _put(rules.personas.focal_a, url, {"choice": "missing", "version": 0})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert "vui lòng tải lại" in stale.json()["detail"]
    assert _state(score)[:4] == (1, Decimal(1), None, "on_time")
    assert _put(rules.personas.focal_a, url, {"choice": "late", "version": 1}).json()["self_score"] == "0.50"


def test_the_audit_trail_records_an_api_write_like_a_web_write(rules: Workflow) -> None:
    by_api, by_web = rules.score(rules.a, "1.3"), rules.score(rules.a, "1.8")
    note = "Đã ban hành kế hoạch"
    assert (
        _put(rules.personas.focal_a, _self_url(by_api), {"choice": "yes", "note": note, "version": 0}).status_code
        == 200
    )
    page = rules.personas.client("focal_a").post(
        reverse("assessments:score_self", args=[by_web.pk]),
        {"version": 0, "choice": "yes", "note": note, "no_evidence_reason": ""},
    )
    assert page.status_code == 302
    [api_entry], [web_entry] = _score_entries(by_api), _score_entries(by_web)

    def shape(entry: AuditEntry) -> tuple[Any, ...]:
        return (entry.action, entry.actor_id, entry.actor_label, entry.unit_id, entry.changes, entry.reason)

    assert shape(api_entry) == shape(web_entry)
    assert api_entry.actor_id == rules.personas.focal_a.pk and api_entry.unit_id == rules.a.unit_id
    assert api_entry.changes["self_choice"] == ["", "yes"] and api_entry.changes["self_note"] == ["", note]


def test_permissions_are_unchanged_and_another_units_draft_is_not_reachable(rules: Workflow) -> None:
    score = rules.score(rules.a, "1.3")
    url = _self_url(score)
    page = reverse("assessments:score_self", args=[score.pk])
    for name, status in (("focal_b", 404), ("supervisor", 404), ("appraiser", 404), ("secretariat", 403)):
        form = {"version": 0, "choice": "yes", "note": "", "no_evidence_reason": ""}
        assert rules.personas.client(name).post(page, form).status_code == status, name
        for body in ({"choice": "yes", "version": 0}, {"points": "1", "version": 0}):
            assert _put(rules.personas.user(name), url, body).status_code == status, (name, body)
    assert _put(None, url, {"choice": "yes", "version": 0}).status_code == 401
    headers = {"Authorization": f"Bearer {api_token_create(actor=None, user=rules.personas.focal_b, name='B')[1]}"}
    assert Client().get(f"/api/assessments/{rules.a.pk}", headers=headers).status_code == 404
    assert _state(score)[:4] == (0, None, None, "")
    assert _score_entries(score) == []


def _to_appraisal(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)


def test_the_api_appraisal_takes_the_rules_input_or_points_as_the_appraisal_page_does(rules: Workflow) -> None:
    _to_appraisal(rules)
    appraiser = rules.personas.appraiser
    score = rules.score(rules.a, "1.4")
    url = f"/api/assessments/scores/{score.pk}/appraisal"
    body = _put(appraiser, url, {"value": "75", "reason": "Số liệu thực tế 75%", "version": score.version}).json()
    assert (Decimal(body["appraised_value"]), Decimal(body["appraised_score"])) == (Decimal(75), Decimal(1))
    stale = _put(appraiser, url, {"value": "95", "reason": "Sửa", "version": score.version})
    assert stale.status_code == 409
    body = _put(appraiser, url, {"points": "0", "reason": "Không kiểm chứng được", "version": body["version"]}).json()
    assert (body["appraised_value"], Decimal(body["appraised_score"]), body["appraised_choice"]) == (
        None,
        Decimal(0),
        "",
    )
    off_step = _put(appraiser, url, {"points": "0.3", "reason": "Sửa", "version": body["version"]})
    assert off_step.status_code == 400 and off_step.json()["code"] == "off_step"


def test_the_openapi_schema_shows_the_rule_inputs_and_the_computed_points(db: None) -> None:
    schemas = Client().get("/api/openapi.json").json()["components"]["schemas"]
    score = schemas["ScoreOut"]["properties"]
    for name in ("entry_field", "entry_choices", "step", "self_value", "self_choice", "appraised_value"):
        assert name in score, name
    assert "tính từ `self_value` hoặc `self_choice`" in score["self_score"]["description"]
    self_in = schemas["SelfScoreIn"]["properties"]
    assert {"points", "value", "choice", "version"} <= set(self_in)
    assert "`rule_input`" in self_in["points"]["description"]
    assert {"points", "value", "choice", "reason", "version"} <= set(schemas["AppraisalIn"]["properties"])
