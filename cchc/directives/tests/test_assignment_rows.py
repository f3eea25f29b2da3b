"""The rows of the tracker and of "my tasks" (drawn with Jinja2) say what the assignments are, safely."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse
from django.utils import translation

from cchc.directives.models import Status
from cchc.directives.templatetags.assignment_rows import assignment_rows
from cchc.testing.personas import Personas

from .conftest import make_directive, make_task


def _rows(html: str) -> list[str]:
    body = html.split('data-testid="tracker"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>.*?</tr>", body, flags=re.S)


def test_a_tracker_row_links_to_its_assignment_and_shows_its_task_unit_due_date_progress_and_status(
    personas: Personas,
) -> None:
    directive = make_directive(personas)
    late = make_task(personas, directive, personas.unit_a, deadline=datetime.date(2025, 9, 1)).assignments.get()
    page = personas.client("secretariat").get(reverse("directives:tracker"))
    (row,) = _rows(page.content.decode())
    assert f'href="{reverse("directives:assignment_detail", args=[late.pk])}"' in row
    assert f'name="assignment" value="{late.pk}" form="remind-form" aria-label="Chọn để nhắc"' in row
    assert "2.1 Rà soát thủ tục hành chính" in row and "176/TB-UBND" in row
    assert personas.unit_a.name in row and "01/09/2025" in row and ">0%<" in row
    assert f'data-status="{Status.OVERDUE.value}">{Status.OVERDUE.label}<' in row


def test_text_typed_into_a_task_is_shown_as_text_not_as_markup(personas: Personas) -> None:
    directive = make_directive(personas, reference="", subject='Kế hoạch <script>alert("x")</script>')
    make_task(personas, directive, personas.unit_a, content="Việc <b>đậm</b> & nhẹ")
    html = personas.client("secretariat").get(reverse("directives:tracker")).content.decode()
    (row,) = _rows(html)
    assert "Việc &lt;b&gt;đậm&lt;/b&gt; &amp; nhẹ" in row
    assert "<script>" not in row and "&lt;script&gt;" in row


def test_the_rows_speak_the_language_of_the_request() -> None:
    with translation.override("en"):
        english = assignment_rows([])
    with translation.override("vi"):
        vietnamese = assignment_rows([])
    assert "No tasks." in english and "Không có nhiệm vụ nào." not in english
    assert "Không có nhiệm vụ nào." in vietnamese


def test_my_tasks_without_open_work_says_so_in_each_list(personas: Personas) -> None:
    html = personas.client("focal_a").get(reverse("directives:my_tasks")).content.decode()
    assert html.count('<tr><td colspan="5">Không có nhiệm vụ nào.</td></tr>') == 4
