"""The yearly PAR INDEX cycle: rounds, unit assessments, scores, evidence, explanations and results.

Stages of a round, in order: draft → self-assessment → appraisal → explanation
→ council → published (→ closed). The secretariat opens and closes stages.
Every score change at every stage goes through ``services.py`` and the audit
trail, which also gives the per-leaf history.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cchc.lib.numbers import format_points
from cchc.lib.validators import NOTE_MAX_LENGTH


class Stage(models.TextChoices):
    DRAFT = "draft", _("Chuẩn bị")
    SELF_ASSESSMENT = "self_assessment", _("Tự đánh giá")
    APPRAISAL = "appraisal", _("Thẩm định")
    EXPLANATION = "explanation", _("Giải trình")
    COUNCIL = "council", _("Hội đồng thẩm định")
    PUBLISHED = "published", _("Đã công bố")
    CLOSED = "closed", _("Đã kết thúc")


STAGE_ORDER = [stage.value for stage in Stage]
# Stages in which a round's results are public to everybody with a role in the organiser's province.
PUBLISHED_STAGES = (Stage.PUBLISHED, Stage.CLOSED)


class Round(models.Model):
    name = models.CharField(_("tên kỳ đánh giá"), max_length=300)
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    organiser = models.ForeignKey(
        "organisations.Unit",
        verbose_name=_("đơn vị tổ chức"),
        on_delete=models.PROTECT,
        related_name="organised_rounds",
        help_text=_("Thường là UBND tỉnh (cơ quan thường trực: Sở Nội vụ)."),
    )
    frameworks = models.ManyToManyField("frameworks.Framework", verbose_name=_("bộ tiêu chí"), related_name="rounds")
    stage = models.CharField(_("giai đoạn"), max_length=16, choices=Stage.choices, default=Stage.DRAFT)
    previous_round = models.ForeignKey(
        "self", verbose_name=_("kỳ trước"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    self_assessment_deadline = models.DateField(_("hạn tự đánh giá"), null=True, blank=True)
    appraisal_deadline = models.DateField(_("hạn thẩm định"), null=True, blank=True)
    explanation_deadline = models.DateField(_("hạn giải trình"), null=True, blank=True)
    council_deadline = models.DateField(_("hạn họp hội đồng"), null=True, blank=True)
    publication_date = models.DateField(_("ngày công bố dự kiến"), null=True, blank=True)
    is_public = models.BooleanField(_("công khai kết quả trên trang công khai"), default=False)
    rescale_without_survey = models.BooleanField(
        _("quy đổi về thang 100 khi không có điểm khảo sát"),
        default=False,
        help_text=_("Chỉ số = điểm đạt / tổng điểm tối đa của các tiêu chí có chấm × 100."),
    )
    grade_bands = models.JSONField(
        _("xếp loại"),
        default=list,
        blank=True,
        help_text=_('Danh sách [{"grade": "A", "min": 90}, …]; để trống dùng mặc định A ≥ 90, B ≥ 80, C ≥ 70, D.'),
    )
    approved_at = models.DateTimeField(_("hội đồng thông qua lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận thông qua"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(
        _("công bố lúc"), null=True, blank=True, help_text=_("Lúc kỳ đánh giá chuyển sang giai đoạn “Đã công bố”.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kỳ đánh giá")
        verbose_name_plural = _("kỳ đánh giá")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organiser", "year", "name"], name="round_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def results_exist(self) -> bool:
        """Have results been computed for this round ?

        Read once per round object. A list of rounds annotated with ``has_results`` (an ``Exists`` over their results,
        as the results index reads them) carries the answer already and costs no query.
        """
        annotated = self.__dict__.get("has_results")
        if annotated is not None:
            return bool(annotated)
        return Result.objects.filter(assessment__round=self).exists()


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Đang tự đánh giá")
    SUBMITTED = "submitted", _("Đã nộp")
    REOPENED = "reopened", _("Được mở lại")
    APPRAISED = "appraised", _("Đã thẩm định")
    EXPLAINED = "explained", _("Đã giải trình")
    APPROVED = "approved", _("Hội đồng đã thông qua")


# Sheets a unit may still fill in (self-assessment), and sheets whose appraisal the unit may still explain.
EDITABLE_STATUSES = (AssessmentStatus.DRAFT, AssessmentStatus.REOPENED)
EXPLAINABLE_STATUSES = (AssessmentStatus.SUBMITTED, AssessmentStatus.APPRAISED, AssessmentStatus.EXPLAINED)


class Assessment(models.Model):
    """One unit's scoring sheet in one round (phiếu chấm điểm)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assessments")
    unit = models.ForeignKey("organisations.Unit", on_delete=models.PROTECT, related_name="assessments")
    framework = models.ForeignKey("frameworks.Framework", on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    is_late = models.BooleanField(_("nộp muộn"), default=False)
    reopen_reason = models.TextField(_("lý do mở lại"), blank=True, max_length=NOTE_MAX_LENGTH)
    deadline = models.DateField(
        _("hạn tự đánh giá được gia hạn"),
        null=True,
        blank=True,
        help_text=_(
            "Cơ quan thường trực gia hạn cho riêng đơn vị: đơn vị vẫn tự đánh giá và nộp phiếu "
            "khi kỳ đã sang thẩm định."
        ),
    )
    closed_by_office = models.BooleanField(
        _("cơ quan thường trực đóng phiếu thay đơn vị"),
        default=False,
        help_text=_("Phiếu đóng thay đơn vị, coi là nộp muộn; tiêu chí chưa chấm được 0 điểm."),
    )
    approval_override_reason = models.TextField(
        _("lý do hội đồng thông qua khi chưa thẩm định đủ"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
    )

    class Meta:
        verbose_name = _("phiếu tự đánh giá")
        verbose_name_plural = _("phiếu tự đánh giá")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="assessment_unique_unit_in_round"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.round}"

    @property
    def is_unsubmitted(self) -> bool:
        return self.status in EDITABLE_STATUSES

    # Stage checks: may the sheet be worked on now? Access rules ask them as yes/no questions; the services refuse
    # with a message built from the same answers (``is_unsubmitted``, ``appraisal_closed_code``).

    def is_open_for_self_assessment(self) -> bool:
        """May the unit fill in the sheet now (a draft or reopened sheet, in the right stage)?"""
        stage = self.round.stage
        if self.status == AssessmentStatus.DRAFT:
            # A unit whose deadline the secretariat extended keeps its sheet open while the round is in appraisal.
            return stage == Stage.SELF_ASSESSMENT or (stage == Stage.APPRAISAL and self.deadline is not None)
        if self.status == AssessmentStatus.REOPENED:
            return stage in (Stage.SELF_ASSESSMENT, Stage.APPRAISAL)
        return False

    def appraisal_closed_code(self) -> str:
        """Why the sheet's leaves cannot be appraised now, as an error code; empty when they can.

        ``"locked"``: the council approved the results; ``"bad_status"``: the round is in appraisal but the unit has
        not submitted; ``"bad_stage"``: the round is in neither appraisal nor explanation.
        """
        stage = self.round.stage
        if stage == Stage.APPRAISAL and self.status == AssessmentStatus.SUBMITTED:
            return ""
        if stage == Stage.EXPLANATION and self.status in (
            AssessmentStatus.SUBMITTED,  # not fully appraised when the round moved on: the appraisers finish it
            AssessmentStatus.APPRAISED,
            AssessmentStatus.EXPLAINED,
        ):
            return ""
        if self.status == AssessmentStatus.APPROVED:
            return "locked"
        if stage == Stage.APPRAISAL:
            return "bad_status"
        return "bad_stage"

    def is_open_for_appraisal(self) -> bool:
        """May appraisers score the sheet's leaves now (appraisal, or settling after explanation)?"""
        return not self.appraisal_closed_code()

    def is_open_for_explanation(self, day: datetime.date | None = None) -> bool:
        """May the unit explain its appraised scores on ``day`` (today by default): the explanation window?"""
        deadline = self.round.explanation_deadline
        return (
            self.round.stage == Stage.EXPLANATION
            and self.status in EXPLAINABLE_STATUSES
            and (deadline is None or (day or timezone.localdate()) <= deadline)
        )

    @property
    def status_text(self) -> str:
        """The status as one badge reads it ("Đã nộp (muộn)"), never the label and the late flag side by side."""
        label = str(self.get_status_display())  # type: ignore[attr-defined]
        submitted = self.status == AssessmentStatus.SUBMITTED
        if self.closed_by_office:
            if submitted:
                return str(_("Đã nộp (muộn, đóng phiếu thay đơn vị)"))
            return str(_("%(status)s (đóng phiếu thay đơn vị)")) % {"status": label}
        if self.is_late and self.submitted_at is not None:
            if submitted:
                return str(_("Đã nộp (muộn)"))
            return str(_("%(status)s (nộp muộn)")) % {"status": label}
        return label


class RuleChoice(models.TextChoices):
    """What a unit (or an appraiser) declares for a yes/no or a timeliness leaf."""

    YES = "yes", _("Có")
    NO = "no", _("Không")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Trễ hạn")
    MISSING = "missing", _("Không thực hiện")


class Score(models.Model):
    """The scores of one leaf criterion in one assessment.

    What the unit declared is kept beside the points it gives, by the leaf's rule
    (``criterion.rule_kind``): a rate in percent (``self_value``) for the rate rules,
    a choice (``self_choice``) for yes/no and timeliness leaves; the points are
    computed from it by :func:`cchc.frameworks.scoring.evaluate`. The appraiser's
    rate or choice is kept the same way (``appraised_value``, ``appraised_choice``).
    ``computed_value`` stays the value read from the indicator store.

    ``version`` implements optimistic locking: a write names the version it
    read and fails with a clear message when somebody saved in between.
    """

    # The audit trail reads the name of this record live (entries written before it had a readable name
    # stored only ids): the relations the name reads.
    audit_live_name: ClassVar[tuple[str, ...]] = ("criterion", "assessment__unit", "assessment__round")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("frameworks.Criterion", on_delete=models.PROTECT, related_name="scores")
    self_score = models.DecimalField(_("tự chấm"), max_digits=7, decimal_places=2, null=True, blank=True)
    self_value = models.DecimalField(
        _("tỷ lệ đơn vị kê khai (%)"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    self_choice = models.CharField(_("lựa chọn đơn vị kê khai"), max_length=16, choices=RuleChoice.choices, blank=True)
    self_note = models.TextField(_("thuyết minh của đơn vị"), blank=True, max_length=NOTE_MAX_LENGTH)
    no_evidence_reason = models.TextField(
        _("giải thích khi không có tài liệu kiểm chứng"), blank=True, max_length=NOTE_MAX_LENGTH
    )
    computed_value = models.DecimalField(_("giá trị tự động"), max_digits=14, decimal_places=4, null=True, blank=True)
    computed_source = models.CharField(_("nguồn giá trị tự động"), max_length=300, blank=True)
    appraised_score = models.DecimalField(_("điểm thẩm định"), max_digits=7, decimal_places=2, null=True, blank=True)
    appraised_value = models.DecimalField(
        _("tỷ lệ thẩm định (%)"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    appraised_choice = models.CharField(_("lựa chọn thẩm định"), max_length=16, choices=RuleChoice.choices, blank=True)
    appraisal_reason = models.TextField(_("lý do điều chỉnh"), blank=True, max_length=NOTE_MAX_LENGTH)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    final_score = models.DecimalField(_("điểm đạt"), max_digits=7, decimal_places=2, null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("điểm tiêu chí")
        verbose_name_plural = _("điểm tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="score_unique_criterion"),
        ]

    def __str__(self) -> str:
        """The leaf, the unit and the round, as the audit trail names it: "Tiêu chí 1.2 — Sở Tư pháp (Chỉ số 2025)"."""
        return gettext("Tiêu chí %(code)s — %(unit)s (%(round)s)") % {
            "code": self.criterion.code,
            "unit": self.assessment.unit.name,
            "round": self.assessment.round.name,
        }


class Evidence(models.Model):
    """A supporting document: an uploaded file or a reference to an existing document.

    One evidence item can support several criteria of the same assessment.
    Files are stored with their SHA-256 and never change after submission.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    scores = models.ManyToManyField(Score, related_name="evidence", verbose_name=_("tiêu chí được chứng minh"))
    title = models.CharField(_("tên tài liệu"), max_length=500)
    file = models.FileField(_("tệp"), upload_to="evidence/%Y/", blank=True)
    file_name = models.CharField(_("tên tệp gốc"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    document_number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    document_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=300, blank=True)
    link = models.URLField(_("đường dẫn"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    locked_at = models.DateTimeField(
        _("khóa lúc"), null=True, blank=True, help_text=_("Tài liệu đã nộp không được sửa hoặc xóa.")
    )

    class Meta:
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = _("tài liệu kiểm chứng")

    def __str__(self) -> str:
        return self.title


class Explanation(models.Model):
    """A unit's answer (giải trình) to the appraisal of one leaf."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="explanations")
    text = models.TextField(_("nội dung giải trình"), max_length=NOTE_MAX_LENGTH)
    proposed_score = models.DecimalField(_("điểm đề nghị"), max_digits=7, decimal_places=2, null=True, blank=True)
    evidence = models.ManyToManyField(
        Evidence, verbose_name=_("tài liệu kiểm chứng bổ sung"), blank=True, related_name="explanations"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("giải trình")
        verbose_name_plural = _("giải trình")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:80]


class Result(models.Model):
    """The computed result of one assessment (stored when the council approves and on publication)."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="result")
    total_points = models.DecimalField(_("tổng điểm đạt"), max_digits=8, decimal_places=2)
    max_points = models.DecimalField(_("tổng điểm tối đa"), max_digits=8, decimal_places=2)
    index_value = models.DecimalField(_("chỉ số (%)"), max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField(_("xếp hạng"), null=True, blank=True)
    rank_tied = models.BooleanField(_("đồng hạng"), default=False)
    grade = models.CharField(_("xếp loại"), max_length=8, blank=True)
    area_indices = models.JSONField(_("chỉ số thành phần"), default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kết quả")
        verbose_name_plural = _("kết quả")

    def __str__(self) -> str:
        return f"{self.assessment}: {format_points(self.index_value)}"
