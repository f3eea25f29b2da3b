"""External results endpoints (read-only): the published PAR INDEX, SIPAS and PAPI figures per province and year, and
one province's summary per item (rank, mean of the provinces, best, gaps, responsible units).

Mounted in ``cchc/api.py`` as ``/external``. Every endpoint starts from :mod:`cchc.indicators.access`: a province's
summary is readable by whoever may open its page (404 otherwise, as on the page); the list holds the provinces the
caller may list (every province for the secretariat and the administrators, who import them all; the caller's own
provinces for everyone else). Ranks and means are computed over every province with a figure, as on the pages.
"""

from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from cchc.lib.ids import MAX_ID
from cchc.lib.schemas import InputSchema, Line
from cchc.lib.validators import MAX_YEAR
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.schemas import ErrorOut

from . import access, external
from .models import IndicatorValue

router = Router(tags=["Kết quả PAR INDEX, SIPAS, PAPI"])

PAGE_SIZE = 200
MAX_PAGE_SIZE = 2000
_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
IndexKey = Literal["par", "sipas", "papi"]


class ResultPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Số kết quả mỗi trang (tối đa {MAX_PAGE_SIZE})."
        )
        offset: int = Field(0, ge=0, le=MAX_ID, description="Bỏ qua bao nhiêu kết quả đầu tiên.")


class ResultFilters(InputSchema):
    index: IndexKey | None = Field(None, description="Chỉ số: `par`, `sipas` hoặc `papi`.")
    year: int | None = Field(None, ge=external.FIRST_YEAR, le=MAX_YEAR, description="Năm của kết quả.")
    province: Line | None = Field(None, description="Mã đơn vị của tỉnh, thành phố.")


class ProvinceRef(Schema):
    id: int
    code: str
    name: str


class ResultOut(Schema):
    province: ProvinceRef
    index: str = Field(description="`par`, `sipas` hoặc `papi`.")
    code: str = Field(description="Mã nội dung trong danh mục, ví dụ `papi.d5`.")
    name: str
    maximum: Decimal
    year: int
    value: Decimal
    source: str = Field(description="Nguồn công bố ghi khi nhập.")

    @staticmethod
    def resolve_province(value: IndicatorValue) -> Unit:
        return value.unit

    @staticmethod
    def resolve_index(value: IndicatorValue) -> str:
        return external.ITEMS[value.indicator.code].index

    @staticmethod
    def resolve_code(value: IndicatorValue) -> str:
        return value.indicator.code

    @staticmethod
    def resolve_name(value: IndicatorValue) -> str:
        return external.indicator_name(external.ITEMS[value.indicator.code])

    @staticmethod
    def resolve_maximum(value: IndicatorValue) -> Decimal:
        return external.ITEMS[value.indicator.code].maximum

    @staticmethod
    def resolve_year(value: IndicatorValue) -> int:
        return int(value.period_key)

    @staticmethod
    def resolve_source(value: IndicatorValue) -> str:
        return value.note


class ResponsibleOut(Schema):
    unit: ProvinceRef
    lead: bool = Field(description="`true`: chủ trì; `false`: phối hợp.")


class ItemOut(Schema):
    code: str
    label: str = Field(description="Số thứ tự của nội dung (`5`, `1.2`); rỗng với điểm tổng.")
    name: str
    maximum: Decimal
    value: Decimal | None
    rank: int | None = Field(description="Thứ hạng theo kiểu thi đấu (1, 2, 2, 4).")
    rank_of: int | None = Field(description="Số tỉnh có kết quả của nội dung trong năm.")
    rank_shared: bool
    mean: Decimal | None = Field(description="Bình quân các tỉnh đã có kết quả trong hệ thống.")
    best: Decimal | None
    best_provinces: list[str]
    gap_to_mean: Decimal | None
    gap_to_best: Decimal | None
    change: Decimal | None = Field(description="So với năm trước gần nhất có kết quả của tỉnh.")
    responsible: list[ResponsibleOut]


class SummaryOut(Schema):
    province: ProvinceRef
    index: str
    year: int | None = Field(description="Năm được tóm tắt (mặc định năm gần nhất có kết quả của tỉnh).")
    years: list[int]
    items: list[ItemOut]


class SummaryFilters(InputSchema):
    year: int | None = Field(None, ge=external.FIRST_YEAR, le=MAX_YEAR, description="Năm cần xem.")


def _ref(unit: Unit) -> dict[str, Any]:
    return {"id": unit.pk, "code": unit.code, "name": unit.name}


@router.get(
    "/results",
    response={200: list[ResultOut], **_ERRORS},
    summary="Danh sách kết quả công bố",
    description=(
        "Kết quả PAR INDEX, SIPAS, PAPI theo tỉnh, năm và nội dung; lọc theo `index`, `year`, `province` (mã tỉnh). "
        f"Phân trang bằng `limit` (mặc định {PAGE_SIZE}, tối đa {MAX_PAGE_SIZE}) và `offset`."
    ),
)
@paginate(ResultPagination)
def result_list(request: HttpRequest, filters: Query[ResultFilters]) -> QuerySet[IndicatorValue]:
    user = request.auth  # type: ignore[attr-defined]
    if not access.can_view_external_results(user):
        raise PermissionDenied
    values = external.result_values(
        access.get_external_result_provinces_for_user(user),
        index=filters.index,
        year=filters.year,
        province_code=filters.province,
    )
    return values


@router.get(
    "/provinces/{province_code}/{index}",
    response={200: SummaryOut, **_ERRORS},
    summary="Tóm tắt kết quả của một tỉnh",
    description=(
        "Theo từng nội dung của chỉ số trong năm chọn: kết quả, thứ hạng, bình quân các tỉnh, cao nhất, khoảng cách "
        "và đơn vị chịu trách nhiệm."
    ),
)
def province_summary(
    request: HttpRequest, province_code: str, index: IndexKey, filters: Query[SummaryFilters]
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    unit = Unit.objects.filter(code=province_code[:50], kind=UnitKind.PROVINCE).only("pk").first()
    province = access.get_external_province_for_user(user, unit.pk if unit is not None else None)
    report = external.province_report(index=external.INDICES[index], province=province, year=filters.year)
    responsible = external.responsibilities_of(province)
    items = []
    for row in report.rows:
        items.append(
            {
                "code": row.item.code,
                "label": row.item.label,
                "name": str(row.item.name),
                "maximum": row.item.maximum,
                "value": row.value,
                "rank": row.rank.position if row.rank else None,
                "rank_of": row.rank.of if row.rank else None,
                "rank_shared": bool(row.rank and row.rank.shared),
                "mean": row.mean,
                "best": row.best,
                "best_provinces": [unit.name for unit in row.best_provinces],
                "gap_to_mean": row.gap_to_mean,
                "gap_to_best": row.gap_to_best,
                "change": row.change,
                "responsible": [
                    {"unit": _ref(duty.unit), "lead": duty.lead} for duty in responsible.get(row.item.code, [])
                ],
            }
        )
    return {
        "province": _ref(province),
        "index": index,
        "year": report.year,
        "years": report.years,
        "items": items,
    }
