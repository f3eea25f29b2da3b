"""The shared store that ties the modules together.

Indicator definitions, targets per year and unit level, and values per unit
and period. ``directives``, ``surveys`` and ``procedures`` publish values here;
``assessments`` reads them to pre-fill criteria scored from an indicator.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cchc.lib.numbers import format_amount
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.validators import NOTE_MAX_LENGTH
from cchc.organisations.models import UnitKind


class Measure(models.TextChoices):
    PERCENT = "percent", _("Tỷ lệ (%)")
    COUNT = "count", _("Số lượng")
    SCORE = "score", _("Điểm")
    DAYS = "days", _("Số ngày")


class IndicatorSource(models.TextChoices):
    MANUAL = "manual", _("Nhập tay")
    DIRECTIVES = "directives", _("Theo dõi nhiệm vụ")
    SURVEYS = "surveys", _("Khảo sát")
    PROCEDURES = "procedures", _("Thủ tục hành chính, hồ sơ")
    ASSESSMENTS = "assessments", _("Chỉ số CCHC")
    EXTERNAL = "external", _("Kết quả công bố bên ngoài")
    INSPECTIONS = "inspections", _("Kiểm tra cải cách hành chính")
    INITIATIVES = "initiatives", _("Sáng kiến, giải pháp cải cách hành chính")


class EntryMode(models.TextChoices):
    """Who provides the values of an indicator."""

    COMPUTED = "computed", _("Hệ thống tính")
    IMPORTED = "imported", _("Nhập từ tệp")
    UNIT = "unit", _("Đơn vị nhập")


class ValueOrigin(models.TextChoices):
    COMPUTED = "computed", _("Hệ thống tính")
    IMPORTED = "imported", _("Nhập từ tệp")
    ENTERED = "entered", _("Đơn vị nhập")


class ValueState(models.TextChoices):
    """Review of a value entered by a unit; computed and imported values are accepted on publication."""

    DRAFT = "draft", _("Đang nhập")
    SUBMITTED = "submitted", _("Chờ xác nhận")
    ACCEPTED = "accepted", _("Đã xác nhận")
    RETURNED = "returned", _("Bị trả lại")


PERIOD_KIND_CHOICES = [
    (PeriodKind.MONTH.value, _("Tháng")),
    (PeriodKind.QUARTER.value, _("Quý")),
    (PeriodKind.HALF.value, _("6 tháng")),
    (PeriodKind.YEAR.value, _("Năm")),
]


class Indicator(models.Model):
    code = models.CharField(_("mã chỉ số"), max_length=80, unique=True)
    name = models.CharField(_("tên chỉ số"), max_length=300)
    description = models.TextField(_("mô tả, cách tính"), blank=True, max_length=NOTE_MAX_LENGTH)
    measure = models.CharField(_("đơn vị đo"), max_length=16, choices=Measure.choices, default=Measure.PERCENT)
    source = models.CharField(_("nguồn dữ liệu"), max_length=16, choices=IndicatorSource.choices)
    higher_is_better = models.BooleanField(_("càng cao càng tốt"), default=True)
    entry = models.CharField(_("cách có số liệu"), max_length=16, choices=EntryMode.choices, default=EntryMode.COMPUTED)
    group = models.CharField(_("nhóm"), max_length=100, blank=True)
    basis = models.CharField(_("căn cứ, nguồn chỉ tiêu"), max_length=300, blank=True)
    period_kind = models.CharField(
        _("kỳ báo cáo"), max_length=8, choices=PERIOD_KIND_CHOICES, default=PeriodKind.YEAR.value
    )
    unit_kind = models.CharField(_("áp dụng cho loại đơn vị"), max_length=32, blank=True)
    on_public_page = models.BooleanField(
        _("hiện trên trang công khai"),
        default=False,
        help_text=_("Giá trị đã xác nhận của chỉ số được công khai cho người dân, không cần đăng nhập."),
    )

    class Meta:
        verbose_name = _("chỉ số")
        verbose_name_plural = _("chỉ số")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def provenance_label(self) -> str:
        """How the values come, as the pages show it: "Hệ thống tính (Theo dõi nhiệm vụ)", "Đơn vị nhập (…)".

        The source "Nhập tay" is left out: it says nothing more of an indicator entered by units, and of a computed or
        imported one it would contradict the entry mode.
        """
        entry = str(self.get_entry_display())
        if self.source == IndicatorSource.MANUAL:
            return entry
        return gettext("%(entry)s (%(source)s)") % {"entry": entry, "source": self.get_source_display()}


class Target(models.Model):
    """A target (chỉ tiêu) for a year, for one unit or for every unit of a kind.

    With a ``step`` the target escalates: ``value`` in ``year``, then ``step`` better every following year (higher
    for an indicator where higher is better, lower otherwise) until it reaches ``cap``. ``selectors.target_for``
    expands it to any year.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("năm"))
    unit_kind = models.CharField(_("loại đơn vị"), max_length=32, blank=True)
    unit = models.ForeignKey("organisations.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    value = models.DecimalField(_("chỉ tiêu"), max_digits=14, decimal_places=4)
    note = models.CharField(_("căn cứ"), max_length=300, blank=True)
    step = models.DecimalField(_("mức tăng mỗi năm"), max_digits=14, decimal_places=4, null=True, blank=True)
    cap = models.DecimalField(_("mức tối đa"), max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year", "unit_kind", "unit"], name="target_unique_scope"),
        ]

    def __str__(self) -> str:
        return gettext("Chỉ tiêu năm %(year)s của “%(indicator)s”: %(value)s") % {
            "year": self.year,
            "indicator": self.indicator.name,
            "value": format_amount(self.value, self.indicator.measure),
        }

    @property
    def scope_label(self) -> str:
        """Who the target applies to: one unit, every unit of a kind, or every unit."""
        if self.unit_id is not None and self.unit is not None:
            return self.unit.name
        if self.unit_kind:
            try:
                kind = str(UnitKind(self.unit_kind).label)
            except ValueError:
                kind = self.unit_kind
            return gettext("Mọi đơn vị loại “%(kind)s”") % {"kind": kind}
        return gettext("Mọi đơn vị")


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    unit = models.ForeignKey("organisations.Unit", on_delete=models.CASCADE, related_name="indicator_values")
    period_kind = models.CharField(_("loại kỳ"), max_length=8, choices=PERIOD_KIND_CHOICES)
    period_key = models.CharField(_("kỳ"), max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=4)
    numerator = models.DecimalField(_("tử số"), max_digits=14, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("mẫu số"), max_digits=14, decimal_places=4, null=True, blank=True)
    note = models.CharField(_("ghi chú nguồn"), max_length=300, blank=True)
    origin = models.CharField(
        _("nguồn giá trị"), max_length=16, choices=ValueOrigin.choices, default=ValueOrigin.COMPUTED
    )
    state = models.CharField(_("trạng thái"), max_length=16, choices=ValueState.choices, default=ValueState.ACCEPTED)
    return_reason = models.CharField(_("lý do trả lại"), max_length=NOTE_MAX_LENGTH, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )
    reviewed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("giá trị chỉ số")
        verbose_name_plural = _("giá trị chỉ số")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "period_key"], name="indicator_value_unique_period"),
        ]
        indexes = [
            models.Index(fields=["indicator", "period_key"], name="indicator_value_period_idx"),
            models.Index(fields=["state"], name="indicator_value_state_idx"),
        ]

    def __str__(self) -> str:
        """What the audit trail and pages show: "Tỷ lệ nhiệm vụ hoàn thành đúng hạn, Xã A, Năm 2026: 66,67 %"."""
        return gettext("%(indicator)s, %(unit)s, %(period)s: %(value)s") % {
            "indicator": self.indicator.name,
            "unit": self.unit.name,
            "period": self.period_label,
            "value": self.display_value,
        }

    @property
    def display_value(self) -> str:
        return format_amount(self.value, self.indicator.measure)

    @property
    def period_label(self) -> str:
        try:
            return self.period.label
        except ValueError:
            return self.period_key

    @property
    def period(self) -> Period:
        return Period.from_key(self.period_key)

    @property
    def is_locked(self) -> bool:
        """Accepted values (and values waiting for review) are not changed by the unit."""
        return self.state in (ValueState.SUBMITTED, ValueState.ACCEPTED)

    @property
    def is_editable(self) -> bool:
        return self.origin == ValueOrigin.ENTERED and self.state in (ValueState.DRAFT, ValueState.RETURNED)


