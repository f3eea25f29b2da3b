"""Record ids from user input, bounded to what a database key can hold.

Ids arrive as text in query strings, form fields and API bodies. A value such
as ``99999999999999999999999`` is a valid Python ``int`` but no database key:
SQLite raises ``OverflowError`` and PostgreSQL a ``DataError`` when it reaches
the query. Django already answers "no row" for out-of-range values in
``exact`` and comparison lookups; :class:`IntegerFieldIn` does the same for
``in`` (used by every multiple choice field, ``filter(pk__in=…)`` and the
API), and is registered on every integer field when the app registry is
ready (:mod:`cchc.lib.apps`). Query strings go through :func:`parse_id`, API
schemas use :data:`ObjectId`.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import EmptyResultSet, FieldError
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In
from django.http import Http404
from pydantic import Field

MAX_ID = 2**63 - 1

# A positive id that fits a 64-bit key; out-of-range values are refused by validation (422), not by the database.
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


def id_or_404(value: Any) -> int:
    """``value`` (a path or query argument) as an integer id; ``Http404`` when it is not a number at all."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def parse_id(value: Any) -> int | None:
    """``value`` as a positive 64-bit id, or ``None`` when it is not one (text, negative, too large)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not text.isascii() or not text.isdigit() or len(text) > 19:
            return None
        number = int(text)
    return number if 1 <= number <= MAX_ID else None


class _DropOutOfRange:
    """For ``in`` lookups: leave out integers the column cannot hold (they match no row); none left, no row."""

    rhs: Any
    lhs: Any

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        field = self.lhs.output_field
        try:
            field = getattr(field, "target_field", None) or field
        except FieldError:  # a key of several columns: nothing to bound
            return super().process_rhs(compiler, connection)  # type: ignore[misc]
        internal_type = field.get_internal_type()
        if self.rhs_is_direct_value() and internal_type in connection.ops.integer_field_ranges:  # type: ignore[attr-defined]
            low, high = connection.ops.integer_field_range(internal_type)
            try:
                values = list(self.rhs)
            except TypeError:
                values = None
            if values is not None:
                kept = [
                    value
                    for value in values
                    if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
                ]
                if len(kept) != len(values):
                    if not kept:
                        raise EmptyResultSet
                    self.rhs = kept
        return super().process_rhs(compiler, connection)  # type: ignore[misc]


class IntegerFieldIn(_DropOutOfRange, In):
    pass


class RelatedIntegerIn(_DropOutOfRange, RelatedIn):
    pass


class RelatedIntegerExact(RelatedExact):
    """``unit_id=…`` on a foreign key: an integer its column cannot hold matches no row (as ``pk=…`` does)."""

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        field = self.lhs.output_field
        try:
            field = getattr(field, "target_field", None) or field
        except FieldError:
            return super().process_rhs(compiler, connection)
        internal_type = field.get_internal_type()
        if isinstance(self.rhs, int) and internal_type in connection.ops.integer_field_ranges:
            low, high = connection.ops.integer_field_range(internal_type)
            if (low is not None and self.rhs < low) or (high is not None and self.rhs > high):
                raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def register_lookups() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
    ForeignObject.register_lookup(RelatedIntegerIn)
    ForeignObject.register_lookup(RelatedIntegerExact)


__all__ = [
    "MAX_ID",
    "IntegerFieldIn",
    "ObjectId",
    "RelatedIntegerExact",
    "RelatedIntegerIn",
    "parse_id",
    "register_lookups",
]
