"""Browser journeys through the person picker and the tracker's unit filter: with more people (or units) than a
select can usefully list, the secretariat adds a person to a unit by typing their name without diacritics, and
narrows the tracker to one unit by typing its name; without JavaScript the person is found by submitting the form."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.directives import services as directive_services
from cchc.directives.models import DeadlineKind, DirectiveKind
from cchc.organisations.models import Membership
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, assert_accessible_basics, log_in

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_adds_a_person_to_a_unit_by_typing_a_name_without_diacritics(
    page: Page, live_server: LiveServer, personas: Personas, settings: Any
) -> None:
    # The test province has a handful of people; make the user field behave as with thousands.
    settings.PERSON_PICKER_SELECT_LIMIT = 2
    watch = ProblemWatch(page)
    log_in(page, "thuongtruc")
    page.goto(f"/units/{personas.unit_a.pk}/")
    page.get_by_text("Thêm người dùng vào đơn vị").click()
    person = page.get_by_role("combobox", name="Người dùng")
    expect(person).to_have_attribute("aria-expanded", "false")
    expect(page.locator("select[name=user]")).to_be_hidden()
    expect(person).to_have_attribute("aria-describedby", "id_user_hint_js")
    assert_accessible_basics(page, first_tab_stop_is_skip_link=False)

    person.fill("pham van dau")
    results = page.get_by_role("listbox", name="Kết quả tìm người dùng")
    expect(results.get_by_role("option")).to_have_count(1)
    expect(results.get_by_role("option").first).to_contain_text("Phạm Văn Đầu Mối")
    expect(results.get_by_role("option").first).to_contain_text("daumoi_b")
    expect(results.get_by_role("option").first).to_contain_text("Xã Hòa Bình")
    expect(person).to_have_attribute("aria-expanded", "true")
    person.press("ArrowDown")
    expect(person).to_have_attribute("aria-activedescendant", "id_user_results-0")
    person.press("Enter")
    expect(results).to_be_hidden()
    chip = page.locator(".person-picker .unit-picker-chip")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text("Phạm Văn Đầu Mối")
    expect(page.locator("select[name=user]")).to_have_value(str(personas.focal_b.pk))
    expect(page.get_by_role("status").filter(has_text="Đã chọn")).to_contain_text("Phạm Văn Đầu Mối")

    # A person already in the unit is not offered; Escape empties the box.
    person.fill("le thi dau moi")
    expect(page.get_by_role("status").filter(has_text="Không tìm thấy người dùng nào phù hợp")).to_be_visible()
    person.press("Escape")
    expect(person).to_have_value("")

    page.get_by_label("Chức vụ").fill("Chuyên viên")
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Đã thêm người dùng vào đơn vị")).to_be_visible()
    assert Membership.objects.get(user=personas.focal_b, unit=personas.unit_a).position == "Chuyên viên"
    watch.assert_none()


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_narrows_the_tracker_to_a_unit_found_by_typing(
    page: Page, live_server: LiveServer, personas: Personas, settings: Any
) -> None:
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
    for assignee in (personas.unit_a, personas.unit_b, personas.unit_b):
        directive_services.task_create(
            actor=personas.secretariat,
            directive=directive,
            data=directive_services.TaskData(
                content=f"Rà soát thủ tục hành chính của {assignee.name}",
                deadline_kind=DeadlineKind.DATE,
                units=[assignee],
                deadline=datetime.date.today() + datetime.timedelta(days=30),
            ),
        )
    watch = ProblemWatch(page)
    log_in(page, "thuongtruc")
    page.goto("/directives/tracker/")
    count = page.get_by_test_id("tracker-count")
    expect(count).to_have_text("3 lượt theo dõi")
    unit = page.get_by_role("combobox", name="Đơn vị")
    unit.fill("hoa binh")
    page.get_by_role("option", name="Xã Hòa Bình").click()
    expect(count).to_have_text("2 lượt theo dõi")
    expect(page).to_have_url(re.compile(rf"[?&]unit={personas.unit_b.pk}(&|$)"))
    # The export link follows the filters.
    export = page.get_by_role("link", name="Xuất Excel")
    expect(export).to_have_attribute(
        "href", re.compile(rf"^/directives/tracker/export/\?.*\bunit={personas.unit_b.pk}\b")
    )
    page.get_by_role("button", name="Bỏ chọn Xã Hòa Bình").click()
    expect(count).to_have_text("3 lượt theo dõi")
    expect(export).not_to_have_attribute("href", re.compile(r"\bunit=\d"))
    watch.assert_none()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_person_is_found_by_submitting_a_search(
    browser: Browser, live_server: LiveServer, personas: Personas, settings: Any
) -> None:
    settings.PERSON_PICKER_SELECT_LIMIT = 2
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        log_in(page, "thuongtruc")
        page.goto(f"/units/{personas.unit_a.pk}/")
        page.get_by_text("Thêm người dùng vào đơn vị").click()
        page.get_by_role("textbox", name="Người dùng").fill("van")
        page.get_by_role("button", name="Thêm", exact=True).click()
        # Several people match: they are offered in the list, with a message.
        expect(page.get_by_text("Có nhiều người dùng khớp với “van”")).to_be_visible()
        choices = page.get_by_role("combobox", name="Người dùng đã chọn và kết quả tìm")
        choices.select_option(label="Phạm Văn Đầu Mối — daumoi_b · Xã Hòa Bình")
        page.get_by_role("button", name="Lưu", exact=True).click()
        expect(page.locator("h1")).to_contain_text("Sở Tư pháp")
        assert Membership.objects.filter(user=personas.focal_b, unit=personas.unit_a).exists()
    finally:
        context.close()
