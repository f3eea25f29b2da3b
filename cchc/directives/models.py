"""Directives (văn bản chỉ đạo), the tasks they give, and how each unit carries them out.

The row that has a status is the :class:`Assignment`: one unit's duty for one
task, or, for a recurring task, for one :class:`Occurrence` of it (one
quarterly report is one assignment). A task addressed to "UBND các xã, thị
trấn" fans out into one assignment per commune; the task page rolls them up.

Status follows the government's task-tracking categories (QĐ 42/2014/QĐ-TTg,
amended by QĐ 23/2018/QĐ-TTg) and is derived from dates, never stored: an
assignment is done when the secretariat accepted a completion report, on time
when the unit's completion date is on or before the (possibly extended) due
date, overdue when it is not done and the due date has passed. Deriving it in
the query keeps it right on any day without a nightly job; the partial indexes
below make the filters fast.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cchc.lib.periods import Period
from cchc.lib.validators import DOCUMENT_MAX_LENGTH, NOTE_MAX_LENGTH, TITLE_MAX_LENGTH


class DirectiveKind(models.TextChoices):
    OFFICIAL_LETTER = "cong_van", _("Công văn")
    PLAN = "ke_hoach", _("Kế hoạch")
    CONCLUSION = "thong_bao_ket_luan", _("Thông báo kết luận")
    INSTRUCTION = "chi_thi", _("Chỉ thị")
    DECISION = "quyet_dinh", _("Quyết định")
    OTHER = "other", _("Văn bản khác")


class ExpectedOutput(models.TextChoices):
    REPORT = "report", _("Báo cáo")
    PLAN = "plan", _("Kế hoạch")
    DECISION = "decision", _("Quyết định, văn bản")
    OTHER = "other", _("Khác")


class DeadlineKind(models.TextChoices):
    DATE = "date", _("Hạn theo ngày")
    PERIOD = "period", _("Hạn theo kỳ (tháng, quý, 6 tháng, năm)")
    RECURRING = "recurring", _("Định kỳ")
    CONTINUOUS = "continuous", _("Thường xuyên")


class Recurrence(models.TextChoices):
    NONE = "", _("Không lặp lại")
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    HALF_YEARLY = "half_yearly", _("6 tháng một lần")
    YEARLY = "yearly", _("Hằng năm")
    CONTINUOUS = "continuous", _("Thường xuyên")


class Status(models.TextChoices):
    """The government's task-tracking categories."""

    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện trong hạn")
    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")
    OVERDUE = "overdue", _("Quá hạn chưa hoàn thành")


