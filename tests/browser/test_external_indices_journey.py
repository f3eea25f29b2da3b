"""Browser journey through the external indices: the secretariat imports a PAPI file, opens the province's page, sees
the trend and the gap per dimension, names the units answerable for a dimension and downloads the page as Excel; on
a phone the page does not scroll sideways."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.indicators.external import HEADER, external_results_import
from cchc.indicators.models import ExternalResponsibility, IndicatorValue
from cchc.lib.spreadsheet import SheetRow
from cchc.testing.files import xlsx_bytes
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

DIMENSIONS = [f"papi.d{number}" for number in range(1, 9)]


def _neighbour_results() -> None:
    """The other province's published figures, so that the page has a rank, a mean and a best to compare with."""
    lines: list[Sequence[object]] = [HEADER]
    for year, total in ((2022, "44.5"), (2023, "45.8")):
        lines.append(["T-Q", year, "papi.total", total, "papi.org.vn"])
    lines += [["T-Q", 2023, code, "6", "papi.org.vn"] for code in DIMENSIONS]
    rows = [SheetRow(number, tuple(values)) for number, values in enumerate(lines, 1)]
    assert external_results_import(actor=None, rows=rows).ok


def _papi_file(tmp_path: Path) -> Path:
    rows: list[Sequence[object]] = [HEADER, ["Tỉnh Thử Nghiệm", 2022, "papi.total", 42.1, "papi.org.vn"]]
    rows.append(["Tỉnh Thử Nghiệm", 2023, "papi.total", 46.04, "papi.org.vn"])
    rows += [["Tỉnh Thử Nghiệm", 2023, code, 5 + number / 2, "papi.org.vn"] for number, code in enumerate(DIMENSIONS)]
    path = tmp_path / "papi-2023.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    return path


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_imports_papi_reads_the_gaps_assigns_a_unit_and_exports(
    page: Page, phone_page: Page, live_server: LiveServer, personas: Personas, artifacts_dir: Path, tmp_path: Path
) -> None:
    _neighbour_results()
    log_in(page, personas.secretariat.username)
    page.goto("/indicators/external/import/")
    page.get_by_role("button", name="Nhập", exact=True).click()
    expect(page.get_by_text("Hãy chọn tệp cần nhập.")).to_be_visible()

    watch = ProblemWatch(page)
    page.get_by_label("Tệp kết quả (.xlsx hoặc .csv)").set_input_files(_papi_file(tmp_path))
    page.get_by_role("button", name="Nhập", exact=True).click()
    expect(page.get_by_text("Đã ghi 10 kết quả (10 mới, 0 thay đổi)")).to_be_visible()
    assert IndicatorValue.objects.filter(unit=personas.province).count() == 10

    page.get_by_test_id("external-provinces").get_by_role("row").filter(has_text="Tỉnh Thử Nghiệm").get_by_role(
        "link", name="Xem PAPI"
    ).click()
    trend = page.get_by_test_id("trend-chart")
    expect(trend).to_be_visible()
    expect(trend.locator("svg[role=img] desc")).to_contain_text("2022: 42,1; 2023: 46,04")
    gaps = page.get_by_test_id("gap-chart")
    expect(gaps.locator("li")).to_have_count(8)
    expect(page.get_by_test_id("gap-papi.d5")).to_contain_text("bình quân 6,5 (+0,5)")
    page.screenshot(path=artifacts_dir / "external-province.png", full_page=True)

    page.get_by_test_id("assign-papi.d5").click()
    page.get_by_label("Đơn vị chủ trì").select_option(label="Sở Nội vụ (T-P-SNV)")
    page.get_by_label("Đơn vị phối hợp").select_option(label="Sở Tư pháp (T-P-STP)")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_test_id("responsible-papi.d5")).to_contain_text("Sở Nội vụ (chủ trì)")
    expect(page.get_by_test_id("responsible-papi.d5")).to_contain_text("Sở Tư pháp (phối hợp)")
    assert ExternalResponsibility.objects.filter(province=personas.province, item_code="papi.d5").count() == 2

    with page.expect_download() as download_info:
        page.get_by_test_id("export-province").click()
    download = download_info.value
    assert download.suggested_filename == "papi-T-P-2023.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    rows = {row[0]: row for row in workbook["Năm 2023"].iter_rows(min_row=2, values_only=True)}
    assert rows["papi.total"][2] == pytest.approx(46.04) and rows["papi.total"][4] == 1
    assert rows["papi.d5"][13] == "Sở Nội vụ" and rows["papi.d5"][14] == "Sở Tư pháp"
    watch.assert_none()

    log_in(phone_page, personas.secretariat.username)
    phone_page.goto(f"/indicators/external/papi/{personas.province.pk}/")
    expect(phone_page.get_by_test_id("trend-chart")).to_be_visible()
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the province page is {width}px wide on a 390px screen"
    phone_page.screenshot(path=artifacts_dir / "external-province-phone.png", full_page=True)
    phone_page.get_by_test_id("assign-papi.d8").click()
    expect(phone_page.get_by_test_id("responsible-form")).to_be_visible()
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the responsible units form is {width}px wide on a 390px screen"
