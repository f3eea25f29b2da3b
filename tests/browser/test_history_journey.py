"""Browser journey: the secretariat registers a directive a district issued in 2021, before the 1 July 2025 merger,
chooses the district among the units in force on that day, and confirms that the task of a commune merged since
goes to the ward that took it over."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.directives.models import Assignment, Directive
from cchc.directives.tests.test_history import build_history
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, assert_accessible_basics, log_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_pre_merger_directive_is_registered_with_its_real_date_and_its_task_goes_to_the_successor(
    page: Page, live_server: LiveServer, personas: Personas, tmp_path: Path, settings: Any, artifacts_dir: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    units = build_history(personas)
    district, ward = units["district"], units["ward"]
    watch = ProblemWatch(page)
    log_in(page, "thuongtruc")

    # 1. Today's issuers do not include the district; typing the 2021 issue date reloads the list (htmx).
    page.goto("/directives/new/")
    issuer = page.get_by_label("Cơ quan ban hành")
    expect(issuer.locator("option", has_text="Huyện Sông Cũ")).to_have_count(0)
    page.get_by_label("Loại văn bản").select_option(label="Công văn")
    page.get_by_label("Số, ký hiệu").fill("512/UBND-NV")
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.get_by_label("Ngày ban hành").fill("2021-08-25")
    expect(page.get_by_test_id("issuer-field")).to_contain_text("25/08/2021")
    issuer = page.get_by_label("Cơ quan ban hành")
    expect(issuer.locator("option", has_text="Phường Sông Lô")).to_have_count(0)
    issuer.select_option(label="— Huyện Sông Cũ (T-P-HSC)")
    page.screenshot(path=str(artifacts_dir / "directive-pre-merger-issuer.png"), full_page=True)
    page.get_by_label("Trích yếu").fill("Về việc nâng cao Chỉ số cải cách hành chính năm 2021")
    page.get_by_role("button", name="Lưu và thêm nhiệm vụ").click()
    expect(page.locator("h1")).to_have_text("Thêm nhiệm vụ")
    directive = Directive.objects.get()
    assert directive.issuing_unit == district and directive.issued_on == datetime.date(2021, 8, 25)

    # 2. A task for the commune as written in 2021; a confirmation lists the hand-over before anything is saved.
    page.get_by_label("Nội dung nhiệm vụ").fill("Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền")
    units = page.get_by_role("combobox", name="Đơn vị thực hiện (mỗi đơn vị được theo dõi riêng)")
    units.fill("bang doan")
    page.get_by_role("option", name=re.compile("Xã Bằng Doãn")).click()
    page.get_by_label("Loại thời hạn").select_option(label="Hạn theo ngày")
    page.get_by_label("Thời hạn (ngày)").fill("2021-12-31")
    page.get_by_role("button", name="Lưu nhiệm vụ").click()
    expect(page.locator("h1")).to_have_text("Giao nhiệm vụ cho đơn vị kế thừa?")
    expect(page.get_by_test_id("successor-proposals")).to_contain_text("Xã Bằng Doãn (Huyện Sông Cũ) → Phường Sông Lô")
    assert_accessible_basics(page, first_tab_stop_is_skip_link=False)
    page.screenshot(path=str(artifacts_dir / "task-successor-confirmation.png"), full_page=True)
    assert not Assignment.objects.exists()

    # 3. Confirmed: the ward carries the task and the directive page says whose work it took over.
    page.get_by_role("button", name="Giao cho đơn vị kế thừa").click()
    expect(page.get_by_test_id("succession")).to_contain_text("Xã Bằng Doãn → Phường Sông Lô")
    assert [assignment.unit for assignment in Assignment.objects.all()] == [ward]
    watch.assert_none()
