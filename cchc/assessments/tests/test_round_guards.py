"""The guards of a round's stages: units that have not submitted, sheets not fully appraised, the council's
reasons, confirmation pages, Vietnamese order and one total per unit."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cchc.accounts.models import User
from cchc.accounts.services import api_token_create
from cchc.assessments import selectors, services
from cchc.assessments.models import Assessment, AssessmentStatus, Result, Score, Stage
from cchc.audit.models import AuditEntry
from cchc.audit.selectors import history_for
from cchc.frameworks.models import Criterion, CriterionCategory
from cchc.lib.errors import ServiceError
from cchc.organisations.models import Unit
from cchc.testing.personas import Personas

from .conftest import Workflow, build_workflow, self_assess_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def undecided(personas: Personas) -> Workflow:
    """The small round with unit A submitted and unit B still self-assessing, nothing decided on B."""
    wf = build_workflow(personas, extend_b=False)
    self_assess_all(wf, wf.a, personas.focal_a)
    services.assessment_submit(actor=personas.focal_a, assessment=wf.a)
    return wf


def _appraise_all(wf: Workflow, assessment: Assessment) -> None:
    for score in assessment.scores.select_related("criterion", "assessment__round", "assessment__unit"):
        if score.self_score is None:
            services.score_appraise(
                actor=wf.personas.appraiser, score=score, version=score.version, points=Decimal(0), reason="Không có"
            )
        else:
            services.score_appraise(actor=wf.personas.appraiser, score=score, version=score.version, accept=True)


def test_moving_to_appraisal_is_refused_naming_each_unit_that_has_not_submitted_and_was_not_decided(
    undecided: Workflow,
) -> None:
    wf = undecided
    with pytest.raises(ServiceError, match="Xã Hòa Bình") as refused:
        services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    assert refused.value.code == "undecided" and "Sở Tư pháp" not in refused.value.message
    wf.refresh()
    assert wf.round.stage == Stage.SELF_ASSESSMENT


def test_an_extended_unit_keeps_self_assessing_during_appraisal_and_its_late_flag_follows_its_own_deadline(
    undecided: Workflow,
) -> None:
    wf = undecided
    secretariat = wf.personas.secretariat
    with pytest.raises(ServiceError, match="lý do"):
        services.assessment_extend_deadline(
            actor=secretariat, assessment=wf.b, deadline=datetime.date.today(), reason=" "
        )
    deadline = datetime.date.today() + datetime.timedelta(days=3)
    services.assessment_extend_deadline(actor=secretariat, assessment=wf.b, deadline=deadline, reason="Ốm đau")
    entry = history_for(wf.b).order_by("-at", "-id").first()
    assert entry is not None and entry.reason == "Ốm đau" and "deadline" in entry.changes
    services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    self_assess_all(wf, wf.b, wf.personas.focal_b)  # still open while the round is in appraisal
    services.assessment_submit(actor=wf.personas.focal_b, assessment=wf.b)
    wf.refresh()
    assert wf.b.status == AssessmentStatus.SUBMITTED and not wf.b.is_late
    assert wf.b.status_text == "Đã nộp"


def test_closing_a_sheet_for_the_unit_scores_its_missing_leaves_zero_marks_it_late_and_records_the_reason(
    undecided: Workflow,
) -> None:
    wf = undecided
    services.score_self_set(actor=wf.personas.focal_b, score=wf.score(wf.b, "1.1"), points=Decimal(2))
    services.assessment_close_by_office(actor=wf.personas.secretariat, assessment=wf.b, reason="Không nộp đúng hạn")
    wf.refresh()
    assert wf.b.status == AssessmentStatus.SUBMITTED and wf.b.is_late and wf.b.closed_by_office
    assert wf.b.status_text == "Đã nộp (muộn, đóng phiếu thay đơn vị)"
    scores = dict(wf.b.scores.values_list("criterion__code", "self_score"))
    assert scores == {"1.1": Decimal(2), "1.2": Decimal(0), "2.1": Decimal(0), "2.2": Decimal(0)}
    assert history_for(wf.score(wf.b, "1.2")).get().reason == "Không nộp đúng hạn"
    assert AuditEntry.objects.filter(reason="Không nộp đúng hạn", changes__has_key="closed_by_office").exists()
    with pytest.raises(ServiceError, match="đã nộp phiếu"):
        services.assessment_close_by_office(actor=wf.personas.secretariat, assessment=wf.b, reason="Lần hai")
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)


def test_a_sheet_is_appraised_only_when_every_leaf_is_and_leaving_appraisal_waits_for_extended_units(
    wf: Workflow,
) -> None:
    secretariat = wf.personas.secretariat
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    with pytest.raises(ServiceError, match="Xã Hòa Bình"):
        services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.EXPLANATION)
    services.assessment_close_by_office(actor=secretariat, assessment=wf.b, reason="Hết hạn gia hạn")
    _appraise_all(wf, wf.b)
    score = wf.score(wf.a, "1.1")
    services.score_appraise(actor=wf.personas.appraiser, score=score, version=score.version, accept=True)
    services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.EXPLANATION)
    wf.refresh()
    assert wf.a.status == AssessmentStatus.SUBMITTED  # 1 of 4 leaves appraised: not "Đã thẩm định"
    assert wf.b.status == AssessmentStatus.APPRAISED
    assert selectors.appraisal_progress(wf.a) == (1, 4)
    _appraise_all(wf, wf.a)  # the appraisers finish during the explanation stage
    services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.COUNCIL)
    wf.refresh()
    assert wf.a.status == AssessmentStatus.APPRAISED


def _to_council(wf: Workflow) -> None:
    secretariat = wf.personas.secretariat
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    services.assessment_close_by_office(actor=secretariat, assessment=wf.b, reason="Hết hạn gia hạn")
    _appraise_all(wf, wf.a)
    for stage in (Stage.EXPLANATION, Stage.COUNCIL):
        services.round_advance(actor=secretariat, round_=wf.round, to_stage=stage)


def test_the_council_cannot_approve_a_sheet_not_fully_appraised_without_a_reason_for_that_unit(
    wf: Workflow,
) -> None:
    _to_council(wf)
    with pytest.raises(ServiceError, match="Xã Hòa Bình") as refused:
        services.round_approve(actor=wf.council, round_=wf.round, overrides={wf.a.pk: "không cần"})
    assert "Sở Tư pháp" not in refused.value.message
    wf.refresh()
    assert wf.round.approved_at is None and wf.b.status == AssessmentStatus.SUBMITTED
    services.round_approve(actor=wf.council, round_=wf.round, overrides={wf.b.pk: "Đơn vị không nộp phiếu"})
    wf.refresh()
    assert wf.b.approval_override_reason == "Đơn vị không nộp phiếu" and wf.a.approval_override_reason == ""
    assert history_for(wf.b).filter(reason="Đơn vị không nộp phiếu").exists()
    with pytest.raises(ServiceError, match="đã thông qua"):  # a second click changes nothing
        services.round_approve(actor=wf.council, round_=wf.round)


def test_advancing_a_stage_asks_for_confirmation_and_a_second_click_only_gives_a_message(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    client = wf.personas.client("secretariat")
    url = reverse("assessments:round_advance", args=[wf.round.pk])
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Xác nhận chuyển sang giai đoạn “Thẩm định”" in content and 'name="confirm"' in content
    unconfirmed = client.post(url, {"to_stage": Stage.APPRAISAL})
    assert unconfirmed.status_code == 400 and "Hãy đánh dấu xác nhận" in unconfirmed.content.decode()
    wf.refresh()
    assert wf.round.stage == Stage.SELF_ASSESSMENT
    assert client.post(url, {"to_stage": Stage.APPRAISAL, "confirm": "on"}).status_code == 302
    again = client.post(url, {"to_stage": Stage.APPRAISAL, "confirm": "on"}, follow=True)
    assert "Kỳ đánh giá đã ở giai đoạn “Thẩm định”" in again.content.decode()
    wf.refresh()
    assert wf.round.stage == Stage.APPRAISAL
    assert (
        AuditEntry.objects.filter(object_id=str(wf.round.pk), changes__has_key="stage").count() == 3
    )  # create, self-assessment, appraisal


def test_the_advance_page_lists_the_units_to_decide_and_the_decision_form_records_it(undecided: Workflow) -> None:
    wf = undecided
    client = wf.personas.client("secretariat")
    url = reverse("assessments:round_advance", args=[wf.round.pk])
    content = client.get(url).content.decode()
    assert "1 đơn vị chưa nộp phiếu, cần quyết định" in content and "Xã Hòa Bình" in content
    refused = client.post(url, {"to_stage": Stage.APPRAISAL, "confirm": "on"}, follow=True)
    assert "Xã Hòa Bình" in refused.content.decode()
    decide = reverse("assessments:sheet_decide", args=[wf.round.pk, wf.b.pk])
    prefix = f"sheet{wf.b.pk}"
    missing = client.post(decide, {f"{prefix}-decision": "extend", f"{prefix}-reason": "Ốm"}, follow=True)
    assert "Hãy chọn hạn mới khi gia hạn." in missing.content.decode()
    deadline = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    data = {f"{prefix}-decision": "extend", f"{prefix}-deadline": deadline, f"{prefix}-reason": "Ốm"}
    assert wf.personas.client("focal_b").post(decide, data).status_code in (403, 404)
    assert client.post(decide, data).status_code == 302
    wf.refresh()
    assert wf.b.deadline is not None
    assert client.post(url, {"to_stage": Stage.APPRAISAL, "confirm": "on"}).status_code == 302
    wf.refresh()
    assert wf.round.stage == Stage.APPRAISAL


def test_the_approval_page_names_unfinished_sheets_and_keeps_the_council_reasons_on_the_round_page(
    wf: Workflow,
) -> None:
    _to_council(wf)
    client = _client_for(wf.council)
    url = reverse("assessments:round_approve", args=[wf.round.pk])
    page = client.get(url).content.decode()
    assert "Lý do thông qua Xã Hòa Bình (đã thẩm định 0/4 tiêu chí)" in page
    refused = client.post(url, {"confirm": "on"})
    assert refused.status_code == 400 and "Xã Hòa Bình" in refused.content.decode()
    unconfirmed = client.post(url, {f"override_{wf.b.pk}": "Không nộp phiếu"})
    assert unconfirmed.status_code == 400
    assert client.post(url, {f"override_{wf.b.pk}": "Không nộp phiếu", "confirm": "on"}).status_code == 302
    again = client.post(url, {"confirm": "on"}, follow=True)
    assert "Hội đồng đã thông qua kết quả của kỳ này." in again.content.decode()
    detail = client.get(reverse("assessments:round_detail", args=[wf.round.pk])).content.decode()
    assert "Hội đồng thông qua khi chưa thẩm định đủ" in detail and "Không nộp phiếu" in detail
    assert "đã thẩm định 4/4 tiêu chí" in detail and "đã thẩm định 0/4 tiêu chí" in detail

    secretariat = wf.personas.client("secretariat")
    publish = reverse("assessments:round_advance", args=[wf.round.pk])
    summary = secretariat.get(publish).content.decode()
    assert 'data-testid="publish-summary"' in summary and 'data-testid="summary-overrides">1<' in summary
    assert secretariat.post(publish, {"to_stage": Stage.PUBLISHED, "confirm": "on"}).status_code == 302
    wf.refresh()
    assert wf.round.stage == Stage.PUBLISHED


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_status_badge_says_submitted_late_once(undecided: Workflow) -> None:
    wf = undecided
    Assessment.objects.filter(pk=wf.a.pk).update(is_late=True)
    content = wf.personas.client("secretariat").get(reverse("assessments:round_detail", args=[wf.round.pk]))
    text = content.content.decode()
    assert "Đã nộp (muộn)" in text and "nộp muộn" not in text
    sheet = wf.personas.client("secretariat").get(reverse("assessments:assessment_detail", args=[wf.a.pk]))
    assert "Đã nộp (muộn)" in sheet.content.decode() and "nộp muộn" not in sheet.content.decode()


def test_the_round_page_the_compiled_table_and_the_api_list_units_in_vietnamese_order(wf: Workflow) -> None:
    names = {wf.a.unit_id: "Xuân Hòa", wf.b.unit_id: "Phường Âu Cơ"}
    for pk, name in names.items():
        Unit.objects.filter(pk=pk).update(name=name)
    Assessment.objects.filter(pk=wf.a.pk).update(framework=wf.b.framework)  # one table for both
    client = wf.personas.client("secretariat")
    detail = client.get(reverse("assessments:round_detail", args=[wf.round.pk])).content.decode()
    assert detail.index("Phường Âu Cơ") < detail.index("Xuân Hòa")  # "Ph" < "X" although "Â" > "X" by code point
    rows = [row.assessment.unit.name for row in selectors.assessment_rows(Assessment.objects.filter(round=wf.round))]
    assert rows == ["Phường Âu Cơ", "Xuân Hòa"]
    tables = selectors.compiled_table(round_=wf.round, assessments=Assessment.objects.all())
    assert [row.assessment.unit.name for row in tables[0].rows] == ["Phường Âu Cơ", "Xuân Hòa"]
    _token, raw = api_token_create(actor=wf.personas.secretariat, user=wf.personas.secretariat, name="Thử")
    api = Client().get(f"/api/assessments/rounds/{wf.round.pk}", headers={"Authorization": f"Bearer {raw}"})
    assert [row["unit_name"] for row in api.json()["assessments"]] == ["Phường Âu Cơ", "Xuân Hòa"]


def test_the_round_api_tells_how_many_leaves_each_sheet_has_appraised(wf: Workflow) -> None:
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    services.assessment_submit(actor=wf.personas.focal_a, assessment=wf.a)
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    score = wf.score(wf.a, "1.1")
    services.score_appraise(actor=wf.personas.appraiser, score=score, version=score.version, accept=True)
    _token, raw = api_token_create(actor=wf.personas.secretariat, user=wf.personas.secretariat, name="Thử")
    api = Client().get(f"/api/assessments/rounds/{wf.round.pk}", headers={"Authorization": f"Bearer {raw}"})
    rows = {row["id"]: row for row in api.json()["assessments"]}
    assert (rows[wf.a.pk]["leaves_appraised"], rows[wf.a.pk]["leaves_total"]) == (1, 4)
    assert rows[wf.b.pk]["deadline"] is not None and rows[wf.b.pk]["status_text"] == "Đang tự đánh giá"


def test_the_compiled_table_subtracts_penalty_points_as_the_results_do(wf: Workflow) -> None:
    framework = wf.a.framework
    area = Criterion.objects.get(framework=framework, code="2")
    penalty = Criterion.objects.create(
        framework=framework,
        parent=area,
        code="2.3",
        position=50,
        depth=1,
        title="Bị phê bình do chậm triển khai",
        max_points=Decimal(2),
        category=CriterionCategory.PENALTY,
    )
    Score.objects.create(assessment=wf.a, criterion=penalty, self_score=Decimal(2))
    self_assess_all(wf, wf.a, wf.personas.focal_a)
    table = selectors.compiled_table(round_=wf.round, assessments=Assessment.objects.filter(pk=wf.a.pk))[0]
    row = table.rows[0]
    # 2 + 3 + 5 base points (2.2 unscored) minus the 2-point penalty
    assert row.total == Decimal(8)
    assert row.areas == [Decimal(5), Decimal(3)]
    assert not Result.objects.exists()
