"""Browser journey through the registers: the secretariat plans an inspection, records it and a finding that becomes
a task of the unit; the unit proposes an initiative; the secretariat recognises it. Desktop and phone screenshots of
the pages are saved under test-artifacts/registers_*.png for people to look at."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.directives.models import Assignment
from cchc.initiatives.models import Initiative
from cchc.inspections.models import Finding
from cchc.testing.personas import Personas

from .conftest import DESKTOP, PHONE, _context
from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide on a 390px screen"


@pytest.mark.django_db(transaction=True)
def test_a_plan_a_finding_as_a_task_and_an_initiative_recognised(
    browser: Browser, live_server: LiveServer, personas: Personas, artifacts_dir: Path
) -> None:
    today = timezone.localdate()
    secretariat = _context(browser, live_server.url, DESKTOP).new_page()
    watch = ProblemWatch(secretariat)
    log_in(secretariat, personas.secretariat.username)

    secretariat.goto("/inspections/")
    secretariat.get_by_role("link", name="Lập kế hoạch kiểm tra").click()
    secretariat.get_by_label("Đơn vị tổ chức kiểm tra").select_option(value=str(personas.province.pk))
    secretariat.get_by_label("Tên kế hoạch").fill(f"Kế hoạch kiểm tra cải cách hành chính năm {today.year}")
    secretariat.get_by_label("Số, ký hiệu văn bản").fill("15/KH-UBND")
    secretariat.get_by_role("button", name="Lưu").click()
    expect(secretariat.get_by_test_id("plan-status")).to_contain_text("Dự thảo")

    add = secretariat.get_by_test_id("inspection-add")
    add.get_by_label("Đơn vị được kiểm tra").select_option(value=str(personas.unit_a.pk))
    add.get_by_label("Thời gian dự kiến").fill(today.isoformat())
    add.get_by_label("Đoàn kiểm tra").fill("Nguyễn Thị Thường Trực (Sở Nội vụ)")
    add.get_by_role("button", name="Thêm vào kế hoạch").click()
    expect(secretariat.get_by_test_id("inspection-list")).to_contain_text("Sở Tư pháp")
    secretariat.get_by_role("button", name="Ban hành kế hoạch").click()
    expect(secretariat.get_by_test_id("plan-status")).to_contain_text("Đang thực hiện")

    secretariat.get_by_test_id("inspection-list").get_by_role("link", name="Sở Tư pháp").click()
    secretariat.get_by_role("link", name="Ghi nhận đã kiểm tra").click()
    secretariat.get_by_label("Ngày kiểm tra (khi đã kiểm tra)").fill(today.isoformat())
    secretariat.get_by_role("button", name="Lưu").click()
    form = secretariat.get_by_test_id("finding-form")
    form.get_by_label("Loại").select_option(label="Tồn tại, hạn chế")
    form.get_by_label("Nội dung").fill("Chưa niêm yết đầy đủ thủ tục hành chính tại Bộ phận Một cửa")
    form.get_by_label("Thời hạn khắc phục").fill((today + datetime.timedelta(days=30)).isoformat())
    form.get_by_role("button", name="Ghi và giao nhiệm vụ").click()
    expect(secretariat.get_by_test_id("finding-list")).to_contain_text("Chưa khắc phục")
    finding = Finding.objects.get()
    assert Assignment.objects.get(task=finding.task).unit == personas.unit_a
    secretariat.screenshot(path=artifacts_dir / "registers_inspection_desktop.png", full_page=True)
    secretariat.goto(f"/inspections/{finding.inspection.plan_id}/")
    expect(secretariat.get_by_test_id("coverage")).to_contain_text("1 / 3")
    secretariat.screenshot(path=artifacts_dir / "registers_plan_desktop.png", full_page=True)

    unit = _context(browser, live_server.url, DESKTOP).new_page()
    unit_watch = ProblemWatch(unit)
    log_in(unit, personas.focal_a.username)
    unit.goto("/initiatives/")
    unit.get_by_role("link", name="Đề xuất sáng kiến").click()
    proposal = unit.get_by_test_id("initiative-form")
    proposal.get_by_label("Tên sáng kiến, giải pháp").fill("Số hóa hồ sơ lý lịch tư pháp")
    proposal.get_by_label("Mô tả").fill("Tra cứu và cấp phiếu lý lịch tư pháp trực tuyến toàn trình.")
    proposal.get_by_role("button", name="Gửi đề xuất").click()
    expect(unit.get_by_test_id("initiative-status")).to_contain_text("Đề xuất")
    initiative = Initiative.objects.get()

    secretariat.goto(f"/initiatives/{initiative.pk}/")
    secretariat.get_by_role("link", name="Công nhận", exact=True).click()
    recognise = secretariat.get_by_test_id("recognise-form")
    expect(recognise).to_contain_text("chưa có tệp đính kèm")
    recognise.get_by_label("Cấp công nhận").select_option(label="Cấp tỉnh")
    recognise.get_by_role("button", name="Công nhận").click()
    expect(secretariat.get_by_test_id("initiative-status")).to_contain_text("Được công nhận")
    secretariat.goto("/initiatives/")
    expect(secretariat.get_by_test_id("initiative-counts")).to_contain_text("Chưa đạt")
    secretariat.screenshot(path=artifacts_dir / "registers_initiatives_desktop.png", full_page=True)

    phone = _context(browser, live_server.url, PHONE, phone=True).new_page()
    log_in(phone, personas.secretariat.username)
    for path, name in (
        (f"/inspections/{finding.inspection.plan_id}/", "plan"),
        (f"/inspections/inspection/{finding.inspection_id}/", "inspection"),
        ("/initiatives/", "initiatives"),
        (f"/initiatives/{initiative.pk}/", "initiative"),
    ):
        phone.goto(path)
        _no_sideways_scroll(phone)
        phone.screenshot(path=artifacts_dir / f"registers_{name}_phone.png", full_page=True)
    watch.assert_none()
    unit_watch.assert_none()
