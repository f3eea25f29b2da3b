"""Rule-driven entry of scores: a unit (and an appraiser) enter what each leaf's rule takes.

Manual leaves take points; yes/no leaves a choice; rate leaves (bands, proportional) a rate in percent;
timeliness leaves on time / late / missing. The declared rate or choice is stored and the points are computed
from it by the framework's scoring rule, the same for the unit and the appraiser.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.accounts.models import User
from cchc.accounts.services import api_token_create
from cchc.assessments import services
from cchc.assessments.models import Score, Stage
from cchc.frameworks.models import Criterion, CriterionCategory, RuleKind
from cchc.lib.errors import ConflictError, ServiceError

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
    "1.7": {"rule_kind": RuleKind.YES_NO, "max_points": Decimal(1), "category": CriterionCategory.PENALTY},
}


@pytest.fixture
def rules(wf: Workflow) -> Workflow:
    """The workflow with one leaf of each rule kind a unit enters, led by the appraiser's unit."""
    area = Criterion.objects.get(framework=wf.a.framework, code="1")
    for index, (code, rule) in enumerate(LEAVES.items(), start=50):
        leaf = Criterion.objects.create(
            framework=wf.a.framework,
            parent=area,
            code=code,
            position=index,
            depth=1,
            title=f"Tiêu chí thử {code}",
            lead_unit=wf.personas.home_affairs,
            **rule,
        )
        Score.objects.create(assessment=wf.a, criterion=leaf)
    return wf


def _self(wf: Workflow, code: str, **entry: Any) -> Score:
    services.score_self_set(actor=wf.personas.focal_a, score=wf.score(wf.a, code), **entry)
    return wf.score(wf.a, code)


def test_a_yes_no_leaf_takes_a_choice_and_gives_max_or_nothing(rules: Workflow) -> None:
    score = _self(rules, "1.3", choice="yes")
    assert (score.self_score, score.self_choice, score.self_value) == (Decimal(1), "yes", None)
    score = _self(rules, "1.3", choice="Không")
    assert (score.self_score, score.self_choice) == (Decimal(0), "no")


def test_a_penalty_leaf_follows_its_rule_like_any_other(rules: Workflow) -> None:
    assert _self(rules, "1.7", choice="yes").self_score == Decimal(1)


def test_a_bands_leaf_takes_a_rate_and_gives_the_points_of_its_band(rules: Workflow) -> None:
    for rate, points in (("95", "2"), ("85.5", "1"), ("70", "1"), ("69.99", "0"), ("0", "0"), ("100", "2")):
        score = _self(rules, "1.4", value=Decimal(rate))
        assert (score.self_score, score.self_value) == (Decimal(points), Decimal(rate)), rate
        assert score.self_choice == ""


def test_a_proportional_leaf_scores_the_rate_against_its_target_capped_at_max(rules: Workflow) -> None:
    assert _self(rules, "1.5", value=Decimal(60)).self_score == Decimal(3)
    assert _self(rules, "1.5", value=Decimal(50)).self_score == Decimal("2.50")
    assert _self(rules, "1.5", value=Decimal(95)).self_score == Decimal(4)


def test_a_timeliness_leaf_takes_on_time_late_or_missing(rules: Workflow) -> None:
    for choice, points in (("on_time", "1"), ("late", "0.5"), ("missing", "0"), ("Trễ hạn", "0.5")):
        score = _self(rules, "1.6", choice=choice)
        assert score.self_score == Decimal(points), choice
    assert score.self_choice == "late"


@pytest.mark.parametrize(
    ("code", "entry", "message"),
    [
        ("1.4", {"value": Decimal(101)}, "Tỷ lệ phải từ 0 đến 100%"),
        ("1.5", {"value": Decimal(-1)}, "Tỷ lệ phải từ 0 đến 100%"),
        ("1.3", {"choice": "có lẽ"}, "Hãy chọn “Có” hoặc “Không”"),
        ("1.6", {"choice": "sớm"}, "Hãy chọn “Đúng hạn”, “Trễ hạn” hoặc “Không thực hiện”"),
        ("1.3", {"value": Decimal(50)}, "không chấm theo tỷ lệ; hãy nhập lựa chọn"),
        ("1.1", {"choice": "yes"}, "không chấm theo lựa chọn; hãy nhập điểm"),
        ("1.4", {"choice": "yes"}, "không chấm theo lựa chọn; hãy nhập tỷ lệ"),
        ("1.4", {"value": Decimal(80), "points": Decimal(1)}, "Chỉ nhập một trong"),
        ("2.2", {"value": Decimal(80)}, "tính tự động từ số liệu"),
    ],
)
def test_bad_entries_are_refused_with_a_clear_message_and_change_nothing(
    rules: Workflow, code: str, entry: dict[str, Any], message: str
) -> None:
    if code == "1.4":
        _self(rules, code, value=Decimal(75))
    before = rules.score(rules.a, code)
    with pytest.raises(ServiceError, match=message):
        services.score_self_set(actor=rules.personas.focal_a, score=before, version=before.version, **entry)
    after = rules.score(rules.a, code)
    assert (after.self_score, after.self_value, after.self_choice, after.version) == (
        before.self_score,
        before.self_value,
        before.self_choice,
        before.version,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    low=st.decimals(min_value=0, max_value=100, places=2),
    high=st.decimals(min_value=0, max_value=100, places=2),
)
def test_a_higher_declared_rate_never_gives_fewer_points_and_stays_within_max(
    rules: Workflow, low: Decimal, high: Decimal
) -> None:
    low, high = min(low, high), max(low, high)
    for code in ("1.4", "1.5"):
        criterion = rules.score(rules.a, code).criterion
        lower = services.resolve_input(criterion, value=low).points
        higher = services.resolve_input(criterion, value=high).points
        assert lower is not None and higher is not None
        assert Decimal(0) <= lower <= higher <= criterion.max_points


