"""A form sent back with errors shows every message as text next to its field, in a panel that is open."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from cchc.directives import services
from cchc.directives.models import Directive, ExtensionRequest
from cchc.testing.personas import Personas

from .conftest import make_task


@pytest.fixture(autouse=True)
def today() -> Any:
    with time_machine.travel(datetime.datetime(2025, 9, 20, 9, 0), tick=False):
        yield


def panel(html: str, panel_id: str) -> str:
    """The opening tag and content of the element with ``id=panel_id`` (a ``<details>`` or ``<section>``)."""
    match = re.search(rf'<(details|section)[^>]*\bid="{panel_id}"[^>]*>.*?</\1>', html, re.DOTALL)
    assert match, f"no panel #{panel_id}"
    return match.group(0)


def is_open(panel_html: str) -> bool:
    opening = panel_html.split(">", 1)[0]
    return not opening.startswith("<details") or bool(re.search(r"\sopen(\s|$|=)", opening))


def error_texts(panel_html: str) -> list[str]:
    """The text of every error shown in the panel: field error lists and the form's own messages."""
    items = re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', panel_html, re.DOTALL)
    texts = [re.sub(r"<[^>]+>", "", li).strip() for block in items for li in re.findall(r"<li>(.*?)</li>", block)]
    blocks = re.findall(r'<div class="message error form-errors"[^>]*>(.*?)</div>', panel_html, re.DOTALL)
    texts += [re.sub(r"<[^>]+>", "", p).strip() for block in blocks for p in re.findall(r"<p>(.*?)</p>", block)]
    return texts


def test_an_extension_more_than_a_year_late_reopens_its_panel_with_the_message_next_to_the_date(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive).assignments.get()
    response = personas.client("focal_a").post(
        reverse("directives:extension_create", args=[assignment.pk]),
        {"new_due_date": "2027-01-31", "reason": "Chờ hướng dẫn của Bộ"},
    )
    assert response.status_code == 400
    extension = panel(response.content.decode(), "extension")
    assert is_open(extension)
    assert error_texts(extension) == ["Không thể gia hạn quá một năm."]
    assert 'aria-describedby="id_new_due_date_error"' in extension
    assert not ExtensionRequest.objects.exists()


def test_an_extension_without_a_reason_or_date_names_both_fields_in_the_open_panel(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive).assignments.get()
    response = personas.client("focal_a").post(
        reverse("directives:extension_create", args=[assignment.pk]), {"new_due_date": "", "reason": ""}
    )
    extension = panel(response.content.decode(), "extension")
    assert response.status_code == 400 and is_open(extension)
    assert len(error_texts(extension)) == 2 and all(error_texts(extension))


def test_a_second_extension_while_one_waits_shows_the_forms_own_message_in_the_open_panel(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive).assignments.get()
    services.extension_request(
        actor=personas.focal_a, assignment=assignment, new_due_date=datetime.date(2025, 10, 31), reason="Chờ số liệu"
    )
    response = personas.client("focal_a").post(
        reverse("directives:extension_create", args=[assignment.pk]),
        {"new_due_date": "2025-11-30", "reason": "Thêm một lần"},
    )
    extension = panel(response.content.decode(), "extension")
    assert response.status_code == 400 and is_open(extension)
    assert error_texts(extension) == ["Đã có một đề nghị gia hạn đang chờ quyết định."]


def test_an_untouched_extension_panel_stays_folded(personas: Personas, directive: Directive) -> None:
    assignment = make_task(personas, directive).assignments.get()
    response = personas.client("focal_a").get(reverse("directives:assignment_detail", args=[assignment.pk]))
    assert not is_open(panel(response.content.decode(), "extension"))


def test_cancelling_a_task_without_a_reason_opens_the_panel_with_the_message_next_to_the_reason(
    personas: Personas, directive: Directive
) -> None:
    task = make_task(personas, directive)
    response = personas.client("secretariat").post(reverse("directives:task_cancel", args=[task.pk]), {"reason": " "})
    assert response.status_code == 400
    cancel = panel(response.content.decode(), "cancel")
    assert is_open(cancel)
    assert error_texts(cancel) == ["Hãy ghi lý do hủy nhiệm vụ."]
    task.refresh_from_db()
    assert not task.is_cancelled


def test_a_progress_report_above_100_percent_shows_the_message_next_to_the_percentage(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive).assignments.get()
    response = personas.client("focal_a").post(
        reverse("directives:report_create", args=[assignment.pk]), {"percent": "150", "text": "Xong"}
    )
    assert response.status_code == 400
    report = panel(response.content.decode(), "report")
    texts = error_texts(report)
    assert len(texts) == 1 and "100" in texts[0]


def test_refusing_an_extension_without_a_comment_shows_the_message_in_the_decision_panel(
    personas: Personas, directive: Directive
) -> None:
    assignment = make_task(personas, directive).assignments.get()
    extension = services.extension_request(
        actor=personas.focal_a, assignment=assignment, new_due_date=datetime.date(2025, 10, 31), reason="Chờ số liệu"
    )
    response = personas.client("secretariat").post(
        reverse("directives:extension_decide", args=[extension.pk]), {"decision": "refuse", "comment": ""}
    )
    assert response.status_code == 400
    texts = error_texts(panel(response.content.decode(), "extension-decision"))
    assert len(texts) == 1 and texts[0]
