"""``{% assignment_rows rows %}``: the rows of a list of assignments, drawn with Jinja2.

The tracker draws fifty of these rows per page and "my tasks" every open one; drawn through the Django template
language they were the larger part of the tracker's time (``docs/performance.md``). The rows are the Jinja2
template ``directives/assignment_rows.html``; this tag gives it the rows and the translated labels (translated here,
in Python, where the messages are collected).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template import engines
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _labels() -> dict[str, str]:
    return {
        "pick": _("Chọn để nhắc"),
        "unit": _("Đơn vị thực hiện"),
        "due": _("Hạn"),
        "progress": _("Tiến độ"),
        "status": _("Tình trạng"),
        "ongoing": _("Thường xuyên"),
        "awaiting_review": _("chờ xác nhận"),
        "none": _("Không có nhiệm vụ nào."),
    }


@register.simple_tag
def assignment_rows(rows: Any, selectable: bool = False) -> SafeString:
    """``<tr>`` per assignment (with a tick box for reminders when ``selectable``), or one row saying there is none."""
    # Every row links to its assignment: the address is reversed once and the id put in its place.
    pattern = reverse("directives:assignment_detail", args=[0]).rsplit("0/", 1)
    rows_template = engines["jinja2"].get_template("directives/assignment_rows.html")
    html = rows_template.render(
        {
            "rows": rows,
            "selectable": selectable,
            "labels": _labels(),
            "detail_url": lambda pk: f"{pattern[0]}{int(pk)}/{pattern[1]}",
        }
    )
    return mark_safe(html)  # noqa: S308 - drawn by an autoescaping Jinja2 template
