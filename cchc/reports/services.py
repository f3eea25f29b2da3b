"""Writes of periodic reform reports: each function is one operation, atomic and audited.

Submitting, returning and accepting a report tied to a recurring task (:class:`~.models.ReportTask`) also report and
accept the unit's assignment through ``cchc.directives.services``: the deadline, the reminders and the on-time rate
of the report are those of the task machinery.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import IO

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, record
from cchc.directives import services as directive_services
from cchc.directives.models import Assignment, ProgressReport, ReviewState, Task
from cchc.directives.selectors import assignment_for_period
from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period
from cchc.lib.storage import delete_after_commit
from cchc.lib.types import Actor, ActorOrSystem
from cchc.lib.validators import check_text
from cchc.organisations.models import Unit, subtree_condition

from .figures import NO_DATA, report_figures, table_text
from .models import (
    EDITABLE_STATUSES,
    REPORT_KINDS,
    SECTION_KEYS,
    SECTION_SPECS,
    SECTION_TEXT_MAX_LENGTH,
    Report,
    ReportStatus,
    ReportTask,
    ReportTemplate,
    Section,
)


def parse_period(text: str) -> Period:
    """A report period from its key (``2025``, ``2025-H1``, ``2025-Q3``); months are not report periods."""
    try:
        period = Period.from_key(text or "")
    except ValueError as exc:
        raise ServiceError(
            _("Kỳ báo cáo không hợp lệ: hãy ghi năm (2025), 6 tháng (2025-H1) hoặc quý (2025-Q3)."), field="period"
        ) from exc
    if period.kind not in REPORT_KINDS:
        raise ServiceError(_("Báo cáo định kỳ lập theo quý, 6 tháng hoặc năm."), field="period")
    return period


def report_assignment(unit: Unit, period: Period) -> Assignment | None:
    """The unit's assignment of a reform-report task for ``period``, when the secretariat tied one."""
    tasks = ReportTask.objects.values("task_id")
    return assignment_for_period(Assignment.objects.filter(task_id__in=tasks), unit, period)


@transaction.atomic
def report_start(*, actor: ActorOrSystem, unit: Unit, period: Period) -> Report:
    """Open the unit's report for ``period`` (or return it when it is already open: nothing is created twice)."""
    if period.kind not in REPORT_KINDS:
        raise ServiceError(_("Báo cáo định kỳ lập theo quý, 6 tháng hoặc năm."), field="period")
    if period.start > timezone.localdate():
        raise ServiceError(_("Kỳ báo cáo chưa bắt đầu."), field="period")
    existing = Report.objects.filter(unit=unit, period_key=period.key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            report = Report.objects.create(
                unit=unit,
                period_key=period.key,
                is_consolidated=unit.parent_id is None,
                assignment=report_assignment(unit, period),
                created_by=actor_user(actor),
            )
    except IntegrityError:  # opened at the same moment by another request
        return Report.objects.get(unit=unit, period_key=period.key)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=report,
        changes={"period_key": [None, period.key], "status": [None, report.status]},
        unit=unit,
    )
    return report


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("unit").get(pk=report.pk)


def _check_editable(report: Report) -> None:
    if report.status not in EDITABLE_STATUSES:
        raise ServiceError(
            _("Báo cáo đã gửi hoặc đã được tiếp nhận nên không sửa được nữa."), code="conflict", field="text"
        )


@transaction.atomic
def section_save(*, actor: ActorOrSystem, report: Report, key: str, text: str) -> Section:
    """Save one narrative section; saving the same text again changes nothing (a double click writes once)."""
    if key not in SECTION_KEYS:
        raise ServiceError(_("Mục báo cáo không tồn tại."), field="text")
    text = check_text((text or "").replace("\r\n", "\n").strip(), field="text", max_length=SECTION_TEXT_MAX_LENGTH)
    report = _locked(report)
    _check_editable(report)
    section, _created = Section.objects.select_for_update().get_or_create(report=report, key=key)
    if section.text == text:
        return section
    old = section.text
    section.text = text
    section.updated_by = actor_user(actor)
    section.save(update_fields=["text", "updated_by", "updated_at"])
    record(actor=actor, action=AuditAction.UPDATE, instance=section, changes={"text": [old, text]}, unit=report.unit)
    return section


@transaction.atomic
def report_details_save(*, actor: ActorOrSystem, report: Report, reference: str, signer: str) -> Report:
    """The document number and the signer written on the Word file."""
    reference = check_text((reference or "").strip(), field="reference", max_length=100)
    signer = check_text((signer or "").strip(), field="signer", max_length=200)
    report = _locked(report)
    _check_editable(report)
    changes = {}
    for name, value in (("reference", reference), ("signer", signer)):
        if getattr(report, name) != value:
            changes[name] = [getattr(report, name), value]
            setattr(report, name, value)
    if changes:
        report.save(update_fields=["reference", "signer", "updated_at"])
        record(actor=actor, action=AuditAction.UPDATE, instance=report, changes=changes, unit=report.unit)
    return report


