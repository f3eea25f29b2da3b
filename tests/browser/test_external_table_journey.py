"""Browser journey through the all-province table of an index: the secretariat opens it from the list of indices,
sorts it by a dimension with a column link, and on a phone the table scrolls inside its frame while the page itself
does not scroll sideways."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.indicators.external import HEADER, external_results_import
from cchc.lib.spreadsheet import SheetRow
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser


def _results() -> None:
    lines: list[Sequence[object]] = [HEADER]
    for province, total, base in (("T-P", "46.5", 5), ("T-Q", "44.2", 6)):
        lines.append([province, 2023, "papi.total", total, "papi.org.vn"])
        lines += [[province, 2023, f"papi.d{n}", str(base + (n % 3) / 2), "papi.org.vn"] for n in range(1, 9)]
    rows = [SheetRow(number, tuple(values)) for number, values in enumerate(lines, 1)]
    assert external_results_import(actor=None, rows=rows).ok


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_opens_the_province_table_sorts_it_and_reads_it_on_a_phone(
    page: Page, phone_page: Page, live_server: LiveServer, personas: Personas, artifacts_dir: Path
) -> None:
    _results()
    log_in(page, personas.secretariat.username)
    watch = ProblemWatch(page)
    page.goto("/indicators/external/")
    page.get_by_test_id("table-page-papi-2023").click()
    table = page.get_by_test_id("external-table")
    expect(table).to_be_visible()
    body = table.locator("tbody tr")
    expect(body).to_have_count(2)
    expect(body.first).to_contain_text("Tỉnh Thử Nghiệm")
    expect(body.first).to_contain_text("tỉnh của bạn")
    expect(page.get_by_test_id("mean-row")).to_contain_text("45,35")
    page.get_by_test_id("sort-papi.d1").click()
    expect(page.get_by_test_id("sorted-by")).to_contain_text("1. Tham gia của người dân ở cấp cơ sở")
    expect(body.first).to_contain_text("Tỉnh Bên Cạnh")
    page.screenshot(path=artifacts_dir / "external-table.png", full_page=True)
    watch.assert_none()

    log_in(phone_page, personas.secretariat.username)
    phone_page.goto("/indicators/external/papi/table/?year=2023")
    expect(phone_page.get_by_test_id("external-table")).to_be_visible()
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the province table page is {width}px wide on a 390px screen"
    frame = phone_page.locator(".ranking-wrap")
    assert frame.evaluate("element => element.scrollWidth > element.clientWidth"), (
        "the table should scroll in its frame"
    )
    province_cell = phone_page.get_by_test_id("province-T-P").locator("th")
    frame.evaluate("element => { element.scrollLeft = element.scrollWidth; }")
    box = province_cell.bounding_box()
    assert box is not None and box["x"] >= 0, "the province column stays in view while the table scrolls"
    phone_page.screenshot(path=artifacts_dir / "external-table-phone.png", full_page=True)
