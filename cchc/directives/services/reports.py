"""Progress reports and their acceptance, and extension requests: what a unit sends and the secretariat decides."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, diff, record
from cchc.lib.errors import ServiceError
from cchc.lib.types import Actor, ActorOrSystem
from cchc.lib.validators import check_text

from ..models import Assignment, ExtensionRequest, ExtensionState, ProgressReport, ReportAttachment, ReviewState
from .files import StoredFile
from .stats import stats_refresh_for


def _check_open(assignment: Assignment) -> None:
    if assignment.completed_on is not None:
        raise ServiceError(_("Nhiệm vụ này đã được xác nhận hoàn thành."), code="conflict")


@transaction.atomic
def report_submit(
    *,
    actor: ActorOrSystem,
    assignment: Assignment,
    percent: int,
    text: str,
    attachments: Sequence[StoredFile] = (),
    submitted_on: datetime.date | None = None,
) -> ProgressReport:
    """A unit's progress report; at 100 % it asks the secretariat to accept completion.

    ``submitted_on`` records a report received earlier (on paper, by official letter); it may not be in
    the future nor before the directive was issued.
    """
    assignment = (
        Assignment.objects.select_for_update().select_related("unit", "directive", "task").get(pk=assignment.pk)
    )
    _check_open(assignment)
    if assignment.task.cancelled_at is not None:
        raise ServiceError(_("Nhiệm vụ đã bị hủy; không cần báo cáo."), code="conflict")
    text = check_text((text or "").strip(), field="text")
    if not 0 <= percent <= 100:
        raise ServiceError(_("Tiến độ phải từ 0 đến 100%."), field="percent")
    if not text:
        raise ServiceError(_("Hãy ghi nội dung báo cáo."), field="text")
    if assignment.review_pending:
        raise ServiceError(
            _("Báo cáo hoàn thành trước đó đang chờ xác nhận; hãy chờ cơ quan thường trực xem xét."),
            code="conflict",
        )
    today = timezone.localdate()
    if submitted_on is not None:
        issued = assignment.directive.issued_on
        if submitted_on > today or (issued is not None and submitted_on < issued):
            raise ServiceError(_("Ngày báo cáo phải từ ngày ban hành văn bản đến hôm nay."), field="submitted_on")
        today = submitted_on
    report = ProgressReport.objects.create(
        assignment=assignment,
        author=actor_user(actor),
        submitted_on=today,
        percent=percent,
        text=text,
        review_state=ReviewState.PENDING if percent == 100 else ReviewState.NONE,
    )
    for stored in attachments:
        attachment = ReportAttachment(
            report=report, file_name=stored.name, file_size=len(stored.content), sha256=stored.sha256
        )
        attachment.file.save(stored.name, ContentFile(stored.content), save=False)
        attachment.save()
    before = {
        "percent": assignment.percent,
        "review_pending": assignment.review_pending,
        "completed_on": assignment.completed_on,
    }
    assignment.percent = percent
    assignment.last_report_on = today
    # A 100 % report — a continuous task's period report too — only asks for completion: the assignment stays
    # open, "waiting for acceptance", until the secretariat accepts it (then done as of this report's day).
    assignment.review_pending = percent == 100
    assignment.save(update_fields=["percent", "last_report_on", "review_pending"])
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=report,
        changes={
            **diff(
                before,
                {
                    "percent": assignment.percent,
                    "review_pending": assignment.review_pending,
                    "completed_on": assignment.completed_on,
                },
            ),
            "attachments": [None, [stored.name for stored in attachments]],
        },
        unit=assignment.unit,
    )
    return report


def _pending_report(report: ProgressReport) -> ProgressReport:
    report = ProgressReport.objects.select_for_update().select_related("assignment__unit").get(pk=report.pk)
    if report.review_state != ReviewState.PENDING:
        raise ServiceError(_("Báo cáo này không ở trạng thái chờ xác nhận."), code="conflict")
    return report


@transaction.atomic
def report_accept(
    *, actor: ActorOrSystem, report: ProgressReport, comment: str = "", publish: bool = True
) -> Assignment:
    """Accept completion: the assignment is done as of the day the unit reported completion.

    The unit's on-time rates are republished; ``publish=False`` leaves that to one
    :func:`stats_publish` at the end of a bulk load.
    """
    report = _pending_report(report)
    assignment = Assignment.objects.select_for_update().get(pk=report.assignment_id)
    _check_open(assignment)
    now = timezone.now()
    report.review_state = ReviewState.ACCEPTED
    report.reviewed_by = actor_user(actor)
    report.reviewed_at = now
    report.review_comment = check_text((comment or "").strip(), field="comment")
    report.save(update_fields=["review_state", "reviewed_by", "reviewed_at", "review_comment"])
    assignment.completed_on = report.submitted_on
    assignment.accepted_at = now
    assignment.accepted_by = report.reviewed_by
    assignment.review_pending = False
    assignment.percent = 100
    assignment.save(update_fields=["completed_on", "accepted_at", "accepted_by", "review_pending", "percent"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=assignment,
        changes={
            "completed_on": [None, assignment.completed_on],
            "status": [None, str(assignment.status_on().label)],
        },
        reason=report.review_comment,
        unit=report.assignment.unit,
    )
    if publish:
        stats_refresh_for(actor=actor, assignment=assignment)
    return assignment


@transaction.atomic
def report_return(*, actor: Actor, report: ProgressReport, comment: str) -> ProgressReport:
    """Return a completion report with the secretariat's comment; the unit reports again."""
    comment = check_text((comment or "").strip(), field="comment")
    if not comment:
        raise ServiceError(_("Hãy ghi ý kiến khi trả lại báo cáo."), field="comment")
    report = _pending_report(report)
    assignment = Assignment.objects.select_for_update().get(pk=report.assignment_id)
    report.review_state = ReviewState.RETURNED
    report.reviewed_by = actor_user(actor)
    report.reviewed_at = timezone.now()
    report.review_comment = comment
    report.save(update_fields=["review_state", "reviewed_by", "reviewed_at", "review_comment"])
    assignment.review_pending = False
    assignment.save(update_fields=["review_pending"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=report,
        changes={"review_state": [ReviewState.PENDING.value, ReviewState.RETURNED.value]},
        reason=comment,
        unit=report.assignment.unit,
    )
    return report


# ---------------------------------------------------------------------------
# Extensions


@transaction.atomic
def extension_request(
    *, actor: Actor, assignment: Assignment, new_due_date: datetime.date, reason: str
) -> ExtensionRequest:
    assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
    _check_open(assignment)
    reason = check_text((reason or "").strip(), field="reason")
    if not reason:
        raise ServiceError(_("Hãy ghi lý do xin gia hạn."), field="reason")
    if assignment.due_date is None:
        raise ServiceError(_("Nhiệm vụ thường xuyên không có thời hạn để gia hạn."), field="new_due_date")
    if new_due_date <= assignment.due_date:
        raise ServiceError(_("Hạn đề nghị phải sau hạn hiện tại."), field="new_due_date")
    if new_due_date > assignment.due_date + datetime.timedelta(days=366):
        raise ServiceError(_("Không thể gia hạn quá một năm."), field="new_due_date")
    if assignment.extension_requests.filter(state=ExtensionState.PENDING).exists():
        raise ServiceError(_("Đã có một đề nghị gia hạn đang chờ quyết định."), code="conflict")
    request = ExtensionRequest.objects.create(
        assignment=assignment,
        requested_by=actor_user(actor),
        current_due_date=assignment.due_date,
        new_due_date=new_due_date,
        reason=reason,
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=request,
        changes={"new_due_date": [assignment.due_date, new_due_date]},
        reason=reason,
        unit=assignment.unit,
    )
    return request


@transaction.atomic
def extension_decide(*, actor: Actor, request: ExtensionRequest, approve: bool, comment: str = "") -> ExtensionRequest:
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != ExtensionState.PENDING:
        raise ServiceError(_("Đề nghị gia hạn này đã được quyết định."), code="conflict")
    comment = check_text((comment or "").strip(), field="comment")
    if not approve and not comment:
        raise ServiceError(_("Hãy ghi lý do không đồng ý gia hạn."), field="comment")
    assignment = Assignment.objects.select_for_update().select_related("unit").get(pk=request.assignment_id)
    request.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    request.decided_by = actor_user(actor)
    request.decided_at = timezone.now()
    request.decision_comment = comment
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])
    changes: dict[str, Any] = {"state": [ExtensionState.PENDING.value, request.state]}
    old_due = assignment.due_date
    if approve:
        assignment.due_date = request.new_due_date
        assignment.save(update_fields=["due_date"])
        changes["due_date"] = [old_due, assignment.due_date]
    record(
        actor=actor, action=AuditAction.UPDATE, instance=request, changes=changes, reason=comment, unit=assignment.unit
    )
    if approve:
        for day in {old_due, assignment.due_date}:
            if day is not None:
                stats_refresh_for(actor=actor, assignment=assignment, day=day)
    return request
