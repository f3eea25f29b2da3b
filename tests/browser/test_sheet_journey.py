"""Browser journey through the sheet and appraisal pages: a focal point scores an area inline and submits after the
confirmation step; an appraiser filters the worklist by unit, accepts several leaves at once and adjusts one.
Every page is also opened at phone width, where nothing may scroll sideways."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.assessments import services
from cchc.assessments.models import AssessmentStatus, Stage
from cchc.assessments.tests.conftest import Workflow, build_workflow, self_assess_all
from cchc.testing.files import pdf_bytes
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, assert_accessible_basics, log_in

pytestmark = pytest.mark.browser

PDF = pdf_bytes()
NO_SIDEWAYS_SCROLL_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"
# English words of the interface or raw template code that must never reach a Vietnamese page.
ENGLISH = "Save|Submit|Cancel|Search|Accept|Adjust|Score|Evidence|Delete|Upload|Page|Choose|Filter"
LEAKS_JS = """() => {
  const text = document.body.innerText;
  const found = [];
  const patterns = [/\\{\\{|\\}\\}|\\{%|%\\}/, /\\bNone\\b/, /\\b(WORDS)\\b/];
  for (const pattern of patterns) {
    const match = text.match(pattern);
    if (match) found.push(match[0]);
  }
  return found;
}""".replace("WORDS", ENGLISH)


def _as(page: Page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username)


def _check_page(page: Page, artifacts_dir: Path, name: str) -> None:
    """No English or raw template code, and a screenshot for people to look at."""
    assert page.evaluate(LEAKS_JS) == [], name
    page.screenshot(path=artifacts_dir / f"{name}.png", full_page=True)


def _check_phone(phone: Page, url: str, artifacts_dir: Path, name: str) -> None:
    phone.goto(url)
    expect(phone.locator("h1")).to_be_visible()
    assert phone.evaluate(NO_SIDEWAYS_SCROLL_JS), f"{name} scrolls sideways at 390 px"
    _check_page(phone, artifacts_dir, f"{name}-390")


def _leaf(page: Page, code: str):  # type: ignore[no-untyped-def]
    return page.locator(f"article[data-code='{code}']")


@pytest.mark.django_db(transaction=True)
def test_a_focal_point_scores_an_area_inline_and_submits_after_confirming(
    page: Page, phone_page: Page, live_server: LiveServer, personas: Personas, tmp_path: Path, artifacts_dir: Path
) -> None:
    wf = build_workflow(personas)
    evidence_file = tmp_path / "bao-cao-cchc.pdf"
    evidence_file.write_bytes(PDF)
    watch = ProblemWatch(page)
    _as(page, "daumoi_a")
    page.goto(f"/assessments/{wf.a.pk}/")
    expect(page.get_by_test_id("progress")).to_contain_text("1/4")  # the indicator leaf counts as done

    # Area 1: both leaves scored inline; the running total and the progress follow without a reload.
    first = _leaf(page, "1.1")
    first.get_by_label("Điểm tự chấm").fill("2")
    first.get_by_label("Giải thích nếu không có tài liệu kiểm chứng").fill("Kế hoạch lưu bản giấy tại đơn vị")
    first.get_by_role("button", name="Lưu tiêu chí 1.1").click()
    expect(_leaf(page, "1.1").get_by_test_id("saved")).to_contain_text("Đã lưu: 2 điểm.")
    expect(page.get_by_test_id("running-total")).to_contain_text("Tổng điểm tự chấm: 2/")
    expect(page.get_by_test_id("progress")).to_contain_text("2/4")
    second = _leaf(page, "1.2")
    second.get_by_label("Điểm tự chấm").fill("1,25")
    second.get_by_role("button", name="Lưu tiêu chí 1.2").click()
    expect(_leaf(page, "1.2").locator(".errorlist")).to_contain_text("bước 0,5")  # the error stays by the leaf
    _leaf(page, "1.2").get_by_label("Điểm tự chấm").fill("2,5")
    _leaf(page, "1.2").get_by_role("button", name="Lưu tiêu chí 1.2").click()
    expect(page.get_by_test_id("running-total")).to_contain_text("Tổng điểm tự chấm: 4,5/")
    assert_accessible_basics(page, first_tab_stop_is_skip_link=False)

    # One evidence file for two leaves, chosen with the criterion picker.
    page.get_by_text("Tải lên tệp tài liệu").click()
    upload = page.get_by_test_id("upload-form")
    upload.get_by_label("Tệp tài liệu").set_input_files(str(evidence_file))
    picker = upload.get_by_role("combobox")
    for code in ("1.2", "2.1"):
        picker.fill(code)
        upload.get_by_role("option", name=f"{code} ").first.click()
    upload.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_test_id("evidence")).to_contain_text("bao-cao-cchc.pdf")
    expect(page.get_by_test_id("evidence")).to_contain_text("1.2, 2.1")
    expect(page.get_by_test_id("progress")).to_contain_text("3/4")

    # Submitting too early lists what is missing, with a link to it.
    page.get_by_role("link", name="Nộp phiếu tự đánh giá…").click()
    expect(page.get_by_test_id("missing")).to_contain_text("2.1")
    expect(page.get_by_role("button", name="Xác nhận nộp phiếu")).to_have_count(0)
    _check_page(page, artifacts_dir, "sheet-submit-missing")
    page.get_by_test_id("missing").get_by_role("link").first.click()
    _leaf(page, "2.1").get_by_label("Điểm tự chấm").fill("4")
    _leaf(page, "2.1").get_by_role("button", name="Lưu tiêu chí 2.1").click()
    expect(page.get_by_test_id("progress")).to_contain_text("4/4")
    _check_page(page, artifacts_dir, "sheet-area-2")

    # At phone width nothing scrolls sideways, forms and picker included.
    _as(phone_page, "daumoi_a")
    _check_phone(phone_page, f"/assessments/{wf.a.pk}/", artifacts_dir, "sheet")
    _check_phone(phone_page, f"/assessments/scores/{wf.score(wf.a, '1.1').pk}/", artifacts_dir, "score")
    _check_phone(phone_page, f"/assessments/{wf.a.pk}/submit/", artifacts_dir, "sheet-submit")

    # The confirmation step, then the submission.
    page.get_by_role("link", name="Nộp phiếu tự đánh giá…").click()
    expect(page.get_by_test_id("submit-confirm")).to_contain_text("bị khóa")
    page.get_by_role("button", name="Xác nhận nộp phiếu").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã nộp")
    wf.refresh()
    assert wf.a.status == AssessmentStatus.SUBMITTED
    watch.assert_none()
    _check_phone(phone_page, f"/assessments/{wf.a.pk}/", artifacts_dir, "sheet-submitted")


@pytest.mark.django_db(transaction=True)
def test_an_appraiser_filters_by_unit_accepts_several_leaves_and_adjusts_one(
    page: Page, phone_page: Page, live_server: LiveServer, personas: Personas, artifacts_dir: Path
) -> None:
    wf: Workflow = build_workflow(personas)
    for assessment, user in ((wf.a, personas.focal_a), (wf.b, personas.focal_b)):
        self_assess_all(wf, assessment, user)
        services.assessment_submit(actor=user, assessment=assessment)
    services.round_advance(actor=personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    watch = ProblemWatch(page)
    _as(page, "thamdinh")
    page.goto(f"/assessments/rounds/{wf.round.pk}/appraisal/")
    expect(page.get_by_test_id("worklist")).to_contain_text("Xã Hòa Bình")

    # Only one unit.
    filters = page.get_by_test_id("worklist-filters")
    filters.get_by_label("Đơn vị").select_option(label="Sở Tư pháp")
    filters.get_by_role("button", name="Lọc").click()
    worklist = page.get_by_test_id("worklist")
    expect(worklist).not_to_contain_text("Xã Hòa Bình")
    expect(page.get_by_test_id("unit-progress")).to_have_text("đã thẩm định 0/4 tiêu chí")
    _check_page(page, artifacts_dir, "worklist")

    # “Đồng ý” for the two leaves of area 1 at once.
    page.get_by_label("Chọn tiêu chí 1.1 của Sở Tư pháp").check()
    page.get_by_label("Chọn tiêu chí 1.2 của Sở Tư pháp").check()
    page.get_by_role("button", name="Đồng ý các tiêu chí đã chọn").click()
    expect(page.get_by_role("status")).to_contain_text("Đã đồng ý điểm tự chấm của 2 tiêu chí.")
    expect(page.get_by_test_id("unit-progress")).to_have_text("đã thẩm định 2/4 tiêu chí")
    assert wf.score(wf.a, "1.2").appraised_score == Decimal(3)

    # Then the unit's sheet area by area: leaf 1.2 is adjusted with a reason.
    page.get_by_role("link", name="Thẩm định theo lĩnh vực").click()
    expect(page.locator("h1")).to_have_text("Thẩm định: Sở Tư pháp")
    leaf = _leaf(page, "1.2")
    leaf.get_by_text("Điều chỉnh", exact=True).click()
    leaf.get_by_label("Điểm thẩm định").fill("2")
    leaf.get_by_role("button", name="Lưu điều chỉnh 1.2").click()
    expect(_leaf(page, "1.2")).to_contain_text("Hãy ghi lý do khi điều chỉnh điểm.")
    _leaf(page, "1.2").get_by_label("Lý do điều chỉnh").fill("Thiếu báo cáo quý IV")
    _leaf(page, "1.2").get_by_role("button", name="Lưu điều chỉnh 1.2").click()
    expect(_leaf(page, "1.2").get_by_test_id("appraised-score")).to_contain_text("2 — Thiếu báo cáo quý IV")
    expect(page.get_by_test_id("appraisal-progress")).to_have_text("đã thẩm định 2/4 tiêu chí")
    assert wf.score(wf.a, "1.2").appraised_score == Decimal(2)
    assert_accessible_basics(page, first_tab_stop_is_skip_link=False)
    _check_page(page, artifacts_dir, "appraisal-sheet")
    watch.assert_none()

    _as(phone_page, "thamdinh")
    _check_phone(phone_page, f"/assessments/rounds/{wf.round.pk}/appraisal/", artifacts_dir, "worklist")
    _check_phone(phone_page, f"/assessments/{wf.a.pk}/appraisal/", artifacts_dir, "appraisal-sheet")


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_sheet_saves_a_leaf_and_submits_as_plain_forms(
    browser: Browser, live_server: LiveServer, personas: Personas, artifacts_dir: Path
) -> None:
    wf = build_workflow(personas)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        log_in(page, "daumoi_a")
        page.goto(f"/assessments/{wf.a.pk}/")
        for code, points in (("1.1", "2"), ("1.2", "3")):
            leaf = _leaf(page, code)
            leaf.get_by_label("Điểm tự chấm").fill(points)
            leaf.get_by_label("Giải thích nếu không có tài liệu kiểm chứng").fill("Bản giấy lưu tại đơn vị")
            leaf.get_by_role("button", name=f"Lưu tiêu chí {code}").click()
            expect(page.get_by_role("status")).to_contain_text(f"Đã lưu điểm tự chấm tiêu chí {code}.")
            assert page.url.endswith(f"#leaf-{wf.score(wf.a, code).pk}")
        page.get_by_role("link", name="Sang lĩnh vực 2").click()
        _leaf(page, "2.1").get_by_label("Điểm tự chấm").fill("4")
        _leaf(page, "2.1").get_by_label("Giải thích nếu không có tài liệu kiểm chứng").fill("Văn bản mật")
        _leaf(page, "2.1").get_by_role("button", name="Lưu tiêu chí 2.1").click()
        expect(page.get_by_test_id("progress")).to_contain_text("4/4")
        page.get_by_role("link", name="Nộp phiếu tự đánh giá…").click()
        page.get_by_role("button", name="Xác nhận nộp phiếu").click()
        expect(page.get_by_test_id("status")).to_have_text("Đã nộp")
        _check_page(page, artifacts_dir, "sheet-nojs-submitted")
    finally:
        context.close()
    wf.refresh()
    assert wf.a.status == AssessmentStatus.SUBMITTED


def test_an_appraiser_ticks_every_leaf_of_the_worklist_page_at_once_and_accepts_them(
    page: Page, live_server: LiveServer, personas: Personas
) -> None:
    wf: Workflow = build_workflow(personas)
    for assessment, user in ((wf.a, personas.focal_a), (wf.b, personas.focal_b)):
        self_assess_all(wf, assessment, user)
        services.assessment_submit(actor=user, assessment=assessment)
    services.round_advance(actor=personas.secretariat, round_=wf.round, to_stage=Stage.APPRAISAL)
    _as(page, "thamdinh")
    page.goto(f"/assessments/rounds/{wf.round.pk}/appraisal/")
    boxes = page.get_by_test_id("worklist").locator('input[type=checkbox][name="scores"]')
    count = boxes.count()
    assert count >= 2
    page.get_by_test_id("select-all").check()
    for index in range(count):
        expect(boxes.nth(index)).to_be_checked()
    page.get_by_test_id("select-all").uncheck()
    expect(boxes.first).not_to_be_checked()
    page.get_by_test_id("select-all").check()
    page.get_by_role("button", name="Đồng ý các tiêu chí đã chọn").click()
    expect(page.get_by_role("status")).to_contain_text(f"Đã đồng ý điểm tự chấm của {count} tiêu chí.")


def test_an_inline_save_refused_because_access_was_lost_says_so_instead_of_doing_nothing(
    page: Page, live_server: LiveServer, personas: Personas
) -> None:
    from cchc.accounts.models import RoleAssignment

    wf = build_workflow(personas)
    _as(page, "daumoi_a")
    page.goto(f"/assessments/{wf.a.pk}/")
    RoleAssignment.objects.filter(user=personas.focal_a).delete()  # access taken away while the page is open
    first = _leaf(page, "1.1")
    first.get_by_label("Điểm tự chấm").fill("2")
    first.get_by_role("button", name="Lưu tiêu chí 1.1").click()
    expect(page.get_by_test_id("request-error")).to_contain_text("Chưa lưu được")
    assert wf.score(wf.a, "1.1").self_score is None
