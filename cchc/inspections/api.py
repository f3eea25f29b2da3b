"""Inspection register endpoints: the plans, inspections and findings the caller may read (the same rules as the
pages: a unit gets only the inspections of its own units in plans in force)."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from cchc.lib.ids import MAX_ID
from cchc.lib.schemas import InputSchema
from cchc.organisations.schemas import ErrorOut

from . import access, selectors
from .models import Finding, Inspection, InspectionPlan

router = Router(tags=["Kiểm tra cải cách hành chính"])

_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="Số bản ghi mỗi trang (tối đa 1000).")
        offset: int = Field(0, ge=0, le=MAX_ID, description="Bỏ qua bao nhiêu bản ghi đầu tiên.")


class YearFilter(InputSchema):
    year: int | None = Field(None, ge=1900, le=2200, description="Chỉ năm này.")


class PlanOut(Schema):
    id: int
    year: int
    title: str
    reference: str
    status: str = Field(description="`draft`, `approved` (đang thực hiện) hoặc `closed`.")
    organiser_code: str = Field(alias="organiser.code")
    organiser: str = Field(alias="organiser.name")


class InspectionOut(Schema):
    id: int
    plan_id: int
    year: int = Field(alias="plan.year")
    unit_code: str = Field(alias="unit.code")
    unit: str = Field(alias="unit.name")
    planned_on: datetime.date
    done_on: datetime.date | None
    team: str
    findings: int = Field(alias="finding_count")
    remedied: int = Field(alias="remedied_count")


class FindingOut(Schema):
    id: int
    inspection_id: int
    unit_code: str = Field(alias="inspection.unit.code")
    kind: str = Field(description="`recommendation` (kiến nghị) hoặc `shortcoming` (tồn tại, hạn chế).")
    content: str
    deadline: datetime.date
    task_id: int | None
    remedied: bool = Field(description="Nhiệm vụ khắc phục đã được xác nhận hoàn thành.")


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get(
    "/plans", response={200: list[PlanOut], **_ERRORS}, summary="Kế hoạch kiểm tra", operation_id="inspection_plans"
)
@paginate(Pagination)
def plan_list(request: HttpRequest, filters: Query[YearFilter]) -> QuerySet[InspectionPlan]:
    plans = access.get_plans_for_user(_user(request)).order_by("-year", "pk")
    return plans.filter(year=filters.year) if filters.year else plans


@router.get(
    "/", response={200: list[InspectionOut], **_ERRORS}, summary="Cuộc kiểm tra", operation_id="inspection_list"
)
@paginate(Pagination)
def inspection_list(request: HttpRequest, filters: Query[YearFilter]) -> QuerySet[Inspection]:
    inspections = access.get_inspections_for_user(_user(request))
    if filters.year:
        inspections = inspections.filter(plan__year=filters.year)
    return selectors.plan_inspections_of(inspections).order_by("-plan__year", "pk")


@router.get(
    "/findings",
    response={200: list[FindingOut], **_ERRORS},
    summary="Kiến nghị, tồn tại",
    operation_id="inspection_findings",
)
@paginate(Pagination)
def finding_list(request: HttpRequest, filters: Query[YearFilter]) -> QuerySet[Finding]:
    findings = access.get_findings_for_user(_user(request))
    if filters.year:
        findings = findings.filter(inspection__plan__year=filters.year)
    return selectors.finding_rows(findings).order_by("pk")
