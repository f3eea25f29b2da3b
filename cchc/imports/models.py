"""One Excel import run in the background: its file while it waits, its progress, and its outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    UNITS = "units", _("Cây đơn vị")
    FRAMEWORK = "framework", _("Bộ tiêu chí")
    # Imports of the procedures app, whose job lives there (procedures.jobs): this app imports nothing above it.
    PROCEDURES = "procedures", _("Danh mục thủ tục hành chính")
    DOSSIERS = "dossiers", _("Hồ sơ thủ tục hành chính")
    AGGREGATES = "aggregates", _("Số liệu tổng hợp hồ sơ (biểu 06a, 07a)")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ xử lý")
    RUNNING = "running", _("Đang xử lý")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không nhập được")


class ImportPhase(models.TextChoices):
    READING = "reading", _("Đang đọc tệp")
    CHECKING = "checking", _("Đang kiểm tra dữ liệu")
    WRITING = "writing", _("Đang ghi dữ liệu")


class ImportRun(models.Model):
    kind = models.CharField(_("loại"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(_("trạng thái"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    phase = models.CharField(_("bước"), max_length=20, choices=ImportPhase.choices, default=ImportPhase.READING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_runs", verbose_name=_("người nhập")
    )
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.CASCADE, null=True, blank=True, related_name="import_runs"
    )
    # The upload, kept only until the run has read it.
    file = models.FileField(_("tệp"), upload_to="imports/", blank=True)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    dry_run = models.BooleanField(_("chạy thử"), default=False)
    rows_read = models.PositiveIntegerField(_("số dòng đã đọc"), default=0)
    # The report line on success, or why the whole file was refused.
    message = models.TextField(_("kết quả"), blank=True)
    # [[row, column, message], ...] when rows were wrong (then nothing was written).
    errors = models.JSONField(_("lỗi theo dòng"), default=list, blank=True)
    error_file = models.FileField(_("tệp báo lỗi"), upload_to="imports/errors/", blank=True)
    # What the importing app needs to run the file (source, preset, mode, period …) and, once done, its counts.
    options = models.JSONField(_("tùy chọn nhập"), default=dict, blank=True)
    # The form's one-time token: a second submit of the same form finds this run instead of starting another.
    token = models.CharField(_("mã lượt gửi"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nhập Excel")
        verbose_name_plural = _("lượt nhập Excel")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "token"], condition=~models.Q(token=""), name="import_run_unique_token"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}

    @property
    def ok(self) -> bool:
        return self.status == ImportStatus.DONE and not self.errors
