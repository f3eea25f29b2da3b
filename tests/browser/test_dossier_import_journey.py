"""Browser journey: the secretariat uploads a one-stop export whose headers no preset knows, maps its columns and
saves them as a preset, follows the import in the background until its counts show, then opens the dossier list;
every page of the way fits a 390 px phone screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.imports.models import ImportRun
from cchc.procedures.jobs import run_execute
from cchc.procedures.models import Dossier, ImportPreset
from cchc.procedures.tests import samples
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, assert_accessible_basics, log_in

pytestmark = pytest.mark.browser

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
FITS_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _export(personas: Personas) -> bytes:
    unit = personas.unit_b.code
    return samples.utf8_bom_csv(
        [
            ["Số HS", "Mã TT", "Nơi nhận", "Ngày nộp", "Hạn trả", "Kênh"],
            ["MC-0001", samples.BIRTH, unit, "02/01/2025", "05/01/2025", "2"],
            ["MC-0002", samples.MARRIAGE, unit, "03/01/2025", "08/01/2025", "1"],
            ["MC-0003", samples.BIRTH, unit, "06/01/2025", "09/01/2025", "3"],
        ]
    )


def _fits_a_phone(page: Page) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(FITS_JS), f"{page.url} scrolls sideways at 390 px"
    if size:
        page.set_viewport_size(size)


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_maps_the_columns_of_an_unknown_export_and_follows_its_import_to_the_dossier_list(
    page: Page, live_server: LiveServer, personas: Personas, tmp_path: Path, settings: Any, artifacts_dir: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DATABASE_QUEUE
    settings.CCHC_IMPORT_BACKGROUND_BYTES = 1  # every file goes to the worker, so the page shows its progress
    samples.make_procedures()
    watch = ProblemWatch(page)
    log_in(page, "thuongtruc")

    # 1. The menu leads to the dossiers, and from there to the upload.
    page.get_by_role("link", name="Thủ tục, hồ sơ").first.click()
    expect(page.locator("h1")).to_have_text("Hồ sơ thủ tục hành chính")
    page.get_by_role("link", name="Nhập hồ sơ").first.click()
    expect(page.locator("h1")).to_have_text("Nhập hồ sơ từ hệ thống một cửa")
    _fits_a_phone(page)
    page.get_by_label("Tệp (.xlsx hoặc .csv)").set_input_files(
        files=[{"name": "mot-cua-huyen.csv", "mimeType": "text/csv", "buffer": _export(personas)}]
    )
    page.get_by_label("Tên nguồn dữ liệu").fill("Một cửa huyện")
    page.get_by_label("Chỉ nhập các dòng hợp lệ").check()
    page.get_by_role("button", name="Tải lên và nhập").click()

    # 2. The header matches no preset: the mapping screen names what is missing and shows the file's columns.
    expect(page.locator("h1")).to_have_text("Chọn cột của tệp")
    expect(page.get_by_test_id("header-missing")).to_contain_text("Mã hồ sơ")
    expect(page.get_by_test_id("file-columns")).to_contain_text("Nơi nhận")
    assert_accessible_basics(page, first_tab_stop_is_skip_link=False)
    _fits_a_phone(page)
    page.get_by_label("Mã hồ sơ", exact=True).select_option(label="A · Số HS")
    page.get_by_label("Mã thủ tục", exact=True).select_option(label="B · Mã TT")
    page.get_by_label("Mã đơn vị", exact=True).select_option(label="C · Nơi nhận")
    page.get_by_label("Ngày tiếp nhận", exact=True).select_option(label="D · Ngày nộp")
    page.get_by_label("Ngày hẹn trả", exact=True).select_option(label="E · Hạn trả")
    page.get_by_label("Kênh nộp", exact=True).select_option(label="F · Kênh")
    page.get_by_role("button", name="Cập nhật bảng giá trị theo cột đã chọn").click()
    # The channel's codes are offered with the portal's meaning guessed (1 direct, 2 online, 3 postal).
    expect(page.get_by_label("2", exact=True)).to_have_value("online")
    page.get_by_label("Tên mẫu cột").fill("Một cửa huyện – sổ điện tử")
    page.screenshot(path=str(artifacts_dir / "dossier-import-mapping.png"), full_page=True)
    page.get_by_role("button", name="Lưu thành mẫu cột và nhập").click()

    # 3. The run waits for the worker; the page polls it and shows the counts once the worker is done.
    expect(page.get_by_test_id("import-progress")).to_contain_text("Đang chờ xử lý")
    assert ImportPreset.objects.filter(name="Một cửa huyện – sổ điện tử").exists()
    assert not Dossier.objects.exists()
    _fits_a_phone(page)
    run_execute(ImportRun.objects.get().pk)  # what the worker does
    expect(page.get_by_test_id("import-summary")).to_contain_text("thêm mới 3", timeout=10_000)
    expect(page.get_by_test_id("count-created")).to_have_text("3")
    _fits_a_phone(page)
    page.screenshot(path=str(artifacts_dir / "dossier-import-result.png"), full_page=True)

    # 4. The dossiers are in the list.
    page.get_by_test_id("to-dossiers").click()
    expect(page.get_by_test_id("dossier-list")).to_contain_text("MC-0003")
    _fits_a_phone(page)
    page.get_by_role("link", name="MC-0002").click()
    expect(page.get_by_test_id("dossier-detail")).to_contain_text("Trực tiếp")
    _fits_a_phone(page)
    watch.assert_none()
