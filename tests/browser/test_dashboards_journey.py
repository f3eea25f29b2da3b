"""Every role's dashboard on the demo province, at desktop width and on a 390 px phone: the figures and their tables
show, the charts draw, nothing scrolls sideways on the phone, the print layout hides the menus and filters, and a
tile leads to the filtered list behind it. Screenshots: test-artifacts/dashboard-<account>-<desktop|phone>.png."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from cchc.demo.data import DEFAULT_PASSWORD

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

# Demo account → the dashboard its home page shows.
BOARDS = {
    "thuongtruc": "board-secretariat",
    "lanhdao": "board-leader",
    "daumoi": "board-focal-point",
    "giamsat": "board-supervisor",
}
LAYOUT_JS = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
})"""


@pytest.fixture
def demo(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", stdout=StringIO())


def _visit(page: Page, account: str, path: Path, *, year: int | None = None) -> None:
    log_in(page, account, DEFAULT_PASSWORD)
    if year is not None:
        page.goto(f"/?year={year}")
    board = page.get_by_test_id(BOARDS[account])
    expect(board).to_be_visible()
    charts = page.locator("[data-chart]")
    for number in range(charts.count()):
        expect(charts.nth(number)).to_have_class(re.compile(r"\bchart-drawn\b"))
    page.screenshot(path=str(path), full_page=True)


def test_every_dashboard_reads_well_on_a_desktop_a_phone_and_paper(
    demo: None, page: Page, phone_page: Page, artifacts_dir: Path
) -> None:
    """One demo for every account (loading it is the slow part)."""
    for account in BOARDS:
        page.context.clear_cookies()
        phone_page.context.clear_cookies()
        watch = ProblemWatch(page)
        _visit(page, account, artifacts_dir / f"dashboard-{account}-desktop.png")
        watch.assert_none()
        phone_watch = ProblemWatch(phone_page)
        _visit(phone_page, account, artifacts_dir / f"dashboard-{account}-phone.png")
        layout = phone_page.evaluate(LAYOUT_JS)
        assert layout["scrollWidth"] <= layout["innerWidth"], (account, layout)
        phone_watch.assert_none()
        page.emulate_media(media="print")
        expect(page.get_by_test_id("board-filters")).to_be_hidden()
        expect(page.locator("header.topbar")).to_be_hidden()
        page.screenshot(path=str(artifacts_dir / f"dashboard-{account}-print.png"), full_page=True)
        page.emulate_media(media="screen")
    # A tile of the secretariat opens the filtered list behind it.
    page.context.clear_cookies()
    log_in(page, "thuongtruc", DEFAULT_PASSWORD)
    page.get_by_test_id("tile-tasks-overdue").click()
    expect(page).to_have_url(re.compile(r"status=overdue"))
