"""Framework endpoints (read-only): the frameworks the caller may read and their criteria trees.

Every endpoint starts from :mod:`cchc.frameworks.access`, exactly like the
pages: a framework outside what the caller reads answers 404.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from cchc.lib.schemas import Line
from cchc.lib.validators import MAX_YEAR, MIN_YEAR
from cchc.organisations.schemas import ErrorOut

from . import selectors
from .access import get_framework_for_user, get_frameworks_for_user
from .models import Framework

router = Router(tags=["Bộ tiêu chí"])
_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class FrameworkFilters(Schema):
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, description="Chỉ các bộ tiêu chí của năm này.")
    unit_kind: Line | None = Field(None, description="Loại đơn vị áp dụng, ví dụ `department` hoặc `commune`.")


class UnitRefOut(Schema):
    id: int
    code: str
    name: str


class FrameworkOut(Schema):
    id: int
    name: str
    year: int
    unit_kind: str
    owner: UnitRefOut | None = Field(None, description="Đơn vị ban hành; trống là bộ dùng chung.")
    scale: Decimal
    decision_reference: str
    is_sample: bool = Field(description="Bộ mẫu để tham khảo, không phải bộ tiêu chí chính thức của tỉnh.")
    based_on_id: int | None
    is_locked: bool = Field(description="Đang dùng trong kỳ đánh giá đã bắt đầu: không còn được thay đổi.")
    updated_at: datetime.datetime


class CriterionOut(Schema):
    id: int
    parent_id: int | None
    code: str
    position: int
    depth: int
    title: str
    max_points: Decimal
    category: str = Field(description="`base` (trong thang điểm), `bonus` (điểm thưởng) hoặc `penalty` (điểm trừ).")
    is_leaf: bool
    scoring_guide: str
    evidence_requirement: str
    lead_unit: UnitRefOut | None
    rule_kind: str
    rule_params: dict[str, Any]
    rule_text: str = Field(description="Cách chấm diễn đạt bằng lời (chỉ với tiêu chí không có tiêu chí con).")


class ProblemOut(Schema):
    severity: str = Field(description="`error` hoặc `warning`.")
    code: str
    criterion_id: int | None
    message: str


class FrameworkDetailOut(FrameworkOut):
    notes: str
    criteria: list[CriterionOut] = Field(description="Các tiêu chí theo thứ tự cây; cấp trên đứng trước cấp dưới.")
    problems: list[ProblemOut]


def _framework(framework: Framework, *, locked: bool) -> dict[str, Any]:
    owner = framework.owner
    return {
        "id": framework.pk,
        "name": framework.name,
        "year": framework.year,
        "unit_kind": framework.unit_kind,
        "owner": {"id": owner.pk, "code": owner.code, "name": owner.name} if owner else None,
        "scale": framework.scale,
        "decision_reference": framework.decision_reference,
        "is_sample": framework.is_sample,
        "based_on_id": framework.based_on_id,
        "is_locked": locked,
        "updated_at": framework.updated_at,
    }


@router.get(
    "/",
    response={200: list[FrameworkOut], **_ERRORS},
    summary="Danh sách bộ tiêu chí",
    description="Các bộ tiêu chí người gọi được xem, mới nhất trước; lọc theo năm và loại đơn vị áp dụng.",
)
def framework_list(request: HttpRequest, filters: Query[FrameworkFilters]) -> list[dict[str, Any]]:
    user = request.auth  # type: ignore[attr-defined]
    frameworks = get_frameworks_for_user(user).select_related("owner").order_by("-year", "unit_kind", "name")
    if filters.year is not None:
        frameworks = frameworks.filter(year=filters.year)
    if filters.unit_kind:
        frameworks = frameworks.filter(unit_kind=filters.unit_kind)
    rows = list(frameworks)
    locked = set(
        Framework.objects.filter(pk__in=[f.pk for f in rows])
        .filter(rounds__isnull=False)
        .exclude(rounds__stage="draft")
        .values_list("pk", flat=True)
    )
    return [_framework(framework, locked=framework.pk in locked) for framework in rows]


@router.get(
    "/{framework_id}",
    response={200: FrameworkDetailOut, **_ERRORS},
    summary="Chi tiết bộ tiêu chí và cây tiêu chí",
    description=(
        "Bộ tiêu chí với toàn bộ tiêu chí (danh sách phẳng theo thứ tự cây, mỗi tiêu chí có `parent_id`), "
        "quy tắc chấm điểm máy đọc được (`rule_kind`, `rule_params`) và các lỗi, lưu ý khi kiểm tra bộ tiêu chí."
    ),
)
def framework_detail(request: HttpRequest, framework_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    framework = get_framework_for_user(user, framework_id)
    problems = selectors.framework_validate(framework)
    criteria = []
    for row in selectors.tree_rows(framework):
        criterion = row.criterion
        lead = criterion.lead_unit
        criteria.append(
            {
                "id": criterion.pk,
                "parent_id": criterion.parent_id,
                "code": criterion.code,
                "position": criterion.position,
                "depth": criterion.depth,
                "title": criterion.title,
                "max_points": criterion.max_points,
                "category": criterion.category,
                "is_leaf": row.is_leaf,
                "scoring_guide": criterion.scoring_guide,
                "evidence_requirement": criterion.evidence_requirement,
                "lead_unit": {"id": lead.pk, "code": lead.code, "name": lead.name} if lead else None,
                "rule_kind": criterion.rule_kind,
                "rule_params": criterion.rule_params if row.is_leaf else {},
                "rule_text": row.rule_text,
            }
        )
    return {
        **_framework(framework, locked=framework.is_locked()),
        "notes": framework.notes,
        "criteria": criteria,
        "problems": [
            {"severity": p.severity, "code": p.code, "criterion_id": p.criterion_id, "message": p.message}
            for p in problems
        ],
    }
