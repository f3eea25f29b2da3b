"""Directives endpoints: directives, tasks, assignments (filtered), progress reports, acceptance, extraction.

Every endpoint starts from :mod:`cchc.directives.access` and writes through
:mod:`cchc.directives.services`, exactly like the pages.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from cchc.accounts import roles
from cchc.directives import access
from cchc.directives.forms import unit_choices_for
from cchc.extraction import to_json_dict
from cchc.frameworks.models import Criterion
from cchc.indicators.models import Indicator
from cchc.lib.api_cache import answer_cached_by_data_version
from cchc.lib.errors import ServiceError
from cchc.lib.ids import MAX_ID
from cchc.lib.periods import Period
from cchc.lib.schemas import Date, Id, InputSchema, Line, Text
from cchc.lib.types import Actor, Viewer
from cchc.organisations import access as organisations_access
from cchc.organisations.models import Unit
from cchc.organisations.schemas import ErrorOut

from . import selectors, services
from .extraction_registry import extract_document
from .models import ProgressReport, Status, Task

router = Router(tags=["Văn bản chỉ đạo, nhiệm vụ"])

_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=500, description="Số bản ghi mỗi trang (tối đa 500).")
        offset: int = Field(0, ge=0, le=MAX_ID, description="Bỏ qua bao nhiêu bản ghi đầu tiên.")


class DirectiveOut(Schema):
    id: int
    kind: str
    reference: str
    issued_on: datetime.date | None
    issuing_unit_id: int
    issuing_unit: str = Field(alias="issuing_unit.name")
    signer: str
    subject: str
    addressees: str


class TaskOut(Schema):
    id: int
    directive_id: int
    parent_id: int | None
    section: str
    content: str
    lead_label: str
    lead_unit_id: int | None
    supporting_unit_ids: list[int]
    expected_output: str
    deadline_kind: str
    deadline: datetime.date | None
    period_key: str
    recurrence: str
    report_every: str = Field(
        description="Kỳ báo cáo của nhiệm vụ thường xuyên: monthly, quarterly, half_yearly, yearly."
    )
    deadline_text: str
    unit_ids: list[int] = Field(description="Các đơn vị thực hiện (mỗi đơn vị được theo dõi riêng).")
    criterion_ids: list[int]
    indicator_ids: list[int]
    papi_dimension: str
    cancelled: bool
    cancel_reason: str

    @staticmethod
    def resolve_unit_ids(obj: Task) -> list[int]:
        return sorted(set(obj.assignments.values_list("unit_id", flat=True)))

    @staticmethod
    def resolve_criterion_ids(obj: Task) -> list[int]:
        return [criterion.pk for criterion in obj.criteria.all()]

    @staticmethod
    def resolve_indicator_ids(obj: Task) -> list[int]:
        return [indicator.pk for indicator in obj.indicators.all()]

    @staticmethod
    def resolve_cancelled(obj: Task) -> bool:
        return obj.cancelled_at is not None

    @staticmethod
    def resolve_supporting_unit_ids(obj: Task) -> list[int]:
        return [unit.pk for unit in obj.supporting_units.all()]


class DirectiveDetailOut(DirectiveOut):
    tasks: list[TaskOut]

    @staticmethod
    def resolve_tasks(obj: Any) -> list[Task]:
        return list(obj.tasks.prefetch_related("supporting_units").order_by("position", "pk"))


class AssignmentOut(Schema):
    id: int
    task_id: int
    directive_id: int
    unit_id: int
    unit: str = Field(alias="unit.name")
    period_key: str | None = Field(None, description="Kỳ của nhiệm vụ định kỳ.")
    due_date: datetime.date | None
    original_due_date: datetime.date | None
    percent: int
    last_report_on: datetime.date | None
    review_pending: bool
    completed_on: datetime.date | None
    status: str = Field(description="not_started, in_progress, done_on_time, done_late, overdue")

    @staticmethod
    def resolve_period_key(obj: Any) -> str | None:
        return obj.occurrence.period_key if obj.occurrence_id else None

    @staticmethod
    def resolve_status(obj: Any) -> str:
        return str(obj.status.value)


class AssignmentFilters(Schema):
    directive: Id | None = Field(None, description="Mã văn bản.")
    unit: Id | None = Field(None, description="Mã đơn vị thực hiện.")
    status: Status | None = Field(None, description="Tình trạng.")
    period: Line | None = Field(None, description="Hạn trong kỳ: 2025-Q3, 2025-H2, 2025-08, 2025.")
    waiting: bool = Field(False, description="Chỉ các nhiệm vụ chờ xác nhận hoàn thành.")


class ReportIn(InputSchema):
    percent: int = Field(ge=0, le=100, description="Tiến độ (%); 100 là báo cáo hoàn thành, chờ xác nhận.")
    text: Text = Field(min_length=1, description="Nội dung báo cáo.")


class ReportOut(Schema):
    id: int
    assignment_id: int
    submitted_on: datetime.date
    percent: int
    text: str
    review_state: str
    review_comment: str


class ReviewIn(InputSchema):
    comment: Text = Field("", description="Ý kiến của cơ quan thường trực (bắt buộc khi trả lại).")


class TaskPatchIn(InputSchema):
    """Only the fields sent are changed, ``null`` clears an optional field; the rules are those of the edit page."""

    section: Line | None = Field(None, max_length=30)
    content: Text | None = Field(None, min_length=1)
    lead_label: Line | None = None
    unit_ids: list[Id] | None = Field(None, description="Các đơn vị thực hiện; không bỏ được đơn vị đã báo cáo.")
    supporting_unit_ids: list[Id] | None = None
    expected_output: Line | None = Field(None, description="report, plan, decision, other")
    deadline_kind: Line | None = Field(None, description="date, period, recurring, continuous")
    deadline: Date | None = None
    period_key: Line | None = Field(None, description="Với hạn theo kỳ: 2025-08, 2025-Q3, 2025-H2, 2025.")
    recurrence: Line | None = Field(None, description="Với nhiệm vụ định kỳ: monthly, quarterly, half_yearly, yearly.")
    report_every: Line | None = Field(None, description="Với nhiệm vụ thường xuyên: kỳ báo cáo (mặc định quarterly).")
    deadline_text: Line | None = None
    criterion_ids: list[Id] | None = None
    indicator_ids: list[Id] | None = None
    papi_dimension: Line | None = Field(None, max_length=200)
    reason: Text = Field("", description="Lý do điều chỉnh, ghi vào nhật ký.")

    @field_validator("content", "deadline_kind", "expected_output", "report_every", "unit_ids")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Sent as null: these have no empty value to clear to (omit the field to keep it).
        if value is None:
            raise PydanticCustomError("null_not_allowed", "null")
        return value


class TaskCancelIn(InputSchema):
    reason: Text = Field(min_length=1, description="Lý do hủy nhiệm vụ.")


class ProposedTaskOut(Schema):
    """A proposed task, as ``cchc extract_tasks --json`` prints it."""

    section: str
    lead_unit: str | None
    supporting_units: list[str]
    content: str
    deadline: str | None = Field(description="YYYY-MM-DD, hoặc null khi không suy ra được ngày.")
    deadline_text: str = Field(description="Thời hạn như ghi trong văn bản.")
    recurrence: str = Field(description="'', monthly, quarterly, half_yearly, yearly, continuous")
    period_key: str = Field(description="Kỳ khi thời hạn là một kỳ, ví dụ 2023-Q3.")
    lead_unit_id: int | None
    lead_unit_ids: list[int] = Field(description="Các đơn vị thực hiện (ví dụ tất cả các xã).")
    supporting_unit_ids: list[int]
    unknown_units: list[str] = Field(description="Tên đơn vị chưa có trong danh mục.")
    section_path: str
    output: str
    deadline_doubt: str = Field("", description="Lý do cần kiểm tra lại thời hạn (năm có thể bị đọc nhầm từ bản quét).")
    sources: dict[str, str] = Field(
        default_factory=dict, description="Theo từng trường (lead_unit, deadline): chữ trong văn bản đã cho trường đó."
    )
    rules: dict[str, str] = Field(default_factory=dict, description="Theo từng trường: quy tắc đã đọc ra trường đó.")
    confidence: dict[str, float] = Field(
        default_factory=dict, description="Theo từng trường: độ tin cậy từ 0 đến 1; dưới 0,6 cần kiểm tra lại."
    )


class ExtractionOut(Schema):
    """The document's metadata and proposed tasks, as ``cchc extract_tasks --json`` prints them."""

    reference: str | None
    date: str | None
    issuer: str | None
    signer: str | None
    subject: str | None
    addressees: list[str]
    kind: str
    tasks: list[ProposedTaskOut]
    warnings: list[str]
    issuer_unit_id: int | None
    signer_title: str
    recipients: list[str]


