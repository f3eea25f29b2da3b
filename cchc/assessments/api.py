"""PAR INDEX endpoints: rounds, a unit's assessment with scores and evidence metadata, self-score and appraisal writes.

Every endpoint starts from :mod:`cchc.assessments.access`, as the web pages do: a round or assessment the
caller may not read answers 404; a write the caller may not make answers 403; a rule of the cycle (locked
sheet, bad points) answers 400 and a stale ``version`` 409, all in the one error shape of the API.

Score writes go through the services the pages use and take the same entries: the self-score of a leaf is what its
rule asks for (points for a manual leaf, a choice or a rate otherwise, nothing for a leaf computed from data), and
the points of a rule-driven leaf are computed by the service, never sent.

``results_router`` (mounted at ``/api/results``) reads a round's results: its ranking, one unit's result with its
criteria below the maximum, and the points lost. Read-only, through the same helpers as the result pages
(:func:`cchc.assessments.access.get_results_round_for_user`, ``can_view_unit_result``,
``can_view_all_round_results``): a round or unit the caller may not see answers 404, the cross-unit analysis to a
reader of one unit only answers 403. Its operation ids keep the names they had when it was a module of its own.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import DecimalField
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from cchc.accounts import roles
from cchc.assessments import access
from cchc.frameworks.rule_inputs import rule_of
from cchc.lib import page_cache
from cchc.lib.prepared import PreparedValues
from cchc.lib.schemas import InputSchema, Line, Number, Text
from cchc.organisations.schemas import ErrorOut

from . import analysis, selectors, services
from .models import Assessment, AssessmentStatus, Evidence, Result, Round, Score, Stage
from .results import area_entry

router = Router(tags=["Chỉ số CCHC"])

_READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}
_WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class RoundOut(Schema):
    id: int
    name: str
    year: int
    organiser_id: int
    stage: Stage = Field(
        description="Giai đoạn: draft, self_assessment, appraisal, explanation, council, published, closed."
    )
    self_assessment_deadline: datetime.date | None
    appraisal_deadline: datetime.date | None
    explanation_deadline: datetime.date | None
    council_deadline: datetime.date | None
    publication_date: datetime.date | None = Field(description="Ngày công bố dự kiến.")
    published_at: datetime.datetime | None = Field(
        description="Lúc kỳ đánh giá được công bố (chuyển sang “Đã công bố”)."
    )
    is_public: bool
    approved_at: datetime.datetime | None = Field(description="Lúc hội đồng thẩm định thông qua kết quả.")


class AssessmentSummaryOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    framework_id: int
    status: AssessmentStatus
    submitted_at: datetime.datetime | None
    is_late: bool = Field(description="Nộp sau hạn tự đánh giá.")
    leaves_done: int = Field(description="Số tiêu chí đã tự chấm và có tài liệu kiểm chứng (hoặc giải thích).")
    leaves_total: int
    leaves_appraised: int = Field(
        description="Số tiêu chí đã được thẩm định (đồng ý hoặc điều chỉnh); phiếu “Đã thẩm định” khi bằng "
        "`leaves_total`."
    )
    status_text: str = Field(description="Trạng thái như trên giao diện, ví dụ “Đã nộp (muộn)”.")
    deadline: datetime.date | None = Field(description="Hạn tự đánh giá được gia hạn riêng cho đơn vị.")
    closed_by_office: bool = Field(description="Cơ quan thường trực đóng phiếu thay đơn vị (nộp muộn).")
    approval_override_reason: str = Field(
        description="Lý do hội đồng thông qua khi phiếu chưa thẩm định đủ tiêu chí; rỗng nếu không có."
    )


class RoundDetailOut(RoundOut):
    framework_ids: list[int]
    assessments: list[AssessmentSummaryOut] = Field(description="Các phiếu người gọi được xem.")


class ScoreOut(Schema):
    id: int
    criterion_id: int
    code: str
    title: str
    max_points: Decimal
    rule_kind: str
    lead_unit_id: int | None
    rule_text: str = Field(description="Cách chấm của tiêu chí, dạng câu đọc được.")
    entry_field: str | None = Field(
        description="Trường gửi khi ghi điểm theo cách chấm của tiêu chí: `points` (chấm điểm trực tiếp), `choice` "
        "(có/không; đúng hạn/trễ hạn/không thực hiện) hoặc `value` (tỷ lệ %); null với tiêu chí tính tự động từ "
        "số liệu (`indicator`, `survey`)."
    )
    entry_choices: list[str] = Field(
        description="Các giá trị `choice` hợp lệ; rỗng khi tiêu chí không chấm theo lựa chọn."
    )
    step: Decimal = Field(description="Bước điểm khi gửi `points`.")
    self_score: Decimal | None = Field(
        description="Điểm tự chấm; với tiêu chí chấm theo quy tắc, điểm do hệ thống tính từ `self_value` hoặc "
        "`self_choice`."
    )
    self_value: Decimal | None = Field(description="Tỷ lệ (%) đơn vị kê khai, với tiêu chí chấm theo tỷ lệ.")
    self_choice: str = Field(
        description="Lựa chọn đơn vị kê khai: yes/no (có/không) hoặc on_time/late/missing (đúng hạn/trễ hạn/"
        "không thực hiện); rỗng khi nhập điểm trực tiếp."
    )
    self_note: str
    no_evidence_reason: str
    computed_value: Decimal | None = Field(description="Giá trị lấy từ kho chỉ số (tiêu chí chấm tự động).")
    computed_source: str
    appraised_score: Decimal | None = Field(
        description="Điểm thẩm định; khi tổ thẩm định gửi tỷ lệ hoặc lựa chọn, điểm do hệ thống tính từ "
        "`appraised_value` hoặc `appraised_choice`."
    )
    appraised_value: Decimal | None = Field(description="Tỷ lệ (%) tổ thẩm định xác định.")
    appraised_choice: str = Field(description="Lựa chọn tổ thẩm định xác định (như `self_choice`).")
    appraisal_reason: str
    final_score: Decimal | None
    version: int = Field(description="Gửi lại khi ghi điểm; khác phiên bản hiện tại thì bị từ chối (409).")
    updated_at: datetime.datetime
    evidence_ids: list[int]


class EvidenceOut(Schema):
    id: int
    title: str
    file_name: str
    file_size: int | None
    sha256: str = Field(description="Mã băm SHA-256 của tệp (rỗng với văn bản dẫn chiếu).")
    document_number: str
    document_date: datetime.date | None
    issuer: str
    link: str
    locked: bool = Field(description="Đã khóa khi nộp phiếu: không sửa, không xóa.")
    score_ids: list[int]


class AssessmentOut(AssessmentSummaryOut):
    round_id: int
    reopen_reason: str
    scores: list[ScoreOut]
    evidence: list[EvidenceOut]


_ENTRY_HELP = (
    " Gửi trường theo cách chấm (`rule_kind`, `entry_field`) của tiêu chí: `manual` gửi `points`; `yes_no` gửi "
    "`choice` = `yes`/`no`; `timeliness` gửi `choice` = `on_time`/`late`/`missing`; `bands` và `proportional` gửi "
    "`value` = tỷ lệ từ 0 đến 100 (%); điểm được tính theo quy tắc của tiêu chí."
)


class SelfScoreIn(InputSchema):
    """Only the fields sent change; a field sent as ``null`` is cleared; ``version`` is always required."""

    points: Number | None = Field(
        None,
        description="Điểm tự chấm (0 đến điểm tối đa, theo bước), chỉ với tiêu chí chấm điểm trực tiếp (`manual`); "
        "tiêu chí chấm theo quy tắc hoặc tính tự động không nhận `points` (400, mã `rule_input` hoặc `auto_score`). "
        "Không gửi trường nào trong `points`, `value`, `choice` thì giữ nguyên kết quả đã chấm; gửi `null` để xóa."
        + _ENTRY_HELP,
    )
    value: Number | None = Field(
        None, description="Tỷ lệ đạt (%), từ 0 đến 100, với tiêu chí chấm theo tỷ lệ (`bands`, `proportional`)."
    )
    choice: Line | None = Field(
        None,
        max_length=32,
        description="`yes`/`no` hoặc `on_time`/`late`/`missing`, theo cách chấm (xem `entry_choices`).",
        examples=["yes", "on_time"],
    )
    note: Text | None = Field(None, description="Thuyết minh; không gửi thì giữ nguyên, `null` hoặc rỗng để xóa.")
    no_evidence_reason: Text | None = Field(
        None, description="Bắt buộc khi tiêu chí không có tài liệu; không gửi thì giữ nguyên, `null` để xóa."
    )
    version: int = Field(description="Phiên bản đã đọc của điểm tiêu chí (bắt buộc); khác phiên bản hiện tại: 409.")


class AppraisalIn(InputSchema):
    accept: bool = Field(False, description="`true`: đồng ý điểm tự chấm.")
    points: Number | None = Field(
        None,
        description="Điểm thẩm định khi điều chỉnh (0 đến điểm tối đa, theo bước)." + _ENTRY_HELP + " Như trên "
        "trang thẩm định, tổ thẩm định vẫn được gửi `points` thay cho tỷ lệ hoặc lựa chọn của tiêu chí chấm theo "
        "quy tắc, và gửi `points` với tiêu chí tính tự động từ số liệu.",
    )
    value: Number | None = Field(None, description="Tỷ lệ đạt (%) thẩm định, từ 0 đến 100.")
    choice: Line | None = Field(
        None,
        max_length=32,
        description="`yes`/`no` hoặc `on_time`/`late`/`missing`, theo cách chấm (xem `entry_choices`).",
        examples=["no", "late"],
    )
    reason: Text = Field("", description="Bắt buộc khi điều chỉnh.")
    version: int = Field(description="Phiên bản đã đọc của điểm tiêu chí (bắt buộc); khác phiên bản hiện tại: 409.")


def _round_out(round_: Round) -> dict[str, Any]:
    return RoundOut.from_orm(round_).model_dump()


def _summary(assessment: Assessment, progress: tuple[int, int], appraised: int = 0) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "unit_id": assessment.unit_id,
        "unit_name": assessment.unit.name,
        "framework_id": assessment.framework_id,
        "status": assessment.status,
        "submitted_at": assessment.submitted_at,
        "is_late": assessment.is_late,
        "leaves_done": progress[0],
        "leaves_total": progress[1],
        "leaves_appraised": appraised,
        "status_text": assessment.status_text,
        "deadline": assessment.deadline,
        "closed_by_office": assessment.closed_by_office,
        "approval_override_reason": assessment.approval_override_reason,
    }


def _score_out(score: Score, evidence_ids: list[int]) -> dict[str, Any]:
    criterion = score.criterion
    rule = rule_of(criterion)
    return {
        "id": score.pk,
        "criterion_id": criterion.pk,
        "code": criterion.code,
        "title": criterion.title,
        "max_points": criterion.max_points,
        "rule_kind": criterion.rule_kind,
        "lead_unit_id": criterion.lead_unit_id,
        "rule_text": rule.text(),
        "entry_field": rule.entry_field,
        "entry_choices": [value for value, _points in rule.options()],
        "step": rule.step,
        "self_score": score.self_score,
        "self_value": score.self_value,
        "self_choice": score.self_choice,
        "self_note": score.self_note,
        "no_evidence_reason": score.no_evidence_reason,
        "computed_value": score.computed_value,
        "computed_source": score.computed_source,
        "appraised_score": score.appraised_score,
        "appraised_value": score.appraised_value,
        "appraised_choice": score.appraised_choice,
        "appraisal_reason": score.appraisal_reason,
        "final_score": score.final_score,
        "version": score.version,
        "updated_at": score.updated_at,
        "evidence_ids": evidence_ids,
    }


def _evidence_links(assessment: Assessment) -> list[tuple[int, int]]:
    through = Evidence.scores.through.objects.filter(evidence__assessment=assessment)
    return list(through.values_list("evidence_id", "score_id"))


@router.get("/rounds", response={200: list[RoundOut], **_READ_ERRORS}, summary="Danh sách kỳ đánh giá")
def round_list(request: HttpRequest) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    return access.get_rounds_for_user(user).order_by("-year", "name")


@router.get(
    "/rounds/{round_id}",
    response={200: RoundDetailOut, **_READ_ERRORS},
    summary="Chi tiết kỳ đánh giá",
    description="Thông tin kỳ, thời hạn và các phiếu tự đánh giá người gọi được xem (trạng thái, tiến độ, nộp muộn).",
)
def round_detail(request: HttpRequest, round_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    round_ = access.get_round_for_user(user, round_id)
    assessments = access.get_assessments_for_user(user).filter(round=round_)
    progress = selectors.progress_by_assessment(assessments)
    appraised = selectors.appraisal_progress_by_assessment(assessments)
    rows = selectors.by_unit_name(assessments.select_related("unit"))
    return {
        **_round_out(round_),
        "framework_ids": sorted(round_.frameworks.values_list("pk", flat=True)),
        "assessments": [_summary(row, progress.get(row.pk, (0, 0)), appraised.get(row.pk, (0, 0))[0]) for row in rows],
    }


@router.get(
    "/{assessment_id}",
    response={200: AssessmentOut, **_READ_ERRORS},
    summary="Phiếu tự đánh giá của một đơn vị",
    description="Điểm từng tiêu chí (tự chấm, thẩm định, điểm đạt, phiên bản) và thông tin tài liệu kiểm chứng.",
)
def assessment_detail(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    assessment = access.get_assessment_for_user(user, assessment_id)
    links = _evidence_links(assessment)
    by_score: dict[int, list[int]] = {}
    by_evidence: dict[int, list[int]] = {}
    for evidence_id, score_id in links:
        by_score.setdefault(score_id, []).append(evidence_id)
        by_evidence.setdefault(evidence_id, []).append(score_id)
    scores = assessment.scores.select_related("criterion").order_by("criterion__position", "pk")
    progress = selectors.progress_by_assessment(Assessment.objects.filter(pk=assessment.pk))
    return {
        **_summary(assessment, progress.get(assessment.pk, (0, 0)), selectors.appraisal_progress(assessment)[0]),
        "round_id": assessment.round_id,
        "reopen_reason": assessment.reopen_reason,
        "scores": [_score_out(score, sorted(by_score.get(score.pk, []))) for score in scores],
        "evidence": [
            {
                "id": item.pk,
                "title": item.title,
                "file_name": item.file_name,
                "file_size": item.file_size,
                "sha256": item.sha256,
                "document_number": item.document_number,
                "document_date": item.document_date,
                "issuer": item.issuer,
                "link": item.link,
                "locked": item.locked_at is not None,
                "score_ids": sorted(by_evidence.get(item.pk, [])),
            }
            for item in assessment.evidence.order_by("created_at", "pk")
        ],
    }


def _score_response(score: Score) -> dict[str, Any]:
    """The score as the service wrote it: the row it read locked and saved (not read again), its decimals given the
    places the database keeps, as a read of the row would give them."""
    for field in Score._meta.concrete_fields:
        value = getattr(score, field.attname)
        if isinstance(field, DecimalField) and value is not None:
            setattr(score, field.attname, Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places)))
    return _score_out(score, _EVIDENCE_OF_SCORE.all(score.pk))


# The evidence linked to a score, in the order of its key: on every score write, its statement built once per process.
_EVIDENCE_OF_SCORE = PreparedValues(
    Evidence.scores.through,
    lambda score_id: (
        Evidence.scores.through.objects.filter(score_id=score_id)
        .order_by("evidence_id")
        .values_list("evidence_id", flat=True)
    ),
)


@router.put(
    "/scores/{score_id}/self",
    response={200: ScoreOut, **_WRITE_ERRORS},
    summary="Ghi điểm tự chấm",
    description=(
        "Đầu mối CCHC của đơn vị ghi kết quả tự đánh giá, thuyết minh và giải thích khi không có tài liệu, như trên "
        "trang tự đánh giá: tiêu chí chấm điểm trực tiếp nhận `points`; tiêu chí chấm theo quy tắc nhận `choice` "
        "hoặc `value` (trường `entry_field` của tiêu chí) và điểm được tính theo quy tắc, gửi `points` bị từ chối "
        "(400, mã `rule_input`); tiêu chí tính tự động từ số liệu chỉ nhận thuyết minh (gửi điểm: 400, mã "
        "`auto_score`). `version` khác phiên bản hiện tại: 409, không thay đổi gì."
    ),
)
def score_self(request: HttpRequest, score_id: int, payload: SelfScoreIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    with transaction.atomic():
        # One statement reads the score, its sheet and round, and locks its row for the write (not read again).
        score = access.get_score_for_user(user, score_id, related=access.SCORE_WRITE_RELATED, for_update=True)
        roles.require(roles.is_focal_point_for(user, score.assessment.unit))
        sent = payload.model_fields_set
        rule = rule_of(score.criterion)
        rule.require_entry(points=payload.points)
        points = payload.points
        if rule.is_auto:
            points = score.self_score  # kept as computed from the data, as the page does
        score = services.score_self_set(
            actor=user,
            score=score,
            points=points,
            value=payload.value,
            choice=payload.choice,
            keep_entry=not sent & {"points", "value", "choice"},
            note=(payload.note or "") if "note" in sent else None,
            no_evidence_reason=(payload.no_evidence_reason or "") if "no_evidence_reason" in sent else None,
            version=payload.version,
            locked=True,
        )
        # The data versions written with the data, in the one commit: no statement after it (decision 42).
        page_cache.store_before_commit()
    return _score_response(score)


@router.put(
    "/scores/{score_id}/appraisal",
    response={200: ScoreOut, **_WRITE_ERRORS},
    summary="Ghi kết quả thẩm định",
    description=(
        "Thành viên tổ thẩm định thuộc cơ quan chủ trì tiêu chí đồng ý điểm tự chấm hoặc điều chỉnh điểm (bắt buộc "
        "ghi lý do), như trên trang thẩm định: gửi lựa chọn hoặc tỷ lệ theo cách chấm của tiêu chí (điểm được tính "
        "theo quy tắc) hoặc điểm thẩm định. `version` khác phiên bản hiện tại: 409, không thay đổi gì."
    ),
)
def score_appraisal(request: HttpRequest, score_id: int, payload: AppraisalIn) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    with transaction.atomic():
        # As for the self-score: one statement reads and locks the score for the write.
        score = access.get_score_for_user(user, score_id, related=access.SCORE_WRITE_RELATED, for_update=True)
        roles.require(access.leads_criterion(user, score.criterion, score.assessment.unit))
        score = services.score_appraise(
            actor=user,
            score=score,
            version=payload.version,
            accept=payload.accept,
            points=payload.points,
            value=payload.value,
            choice=payload.choice,
            reason=payload.reason,
            locked=True,
        )
        page_cache.store_before_commit()
    return _score_response(score)


# --- results -----------------------------------------------------------------------------------------------------

results_router = Router(tags=["Kết quả Chỉ số CCHC"])

_RESULT_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


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


@results_router.get(
    "/rounds/{round_id}/ranking",
    operation_id="cchc_assessments_api_results_ranking",
    response={200: list[RankingGroupOut], **_RESULT_ERRORS},
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


@results_router.get(
    "/rounds/{round_id}/units/{assessment_id}",
    operation_id="cchc_assessments_api_results_unit_result",
    response={200: UnitResultOut, **_RESULT_ERRORS},
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


@results_router.get(
    "/rounds/{round_id}/points-lost",
    operation_id="cchc_assessments_api_results_points_lost",
    response={200: list[CriterionLossOut], **_RESULT_ERRORS},
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
