"""Every role's dashboard on the demo province, at desktop width and on a 390 px phone: the figures and their tables
show, the charts draw, nothing scrolls sideways on the phone, the print layout hides the menus and filters, and a
tile leads to the filtered list behind it. Screenshots: test-artifacts/dashboard-<account>-<desktop|phone>.png."""

from __future__ import annotations

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
        expect(charts.nth(number)).to_have_class("chart-plot chart-drawn")
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize("account", list(BOARDS))
def test_each_dashboard_reads_well_on_a_desktop_and_a_phone(
    demo: None, page: Page, phone_page: Page, artifacts_dir: Path, account: str
) -> None:
    watch = ProblemWatch(page)
    _visit(page, account, artifacts_dir / f"dashboard-{account}-desktop.png")
    watch.assert_none()
    phone_watch = ProblemWatch(phone_page)
    _visit(phone_page, account, artifacts_dir / f"dashboard-{account}-phone.png")
    layout = phone_page.evaluate(LAYOUT_JS)
    assert layout["scrollWidth"] <= layout["innerWidth"], layout
    phone_watch.assert_none()
    phone_page.emulate_media(media="print")
    expect(phone_page.get_by_test_id("board-filters")).to_be_hidden()
    expect(phone_page.locator("header.topbar")).to_be_hidden()
    page.emulate_media(media="print")
    page.screenshot(path=str(artifacts_dir / f"dashboard-{account}-print.png"), full_page=True)


def test_a_tile_of_the_secretariat_opens_the_filtered_list_behind_it(demo: None, page: Page) -> None:
    log_in(page, "thuongtruc", DEFAULT_PASSWORD)
    tile = page.get_by_test_id("tile-tasks-overdue")
    figure = tile.locator(".tile-figure").inner_text()
    tile.click()
    expect(page).to_have_url(lambda url: "status=overdue" in url)  # type: ignore[arg-type]
    assert figure
