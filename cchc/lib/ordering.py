"""Lists of units and people in Vietnamese order, the same on SQLite and PostgreSQL.

No database collation sorts Vietnamese correctly everywhere (code-point order puts "Phường Âu Cơ" after
"Xuân Hòa"), so names are ordered in Python with :func:`cchc.lib.text.sort_key`. A paginated list reads only
the primary keys and names of every row, orders them, and then reads the one page it shows in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .text import SortKey, sort_key

T = TypeVar("T")


def _row_key(values: Sequence[Any]) -> tuple[SortKey, ...]:
    return tuple(sort_key(str(value) if value is not None else "") for value in values)


def ordered_queryset_page(queryset: QuerySet[Any], fields: Sequence[str], number: Any, per_page: int) -> Page:
    """One page of ``queryset`` ordered by ``fields`` (names) in Vietnamese order, then by primary key.

    The page's ``object_list`` holds the model instances of that page with whatever ``queryset`` prefetches.
    Empty names sort by the following fields (a person without a full name by their user name).
    """
    rows = list(queryset.order_by().values_list("pk", *fields))
    rows.sort(key=lambda row: (_row_key([value for value in row[1:] if value]), row[0]))
    page = Paginator([row[0] for row in rows], per_page).get_page(number)
    ids = list(page.object_list)
    found = {item.pk: item for item in queryset.filter(pk__in=ids)}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page
