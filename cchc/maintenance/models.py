from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """One run of a scheduled job on one day. The unique pair (job, day) is what lets several runners (one per
    application server, or a systemd timer and a forgotten cron line) share a schedule without running a job twice."""

    job = models.CharField(_("việc"), max_length=64)
    day = models.DateField(_("ngày"))
    started_at = models.DateTimeField(_("bắt đầu"))
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    succeeded = models.BooleanField(_("thành công"), null=True)
    output = models.TextField(_("kết quả"), blank=True)

    class Meta:
        verbose_name = _("lần chạy việc định kỳ")
        verbose_name_plural = _("các lần chạy việc định kỳ")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="scheduled_run_once_a_day")]

    def __str__(self) -> str:
        return f"{self.job} {self.day}"
