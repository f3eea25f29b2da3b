"""The service indicator pages in a browser: from the table of units to a unit's figures, down to the late dossiers
without an apology slip and their Excel export; on a 390 px phone nothing scrolls sideways."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect

from cchc.procedures.kpis import rollups_refresh
from cchc.procedures.models import Dossier, DossierStatus, OnlineLevel, Procedure
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def dossiers(personas: Personas) -> None:
    procedure = Procedure.objects.create(
        code="1.001612", name="Đăng ký khai sinh", field="Hộ tịch", online_level=OnlineLevel.FULL
    )
    for code, finished, apology in (
        ("HS-01", datetime.date(2025, 3, 3), None),
        ("HS-02", datetime.date(2025, 3, 9), None),
        ("HS-03", datetime.date(2025, 3, 9), datetime.date(2025, 3, 4)),
    ):
        Dossier.objects.create(
            source="iGate",
            code=code,
            procedure=procedure,
            unit=personas.unit_a,
            received_on=datetime.date(2025, 3, 1),
            due_on=datetime.date(2025, 3, 5),
            finished_on=finished,
            apology_on=apology,
            status=DossierStatus.RETURNED,
        )
    rollups_refresh()


def test_a_focal_point_drills_from_the_table_to_the_late_dossiers_and_exports_them(
    page: Page, personas: Personas, dossiers: None
) -> None:
    watch = ProblemWatch(page)
    log_in(page, personas.focal_a.username)
    page.get_by_role("link", name="Chỉ số phục vụ", exact=True).first.click()
    page.get_by_label("Kỳ").select_option("2025")
    page.get_by_role("button", name="Xem").click()
    table = page.get_by_test_id("kpi-table")
    expect(table).to_contain_text("Sở Tư pháp")
    table.get_by_role("link", name="Sở Tư pháp", exact=True).click()
    expect(page.get_by_test_id("kpi-figures")).to_contain_text("33,33")  # 1 of 3 on time
    page.get_by_role("link", name="Hồ sơ trễ hạn chưa có phiếu xin lỗi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ trễ hạn chưa có phiếu xin lỗi")
    expect(page.get_by_test_id("kpi-dossiers")).to_contain_text("HS-02")
    expect(page.get_by_test_id("kpi-dossiers")).not_to_contain_text("HS-03")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    watch.assert_none()


def test_the_kpi_pages_do_not_scroll_sideways_on_a_phone(phone_page: Page, personas: Personas, dossiers: None) -> None:
    log_in(phone_page, personas.secretariat.username)
    for url in (
        "/procedures/kpis/?period=2025",
        f"/procedures/kpis/units/{personas.unit_a.pk}/?period=2025",
        f"/procedures/kpis/units/{personas.unit_a.pk}/dossiers/late/?period=2025",
        "/procedures/kpis/scoring/",
    ):
        phone_page.goto(url)
        width = phone_page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width}px wide on a 390px screen"
