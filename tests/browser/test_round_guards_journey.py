"""Browser journey through the whole demo round in progress, from self-assessment to publication, as the secretariat and
the council, meeting every guard of a round: the units that have not submitted are listed and decided one by one,
a sheet counts as appraised only when every leaf is, the council cannot approve unfinished sheets without a reason
per unit, and publishing shows a summary and asks for confirmation. Scoring and appraisal happen through the
services (they are not the point here); the round-level pages are driven in the browser."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.accounts.models import User
from cchc.assessments import services
from cchc.assessments.demo import load_demo
from cchc.assessments.models import Assessment, AssessmentStatus, Round, Score, Stage
from cchc.audit.selectors import history_for
from cchc.demo.loaders import load_province
from cchc.frameworks.demo import load_demo as load_frameworks_demo
from cchc.lib.text import sort_key

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

PASSWORD = "cchc-demo-2025"
CONFIRM = "Tôi đã xem bản tóm tắt ở trên và xác nhận"
EXTENDED_UNIT = "PT-STP"  # the demo focal point's unit, left half done: it gets more time
OVERRIDE_REASON = "Tổ thẩm định chưa kịp thẩm định hết; hội đồng dùng điểm tự chấm cho phần còn lại"


def _as(page: Page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username, PASSWORD)


def _open_round(page: Page, round_: Round) -> None:
    page.goto(f"/assessments/rounds/{round_.pk}/")
    expect(page.locator("h1")).to_have_text(round_.name)


def _confirm_advance(page: Page, stage_label: str) -> None:
    page.get_by_label(CONFIRM).check()
    page.get_by_role("button", name=f"Xác nhận chuyển sang giai đoạn “{stage_label}”").click()


def _advance(page: Page, round_: Round, stage_label: str) -> None:
    _open_round(page, round_)
    page.get_by_role("link", name=f"Chuyển sang giai đoạn “{stage_label}”").click()
    _confirm_advance(page, stage_label)
    expect(page.get_by_role("status")).to_contain_text(f"Kỳ đánh giá đã chuyển sang giai đoạn “{stage_label}”")


def _fresh(score: Score) -> Score:
    return Score.objects.select_related("criterion", "assessment__round", "assessment__unit").get(pk=score.pk)


def _finish_self_assessment(sheet: Assessment, actor: User) -> None:
    """The extended unit scores what it had left (no evidence: a written reason) and submits."""
    for score in sheet.scores.select_related("criterion", "assessment__round", "assessment__unit"):
        if services.is_auto(score.criterion) or score.self_score is not None:
            continue
        services.score_self_set(
            actor=actor, score=score, points=Decimal(0), no_evidence_reason="Chưa triển khai trong năm"
        )
    services.assessment_submit(actor=actor, assessment=sheet)


def _appraise(sheet: Assessment, appraiser: User, *, leaves: int | None = None) -> None:
    """Accept the self-score of the first ``leaves`` leaves of the sheet (all of them by default)."""
    scores = Score.objects.filter(assessment=sheet, appraised_score__isnull=True).order_by("criterion__position", "pk")
    for score in list(scores)[:leaves]:
        score = _fresh(score)
        if score.self_score is None:
            services.score_appraise(
                actor=appraiser, score=score, version=score.version, points=Decimal(0), reason="Không có số liệu"
            )
        else:
            services.score_appraise(actor=appraiser, score=score, version=score.version, accept=True)


def _unit_names(page: Page, test_id: str) -> list[str]:
    return [name.strip() for name in page.get_by_test_id(test_id).locator("tbody tr td:first-child").all_inner_texts()]


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
@pytest.mark.django_db(transaction=True)
def test_the_demo_round_in_progress_runs_to_publication_through_every_guard(
    page: Page, phone_page: Page, live_server: LiveServer, artifacts_dir: Path
) -> None:
    load_province(password=PASSWORD)
    load_frameworks_demo(stdout=io.StringIO())
    load_demo(stdout=io.StringIO())
    round_ = Round.objects.get(stage=Stage.SELF_ASSESSMENT)  # the demo's round in progress
    unsubmitted = services.unsubmitted_sheets(round_)
    assert len(unsubmitted) >= 3
    extended = next(sheet for sheet in unsubmitted if sheet.unit.code == EXTENDED_UNIT)
    appraiser, focal = User.objects.get(username="thamdinh"), User.objects.get(username="daumoi")
    watch = ProblemWatch(page)

    # 1. The round page lists every sheet in Vietnamese order with "đã thẩm định x/y tiêu chí".
    _as(page, "thuongtruc")
    _open_round(page, round_)
    sheets = page.get_by_test_id("assessments")
    expect(sheets.get_by_test_id("appraised").first).to_contain_text(re.compile(r"đã thẩm định 0/\d+ tiêu chí"))
    expect(sheets.get_by_test_id("status").filter(has_text="nộp muộn")).to_have_count(0)
    kinds = dict(Assessment.objects.filter(round=round_).values_list("unit__name", "framework__unit_kind"))
    shown = _unit_names(page, "assessments")
    assert shown == sorted(shown, key=lambda name: (kinds[name], sort_key(name)))

    # 2. "Next stage" shows the units that have not submitted; moving on is refused while any is undecided.
    page.get_by_role("link", name="Chuyển sang giai đoạn “Thẩm định”").click()
    pending = page.get_by_test_id("pending-units")
    expect(pending).to_contain_text(f"{len(unsubmitted)} đơn vị chưa nộp phiếu, cần quyết định")
    for sheet in unsubmitted:
        expect(page.get_by_test_id(f"decision-{sheet.pk}").get_by_role("rowheader")).to_contain_text(sheet.unit.name)
    page.screenshot(path=artifacts_dir / "round-guards-pending-units.png", full_page=True)
    _confirm_advance(page, "Thẩm định")
    refusal = page.get_by_role("status")
    expect(refusal).to_contain_text("Chưa chuyển được sang thẩm định")
    expect(refusal).to_contain_text(unsubmitted[0].unit.name)

    # 3. The secretariat decides unit by unit, with a reason: more time for one, the office closes the others.
    deadline = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    form = page.get_by_test_id(f"decision-{extended.pk}")
    form.get_by_label("Gia hạn cho đơn vị").check()
    form.get_by_label("Hạn mới (khi gia hạn)").fill(deadline)
    form.get_by_label("Lý do").fill("Đơn vị xin gia hạn do thay đổi cán bộ đầu mối")
    form.get_by_role("button", name="Ghi quyết định").click()
    expect(page.get_by_role("status")).to_contain_text(f"Đã gia hạn cho {extended.unit.name}")
    expect(page.get_by_test_id("extended-units")).to_contain_text(extended.unit.name)
    for sheet in unsubmitted:
        if sheet.pk == extended.pk:
            continue
        form = page.get_by_test_id(f"decision-{sheet.pk}")
        form.get_by_label("Đóng phiếu thay đơn vị").check()
        form.get_by_label("Lý do").fill("Quá hạn tự đánh giá, đơn vị không nộp phiếu")
        form.get_by_role("button", name="Ghi quyết định").click()
        expect(page.get_by_role("status")).to_contain_text(f"Đã đóng phiếu thay {sheet.unit.name}")
    expect(page.get_by_test_id("pending-units")).to_have_count(0)
    closed = Assessment.objects.filter(round=round_, closed_by_office=True)
    assert closed.count() == len(unsubmitted) - 1
    assert not Score.objects.filter(assessment__in=closed, self_score=None).exists()  # missing leaves scored 0
    assert history_for(extended).filter(reason="Đơn vị xin gia hạn do thay đổi cán bộ đầu mối").exists()
    _confirm_advance(page, "Thẩm định")
    expect(page.get_by_role("status")).to_contain_text("Kỳ đánh giá đã chuyển sang giai đoạn “Thẩm định”")
    expect(page.get_by_test_id("extended").first).to_contain_text("gia hạn đến")
    closed_row = page.get_by_test_id("sheet-row").filter(has_text=closed.select_related("unit").first().unit.name)
    expect(closed_row.get_by_test_id("status")).to_have_text("Đã nộp (muộn, đóng phiếu thay đơn vị)")

    # 4. The extended unit submits during appraisal; the appraisers work (services) but leave one sheet unfinished.
    _finish_self_assessment(Assessment.objects.select_related("round", "unit").get(pk=extended.pk), focal)
    sheets_in_round = list(Assessment.objects.filter(round=round_).select_related("unit").order_by("unit__code"))
    unfinished = next(sheet for sheet in sheets_in_round if sheet.pk != extended.pk and not sheet.closed_by_office)
    for sheet in sheets_in_round:
        _appraise(sheet, appraiser, leaves=5 if sheet.pk == unfinished.pk else None)

    # 5. Moving to explanation lists the sheet not fully appraised; only the others become "Đã thẩm định".
    _open_round(page, round_)
    page.get_by_role("link", name="Chuyển sang giai đoạn “Giải trình”").click()
    gaps = page.get_by_test_id("appraisal-gaps")
    expect(gaps).to_contain_text("1 phiếu chưa thẩm định đủ tiêu chí")
    expect(gaps).to_contain_text(re.compile(rf"{re.escape(unfinished.unit.name)}: đã thẩm định 5/\d+ tiêu chí"))
    _confirm_advance(page, "Giải trình")
    expect(page.get_by_role("status")).to_contain_text("Kỳ đánh giá đã chuyển sang giai đoạn “Giải trình”")
    row = page.get_by_test_id("sheet-row").filter(has_text=unfinished.unit.name)
    expect(row.get_by_test_id("status")).to_have_text("Đã nộp")
    statuses = dict(Assessment.objects.filter(round=round_).values_list("pk", "status"))
    assert statuses.pop(unfinished.pk) == AssessmentStatus.SUBMITTED
    assert set(statuses.values()) == {AssessmentStatus.APPRAISED}
    _advance(page, round_, "Hội đồng thẩm định")

    # 6. The council sees the compiled table with the appraisal progress, in Vietnamese order.
    _as(page, "hoidong")
    _open_round(page, round_)
    page.get_by_role("link", name="Bảng tổng hợp điểm").click()
    table = page.get_by_test_id("compiled-table").first
    expect(table).to_contain_text(re.compile(r"đã thẩm định 5/\d+ tiêu chí"))
    for compiled in page.get_by_test_id("compiled-table").all():
        names = [name.strip() for name in compiled.locator("tbody tr td:first-child").all_inner_texts()]
        assert names == sorted(names, key=sort_key)

    # 7. Approval is refused while a sheet is not fully appraised, naming it; the council records its reason.
    page.get_by_role("link", name="Hội đồng thông qua kết quả").click()
    page.get_by_label("Căn cứ thông qua (biên bản họp hội đồng)").fill("Biên bản họp Hội đồng thẩm định ngày 10/3/2026")
    page.get_by_label(CONFIRM).check()
    page.get_by_role("button", name="Xác nhận hội đồng thông qua kết quả").click()
    expect(page.get_by_role("alert")).to_contain_text(f"hội đồng cần ghi lý do cho từng đơn vị: {unfinished.unit.name}")
    page.get_by_label(f"Lý do thông qua {unfinished.unit.name}").fill(OVERRIDE_REASON)
    page.get_by_label(CONFIRM).check()
    page.get_by_role("button", name="Xác nhận hội đồng thông qua kết quả").click()
    expect(page.get_by_role("status")).to_contain_text("Hội đồng đã thông qua kết quả")
    expect(page.get_by_test_id("overrides")).to_contain_text(OVERRIDE_REASON)
    assert history_for(unfinished).filter(reason=OVERRIDE_REASON).exists()

    # 8. Publishing shows how many units, how many overrides, the top and bottom three; then it is confirmed.
    _as(page, "thuongtruc")
    _open_round(page, round_)
    page.get_by_role("link", name="Chuyển sang giai đoạn “Đã công bố”").click()
    summary = page.get_by_test_id("publish-summary")
    expect(summary.get_by_test_id("summary-units")).to_have_text(str(len(sheets_in_round)))
    expect(summary.get_by_test_id("summary-overrides")).to_have_text("1")
    expect(summary).to_contain_text(OVERRIDE_REASON)
    for group in summary.get_by_test_id("summary-group").all():
        expect(group.get_by_test_id("top")).to_have_count(3)
        expect(group.get_by_test_id("bottom")).to_have_count(3)
    page.screenshot(path=artifacts_dir / "round-guards-publish-summary.png", full_page=True)
    page.get_by_role("button", name="Xác nhận chuyển sang giai đoạn “Đã công bố”").click()  # not confirmed yet
    expect(page.get_by_text("Hãy đánh dấu xác nhận sau khi xem bản tóm tắt.")).to_be_visible()
    round_.refresh_from_db()
    assert round_.stage == Stage.COUNCIL
    _confirm_advance(page, "Đã công bố")
    expect(page.get_by_role("status")).to_contain_text("Kỳ đánh giá đã chuyển sang giai đoạn “Đã công bố”")
    round_.refresh_from_db()
    assert round_.stage == Stage.PUBLISHED

    # 9. The results show the council's override.
    page.locator("main").get_by_role("link", name="Xem kết quả xếp hạng").click()
    page.wait_for_url(re.compile(rf"/assessments/results/{round_.pk}/"))  # count() does not wait
    kind_link = page.get_by_test_id("kinds").get_by_role("link")
    if kind_link.count():
        unfinished_kind = unfinished.framework.get_unit_kind_display()
        page.get_by_test_id("kinds").get_by_role("link", name=unfinished_kind).click()
    expect(page.get_by_test_id("overrides")).to_contain_text(OVERRIDE_REASON)
    watch.problems = [problem for problem in watch.problems if not problem.startswith("400 POST")]
    watch.assert_none()

    # 10. On a phone the round page does not scroll sideways.
    _as(phone_page, "thuongtruc")
    _open_round(phone_page, round_)
    scroll_width, viewport_width = phone_page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= viewport_width, f"the round page is {scroll_width} px wide on a {viewport_width} px phone"
    phone_page.screenshot(path=artifacts_dir / "round-guards-round-page-phone.png", full_page=True)
