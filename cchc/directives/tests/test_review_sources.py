"""The review page shows where each proposed field came from in the document, how far to trust it, and lets the
reviewer add a task the extractor missed by selecting its words."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse

from cchc.directives import proposals, services
from cchc.directives.extraction_registry import extract_text
from cchc.directives.models import Directive, DirectiveDraft, Task
from cchc.directives.review_marks import Mark, field_sources, locate, marked_text
from cchc.testing.personas import Personas

from .test_review import SEEDS, form_data

TEXT = (
    "KẾ HOẠCH\nCải cách hành chính năm 2026\n"
    "Đề nghị Sở Tư pháp thực hiện:\n"
    "1. Rà soát văn bản quy phạm\npháp luật thuộc lĩnh vực được giao.\n"
    "2. Tổ chức tập huấn nghiệp vụ kiểm soát thủ tục hành chính.\n"
    "Thời hạn hoàn thành các nhiệm vụ trên: trước ngày 30/11/2026.\n"
    "Các xã tự bố trí lịch kiểm tra công vụ trong quý IV.\n"
)


def proposed(content: str, lead: str | None, deadline_words: str = "", **more: Any) -> dict[str, Any]:
    sources = {"lead_unit": lead or "", "deadline": deadline_words}
    return {
        "content": content,
        "lead_unit": lead,
        "sources": {key: value for key, value in sources.items() if value},
        "confidence": more.pop("confidence", {}),
        **more,
    }


TASKS = [
    proposed("Rà soát văn bản quy phạm pháp luật thuộc lĩnh vực được giao", "Sở Tư pháp", "trước ngày 30/11/2026"),
    proposed("Tổ chức tập huấn nghiệp vụ kiểm soát thủ tục hành chính", "Sở Tư pháp", "trước ngày 30/11/2026"),
]


def passage(text: str, marks: list[Mark], task: int, field: str = "") -> str:
    [mark] = [mark for mark in marks if mark.task == task and mark.field == field]
    return text[mark.start : mark.end]


def test_a_task_wrapped_over_two_lines_is_found_with_its_line_break() -> None:
    marks = locate(TEXT, TASKS)
    assert passage(TEXT, marks, 0) == "Rà soát văn bản quy phạm\npháp luật thuộc lĩnh vực được giao"
    assert passage(TEXT, marks, 1) == "Tổ chức tập huấn nghiệp vụ kiểm soát thủ tục hành chính"


def test_a_lead_from_the_introduction_and_a_deadline_from_the_closing_sentence_are_found_for_every_task() -> None:
    marks = locate(TEXT, TASKS)
    introduction = TEXT.index("Sở Tư pháp")
    closing = TEXT.index("trước ngày 30/11/2026")
    for task in (0, 1):
        lead = next(mark for mark in marks if mark.task == task and mark.field == "lead_unit")
        deadline = next(mark for mark in marks if mark.task == task and mark.field == "deadline")
        assert (lead.start, deadline.start) == (introduction, closing)


def test_words_that_are_not_in_the_document_get_no_mark_rather_than_a_wrong_one() -> None:
    marks = locate(TEXT, [proposed("Một nhiệm vụ không có trong văn bản này", "Sở Y tế", "trước ngày 01/01/2027")])
    assert marks == []


def test_the_same_words_in_two_tasks_are_each_found_in_their_own_place() -> None:
    text = "1. Báo cáo kết quả hằng quý.\n2. Báo cáo kết quả hằng quý.\n"
    marks = locate(text, [proposed("Báo cáo kết quả hằng quý", None), proposed("Báo cáo kết quả hằng quý", None)])
    assert [mark.start for mark in marks] == [3, text.rindex("Báo cáo")]


def test_the_marked_document_escapes_its_text_and_marks_shared_words_for_every_task_that_uses_them() -> None:
    text = TEXT + "<script>alert(1)</script>\n"
    html = str(marked_text(text, locate(text, TASKS)))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<mark class="doc-passage doc-source" data-tasks="1 2" data-fields="lead_unit">Sở Tư pháp</mark>' in html
    assert html.index('id="doc-task-1"') < html.index("Rà soát văn bản") < html.index('id="doc-task-2"')


def test_the_marked_document_keeps_every_character_of_the_text() -> None:
    html = str(marked_text(TEXT, locate(TEXT, TASKS)))
    assert re.sub(r"<[^>]+>", "", html).replace("&amp;", "&") == TEXT


def test_a_field_read_with_low_confidence_a_doubtful_year_or_not_found_needs_attention() -> None:
    sure, unsure = field_sources(
        proposed("x", "Sở Tư pháp", "trước ngày 30/11/2026", confidence={"lead_unit": 0.95, "deadline": 0.5})
    )
    assert (sure.field, sure.words, sure.percent, sure.needs_attention) == ("lead_unit", "Sở Tư pháp", 95, False)
    assert (unsure.percent, unsure.needs_attention) == (50, True)
    doubtful = field_sources(
        proposed("x", "Sở Tư pháp", "trước 30/11/2027", deadline="2027-11-30", deadline_doubt="Năm có thể đọc sai")
    )[1]
    assert doubtful.needs_attention and doubtful.doubt == "Năm có thể đọc sai"
    no_lead, recurring = field_sources(proposed("x", None, recurrence="quarterly"))
    assert no_lead.needs_attention and not recurring.needs_attention


@pytest.fixture
def draft(personas: Personas) -> DirectiveDraft:
    tasks = [
        {**TASKS[0], "lead_unit_ids": [personas.unit_a.pk], "deadline": "2026-11-30", "section": "1."},
        {
            **TASKS[1],
            "lead_unit_ids": [personas.unit_a.pk],
            "deadline": "2026-11-30",
            "section": "2.",
            "confidence": {"lead_unit": 0.5, "deadline": 0.75},
        },
    ]
    extraction = {
        "reference": "12/KH-UBND",
        "date": "2026-01-05",
        "issuer": "UBND tỉnh Thử Nghiệm",
        "signer": "",
        "subject": "Cải cách hành chính năm 2026",
        "addressees": [],
        "kind": "ke_hoach",
        "text": TEXT,
        "tasks": tasks,
        "warnings": [],
    }
    return services.draft_create(
        actor=personas.secretariat,
        issuing_unit=personas.province,
        file=services.StoredFile(name="12-KH-UBND.txt", content=TEXT.encode()),
        extraction=extraction,
    )


def test_the_review_page_marks_each_tasks_words_and_says_which_fields_need_attention(
    personas: Personas, draft: DirectiveDraft
) -> None:
    page = personas.client("secretariat").get(reverse("directives:draft_review", args=[draft.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="doc-task-1"' in body and 'href="#doc-task-2"' in body
    first, second = page.context["rows"][:2]
    assert not first.needs_attention and second.needs_attention
    assert [source.percent for source in second.sources] == [50, 75]
    assert body.count('data-status="check"') == 2  # the second row's summary and its lead
    assert "<q>Sở Tư pháp</q>" in body and "độ tin cậy 50 %" in body


def test_selected_words_become_a_new_row_with_the_lead_and_deadline_read_from_them(
    personas: Personas, draft: DirectiveDraft
) -> None:
    client = personas.client("secretariat")
    url = reverse("directives:draft_selection_task", args=[draft.pk])
    words = "Giao Sở Tư pháp chủ trì kiểm tra công vụ\ntại các xã, hoàn thành trước ngày 15/12/2026."
    response = client.post(url, {"text": words, "index": "4"}, headers={"hx-request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="tasks-4-content"' in body and "Thêm nhiệm vụ" in body
    form = response.context["form"]
    assert form.initial["content"] == " ".join(words.split())
    assert form.initial["units"] == [personas.unit_a.pk]
    assert form.initial["deadline"] == datetime.date(2026, 12, 15)
    assert not Task.objects.exists()


def test_a_row_added_from_a_selection_is_created_on_confirmation(personas: Personas, draft: DirectiveDraft) -> None:
    client = personas.client("secretariat")
    review = reverse("directives:draft_review", args=[draft.pk])
    data = form_data(client.get(review))
    data["tasks-TOTAL_FORMS"] = "5"
    data.update(
        {
            "tasks-4-keep": "on",
            "tasks-4-content": "Các xã tự bố trí lịch kiểm tra công vụ trong quý IV",
            "tasks-4-units": [str(personas.unit_b.pk)],
            "tasks-4-expected_output": "other",
            "tasks-4-deadline_kind": "period",
            "tasks-4-period_key": "2026-Q4",
        }
    )
    assert client.post(review, data).status_code == 302
    assert Directive.objects.get().tasks.filter(content__startswith="Các xã tự bố trí").exists()


def test_an_empty_or_too_long_selection_is_refused_with_a_vietnamese_message(
    personas: Personas, draft: DirectiveDraft
) -> None:
    client = personas.client("secretariat")
    url = reverse("directives:draft_selection_task", args=[draft.pk])
    empty = client.post(url, {"text": "", "index": "4"})
    assert empty.status_code == 400 and "Hãy bôi đen" in empty.content.decode()
    long = client.post(url, {"text": "a" * 10_001, "index": "4"})
    assert long.status_code == 400 and "dài quá" in long.content.decode()
    assert client.post(url, {"text": "x", "index": "-1"}).status_code == 400


def test_only_the_person_who_uploaded_can_add_a_task_from_a_selection(
    personas: Personas, draft: DirectiveDraft
) -> None:
    url = reverse("directives:draft_selection_task", args=[draft.pk])
    assert personas.client("focal_a").post(url, {"text": "Sở Tư pháp rà soát", "index": "4"}).status_code == 404
    assert personas.client("secretariat").get(url).status_code == 405


def test_every_proposal_of_the_seed_directives_is_found_in_its_text(personas: Personas) -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        extraction = proposals.extraction_as_dict(extract_text(path.read_text(encoding="utf-8")))
        marks = locate(extraction["text"], extraction["tasks"])
        assert {mark.task for mark in marks if not mark.field} == set(range(len(extraction["tasks"]))), path.name
