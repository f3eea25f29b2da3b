"""Indicator store endpoints: definitions, targets, values (filtered by indicator, period, unit and its subtree), and
writing a value.

Every endpoint starts from :mod:`cchc.indicators.access`, exactly like the pages: a reader gets the values of the units
they may read, drafts and returned values only of their own units. Writing follows the source of the value: the
secretariat (in its scope) and administrators publish computed or imported values, accepted at once; a unit's focal
point creates or corrects the draft of a value its unit enters, and sends it for review on the pages.
"""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from cchc.accounts import roles
from cchc.lib.errors import ServiceError
from cchc.lib.ids import MAX_ID
from cchc.lib.periods import Period
from cchc.lib.schemas import InputSchema, Line, Number
from cchc.lib.types import Actor, Viewer
from cchc.organisations.models import Unit, subtree_condition
from cchc.organisations.schemas import ErrorOut

from . import access, services
from .models import EntryMode, Indicator, IndicatorValue, Target, ValueOrigin

router = Router(tags=["Chỉ số, chỉ tiêu"])

_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="Số bản ghi mỗi trang (tối đa 1000).")
        offset: int = Field(0, ge=0, le=MAX_ID, description="Bỏ qua bao nhiêu bản ghi đầu tiên.")


class IndicatorOut(Schema):
    id: int
    code: str = Field(description="Mã chỉ số, ổn định, dùng để lọc và ghi số liệu.")
    name: str
    description: str
    measure: str = Field(description="`percent`, `count`, `score` hoặc `days`.")
    higher_is_better: bool
    entry: str = Field(description="Ai cung cấp số liệu: `computed` (hệ thống tính), `imported`, `unit` (đơn vị nhập).")
    source: str
    period_kind: str = Field(description="Kỳ báo cáo: `month`, `quarter`, `half`, `year`.")
    unit_kind: str = Field(description="Loại đơn vị áp dụng; rỗng là mọi loại.")
    group: str
    basis: str


class IndicatorFilters(InputSchema):
    entry: Literal["computed", "imported", "unit"] | None = Field(None, description="Chỉ các chỉ số có cách này.")
    group: Line | None = Field(None, description="Chỉ các chỉ số của nhóm này.")
    q: Line | None = Field(None, max_length=100, description="Tìm trong mã và tên.")


class ValueOut(Schema):
    id: int
    indicator: str = Field(alias="indicator.code", description="Mã chỉ số.")
    unit_id: int
    unit_code: str = Field(alias="unit.code")
    unit: str = Field(alias="unit.name")
    period_key: str = Field(description="Kỳ: `2026`, `2026-H1`, `2026-Q1`, `2026-03`.")
    period_kind: str
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    note: str
    origin: str = Field(description="`computed`, `imported` hoặc `entered` (đơn vị nhập).")
    state: str = Field(description="`draft`, `submitted`, `accepted` hoặc `returned`.")
    return_reason: str
    updated_at: datetime.datetime


class ValueFilters(InputSchema):
    indicator: Line | None = Field(None, description="Mã chỉ số, ví dụ `pakn.received`.")
    period: Line | None = Field(None, description="Một kỳ: `2026`, `2026-H1`, `2026-Q1`, `2026-03`.")
    year: int | None = Field(None, ge=1900, le=2200, description="Các kỳ bắt đầu trong năm này.")
    unit: Line | None = Field(None, description="Mã đơn vị.")
    subtree: bool = Field(False, description="`true`: cả các đơn vị trực thuộc của `unit`.")
    state: Literal["draft", "submitted", "accepted", "returned"] | None = Field(None, description="Trạng thái.")


class TargetOut(Schema):
    id: int
    indicator: str = Field(alias="indicator.code")
    year: int = Field(description="Năm áp dụng (năm đầu của chỉ tiêu tăng dần).")
    unit_id: int | None = Field(description="Chỉ tiêu của một đơn vị; trống là chỉ tiêu chung hoặc theo loại.")
    unit_code: str | None
    unit_kind: str = Field(description="Chỉ tiêu cho mọi đơn vị loại này; rỗng là chung.")
    value: Decimal
    step: Decimal | None = Field(description="Mức tăng (hoặc giảm, theo chiều tốt) mỗi năm sau năm đầu.")
    cap: Decimal | None = Field(description="Mức tối đa (hoặc tối thiểu) của chỉ tiêu tăng dần.")
    note: str

    @staticmethod
    def resolve_unit_code(obj: Target) -> str | None:
        return obj.unit.code if obj.unit else None