class Directive(models.Model):
    kind = models.CharField(_("loại văn bản"), max_length=24, choices=DirectiveKind.choices)
    reference = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuing_unit = models.ForeignKey(
        "organisations.Unit", verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT, related_name="directives"
    )
    signer = models.CharField(_("người ký"), max_length=200, blank=True)
    subject = models.TextField(_("trích yếu"), max_length=TITLE_MAX_LENGTH)
    addressees = models.TextField(_("kính gửi, nơi nhận"), blank=True, max_length=NOTE_MAX_LENGTH)
    horizon_end = models.DateField(
        _("theo dõi đến ngày"),
        null=True,
        blank=True,
        help_text=_("Nhiệm vụ định kỳ sinh các kỳ báo cáo đến ngày này (mặc định: hết năm ban hành)."),
    )
    note = models.TextField(_("ghi chú"), blank=True, max_length=NOTE_MAX_LENGTH)
    text = models.TextField(_("nội dung văn bản"), blank=True, max_length=DOCUMENT_MAX_LENGTH)
    file = models.FileField(_("tệp văn bản gốc"), upload_to="directives/%Y/", blank=True)
    file_name = models.CharField(_("tên tệp gốc"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    # What the directive was generated from (``remediation:<round>:<gaps>``), empty for a document registered by
    # hand; unique, so the same plan submitted twice at once is created once.
    origin_key = models.CharField(_("nguồn lập văn bản"), max_length=100, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("văn bản chỉ đạo")
        verbose_name_plural = _("văn bản chỉ đạo")
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["issuing_unit", "issued_on"], name="directive_unit_date_idx")]
        constraints = [
            models.UniqueConstraint(fields=["origin_key"], condition=~Q(origin_key=""), name="directive_unique_origin")
        ]

    def __str__(self) -> str:
        if self.reference:
            return f"{self.reference}: {self.subject[:120]}"
        return self.subject[:160]

    @property
    def tracking_end(self) -> datetime.date:
        """Last day recurring tasks generate occurrences for."""
        if self.horizon_end:
            return self.horizon_end
        start = self.issued_on or timezone.localdate()
        return datetime.date(start.year, 12, 31)


class Task(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey(
        "self", verbose_name=_("nhiệm vụ cha"), on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    section = models.CharField(_("mục"), max_length=30, blank=True)
    content = models.TextField(_("nội dung nhiệm vụ"), max_length=NOTE_MAX_LENGTH)
    lead_label = models.CharField(_("đơn vị chủ trì (như ghi trong văn bản)"), max_length=300, blank=True)
    lead_unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("đơn vị chủ trì"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_tasks",
    )
    supporting_units = models.ManyToManyField(
        "organisations.Unit", verbose_name=_("đơn vị phối hợp"), blank=True, related_name="supported_tasks"
    )
    expected_output = models.CharField(
        _("sản phẩm"), max_length=16, choices=ExpectedOutput.choices, default=ExpectedOutput.OTHER
    )
    deadline_kind = models.CharField(_("loại thời hạn"), max_length=16, choices=DeadlineKind.choices)
    deadline = models.DateField(_("thời hạn"), null=True, blank=True)
    period_key = models.CharField(_("kỳ"), max_length=10, blank=True)
    recurrence = models.CharField(_("lặp lại"), max_length=16, choices=Recurrence.choices, blank=True)
    deadline_text = models.CharField(_("thời hạn như ghi trong văn bản"), max_length=300, blank=True)
    criteria = models.ManyToManyField(
        "frameworks.Criterion", verbose_name=_("tiêu chí Chỉ số CCHC"), blank=True, related_name="tasks"
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator", verbose_name=_("chỉ số"), blank=True, related_name="tasks"
    )
    papi_dimension = models.CharField(_("nội dung PAPI"), max_length=200, blank=True)
    report_every = models.CharField(
        _("kỳ báo cáo của nhiệm vụ thường xuyên"),
        max_length=16,
        choices=Recurrence.choices,
        blank=True,
        help_text=_(
            "Nhiệm vụ thường xuyên báo cáo theo kỳ này; mỗi kỳ hạn báo cáo là ngày cuối kỳ (mặc định: hằng quý)."
        ),
    )
    succession_note = models.CharField(
        _("giao đơn vị kế thừa"),
        max_length=1000,
        blank=True,
        help_text=_("Đơn vị đã giải thể sau ngày ban hành và đơn vị kế thừa nhận nhiệm vụ thay (X → Y, Z)."),
    )
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(_("lý do hủy"), blank=True, max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["directive", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(deadline_kind="date") | Q(deadline__isnull=False), name="task_date_deadline_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(deadline_kind="period") | ~Q(period_key=""), name="task_period_deadline_has_period"
            ),
        ]

    def __str__(self) -> str:
        prefix = f"{self.section} " if self.section else ""
        return f"{prefix}{self.content[:150]}"

    @property
    def is_cancelled(self) -> bool:
        """A cancelled task is kept for the record but left out of statistics, reminders and "my tasks"."""
        return self.cancelled_at is not None


class Occurrence(models.Model):
    """One round of a recurring task (a month, quarter, half-year or year), with its own due date."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="occurrences")
    period_key = models.CharField(_("kỳ"), max_length=10)
    due_date = models.DateField(_("hạn báo cáo"))

    class Meta:
        verbose_name = _("kỳ thực hiện")
        verbose_name_plural = _("kỳ thực hiện")
        ordering = ["task", "due_date"]
        constraints = [models.UniqueConstraint(fields=["task", "period_key"], name="occurrence_unique_period")]

    def __str__(self) -> str:
        return str(Period.from_key(self.period_key).label)


# Assignments without a due date (continuous tasks) sort after every dated one; comparing this key rather than
# ``due_date`` keeps "not overdue" a single index range instead of ``due_date >= day OR due_date IS NULL``.
NO_DUE_DATE = datetime.date(9999, 12, 31)


def due_key() -> Coalesce:
    """``due_date``, or :data:`NO_DUE_DATE` when there is none: the tracker's sort and range key."""
    return Coalesce(F("due_date"), Value(NO_DUE_DATE), output_field=models.DateField())


def status_expression(day: datetime.date | None = None) -> Case:
    """The :class:`Status` of an assignment on ``day`` (today by default), as a SQL expression."""
    today = day or timezone.localdate()
    return Case(
        When(completed_on__isnull=False, due_date__isnull=True, then=Value(Status.DONE_ON_TIME.value)),
        When(completed_on__gt=F("due_date"), then=Value(Status.DONE_LATE.value)),
        When(completed_on__isnull=False, then=Value(Status.DONE_ON_TIME.value)),
        When(due_date__lt=today, then=Value(Status.OVERDUE.value)),
        When(last_report_on__isnull=False, then=Value(Status.IN_PROGRESS.value)),
        default=Value(Status.NOT_STARTED.value),
        output_field=models.CharField(),
    )


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def live(self) -> AssignmentQuerySet:
        """Assignments of tasks that were not cancelled: what statistics and reminders count."""
        return self.filter(task__cancelled_at__isnull=True)

    def done(self) -> AssignmentQuerySet:
        return self.filter(completed_on__isnull=False)

    def open(self) -> AssignmentQuerySet:
        return self.filter(completed_on__isnull=True)

    def with_status(self, day: datetime.date | None = None) -> AssignmentQuerySet:
        """Annotate ``status_code`` (a :class:`Status` value) as of ``day`` (today by default)."""
        return self.annotate(status_code=status_expression(day))

    def in_status(self, status: str, day: datetime.date | None = None) -> AssignmentQuerySet:
        """Assignments in ``status`` on ``day``, as plain conditions the indexes can serve."""
        today = day or timezone.localdate()
        if status == Status.DONE_ON_TIME:
            return self.filter(
                Q(completed_on__isnull=False), Q(due_date__isnull=True) | Q(completed_on__lte=F("due_date"))
            )
        if status == Status.DONE_LATE:
            return self.filter(completed_on__isnull=False, completed_on__gt=F("due_date"))
        keyed = self.alias(due_key=due_key())
        if status == Status.OVERDUE:
            return keyed.filter(completed_on__isnull=True, due_key__lt=today)
        if status == Status.IN_PROGRESS:
            return keyed.filter(completed_on__isnull=True, due_key__gte=today, last_report_on__isnull=False)
        if status == Status.NOT_STARTED:
            return keyed.filter(completed_on__isnull=True, due_key__gte=today, last_report_on__isnull=True)
        return self.none()

    def in_tracker_order(self) -> AssignmentQuerySet:
        """Soonest due first, assignments without a due date last, on every database."""
        return self.alias(due_key=due_key()).order_by("due_key", "pk")

    def due_between(self, start: datetime.date, end: datetime.date) -> AssignmentQuerySet:
        return self.alias(due_key=due_key()).filter(due_key__gte=start, due_key__lte=end)


class Assignment(models.Model):
    """One unit's duty for one task (or one occurrence of a recurring task): the row that has a status."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "organisations.Unit", verbose_name=_("đơn vị thực hiện"), on_delete=models.PROTECT, related_name="assignments"
    )
    occurrence = models.ForeignKey(
        Occurrence, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    original_due_date = models.DateField(_("hạn ban đầu"), null=True, blank=True)
    due_date = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    last_report_on = models.DateField(_("báo cáo gần nhất"), null=True, blank=True)
    review_pending = models.BooleanField(_("chờ xác nhận hoàn thành"), default=False)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit"], condition=Q(occurrence__isnull=True), name="assignment_unique_task_unit"
            ),
            models.UniqueConstraint(
                fields=["task", "unit", "occurrence"],
                condition=Q(occurrence__isnull=False),
                name="assignment_unique_occurrence_unit",
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="assignment_percent_at_most_100"),
        ]
        indexes = [
            # The tracker's orders and ranges: see ``due_key``.
            models.Index(
                Coalesce(F("due_date"), Value(NO_DUE_DATE), output_field=models.DateField()),
                F("id"),
                condition=Q(completed_on__isnull=True),
                name="assignment_open_due_key_idx",
            ),
            models.Index(
                Coalesce(F("due_date"), Value(NO_DUE_DATE), output_field=models.DateField()),
                F("id"),
                name="assignment_due_key_idx",
            ),
            models.Index(
                F("unit"),
                Coalesce(F("due_date"), Value(NO_DUE_DATE), output_field=models.DateField()),
                F("id"),
                name="assignment_unit_due_key_idx",
            ),
            models.Index(
                F("directive"),
                Coalesce(F("due_date"), Value(NO_DUE_DATE), output_field=models.DateField()),
                F("id"),
                name="assignment_dir_due_key_idx",
            ),
            models.Index(
                fields=["due_date", "id"], condition=Q(completed_on__isnull=False), name="assignment_done_due_idx"
            ),
            models.Index(fields=["unit"], condition=Q(review_pending=True), name="assignment_review_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task} — {self.unit}"

    def status_on(self, day: datetime.date | None = None) -> Status:
        today = day or timezone.localdate()
        if self.completed_on is not None:
            if self.due_date is not None and self.completed_on > self.due_date:
                return Status.DONE_LATE
            return Status.DONE_ON_TIME
        if self.due_date is not None and self.due_date < today:
            return Status.OVERDUE
        if self.last_report_on is not None:
            return Status.IN_PROGRESS
        return Status.NOT_STARTED

    @property
    def status(self) -> Status:
        annotated = getattr(self, "status_code", None)
        return Status(annotated) if annotated else self.status_on()


class ReviewState(models.TextChoices):
    NONE = "", _("Báo cáo tiến độ")
    PENDING = "pending", _("Chờ xác nhận hoàn thành")
    ACCEPTED = "accepted", _("Đã xác nhận hoàn thành")
    RETURNED = "returned", _("Trả lại, yêu cầu bổ sung")


class ProgressReport(models.Model):
    """A unit's report on an assignment; a 100 % report asks the secretariat to accept completion."""

    # The audit trail reads the name of this record live (entries written before it had a readable name
    # stored only ids): the relations the name reads.
    audit_live_name: ClassVar[tuple[str, ...]] = ("assignment__task", "assignment__unit")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_on = models.DateField(_("ngày báo cáo"))
    created_at = models.DateTimeField(auto_now_add=True)
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"))
    text = models.TextField(_("nội dung báo cáo"), max_length=NOTE_MAX_LENGTH)
    review_state = models.CharField(_("xác nhận"), max_length=16, choices=ReviewState.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("ý kiến của cơ quan thường trực"), blank=True, max_length=NOTE_MAX_LENGTH)

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="report_percent_at_most_100")]

    def __str__(self) -> str:
        """What the audit trail calls it: "Báo cáo 100% ngày 06/12/2026 — <task> — <unit>"."""
        return gettext("Báo cáo %(percent)s%% ngày %(day)s — %(assignment)s") % {
            "percent": self.percent,
            "day": f"{self.submitted_on:%d/%m/%Y}",
            "assignment": self.assignment,
        }


class ReportAttachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("tệp"), upload_to="task-reports/%Y/")
    file_name = models.CharField(_("tên tệp gốc"), max_length=255)
    file_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("tệp đính kèm báo cáo")
        verbose_name_plural = _("tệp đính kèm báo cáo")

    def __str__(self) -> str:
        return self.file_name


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Chờ quyết định")
    APPROVED = "approved", _("Đồng ý gia hạn")
    REFUSED = "refused", _("Không đồng ý")


