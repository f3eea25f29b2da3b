"""The register of administrative-reform inspections (kiểm tra CCHC).

An organising unit (the province, whose secretariat carries the inspections out) keeps one :class:`InspectionPlan` a
year: which of its units are inspected (:class:`Inspection`), when and by whom. Each inspection records its findings
(:class:`Finding`: recommendations and shortcomings); every finding becomes a task of the directives app for the
inspected unit, with a deadline, so that its remedy is followed like any other task. A finding is remedied when that
task's assignment is done (the secretariat accepted the completion report).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.lib.validators import NOTE_MAX_LENGTH

TITLE_MAX_LENGTH = 300


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    APPROVED = "approved", _("Đang thực hiện")
    CLOSED = "closed", _("Đã kết thúc")


# The shared status pill (cchc.lib.templatetags.status) of each plan status: the pages keep the plan's own wording.
PLAN_STATUS_CODES: dict[str, str] = {
    PlanStatus.DRAFT: "draft",
    PlanStatus.APPROVED: "in_progress",
    PlanStatus.CLOSED: "closed",
}


class FindingKind(models.TextChoices):
    RECOMMENDATION = "recommendation", _("Kiến nghị")
    SHORTCOMING = "shortcoming", _("Tồn tại, hạn chế")


class InspectionPlan(models.Model):
    organiser = models.ForeignKey(
        "organisations.Unit", verbose_name=_("đơn vị tổ chức kiểm tra"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên kế hoạch"), max_length=TITLE_MAX_LENGTH)
    reference = models.CharField(_("số, ký hiệu văn bản"), max_length=100, blank=True)
    note = models.TextField(_("ghi chú"), blank=True, max_length=NOTE_MAX_LENGTH)
    status = models.CharField(_("trạng thái"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("kế hoạch kiểm tra cải cách hành chính")
        verbose_name_plural = _("kế hoạch kiểm tra cải cách hành chính")
        ordering = ["-year", "organiser__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organiser", "year"], name="inspection_plan_unique_year"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status_code(self) -> str:
        """The shared status pill's code (``{% status %}``) for the plan's status."""
        return PLAN_STATUS_CODES.get(self.status, "no_data")

    @property
    def is_closed(self) -> bool:
        return self.status == PlanStatus.CLOSED


class Inspection(models.Model):
    plan = models.ForeignKey(
        InspectionPlan, verbose_name=_("kế hoạch kiểm tra"), on_delete=models.CASCADE, related_name="inspections"
    )
    unit = models.ForeignKey(
        "organisations.Unit", verbose_name=_("đơn vị được kiểm tra"), on_delete=models.PROTECT, related_name="+"
    )
    planned_on = models.DateField(_("thời gian dự kiến"))
    done_on = models.DateField(_("ngày kiểm tra"), null=True, blank=True)
    team = models.CharField(_("đoàn kiểm tra"), max_length=TITLE_MAX_LENGTH, blank=True)
    note = models.TextField(_("ghi chú"), blank=True, max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cuộc kiểm tra")
        verbose_name_plural = _("cuộc kiểm tra")
        ordering = ["planned_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="inspection_unique_unit_in_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.planned_on:%d/%m/%Y})"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class Finding(models.Model):
    """A recommendation or shortcoming recorded at an inspection, followed as a task of the inspected unit."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("cuộc kiểm tra"), on_delete=models.CASCADE, related_name="findings"
    )
    kind = models.CharField(_("loại"), max_length=16, choices=FindingKind.choices, default=FindingKind.RECOMMENDATION)
    content = models.TextField(_("nội dung"), max_length=NOTE_MAX_LENGTH)
    deadline = models.DateField(_("thời hạn khắc phục"))
    task = models.OneToOneField(
        "directives.Task",
        verbose_name=_("nhiệm vụ khắc phục"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspection_finding",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kiến nghị, tồn tại sau kiểm tra")
        verbose_name_plural = _("kiến nghị, tồn tại sau kiểm tra")
        ordering = ["inspection", "pk"]

    def __str__(self) -> str:
        return self.content[:150]
