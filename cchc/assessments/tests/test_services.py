"""Rules of the PAR INDEX workflow, at the service level."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.assessments import services
from cchc.assessments.models import AssessmentStatus, Stage
from cchc.audit.selectors import history_for
from cchc.frameworks.models import Criterion
from cchc.indicators.services import indicator_ensure, value_publish
from cchc.lib.errors import ConflictError, ServiceError
from cchc.lib.periods import Period, PeriodKind

from .conftest import INDICATOR, Workflow, build_workflow, self_assess_all

pytestmark = pytest.mark.django_db


def _criterion(max_points: str, step: str | None = None) -> Criterion:
    return Criterion(code="9.9", title="x", max_points=Decimal(max_points), rule_params={"step": step} if step else {})


@given(st.decimals(min_value=-5, max_value=15, places=3))
def test_points_are_accepted_exactly_when_inside_zero_to_max_and_on_the_step(value: Decimal) -> None:
    criterion = _criterion("10", "0.25")
    valid = 0 <= value <= 10 and value % Decimal("0.25") == 0
    if valid:
        assert services.check_points(criterion, value) == value
    else:
        with pytest.raises(ServiceError):
            services.check_points(criterion, value)


def test_off_step_and_out_of_range_points_give_vietnamese_messages() -> None:
    with pytest.raises(ServiceError, match="bước 0,25"):
        services.check_points(_criterion("2"), Decimal("1.1"))
    with pytest.raises(ServiceError, match="từ 0 đến 2"):
        services.check_points(_criterion("2"), Decimal("2.25"))
    with pytest.raises(ServiceError, match="bước 0,5"):
        services.check_points(_criterion("3", "0.5"), Decimal("0.25"))


def test_creating_a_round_materialises_one_score_per_leaf_for_each_unit(wf: Workflow) -> None:
    assert wf.a.framework.unit_kind == "department"
    assert wf.b.framework.unit_kind == "commune"
    assert sorted(wf.a.scores.values_list("criterion__code", flat=True)) == ["1.1", "1.2", "2.1", "2.2"]


def test_a_unit_without_a_framework_for_its_kind_cannot_join(personas) -> None:  # type: ignore[no-untyped-def]
    wf = build_workflow(personas)
    with pytest.raises(ServiceError, match="Chưa chọn bộ tiêu chí"):
        services.round_create(
            actor=personas.secretariat,
            data=services.RoundData(name="Khác", year=2025),
            organiser=personas.province,
            frameworks=[wf.a.framework],
            units=[personas.unit_b],
        )


def test_stages_move_forward_one_at_a_time(wf: Workflow) -> None:
    with pytest.raises(ServiceError, match="giai đoạn kế tiếp"):
        services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.COUNCIL)
    wf.round.refresh_from_db()
    assert wf.round.stage == Stage.SELF_ASSESSMENT


def test_a_bad_self_score_changes_nothing(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.1")
    with pytest.raises(ServiceError):
        services.score_self_set(actor=wf.personas.focal_a, score=score, points=Decimal("1.3"), note="ghi chú")
    score.refresh_from_db()
    assert score.self_score is None and score.self_note == "" and score.version == 0
    assert not history_for(score).exists()


def test_every_self_score_change_is_in_the_leaf_history_with_old_and_new(wf: Workflow) -> None:
    score = wf.score(wf.a, "1.1")
    services.score_self_set(actor=wf.personas.focal_a, score=score, points=Decimal("1.5"))
    services.score_self_set(actor=wf.personas.focal_a, score=wf.score(wf.a, "1.1"), points=Decimal("2"))
    changes = [entry.changes["self_score"] for entry in history_for(score).order_by("at", "id")]
    assert changes == [[None, "1.50"], ["1.50", "2.00"]]


def test_submission_needs_every_leaf_scored_and_evidenced_or_explained(wf: Workflow) -> None:
    focal = wf.personas.focal_a
    services.score_self_set(actor=focal, score=wf.score(wf.a, "1.1"), points=Decimal(2))
    with pytest.raises(ServiceError, match=re.escape("Chưa tự chấm các tiêu chí: 1.2, 2.1")):
        services.assessment_submit(actor=focal, assessment=wf.a)
    for code in ("1.2", "2.1"):
        services.score_self_set(actor=focal, score=wf.score(wf.a, code), points=Decimal(1))
    with pytest.raises(
        ServiceError, match=re.escape("chưa có tài liệu kiểm chứng và chưa giải thích lý do: 1.1, 1.2, 2.1")
    ):
        services.assessment_submit(actor=focal, assessment=wf.a)
    self_assess_all(wf, wf.a, focal)
    services.assessment_submit(actor=focal, assessment=wf.a)
    wf.refresh()
    assert wf.a.status == AssessmentStatus.SUBMITTED and wf.a.submitted_at and not wf.a.is_late


def test_a_submission_after_the_deadline_is_flagged_late(wf: Workflow) -> None:
    wf.round.self_assessment_deadline = datetime.date.today() - datetime.timedelta(days=1)
    wf.round.save()
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    wf.refresh()
    assert wf.a.is_late


def test_a_submitted_sheet_is_locked_until_the_secretariat_reopens_it_with_a_reason(wf: Workflow) -> None:
    focal = wf.personas.focal_a
    self_assess_all(wf, wf.a, focal)
    services.assessment_submit(actor=focal, assessment=wf.a)
    with pytest.raises(ServiceError, match="đã nộp và bị khóa"):
        services.score_self_set(actor=focal, score=wf.score(wf.a, "1.1"), points=Decimal(1))
    with pytest.raises(ServiceError, match="lý do"):
        services.assessment_reopen(actor=wf.personas.secretariat, assessment=wf.a, reason="  ")
    services.assessment_reopen(actor=wf.personas.secretariat, assessment=wf.a, reason="Thiếu biên bản kiểm tra")
    services.score_self_set(actor=focal, score=wf.score(wf.a, "1.1"), points=Decimal(1))
    wf.refresh()
    assert wf.a.status == AssessmentStatus.REOPENED and wf.a.reopen_reason == "Thiếu biên bản kiểm tra"


def test_indicator_leaves_are_prefilled_with_their_source_and_the_unit_cannot_overwrite_them(personas) -> None:  # type: ignore[no-untyped-def]
    indicator = indicator_ensure(code=INDICATOR, name="Tỷ lệ nhiệm vụ hoàn thành đúng hạn")
    value_publish(
        actor=None, indicator=indicator, unit=personas.unit_a, period=Period(2025, PeriodKind.YEAR), value=Decimal(75)
    )
    wf = build_workflow(personas)
    score = wf.score(wf.a, "2.2")
    assert score.computed_value == Decimal(75)
    assert "Tỷ lệ nhiệm vụ hoàn thành đúng hạn" in score.computed_source and "2025" in score.computed_source
    assert score.self_score == Decimal("3.00")  # 75 % of a 100 % target × 4 points
    with pytest.raises(ServiceError, match="tự động"):
        services.score_self_set(actor=personas.focal_a, score=score, points=Decimal(4))
    services.score_self_set(actor=personas.focal_a, score=score, points=None, note="Số liệu chưa gồm quý IV")
    score.refresh_from_db()
    assert score.self_score == Decimal("3.00") and score.self_note == "Số liệu chưa gồm quý IV"


def _to_appraisal(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)


def test_adjusting_a_score_needs_a_reason_and_accepting_copies_the_self_score(wf: Workflow) -> None:
    _to_appraisal(wf)
    appraiser = wf.personas.appraiser
    score = wf.score(wf.a, "1.1")
    with pytest.raises(ServiceError, match="lý do"):
        services.score_appraise(actor=appraiser, score=score, version=score.version, points=Decimal(1))
    services.score_appraise(actor=appraiser, score=score, version=score.version, accept=True)
    score.refresh_from_db()
    assert score.appraised_score == Decimal(2)
    services.score_appraise(
        actor=appraiser, score=score, version=score.version, points=Decimal(1), reason="Kế hoạch ban hành muộn"
    )
    score.refresh_from_db()
    assert score.appraised_score == Decimal(1) and score.appraisal_reason == "Kế hoạch ban hành muộn"


def test_two_appraisers_never_overwrite_each_other_silently(wf: Workflow) -> None:
    _to_appraisal(wf)
    first = wf.score(wf.a, "1.2")
    second = wf.score(wf.a, "1.2")  # both read version 1
    services.score_appraise(
        actor=wf.personas.appraiser, score=first, version=first.version, points=Decimal(2), reason="Thiếu báo cáo quý"
    )
    with pytest.raises(ConflictError, match=r"vừa được người khác cập nhật lúc .*vui lòng tải lại"):
        services.score_appraise(
            actor=wf.personas.appraiser, score=second, version=second.version, points=Decimal(1), reason="Khác"
        )
    second.refresh_from_db()
    assert second.appraised_score == Decimal(2)


def test_the_whole_cycle_ends_with_final_scores_locked_by_the_council(wf: Workflow) -> None:
    _to_appraisal(wf)
    secretariat, appraiser, focal = wf.personas.secretariat, wf.personas.appraiser, wf.personas.focal_a
    score = wf.score(wf.a, "1.2")
    services.score_appraise(actor=appraiser, score=score, version=score.version, points=Decimal(2), reason="Thiếu")
    with pytest.raises(ServiceError, match=r"vẫn chưa nộp phiếu.*Xã Hòa Bình"):
        services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.EXPLANATION)
    services.assessment_close_by_office(actor=secretariat, assessment=wf.b, reason="Quá hạn gia hạn")
    for code in ("1.1", "2.1"):
        score = wf.score(wf.a, code)
        services.score_appraise(actor=appraiser, score=score, version=score.version, accept=True)
    score = wf.score(wf.a, "2.2")
    services.score_appraise(actor=appraiser, score=score, version=score.version, points=Decimal(0), reason="Chưa có")
    services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.EXPLANATION)
    wf.refresh()
    assert wf.a.status == AssessmentStatus.APPRAISED
    assert wf.b.status == AssessmentStatus.SUBMITTED  # closed by the office, nothing appraised yet
    with pytest.raises(ServiceError, match="khác điểm tự chấm"):
        services.explanation_add(actor=focal, score=wf.score(wf.a, "1.1"), text="Không có gì")
    services.explanation_add(actor=focal, score=wf.score(wf.a, "1.2"), text="Đã có báo cáo", proposed_score=Decimal(3))
    score = wf.score(wf.a, "1.2")
    services.score_appraise(
        actor=appraiser, score=score, version=score.version, points=Decimal("2.5"), reason="Chấp nhận một phần"
    )
    services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.COUNCIL)
    with pytest.raises(ServiceError, match="chưa thông qua"):
        services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.PUBLISHED)
    with pytest.raises(ServiceError, match=r"chưa thẩm định đủ.*Xã Hòa Bình"):
        services.round_approve(actor=wf.council, round_=wf.round)
    services.round_approve(
        actor=wf.council, round_=wf.round, overrides={wf.b.pk: "Đơn vị không nộp phiếu; giữ điểm 0 theo quy định"}
    )
    wf.refresh()
    assert wf.a.status == AssessmentStatus.APPROVED and wf.b.status == AssessmentStatus.APPROVED
    assert wf.b.approval_override_reason == "Đơn vị không nộp phiếu; giữ điểm 0 theo quy định"
    assert wf.a.approval_override_reason == ""
    finals = dict(wf.a.scores.values_list("criterion__code", "final_score"))
    assert finals == {"1.1": Decimal(2), "1.2": Decimal("2.5"), "2.1": Decimal(5), "2.2": Decimal(0)}
    with pytest.raises(ServiceError, match="khóa"):
        score = wf.score(wf.a, "1.1")
        services.score_appraise(actor=appraiser, score=score, version=score.version, accept=True)
    services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.PUBLISHED)
    history = [entry.changes for entry in history_for(wf.score(wf.a, "1.2")).order_by("at", "id")]
    assert [change.get("appraised_score") for change in history if "appraised_score" in change] == [
        [None, "2.00"],
        ["2.00", "2.50"],
    ]
    assert history[-1]["final_score"] == [None, "2.50"]
