"""PAR INDEX results endpoints: a round's ranking, one unit's result with its criteria below max, points lost.

Read-only, through the same helpers as the result pages
(:func:`cchc.assessments.access.get_results_round_for_user`,
``can_view_unit_result``, ``can_view_all_round_results``): a round or unit the
caller may not see answers 404, the cross-unit analysis to a reader of one
unit only answers 403.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from cchc.accounts import roles
from cchc.assessments import access
from cchc.organisations.schemas import ErrorOut

from . import analysis
from .models import Assessment, Result
from .results import area_entry

router = Router(tags=["Kết quả Chỉ số CCHC"])

_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ChangeOut(Schema):
    previous_points: Decimal
    previous_index: Decimal
    previous_rank: int | None
    points_change: Decimal
    index_change: Decimal
    rank_change: int | None = Field(description="Dương: tăng bậc; âm: giảm bậc so với năm trước.")
    rank_label: str = Field(description="Ví dụ: “tăng 3 bậc”.")
    basis: str = Field(
        description="same: cùng đơn vị; predecessor: đơn vị trước đây; merged: bình quân các đơn vị hợp nhất."
    )
    predecessors: list[str]


class AreaOut(Schema):
    code: str
    title: str
    points: Decimal
    max_points: Decimal
    index_value: Decimal


class RankingRowOut(Schema):
    assessment_id: int
    unit_id: int
    unit_name: str
    total_points: Decimal
    max_points: Decimal
    index_value: Decimal = Field(description="Chỉ số CCHC (%) = điểm đạt / điểm tối đa × 100.")
    rank: int | None
    rank_tied: bool = Field(description="Đồng hạng với đơn vị khác.")
    grade: str
    areas: dict[str, Decimal | None] = Field(description="Chỉ số thành phần (%) theo mã lĩnh vực.")
    change: ChangeOut | None


class RankingGroupOut(Schema):
    unit_kind: str
    label: str
    rows: list[RankingRowOut]


class GapOut(Schema):
    criterion_id: int
    code: str
    title: str
    area_code: str
    max_points: Decimal
    final_score: Decimal | None
    points_lost: Decimal


class UnitResultOut(Schema):
    assessment_id: int
    unit_id: int
    unit_name: str
    total_points: Decimal | None
    max_points: Decimal | None
    index_value: Decimal | None
    rank: int | None
    rank_tied: bool
    grade: str
    areas: list[AreaOut]
    change: ChangeOut | None
    gaps: list[GapOut] = Field(description="Các tiêu chí chưa đạt điểm tối đa, theo thứ tự của bộ tiêu chí.")


class LoserOut(Schema):
    unit_name: str
    points_lost: Decimal


class CriterionLossOut(Schema):
    criterion_id: int
    code: str
    title: str
    area_code: str
    max_points: Decimal
    units: int
    units_at_max: int
    share_at_max: Decimal = Field(description="Tỷ lệ đơn vị đạt điểm tối đa (%).")
    total_points_lost: Decimal
    most_lost: list[LoserOut]


def _change(change: analysis.Change | None) -> dict[str, Any] | None:
    if change is None:
        return None
    return {
        "previous_points": change.previous_points,
        "previous_index": change.previous_index,
        "previous_rank": change.previous_rank,
        "points_change": change.points_change,
        "index_change": change.index_change,
        "rank_change": change.rank_change,
        "rank_label": change.rank_label,
        "basis": change.basis,
        "predecessors": list(change.predecessors),
    }


@router.get(
    "/rounds/{round_id}/ranking",
    response={200: list[RankingGroupOut], **_ERRORS},
    summary="Xếp hạng Chỉ số CCHC của một kỳ đánh giá",
)
def ranking(request: HttpRequest, round_id: int, kind: str = "") -> list[dict[str, Any]]:
    """The ranking by unit kind (``kind``: department, commune …; empty: every kind), with last year's change."""
    round_ = access.get_results_round_for_user(request.user, round_id)
    groups = analysis.ranking(round_, unit_kind=kind or None)
    return [
        {
            "unit_kind": group.unit_kind,
            "label": group.label,
            "rows": [
                {
                    "assessment_id": row.assessment_id,
                    "unit_id": row.unit_id,
                    "unit_name": row.unit_name,
                    "total_points": row.total_points,
                    "max_points": row.max_points,
                    "index_value": row.index_value,
                    "rank": row.rank,
                    "rank_tied": row.rank_tied,
                    "grade": row.grade,
                    "areas": {code: value for (code, _title), value in zip(group.areas, row.area_values, strict=True)},
                    "change": _change(row.change),
                }
                for row in group.rows
            ],
        }
        for group in groups
    ]


