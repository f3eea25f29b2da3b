"""The base and field types of every API input schema, with the bounds of :mod:`cchc.lib.validators`.

An input schema derives from :class:`InputSchema`: a field it does not declare is refused (422), so a misspelt
``pionts`` never passes silently as "nothing sent". Text fields use :data:`Text`, :data:`Title` or :data:`Line`
(a maximum length, no NUL), dates :data:`Date` (years 1945–2100) and decimals :data:`Number` (``-0`` read as ``0``).
Validation errors are rendered in Vietnamese by :func:`validation_message`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from cchc.lib.ids import ObjectId
from cchc.lib.validators import (
    LINE_MAX_LENGTH,
    MAX_YEAR,
    MIN_YEAR,
    NOTE_MAX_LENGTH,
    NUL,
    TITLE_MAX_LENGTH,
    no_negative_zero,
)


class InputSchema(Schema):
    """Base of API request bodies and query strings: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _no_nul(value: str) -> str:
    if NUL in value:
        raise PydanticCustomError("nul_character", "NUL")
    return value


def _in_year_range(value: datetime.date) -> datetime.date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise PydanticCustomError("date_range", "date range", {"min": MIN_YEAR, "max": MAX_YEAR})
    return value


Text = Annotated[str, StringConstraints(max_length=NOTE_MAX_LENGTH), AfterValidator(_no_nul)]
"""A note, reason, report or comment."""
Title = Annotated[str, StringConstraints(max_length=TITLE_MAX_LENGTH), AfterValidator(_no_nul)]
"""A title, subject or task content."""
Line = Annotated[str, StringConstraints(max_length=LINE_MAX_LENGTH), AfterValidator(_no_nul)]
"""A short line: a code, a label, a period key, a choice."""
Id = ObjectId  # a database key: 1 … 2^63 − 1 (``cchc.lib.ids``)
"""A record's id: a positive integer the database can hold."""
Date = Annotated[datetime.date, AfterValidator(_in_year_range)]
Number = Annotated[Decimal, Field(max_digits=24, decimal_places=8), AfterValidator(no_negative_zero)]
"""A decimal of sane size (``1e1000000`` is refused, not computed with)."""


# ---------------------------------------------------------------------------
# Validation errors in Vietnamese

_LOCATIONS = ("body", "query", "path", "form", "file", "header", "cookie", "payload", "filters")


def error_field(error: dict[str, Any]) -> str | None:
    """The dotted name of the field an error is about (``points``, ``unit_ids.2``); ``None`` for the whole body."""
    parts = [str(part) for part in error.get("loc", ()) if part not in _LOCATIONS]
    return ".".join(parts) or None


def _quoted(field: str | None) -> str:
    return f"“{field}”" if field else _("Nội dung gửi lên")


def validation_message(error: dict[str, Any]) -> str:
    """One pydantic error as a Vietnamese sentence naming the field."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    field = error_field(error)
    name = _quoted(field)
    if kind == "extra_forbidden":
        return _("Trường “%(field)s” không được chấp nhận.") % {"field": field}
    if kind == "missing":
        return _("Thiếu trường bắt buộc “%(field)s”.") % {"field": field}
    if kind in ("model_type", "model_attributes_type", "dict_type") and field is None:
        return _("Nội dung gửi lên phải là một đối tượng JSON.")
    if kind in ("decimal_parsing", "decimal_type", "float_parsing", "float_type", "finite_number"):
        return _("%(field)s phải là số.") % {"field": name}
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return _("%(field)s phải là số nguyên.") % {"field": name}
    if kind in ("decimal_max_digits", "decimal_max_places", "decimal_whole_digits"):
        return _("%(field)s có quá nhiều chữ số.") % {"field": name}
    if kind in ("string_type", "string_unicode"):
        return _("%(field)s phải là chuỗi văn bản.") % {"field": name}
    if kind in ("bool_parsing", "bool_type"):
        return _("%(field)s phải là true hoặc false.") % {"field": name}
    if kind in ("date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return _("%(field)s phải là ngày dạng YYYY-MM-DD.") % {"field": name}
    if kind in ("list_type", "set_type", "tuple_type"):
        return _("%(field)s phải là danh sách.") % {"field": name}
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("%(field)s phải là một đối tượng.") % {"field": name}
    if kind == "string_too_long":
        return _("%(field)s dài quá %(max)s ký tự.") % {"field": name, "max": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("%(field)s không được để trống.") % {"field": name}
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        return _("%(field)s phải lớn hơn hoặc bằng %(limit)s.") % {"field": name, "limit": limit}
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        return _("%(field)s phải nhỏ hơn hoặc bằng %(limit)s.") % {"field": name, "limit": limit}
    if kind in ("enum", "literal_error"):
        return _("%(field)s không phải là giá trị hợp lệ.") % {"field": name}
    if kind == "nul_character":
        return _("%(field)s chứa ký tự không hợp lệ (ký tự NUL).") % {"field": name}
    if kind == "date_range":
        return _("%(field)s phải nằm trong khoảng năm %(min)s đến năm %(max)s.") % {
            "field": name,
            "min": MIN_YEAR,
            "max": MAX_YEAR,
        }
    if kind == "null_not_allowed":
        return _("%(field)s không được để trống (null).") % {"field": name}
    return _("Giá trị không hợp lệ ở trường «%(field)s».") % {"field": field or "?"}
