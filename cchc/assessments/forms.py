"""Forms of the PAR INDEX workflow. They only clean input; the rules live in ``services``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cchc.frameworks import scoring
from cchc.frameworks.models import Criterion, Framework
from cchc.frameworks.rule_inputs import InputKind, parse_points, rule_of
from cchc.lib.errors import ServiceError
from cchc.lib.form_renderer import fast_renderer
from cchc.lib.validators import NOTE_MAX_LENGTH, validate_date_range
from cchc.organisations.forms import UnitChoiceField, UnitMultipleChoiceField
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.picker import Scope
from cchc.organisations.widgets import UnitMultiplePickerWidget

from . import services
from .models import Round, Score, Stage
from .picker import CriterionMultipleChoiceField
from .services import DEADLINE_FIELDS, RoundData
from .services.entries import rule_choices

PARTICIPANT_KINDS = (UnitKind.DEPARTMENT, UnitKind.COMMUNE)


def show_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Put a service's message next to the field it is about, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def version_field() -> forms.IntegerField:
    """The hidden version a save is based on; a missing or altered value gets a message, not a bare 400."""
    message = _("Biểu mẫu đã cũ hoặc bị thay đổi (phiên bản không hợp lệ); hãy tải lại trang rồi nhập lại.")
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={"required": message, "invalid": message, "min_value": message, "max_value": message},
    )


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_date_range],
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
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

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
    def initial_for(round_: Round) -> dict[str, Any]:
        return {
            "name": round_.name,
            "year": round_.year,
            "is_public": round_.is_public,
            "rescale_without_survey": round_.rescale_without_survey,
            "grade_bands": services.grade_bands_text(round_.grade_bands or []),
            **{name: getattr(round_, name) for name in DEADLINE_FIELDS},
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
        organisers: Scope,
        frameworks: QuerySet[Framework],
        units: Scope,
        rounds: QuerySet[Round],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].use_scope(organisers)  # type: ignore[attr-defined]
        self.fields["frameworks"].queryset = frameworks  # type: ignore[attr-defined]
        self.fields["units"].use_scope(units)  # type: ignore[attr-defined]
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
        max_length=NOTE_MAX_LENGTH, label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(label=CONFIRM_LABEL, required=False)


class ApproveForm(forms.Form):
    """The council's approval: a general reason, one reason per sheet not fully appraised, and a confirmation."""

    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Căn cứ thông qua (biên bản họp hội đồng)"),
        required=False,
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
    """The secretariat's decision on one unit that has not submitted: extend its deadline or close its sheet.

    During appraisal only closing has an effect (``close_only``): the choice and the date are not asked.
    """

    decision = forms.ChoiceField(label=_("Quyết định"), choices=SheetDecision.CHOICES, widget=forms.RadioSelect)
    deadline = _date_field(_("Hạn mới (khi gia hạn)"))
    reason = forms.CharField(label=_("Lý do"), max_length=2000)

    def __init__(self, *args: Any, close_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.close_only = close_only
        if close_only:
            del self.fields["deadline"]
            self.fields["decision"].choices = [SheetDecision.CHOICES[1]]  # type: ignore[attr-defined]
            self.fields["decision"].widget = forms.HiddenInput()
            self.fields["decision"].initial = SheetDecision.CLOSE
            self.fields["decision"].required = False
            self.fields["decision"].error_messages["invalid_choice"] = _(
                "Trong giai đoạn thẩm định chỉ đóng phiếu thay đơn vị được; không gia hạn thêm."
            )
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
        if self.close_only:
            data["decision"] = SheetDecision.CLOSE
        # A date that was typed but refused already has its own message: "no date chosen" would be a second, wrong one.
        if data.get("decision") == SheetDecision.EXTEND and not data.get("deadline") and "deadline" not in self.errors:
            self.add_error("deadline", _("Hãy chọn hạn mới khi gia hạn."))
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Lý do mở lại phiếu"), widget=forms.Textarea(attrs={"rows": 2})
    )


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
    rule = rule_of(criterion)
    kind = rule.input_kind
    help_text = rule.text()
    if kind == InputKind.POINTS:
        form.fields["points"].help_text = help_text
        return kind
    if kind in (InputKind.YES_NO, InputKind.TIMELINESS):
        choices = rule_choices(rule)
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
    elif kind == InputKind.RATE:
        form.fields["value"] = RateField(
            label=_("Tỷ lệ đạt (%)"), required=False, help_text=_("Cách tính: %(rule)s") % {"rule": help_text}
        )
    return kind


