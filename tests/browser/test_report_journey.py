"""Browser journey through a periodic reform report: the unit's focal point writes its annual report section by
section and submits it; the secretariat returns it with a reason, the unit completes it and submits again, the
secretariat accepts it and consolidates the province's report. Screenshots at desktop and phone width."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.directives import services as directive_services
from cchc.directives.models import DeadlineKind, DirectiveKind, ExpectedOutput, Recurrence
from cchc.reports import services
from cchc.reports.documents import report_file_build
from cchc.reports.models import Report, ReportFile, ReportStatus, Section
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

FITS_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"
SHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person to look at


def _as(page: Page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username)


def _report_task(personas: Personas, year: int) -> None:
    directive = directive_services.directive_create(
        actor=personas.secretariat,
        data=directive_services.DirectiveData(
            kind=DirectiveKind.PLAN,
            subject=f"Kế hoạch cải cách hành chính năm {year}",
            issuing_unit=personas.province,
            reference="05/KH-UBND",
            issued_on=datetime.date(year, 1, 5),
        ),
    )
    task = directive_services.task_create(
        actor=personas.secretariat,
        directive=directive,
        data=directive_services.TaskData(
            content="Báo cáo kết quả thực hiện công tác cải cách hành chính năm",
            deadline_kind=DeadlineKind.RECURRING,
            recurrence=Recurrence.YEARLY,
            expected_output=ExpectedOutput.REPORT,
            units=[personas.unit_a, personas.unit_b],
        ),
    )
    services.report_task_link(actor=personas.secretariat, task=task)


@pytest.mark.django_db(transaction=True)
def test_a_unit_writes_and_submits_the_secretariat_returns_accepts_and_consolidates(
    page: Page, phone_page: Page, live_server: LiveServer, personas: Personas, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    year = timezone.localdate().year
    _report_task(personas, year)
    problems = ProblemWatch(page)

    # The focal point of unit A opens the annual report and writes two sections.
    _as(page, personas.focal_a.username)
    page.get_by_role("link", name="Báo cáo định kỳ").click()
    page.get_by_label("Đơn vị").select_option(label="Sở Tư pháp")
    page.get_by_label("Kỳ báo cáo").select_option(str(year))
    page.get_by_role("button", name="Mở báo cáo").click()
    expect(page.locator("h1")).to_contain_text("Sở Tư pháp")
    expect(page.get_by_test_id("deadline")).to_contain_text(f"31/12/{year}")
    direction = page.get_by_test_id("section-direction")
    direction.get_by_label("Nội dung").fill("Ban hành kế hoạch CCHC năm.\nHọp giao ban hằng quý.")
    direction.get_by_role("button", name="Lưu mục này").dblclick()
    expect(page.get_by_test_id("saved-direction")).to_be_visible()
    procedures = page.get_by_test_id("section-procedures")
    procedures.get_by_label("Nội dung").fill("Công khai đầy đủ thủ tục hành chính.")
    procedures.get_by_role("button", name="Lưu mục này").click()
    expect(page.get_by_test_id("saved-procedures")).to_be_visible()
    # The text typed in one section survives saving another.
    expect(direction.get_by_label("Nội dung")).to_have_value("Ban hành kế hoạch CCHC năm.\nHọp giao ban hằng quý.")
    page.screenshot(path=SHOTS / "reports_unit_editor_desktop.png", full_page=True)
    report = Report.objects.get(unit=personas.unit_a, period_key=str(year))
    assert Section.objects.get(report=report, key="direction").text.startswith("Ban hành")

    page.get_by_test_id("submit-link").click()
    expect(page.get_by_test_id("gaps")).to_contain_text("Mục “Cải cách thể chế” chưa có nội dung.")
    page.screenshot(path=SHOTS / "reports_submit_confirm_desktop.png", full_page=True)
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("Đã gửi, chờ tiếp nhận")

    # The secretariat sees it waiting and returns it with a reason.
    _as(page, personas.secretariat.username)
    page.goto(f"/reports/overview/?period={year}")
    expect(page.get_by_test_id("overview")).to_contain_text("Đã gửi, chờ tiếp nhận")
    page.screenshot(path=SHOTS / "reports_overview_desktop.png", full_page=True)
    page.get_by_test_id("overview").get_by_role("link", name="Sở Tư pháp").click()
    page.get_by_test_id("review-link").click()
    page.get_by_label("Lý do trả lại").fill("Bổ sung kết quả cải cách thể chế.")
    page.get_by_test_id("return").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("Bị trả lại, cần bổ sung")

    # The unit reads the reason, completes the report and submits again.
    _as(page, personas.focal_a.username)
    page.goto(f"/reports/{report.pk}/")
    expect(page.get_by_test_id("return-reason")).to_contain_text("Bổ sung kết quả cải cách thể chế.")
    institutional = page.get_by_test_id("section-institutional")
    institutional.get_by_label("Nội dung").fill("Rà soát 12 văn bản quy phạm pháp luật.")
    institutional.get_by_role("button", name="Lưu mục này").click()
    expect(page.get_by_test_id("saved-institutional")).to_be_visible()
    page.get_by_test_id("submit-link").click()
    page.get_by_test_id("confirm-submit").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("Đã gửi, chờ tiếp nhận")

    # The secretariat accepts it, opens the province's report and consolidates.
    _as(page, personas.secretariat.username)
    page.goto(f"/reports/{report.pk}/review/")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("Đã tiếp nhận")
    page.goto("/reports/")
    page.get_by_label("Đơn vị").select_option(label="Tỉnh Thử Nghiệm")
    page.get_by_label("Kỳ báo cáo").select_option(str(year))
    page.get_by_role("button", name="Mở báo cáo").click()
    page.get_by_test_id("consolidate-link").click()
    page.get_by_test_id("confirm-consolidate").click()
    expect(page.get_by_test_id("section-direction").get_by_label("Nội dung")).to_have_value(
        "Sở Tư pháp: Ban hành kế hoạch CCHC năm.\nHọp giao ban hằng quý."
    )
    page.screenshot(path=SHOTS / "reports_province_desktop.png", full_page=True)
    # The Word file is built in the background: asked twice (a double click), queued once, built by the worker.
    page.get_by_test_id("build-docx").dblclick()
    expect(page.get_by_test_id("file-docx")).to_contain_text("Đang chờ tạo")
    assert ReportFile.objects.filter(report__unit=personas.province).count() == 1
    assert DBTaskResult.objects.filter(task_path__endswith="build_report_file_job").count() == 1
    report_file_build(ReportFile.objects.get(report__unit=personas.province, fmt="docx").pk)  # what the worker does
    expect(page.get_by_test_id("file-docx")).to_contain_text("Đã tạo xong", timeout=10_000)
    page.get_by_test_id("report-files").screenshot(path=SHOTS / "reports_files_ready_desktop.png")
    with page.expect_download() as download:
        page.get_by_test_id("download-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
    assert Report.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED
    problems.assert_none()

    # On a phone: the report and the overview fit the screen.
    _as(phone_page, personas.secretariat.username)
    for url, name in ((f"/reports/{report.pk}/", "report"), (f"/reports/overview/?period={year}", "overview")):
        phone_page.goto(url)
        assert phone_page.evaluate(FITS_JS), f"{url} scrolls sideways on a 390px screen"
        phone_page.screenshot(path=SHOTS / f"reports_{name}_phone.png", full_page=True)
