"""Browser journey on a phone: the secretariat opens the shipped SIPAS questionnaire from the menu, copies it for the
province, adds a question to the copy with a condition, publishes it after the confirmation, and every page fits a
390 px screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.surveys.models import Questionnaire, VersionState
from cchc.surveys.templates_catalogue import ensure_templates
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

FITS_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _fits(page: Page) -> None:
    assert page.evaluate(FITS_JS), f"{page.url} scrolls sideways at 390 px"


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_copies_the_sipas_template_adds_a_question_and_publishes_it_on_a_phone(
    phone_page: Page, live_server: LiveServer, personas: Personas
) -> None:
    ensure_templates()
    page = phone_page
    watch = ProblemWatch(page)
    log_in(page, personas.secretariat.username)
    page.goto("/surveys/")
    expect(page.locator("h1")).to_have_text("Phiếu khảo sát")
    _fits(page)
    page.get_by_role(
        "link", name="Đo lường sự hài lòng về sự phục vụ hành chính (mô hình SIPAS: 5 yếu tố, 22 tiêu chí)"
    ).click()
    expect(page.get_by_test_id("preview")).to_contain_text("Nơi ngồi chờ có đủ chỗ ngồi")
    _fits(page)

    page.get_by_role("link", name="Sao chép").click()
    page.get_by_label("Mã phiếu mới").fill("sipas-tinh")
    page.get_by_label("Tên phiếu mới").fill("SIPAS của tỉnh")
    page.get_by_label("Đơn vị sở hữu").select_option(label=personas.province.name)
    _fits(page)
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("version-state")).to_contain_text("Phiên bản 1: Bản nháp")
    _fits(page)

    page.get_by_role("link", name="+ Thêm câu hỏi vào phần này").first.click()
    page.get_by_label("Mã câu hỏi").fill("ly_do")
    page.get_by_label("Nội dung câu hỏi").fill("Vì sao ông/bà chưa hài lòng với chỗ ngồi chờ?")
    page.get_by_label("Loại câu hỏi").select_option(label="Câu trả lời dài")
    page.get_by_label("Chỉ hiện khi câu").select_option(index=1)
    page.get_by_label("có giá trị").fill("1")
    _fits(page)
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("preview")).to_contain_text("Chỉ hiện khi câu 1 được trả lời “Rất không hài lòng”")
    expect(page.get_by_test_id("preview")).not_to_contain_text("tc01")
    _fits(page)

    page.get_by_role("link", name="Ban hành", exact=True).click()
    expect(page.locator("h1")).to_have_text("Ban hành phiếu khảo sát")
    _fits(page)
    page.get_by_role("button", name="Ban hành").click()
    expect(page.get_by_test_id("version-state")).to_contain_text("Phiên bản 1: Đã ban hành")
    copy = Questionnaire.objects.get(code="sipas-tinh")
    assert copy.versions.get().state == VersionState.PUBLISHED
    assert copy.versions.get().questions.count() == 24
    watch.assert_none()