class TargetFilters(InputSchema):
    indicator: Line | None = Field(None, description="Mã chỉ số.")
    year: int | None = Field(None, ge=1900, le=2200, description="Các chỉ tiêu đặt cho năm này.")


class ValueIn(InputSchema):
    indicator: Line = Field(description="Mã chỉ số.")
    unit: Line = Field(description="Mã đơn vị.")
    period: Line = Field(description="Kỳ theo kỳ báo cáo của chỉ số: `2026`, `2026-H1`, `2026-Q1`, `2026-03`.")
    value: Number
    numerator: Number | None = Field(None, description="Tử số (cùng mẫu số, hoặc bỏ trống cả hai).")
    denominator: Number | None = None
    note: Line = Field("", max_length=300, description="Ghi chú nguồn, cách tính.")
    origin: Literal["computed", "imported", "entered"] = Field(
        "entered",
        description=(
            "`computed`, `imported`: cơ quan thường trực (trong phạm vi) và quản trị công bố số liệu, xác nhận ngay. "
            "`entered`: đầu mối của đơn vị lưu bản nháp số liệu đơn vị nhập (chỉ số có cách `unit`)."
        ),
    )


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _indicator(user: Viewer, code: str) -> Indicator:
    indicator = access.get_indicators_for_user(user).filter(code=code.strip()).first()
    if indicator is None:
        raise Http404
    return indicator


def _unit(user: Viewer, code: str) -> Unit:
    unit = roles.get_units_for_user(user).filter(code=code.strip()).first()
    if unit is None:
        raise Http404
    return unit


def _period(key: str) -> Period:
    try:
        return Period.from_key(key)
    except ValueError as exc:
        raise ServiceError(
            _("Kỳ “%(key)s” không hợp lệ; ghi theo dạng 2026, 2026-H1, 2026-Q1 hoặc 2026-03.") % {"key": key[:20]},
            field="period",
        ) from exc


@router.get(
    "/",
    response={200: list[IndicatorOut], **_ERRORS},
    summary="Danh sách chỉ số",
    operation_id="indicators_list",
)
def indicator_list(request: HttpRequest, filters: Query[IndicatorFilters]) -> QuerySet[Indicator]:
    indicators = access.get_indicators_for_user(_user(request)).order_by("code")
    if filters.entry:
        indicators = indicators.filter(entry=filters.entry)
    if filters.group:
        indicators = indicators.filter(group=filters.group)
    if filters.q:
        indicators = indicators.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q))
    return indicators


@router.get(
    "/values",
    response={200: list[ValueOut], **_ERRORS},
    summary="Số liệu chỉ số",
    description=(
        "Số liệu của các đơn vị người gọi được xem: số liệu đã gửi và đã xác nhận của các đơn vị trong phạm vi, bản "
        "nháp và số liệu bị trả lại chỉ của đơn vị mình. Lọc theo mã chỉ số, kỳ hoặc năm, mã đơn vị (`subtree=true`: "
        "cả đơn vị trực thuộc) và trạng thái."
    ),
    operation_id="indicators_values_list",
)
@paginate(Pagination)
def value_list(request: HttpRequest, filters: Query[ValueFilters]) -> QuerySet[IndicatorValue]:
    user = _user(request)
    values = access.get_values_for_user(user).select_related("indicator", "unit")
    if filters.indicator:
        values = values.filter(indicator=_indicator(user, filters.indicator))
    if filters.period:
        values = values.filter(period_key=_period(filters.period).key)
    if filters.year is not None:
        values = values.filter(period_start__year=filters.year)
    if filters.unit:
        unit = _unit(user, filters.unit)
        values = values.filter(subtree_condition([unit.path], "unit") if filters.subtree else Q(unit=unit))
    if filters.state:
        values = values.filter(state=filters.state)
    return values.order_by("indicator__code", "period_start", "period_key", "unit__path", "pk")


