"""The register of reform initiatives (sáng kiến, giải pháp CCHC).

A unit proposes its initiatives for a year (title, description, files); the secretariat recognises them, saying at which
level (the unit's own council, the province, a ministry), who and when; a recognised initiative may later be marked as
applied. A proposal the secretariat turns down is *not recognised*, with the reason: it stays in the register, never
counts, and may be reopened as a proposal for another examination. The number of recognised (or applied) initiatives of
a unit in a year is published as the indicator ``initiatives.recognised_count``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.lib.validators import NOTE_MAX_LENGTH

TITLE_MAX_LENGTH = 300


class InitiativeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Đề xuất")
    RECOGNISED = "recognised", _("Được công nhận")
    APPLIED = "applied", _("Đã áp dụng")
    NOT_RECOGNISED = "not_recognised", _("Không được công nhận")


class RecognitionLevel(models.TextChoices):
    UNIT = "unit", _("Cấp cơ sở")
    PROVINCE = "province", _("Cấp tỉnh")
    MINISTRY = "ministry", _("Cấp bộ, ngành, toàn quốc")


# Statuses that count towards the unit's target; a proposal and a not recognised initiative never do.
COUNTED_STATUSES = (InitiativeStatus.RECOGNISED, InitiativeStatus.APPLIED)
REFUSAL_MAX_LENGTH = 500


class Initiative(models.Model):
    unit = models.ForeignKey(
        "organisations.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="initiatives"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên sáng kiến, giải pháp"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("mô tả"), max_length=NOTE_MAX_LENGTH)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=InitiativeStatus.choices, default=InitiativeStatus.PROPOSED
    )
    level = models.CharField(_("cấp công nhận"), max_length=16, choices=RecognitionLevel.choices, blank=True)
    recognised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người công nhận"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recognised_on = models.DateField(_("ngày công nhận"), null=True, blank=True)
    recognition_reference = models.CharField(_("quyết định công nhận"), max_length=100, blank=True)
    applied_on = models.DateField(_("ngày áp dụng"), null=True, blank=True)
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định không công nhận"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refused_on = models.DateField(_("ngày quyết định không công nhận"), null=True, blank=True)
    refusal_reason = models.CharField(_("lý do không công nhận"), max_length=REFUSAL_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sáng kiến, giải pháp cải cách hành chính")
        verbose_name_plural = _("sáng kiến, giải pháp cải cách hành chính")
        ordering = ["-year", "unit__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "title"], name="initiative_unique_title"),
        ]
        indexes = [models.Index(fields=["year", "status"], name="initiative_year_status_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_counted(self) -> bool:
        return self.status in COUNTED_STATUSES


class InitiativeFile(models.Model):
    """A file describing an initiative; stored under its SHA-256."""

    initiative = models.ForeignKey(
        Initiative, verbose_name=_("sáng kiến"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("tệp"), upload_to="initiatives/%Y/")
    file_name = models.CharField(_("tên tệp gốc"), max_length=255)
    file_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp sáng kiến")
        verbose_name_plural = _("tệp sáng kiến")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.file_name
