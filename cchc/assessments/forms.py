"""Forms of the PAR INDEX workflow. They only clean input; the rules live in ``services.py``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cchc.frameworks import scoring
from cchc.frameworks.models import Criterion, Framework
from cchc.lib.errors import ServiceError
from cchc.organisations.forms import UnitChoiceField, UnitMultipleChoiceField
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.widgets import UnitMultiplePickerWidget

from . import services
from .models import Round, Score, Stage
from .services import DEADLINE_FIELDS, RoundData, parse_points

PARTICIPANT_KINDS = (UnitKind.DEPARTMENT, UnitKind.COMMUNE)


def show_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Put a service's message next to the field it is about, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class PointsField(forms.CharField):
    """Points typed with a comma or a dot (``1,5``); range and step are checked by the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 6}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().clean(value)
        try:
            return parse_points(text)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc


class ScoreChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.criterion.code} {obj.criterion.title[:90]}"


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Tên kỳ đánh giá"), max_length=300)
    year = forms.IntegerField(label=_("Năm đánh giá"), min_value=2000, max_value=2100)
    self_assessment_deadline = _date_field(_("Hạn tự đánh giá"))
    appraisal_deadline = _date_field(_("Hạn thẩm định"))
    explanation_deadline = _date_field(_("Hạn giải trình"))
    council_deadline = _date_field(_("Hạn họp hội đồng thẩm định"))
    publication_date = _date_field(_("Ngày công bố dự kiến"))
    is_public = forms.BooleanField(label=_("Công khai kết quả trên trang công khai sau khi công bố"), required=False)
    rescale_without_survey = forms.BooleanField(
        label=_("Quy đổi về thang 100 khi không có điểm khảo sát"),
        required=False,
        help_text=_("Tiêu chí chấm từ khảo sát chưa có điểm được loại khỏi cả điểm đạt và điểm tối đa."),
    )
    grade_bands = forms.CharField(
        label=_("Mức xếp loại"),
        required=False,
        max_length=200,
        help_text=_("Ví dụ: A: 90; B: 80; C: 70; D: 0 (ngưỡng chỉ số %, giảm dần). Để trống dùng mức mặc định này."),
    )
    reason = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def round_data(self) -> RoundData:
        data = self.cleaned_data
        return RoundData(
            name=data["name"],
            year=data["year"],
            is_public=data["is_public"],
            rescale_without_survey=data["rescale_without_survey"],
            grade_bands=data["grade_bands"],
            **{name: data[name] for name in DEADLINE_FIELDS},
        )

    @staticmethod
    def initial_for(round: Round) -> dict[str, Any]:
        return {
            "name": round.name,
            "year": round.year,
            "is_public": round.is_public,
            "rescale_without_survey": round.rescale_without_survey,
            "grade_bands": services.grade_bands_text(round.grade_bands or []),
            **{name: getattr(round, name) for name in DEADLINE_FIELDS},
        }


