"""The inspection register as a table for the Excel export: one row per inspection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cchc.lib.spreadsheet import formula_safe

from . import selectors
from .models import Inspection


def inspection_header() -> list[str]:
    return [
        _("Kế hoạch"),
        _("Đơn vị được kiểm tra"),
        _("Trạng thái kế hoạch"),
        _("Thời gian dự kiến"),
        _("Ngày kiểm tra"),
        _("Đoàn kiểm tra"),
        _("Kiến nghị, tồn tại"),
        _("Đã khắc phục"),
        _("Tỷ lệ khắc phục (%)"),
    ]


def inspection_rows(inspections: QuerySet[Inspection]) -> Iterator[list[Any]]:
    rows = selectors.plan_inspections_of(inspections).select_related("plan")
    for row in rows:
        found, remedied = int(getattr(row, "finding_count", 0)), int(getattr(row, "remedied_count", 0))
        rate = selectors.Remedied(remedied, found).rate
        yield [
            formula_safe(row.plan.title),
            formula_safe(row.unit.name),
            str(row.plan.get_status_display()),
            row.planned_on,
            row.done_on,
            formula_safe(row.team),
            found,
            remedied,
            float(rate) if rate is not None else None,
        ]