def _user(request: HttpRequest) -> Actor:
    return request.auth  # type: ignore[attr-defined]


# The list reads the directives and their issuing units' names.
LIST_READS = ("directives", "organisations")


@router.get("/", response={200: list[DirectiveOut], **_ERRORS}, summary="Danh sách văn bản chỉ đạo")
@answer_cached_by_data_version(
    "directives.api.list", reads=LIST_READS, scope=lambda request: access.reader_scope(_user(request))
)
@paginate(Pagination)
def directive_list(request: HttpRequest) -> Any:
    return access.get_directives_for_user(_user(request)).select_related("issuing_unit").order_by("-issued_on", "-pk")


@router.get(
    "/assignments",
    response={200: list[AssignmentOut], **_ERRORS},
    summary="Theo dõi nhiệm vụ theo đơn vị",
    description="Các lượt theo dõi (một đơn vị × một nhiệm vụ, hoặc × một kỳ của nhiệm vụ định kỳ) người gọi được xem.",
)
@paginate(Pagination)
def assignment_list(request: HttpRequest, filters: Query[AssignmentFilters]) -> Any:
    params = {
        "directive": filters.directive or "",
        "unit": filters.unit or "",
        "status": filters.status.value if filters.status else "",
        "period": filters.period or "",
        "waiting": "1" if filters.waiting else "",
    }
    if filters.period:
        try:
            Period.from_key(filters.period)
        except ValueError:
            raise ServiceError(_("Kỳ không hợp lệ (ví dụ 2025-Q3, 2025-H2, 2025-08, 2025)."), field="period") from None
    return selectors.tracker(
        access.get_assignments_for_user(_user(request)), selectors.TrackerFilters.from_params(params)
    )