@router.get(
    "/rounds/{round_id}/units/{assessment_id}",
    response={200: UnitResultOut, **_ERRORS},
    summary="Kết quả của một đơn vị: chỉ số thành phần và các tiêu chí chưa đạt điểm tối đa",
)
def unit_result(request: HttpRequest, round_id: int, assessment_id: int) -> dict[str, Any]:
    round_ = access.get_results_round_for_user(request.user, round_id)
    assessment = Assessment.objects.select_related("unit", "round").filter(round=round_, pk=assessment_id).first()
    if assessment is None or not access.can_view_unit_result(request.user, round_, assessment.unit):
        raise Http404
    result = Result.objects.filter(assessment=assessment).first()
    titles = dict(assessment.framework.criteria.filter(parent__isnull=True).values_list("code", "title"))
    areas = []
    stored = result.area_indices if result and isinstance(result.area_indices, dict) else {}
    for code in sorted(stored, key=analysis._natural):
        entry = area_entry(stored, code)
        if entry is not None:
            areas.append(
                {
                    "code": code,
                    "title": titles.get(code, ""),
                    "points": entry.points,
                    "max_points": entry.max_points,
                    "index_value": entry.index_value,
                }
            )
    change = analysis.year_over_year(round_).get(assessment.pk) if result else None
    return {
        "assessment_id": assessment.pk,
        "unit_id": assessment.unit_id,
        "unit_name": assessment.unit.name,
        "total_points": result.total_points if result else None,
        "max_points": result.max_points if result else None,
        "index_value": result.index_value if result else None,
        "rank": result.rank if result else None,
        "rank_tied": bool(result and result.rank_tied),
        "grade": result.grade if result else "",
        "areas": areas,
        "change": _change(change),
        "gaps": [
            {
                "criterion_id": gap.criterion.id,
                "code": gap.criterion.code,
                "title": gap.criterion.title,
                "area_code": gap.area.code,
                "max_points": gap.max_points,
                "final_score": gap.final_score,
                "points_lost": gap.lost,
            }
            for gap in analysis.unit_gaps(assessment)
        ],
    }


@router.get(
    "/rounds/{round_id}/points-lost",
    response={200: list[CriterionLossOut], **_ERRORS},
    summary="Điểm bị mất theo tiêu chí trên toàn bộ các đơn vị",
)
def points_lost(request: HttpRequest, round_id: int) -> list[dict[str, Any]]:
    round_ = access.get_results_round_for_user(request.user, round_id)
    roles.require(access.can_view_all_round_results(request.user, round_))
    return [
        {
            "criterion_id": row.criterion.id,
            "code": row.criterion.code,
            "title": row.criterion.title,
            "area_code": row.area.code,
            "max_points": row.criterion.max_points,
            "units": row.loss.units,
            "units_at_max": row.loss.at_max,
            "share_at_max": row.loss.share_at_max,
            "total_points_lost": row.loss.total_lost,
            "most_lost": [{"unit_name": name, "points_lost": lost} for lost, name in row.losers],
        }
        for row in analysis.round_points_lost(round_)
    ]
