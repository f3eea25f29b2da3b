"""The procedure catalogue (thủ tục hành chính) and the dossiers (hồ sơ) imported from one-stop systems.

A dossier is identified by the system it came from (``source``, a name the importer chooses: "iGate Sở Tư pháp",
"DVCQG") and its code in that system, so that importing the same export again updates the rows instead of adding
them twice. Dates are kept as days: the tracking book (Mẫu 07) records days, and the on-time rules the indicators
will apply compare days.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.lib.validators import TITLE_MAX_LENGTH
from cchc.organisations.models import Unit


class OnlineLevel(models.TextChoices):
    """The two levels of online public service of NĐ 42/2022/NĐ-CP, Art. 11, or none."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không cung cấp trực tuyến")


class Procedure(models.Model):
    code = models.CharField(_("mã thủ tục"), max_length=100, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=TITLE_MAX_LENGTH)
    name_key = models.CharField(
        _("khóa tìm tên"), max_length=TITLE_MAX_LENGTH, editable=False, db_index=True, default=""
    )
    field = models.CharField(_("lĩnh vực"), max_length=255, blank=True)
    level = models.CharField(_("cấp thực hiện"), max_length=255, blank=True)
    online_level = models.CharField(
        _("mức độ dịch vụ công trực tuyến"), max_length=16, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    fee_bearing = models.BooleanField(_("có phí, lệ phí"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class DossierStatus(models.TextChoices):
    """The ten states of the national portal's sync record (TrangThaiHoSo 1–10), in that order."""

    NEW = "new", _("Mới đăng ký")
    RECEIVED = "received", _("Được tiếp nhận")
    REJECTED = "rejected", _("Không được tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    SUPPLEMENT = "supplement", _("Yêu cầu bổ sung giấy tờ")
    FINANCIAL = "financial", _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = "withdrawn", _("Công dân yêu cầu rút hồ sơ")
    SUSPENDED = "suspended", _("Dừng xử lý")
    FINISHED = "finished", _("Đã xử lý xong")
    RETURNED = "returned", _("Đã trả kết quả")


class Channel(models.TextChoices):
    """How the dossier was submitted (KenhThucHien 1/2/3)."""

    DIRECT = "direct", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Bưu chính công ích")


class DataImportKind(models.TextChoices):
    PROCEDURES = "procedures", _("Danh mục thủ tục")
    DOSSIERS = "dossiers", _("Hồ sơ")
    AGGREGATES = "aggregates", _("Số liệu tổng hợp")


class DataImport(models.Model):
    """One import of a file: what was read and what it did (the subject of its single audit entry)."""

    kind = models.CharField(_("loại"), max_length=16, choices=DataImportKind.choices)
    source = models.CharField(_("nguồn dữ liệu"), max_length=100, blank=True)
    preset = models.CharField(_("mẫu cột"), max_length=100, blank=True)
    file_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    valid_rows_only = models.BooleanField(_("chỉ nhập các dòng hợp lệ"), default=False)
    rows_read = models.PositiveIntegerField(_("số dòng đã đọc"), default=0)
    created = models.PositiveIntegerField(_("số bản ghi thêm mới"), default=0)
    updated = models.PositiveIntegerField(_("số bản ghi cập nhật"), default=0)
    unchanged = models.PositiveIntegerField(_("số bản ghi không đổi"), default=0)
    rejected = models.PositiveIntegerField(_("số dòng bị từ chối"), default=0)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(_("thời điểm nhập"), auto_now_add=True)

    class Meta:
        verbose_name = _("lần nhập dữ liệu")
        verbose_name_plural = _("lần nhập dữ liệu")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source} {self.file_name}".strip()


class Dossier(models.Model):
    source = models.CharField(_("nguồn dữ liệu"), max_length=100)
    code = models.CharField(_("mã hồ sơ"), max_length=100)
    # No index of their own: the composite indexes below begin with them and serve their look-ups (every index is
    # written for every imported row).
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị tiếp nhận"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    received_on = models.DateField(_("ngày tiếp nhận"))
    due_on = models.DateField(_("ngày hẹn trả"), null=True, blank=True)
    finished_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    returned_on = models.DateField(_("ngày trả kết quả"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=16, choices=DossierStatus.choices)
    channel = models.CharField(_("kênh nộp"), max_length=16, choices=Channel.choices, blank=True)
    fee = models.DecimalField(_("phí, lệ phí"), max_digits=14, decimal_places=0, null=True, blank=True)
    paid_online = models.BooleanField(_("thanh toán trực tuyến"), default=False)
    inputs_digitised = models.BooleanField(_("thành phần hồ sơ được số hóa"), default=False)
    results_digitised = models.BooleanField(_("kết quả được số hóa"), default=False)
    electronic_result = models.BooleanField(_("có kết quả điện tử"), default=False)
    apology_on = models.DateField(_("ngày phiếu xin lỗi"), null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    returned_or_withdrawn = models.BooleanField(_("trả lại hoặc rút hồ sơ"), default=False)
    # Written only by the import that creates the DataImport row in the same transaction, and set to null by Django
    # when that row is deleted (``SET_NULL``): no database constraint, whose check per row cost an import as much as
    # the procedure's or the unit's (docs/decisions.md, "The dossier's last import is not a database constraint").
    last_import = models.ForeignKey(
        DataImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lần nhập gần nhất"),
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["source", "code"], name="dossier_unique_code_per_source"),
            models.CheckConstraint(
                condition=Q(finished_on__isnull=True) | Q(finished_on__gte=models.F("received_on")),
                name="dossier_finished_after_received",
            ),
        ]
        indexes = [
            # The indicators count per receiving unit and period, by received date and by finished date.
            models.Index(fields=["unit", "received_on"], name="dossier_unit_received"),
            models.Index(fields=["unit", "finished_on"], name="dossier_unit_finished"),
            models.Index(fields=["procedure", "received_on"], name="dossier_procedure_received"),
            # The overdue-pending snapshot of the KPIs reads only dossiers still open or finished late.
            models.Index(
                fields=["finished_on", "due_on"],
                include=["unit", "received_on", "status"],
                condition=Q(finished_on__isnull=True) | Q(finished_on__gt=models.F("due_on")),
                name="dossier_open_or_late",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.code}"


class DossierKey(models.Model):
    """Where the dossier of a (source, code) is: its id and received date, in one table that is not partitioned, so
    that a code stays unique in its source across the years of the dossiers' partitions on PostgreSQL (decision 26).

    On PostgreSQL the dossier import writes the key rows of the dossiers it writes itself, from the rows just stored
    (one ``INSERT … SELECT`` after each ``COPY``), and its re-import finds the stored dossier, and so its partition,
    here; every other writer of dossiers (the admin, fixtures, tests) is followed by a trigger of the dossier table
    that the import turns off for its own transaction. A second dossier with the same code in the same source fails
    on this table's primary key. On SQLite the dossier table keeps its own unique constraint and this table stays
    empty.
    """

    pk = models.CompositePrimaryKey("source", "code", verbose_name=_("nguồn và mã hồ sơ"))
    source = models.CharField(_("nguồn dữ liệu"), max_length=100)
    code = models.CharField(_("mã hồ sơ"), max_length=100)
    # No database constraint: a foreign key into the partitioned dossiers would have to name (id, received_on) and be
    # checked for every imported row; the trigger and the import keep the two in step.
    dossier = models.ForeignKey(
        Dossier,
        verbose_name=_("hồ sơ"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    received_on = models.DateField(_("ngày tiếp nhận"))

    class Meta:
        verbose_name = _("khóa của hồ sơ")
        verbose_name_plural = _("khóa của hồ sơ")

    def __str__(self) -> str:
        return f"{self.source}: {self.code}"


class DossierAggregate(models.Model):
    """Counts of dossiers for one unit (and, in the 07a layout, one field) over one period, from an aggregate report
    (biểu 06a / 07a) when no per-dossier file exists. A count the report's layout does not have is ``None``."""

    source = models.CharField(_("nguồn dữ liệu"), max_length=100)
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    field = models.CharField(_("lĩnh vực"), max_length=255, blank=True)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    received_total = models.PositiveIntegerField(_("tổng số hồ sơ nhận giải quyết"), null=True, blank=True)
    received_previous = models.PositiveIntegerField(_("kỳ trước chuyển qua"), null=True, blank=True)
    received_new = models.PositiveIntegerField(_("mới tiếp nhận trong kỳ"), null=True, blank=True)
    received_online = models.PositiveIntegerField(_("tiếp nhận trực tuyến"), null=True, blank=True)
    received_direct_postal = models.PositiveIntegerField(
        _("tiếp nhận trực tiếp, bưu chính công ích"), null=True, blank=True
    )
    finished_total = models.PositiveIntegerField(_("đã giải quyết"), null=True, blank=True)
    finished_early = models.PositiveIntegerField(_("đã giải quyết trước hạn"), null=True, blank=True)
    finished_on_time = models.PositiveIntegerField(_("đã giải quyết đúng hạn"), null=True, blank=True)
    finished_late = models.PositiveIntegerField(_("đã giải quyết quá hạn"), null=True, blank=True)
    processing_total = models.PositiveIntegerField(_("đang giải quyết"), null=True, blank=True)
    processing_on_time = models.PositiveIntegerField(_("đang giải quyết trong hạn"), null=True, blank=True)
    processing_late = models.PositiveIntegerField(_("đang giải quyết quá hạn"), null=True, blank=True)
    supplement = models.PositiveIntegerField(_("yêu cầu bổ sung"), null=True, blank=True)
    returned = models.PositiveIntegerField(_("trả lại"), null=True, blank=True)
    last_import = models.ForeignKey(
        DataImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lần nhập gần nhất"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("số liệu tổng hợp hồ sơ")
        verbose_name_plural = _("số liệu tổng hợp hồ sơ")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "unit", "field", "period_start", "period_end"], name="dossier_aggregate_unique"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="dossier_aggregate_period_order"
            ),
        ]
        indexes = [models.Index(fields=["unit", "period_start"], name="dossier_aggregate_unit_period")]

    def __str__(self) -> str:
        return f"{self.source}: {self.unit_id} {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y} {self.field}"


class PresetKind(models.TextChoices):
    DOSSIERS = "dossiers", _("Hồ sơ")


class ImportPreset(models.Model):
    """A column mapping saved under a name (besides the presets shipped in ``presets.py``).

    ``columns`` maps each dossier field to the header texts that may name it; ``codes`` maps a field to the values
    of the file and what they mean (``{"status": {"1": "new", …}}``); ``date_format`` is ``"dmy"`` or
    ``"yyyyMMddHHmmss"``.
    """

    name = models.CharField(_("tên mẫu cột"), max_length=100, unique=True)
    description = models.CharField(_("mô tả"), max_length=TITLE_MAX_LENGTH, blank=True)
    source_document = models.CharField(_("tài liệu gốc của bố cục"), max_length=TITLE_MAX_LENGTH, blank=True)
    kind = models.CharField(max_length=16, choices=PresetKind.choices, default=PresetKind.DOSSIERS)
    columns = models.JSONField(_("ánh xạ cột"), default=dict)
    codes = models.JSONField(_("bảng mã"), default=dict, blank=True)
    date_format = models.CharField(_("cách ghi ngày"), max_length=20, default="dmy")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mẫu cột nhập hồ sơ")
        verbose_name_plural = _("mẫu cột nhập hồ sơ")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DossierCounts(models.Model):
    """The counts the KPIs sum (see ``kpis.py`` and ``docs/kpis.md``): received counts are keyed by the month of
    ``received_on``, finished counts by the month of ``finished_on``."""

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị tiếp nhận"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("tháng"))
    received = models.PositiveIntegerField(_("tiếp nhận"), default=0)
    received_online = models.PositiveIntegerField(_("tiếp nhận trực tuyến"), default=0)
    received_postal = models.PositiveIntegerField(_("tiếp nhận qua bưu chính công ích"), default=0)
    received_full = models.PositiveIntegerField(_("tiếp nhận của thủ tục toàn trình"), default=0)
    received_full_online = models.PositiveIntegerField(_("tiếp nhận trực tuyến của thủ tục toàn trình"), default=0)
    received_digitised = models.PositiveIntegerField(_("tiếp nhận có thành phần được số hóa"), default=0)
    received_fee = models.PositiveIntegerField(_("tiếp nhận có phí, lệ phí"), default=0)
    received_fee_paid_online = models.PositiveIntegerField(_("có phí, thanh toán trực tuyến"), default=0)
    finished = models.PositiveIntegerField(_("đã giải quyết"), default=0)
    finished_on_time = models.PositiveIntegerField(_("giải quyết đúng hạn"), default=0)
    finished_e_result = models.PositiveIntegerField(_("giải quyết có kết quả điện tử"), default=0)
    finished_late_apology = models.PositiveIntegerField(_("trễ hạn có phiếu xin lỗi"), default=0)
    finished_days = models.PositiveBigIntegerField(_("tổng số ngày giải quyết"), default=0)

    class Meta:
        abstract = True


class DossierMonth(DossierCounts):
    """Counts of one unit's dossiers of one procedure field in one month, kept current by every dossier import."""

    field = models.CharField(_("lĩnh vực"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("số liệu hồ sơ theo tháng")
        verbose_name_plural = _("số liệu hồ sơ theo tháng")
        constraints = [models.UniqueConstraint(fields=["unit", "month", "field"], name="dossier_month_unique")]
        indexes = [models.Index(fields=["month", "unit"], name="dossier_month_month_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%m/%Y} {self.field}"


class DossierUnitMonth(DossierCounts):
    """The same counts over all fields: what the KPI table reads when no field is chosen (one small row per unit and
    month), kept with :class:`DossierMonth` by the same refresh."""

    class Meta:
        verbose_name = _("số liệu hồ sơ của đơn vị theo tháng")
        verbose_name_plural = _("số liệu hồ sơ của đơn vị theo tháng")
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="dossier_unit_month_unique")]
        indexes = [models.Index(fields=["month", "unit"], name="dossier_unit_month_month_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%m/%Y}"


class ScoreGroup(models.IntegerChoices):
    """The five groups of QĐ 766/QĐ-TTg (domain notes §4)."""

    PUBLICITY = 1, _("Công khai, minh bạch")
    PROGRESS = 2, _("Tiến độ, kết quả giải quyết")
    ONLINE = 3, _("Cung cấp dịch vụ trực tuyến")
    DIGITISATION = 4, _("Số hóa hồ sơ")
    SATISFACTION = 5, _("Mức độ hài lòng")


class ScoreItem(models.Model):
    """One scored indicator of a QĐ 766 group: the rate it reads (a KPI key computed from dossiers or an indicator
    code of the store), its maximum points and the rate at which it earns them all."""

    group = models.PositiveSmallIntegerField(_("nhóm chỉ số"), choices=ScoreGroup.choices)
    code = models.CharField(_("mã chỉ số thành phần"), max_length=20, unique=True)
    name = models.CharField(_("tên chỉ số thành phần"), max_length=TITLE_MAX_LENGTH)
    kpi = models.CharField(_("số liệu hồ sơ dùng để tính"), max_length=40, blank=True)
    indicator_code = models.CharField(_("mã chỉ số trong kho chỉ số"), max_length=80, blank=True)
    max_points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    full_at = models.DecimalField(_("tỷ lệ đạt điểm tối đa (%)"), max_digits=6, decimal_places=2)
    active = models.BooleanField(_("đang áp dụng"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    note = models.CharField(_("căn cứ"), max_length=TITLE_MAX_LENGTH, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chỉ số thành phần QĐ 766")
        verbose_name_plural = _("chỉ số thành phần QĐ 766")
        ordering = ["group", "order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(max_points__gte=0), name="score_item_max_not_negative"),
            models.CheckConstraint(condition=Q(full_at__gt=0) & Q(full_at__lte=100), name="score_item_full_at_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PublicationStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang công bố")
    DONE = "done", _("Đã công bố")
    FAILED = "failed", _("Không công bố được")


class KpiPublication(models.Model):
    """One publication of a period's figures into the indicator store asked for from the KPI page, and its outcome:
    what the page says afterwards, also when a worker did it (``procedures.jobs.kpis_publish_job``)."""

    period_key = models.CharField(_("kỳ"), max_length=10)
    unit_count = models.PositiveIntegerField(_("số đơn vị"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người công bố"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=PublicationStatus.choices, default=PublicationStatus.QUEUED
    )
    written = models.PositiveIntegerField(_("số giá trị ghi mới hoặc thay đổi"), default=0)
    unchanged = models.PositiveIntegerField(_("số giá trị không đổi"), default=0)
    message = models.TextField(_("thông báo"), blank=True)
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần công bố chỉ số phục vụ")
        verbose_name_plural = _("lần công bố chỉ số phục vụ")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["period_key", "created_at"], name="kpi_publication_period_idx")]

    def __str__(self) -> str:
        return f"{self.period_key} {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (PublicationStatus.DONE, PublicationStatus.FAILED)
