"""Browser journey through the whole loop of the service indicators: the secretariat uploads a one-stop export whose
headers no preset knows, maps its columns, follows the import to its counts, opens the KPI table for the month of
the file and sees the on-time rate against its target, drills down to the late dossiers and to the overdue ones still
in progress, opens a dossier, downloads the Excel export of the overdue ones and publishes the month's figures; at
390 px no page scrolls sideways."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.imports.models import ImportRun
from cchc.indicators.models import IndicatorValue
from cchc.indicators.services import TargetData, target_create
from cchc.procedures.jobs import run_execute
from cchc.procedures.kpis import kpi_indicators
from cchc.procedures.models import Dossier, DossierAggregate
from cchc.procedures.tests import samples
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
FITS_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _export(personas: Personas) -> bytes:
    unit = personas.unit_b.code
    return samples.utf8_bom_csv(
        [
            ["Số HS", "Mã TT", "Nơi nhận", "Ngày nộp", "Hạn trả", "Ngày xong"],
            ["MC-0001", samples.BIRTH, unit, "02/01/2025", "05/01/2025", "04/01/2025"],  # on time
            ["MC-0002", samples.MARRIAGE, unit, "03/01/2025", "08/01/2025", "10/01/2025"],  # late
            ["MC-0003", samples.BIRTH, unit, "06/01/2025", "09/01/2025", ""],  # overdue, still in progress
            ["MC-0004", samples.BIRTH, unit, "07/01/2025", "20/01/2025", "15/01/2025"],  # on time
        ]
    )


def _fits_a_phone(page: Page) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(FITS_JS), f"{page.url} scrolls sideways at 390 px"
    if size:
        page.set_viewport_size(size)


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_goes_from_an_unknown_export_to_the_late_dossiers_behind_the_kpis_and_publishes_them(
    page: Page, live_server: LiveServer, personas: Personas, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DATABASE_QUEUE
    settings.CCHC_IMPORT_BACKGROUND_BYTES = 1  # every file goes to the worker, so the page shows its progress
    samples.make_procedures()
    on_time = kpi_indicators()["on_time_rate"]
    target_create(actor=personas.secretariat, indicator=on_time, data=TargetData(year=2025, value=Decimal(90)))
    watch = ProblemWatch(page)
    log_in(page, "thuongtruc")

    # 1. Upload an export whose headers match no preset.
    page.goto("/procedures/imports/dossiers/")
    _fits_a_phone(page)
    page.get_by_label("Tệp (.xlsx hoặc .csv)").set_input_files(
        files=[{"name": "mot-cua-xa.csv", "mimeType": "text/csv", "buffer": _export(personas)}]
    )
    page.get_by_label("Tên nguồn dữ liệu").fill("Một cửa xã")
    page.get_by_role("button", name="Tải lên và nhập").click()

    # 2. Map the columns and save them as a preset.
    expect(page.locator("h1")).to_have_text("Chọn cột của tệp")
    _fits_a_phone(page)
    page.get_by_label("Mã hồ sơ", exact=True).select_option(label="A · Số HS")
    page.get_by_label("Mã thủ tục", exact=True).select_option(label="B · Mã TT")
    page.get_by_label("Mã đơn vị", exact=True).select_option(label="C · Nơi nhận")
    page.get_by_label("Ngày tiếp nhận", exact=True).select_option(label="D · Ngày nộp")
    page.get_by_label("Ngày hẹn trả", exact=True).select_option(label="E · Hạn trả")
    page.get_by_label("Ngày hoàn thành", exact=True).select_option(label="F · Ngày xong")
    page.get_by_label("Tên mẫu cột").fill("Một cửa xã – sổ")
    page.get_by_role("button", name="Lưu thành mẫu cột và nhập").click()

    # 3. Progress while the worker has not run, then the counts.
    expect(page.get_by_test_id("import-progress")).to_contain_text("Đang chờ xử lý")
    _fits_a_phone(page)
    run_execute(ImportRun.objects.get().pk)  # what the worker does
    expect(page.get_by_test_id("count-created")).to_have_text("4", timeout=10_000)
    _fits_a_phone(page)

    # 4. The KPI table for the month of the file: 2 of 3 finished on time, against a 90 % target.
    page.get_by_role("link", name="Chỉ số phục vụ", exact=True).first.click()
    page.get_by_label("Kỳ").select_option("2025-01")
    page.get_by_role("button", name="Xem").click()
    row = page.get_by_test_id("kpi-table").locator(f'tr[data-unit="{personas.unit_b.code}"]')
    rate = row.locator('[data-figure="on_time_rate"]')
    expect(rate).to_have_text("66,67 %")
    expect(row).to_contain_text("90,00 %")
    expect(row.locator('[data-status="not_met"]').first).to_be_visible()
    expect(row.locator('[data-figure="overdue_pending"]')).to_have_text("1")
    _fits_a_phone(page)

    # 5. Down to the late dossiers, and from one of them to its page.
    rate.click()
    expect(page.locator("h1")).to_have_text("Hồ sơ giải quyết trễ hạn")
    listed = page.get_by_test_id("kpi-dossiers")
    expect(listed).to_contain_text("MC-0002")
    expect(listed).not_to_contain_text("MC-0001")
    _fits_a_phone(page)
    listed.get_by_role("link", name="MC-0002").click()
    expect(page.get_by_test_id("dossier-detail")).to_contain_text("Đăng ký kết hôn")
    _fits_a_phone(page)

    # 6. The overdue dossiers still in progress, and their Excel export.
    page.goto("/procedures/kpis/?period=2025-01")
    page.get_by_test_id("kpi-table").locator(f'tr[data-unit="{personas.unit_b.code}"]').locator(
        '[data-figure="overdue_pending"]'
    ).click()
    expect(page.locator("h1")).to_have_text("Hồ sơ quá hạn đang xử lý")
    expect(page.get_by_test_id("kpi-dossiers")).to_contain_text("MC-0003")
    _fits_a_phone(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải Excel").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    rows = list(load_workbook(saved).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Mã hồ sơ"
    assert [line[0] for line in rows[1:]] == ["MC-0003"]
    assert rows[1][6] == datetime.datetime(2025, 1, 6)  # received on
    assert rows[1][5] == personas.unit_b.name

    # 7. Publish the month's figures into the indicator store, after the confirmation page.
    page.goto("/procedures/kpis/?period=2025-01")
    page.get_by_test_id("publish-link").click()
    expect(page.get_by_test_id("publish-confirmation")).to_contain_text("Tỷ lệ giải quyết đúng hạn")
    expect(page.get_by_test_id("publish-confirmation")).not_to_contain_text("dossiers.on_time_rate")
    _fits_a_phone(page)
    page.get_by_test_id("confirm-publish").click()
    expect(page.locator(".message, [role=status], [role=alert]").first).to_contain_text("Đã công bố")
    value = IndicatorValue.objects.get(indicator=on_time, unit=personas.unit_b, period_key="2025-01")
    assert value.value == Decimal("66.67")
    assert Dossier.objects.count() == 4
    watch.assert_none()


def test_the_presets_aggregates_and_publication_pages_do_not_scroll_sideways_on_a_phone(
    phone_page: Page, personas: Personas
) -> None:
    DossierAggregate.objects.create(
        source="Báo cáo quý I năm 2025 của Ủy ban nhân dân xã",
        unit=personas.unit_b,
        field="Hộ tịch, chứng thực, quốc tịch, nuôi con nuôi",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 3, 31),
        received_total=1234,
        finished_total=1200,
        finished_late=3,
        processing_total=34,
        processing_late=1,
    )
    log_in(phone_page, personas.secretariat.username)
    for url in (
        "/procedures/imports/presets/",
        "/procedures/imports/presets/shipped/dvcqg-dong-bo/",
        "/procedures/imports/presets/shipped/bieu-06a/",
        "/procedures/aggregates/",
        "/procedures/kpis/publish/?period=2025",
    ):
        phone_page.goto(url)
        width = phone_page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width}px wide on a 390px screen"
