"""Browser journey through a directive: upload a seed directive, review and confirm the proposed tasks, the unit's
focal point reports completion with a file, the secretariat accepts, and the on-time rate appears in the statistics
and in the indicator store."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.directives.models import Assignment, Directive, ReviewState
from cchc.directives.services import ON_TIME_RATE
from cchc.indicators.models import IndicatorValue
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Membership, UnitKind
from cchc.organisations.services import UnitData, unit_create
from cchc.testing.files import pdf_bytes
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, assert_accessible_basics, log_in

pytestmark = pytest.mark.browser

SEED = Path(__file__).resolve().parents[2] / "cchc/directives/data/seeds/vp-ubnd-tinh-2022-ke-hoach-par-sipas.txt"
PDF = pdf_bytes()
TASK_TEXT = "rà soát, cập nhật lại thủ tục hành chính"


def _as(page: Page, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username)


def _provincial_office(personas: Personas) -> dict[str, Any]:
    """The issuer of the seed plan (Văn phòng UBND tỉnh) with its divisions, and a focal point in one of them."""
    office = unit_create(
        actor=None,
        data=UnitData(name="Văn phòng UBND tỉnh", kind=UnitKind.DEPARTMENT, code="T-P-VP"),
        parent=personas.province,
    )
    divisions = {
        name: unit_create(
            actor=None, data=UnitData(name=name, kind=UnitKind.OFFICE, code=f"T-P-VP-{number}"), parent=office
        )
        for number, name in enumerate(
            ["Phòng Hành chính - Tổ chức", "Phòng Kiểm soát thủ tục hành chính", "Phòng Tổng hợp"], start=1
        )
    }
    focal = User.objects.create(username="daumoi_vp", full_name="Đỗ Thị Hành Chính", password=personas.admin.password)
    Membership.objects.create(user=focal, unit=divisions["Phòng Hành chính - Tổ chức"])
    RoleAssignment.objects.create(user=focal, role=Role.FOCAL_POINT, scope=divisions["Phòng Hành chính - Tổ chức"])
    return {"office": office, "division": divisions["Phòng Hành chính - Tổ chức"], "focal": focal}


@pytest.mark.django_db(transaction=True)
def test_a_directive_from_upload_and_review_to_a_report_with_a_file_acceptance_and_the_on_time_rate(
    page: Page, live_server: LiveServer, personas: Personas, tmp_path: Path, settings: Any, artifacts_dir: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    setup = _provincial_office(personas)
    today = timezone.localdate()
    due = today + datetime.timedelta(days=10)
    report_file = tmp_path / "bao-cao-ra-soat-tthc.pdf"
    report_file.write_bytes(PDF)
    watch = ProblemWatch(page)

    # 1. The secretariat uploads the seed plan; nothing exists until it is confirmed.
    _as(page, "thuongtruc")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Văn bản chỉ đạo").click()
    page.get_by_role("link", name="Tải văn bản lên, đề xuất nhiệm vụ").click()
    page.get_by_label("Cơ quan ban hành").select_option(label="— Văn phòng UBND tỉnh (T-P-VP)")
    page.get_by_label("Tệp văn bản").set_input_files(str(SEED))
    page.get_by_role("button", name="Đọc văn bản").click()

    # 2. Review: the document beside the proposed tasks; fill the missing date, narrow one task and give it a date.
    expect(page.get_by_role("heading", name="Xem lại nhiệm vụ đề xuất")).to_be_visible()
    expect(page.get_by_test_id("document-text")).to_contain_text("Nâng cao Chỉ số cải cách hành chính")
    proposed = page.get_by_test_id("proposed-task")
    expect(proposed.first).to_be_visible()
    page.wait_for_load_state("load")  # the long review page may still be arriving when its first task shows
    assert proposed.count() >= 8
    assert not Directive.objects.exists()
    assert_accessible_basics(page, first_tab_stop_is_skip_link=False)
    page.get_by_label("Số, ký hiệu").fill("142/KH-VP")
    page.get_by_label("Ngày ban hành").fill((today - datetime.timedelta(days=5)).isoformat())
    row = proposed.filter(has=page.locator("textarea", has_text=re.compile(TASK_TEXT, re.IGNORECASE)))
    expect(row).to_have_count(1)
    expect(row.get_by_label("Loại thời hạn")).to_be_hidden()  # each task is one folded line until opened
    row.locator("summary").click()
    units = row.get_by_role("combobox", name="Đơn vị thực hiện")
    chosen = row.locator(".field").filter(has=page.get_by_role("combobox", name="Đơn vị thực hiện"))
    chosen = chosen.locator(".unit-picker-remove")
    while chosen.count():
        chosen.first.click()
    units.fill("hanh chinh - to chuc")
    row.get_by_role("option", name="Phòng Hành chính - Tổ chức").click()
    row.get_by_label("Loại thời hạn").select_option("date")
    row.get_by_label("Thời hạn (ngày)").fill(due.isoformat())
    page.screenshot(path=str(artifacts_dir / "directive-review.png"), full_page=True)
    page.get_by_test_id("confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu văn bản với")
    directive = Directive.objects.get(reference="142/KH-VP")
    assignment = Assignment.objects.get(
        directive=directive, unit=setup["division"], task__content__icontains="cập nhật lại thủ tục hành chính"
    )
    assert assignment.due_date == due and directive.file_name == SEED.name
    assert list(assignment.task.assignments.values_list("unit", flat=True)) == [setup["division"].pk]

    # 3. The division's focal point finds the task among the unit's work and reports completion with a file.
    _as(page, "daumoi_vp")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Nhiệm vụ của đơn vị").click()
    page.get_by_test_id("due-soon").get_by_role("link", name=re.compile(TASK_TEXT, re.IGNORECASE)).click()
    page.get_by_label("Tiến độ (%)").fill("100")
    page.get_by_label("Nội dung báo cáo").fill("Đã rà soát 45 thủ tục, cập nhật 6 biểu mẫu trên Hệ thống.")
    page.get_by_label("Tệp đính kèm").set_input_files(str(report_file))
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_role("status")).to_contain_text("đang chờ cơ quan thường trực xác nhận")
    expect(page.get_by_test_id("report-list")).to_contain_text(report_file.name)

    # 4. The secretariat finds it waiting in the tracker and accepts it.
    _as(page, "thuongtruc")
    page.goto("/directives/tracker/?waiting=1")
    page.get_by_test_id("tracker").get_by_role("link", name=re.compile(TASK_TEXT, re.IGNORECASE)).click()
    page.get_by_label("Xác nhận hoàn thành").check()
    page.get_by_role("button", name="Ghi quyết định").click()
    expect(page.get_by_role("status")).to_contain_text("Đã xác nhận hoàn thành nhiệm vụ")
    expect(page.locator("[data-status]").first).to_have_text("Hoàn thành đúng hạn")
    assignment.refresh_from_db()
    assert assignment.reports.get().review_state == ReviewState.ACCEPTED

    # 5. The statistics show the division's on-time rate, and the indicator store holds it.
    quarter = Period.containing(due, PeriodKind.QUARTER)
    page.goto(f"/directives/stats/?period={quarter.key}")
    stats_row = page.get_by_test_id("stats").get_by_role("row", name=re.compile("Phòng Hành chính - Tổ chức"))
    expect(stats_row.get_by_test_id("rate")).to_have_text("100,0%")
    value = IndicatorValue.objects.get(indicator__code=ON_TIME_RATE, unit=setup["division"], period_key=quarter.key)
    assert value.value == 100
    watch.assert_none()