def report_gaps(report: Report) -> list[str]:
    """What is still missing in the report: empty sections and tables without data (shown before submitting)."""
    texts = dict(report.sections.values_list("key", "text"))
    gaps = [
        _("Mục “%(title)s” chưa có nội dung.") % {"title": title}
        for key, title, _part in SECTION_SPECS
        if not texts.get(key, "").strip()
    ]
    figures = report_figures(report.unit, report.period, consolidated=report.is_consolidated)
    for table in figures.tables:
        if any(NO_DATA in cell for row in table_text(table) for cell in row):
            gaps.append(_("%(title)s: có số liệu chưa có dữ liệu.") % {"title": table.title})
    return gaps


def _pending_progress_report(assignment: Assignment) -> ProgressReport | None:
    return assignment.reports.filter(review_state=ReviewState.PENDING).order_by("-pk").first()


@transaction.atomic
def report_submit(*, actor: ActorOrSystem, report: Report) -> Report:
    """Send the unit's report to the secretariat; the tied assignment is reported done (waiting for acceptance)."""
    report = _locked(report)
    if report.is_consolidated:
        raise ServiceError(_("Báo cáo tổng hợp của tỉnh không gửi duyệt."), code="conflict")
    if report.status == ReportStatus.SUBMITTED:
        return report  # a second click of the same submission
    _check_editable(report)
    if report.assignment_id is None:
        report.assignment = report_assignment(report.unit, report.period)
    old = report.status
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor_user(actor)
    report.return_reason = ""
    report.save(update_fields=["status", "submitted_at", "submitted_by", "return_reason", "assignment", "updated_at"])
    assignment = report.assignment
    if assignment is not None and assignment.completed_on is None and not assignment.review_pending:
        directive_services.report_submit(
            actor=actor,
            assignment=assignment,
            percent=100,
            text=_("Đã gửi báo cáo kết quả CCHC %(period)s.") % {"period": report.period.label_in_sentence},
        )
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=report,
        changes={"status": [old, report.status]},
        unit=report.unit,
    )
    return report


@transaction.atomic
def report_return(*, actor: Actor, report: Report, reason: str) -> Report:
    """Return a submitted report with the secretariat's reason; the unit completes it and submits again."""
    reason = check_text((reason or "").strip(), field="reason")
    if not reason:
        raise ServiceError(_("Hãy ghi lý do trả lại báo cáo."), field="reason")
    report = _locked(report)
    if report.status != ReportStatus.SUBMITTED:
        raise ServiceError(_("Báo cáo không ở trạng thái chờ tiếp nhận."), code="conflict")
    report.status = ReportStatus.RETURNED
    report.return_reason = reason
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor_user(actor)
    report.save(update_fields=["status", "return_reason", "reviewed_at", "reviewed_by", "updated_at"])
    if report.assignment is not None:
        pending = _pending_progress_report(report.assignment)
        if pending is not None:
            directive_services.report_return(actor=actor, report=pending, comment=reason)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=report,
        changes={"status": [ReportStatus.SUBMITTED.value, report.status]},
        reason=reason,
        unit=report.unit,
    )
    return report


@transaction.atomic
def report_accept(*, actor: ActorOrSystem, report: Report, comment: str = "") -> Report:
    """Accept a submitted report; the tied assignment is done as of the day it was submitted."""
    comment = check_text((comment or "").strip(), field="comment")
    report = _locked(report)
    if report.status == ReportStatus.ACCEPTED:
        return report
    if report.status != ReportStatus.SUBMITTED:
        raise ServiceError(_("Báo cáo không ở trạng thái chờ tiếp nhận."), code="conflict")
    report.status = ReportStatus.ACCEPTED
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor_user(actor)
    report.save(update_fields=["status", "reviewed_at", "reviewed_by", "updated_at"])
    if report.assignment is not None:
        pending = _pending_progress_report(report.assignment)
        if pending is not None:
            directive_services.report_accept(actor=actor, report=pending, comment=comment)
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=report,
        changes={"status": [ReportStatus.SUBMITTED.value, report.status]},
        reason=comment,
        unit=report.unit,
    )
    return report


@dataclass(frozen=True)
class Consolidation:
    units: int  # accepted unit reports gathered
    filled: int  # sections written from them
    kept: int  # sections left as they were (already written)


