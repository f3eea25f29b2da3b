"""Browser journey under the strict Content-Security-Policy: the pages people use most, the unit picker and an htmx
filter all work, and Chromium reports no violation of the policy (no inline script, handler or style anywhere)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.directives import services as directive_services
from cchc.directives.models import DirectiveKind
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

# Runs before any script of the page (Playwright injects it outside the policy) and keeps every violation event.
LISTEN_FOR_VIOLATIONS_JS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


class ViolationWatch:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.add_init_script(LISTEN_FOR_VIOLATIONS_JS)
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def assert_none_on(self, path: str) -> None:
        reported = self.page.evaluate("window.__cspViolations")
        assert (path, reported, self.console) == (path, [], [])


@pytest.mark.django_db(transaction=True)
def test_pages_the_unit_picker_and_htmx_work_without_any_policy_violation(
    page: Page, live_server: LiveServer, personas: Personas, settings: Any
) -> None:
    settings.UNIT_PICKER_SELECT_LIMIT = 3  # the picker replaces every unit select, as at national size
    directive = directive_services.directive_create(
        actor=personas.secretariat,
        data=directive_services.DirectiveData(
            kind=DirectiveKind.CONCLUSION,
            subject="Kết luận về công tác cải cách hành chính quý III",
            issuing_unit=personas.province,
            issued_on=datetime.date(2025, 8, 1),
        ),
    )
    problems = ProblemWatch(page)
    watch = ViolationWatch(page)

    page.goto("/accounts/login/")
    watch.assert_none_on("/accounts/login/")
    log_in(page, "thuongtruc")
    expect(page.locator("h1")).to_have_count(1)
    watch.assert_none_on("/")

    pages = ["/units/", "/units/import/", "/frameworks/", "/assessments/", "/directives/", "/directives/tracker/"]
    pages += [f"/directives/{directive.pk}/", "/audit/", "/accounts/profile/", "/api/docs"]
    for path in pages:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        watch.assert_none_on(path)

    # htmx: the unit tree filters as one types, through an htmx request swapping the table.
    page.goto("/units/")
    with page.expect_request(lambda request: request.headers.get("hx-request") == "true"):
        page.get_by_label("Tìm theo tên hoặc mã").fill("tu phap")
    expect(page.get_by_test_id("unit-tree")).to_contain_text("Sở Tư pháp")
    expect(page.get_by_test_id("unit-tree")).not_to_contain_text("Xã Hòa Bình")
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    watch.assert_none_on("/units/ (htmx)")

    # The unit picker: its script and styles load from files and it finds units by typing.
    page.goto("/units/new/")
    parent = page.get_by_role("combobox", name="Đơn vị cấp trên")
    parent.fill("tu phap")
    results = page.get_by_role("listbox", name="Kết quả tìm đơn vị")
    expect(results.get_by_role("option")).to_have_count(1)
    expect(results.get_by_role("option").first).to_contain_text("Sở Tư pháp")
    watch.assert_none_on("/units/new/")

    page.goto("/khong-co-trang-nay/")
    expect(page.locator("h1")).to_have_text("Không tìm thấy trang")
    watch.assert_none_on("404")
    problems.problems = [problem for problem in problems.problems if "/khong-co-trang-nay/" not in problem]
    problems.assert_none()