class SelfScoreForm(forms.Form):
    """The unit's entry for one leaf: points, a choice or a rate, by the leaf's rule (nothing for indicator leaves)."""

    default_renderer = fast_renderer()  # a sheet page draws one per leaf

    version = version_field()
    points = PointsField(label=_("Điểm tự chấm"), required=False)
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Thuyết minh"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    no_evidence_reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Giải thích nếu không có tài liệu kiểm chứng"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, auto: bool = False, criterion: Criterion | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = InputKind.POINTS
        if criterion is not None:
            kind = add_rule_input(self, criterion, label=_("Kết quả tự đánh giá"))
        elif auto:
            kind = InputKind.AUTO
        if kind != InputKind.POINTS:
            del self.fields["points"]
        if kind == InputKind.AUTO:
            self.fields["note"].label = _("Ý kiến của đơn vị về số liệu")
        self.order_fields(["version", "points", "choice", "value", "note", "no_evidence_reason"])

    @staticmethod
    def initial_for(score: Score) -> dict[str, Any]:
        return {
            "version": score.version,
            "points": "" if score.self_score is None else services.format_points(score.self_score.normalize()),
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
    default_renderer = fast_renderer()  # drawn on every sheet page
    scores = CriterionMultipleChoiceField(
        label=_("Các tiêu chí mà tài liệu chứng minh"),
        queryset=Score.objects.none(),
        help_text=_("Một tài liệu có thể chứng minh nhiều tiêu chí: tìm và chọn từng tiêu chí."),
    )

    default_auto_id = "id_%s"

    def __init__(self, *args: Any, scores: Scope, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", self.default_auto_id)
        super().__init__(*args, **kwargs)
        self.fields["scores"].use_scope(scores)  # type: ignore[attr-defined]


class EvidenceFileForm(_EvidenceForm):
    # The sheet page holds both evidence forms: their fields must not share ids.
    default_auto_id = "file-%s"

    file = forms.FileField(
        label=_("Tệp tài liệu"),
        help_text=_("PDF, Word (.docx), Excel (.xlsx) hoặc ảnh."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg,.gif,.webp"}),
    )
    title = forms.CharField(label=_("Tên tài liệu"), max_length=500, required=False)
    field_order = ["file", "title", "scores"]


class EvidenceReferenceForm(_EvidenceForm):
    default_auto_id = "reference-%s"

    title = forms.CharField(label=_("Trích yếu văn bản"), max_length=500)
    document_number = forms.CharField(label=_("Số, ký hiệu"), max_length=100, required=False)
    document_date = _date_field(_("Ngày ban hành"))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=300, required=False)
    link = forms.URLField(label=_("Đường dẫn"), required=False, assume_scheme="https")
    field_order = ["title", "document_number", "document_date", "issuer", "link", "scores"]


class AppraisalForm(forms.Form):
    ACCEPT = "accept"
    ADJUST = "adjust"
    version = version_field()
    decision = forms.ChoiceField(
        label=_("Kết quả thẩm định"),
        choices=[(ACCEPT, _("Đồng ý điểm tự chấm")), (ADJUST, _("Điều chỉnh điểm"))],
        widget=forms.RadioSelect,
        initial=ADJUST,
    )
    points = PointsField(label=_("Điểm thẩm định"), required=False)
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Lý do (bắt buộc khi điều chỉnh)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
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
            if kind not in (InputKind.POINTS, InputKind.AUTO):
                self.fields["points"].label = _("Hoặc điểm thẩm định")
                self.fields["points"].help_text = _("Chỉ nhập khi không chấm theo tỷ lệ hoặc lựa chọn ở trên.")
        self.order_fields(["version", "decision", "choice", "value", "points", "reason"])

    @staticmethod
    def initial_for(score: Score) -> dict[str, Any]:
        declared = score.appraised_value is not None or bool(score.appraised_choice)
        return {
            "version": score.version,
            "decision": AppraisalForm.ADJUST,
            "points": ""
            if score.appraised_score is None or declared
            else services.format_points(score.appraised_score.normalize()),
            "value": _number_text(score.appraised_value),
            "choice": score.appraised_choice,
            "reason": score.appraisal_reason,
        }

    def entry(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"points": data.get("points"), "value": data.get("value"), "choice": data.get("choice") or None}


class ExplanationForm(forms.Form):
    text = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Nội dung giải trình"), widget=forms.Textarea(attrs={"rows": 4})
    )
    proposed_score = PointsField(label=_("Điểm đề nghị"), required=False)
    file = forms.FileField(
        label=_("Tài liệu kiểm chứng bổ sung"),
        required=False,
        help_text=_("PDF, Word (.docx), Excel (.xlsx) hoặc ảnh."),
    )


class AppraisalAdjustForm(AppraisalForm):
    """“Điều chỉnh” for one leaf on the appraisal page: the decision is fixed, the entry and the reason are asked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget = forms.HiddenInput()
        self.fields["decision"].initial = self.ADJUST
        self.fields["reason"].label = _("Lý do điều chỉnh")


class WorklistFilterForm(forms.Form):
    """The appraiser's worklist filters: unit, area, status. Unknown values are ignored rather than refused."""

    unit = forms.ChoiceField(label=_("Đơn vị"), required=False)
    area = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)

    def __init__(
        self,
        *args: Any,
        units: list[tuple[int, str]],
        areas: list[Criterion],
        statuses: Any,
        several_frameworks: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        unit_choices = [("", _("Mọi đơn vị")), *((str(pk), name) for pk, name in units)]
        self.fields["unit"].choices = unit_choices  # type: ignore[attr-defined]
        area_choices = []
        for area in areas:
            label = f"{area.code}. {area.title[:70]}"
            if several_frameworks:
                label = f"{label} ({area.framework.get_unit_kind_display()})"
            area_choices.append((str(area.pk), label))
        self.fields["area"].choices = [("", _("Mọi lĩnh vực")), *area_choices]  # type: ignore[attr-defined]
        self.fields["status"].choices = list(statuses)  # type: ignore[attr-defined]

    def value(self, name: str) -> str:
        """The cleaned value of a filter, or empty when it is missing or not one of the choices."""
        if not self.is_bound:
            return str(self.initial.get(name, "") or "")
        if self.is_valid() or name not in self.errors:
            return str(self.cleaned_data.get(name) or "")
        return ""
