"""The initiative register as a table for the Excel export: one row per initiative."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cchc.lib.spreadsheet import formula_safe

from .models import Initiative


def initiative_header() -> list[str]:
    return [
        _("Năm"),
        _("Đơn vị"),
        _("Tên sáng kiến, giải pháp"),
        _("Trạng thái"),
        _("Cấp công nhận"),
        _("Ngày công nhận"),
        _("Quyết định công nhận"),
        _("Ngày áp dụng"),
    ]


def initiative_rows(initiatives: QuerySet[Initiative]) -> Iterator[list[Any]]:
    for row in initiatives.select_related("unit").order_by("year", "unit__name", "pk"):
        yield [
            row.year,
            formula_safe(row.unit.name),
            formula_safe(row.title),
            str(row.get_status_display()),
            str(row.get_level_display()) if row.level else "",
            row.recognised_on,
            formula_safe(row.recognition_reference),
            row.applied_on,
        ]