def accepted_unit_reports(report: Report) -> list[Report]:
    """The accepted reports of the units below the consolidated report's unit, for the same period."""
    return list(
        Report.objects.filter(
            subtree_condition([report.unit.path], "unit"), period_key=report.period_key, status=ReportStatus.ACCEPTED
        )
        .exclude(pk=report.pk)
        .select_related("unit")
        .prefetch_related("sections")
        .order_by("unit__path")
    )


def gathered_text(reports: list[Report], key: str) -> str:
    """The units' text of one section, one paragraph per unit introduced by its name."""
    parts = []
    for unit_report in reports:
        text = next((section.text for section in unit_report.sections.all() if section.key == key), "").strip()
        if text:
            parts.append(f"{unit_report.unit.name}: {text}")
    return "\n".join(parts)


@transaction.atomic
def report_consolidate(*, actor: ActorOrSystem, report: Report) -> Consolidation:
    """Gather the accepted unit reports' sections into the province's report, section by section, for editing.

    Sections the secretariat has already written are kept as they are (their text is never overwritten); the
    tables need no gathering: they are summed over the province's subtree whenever the report is shown.
    """
    report = _locked(report)
    if not report.is_consolidated:
        raise ServiceError(_("Chỉ báo cáo tổng hợp của tỉnh mới tổng hợp từ báo cáo các đơn vị."), code="conflict")
    _check_editable(report)
    reports = accepted_unit_reports(report)
    if not reports:
        raise ServiceError(_("Chưa có báo cáo nào của các đơn vị được tiếp nhận trong kỳ này."), code="conflict")
    filled = kept = 0
    for key in SECTION_KEYS:
        text = gathered_text(reports, key)
        if not text:
            continue
        section, _created = Section.objects.select_for_update().get_or_create(report=report, key=key)
        if section.text.strip():
            kept += 1
            continue
        section.text = text[:SECTION_TEXT_MAX_LENGTH]
        section.updated_by = actor_user(actor)
        section.save(update_fields=["text", "updated_by", "updated_at"])
        filled += 1
    report.consolidated_at = timezone.now()
    report.save(update_fields=["consolidated_at", "updated_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=report,
        changes={
            "consolidated_from": [None, [unit_report.unit.name for unit_report in reports]],
            "sections_filled": [0, filled],
        },
        unit=report.unit,
    )
    return Consolidation(units=len(reports), filled=filled, kept=kept)


@transaction.atomic
def report_task_link(*, actor: ActorOrSystem, task: Task) -> ReportTask:
    """Make a recurring task the periodic reform report: its assignments carry the reports' deadlines."""
    if not task.recurrence and not task.report_every:
        raise ServiceError(_("Hãy chọn một nhiệm vụ định kỳ (hằng quý, 6 tháng hoặc hằng năm)."), field="task")
    link, created = ReportTask.objects.get_or_create(task=task, defaults={"created_by": actor_user(actor)})
    if created:
        record(actor=actor, action=AuditAction.CREATE, instance=link, changes={"task": [None, str(task)]})
        for report in Report.objects.filter(assignment__isnull=True):
            assignment = report_assignment(report.unit, report.period)
            if assignment is not None:
                report.assignment = assignment
                report.save(update_fields=["assignment"])
    return link


def check_template(data: bytes) -> None:
    """A Word template docxtpl can read (its Jinja tags well formed)."""
    from docxtpl import DocxTemplate  # loads jinja2: only when a template is checked

    try:
        names = DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables()
    except Exception as exc:
        raise ServiceError(
            _("Mẫu Word có thẻ mẫu viết sai nên không dùng được: %(error)s") % {"error": str(exc)[:200]},
            field="file",
        ) from exc
    if "parts" not in names:
        raise ServiceError(
            _("Mẫu Word không còn thẻ “parts” (các phần của báo cáo) nên báo cáo tải về sẽ không có nội dung."),
            field="file",
        )


@transaction.atomic
def template_upload(*, actor: Actor, upload: IO[bytes], name: str) -> ReportTemplate:
    """Replace the Word template (checked as any uploaded Word file, then as a docxtpl template)."""
    _kind, data = files.check_upload(upload, name=name, kinds=[files.DOCX])
    check_template(data)
    template = ReportTemplate(
        file_name=name[:255], sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor_user(actor)
    )
    template.file.save("bao_cao_cchc.docx", ContentFile(data), save=False)
    template.save()
    record(actor=actor, action=AuditAction.CREATE, instance=template, changes={"file_name": [None, template.file_name]})
    return template


@transaction.atomic
def template_reset(*, actor: Actor) -> int:
    """Go back to the shipped template; returns how many uploaded templates were removed."""
    removed = 0
    for template in ReportTemplate.objects.all():
        record(
            actor=actor, action=AuditAction.DELETE, instance=template, changes={"file_name": [template.file_name, None]}
        )
        delete_after_commit(template.file)
        template.delete()
        removed += 1
    return removed
