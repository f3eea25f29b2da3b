"""Units endpoints (read-only): the unit tree as the caller may see it.

Every endpoint starts from :mod:`cchc.organisations.access`, so the API shows
exactly the units the web pages show; a unit outside the caller's view
answers 404, as if it did not exist.
"""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from cchc.accounts.roles import get_units_for_user
from cchc.lib.ids import MAX_ID

from .access import get_unit_for_user
from .models import SuccessionKind, Unit, UnitKind, UnitQuerySet, UnitSuccession
from .schemas import ErrorOut, SubtreeFilters, SuccessionOut, UnitDetailOut, UnitFilters, UnitOut, UnitRef
from .selectors import search

router = Router(tags=["Đơn vị"])

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# The columns the list schemas read; the rest of a unit row is never loaded.
_LIST_FIELDS = ("id", "name", "short_name", "code", "kind", "subtype", "parent_id", "depth", "valid_from", "valid_to")


class UnitPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Số đơn vị mỗi trang (tối đa {MAX_PAGE_SIZE})."
        )
        offset: int = Field(0, ge=0, le=MAX_ID, description="Bỏ qua bao nhiêu đơn vị đầu tiên.")


def _in_effect(units: UnitQuerySet, filters: UnitFilters | SubtreeFilters) -> UnitQuerySet:
    if filters.all:
        return units
    return units.active(filters.active_on)


@router.get(
    "/",
    response={200: list[UnitOut], **_ERRORS},
    summary="Danh sách đơn vị",
    description=(
        "Các đơn vị người gọi được xem, theo thứ tự cây (đơn vị cấp trên đứng trước các đơn vị trực thuộc). "
        f"Phân trang bằng `limit` (mặc định {PAGE_SIZE}, tối đa {MAX_PAGE_SIZE}) và `offset`."
    ),
)
@paginate(UnitPagination)
def unit_list(request: HttpRequest, filters: Query[UnitFilters]) -> UnitQuerySet:
    user = request.auth  # type: ignore[attr-defined]
    units = get_units_for_user(user)
    if filters.root is not None:
        root = get_unit_for_user(user, filters.root)
        units = units.subtree_of(root)
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.q:
        units = search(units, filters.q)
    return _in_effect(units, filters).only(*_LIST_FIELDS).order_by("path")


@router.get(
    "/{unit_id}",
    response={200: UnitDetailOut, **_ERRORS},
    summary="Chi tiết đơn vị",
    description="Thông tin đơn vị, các cấp trên, số đơn vị trực thuộc, đơn vị tiền thân và kế thừa.",
)
def unit_detail(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    unit = get_unit_for_user(user, unit_id)
    visible = get_units_for_user(user)
    ancestors = visible.filter(pk__in=unit.ancestor_ids).order_by("depth").only("id", "name")
    links = (
        UnitSuccession.objects.filter(Q(successor=unit) | Q(predecessor=unit))
        .filter(Q(predecessor__in=visible) & Q(successor__in=visible))
        .select_related("predecessor", "successor")
        .order_by("effective_date", "pk")
    )
    predecessors: list[SuccessionOut] = []
    successors: list[SuccessionOut] = []
    for link in links:
        if link.successor_id == unit.pk:
            predecessors.append(_succession(link.predecessor, link))
        else:
            successors.append(_succession(link.successor, link))
    return {
        **UnitOut.from_orm(unit).model_dump(),
        "ancestors": [UnitRef(id=ancestor.pk, name=ancestor.name) for ancestor in ancestors],
        "children_count": visible.active().filter(parent=unit).count(),
        "predecessors": predecessors,
        "successors": successors,
    }


def _succession(other: Unit, link: UnitSuccession) -> SuccessionOut:
    return SuccessionOut(
        id=other.pk,
        name=other.name,
        unit_kind=UnitKind(other.kind),
        kind=SuccessionKind(link.kind),
        effective_date=link.effective_date,
    )


@router.get(
    "/{unit_id}/subtree",
    response={200: list[UnitOut], **_ERRORS},
    summary="Cây đơn vị trực thuộc",
    description=(
        "Đơn vị này và toàn bộ các đơn vị trực thuộc (mọi cấp) trong một danh sách phẳng theo thứ tự cây; "
        "dựng lại cây bằng `parent_id` và `depth`."
    ),
)
def unit_subtree(request: HttpRequest, unit_id: int, filters: Query[SubtreeFilters]) -> UnitQuerySet:
    user = request.auth  # type: ignore[attr-defined]
    unit = get_unit_for_user(user, unit_id)
    units = get_units_for_user(user).subtree_of(unit)
    return _in_effect(units, filters).only(*_LIST_FIELDS).order_by("path")
