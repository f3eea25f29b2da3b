"""Initiative register endpoints: the initiatives the caller may read (a unit: its own, and other units' recognised
ones only)."""

import datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from cchc.lib.ids import MAX_ID
from cchc.lib.schemas import InputSchema, Line
from cchc.organisations.schemas import ErrorOut

from . import access
from .models import Initiative

router = Router(tags=["Sáng kiến, giải pháp cải cách hành chính"])

_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="Số bản ghi mỗi trang (tối đa 1000).")
        offset: int = Field(0, ge=0, le=MAX_ID, description="Bỏ qua bao nhiêu bản ghi đầu tiên.")


class InitiativeFilters(InputSchema):
    year: int | None = Field(None, ge=1900, le=2200, description="Chỉ năm này.")
    unit: Line | None = Field(None, description="Mã đơn vị.")
    status: Literal["proposed", "recognised", "applied", "not_recognised"] | None = Field(
        None, description="Trạng thái."
    )


class InitiativeOut(Schema):
    id: int
    year: int
    unit_code: str = Field(alias="unit.code")
    unit: str = Field(alias="unit.name")
    title: str
    description: str
    status: str = Field(description="`proposed`, `recognised`, `applied` hoặc `not_recognised`.")
    level: str = Field(description="Cấp công nhận: `unit`, `province`, `ministry`; rỗng khi chưa công nhận.")
    recognised_on: datetime.date | None
    recognition_reference: str
    applied_on: datetime.date | None
    refused_on: datetime.date | None = Field(description="Ngày quyết định không công nhận (nếu có).")
    refusal_reason: str = Field(description="Lý do không công nhận; rỗng khi không áp dụng.")


@router.get(
    "/", response={200: list[InitiativeOut], **_ERRORS}, summary="Sáng kiến, giải pháp", operation_id="initiative_list"
)
@paginate(Pagination)
def initiative_list(request: HttpRequest, filters: Query[InitiativeFilters]) -> QuerySet[Initiative]:
    initiatives = access.get_initiatives_for_user(request.auth).order_by("-year", "pk")  # type: ignore[attr-defined]
    if filters.year:
        initiatives = initiatives.filter(year=filters.year)
    if filters.unit:
        initiatives = initiatives.filter(unit__code=filters.unit.strip())
    if filters.status:
        initiatives = initiatives.filter(status=filters.status)
    return initiatives