class ValueEvidence(models.Model):
    """A file supporting a value entered by a unit; stored under its SHA-256, kept once the value is submitted."""

    value = models.ForeignKey(IndicatorValue, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("tệp"), upload_to="indicators/%Y/")
    file_name = models.CharField(_("tên tệp gốc"), max_length=255)
    file_size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp minh chứng")
        verbose_name_plural = _("tệp minh chứng")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.file_name


class ExternalResponsibility(models.Model):
    """A unit answerable, in one province, for one item of an external index (a PAPI dimension, a PAR INDEX area, a
    SIPAS element or an index's total): the lead unit(s) and the units that support them."""

    province = models.ForeignKey(
        "organisations.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("tỉnh, thành phố")
    )
    item_code = models.CharField(_("nội dung chỉ số"), max_length=20)
    unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.CASCADE,
        related_name="external_responsibilities",
        verbose_name=_("đơn vị chịu trách nhiệm"),
    )
    lead = models.BooleanField(_("chủ trì"), default=True)
    created_at = models.DateTimeField(_("giao lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("đơn vị chịu trách nhiệm nội dung chỉ số")
        verbose_name_plural = _("đơn vị chịu trách nhiệm nội dung chỉ số")
        ordering = ["province", "item_code", "-lead", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "item_code", "unit"], name="external_responsibility_unique"),
        ]

    def __str__(self) -> str:
        role = gettext("chủ trì") if self.lead else gettext("phối hợp")
        return f"{self.item_code}, {self.province.name}: {self.unit.name} ({role})"
