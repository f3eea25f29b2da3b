"""Periodic reform reports (báo cáo định kỳ công tác cải cách hành chính) and their narrative sections.

A :class:`Report` is one unit's report for one period (a quarter, a half-year or a year); the province's report is
the report of the root unit, consolidated from the units' accepted reports. Its tables are never stored: they are
read from the owning apps' selectors each time the report is shown or exported (:mod:`.figures`), so a figure is
always the one the rest of the product shows. Only what people write is stored, one :class:`Section` per heading of
the usual outline, saved on its own so that nothing typed elsewhere on the page is lost.

When the secretariat ties a recurring task of a directive to the reports (:class:`ReportTask`), each report is tied
to the unit's assignment of that task for the same period: the deadline and the reminders are the task's, and
submitting and accepting the report report and accept the assignment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.lib.periods import Period, PeriodKind
from cchc.lib.validators import NOTE_MAX_LENGTH

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The headings of the usual outline of the administrative-reform report (the seeds' reporting duty; see
# docs/reports.md), in order: (key, heading, part).
SECTION_SPECS: tuple[tuple[str, StrOrPromise, str], ...] = (
    ("direction", _("Công tác chỉ đạo, điều hành cải cách hành chính"), "I"),
    ("institutional", _("Cải cách thể chế"), "II"),
    ("procedures", _("Cải cách thủ tục hành chính"), "II"),
    ("apparatus", _("Cải cách tổ chức bộ máy hành chính nhà nước"), "II"),
    ("civil_service", _("Cải cách chế độ công vụ"), "II"),
    ("public_finance", _("Cải cách tài chính công"), "II"),
    ("digital_government", _("Xây dựng và phát triển Chính phủ điện tử, Chính phủ số"), "II"),
    ("indices", _("Kết quả các chỉ số đánh giá"), "III"),
    ("assessment", _("Đánh giá chung: kết quả, hạn chế và nguyên nhân"), "IV"),
    ("next_tasks", _("Nhiệm vụ trọng tâm kỳ tới"), "V"),
    ("proposals", _("Đề xuất, kiến nghị"), "VI"),
)
SECTION_KEYS = tuple(key for key, _title, _part in SECTION_SPECS)
SECTION_TEXT_MAX_LENGTH = 20_000
REPORT_KINDS = (PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã gửi, chờ tiếp nhận")
    RETURNED = "returned", _("Bị trả lại, cần bổ sung")
    ACCEPTED = "accepted", _("Đã tiếp nhận")


# The shared status pill (``{% status %}``, cchc.lib.templatetags.status) of each report status; the pages keep the
# report's own wording.
STATUS_CODES = {
    ReportStatus.DRAFT: "draft",
    ReportStatus.SUBMITTED: "waiting",
    ReportStatus.RETURNED: "returned",
    ReportStatus.ACCEPTED: "accepted",
}
# Statuses in which the unit may still write.
EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


class Report(models.Model):
    audit_live_name: ClassVar[tuple[str, ...]] = ("unit",)

    unit = models.ForeignKey(
        "organisations.Unit", verbose_name=_("đơn vị báo cáo"), on_delete=models.PROTECT, related_name="reform_reports"
    )
    period_key = models.CharField(_("kỳ báo cáo"), max_length=10)
    status = models.CharField(_("trạng thái"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    is_consolidated = models.BooleanField(
        _("báo cáo tổng hợp"), default=False, help_text=_("Báo cáo của tỉnh, tổng hợp từ báo cáo của các đơn vị.")
    )
    reference = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    signer = models.CharField(_("người ký"), max_length=200, blank=True)
    assignment = models.ForeignKey(
        "directives.Assignment",
        verbose_name=_("nhiệm vụ báo cáo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reform_reports",
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xem xét"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.TextField(_("lý do trả lại"), blank=True, max_length=NOTE_MAX_LENGTH)
    consolidated_at = models.DateTimeField(_("tổng hợp lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    class Meta:
        verbose_name = _("báo cáo CCHC định kỳ")
        verbose_name_plural = _("báo cáo CCHC định kỳ")
        ordering = ["-period_key", "unit__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "period_key"], name="report_unique_unit_period")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.period.label}"

    @property
    def period(self) -> Period:
        return Period.from_key(self.period_key)

    @property
    def status_code(self) -> str:
        return STATUS_CODES.get(ReportStatus(self.status), "no_data")

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Section(models.Model):
    audit_live_name: ClassVar[tuple[str, ...]] = ("report__unit",)

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(_("mục"), max_length=32)
    text = models.TextField(_("nội dung"), blank=True, max_length=SECTION_TEXT_MAX_LENGTH)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người sửa"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mục báo cáo")
        verbose_name_plural = _("mục báo cáo")
        ordering = ["report", "pk"]
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="report_section_unique_key")]

    def __str__(self) -> str:
        return f"{self.report} — {self.title}"

    @property
    def title(self) -> str:
        return str({key: title for key, title, _part in SECTION_SPECS}.get(self.key, self.key))


class ReportTask(models.Model):
    """A recurring task of a directive that is the periodic reform report: its assignments carry the deadlines."""

    task = models.OneToOneField(
        "directives.Task", verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="reform_report_link"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("lập lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhiệm vụ báo cáo CCHC định kỳ")
        verbose_name_plural = _("nhiệm vụ báo cáo CCHC định kỳ")

    def __str__(self) -> str:
        return str(self.task)


class ReportTemplate(models.Model):
    """A Word template uploaded by the secretariat to replace the shipped one (the latest is used)."""

    file = models.FileField(_("tệp mẫu"), upload_to="report_templates/")
    file_name = models.CharField(_("tên tệp gốc"), max_length=255)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("mẫu báo cáo Word")
        verbose_name_plural = _("mẫu báo cáo Word")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name


class FileFormat(models.TextChoices):
    DOCX = "docx", _("Word")
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Phụ lục Excel")


class FileStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ tạo")
    BUILDING = "building", _("Đang tạo")
    READY = "ready", _("Đã tạo xong")
    FAILED = "failed", _("Không tạo được")


# A build in one of these statuses is under way: asking again (a double click) starts nothing new.
PENDING_FILE_STATUSES = (FileStatus.QUEUED, FileStatus.BUILDING)


class ReportFile(models.Model):
    """A report's Word, PDF or Excel file, built in the background (``documents.build_report_file_job``) and kept in
    Django's storage (``default_storage``: a folder, or object storage): one per report and format, built again on
    request (the figures are those of the moment it was built)."""

    report = models.ForeignKey(Report, verbose_name=_("báo cáo"), on_delete=models.CASCADE, related_name="files")
    fmt = models.CharField(_("định dạng"), max_length=8, choices=FileFormat.choices)
    status = models.CharField(_("trạng thái"), max_length=16, choices=FileStatus.choices, default=FileStatus.QUEUED)
    file = models.FileField(_("tệp"), upload_to="reports/files/%Y/", blank=True)
    # Why the build failed, in Vietnamese, for the person who asked.
    message = models.CharField(_("thông báo"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("yêu cầu lúc"), null=True, blank=True)
    started_at = models.DateTimeField(_("bắt đầu tạo lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("tạo xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tệp báo cáo")
        verbose_name_plural = _("tệp báo cáo")
        ordering = ["report", "fmt"]
        constraints = [models.UniqueConstraint(fields=["report", "fmt"], name="report_file_unique_format")]

    def __str__(self) -> str:
        return f"{self.report} · {self.fmt}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_FILE_STATUSES

    @property
    def download_name(self) -> str:
        prefix = "phu-luc" if self.fmt == FileFormat.XLSX else "bao-cao"
        return f"{prefix}-cchc-{self.report.unit.code or self.report.unit.pk}-{self.report.period_key}.{self.fmt}"
