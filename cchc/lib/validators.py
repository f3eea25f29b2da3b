"""Bounds every piece of input obeys, whatever path it comes by (page, API, import, command).

One place sets how long a text may be, which dates make sense and how numbers are cleaned, so that the
model fields, the forms, the API schemas (:mod:`cchc.lib.schemas`) and the services agree:

- text: a short line (names, numbers) is bounded by its ``CharField``; a title or subject by
  :data:`TITLE_MAX_LENGTH`; a note, reason, report or comment by :data:`NOTE_MAX_LENGTH`; a whole document's
  text by :data:`DOCUMENT_MAX_LENGTH`;
- no text anywhere may hold a NUL character (U+0000): PostgreSQL refuses it and no person types it;
- dates lie in the years :data:`MIN_YEAR`–:data:`MAX_YEAR`;
- a decimal typed as ``-0`` is stored as ``0``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError

LINE_MAX_LENGTH = 300
TITLE_MAX_LENGTH = 1_000
NOTE_MAX_LENGTH = 10_000
DOCUMENT_MAX_LENGTH = 500_000
MIN_YEAR = 1945
MAX_YEAR = 2100
NUL = "\x00"


def too_long_message(max_length: int) -> str:
    return _("Nội dung dài quá %(max)s ký tự.") % {"max": f"{max_length:,}".replace(",", ".")}


def nul_message() -> str:
    return _("Nội dung chứa ký tự không hợp lệ (ký tự NUL); hãy xóa ký tự đó rồi gửi lại.")


def date_range_message() -> str:
    return _("Ngày phải nằm trong khoảng năm %(min)s đến năm %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}


def reject_nul(value: Any) -> None:
    """Form and model field validator: no NUL character (the request middleware refuses it earlier too)."""
    if isinstance(value, str) and NUL in value:
        raise ValidationError(nul_message(), code="null_characters_not_allowed")


def validate_date_range(value: datetime.date | None) -> None:
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(date_range_message(), code="date_range")


def no_negative_zero(value: Decimal) -> Decimal:
    """``-0`` (and ``-0.00``) as ``0``; other values unchanged."""
    if isinstance(value, Decimal) and value.is_zero() and value.is_signed():
        return value.copy_abs()
    return value


def check_text(value: str | None, *, field: str, max_length: int = NOTE_MAX_LENGTH) -> str:
    """``value`` for a service that takes text directly; ``ServiceError`` on ``field`` if too long or with NUL."""
    text = value or ""
    if NUL in text:
        raise ServiceError(nul_message(), field=field)
    if len(text) > max_length:
        raise ServiceError(too_long_message(max_length), field=field)
    return text


def check_date(value: datetime.date | None, *, field: str) -> datetime.date | None:
    """``value`` for a service that takes a date directly; ``ServiceError`` on ``field`` outside the years."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ServiceError(date_range_message(), field=field)
    return value
