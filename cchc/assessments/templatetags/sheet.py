"""Formatting for the sheet and appraisal pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from ..services import format_points

register = template.Library()


@register.filter
def points(value: Any) -> str:
    """Points as a reader writes them (``2``, ``4,5``, ``0,25``); a dash when there are none."""
    if value is None or value == "":
        return "—"
    try:
        return format_points(Decimal(str(value)).normalize())
    except ArithmeticError:
        return str(value)
