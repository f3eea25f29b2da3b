"""Browser journey through the indicator Excel import: the secretariat downloads the values template, fills two rows
(one wrong) with openpyxl, imports the valid rows, reads the Vietnamese summary and downloads the error workbook; then
an all-or-nothing import with a wrong row writes nothing. On a phone the page with its errors does not scroll
sideways."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.indicators import services
from cchc.indicators.models import EntryMode, IndicatorValue, ValueOrigin
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

CODE = "tthc.digitised_results"


def _indicator(personas: Personas) -> None:
    services.indicator_create(
        actor=personas.secretariat,
        data=services.IndicatorData(
            code=CODE, name="Tỷ lệ số hóa kết quả giải quyết TTHC", entry=EntryMode.UNIT, basis="Công văn 8/2021"
        ),
    )


def _fill(template: bytes, rows: list[list[object]], path: Path) -> Path:
    """The downloaded template with its example row replaced by ``rows`` (columns: code, unit code, period, value)."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    sheet.delete_rows(2, sheet.max_row)
    for code, unit, period, value in rows:
        line: list[object] = [None] * len(header)
        line[header.index("Mã chỉ số")] = code
        line[header.index("Mã đơn vị")] = unit
        line[header.index("Năm/kỳ")] = period
        line[header.index("Giá trị")] = value
        sheet.append(line)
    workbook.save(path)
    return path


def _import(page: Page, path: Path, *, valid_rows: bool) -> None:
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(path)
    if valid_rows:
        page.get_by_label("Nhập các dòng hợp lệ, trả lại tệp báo lỗi cho các dòng sai").check()
    else:
        page.get_by_label("Không nhập gì cả (mặc định): sửa tệp rồi nhập lại toàn bộ").check()
    page.get_by_role("button", name="Nhập", exact=True).click()


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_imports_valid_rows_gets_the_error_workbook_and_an_all_or_nothing_import_writes_nothing(
    page: Page, phone_page: Page, live_server: LiveServer, personas: Personas, artifacts_dir: Path, tmp_path: Path
) -> None:
    _indicator(personas)
    log_in(page, personas.secretariat.username)
    watch = ProblemWatch(page)
    page.goto("/indicators/import/")
    with page.expect_download() as template_download:
        page.get_by_role("link", name="Tải tệp mẫu số liệu (.xlsx)").click()
    assert template_download.value.suggested_filename == "mau-nhap-so-lieu.xlsx"
    template = Path(template_download.value.path()).read_bytes()

    first = _fill(template, [[CODE, "T-P-STP", "2025", 80], [CODE, "T-P-XHB", "2025", 120]], tmp_path / "mot.xlsx")
    _import(page, first, valid_rows=True)
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("Đã ghi 1 số liệu (1 mới, 0 thay đổi); 0 không đổi.")
    expect(errors).to_contain_text("Có 1 lỗi; các dòng lỗi chưa được nhập.")
    expect(errors).to_contain_text("Tỷ lệ phải nằm trong khoảng 0–100%.")
    imported = IndicatorValue.objects.get()
    assert (imported.unit, imported.value, imported.origin) == (personas.unit_a, Decimal(80), ValueOrigin.IMPORTED)
    with page.expect_download() as error_download:
        errors.get_by_role("link", name="Tải tệp báo lỗi (.xlsx)").click()
    assert error_download.value.suggested_filename == "loi-nhap-chi-so.xlsx"
    sheet = load_workbook(io.BytesIO(Path(error_download.value.path()).read_bytes())).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Dòng" and rows[0][-1] == "Lỗi" and len(rows) == 2
    assert rows[1][0] == 3 and "T-P-XHB" in rows[1] and "0–100%" in str(rows[1][-1])
    page.screenshot(path=artifacts_dir / "indicator-import-valid-rows.png", full_page=True)

    second = _fill(template, [[CODE, "T-P-SNV", "2025", 60], [CODE, "T-P-XHB", "2025", "nhiều"]], tmp_path / "hai.xlsx")
    _import(page, second, valid_rows=False)
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("Có 1 lỗi; chưa nhập dòng nào.")
    expect(errors).to_contain_text("Giá trị “nhiều” không phải là số.")
    expect(page.get_by_test_id("import-done")).to_have_count(0)
    assert IndicatorValue.objects.count() == 1  # the good row of the refused file was not written either
    assert not IndicatorValue.objects.filter(unit=personas.home_affairs).exists()
    watch.problems = [problem for problem in watch.problems if not problem.startswith("400 POST")]
    watch.assert_none()  # the refused import answers 400 on purpose; nothing else failed

    log_in(phone_page, personas.secretariat.username)
    phone_page.goto("/indicators/import/")
    _import(phone_page, second, valid_rows=False)
    expect(phone_page.get_by_test_id("import-errors")).to_contain_text("chưa nhập dòng nào")
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the import page is {width}px wide on a 390px screen"
    phone_page.screenshot(path=artifacts_dir / "indicator-import-phone.png", full_page=True)
