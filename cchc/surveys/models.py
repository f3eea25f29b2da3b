"""Questionnaires (phiếu khảo sát) for satisfaction surveys, the per-dossier evaluation and the officials' survey.

A questionnaire has numbered versions. Only a draft version may change; publishing freezes it, and editing a
published questionnaire starts a new draft copied from the version before (:mod:`cchc.surveys.services`). The
responses that come later point to the version they answered, so a published version is never rewritten.

A version holds sections (elements, yếu tố) and each section its questions; questions with a list of answers hold
their choices. Questions of a fixed scale (5-level satisfaction, yes/no, 0/1/2 points, A–D) get their choices when
they are created, so that every answer is one of a question's choice values whatever the kind.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.lib.validators import NOTE_MAX_LENGTH, TITLE_MAX_LENGTH

CODE_MAX_LENGTH = 64
VALUE_MAX_LENGTH = 64


class QuestionnaireKind(models.TextChoices):
    SIPAS = "sipas", _("Đo lường sự hài lòng (SIPAS)")
    HOUSEHOLD = "household", _("Khảo sát hộ gia đình (SIPAS từ 2022)")
    DOSSIER_EVALUATION = "dossier_evaluation", _("Đánh giá việc giải quyết hồ sơ TTHC")
    COUNTER_EXIT = "counter_exit", _("Khảo sát nhanh tại quầy")
    OFFICIALS = "officials", _("Điều tra xã hội học (cán bộ, công chức)")
    CUSTOM = "custom", _("Phiếu khác")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã ban hành")
    CLOSED = "closed", _("Đã đóng")


class QuestionKind(models.TextChoices):
    SATISFACTION5 = "satisfaction5", _("Mức độ hài lòng (5 mức)")
    YES_NO = "yes_no", _("Có / không")
    SINGLE = "single", _("Chọn một")
    MULTIPLE = "multiple", _("Chọn nhiều")
    NUMBER = "number", _("Số")
    DATE = "date", _("Ngày")
    SHORT_TEXT = "short_text", _("Câu trả lời ngắn")
    LONG_TEXT = "long_text", _("Câu trả lời dài")
    POINTS012 = "points012", _("Chấm điểm 0 / 1 / 2")
    OPTIONS_AD = "options_ad", _("Phương án A, B, C, D")
    NOTE = "note", _("Ghi chú (không cần trả lời)")


class Questionnaire(models.Model):
    code = models.CharField(
        _("mã phiếu"),
        max_length=CODE_MAX_LENGTH,
        unique=True,
        help_text=_("Chữ không dấu, số, gạch ngang hoặc gạch dưới; ví dụ sipas-2640."),
    )
    title = models.CharField(_("tên phiếu"), max_length=300)
    kind = models.CharField(_("loại phiếu"), max_length=24, choices=QuestionnaireKind.choices)
    source_note = models.TextField(
        _("nguồn, căn cứ"),
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        help_text=_("Văn bản hoặc tài liệu làm căn cứ; ghi rõ phần nào chưa được đối chiếu với văn bản chính thức."),
    )
    owner = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("đơn vị sở hữu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaires",
        help_text=_("Để trống là phiếu dùng chung toàn hệ thống."),
    )
    is_template = models.BooleanField(_("phiếu mẫu kèm theo hệ thống"), default=False)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ngày cập nhật"), auto_now=True)

    class Meta:
        verbose_name = _("phiếu khảo sát")
        verbose_name_plural = _("phiếu khảo sát")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("phiếu khảo sát"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("số phiên bản"))
    state = models.CharField(_("trạng thái"), max_length=12, choices=VersionState.choices, default=VersionState.DRAFT)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("sao chép từ phiên bản"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_versions",
    )
    published_at = models.DateTimeField(_("ngày ban hành"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ngày đóng"), null=True, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản phiếu khảo sát")
        verbose_name_plural = _("phiên bản phiếu khảo sát")
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="questionnaire_version_unique_number"),
            models.UniqueConstraint(
                fields=["questionnaire"],
                condition=models.Q(state="draft"),
                name="questionnaire_one_draft_at_a_time",
            ),
            models.UniqueConstraint(
                fields=["questionnaire"],
                condition=models.Q(state="published"),
                name="questionnaire_one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} (v{self.number})"

    @property
    def is_draft(self) -> bool:
        return self.state == VersionState.DRAFT


class Section(models.Model):
    """One element (yếu tố) of a version: a titled group of questions with a weight for the results."""

    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    title = models.CharField(_("tên phần, yếu tố"), max_length=TITLE_MAX_LENGTH)
    weight = models.DecimalField(
        _("trọng số"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta:
        verbose_name = _("phần (yếu tố)")
        verbose_name_plural = _("phần (yếu tố)")
        ordering = ["version", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="section_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, verbose_name=_("phần"), on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    code = models.CharField(
        _("mã câu hỏi"),
        max_length=CODE_MAX_LENGTH,
        help_text=_("Duy nhất trong phiếu; chữ không dấu, số và gạch dưới, bắt đầu bằng chữ (ví dụ q1, cc_01)."),
    )
    text = models.TextField(_("nội dung câu hỏi"), max_length=TITLE_MAX_LENGTH)
    hint = models.TextField(_("gợi ý trả lời"), blank=True, max_length=TITLE_MAX_LENGTH)
    kind = models.CharField(_("loại câu hỏi"), max_length=16, choices=QuestionKind.choices)
    required = models.BooleanField(_("bắt buộc trả lời"), default=False)
    condition_question = models.ForeignKey(
        "self",
        verbose_name=_("chỉ hiện khi câu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dependent_questions",
    )
    condition_value = models.CharField(_("có giá trị"), max_length=VALUE_MAX_LENGTH, blank=True)
    weight = models.DecimalField(
        _("trọng số"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Để trống là trọng số 1."),
    )

    class Meta:
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")
        ordering = ["version", "section__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_unique_code_in_version"),
            models.CheckConstraint(
                condition=models.Q(weight__isnull=True) | models.Q(weight__gte=0), name="question_weight_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.text[:80]}"

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS


class Choice(models.Model):
    question = models.ForeignKey(Question, verbose_name=_("câu hỏi"), on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    value = models.CharField(_("giá trị"), max_length=VALUE_MAX_LENGTH)
    label = models.CharField(_("nhãn"), max_length=TITLE_MAX_LENGTH)

    class Meta:
        verbose_name = _("phương án trả lời")
        verbose_name_plural = _("phương án trả lời")
        ordering = ["question", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="choice_unique_value_in_question"),
        ]

    def __str__(self) -> str:
        return f"{self.value}: {self.label}"


# Kinds answered by picking among the question's choices.
CHOICE_KINDS = frozenset(
    {
        QuestionKind.SATISFACTION5,
        QuestionKind.YES_NO,
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.POINTS012,
        QuestionKind.OPTIONS_AD,
    }
)
# Kinds whose choice values are fixed by the kind (labels of A–D may be reworded).
FIXED_SCALE_KINDS = frozenset(
    {QuestionKind.SATISFACTION5, QuestionKind.YES_NO, QuestionKind.POINTS012, QuestionKind.OPTIONS_AD}
)
# The questions whose (non-empty) answers are the respondents' free-text comments.
COMMENT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)


# ---------------------------------------------------------------------------
# Collecting answers

DOSSIER_CODE_MAX_LENGTH = 64
COUNTER_LABEL_MAX_LENGTH = 100
TOKEN_MAX_LENGTH = 64
# The question whose answer is the respondent group of the officials' survey (template ``dieu-tra-xa-hoi-hoc-cchc``).
RESPONDENT_GROUP_CODE = "nhom_doi_tuong"
# The question holding the dossier code of the counter survey and of the per-dossier evaluation: one rating per dossier.
DOSSIER_CODE_QUESTION = "ma_ho_so"


class Channel(models.TextChoices):
    COUNTER = "counter", _("Tại quầy")
    ONLINE = "online", _("Trực tuyến")
    ADHOC = "adhoc", _("Khảo sát đột xuất")
    INVITED = "invited", _("Mời đích danh")


class CollectionPoint(models.Model):
    """A public link collecting answers to one questionnaire for one unit (and optionally one counter).

    The link is a random token, not the ids: nobody reaches a form they were not given. A point may be switched off
    and may open and close on given dates; outside them the link shows a page saying the survey is not open.
    """

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("phiếu khảo sát"), on_delete=models.PROTECT, related_name="collection_points"
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("đơn vị được đánh giá"),
        on_delete=models.PROTECT,
        related_name="collection_points",
    )
    channel = models.CharField(_("kênh thu thập"), max_length=12, choices=Channel.choices, default=Channel.COUNTER)
    counter_label = models.CharField(_("quầy"), max_length=COUNTER_LABEL_MAX_LENGTH, blank=True)
    token = models.CharField(_("mã đường dẫn"), max_length=TOKEN_MAX_LENGTH, unique=True)
    active = models.BooleanField(_("đang mở"), default=True)
    opens_on = models.DateField(_("mở từ ngày"), null=True, blank=True)
    closes_on = models.DateField(_("đóng sau ngày"), null=True, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("điểm thu thập ý kiến")
        verbose_name_plural = _("điểm thu thập ý kiến")
        ordering = ["questionnaire", "unit__name", "counter_label", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_on__isnull=True)
                | models.Q(closes_on__isnull=True)
                | models.Q(closes_on__gte=models.F("opens_on")),
                name="collection_point_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        label = f" · {self.counter_label}" if self.counter_label else ""
        return f"{self.questionnaire} · {self.unit}{label}"


class ImmutableError(Exception):
    """A stored response or answer was about to be changed or deleted."""


class Response(models.Model):
    """One submitted questionnaire. Stored once, all at once (``services.response_submit``), never changed."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("phiếu khảo sát"), on_delete=models.PROTECT, related_name="responses"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name=_("phiên bản"), on_delete=models.PROTECT, related_name="responses"
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("đơn vị được đánh giá"),
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    collection_point = models.ForeignKey(
        CollectionPoint,
        verbose_name=_("điểm thu thập"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    channel = models.CharField(_("kênh thu thập"), max_length=12, choices=Channel.choices)
    counter_label = models.CharField(_("quầy"), max_length=COUNTER_LABEL_MAX_LENGTH, blank=True)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=DOSSIER_CODE_MAX_LENGTH, blank=True)
    respondent_group = models.CharField(_("nhóm đối tượng"), max_length=VALUE_MAX_LENGTH, blank=True)
    started_at = models.DateTimeField(_("bắt đầu trả lời lúc"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("gửi lúc"))
    fingerprint = models.CharField(
        _("dấu vết thiết bị (đã băm)"),
        max_length=64,
        blank=True,
        help_text=_("Mã băm có muối của địa chỉ mạng và thiết bị; không lưu địa chỉ gốc."),
    )
    idempotency_key = models.CharField(_("mã chống gửi trùng"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("phiếu trả lời")
        verbose_name_plural = _("phiếu trả lời")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "dossier_code"],
                condition=~models.Q(dossier_code=""),
                name="response_one_rating_per_dossier",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="response_unique_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["questionnaire", "unit", "submitted_at"], name="response_by_unit_and_time")]

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.unit} · {self.submitted_at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ImmutableError("A submitted response is never changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ImmutableError("A submitted response is never deleted.")


class ResponseKey(models.Model):
    """The unique keys of a response — its dossier's rating, its idempotency key — in one table that is not
    partitioned, so that they hold across the years of the responses' partitions on PostgreSQL (decision 26).

    Written by the database itself when a response with a dossier code or an idempotency key is inserted (a trigger,
    on PostgreSQL and SQLite alike), so no writer of responses has to know about it; a second response with the same
    key fails its ``INSERT`` as the unique constraints of the response did. Read by the checks of uniqueness
    (``inbox.already_accepted``, ``inbox.dossier_rated``, the inbox's batches, the direct submission), which thus
    read one index instead of one per year.
    """

    response = models.OneToOneField(
        Response,
        verbose_name=_("phiếu trả lời"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="key",
    )
    submitted_at = models.DateTimeField(_("gửi lúc"))
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("phiếu khảo sát"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=DOSSIER_CODE_MAX_LENGTH, blank=True)
    idempotency_key = models.CharField(_("mã chống gửi trùng"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("khóa của phiếu trả lời")
        verbose_name_plural = _("khóa của phiếu trả lời")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "dossier_code"],
                condition=~models.Q(dossier_code=""),
                name="response_key_one_rating_per_dossier",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="response_key_unique_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return self.dossier_code or self.idempotency_key


class ResponseTimeCopy(models.DateTimeField):
    """The ``submitted_at`` of the answer's response, copied when the answer is inserted (also by ``bulk_create``).

    On PostgreSQL the answers are partitioned by year of this copy (decision 26); a foreign key on
    ``(response_id, submitted_at)`` there keeps it equal to the response's own time.
    """

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is None and add:
            value = model_instance.response.submitted_at  # type: ignore[attr-defined]
            setattr(model_instance, self.attname, value)
        return value


class Answer(models.Model):
    """The answer to one question of a response: the value field that matches the question's kind is filled."""

    response = models.ForeignKey(
        Response, verbose_name=_("phiếu trả lời"), on_delete=models.PROTECT, related_name="answers"
    )
    question = models.ForeignKey(Question, verbose_name=_("câu hỏi"), on_delete=models.PROTECT, related_name="answers")
    choice_value = models.CharField(
        _("giá trị đã chọn"),
        max_length=VALUE_MAX_LENGTH,
        blank=True,
        help_text=_("Với câu chọn một, thang hài lòng, có/không, điểm 0/1/2, phương án A–D."),
    )
    choice_values = models.JSONField(_("các giá trị đã chọn"), default=list, blank=True)
    number_value = models.DecimalField(_("giá trị số"), max_digits=18, decimal_places=4, null=True, blank=True)
    date_value = models.DateField(_("giá trị ngày"), null=True, blank=True)
    text_value = models.TextField(_("câu trả lời"), blank=True)
    submitted_at = ResponseTimeCopy(_("gửi lúc"), editable=False)

    class Meta:
        verbose_name = _("câu trả lời")
        verbose_name_plural = _("câu trả lời")
        ordering = ["response", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.display}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ImmutableError("A stored answer is never changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ImmutableError("A stored answer is never deleted.")

    @property
    def display(self) -> str:
        if self.choice_values:
            return ", ".join(str(value) for value in self.choice_values)
        if self.number_value is not None:
            return str(self.number_value.normalize())
        if self.date_value is not None:
            return self.date_value.isoformat()
        return self.choice_value or self.text_value


class PendingResponse(models.Model):
    """A response accepted from a public link and not yet stored as a :class:`Response` (``inbox.py``).

    The public form checks the answers and writes this one row; ``inbox.inbox_process`` turns the rows into
    responses, answers and counts in batches and deletes them. A row that cannot be stored keeps its answers and
    the reason in ``error`` until someone looks at it: nothing accepted is lost.
    """

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("phiếu khảo sát"), on_delete=models.PROTECT, related_name="pending_responses"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name=_("phiên bản"), on_delete=models.PROTECT, related_name="pending_responses"
    )
    collection_point = models.ForeignKey(
        CollectionPoint, verbose_name=_("điểm thu thập"), on_delete=models.PROTECT, related_name="pending_responses"
    )
    answers = models.JSONField(_("câu trả lời đã gửi"), default=dict)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=DOSSIER_CODE_MAX_LENGTH, blank=True)
    started_at = models.DateTimeField(_("bắt đầu trả lời lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("nhận lúc"))
    fingerprint = models.CharField(_("dấu vết thiết bị (đã băm)"), max_length=64, blank=True)
    idempotency_key = models.CharField(_("mã chống gửi trùng"), max_length=64, unique=True)
    error = models.TextField(_("lỗi khi lưu"), blank=True)

    class Meta:
        verbose_name = _("phiếu trả lời chờ lưu")
        verbose_name_plural = _("phiếu trả lời chờ lưu")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "dossier_code"],
                condition=~models.Q(dossier_code=""),
                name="pending_response_one_rating_per_dossier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} · {self.received_at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------
# Invitations: one-time links for named respondents (the officials' survey)

RESPONDENT_NAME_MAX_LENGTH = 200


class InvitationCampaign(models.Model):
    """A batch of invitations to one questionnaire about one unit, open until a deadline (that day included)."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("phiếu khảo sát"), on_delete=models.PROTECT, related_name="invitation_campaigns"
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("đơn vị tổ chức khảo sát"),
        on_delete=models.PROTECT,
        related_name="invitation_campaigns",
    )
    title = models.CharField(_("tên đợt mời"), max_length=200)
    closes_on = models.DateField(_("hạn trả lời"))
    remind_days_before = models.PositiveSmallIntegerField(
        _("nhắc tự động từ số ngày trước hạn"),
        null=True,
        blank=True,
        help_text=_(
            "Trong những ngày này, người chưa trả lời được nhắc tự động mỗi ngày một lần; để trống: theo cấu hình "
            "chung; 0: không nhắc tự động."
        ),
    )
    closed_at = models.DateTimeField(_("đóng đợt lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        verbose_name = _("đợt mời trả lời")
        verbose_name_plural = _("đợt mời trả lời")
        ordering = ["questionnaire", "-closes_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.questionnaire} · {self.title}"


class InvitationState(models.TextChoices):
    CREATED = "created", _("Chưa gửi")
    SENT = "sent", _("Đã gửi, chưa trả lời")
    ANSWERED = "answered", _("Đã trả lời")


class Invitation(models.Model):
    """One named respondent of a campaign. Only a hash of the link's token is stored (see ``invitations``)."""

    campaign = models.ForeignKey(
        InvitationCampaign, verbose_name=_("đợt mời"), on_delete=models.PROTECT, related_name="invitations"
    )
    name = models.CharField(_("họ và tên"), max_length=RESPONDENT_NAME_MAX_LENGTH)
    email = models.EmailField(_("thư điện tử"))
    respondent_group = models.CharField(_("nhóm đối tượng"), max_length=VALUE_MAX_LENGTH, blank=True)
    unit = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("đơn vị công tác"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="survey_invitations",
    )
    nonce = models.CharField(_("mã khởi tạo đường dẫn"), max_length=32)
    token_hash = models.CharField(_("mã băm của đường dẫn"), max_length=64, unique=True)
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=InvitationState.choices, default=InvitationState.CREATED
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)
    sent_at = models.DateTimeField(_("gửi thư lúc"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("nhắc lần cuối lúc"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("số lần nhắc"), default=0)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    response = models.OneToOneField(
        Response,
        verbose_name=_("phiếu trả lời"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitation",
    )

    class Meta:
        verbose_name = _("lời mời trả lời")
        verbose_name_plural = _("lời mời trả lời")
        ordering = ["campaign", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="invitation_one_per_email_and_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class RetiredLinkReason(models.TextChoices):
    REPLACED = "replaced", _("Đã thay bằng đường dẫn mới")
    REMOVED = "removed", _("Người được mời đã bị xóa khỏi danh sách")


class RetiredInvitationLink(models.Model):
    """The hash of an invitation link that no longer works (a new link was sent, or the person was removed), kept so
    that opening it explains why instead of saying the link does not exist."""

    campaign = models.ForeignKey(
        InvitationCampaign, verbose_name=_("đợt mời"), on_delete=models.CASCADE, related_name="retired_links"
    )
    token_hash = models.CharField(_("mã băm của đường dẫn"), max_length=64, unique=True)
    reason = models.CharField(_("lý do"), max_length=12, choices=RetiredLinkReason.choices)
    retired_at = models.DateTimeField(_("ngừng dùng lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("đường dẫn mời đã ngừng dùng")
        verbose_name_plural = _("đường dẫn mời đã ngừng dùng")

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.get_reason_display()}"


# Results


class CommentHandling(models.Model):
    """The secretariat's mark that a free-text comment (a text answer) was handled. The answer itself never changes."""

    answer = models.OneToOneField(
        Answer, verbose_name=_("ý kiến góp ý"), on_delete=models.CASCADE, related_name="handling"
    )
    handled_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người xử lý"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("xử lý lúc"), auto_now_add=True)
    note = models.CharField(_("ghi chú xử lý"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("xử lý ý kiến góp ý")
        verbose_name_plural = _("xử lý ý kiến góp ý")
        ordering = ["-handled_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.answer_id}: {self.handled_at:%Y-%m-%d}"


class CommentTask(models.Model):
    """A free-text comment turned into a task of the directives app for the unit concerned (one per comment).

    The task lives in the directives app (its assignment, reports, reminders and statistics); this row only says
    which comment it came from. Deleting the task deletes the link, so the comment may be given again.
    """

    answer = models.OneToOneField(
        Answer, verbose_name=_("ý kiến góp ý"), on_delete=models.CASCADE, related_name="task_link"
    )
    task = models.ForeignKey(
        "directives.Task", verbose_name=_("nhiệm vụ"), on_delete=models.CASCADE, related_name="survey_comments"
    )
    unit = models.ForeignKey(
        "organisations.Unit", verbose_name=_("đơn vị được giao"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("người giao việc"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("giao việc lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("giao việc từ ý kiến góp ý")
        verbose_name_plural = _("giao việc từ ý kiến góp ý")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.answer_id} → {self.task_id}"


# ---------------------------------------------------------------------------
# Counts kept as responses come in (see ``counts``): the results read these instead of the answers themselves.


class AnswerCount(models.Model):
    """How many answers to ``question`` (a question on a fixed scale: satisfaction, yes/no, 0/1/2 points, A–D) chose
    each value of its scale, among the responses to ``version`` about ``unit`` through ``channel`` from
    ``respondent_group`` submitted in the month starting on ``month`` (local time): ``n1`` counts the scale's first
    value (``scales.fixed_values``), ``n2`` the second, and so on.

    One row per question holds its whole scale, so a year of a province stays a few tens of thousands of rows. Added
    to in the transaction that stores each response (``counts.counts_add``), rebuilt from the answers by
    ``cchc rebuild_survey_counts``.
    """

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("phiếu khảo sát"), on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="+"
    )
    question = models.ForeignKey(Question, verbose_name=_("câu hỏi"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "organisations.Unit", verbose_name=_("đơn vị được đánh giá"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("kênh thu thập"), max_length=12, choices=Channel.choices)
    respondent_group = models.CharField(_("nhóm đối tượng"), max_length=VALUE_MAX_LENGTH, blank=True)
    month = models.DateField(_("tháng (ngày đầu tháng)"))
    n1 = models.PositiveIntegerField(_("số câu chọn mức thứ 1 của thang"), default=0)
    n2 = models.PositiveIntegerField(_("số câu chọn mức thứ 2 của thang"), default=0)
    n3 = models.PositiveIntegerField(_("số câu chọn mức thứ 3 của thang"), default=0)
    n4 = models.PositiveIntegerField(_("số câu chọn mức thứ 4 của thang"), default=0)
    n5 = models.PositiveIntegerField(_("số câu chọn mức thứ 5 của thang"), default=0)

    class Meta:
        verbose_name = _("số câu trả lời theo tháng")
        verbose_name_plural = _("số câu trả lời theo tháng")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "question", "unit", "channel", "respondent_group", "month"],
                name="answer_count_one_row_per_key",
            ),
        ]
        indexes = [models.Index(fields=["questionnaire", "month"], name="answer_count_by_month")]

    def __str__(self) -> str:
        return f"{self.question_id} · {self.unit_id} · {self.month:%Y-%m}"


class ResponseCount(models.Model):
    """How many responses to ``version`` about ``unit`` came through ``channel`` from ``respondent_group`` on
    ``day`` (local date); kept like :class:`AnswerCount`."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("phiếu khảo sát"), on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "organisations.Unit", verbose_name=_("đơn vị được đánh giá"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("kênh thu thập"), max_length=12, choices=Channel.choices)
    respondent_group = models.CharField(_("nhóm đối tượng"), max_length=VALUE_MAX_LENGTH, blank=True)
    day = models.DateField(_("ngày"))
    count = models.PositiveIntegerField(_("số phiếu trả lời"), default=0)
    # The free-text comments among these responses (non-empty answers to text questions, ``COMMENT_KINDS``).
    comments = models.PositiveIntegerField(_("ý kiến góp ý"), default=0)

    class Meta:
        verbose_name = _("số phiếu trả lời theo ngày")
        verbose_name_plural = _("số phiếu trả lời theo ngày")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "unit", "channel", "respondent_group", "day"],
                name="response_count_one_row_per_key",
            ),
        ]
        indexes = [models.Index(fields=["questionnaire", "day"], name="response_count_by_day")]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.channel} · {self.day}: {self.count}"
