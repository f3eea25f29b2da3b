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
