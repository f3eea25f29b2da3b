"""Criteria frameworks (bộ tiêu chí) for the PAR INDEX.

A framework belongs to a year and a unit kind and holds a tree of criteria:
area (lĩnh vực) → criterion (tiêu chí) → sub-criterion (tiêu chí thành phần),
any depth. Leaves carry a machine-readable scoring rule (``rule_kind`` and
``rule_params``), evaluated by :mod:`cchc.frameworks.scoring`.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.lib.validators import NOTE_MAX_LENGTH, TITLE_MAX_LENGTH
from cchc.organisations.models import UnitKind


class Framework(models.Model):
    name = models.CharField(_("tên bộ tiêu chí"), max_length=300)
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    unit_kind = models.CharField(_("áp dụng cho"), max_length=32, choices=UnitKind.choices)
    owner = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("đơn vị ban hành"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="frameworks",
        help_text=_("Tỉnh (hoặc đơn vị) ban hành và sử dụng bộ tiêu chí; để trống là dùng chung toàn hệ thống."),
    )
    scale = models.DecimalField(_("thang điểm"), max_digits=7, decimal_places=2, default=Decimal(100))
    decision_reference = models.CharField(
        _("văn bản ban hành"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: Quyết định số 2211/QĐ-UBND ngày 31/8/2025."),
    )
    is_sample = models.BooleanField(
        _("bộ tiêu chí mẫu"),
        default=False,
        help_text=_("Bộ mẫu để tham khảo; tỉnh cần thay bằng bộ tiêu chí theo quyết định của mình."),
    )
    notes = models.TextField(
        _("ghi chú, nguồn"),
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        help_text=_("Căn cứ, nguồn tham khảo và lưu ý khi sử dụng bộ tiêu chí."),
    )
    based_on = models.ForeignKey(
        "self", verbose_name=_("sao chép từ"), on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bộ tiêu chí")
        verbose_name_plural = _("bộ tiêu chí")
        ordering = ["-year", "unit_kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "year", "unit_kind", "name"], name="framework_unique_name_per_owner_year_kind"
            ),
            models.UniqueConstraint(
                fields=["year", "unit_kind", "name"],
                condition=models.Q(owner__isnull=True),
                name="framework_unique_shared_name_per_year_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    def is_locked(self) -> bool:
        """Used by a round that has left its draft stage: the criteria may no longer change."""
        return self.rounds.exclude(stage="draft").exists()


class CriterionCategory(models.TextChoices):
    BASE = "base", _("Tiêu chí trong thang điểm")
    BONUS = "bonus", _("Điểm thưởng")
    PENALTY = "penalty", _("Điểm trừ")


class RuleKind(models.TextChoices):
    MANUAL = "manual", _("Chấm điểm trực tiếp (0 đến tối đa, theo bước)")
    YES_NO = "yes_no", _("Có / không")
    BANDS = "bands", _("Theo mức tỷ lệ")
    TIMELINESS = "timeliness", _("Đúng hạn / trễ hạn / không thực hiện")
    PROPORTIONAL = "proportional", _("Tỷ lệ so với chỉ tiêu")
    INDICATOR = "indicator", _("Tự động từ chỉ số")
    SURVEY = "survey", _("Từ kết quả khảo sát")


class Criterion(models.Model):
    """One node of the criteria tree. Depth 0 is an area, 1 a criterion, 2+ sub-criteria.

    ``rule_params`` by ``rule_kind`` (all numbers as strings or numbers):

    * ``manual``: ``{"step": "0.25"}``
    * ``yes_no``: ``{}`` (yes = max, no = 0)
    * ``bands``: ``{"bands": [{"min": 90, "points": 2}, {"min": 70, "points": 1}, {"min": 0, "points": 0}]}`` —
      the first band whose ``min`` the rate reaches gives the points
    * ``timeliness``: ``{"on_time": 1, "late": 0.5, "missing": 0}``
    * ``proportional``: ``{"target": 100}`` — rate / target × max, capped at max
    * ``indicator``: ``{"indicator": "tasks.on_time_rate", "method": "bands" | "proportional", ...}`` with the
      parameters of the method
    * ``survey``: ``{"indicator": "sipas.satisfaction", "method": ...}`` — a survey result published as an indicator
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField(_("mã (STT)"), max_length=20)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    title = models.TextField(_("nội dung"), max_length=TITLE_MAX_LENGTH)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=7, decimal_places=2)
    category = models.CharField(
        _("loại"), max_length=8, choices=CriterionCategory.choices, default=CriterionCategory.BASE
    )
    scoring_guide = models.TextField(_("hướng dẫn chấm"), blank=True, max_length=NOTE_MAX_LENGTH)
    evidence_requirement = models.TextField(_("tài liệu kiểm chứng"), blank=True, max_length=NOTE_MAX_LENGTH)
    lead_unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("cơ quan chủ trì thẩm định"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_criteria",
    )
    rule_kind = models.CharField(_("cách chấm"), max_length=16, choices=RuleKind.choices, default=RuleKind.MANUAL)
    rule_params = models.JSONField(_("tham số chấm điểm"), default=dict, blank=True)

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="criterion_unique_code_in_framework"),
            models.CheckConstraint(condition=models.Q(max_points__gte=0), name="criterion_max_points_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:80]}"