@router.get(
    "/targets",
    response={200: list[TargetOut], **_ERRORS},
    summary="Chỉ tiêu",
    description="Chỉ tiêu theo năm cho một đơn vị, một loại đơn vị hoặc chung; chỉ tiêu tăng dần có `step`, `cap`.",
    operation_id="indicators_targets_list",
)
@paginate(Pagination)
def target_list(request: HttpRequest, filters: Query[TargetFilters]) -> QuerySet[Target]:
    user = _user(request)
    targets = Target.objects.filter(indicator__in=access.get_indicators_for_user(user)).select_related(
        "indicator", "unit"
    )
    if filters.indicator:
        targets = targets.filter(indicator=_indicator(user, filters.indicator))
    if filters.year is not None:
        targets = targets.filter(year=filters.year)
    return targets.order_by("indicator__code", "year", "unit_kind", "unit__path", "pk")


def _conflict(exc: ServiceError) -> ServiceError:
    """A value that is locked (sent, accepted) or entered by the unit: 409, not a wrong request."""
    return ServiceError(exc.message, code="conflict", field=exc.field)


def _publish(user: Actor, payload: ValueIn, indicator: Indicator, unit: Unit, period: Period) -> IndicatorValue:
    roles.require(access.can_publish_value(user, unit))
    if payload.origin == ValueOrigin.IMPORTED and period.kind.value != indicator.period_kind:
        raise ServiceError(_("Chỉ số này báo cáo theo kỳ khác."), field="period")
    amount, top, bottom = services.check_value(indicator, payload.value, payload.numerator, payload.denominator)
    current = IndicatorValue.objects.filter(indicator=indicator, unit=unit, period_key=period.key).first()
    if current is not None and current.origin == ValueOrigin.ENTERED:
        raise _conflict(
            ServiceError(
                _("Kỳ này đã có giá trị do đơn vị nhập (%(state)s); không ghi đè.")
                % {"state": current.get_state_display()}
            )
        )
    return services.value_publish(
        actor=user,
        indicator=indicator,
        unit=unit,
        period=period,
        value=amount,
        numerator=top,
        denominator=bottom,
        note=payload.note,
        origin=payload.origin,
    )


@router.post(
    "/values",
    response={200: ValueOut, **_ERRORS},
    summary="Ghi số liệu",
    description=(
        "`origin` = `computed` hoặc `imported`: cơ quan thường trực (đơn vị trong phạm vi) và quản trị công bố số "
        "liệu, được xác nhận ngay (không ghi đè số liệu do đơn vị nhập: 409). `origin` = `entered`: đầu mối của đơn "
        "vị tạo hoặc sửa bản nháp của chỉ số do đơn vị nhập; số liệu đã gửi hoặc đã xác nhận không sửa được (409). "
        "Bản nháp được gửi xác nhận trên trang, kèm minh chứng."
    ),
    operation_id="indicators_values_write",
)
def value_write(request: HttpRequest, payload: ValueIn) -> IndicatorValue:
    user = _user(request)
    services.pakn_indicators_ensure()
    indicator = _indicator(user, payload.indicator)
    unit = _unit(user, payload.unit)
    period = _period(payload.period)
    if payload.origin != ValueOrigin.ENTERED:
        value = _publish(user, payload, indicator, unit, period)
    else:
        if indicator.entry != EntryMode.UNIT:
            raise ServiceError(
                _("Chỉ số “%(code)s” không do đơn vị nhập (%(entry)s).")
                % {"code": indicator.code, "entry": indicator.get_entry_display()},
                field="origin",
            )
        roles.require(access.can_enter_value(user, indicator, unit))
        try:
            value = services.value_save(
                actor=user,
                indicator=indicator,
                unit=unit,
                period=period,
                value=payload.value,
                numerator=payload.numerator,
                denominator=payload.denominator,
                note=payload.note,
            )
        except ServiceError as exc:
            if exc.code in ("locked", "already"):
                raise _conflict(exc) from exc
            raise
    return IndicatorValue.objects.select_related("indicator", "unit").get(pk=value.pk)


__all__ = ["router"]
