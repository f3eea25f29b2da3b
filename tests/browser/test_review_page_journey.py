"""The review of a long directive's proposed tasks in the browser: 38 tasks among 84 units stay a short page of one
line per task; a line opens to its fields and its units are chosen by search."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cchc.directives.models import Directive
from cchc.directives.tests.test_review import long_draft
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

TASKS = 38


@pytest.mark.django_db(transaction=True)
def test_a_38_task_review_is_one_short_page_and_a_task_opens_to_its_fields(
    page: Page, live_server: LiveServer, personas: Personas, artifacts_dir: Path
) -> None:
    draft = long_draft(personas, tasks=TASKS)
    watch = ProblemWatch(page)
    log_in(page, personas.secretariat.username)
    page.goto(f"/directives/drafts/{draft.pk}/")
    rows = page.get_by_test_id("proposed-task")
    expect(rows).to_have_count(TASKS + 2)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.screenshot(path=artifacts_dir / "review-38-tasks.png", full_page=True)
    assert height < 6000, f"the review page is {height}px tall"

    # One line opens to the task's fields; its units are a search box, not a list of every unit.
    row = rows.filter(has_text="Nhiệm vụ số 7:")
    expect(row.get_by_label("Nội dung nhiệm vụ")).to_be_hidden()
    row.locator("summary").click()
    expect(row.get_by_label("Nội dung nhiệm vụ")).to_be_visible()
    units = row.get_by_role("combobox", name="Đơn vị thực hiện")
    expect(units).to_be_visible()
    expect(row.locator(".unit-picker-chip")).to_contain_text(["Sở Tư pháp"])
    units.fill("thu nghiem 42")
    row.get_by_role("option", name="Xã Thử Nghiệm 42").click()
    expect(row.get_by_label("Giữ nhiệm vụ này")).to_be_checked()

    # Drop another task from its line, and confirm.
    rows.filter(has_text="Nhiệm vụ số 8:").get_by_label("Giữ nhiệm vụ này").uncheck()
    page.get_by_label("Số, ký hiệu").fill("38/KH-UBND")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_role("status")).to_contain_text(f"Đã lưu văn bản với {TASKS - 1} nhiệm vụ")
    directive = Directive.objects.get(reference="38/KH-UBND")
    seventh = directive.tasks.get(section="7.")
    assert sorted(seventh.assignments.values_list("unit__name", flat=True)) == ["Sở Tư pháp", "Xã Thử Nghiệm 42"]
    assert not directive.tasks.filter(section="8.").exists()
    watch.assert_none()