@router.get("/assignments/{assignment_id}", response={200: AssignmentOut, **_ERRORS}, summary="Một lượt theo dõi")
def assignment_detail(request: HttpRequest, assignment_id: int) -> Any:
    return access.get_assignment_for_user(_user(request), assignment_id)


@router.post(
    "/assignments/{assignment_id}/reports",
    response={201: ReportOut, **_ERRORS},
    summary="Gửi báo cáo tiến độ",
    description="Chỉ đơn vị thực hiện gửi được; báo cáo 100% chờ cơ quan thường trực xác nhận.",
)
def report_create(request: HttpRequest, assignment_id: int, payload: ReportIn) -> Any:
    user = _user(request)
    assignment = access.get_assignment_for_user(user, assignment_id)
    roles.require(access.can_report_assignment(user, assignment))
    report = services.report_submit(actor=user, assignment=assignment, percent=payload.percent, text=payload.text)
    return 201, report


def _reviewable_report(user: Viewer, report_id: int) -> ProgressReport:
    report = access.get_progress_report_for_user(user, report_id)
    assignment = access.get_assignment_for_user(user, report.assignment_id)
    if not access.can_review_assignment(user, assignment):
        raise PermissionDenied
    return report


@router.post("/reports/{report_id}/accept", response={200: AssignmentOut, **_ERRORS}, summary="Xác nhận hoàn thành")
def report_accept(request: HttpRequest, report_id: int, payload: ReviewIn) -> Any:
    user = _user(request)
    report = _reviewable_report(user, report_id)
    return services.report_accept(actor=user, report=report, comment=payload.comment)


@router.post("/reports/{report_id}/return", response={200: ReportOut, **_ERRORS}, summary="Trả lại báo cáo")
def report_return(request: HttpRequest, report_id: int, payload: ReviewIn) -> Any:
    user = _user(request)
    report = _reviewable_report(user, report_id)
    return services.report_return(actor=user, report=report, comment=payload.comment)


@router.get("/tasks", response={200: list[TaskOut], **_ERRORS}, summary="Nhiệm vụ của một văn bản")
@paginate(Pagination)
def task_list(request: HttpRequest, directive: Id) -> Any:
    found = access.get_directive_for_user(_user(request), directive)
    return found.tasks.prefetch_related("supporting_units").order_by("position", "pk")


def _units_by_id(task: Task, ids: list[int], *, name: str) -> list[Any]:
    """Units of the directive's province (or already assigned to the task), in the order given."""
    choices = unit_choices_for(task.directive.issuing_unit, task.directive.issued_on).values("pk")
    allowed = Unit.objects.filter(Q(pk__in=choices) | Q(pk__in=task.assignments.values("unit_id")))
    found = allowed.in_bulk(ids)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ServiceError(_("Không tìm thấy đơn vị: %(ids)s.") % {"ids": ", ".join(map(str, missing))}, field=name)
    return [found[pk] for pk in dict.fromkeys(ids)]


def _by_id(model: Any, ids: list[int], *, name: str) -> list[Any]:
    found = model.objects.in_bulk(ids)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ServiceError(_("Không tìm thấy: %(ids)s.") % {"ids": ", ".join(map(str, missing))}, field=name)
    return [found[pk] for pk in dict.fromkeys(ids)]


@router.get("/tasks/{task_id}", response={200: TaskOut, **_ERRORS}, summary="Một nhiệm vụ")
def task_detail(request: HttpRequest, task_id: int) -> Any:
    return access.get_task_for_user(_user(request), task_id)


