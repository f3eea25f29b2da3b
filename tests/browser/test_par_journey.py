"""Browser journey through a PAR INDEX round: self-assessment with an uploaded evidence file, appraisal with a reason,
explanation, settlement, council approval, then the ranking page and the Word decision."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.assessments import services
from cchc.assessments.models import AssessmentStatus, Stage
from cchc.assessments.tests.conftest import Workflow, build_workflow
from cchc.testing.files import pdf_bytes
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, assert_accessible_basics, log_in

pytestmark = pytest.mark.browser

PDF = pdf_bytes()


def _as(page: Page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username)


def _open_round(page: Page, wf: Workflow) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Chỉ số CCHC").click()
    page.get_by_role("link", name=wf.round.name).click()
    expect(page.locator("h1")).to_have_text(wf.round.name)


def _advance(page: Page, wf: Workflow, stage_label: str) -> None:
    _as(page, "thuongtruc")
    _open_round(page, wf)
    page.get_by_role("link", name=f"Chuyển sang giai đoạn “{stage_label}”").click()
    page.get_by_label("Tôi đã xem bản tóm tắt ở trên và xác nhận").check()
    page.get_by_role("button", name=f"Xác nhận chuyển sang giai đoạn “{stage_label}”").click()
    expect(page.get_by_role("status")).to_contain_text(f"Kỳ đánh giá đã chuyển sang giai đoạn “{stage_label}”")


def _open_leaf_as_appraiser(page: Page, wf: Workflow) -> None:
    _as(page, "thamdinh")
    _open_round(page, wf)
    page.get_by_role("link", name="Tiêu chí cần thẩm định").click()
    worklist = page.get_by_test_id("worklist")
    expect(worklist).not_to_contain_text("2.1")  # led by Sở Tư pháp, not by the appraiser's unit
    own_rows = worklist.get_by_role("row").filter(has_text="Sở Tư pháp")  # unit B's closed sheet is listed too
    own_rows.get_by_role("link", name=re.compile(r"^1\.1 ")).click()
    expect(page.locator("h1")).to_have_text("Thẩm định: Sở Tư pháp")


def _appraise(page: Page, points: str, reason: str) -> None:
    leaf = page.locator("article[data-code='1.1']")
    leaf.get_by_text("Điều chỉnh", exact=True).click()
    form = leaf.get_by_test_id("adjust-form")
    form.get_by_label("Điểm thẩm định").fill(points)
    form.get_by_label("Lý do điều chỉnh").fill(reason)
    form.get_by_role("button", name="Lưu điều chỉnh 1.1").click()
    expect(page.locator("article[data-code='1.1']").get_by_test_id("appraised-score")).to_contain_text(points)


@pytest.mark.django_db(transaction=True)
def test_a_round_from_self_assessment_with_evidence_to_the_council_approval_and_the_ranking(
    page: Page, live_server: LiveServer, personas: Personas, tmp_path: Path, artifacts_dir: Path
) -> None:
    wf = build_workflow(personas)
    # The unit has already scored the other leaves; the journey follows leaf 1.1 end to end.
    for code, points in (("1.2", "3"), ("2.1", "4")):
        services.score_self_set(
            actor=personas.focal_a,
            score=wf.score(wf.a, code),
            points=Decimal(points),
            no_evidence_reason="Văn bản lưu bản giấy tại đơn vị",
        )
    evidence_file = tmp_path / "ke-hoach-cchc-2025.pdf"
    evidence_file.write_bytes(PDF)
    watch = ProblemWatch(page)

    # 1. The focal point self-assesses leaf 1.1 with an uploaded evidence file, then submits.
    _as(page, "daumoi_a")
    _open_round(page, wf)
    page.get_by_test_id("assessments").get_by_role("link", name="Sở Tư pháp").click()
    expect(page.get_by_test_id("progress")).to_contain_text("3/4")
    page.get_by_test_id("sheet").get_by_role("link", name=re.compile("^Ban hành kế hoạch")).click()
    upload = page.get_by_test_id("upload-form")
    upload.get_by_label("Tệp tài liệu").set_input_files(str(evidence_file))
    upload.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_test_id("score-evidence")).to_contain_text("ke-hoach-cchc-2025.pdf")
    self_form = page.get_by_test_id("self-form")
    self_form.get_by_label("Điểm tự chấm").fill("2")
    self_form.get_by_label("Thuyết minh").fill("Kế hoạch ban hành ngày 05/01/2025")
    self_form.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("self-score")).to_have_text("2")
    assert_accessible_basics(page, first_tab_stop_is_skip_link=False)
    page.get_by_role("link", name="Sở Tư pháp").click()
    expect(page.get_by_test_id("progress")).to_contain_text("4/4")
    page.get_by_role("link", name="Nộp phiếu tự đánh giá…").click()
    page.get_by_role("button", name="Xác nhận nộp phiếu").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã nộp")
    page.screenshot(path=artifacts_dir / "par-sheet-submitted.png", full_page=True)

    # 2. The secretariat opens the appraisal; the appraiser adjusts leaf 1.1 with a reason.
    _advance(page, wf, "Thẩm định")
    _open_leaf_as_appraiser(page, wf)
    _appraise(page, "1,5", "Kế hoạch chưa có nội dung kiểm tra CCHC")

    # 3. The secretariat closes the sheet of the unit that never submitted, sends the results back; the unit
    # explains; the appraiser settles.
    services.assessment_close_by_office(actor=personas.secretariat, assessment=wf.b, reason="Hết hạn gia hạn")
    _advance(page, wf, "Giải trình")
    _as(page, "daumoi_a")
    _open_round(page, wf)
    page.get_by_test_id("assessments").get_by_role("link", name="Sở Tư pháp").click()
    page.get_by_test_id("sheet").get_by_role("link", name=re.compile("^Ban hành kế hoạch")).click()
    explanation = page.get_by_test_id("explanation-form")
    explanation.get_by_label("Nội dung giải trình").fill("Nội dung kiểm tra nằm ở mục III của kế hoạch")
    explanation.get_by_label("Điểm đề nghị").fill("2")
    explanation.get_by_role("button", name="Gửi giải trình").click()
    expect(page.get_by_test_id("explanation")).to_contain_text("mục III")
    _open_leaf_as_appraiser(page, wf)
    _appraise(page, "1,75", "Chấp nhận một phần giải trình")
    page.locator("article[data-code='1.1']").get_by_role("link", name=re.compile("^Ban hành kế hoạch")).click()
    expect(page.get_by_test_id("score-history")).to_contain_text("Chấp nhận một phần giải trình")

    # 4. The council approves the compiled table; the secretariat publishes.
    _advance(page, wf, "Hội đồng thẩm định")
    _as(page, "hoidong")
    _open_round(page, wf)
    page.get_by_role("link", name="Bảng tổng hợp điểm").click()
    expect(page.get_by_test_id("compiled-table").filter(has_text="Sở Tư pháp")).to_have_count(1)
    page.get_by_role("link", name="Hội đồng thông qua kết quả").click()
    # Wait for the approval page before listing its fields: all() does not wait for a navigation.
    reasons = page.get_by_test_id("override-reasons").locator("textarea")
    expect(reasons).to_have_count(2)
    for field in reasons.all():
        field.fill("Các tiêu chí còn lại do đơn vị chủ trì khác thẩm định")
    page.get_by_label("Tôi đã xem bản tóm tắt ở trên và xác nhận").check()
    page.get_by_role("button", name="Xác nhận hội đồng thông qua kết quả").click()
    expect(page.get_by_role("status")).to_contain_text("Hội đồng đã thông qua kết quả")
    wf.refresh()
    assert wf.a.status == AssessmentStatus.APPROVED
    assert wf.score(wf.a, "1.1").final_score == Decimal("1.75")
    _advance(page, wf, "Đã công bố")
    wf.refresh()
    assert wf.round.stage == Stage.PUBLISHED

    # 5. The ranking page and the Word decision announcing the index.
    page.locator("main").get_by_role("link", name="Xem kết quả xếp hạng").click()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sở Tư pháp")
    page.screenshot(path=artifacts_dir / "par-ranking.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_test_id("decision-download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    watch.assert_none()