def _to_appraisal(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    entries: dict[str, dict[str, Any]] = {
        "1.3": {"choice": "yes"},
        "1.4": {"value": 92},
        "1.5": {"value": 80},
        "1.6": {"choice": "on_time"},
        "1.7": {"choice": "no"},
    }
    for code, entry in entries.items():
        _self(wf, code, no_evidence_reason="Văn bản lưu bản giấy tại đơn vị", **entry)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)


def test_the_appraiser_sets_a_rate_with_a_reason_and_accepting_keeps_what_the_unit_declared(rules: Workflow) -> None:
    _to_appraisal(rules)
    appraiser = rules.personas.appraiser
    score = rules.score(rules.a, "1.4")
    with pytest.raises(ServiceError, match="lý do"):
        services.score_appraise(actor=appraiser, score=score, version=score.version, value=Decimal(80))
    with pytest.raises(ServiceError, match="Tỷ lệ phải từ 0 đến 100%"):
        services.score_appraise(actor=appraiser, score=score, version=score.version, value=Decimal(180), reason="x")
    services.score_appraise(
        actor=appraiser, score=score, version=score.version, value=Decimal(80), reason="Số liệu thực tế 80%"
    )
    score = rules.score(rules.a, "1.4")
    assert (score.self_value, score.self_score) == (Decimal(92), Decimal(2))
    assert (score.appraised_value, score.appraised_score) == (Decimal(80), Decimal(1))
    with pytest.raises(ConflictError):
        services.score_appraise(actor=appraiser, score=score, version=score.version - 1, accept=True)
    timely = rules.score(rules.a, "1.6")
    services.score_appraise(actor=appraiser, score=timely, version=timely.version, accept=True)
    timely = rules.score(rules.a, "1.6")
    assert (timely.appraised_choice, timely.appraised_score) == ("on_time", Decimal(1))
    services.score_appraise(
        actor=appraiser, score=timely, version=timely.version, choice="late", reason="Báo cáo gửi muộn 3 ngày"
    )
    timely = rules.score(rules.a, "1.6")
    assert (timely.appraised_choice, timely.appraised_score) == ("late", Decimal("0.5"))


# ---------------------------------------------------------------------------
# Pages


def _page(client: Client, score: Score) -> Any:
    return client.get(reverse("assessments:score_detail", args=[score.pk]))


def test_the_self_form_asks_for_what_the_rule_takes_and_shows_the_rule(rules: Workflow) -> None:
    focal = rules.personas.client("focal_a")
    rate = _page(focal, rules.score(rules.a, "1.4")).content.decode()
    assert 'name="value"' in rate and 'name="points"' not in rate and 'name="choice"' not in rate
    assert "≥90%: 2; 70–&lt;90%: 1; &lt;70%: 0." in rate
    timely = _page(focal, rules.score(rules.a, "1.6")).content.decode()
    assert 'name="choice"' in timely and 'value="late"' in timely and "Trễ hạn (0,5 điểm)" in timely
    assert 'name="points"' not in timely
    manual = _page(focal, rules.score(rules.a, "1.1")).content.decode()
    assert 'name="points"' in manual and 'name="value"' not in manual
    assert 'name="points"' not in _page(focal, rules.score(rules.a, "2.2")).content.decode()


def test_the_unit_declares_a_rate_and_sees_the_points_it_gives(rules: Workflow) -> None:
    focal = rules.personas.client("focal_a")
    score = rules.score(rules.a, "1.4")
    url = reverse("assessments:score_self", args=[score.pk])
    data = {"version": score.version, "value": "85,5", "note": "", "no_evidence_reason": ""}
    assert focal.post(url, data).status_code == 302
    score = rules.score(rules.a, "1.4")
    assert (score.self_value, score.self_score) == (Decimal("85.5"), Decimal(1))
    page = _page(focal, score).content.decode()
    assert 'data-testid="self-declared">85,5% → 1 điểm' in page
    assert "Tỷ lệ đơn vị kê khai (%)" in page  # the history names the declared rate