class RoundCreateForm(RoundForm):
    organiser = UnitChoiceField(label=_("Đơn vị tổ chức"), queryset=Unit.objects.none())
    frameworks = forms.ModelMultipleChoiceField(
        label=_("Bộ tiêu chí"),
        queryset=Framework.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Một bộ cho mỗi loại đơn vị (sở, ban, ngành; xã, phường)."),
    )
    units = UnitMultipleChoiceField(
        label=_("Đơn vị tham gia"),
        queryset=Unit.objects.none(),
        required=False,
        widget=UnitMultiplePickerWidget(attrs={"size": 12}),
        help_text=_("Để trống: mọi sở, ban, ngành và xã, phường đang hoạt động thuộc đơn vị tổ chức."),
    )
    previous_round = forms.ModelChoiceField(
        label=_("Kỳ trước (để so sánh)"), queryset=Round.objects.none(), required=False
    )

    field_order = ["name", "year", "organiser", "frameworks", "units", "previous_round"]

    def __init__(
        self,
        *args: Any,
        organisers: QuerySet[Unit],
        frameworks: QuerySet[Framework],
        units: QuerySet[Unit],
        rounds: QuerySet[Round],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers  # type: ignore[attr-defined]
        self.fields["frameworks"].queryset = frameworks  # type: ignore[attr-defined]
        self.fields["units"].queryset = units  # type: ignore[attr-defined]
        self.fields["previous_round"].queryset = rounds  # type: ignore[attr-defined]

    def participants(self) -> list[Unit]:
        chosen = list(self.cleaned_data["units"])
        if chosen:
            return chosen
        organiser: Unit = self.cleaned_data["organiser"]
        return list(
            Unit.objects.subtree_of(organiser).active().filter(kind__in=PARTICIPANT_KINDS).order_by("kind", "name")
        )


CONFIRM_LABEL = _("Tôi đã xem bản tóm tắt ở trên và xác nhận")


class AdvanceForm(forms.Form):
    to_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(label=CONFIRM_LABEL, required=False)


class ApproveForm(forms.Form):
    """The council's approval: a general reason, one reason per sheet not fully appraised, and a confirmation."""

    reason = forms.CharField(
        label=_("Căn cứ thông qua (biên bản họp hội đồng)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(label=CONFIRM_LABEL, required=False)

    def __init__(self, *args: Any, gaps: list[tuple[Any, int, int]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.gaps = list(gaps)
        for assessment, done, total in self.gaps:
            self.fields[self.override_name(assessment.pk)] = forms.CharField(
                label=_("Lý do thông qua %(unit)s (đã thẩm định %(done)s/%(total)s tiêu chí)")
                % {"unit": assessment.unit.name, "done": done, "total": total},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @staticmethod
    def override_name(assessment_id: int) -> str:
        return f"override_{assessment_id}"

    def overrides(self) -> dict[int, str]:
        return {
            assessment.pk: self.cleaned_data.get(self.override_name(assessment.pk), "")
            for assessment, _done, _total in self.gaps
        }

    def override_fields(self) -> list[forms.BoundField]:
        return [self[self.override_name(assessment.pk)] for assessment, _done, _total in self.gaps]


class SheetDecision:
    EXTEND = "extend"
    CLOSE = "close"
    CHOICES = (
        (EXTEND, _("Gia hạn cho đơn vị")),
        (CLOSE, _("Đóng phiếu thay đơn vị")),
    )


class SheetDecisionForm(forms.Form):
    """The secretariat's decision on one unit that has not submitted: extend its deadline or close its sheet."""

    decision = forms.ChoiceField(label=_("Quyết định"), choices=SheetDecision.CHOICES, widget=forms.RadioSelect)
    deadline = _date_field(_("Hạn mới (khi gia hạn)"))
    reason = forms.CharField(label=_("Lý do"), max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One table row per unit: the fields sit in the row's cells and belong to the form by its id.
        for name, field in self.fields.items():
            field.widget.attrs["form"] = self.form_id
            if name != "decision":
                field.widget.attrs["aria-label"] = str(field.label)

    @property
    def form_id(self) -> str:
        return f"decide-{self.prefix or 'sheet'}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == SheetDecision.EXTEND and not data.get("deadline"):
            self.add_error("deadline", _("Hãy chọn hạn mới khi gia hạn."))
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Lý do mở lại phiếu"), widget=forms.Textarea(attrs={"rows": 2}))


class RateField(forms.CharField):
    """A rate in percent typed with a comma or a dot (``85,5``); the range 0..100 is checked by the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 8}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        try:
            return scoring.to_decimal(text)
        except ValueError:
            raise forms.ValidationError(_("Tỷ lệ phải là một số (ví dụ 85 hoặc 85,5).")) from None


def _number_text(value: Decimal | None) -> str:
    return "" if value is None else scoring.format_number(value)


def add_rule_input(form: forms.Form, criterion: Criterion, *, label: Any, blank_choice: Any = None) -> str:
    """Replace the form's ``points`` field by the input the leaf's rule asks for; returns the input kind."""
    kind = services.input_kind(criterion)
    help_text = services.rule_text(criterion)
    if kind == services.InputKind.POINTS:
        form.fields["points"].help_text = help_text
        return kind
    if kind in (services.InputKind.YES_NO, services.InputKind.TIMELINESS):
        choices = services.choices_for(criterion)
        if blank_choice is not None:
            choices = [("", blank_choice), *choices]
        form.fields["choice"] = forms.ChoiceField(
            label=label,
            choices=choices,
            required=False,
            widget=forms.RadioSelect,
            help_text=help_text,
            error_messages={"invalid_choice": _("Lựa chọn không hợp lệ; hãy chọn một trong các phương án đã cho.")},
        )
    elif kind == services.InputKind.RATE:
        form.fields["value"] = RateField(
            label=_("Tỷ lệ đạt (%)"), required=False, help_text=_("Cách tính: %(rule)s") % {"rule": help_text}
        )
    return kind


class SelfScoreForm(forms.Form):
    """The unit's entry for one leaf: points, a choice or a rate, by the leaf's rule (nothing for indicator leaves)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    points = PointsField(label=_("Điểm tự chấm"), required=False)
    note = forms.CharField(label=_("Thuyết minh"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    no_evidence_reason = forms.CharField(
        label=_("Giải thích nếu không có tài liệu kiểm chứng"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, auto: bool = False, criterion: Criterion | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = services.InputKind.POINTS
        if criterion is not None:
            kind = add_rule_input(self, criterion, label=_("Kết quả tự đánh giá"))
        elif auto:
            kind = services.InputKind.AUTO
        if kind != services.InputKind.POINTS:
            del self.fields["points"]
        if kind == services.InputKind.AUTO:
            self.fields["note"].label = _("Ý kiến của đơn vị về số liệu")
        self.order_fields(["version", "points", "choice", "value", "note", "no_evidence_reason"])

    @staticmethod
    def initial_for(score: Score) -> dict[str, Any]:
        return {
            "version": score.version,
            "points": "" if score.self_score is None else str(score.self_score).replace(".", ","),
            "value": _number_text(score.self_value),
            "choice": score.self_choice,
            "note": score.self_note,
            "no_evidence_reason": score.no_evidence_reason,
        }

    def entry(self) -> dict[str, Any]:
        """The keyword arguments the self-score service takes for the entered points, rate or choice."""
        data = self.cleaned_data
        return {"points": data.get("points"), "value": data.get("value"), "choice": data.get("choice") or None}


class _EvidenceForm(forms.Form):
    scores = ScoreChoiceField(
        label=_("Các tiêu chí mà tài liệu chứng minh"),
        queryset=Score.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, scores: QuerySet[Score], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scores"].queryset = scores.select_related("criterion")  # type: ignore[attr-defined]


class EvidenceFileForm(_EvidenceForm):
    file = forms.FileField(
        label=_("Tệp tài liệu"),
        help_text=_("PDF, Word (.docx), Excel (.xlsx) hoặc ảnh."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg,.gif,.webp"}),
    )
    title = forms.CharField(label=_("Tên tài liệu"), max_length=500, required=False)
    field_order = ["file", "title", "scores"]


class EvidenceReferenceForm(_EvidenceForm):
    title = forms.CharField(label=_("Trích yếu văn bản"), max_length=500)
    document_number = forms.CharField(label=_("Số, ký hiệu"), max_length=100, required=False)
    document_date = _date_field(_("Ngày ban hành"))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=300, required=False)
    link = forms.URLField(label=_("Đường dẫn"), required=False, assume_scheme="https")
    field_order = ["title", "document_number", "document_date", "issuer", "link", "scores"]


class AppraisalForm(forms.Form):
    ACCEPT = "accept"
    ADJUST = "adjust"
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    decision = forms.ChoiceField(
        label=_("Kết quả thẩm định"),
        choices=[(ACCEPT, _("Đồng ý điểm tự chấm")), (ADJUST, _("Điều chỉnh điểm"))],
        widget=forms.RadioSelect,
        initial=ADJUST,
    )
    points = PointsField(label=_("Điểm thẩm định"), required=False)
    reason = forms.CharField(
        label=_("Lý do (bắt buộc khi điều chỉnh)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, criterion: Criterion | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if criterion is not None:
            kind = add_rule_input(
                self,
                criterion,
                label=_("Kết quả thẩm định"),
                blank_choice=_("Không chọn (nhập điểm thẩm định trực tiếp)"),
            )
            if kind not in (services.InputKind.POINTS, services.InputKind.AUTO):
                self.fields["points"].label = _("Hoặc điểm thẩm định")
                self.fields["points"].help_text = _("Chỉ nhập khi không chấm theo tỷ lệ hoặc lựa chọn ở trên.")
        self.order_fields(["version", "decision", "choice", "value", "points", "reason"])

    @staticmethod
    def initial_for(score: Score) -> dict[str, Any]:
        declared = score.appraised_value is not None or bool(score.appraised_choice)
        return {
            "version": score.version,
            "decision": AppraisalForm.ADJUST,
            "points": "" if score.appraised_score is None or declared else str(score.appraised_score).replace(".", ","),
            "value": _number_text(score.appraised_value),
            "choice": score.appraised_choice,
            "reason": score.appraisal_reason,
        }

    def entry(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"points": data.get("points"), "value": data.get("value"), "choice": data.get("choice") or None}


class ExplanationForm(forms.Form):
    text = forms.CharField(label=_("Nội dung giải trình"), widget=forms.Textarea(attrs={"rows": 4}))
    proposed_score = PointsField(label=_("Điểm đề nghị"), required=False)
    file = forms.FileField(
        label=_("Tài liệu kiểm chứng bổ sung"),
        required=False,
        help_text=_("PDF, Word (.docx), Excel (.xlsx) hoặc ảnh."),
    )
