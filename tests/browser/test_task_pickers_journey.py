"""Browser journey: the secretariat gives a task to units and links it to criteria by searching, with chips,
instead of Ctrl-clicking lists of dozens of units and hundreds of criteria."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.directives import services
from cchc.directives.models import DirectiveKind, Task
from cchc.frameworks.models import Criterion, Framework
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, assert_accessible_basics, log_in


@pytest.mark.django_db(transaction=True)
def test_a_task_gets_its_units_and_criteria_through_the_search_pickers(
    page: Page, live_server: LiveServer, personas: Personas
) -> None:
    framework = Framework.objects.create(name="Bộ tiêu chí sở, ban, ngành", year=2025, unit_kind="department")
    for position, (code, title) in enumerate(
        (("1.1", "Ban hành kế hoạch cải cách hành chính năm"), ("2.1", "Công khai thủ tục hành chính")), start=1
    ):
        Criterion.objects.create(
            framework=framework, code=code, position=position, depth=1, title=title, max_points=Decimal(2)
        )
    directive = services.directive_create(
        actor=personas.secretariat,
        data=services.DirectiveData(
            kind=DirectiveKind.PLAN,
            subject="Kế hoạch cải cách hành chính năm 2025",
            issuing_unit=personas.province,
            issued_on=datetime.date(2025, 1, 10),
        ),
    )
    watch = ProblemWatch(page)
    log_in(page, "thuongtruc")
    page.goto(f"/directives/{directive.pk}/tasks/new/")
    expect(page.locator("select[name=units][multiple]")).to_be_hidden()
    page.get_by_label("Nội dung nhiệm vụ").fill("Công khai đầy đủ thủ tục hành chính")

    units = page.get_by_role("combobox", name="Đơn vị thực hiện (mỗi đơn vị được theo dõi riêng)")
    units.fill("tu phap")
    page.get_by_role("option", name=re.compile("^Sở Tư pháp")).click()
    units.fill("hoa binh")
    page.get_by_role("option", name=re.compile("^Xã Hòa Bình")).click()
    supporting = page.get_by_role("combobox", name="Đơn vị phối hợp")
    supporting.fill("noi vu")
    page.get_by_role("option", name=re.compile("^Sở Nội vụ")).click()
    criteria = page.get_by_role("combobox", name="Tiêu chí Chỉ số CCHC liên quan")
    criteria.fill("cong khai")
    page.get_by_role("option", name=re.compile("^2.1 Công khai")).click()

    page.get_by_label("Loại thời hạn").select_option(label="Hạn theo ngày")
    page.get_by_label("Thời hạn (ngày)").fill("2025-06-30")
    assert_accessible_basics(page, first_tab_stop_is_skip_link=False)
    page.get_by_role("button", name="Lưu nhiệm vụ").click()
    expect(page.get_by_role("status")).to_be_visible()
    task = Task.objects.get()
    assert sorted(task.assignments.values_list("unit__name", flat=True)) == ["Sở Tư pháp", "Xã Hòa Bình"]
    assert [unit.name for unit in task.supporting_units.all()] == ["Sở Nội vụ"]
    assert [criterion.code for criterion in task.criteria.all()] == ["2.1"]
    watch.assert_none()