class ExtensionRequest(models.Model):
    # The audit trail reads the name of this record live (entries written before it had a readable name
    # stored only ids): the relations the name reads.
    audit_live_name: ClassVar[tuple[str, ...]] = ("assignment__task", "assignment__unit")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    current_due_date = models.DateField(_("hạn hiện tại"), null=True, blank=True)
    new_due_date = models.DateField(_("hạn đề nghị"))
    reason = models.TextField(_("lý do"), max_length=NOTE_MAX_LENGTH)
    state = models.CharField(
        _("trạng thái"), max_length=16, choices=ExtensionState.choices, default=ExtensionState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("ý kiến"), blank=True, max_length=NOTE_MAX_LENGTH)

    class Meta:
        verbose_name = _("đề nghị gia hạn")
        verbose_name_plural = _("đề nghị gia hạn")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(state="pending"), name="extension_one_pending_per_assignment"
            )
        ]

    def __str__(self) -> str:
        return gettext("Gia hạn đến %(day)s — %(assignment)s") % {
            "day": f"{self.new_due_date:%d/%m/%Y}",
            "assignment": self.assignment,
        }


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Sắp đến hạn")
    DUE_TODAY = "due_today", _("Đến hạn hôm nay")
    OVERDUE = "overdue", _("Quá hạn")
    ESCALATION = "escalation", _("Báo cáo lãnh đạo: quá hạn")
    MANUAL = "manual", _("Đôn đốc của cơ quan thường trực")


