"""Browser journey on the review page: the document's passages are marked, opening a task shows its words, a
task the extractor missed is added by selecting its words, and the page fits a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cchc.directives import proposals, services
from cchc.directives.extraction_registry import extract_text
from cchc.directives.models import Directive, DirectiveDraft
from cchc.testing.personas import Personas

from .test_journeys import ProblemWatch, log_in

pytestmark = pytest.mark.browser

TEXT = (
    "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM\nSố: 15/KH-UBND\nKẾ HOẠCH\nCải cách hành chính năm 2026\n"
    "1. Sở Tư pháp chủ trì rà soát văn bản quy phạm\npháp luật, hoàn thành trước ngày 30/11/2026.\n"
    "2. Sở Nội vụ tổ chức tập huấn nghiệp vụ cải cách hành chính, hoàn thành trước ngày 30/9/2026.\n"
    "Ngoài ra, giao Sở Tư pháp kiểm tra công tác theo dõi thi hành pháp luật tại các xã trước ngày 15/12/2026.\n"
)
MISSED = "giao Sở Tư pháp kiểm tra công tác theo dõi thi hành pháp luật tại các xã trước ngày 15/12/2026"

SELECT = """(words) => {
  const holder = document.querySelector("[data-testid=document-text]");
  const walker = document.createTreeWalker(holder, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push([node, text.length]);
    text += node.data;
  }
  const start = text.indexOf(words), end = start + words.length;
  const at = (offset) => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (nodes[i][1] <= offset) return [nodes[i][0], offset - nodes[i][1]];
    }
  };
  const range = document.createRange();
  range.setStart(...at(start));
  range.setEnd(...at(end));
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  return start;
}"""


def _draft(personas: Personas) -> DirectiveDraft:
    extraction = proposals.extraction_as_dict(extract_text(TEXT, issuing_unit=personas.province))
    return services.draft_create(
        actor=personas.secretariat,
        issuing_unit=personas.province,
        file=services.StoredFile(name="15-KH-UBND.txt", content=TEXT.encode()),
        extraction=extraction,
    )


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_sees_where_each_task_came_from_and_adds_a_missed_task_by_selecting_its_words(
    page: Page, personas: Personas, artifacts_dir: Path
) -> None:
    draft = _draft(personas)
    proposed_count = len(draft.extraction["tasks"])
    watch = ProblemWatch(page)
    log_in(page, "thuongtruc")
    page.goto(f"/directives/drafts/{draft.pk}/")
    document = page.get_by_test_id("document-text")
    expect(document.locator("mark.doc-source").first).to_be_visible()

    # Opening a task marks its passage in the document.
    first = page.get_by_test_id("proposed-task").first
    first.locator("summary").click()
    expect(first.get_by_test_id("task-sources")).to_contain_text("Sở Tư pháp")
    expect(document.locator("mark.is-active").first).to_contain_text("Sở Tư pháp")

    # The missed task: select its words, add it; its lead and deadline are read from the selection.
    assert page.evaluate(SELECT, MISSED) >= 0
    page.get_by_test_id("add-selection").click()
    rows = page.get_by_test_id("proposed-task")
    expect(rows).to_have_count(proposed_count + 3)  # the proposals, the two empty rows, the one added
    added = rows.last
    expect(added.locator("textarea").first).to_have_value(MISSED)
    expect(added.get_by_label("Thời hạn (ngày)")).to_have_value("2026-12-15")
    expect(added.locator(".unit-picker-chip, .unit-picker-chips").first).to_contain_text("Sở Tư pháp")
    page.screenshot(path=str(artifacts_dir / "directive-review-sources.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "directive-review-sources-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Số, ký hiệu").fill("15/KH-UBND")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu văn bản với")
    directive = Directive.objects.get(reference="15/KH-UBND")
    assert directive.tasks.count() == proposed_count + 1
    added_task = directive.tasks.get(content=MISSED)
    assert set(added_task.assignments.values_list("unit", flat=True)) == {personas.unit_a.pk}
    assert watch.problems == []
