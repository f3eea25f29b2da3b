"""Browser journey through the unit picker: with more units than a select can usefully list, the secretariat picks a
parent unit and the units of a task by typing parts of their names without diacritics, with the keyboard and the
mouse, and removes a chosen unit again; without JavaScript the search runs when the form is submitted."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.directives import services as directive_services
from cchc.directives.models import DirectiveKind, Task
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.services import UnitData, unit_create
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, assert_accessible_basics, log_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_picks_units_by_typing_names_without_diacritics(
    page: Page, live_server: LiveServer, personas: Personas, settings: Any
) -> None:
    # The test province has a handful of units; make every unit field behave as at national size.
    settings.UNIT_PICKER_SELECT_LIMIT = 3
    directive = directive_services.directive_create(
        actor=personas.secretariat,
        data=directive_services.DirectiveData(
            kind=DirectiveKind.CONCLUSION,
            subject="Kết luận về công tác cải cách hành chính quý III",
            issuing_unit=personas.province,
            issued_on=datetime.date(2025, 8, 1),
        ),
    )
    watch = ProblemWatch(page)
    log_in(page, "thuongtruc")

    # 1. One unit: the parent of a new unit, chosen with the keyboard.
    page.goto("/units/new/")
    parent = page.get_by_role("combobox", name="Đơn vị cấp trên")
    expect(parent).to_have_attribute("aria-expanded", "false")
    expect(page.locator("select[name=parent]")).to_be_hidden()
    expect(page.locator("#id_parent_hint")).to_be_hidden()
    expect(page.locator("#id_parent_hint_js")).to_be_visible()
    expect(parent).to_have_attribute("aria-describedby", "id_parent_hint_js")
    assert_accessible_basics(page, first_tab_stop_is_skip_link=False)
    parent.fill("tu phap")
    results = page.get_by_role("listbox", name="Kết quả tìm đơn vị")
    expect(results.get_by_role("option")).to_have_count(1)
    expect(results.get_by_role("option").first).to_contain_text("Sở Tư pháp")
    expect(results.get_by_role("option").first).to_contain_text("Tỉnh Thử Nghiệm")
    expect(parent).to_have_attribute("aria-expanded", "true")
    parent.press("ArrowDown")  # wraps round the single result
    expect(parent).to_have_attribute("aria-activedescendant", "id_parent_results-0")
    parent.press("Enter")
    expect(results).to_be_hidden()
    expect(page.locator(".unit-picker-chip")).to_have_count(1)
    expect(page.locator(".unit-picker-chip")).to_contain_text("Sở Tư pháp")
    expect(page.locator("select[name=parent]")).to_have_value(str(personas.unit_a.pk))
    expect(page.get_by_role("status").filter(has_text="Đã chọn")).to_contain_text("Sở Tư pháp")
    page.get_by_label("Tên đơn vị:", exact=True).fill("Phòng Hành chính tư pháp")
    page.get_by_label("Mã đơn vị").fill("T-P-STP-HC")
    page.get_by_label("Loại đơn vị").select_option("office")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Phòng Hành chính tư pháp")
    assert Unit.objects.get(code="T-P-STP-HC").parent_id == personas.unit_a.pk

    # 2. Several units: the units of a task, chosen with the mouse, one removed again; Escape closes the list.
    page.goto(f"/directives/{directive.pk}/tasks/new/")
    units = page.get_by_role("combobox", name="Đơn vị thực hiện")
    units.fill("hoa binh")
    option = page.get_by_role("option", name="Xã Hòa Bình")
    option.click()
    units.fill("noi vu")
    page.get_by_role("option", name="Sở Nội vụ").click()
    chips = page.locator("#id_units").locator("xpath=..").locator(".unit-picker-chip")
    expect(chips).to_have_count(2)
    page.get_by_role("button", name="Bỏ chọn Sở Nội vụ").click()
    expect(chips).to_have_count(1)
    expect(chips).to_contain_text("Xã Hòa Bình")
    expect(units).to_be_focused()
    units.fill("so")
    expect(page.get_by_role("listbox").filter(has=page.get_by_role("option")).first).to_be_visible()
    units.press("Escape")
    expect(units).to_have_attribute("aria-expanded", "false")
    units.press("Escape")
    expect(units).to_have_value("")
    page.get_by_label("Nội dung nhiệm vụ").fill("Rà soát quy trình nội bộ giải quyết thủ tục hành chính")
    page.get_by_label("Loại thời hạn").select_option("date")
    page.get_by_label("Thời hạn (ngày)").fill("2025-09-30")
    page.get_by_role("button", name="Lưu nhiệm vụ").click()
    expect(page.get_by_role("status").filter(has_text="Đã giao nhiệm vụ")).to_be_visible()
    task = Task.objects.get(directive=directive)
    assert list(task.assignments.values_list("unit__name", flat=True)) == ["Xã Hòa Bình"]
    watch.assert_none()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_parent_is_found_by_submitting_a_search(
    browser: Browser, live_server: LiveServer, personas: Personas, settings: Any
) -> None:
    settings.UNIT_PICKER_SELECT_LIMIT = 3
    unit_create(
        actor=None,
        data=UnitData(name="Xã Hòa Bình Đông", kind=UnitKind.COMMUNE, code="T-P-XHBD", subtype="commune"),
        parent=personas.province,
    )
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        log_in(page, "thuongtruc")
        page.goto("/units/new/")
        search = page.get_by_role("textbox", name="Đơn vị cấp trên")
        search.fill("hoa binh")
        page.get_by_label("Tên đơn vị:", exact=True).fill("Thôn Bình Minh")
        page.get_by_label("Mã đơn vị").fill("T-P-XHB-BM")
        page.get_by_label("Loại đơn vị").select_option("other")
        page.get_by_role("button", name="Lưu", exact=True).click()
        # Two communes match: they are offered in the list, with a message.
        expect(page.get_by_text("Có nhiều đơn vị khớp với “hoa binh”")).to_be_visible()
        choices = page.get_by_role("combobox", name="Đơn vị đã chọn và kết quả tìm")
        choices.select_option(label="Xã Hòa Bình — Tỉnh Thử Nghiệm")
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.locator("h1")).to_contain_text("Thôn Bình Minh")
        assert Unit.objects.get(code="T-P-XHB-BM").parent_id == personas.unit_b.pk
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_a_unit_clicked_in_a_filter_whose_field_sits_inside_its_label_stays_chosen(
    page: Page, live_server: LiveServer, personas: Personas, settings: Any
) -> None:
    """The audit trail wraps each filter field in its label: a click on a result must not reach the chip's remove
    button, which the label would otherwise activate as its first control."""
    settings.UNIT_PICKER_SELECT_LIMIT = 3
    watch = ProblemWatch(page)
    log_in(page, "thuongtruc")
    page.goto("/audit/")
    unit = page.get_by_role("combobox", name="Đơn vị")
    unit.fill("tu phap")
    results = page.get_by_role("listbox", name="Kết quả tìm đơn vị")
    results.get_by_role("option", name=re.compile("^Sở Tư pháp")).click()
    chips = page.locator(".unit-picker-chip")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("Sở Tư pháp")
    expect(page.get_by_role("status").filter(has_text="Đã chọn")).to_have_count(1)
    page.get_by_role("button", name="Lọc").click()
    expect(page).to_have_url(re.compile(rf"[?&]unit={Unit.objects.get(name='Sở Tư pháp').pk}(&|$)"))
    watch.assert_none()
