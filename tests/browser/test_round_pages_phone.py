"""The round pages of the secretariat and the council on a 390 px phone, with the demo data: the decisions on the
units that have not submitted and the council's compiled table are cards, nothing is wider than the screen (not
even inside a scrolling table), and a refused decision keeps what was typed with its message by the field."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.assessments import services
from cchc.assessments.demo import load_demo
from cchc.assessments.models import Round, Stage
from cchc.demo.loaders import load_province
from cchc.frameworks.demo import load_demo as load_frameworks_demo

from .test_journeys import log_in

pytestmark = pytest.mark.browser

PASSWORD = "cchc-demo-2025"
# Every element of the page's main part that reaches past the right edge of the window, table contents included
# (a card table's headings are clipped to 1 px for screen readers: they are not seen).
OVERFLOW_JS = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  wide: [...document.querySelectorAll('main *')]
    .filter(el => el.getClientRects().length && !el.closest('table.cards thead'))
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5).map(el => el.outerHTML.slice(0, 160)),
})"""


def _assert_fits(page: Page, what: str) -> None:
    layout = page.evaluate(OVERFLOW_JS)
    assert layout["scrollWidth"] <= layout["innerWidth"], f"{what}: {layout}"
    assert not layout["wide"], f"{what}: wider than the screen: {layout['wide']}"


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
@pytest.mark.django_db(transaction=True)
def test_the_unit_decisions_and_the_compiled_table_are_cards_that_fit_a_phone(
    phone_page: Page, live_server: LiveServer, artifacts_dir: Path
) -> None:
    load_province(password=PASSWORD)
    load_frameworks_demo(stdout=io.StringIO())
    load_demo(stdout=io.StringIO())
    round_ = Round.objects.get(stage=Stage.SELF_ASSESSMENT)  # the demo's round in progress
    sheet = services.blocking_sheets(round_)[0]
    page = phone_page
    log_in(page, "thuongtruc", PASSWORD)

    page.goto(f"/assessments/rounds/{round_.pk}/advance/")
    row = page.get_by_test_id(f"decision-{sheet.pk}")
    expect(row).to_contain_text(sheet.unit.name)
    assert row.evaluate("el => getComputedStyle(el).display") == "block"  # a card, not a table row
    _assert_fits(page, "the advance page")

    row.get_by_label("Gia hạn cho đơn vị").check()
    row.get_by_label("Hạn mới (khi gia hạn)").fill("9999-12-31")
    row.get_by_label("Lý do").fill("Đơn vị xin thêm thời gian")
    row.get_by_role("button", name="Ghi quyết định").click()
    row = page.get_by_test_id(f"decision-{sheet.pk}")
    expect(row).to_contain_text("Ngày phải nằm trong khoảng năm 1945 đến năm 2100.")
    expect(row.get_by_label("Lý do")).to_have_value("Đơn vị xin thêm thời gian")
    expect(row.get_by_label("Hạn mới (khi gia hạn)")).to_have_value("9999-12-31")
    expect(row.get_by_label("Gia hạn cho đơn vị")).to_be_checked()
    expect(page.get_by_text("Hãy chọn hạn mới khi gia hạn.")).to_have_count(0)
    _assert_fits(page, "the advance page with a refused decision")
    page.screenshot(path=artifacts_dir / "phone-round-decisions.png", full_page=True)

    published = Round.objects.filter(stage=Stage.PUBLISHED).order_by("-year").first()
    assert published is not None
    page.goto(f"/assessments/rounds/{published.pk}/table/")
    appraised = page.get_by_test_id("appraised").first
    expect(appraised).to_contain_text("đã thẩm định")
    text_box = appraised.locator("span").first.bounding_box()
    assert text_box is not None and text_box["width"] > 120, text_box  # a line of the card, not a squeezed column
    _assert_fits(page, "the compiled table")
    page.screenshot(path=artifacts_dir / "phone-round-table.png", full_page=True)