class ReminderLog(models.Model):
    """One reminder to one person about one assignment on one day; the constraint makes sending idempotent."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reminder_logs")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    day = models.DateField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nhật ký nhắc việc")
        verbose_name_plural = _("nhật ký nhắc việc")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind", "day", "recipient"], name="reminder_log_unique_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.kind} {self.day} → {self.recipient_id}"


class Notification(models.Model):
    """A message shown in the app (the same reminder also goes out by e-mail)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_notifications")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    message = models.TextField(max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo nhắc việc")
        verbose_name_plural = _("thông báo nhắc việc")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread_idx")]

    def __str__(self) -> str:
        return self.message[:80]


class DraftStatus(models.TextChoices):
    READING = "reading", _("đang đọc bản quét")
    READY = "ready", _("chờ xem lại")
    FAILED = "failed", _("không đọc được")


class DirectiveDraft(models.Model):
    """An uploaded directive waiting for the user to review the proposed tasks; nothing is tracked until confirmed."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    issuing_unit = models.ForeignKey("organisations.Unit", on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="directive-drafts/%Y/")
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    extraction = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # A scan is read in the background: the draft waits in "reading" until its pages are recognised.
    status = models.CharField(_("trạng thái"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.READY)
    page_count = models.PositiveIntegerField(_("số trang cần đọc"), default=0)
    pages_read = models.PositiveIntegerField(_("số trang đã đọc"), default=0)
    reading_started_at = models.DateTimeField(_("bắt đầu đọc lúc"), null=True, blank=True)
    message = models.CharField(_("lý do không đọc được"), max_length=1000, blank=True, default="")
    # The upload form's one-time token: a second submit of the same form finds the draft of the first.
    token = models.CharField(_("mã lượt gửi"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("văn bản chờ xác nhận")
        verbose_name_plural = _("văn bản chờ xác nhận")
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "token"], condition=~Q(token=""), name="directive_draft_one_per_upload_form"
            )
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_reading(self) -> bool:
        return self.status == DraftStatus.READING


class ExtractionReview(models.Model):
    """What the extractor proposed for an uploaded directive and when, kept when the user confirmed the review.

    With its :class:`ReviewedTask` rows it says, field by field, what the user had to correct, which proposals were
    dropped and which tasks were added by hand: the measure of the extractor on real use, and labelled data.
    """

    directive = models.OneToOneField(
        Directive, verbose_name=_("văn bản chỉ đạo"), on_delete=models.CASCADE, related_name="extraction_review"
    )
    # The engine's result as JSON (header and proposed tasks, without the document text, which the directive keeps).
    proposal = models.JSONField(_("kết quả trích xuất"), default=dict)
    extractor_version = models.CharField(_("phiên bản bộ trích xuất"), max_length=60, blank=True)
    extracted_at = models.DateTimeField(_("trích xuất lúc"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xác nhận"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("kết quả rà soát trích xuất")
        verbose_name_plural = _("kết quả rà soát trích xuất")
        ordering = ["-confirmed_at", "-pk"]

    def __str__(self) -> str:
        return str(self.directive)


class ReviewOutcome(models.TextChoices):
    KEPT = "kept", _("Giữ từ đề xuất")
    ADDED = "added", _("Thêm bằng tay")
    DISCARDED = "discarded", _("Bỏ đề xuất")


# The fields of a task whose correction is counted, in the order the quality page shows them.
CORRECTED_FIELDS = ("lead", "supporting", "deadline", "recurrence", "content")


class ReviewedTask(models.Model):
    """One row of a confirmed review: a proposal kept (with the fields the user corrected), dropped, or a task
    added by hand; ``confirmed`` is the task as confirmed, in the labelled-data shape."""

    review = models.ForeignKey(
        ExtractionReview, verbose_name=_("kết quả rà soát"), on_delete=models.CASCADE, related_name="rows"
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    outcome = models.CharField(_("kết quả"), max_length=12, choices=ReviewOutcome.choices)
    # Index of the proposal in ``review.proposal["tasks"]``; empty for a task added by hand.
    proposal_index = models.PositiveIntegerField(_("số thứ tự đề xuất"), null=True, blank=True)
    task = models.ForeignKey(
        Task,
        verbose_name=_("nhiệm vụ"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_rows",
    )
    confirmed = models.JSONField(_("nhiệm vụ đã xác nhận"), default=dict, blank=True)
    lead_corrected = models.BooleanField(_("sửa đơn vị chủ trì"), default=False)
    supporting_corrected = models.BooleanField(_("sửa đơn vị phối hợp"), default=False)
    deadline_corrected = models.BooleanField(_("sửa thời hạn"), default=False)
    recurrence_corrected = models.BooleanField(_("sửa tính lặp lại"), default=False)
    content_corrected = models.BooleanField(_("sửa nội dung"), default=False)

    class Meta:
        verbose_name = _("nhiệm vụ đã rà soát")
        verbose_name_plural = _("nhiệm vụ đã rà soát")
        ordering = ["review", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "proposal_index"],
                condition=Q(proposal_index__isnull=False),
                name="reviewed_task_unique_proposal",
            ),
            models.CheckConstraint(
                condition=Q(outcome="added", proposal_index__isnull=True)
                | (~Q(outcome="added") & Q(proposal_index__isnull=False)),
                name="reviewed_task_proposal_unless_added",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.position}: {self.get_outcome_display()}"