@pytest.mark.parametrize(
    ("code", "field", "entry", "message"),
    [
        ("1.4", "value", "120", "Tỷ lệ phải từ 0 đến 100%."),
        ("1.4", "value", "nhiều", "Tỷ lệ phải là một số"),
        ("1.6", "choice", "soon", "Lựa chọn không hợp lệ"),
    ],
)
def test_a_bad_rate_or_choice_in_the_form_is_shown_and_nothing_changes(
    rules: Workflow, code: str, field: str, entry: str, message: str
) -> None:
    score = rules.score(rules.a, code)
    response = rules.personas.client("focal_a").post(
        reverse("assessments:score_self", args=[score.pk]),
        {"version": score.version, field: entry, "note": "", "no_evidence_reason": ""},
    )
    assert response.status_code == 400 and message in response.content.decode()
    after = rules.score(rules.a, code)
    assert (after.version, after.self_score, after.self_value, after.self_choice) == (0, None, None, "")


def test_only_the_units_focal_point_may_declare_a_rate(rules: Workflow) -> None:
    score = rules.score(rules.a, "1.4")
    url = reverse("assessments:score_self", args=[score.pk])
    data = {"version": score.version, "value": "95", "note": "", "no_evidence_reason": ""}
    assert rules.personas.client("focal_b").post(url, data).status_code == 404
    assert rules.personas.client("secretariat").post(url, data).status_code == 403
    assert rules.personas.client("supervisor").post(url, data).status_code == 404
    assert rules.score(rules.a, "1.4").self_score is None


def test_the_appraisal_form_takes_the_rules_choice_or_points_and_needs_a_reason(rules: Workflow) -> None:
    _to_appraisal(rules)
    appraiser = rules.personas.client("appraiser")
    score = rules.score(rules.a, "1.6")
    page = _page(appraiser, score).content.decode()
    assert 'data-testid="appraisal-form"' in page and 'name="choice"' in page and 'name="points"' in page
    url = reverse("assessments:score_appraise", args=[score.pk])
    data = {"version": score.version, "decision": "adjust", "choice": "missing", "points": "", "reason": ""}
    response = appraiser.post(url, data)
    assert response.status_code == 400 and "Hãy ghi lý do khi điều chỉnh điểm." in response.content.decode()
    assert appraiser.post(url, {**data, "reason": "Không có báo cáo"}).status_code == 302
    score = rules.score(rules.a, "1.6")
    assert (score.appraised_choice, score.appraised_score) == ("missing", Decimal(0))
    stale = {**data, "version": score.version - 1, "choice": "late", "reason": "Có báo cáo"}
    assert appraiser.post(url, stale).status_code == 409
    assert rules.personas.client("focal_a").post(url, {**data, "version": score.version}).status_code == 403
    assert rules.score(rules.a, "1.6").appraised_choice == "missing"


# ---------------------------------------------------------------------------
# API


def _put(user: User, url: str, body: dict[str, Any]) -> Any:
    _token, raw = api_token_create(actor=user, user=user, name="Kết nối thử")
    return Client().put(
        url, data=json.dumps(body), content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )


def test_the_api_takes_a_rate_or_a_choice_instead_of_points(rules: Workflow) -> None:
    focal = rules.personas.focal_a
    rate = rules.score(rules.a, "1.5")
    response = _put(focal, f"/api/assessments/scores/{rate.pk}/self", {"value": "40", "version": rate.version})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (Decimal(body["self_value"]), Decimal(body["self_score"])) == (Decimal(40), Decimal(2))
    assert body["rule_text"].startswith("Tỷ lệ đạt / 80% × 4 điểm")
    timely = rules.score(rules.a, "1.6")
    body = _put(focal, f"/api/assessments/scores/{timely.pk}/self", {"choice": "late", "version": 0}).json()
    assert (body["self_choice"], Decimal(body["self_score"])) == ("late", Decimal("0.5"))
    refused = _put(focal, f"/api/assessments/scores/{rate.pk}/self", {"value": "100.5", "version": 1})
    assert refused.status_code == 400 and "Tỷ lệ phải từ 0 đến 100%" in refused.json()["detail"]
    assert rules.score(rules.a, "1.5").self_value == Decimal(40)
    assert (
        _put(
            rules.personas.focal_b, f"/api/assessments/scores/{rate.pk}/self", {"value": "50", "version": 1}
        ).status_code
        == 404
    )


def test_the_api_appraisal_takes_a_choice_with_a_reason(rules: Workflow) -> None:
    _to_appraisal(rules)
    score = rules.score(rules.a, "1.3")
    url = f"/api/assessments/scores/{score.pk}/appraisal"
    body = {"choice": "no", "reason": "Chưa ban hành kế hoạch", "version": score.version}
    response = _put(rules.personas.appraiser, url, body)
    assert response.status_code == 200, response.content
    assert (response.json()["appraised_choice"], Decimal(response.json()["appraised_score"])) == ("no", Decimal(0))
    assert response.json()["self_choice"] == "yes"
    unknown = _put(rules.personas.appraiser, url, {**body, "choice": "maybe", "version": score.version + 1})
    assert unknown.status_code == 400 and "Hãy chọn “Có” hoặc “Không”." in unknown.json()["detail"]
