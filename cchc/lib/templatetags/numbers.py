"""Filters that format numbers and moments for the pages: ``{% load numbers %}``.

Views and selectors hand templates the values themselves (``Decimal``, ``datetime``); the template says how they read,
so one value shows the same way on every page. Documents (Excel, Word) and the API keep formatting in Python
(``cchc.lib.numbers``): these filters are for HTML only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.template.defaultfilters import date

from cchc.lib.numbers import format_amount, format_count, format_points, format_rate

register = template.Library()

# What a page shows where there is no number (no score yet, no value reported).
NOTHING = "—"


def _decimal(value: Any) -> Decimal:
    """``value`` as a ``Decimal`` without trailing zeros, and never "-0" (``ArithmeticError`` if it is no number)."""
    number = Decimal(str(value)).normalize()
    return abs(number) if number == 0 else number


@register.filter
def points(value: Any) -> str:
    """Points as a reader writes them (``2``, ``4,5``, ``0,25``); a dash when there are none.

    Trailing zeros go (a criterion's ``0.50`` reads ``0,5``); a value that is no number is shown as it is.
    """
    if value is None or value == "":
        return NOTHING
    try:
        return format_points(_decimal(value))
    except ArithmeticError:
        return str(value)


@register.filter
def amount(value: Any, measure: str = "") -> str:
    """A measured value with its unit (``{{ value|amount:"percent" }}`` reads ``66,67 %``); a dash when there is none.

    ``measure`` is an indicator's measure (``percent``, ``score``, ``days``, ``count``); trailing zeros go.
    """
    if value is None or value == "":
        return NOTHING
    try:
        return format_amount(_decimal(value), measure)
    except ArithmeticError:
        return str(value)


@register.filter
def rate(value: Any) -> str:
    """A rate (``{{ value|rate }}`` reads ``87,10 %``): always the same decimals (:func:`format_rate`); a dash when
    there is none. The same as ``amount:"percent"``."""
    if value is None or value == "":
        return NOTHING
    try:
        return format_rate(_decimal(value))
    except ArithmeticError:
        return str(value)


@register.filter
def count(value: Any) -> str:
    """A count with its thousands grouped (``37.000`` in Vietnamese, ``37,000`` in English); a dash when there is none.

    For numbers of dossiers, rows, values on the pages; never for ids, years or anything that goes into a link or a
    form. A value that is no number is shown as it is.
    """
    if value is None or value == "":
        return NOTHING
    try:
        return format_count(_decimal(value))
    except ArithmeticError:
        return str(value)


@register.filter(expects_localtime=True)
def day(value: Any) -> str:
    """A date (or the day of a moment) as pages write it: ``05/03/2026``; empty when there is none."""
    return date(value, "d/m/Y")


@register.filter(expects_localtime=True)
def moment(value: Any) -> str:
    """A moment to the minute, in local time: ``05/03/2026 14:30``; empty when there is none."""
    return date(value, "d/m/Y H:i")