@router.patch(
    "/tasks/{task_id}",
    response={200: TaskOut, **_ERRORS},
    summary="Sửa nhiệm vụ",
    description=(
        "Cơ quan thường trực quản lý văn bản sửa nội dung, đơn vị, thời hạn, liên kết tiêu chí/chỉ số của nhiệm vụ. "
        "Thêm đơn vị thì giao thêm; bỏ đơn vị đã báo cáo bị từ chối (409). Đổi thời hạn thì hạn của các lượt "
        "chưa có báo cáo được tính lại."
    ),
)
def task_update(request: HttpRequest, task_id: int, payload: TaskPatchIn) -> Any:
    user = _user(request)
    task = access.get_task_for_user(user, task_id, manage=True)
    sent = payload.model_fields_set
    current_units = _units_by_id(task, sorted(set(task.assignments.values_list("unit_id", flat=True))), name="unit_ids")

    def pick(name: str, default: Any) -> Any:
        """The value sent (``null`` clears to empty), else ``default``."""
        if name not in sent:
            return default
        value = getattr(payload, name)
        return "" if value is None else value

    kind = pick("deadline_kind", task.deadline_kind)
    data = services.TaskData(
        content=pick("content", task.content),
        deadline_kind=kind,
        units=_units_by_id(task, payload.unit_ids, name="unit_ids") if payload.unit_ids is not None else current_units,
        section=pick("section", task.section),
        lead_label=pick("lead_label", task.lead_label),
        supporting_units=(
            _units_by_id(task, payload.supporting_unit_ids or [], name="supporting_unit_ids")
            if "supporting_unit_ids" in sent
            else list(task.supporting_units.all())
        ),
        expected_output=pick("expected_output", task.expected_output),
        deadline=payload.deadline if "deadline" in sent else task.deadline,
        period_key=pick("period_key", task.period_key),
        recurrence=pick("recurrence", task.recurrence),
        report_every=pick("report_every", task.report_every),
        deadline_text=pick("deadline_text", task.deadline_text),
        parent=task.parent,
        criteria=(
            _by_id(Criterion, payload.criterion_ids or [], name="criterion_ids")
            if "criterion_ids" in sent
            else list(task.criteria.all())
        ),
        indicators=(
            _by_id(Indicator, payload.indicator_ids or [], name="indicator_ids")
            if "indicator_ids" in sent
            else list(task.indicators.all())
        ),
        papi_dimension=pick("papi_dimension", task.papi_dimension),
    )
    return services.task_update(actor=user, task=task, data=data, reason=payload.reason)


@router.delete(
    "/tasks/{task_id}",
    response={204: None, **_ERRORS},
    summary="Xóa nhiệm vụ",
    description="Chỉ xóa được nhiệm vụ chưa có đơn vị nào báo cáo (409 nếu đã có); khi đó hãy hủy nhiệm vụ.",
)
def task_delete(request: HttpRequest, task_id: int) -> Any:
    user = _user(request)
    task = access.get_task_for_user(user, task_id, manage=True)
    services.task_delete(actor=user, task=task)
    return 204, None


@router.post(
    "/tasks/{task_id}/cancel",
    response={200: TaskOut, **_ERRORS},
    summary="Hủy nhiệm vụ",
    description="Giữ nhiệm vụ cùng các báo cáo nhưng không còn nhắc việc và không tính vào thống kê.",
)
def task_cancel(request: HttpRequest, task_id: int, payload: TaskCancelIn) -> Any:
    user = _user(request)
    task = access.get_task_for_user(user, task_id, manage=True)
    return services.task_cancel(actor=user, task=task, reason=payload.reason)


@router.post(
    "/extract",
    response={200: ExtractionOut, **_ERRORS},
    summary="Đề xuất nhiệm vụ từ văn bản",
    description=(
        "Nhận tệp văn bản (multipart, trường `file`: .docx, .pdf, ảnh chụp hoặc .txt) và trả về thông tin văn bản "
        "cùng các nhiệm vụ đề xuất, như lệnh `cchc extract_tasks FILE --json`. Không tạo gì trong hệ thống."
    ),
)
def extract(request: HttpRequest, file: File[UploadedFile], issuing_unit: Form[Id | None] = None) -> Any:
    user = _user(request)
    roles.require(access.can_create_directives(user))
    unit = organisations_access.get_unit_for_user(user, issuing_unit) if issuing_unit else None
    stored = services.check_directive_file(file, name=file.name or "")
    return to_json_dict(extract_document(stored.content, stored.name, issuing_unit=unit))


@router.get("/{directive_id}", response={200: DirectiveDetailOut, **_ERRORS}, summary="Chi tiết văn bản")
def directive_detail(request: HttpRequest, directive_id: int) -> Any:
    return access.get_directive_for_user(_user(request), directive_id)
