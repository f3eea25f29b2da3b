"""Forms for directives, tasks, reports, reviews, extensions and the extraction review.

They check shape and required fields; the services check the rules.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.directives import access
from cchc.frameworks.models import Criterion
from cchc.frameworks.picker import FrameworkCriterionMultipleChoiceField, criteria_scope
from cchc.indicators.models import Indicator
from cchc.lib.form_renderer import fast_renderer
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.types import Viewer
from cchc.lib.validators import NOTE_MAX_LENGTH, TITLE_MAX_LENGTH
from cchc.organisations.forms import UnitChoiceField, UnitMultipleChoiceField, date_field
from cchc.organisations.models import SEGMENT_WIDTH, Unit, UnitKind, UnitQuerySet
from cchc.organisations.picker import UNIT_SCOPES, Scope, read_date
from cchc.organisations.selectors import units_valid_on
from cchc.organisations.widgets import UnitMultiplePickerWidget, UnitPickerWidget

from .models import DeadlineKind, Directive, DirectiveKind, ExpectedOutput, Recurrence, Task
from .services import DirectiveData, TaskData

# Issue dates outside these years are typing mistakes; the issuer list then falls back to today's units.
MIN_ISSUE_YEAR, MAX_ISSUE_YEAR = 1945, 2100

FAN_OUT_CHOICES = [
    ("", _("— Không —")),
    ("communes", _("Tất cả xã, phường, đặc khu, thị trấn trực thuộc cơ quan ban hành")),
    ("offices", _("Tất cả phòng chuyên môn, đơn vị trực thuộc cơ quan ban hành")),
    ("departments", _("Tất cả sở, ban, ngành trực thuộc cơ quan ban hành")),
]


def fan_out_units(issuing_unit: Unit, scope: str, day: datetime.date) -> list[Unit]:
    """The units a collective addressee ("UBND các xã, thị trấn") stands for under the issuing unit."""
    below = Unit.objects.subtree_of(issuing_unit, include_self=False).active(day)
    if scope == "communes":
        return list(below.filter(kind=UnitKind.COMMUNE))
    if scope == "offices":
        return list(
            below.filter(parent=issuing_unit, kind__in=[UnitKind.OFFICE, UnitKind.PUBLIC_SERVICE_UNIT, UnitKind.OTHER])
        )
    if scope == "departments":
        return list(below.filter(parent=issuing_unit, kind=UnitKind.DEPARTMENT))
    return []


def unit_choices_for(issuing_unit: Unit, day: datetime.date | None = None) -> UnitQuerySet:
    """Units a directive of ``issuing_unit`` can give work to: its province's units active on the issue date."""
    return Unit.objects.in_subtrees([issuing_unit.path[:SEGMENT_WIDTH]]).active(day).order_by("path")


@UNIT_SCOPES.register("directives.issuing")
def issuing_units_scope(viewer: Viewer, *, on: str | None = None) -> UnitQuerySet:
    """The units in whose name the viewer may register directives; ``on``: those in force that day (else today)."""
    return units_valid_on(access.get_directive_issuing_units_for_user(viewer), read_date(on) or timezone.localdate())


@UNIT_SCOPES.register("directives.province")
def province_units_scope(viewer: Viewer, *, unit: int, on: str | None = None, task: int | None = None) -> UnitQuerySet:
    """The units a directive of ``unit`` can give work to (:func:`unit_choices_for` on ``on``), and the units
    ``task`` is assigned to already even if they have closed since."""
    units = unit_choices_for(Unit.objects.get(pk=int(unit)), read_date(on))
    if task is None:
        return units
    return units | Unit.objects.filter(pk__in=Unit.objects.filter(assignments__task_id=int(task)).values("pk"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class DirectiveForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại văn bản"), choices=DirectiveKind.choices)
    reference = forms.CharField(label=_("Số, ký hiệu"), max_length=100, required=False)
    issued_on = date_field(_("Ngày ban hành"))
    issuing_unit = UnitChoiceField(label=_("Cơ quan ban hành"), queryset=Unit.objects.none())
    signer = forms.CharField(label=_("Người ký"), max_length=200, required=False)
    subject = forms.CharField(
        max_length=TITLE_MAX_LENGTH, label=_("Trích yếu"), widget=forms.Textarea(attrs={"rows": 2})
    )
    addressees = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Kính gửi, nơi nhận"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    horizon_end = date_field(
        _("Theo dõi nhiệm vụ định kỳ đến ngày"),
        help_text=_("Để trống: đến hết năm ban hành."),
    )
    note = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    # Posted by the "update the issuers" button and by the date field's htmx request: re-render, do not save.
    REFRESH = "_issuer_refresh"

    def __init__(self, *args: Any, issuing_units: Scope, **kwargs: Any) -> None:
        """``issuing_units``: the scope of every unit the user may issue for (``directives.issuing``); the field
        offers those in force on the issue date (the posted one, else the initial one, else today), so a directive
        issued before a merger is registered in the name of a unit that has closed since, and the choice is checked
        against that date."""
        super().__init__(*args, **kwargs)
        self.issue_day = self._issue_day()
        field = self.fields["issuing_unit"]
        field.use_scope(issuing_units.replace(on=self.issue_day.isoformat()))  # type: ignore[attr-defined]
        day = f"{self.issue_day:%d/%m/%Y}"
        field.help_text = _(
            "Các đơn vị hoạt động vào ngày %(day)s; ghi ngày ban hành để chọn cơ quan đã giải thể sau ngày đó."
        ) % {"day": day}
        field.error_messages["invalid_choice"] = _(
            "Đơn vị đã chọn không hoạt động vào ngày ban hành văn bản (%(day)s) hoặc ngoài phạm vi của bạn."
        ) % {"day": day}

    def _issue_day(self) -> datetime.date:
        field = self.fields["issued_on"]
        raw = self.data.get(self.add_prefix("issued_on")) if self.is_bound else self.initial.get("issued_on")
        if isinstance(raw, datetime.date):
            return raw
        try:
            day = field.clean(raw)
        except forms.ValidationError:
            day = None
        if not isinstance(day, datetime.date) or not MIN_ISSUE_YEAR <= day.year <= MAX_ISSUE_YEAR:
            return timezone.localdate()
        return day

    def refresh_issuers_on_date_change(self, url: str) -> None:
        """Let the issue date field reload the issuer list (htmx) when it changes; without JavaScript the
        "update" button next to the list does the same."""
        self.fields["issued_on"].widget.attrs.update(
            {
                "hx-post": url,
                "hx-trigger": "change",
                "hx-include": "closest form",
                "hx-vals": f'{{"{self.REFRESH}": "1"}}',
                "hx-target": "#issuer-field",
                "hx-select": "#issuer-field",
                "hx-swap": "outerHTML",
            }
        )

    def directive_data(self, text: str = "") -> DirectiveData:
        data = self.cleaned_data
        return DirectiveData(
            kind=data["kind"],
            subject=data["subject"],
            issuing_unit=data["issuing_unit"],
            reference=data["reference"],
            issued_on=data["issued_on"],
            signer=data["signer"],
            addressees=data["addressees"],
            horizon_end=data["horizon_end"],
            note=data["note"],
            text=text,
        )

    @staticmethod
    def initial_for(directive: Directive) -> dict[str, Any]:
        fields = ("kind", "reference", "issued_on", "signer", "subject", "addressees", "horizon_end", "note")
        return {"issuing_unit": directive.issuing_unit_id, **{name: getattr(directive, name) for name in fields}}


class DirectiveCreateForm(DirectiveForm):
    file = forms.FileField(
        label=_("Tệp văn bản gốc"),
        required=False,
        help_text=_("Word (.docx), PDF, ảnh chụp hoặc văn bản thuần (.txt)."),
    )


class SearchingUnitMultiplePickerWidget(UnitMultiplePickerWidget):
    """The unit picker as a search box with chips however few units there are.

    The review page repeats the units of every proposed task (often dozens of tasks): a select listing every unit
    in each of them makes the page thousands of options long, a search box costs one line. The task form uses it
    too: choosing several of a province's units in a list meant Ctrl-click through dozens of lines.
    """

    def select_limit(self) -> int:
        return 0


class SearchingUnitPickerWidget(UnitPickerWidget):
    """One unit, chosen by a search box however few units there are (see :class:`SearchingUnitMultiplePickerWidget`)."""

    def select_limit(self) -> int:
        return 0


class _DeadlineFieldsMixin(forms.Form):
    expected_output = forms.ChoiceField(label=_("Sản phẩm"), choices=ExpectedOutput.choices, initial="other")
    deadline_kind = forms.ChoiceField(label=_("Loại thời hạn"), choices=DeadlineKind.choices)
    deadline = date_field(_("Thời hạn (ngày)"))
    period_key = forms.CharField(
        label=_("Kỳ"),
        max_length=10,
        required=False,
        help_text=_("Với hạn theo kỳ: 2025-08 (tháng), 2025-Q3 (quý), 2025-H2 (6 tháng), 2025 (năm)."),
    )
    recurrence = forms.ChoiceField(label=_("Chu kỳ"), choices=Recurrence.choices, required=False)
    deadline_text = forms.CharField(label=_("Thời hạn như ghi trong văn bản"), max_length=300, required=False)

    def clean_period_key(self) -> str:
        value = (self.cleaned_data.get("period_key") or "").strip()
        if value:
            try:
                return Period.from_key(value).key
            except ValueError:
                raise forms.ValidationError(_("Kỳ không hợp lệ (ví dụ 2025-Q3, 2025-H2, 2025-08, 2025).")) from None
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("deadline_kind")
        if kind == DeadlineKind.DATE and not data.get("deadline") and "deadline" not in self.errors:
            self.add_error("deadline", _("Hãy ghi thời hạn hoàn thành."))
        if kind == DeadlineKind.PERIOD and not data.get("period_key") and "period_key" not in self.errors:
            self.add_error("period_key", _("Hãy ghi kỳ của thời hạn."))
        if kind == DeadlineKind.RECURRING and data.get("recurrence") in ("", Recurrence.CONTINUOUS):
            self.add_error("recurrence", _("Hãy chọn chu kỳ lặp lại của nhiệm vụ định kỳ."))
        return data


class TaskForm(_DeadlineFieldsMixin):
    section = forms.CharField(label=_("Mục"), max_length=30, required=False)
    content = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Nội dung nhiệm vụ"), widget=forms.Textarea(attrs={"rows": 4})
    )
    parent = forms.ModelChoiceField(label=_("Thuộc nhiệm vụ"), queryset=Task.objects.none(), required=False)
    lead_label = forms.CharField(label=_("Đơn vị chủ trì (như ghi trong văn bản)"), max_length=300, required=False)
    units = UnitMultipleChoiceField(
        label=_("Đơn vị thực hiện (mỗi đơn vị được theo dõi riêng)"),
        queryset=Unit.objects.none(),
        required=False,
        widget=SearchingUnitMultiplePickerWidget(),
    )
    fan_out = forms.ChoiceField(label=_("Giao cho cả nhóm đơn vị"), choices=FAN_OUT_CHOICES, required=False)
    supporting_units = UnitMultipleChoiceField(
        label=_("Đơn vị phối hợp"),
        queryset=Unit.objects.none(),
        required=False,
        widget=SearchingUnitMultiplePickerWidget(),
    )
    criteria = FrameworkCriterionMultipleChoiceField(
        label=_("Tiêu chí Chỉ số CCHC liên quan"), queryset=Criterion.objects.none(), required=False
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("Chỉ số liên quan"),
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    papi_dimension = forms.CharField(label=_("Nội dung PAPI liên quan"), max_length=200, required=False)
    report_every = forms.ChoiceField(
        label=_("Kỳ báo cáo (nhiệm vụ thường xuyên)"),
        choices=[(value, label) for value, label in Recurrence.choices if value not in ("", Recurrence.CONTINUOUS)],
        initial=Recurrence.QUARTERLY,
        required=False,
        help_text=_("Nhiệm vụ thường xuyên báo cáo mỗi kỳ; hạn báo cáo là ngày cuối kỳ."),
    )

    field_order = [
        "section",
        "content",
        "parent",
        "lead_label",
        "units",
        "fan_out",
        "supporting_units",
        "expected_output",
        "deadline_kind",
        "deadline",
        "period_key",
        "recurrence",
        "report_every",
        "deadline_text",
        "criteria",
        "indicators",
        "papi_dimension",
    ]

    def __init__(self, *args: Any, directive: Directive, task: Task | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.directive = directive
        on = directive.issued_on.isoformat() if directive.issued_on else None
        units = UNIT_SCOPES(None, "directives.province", unit=directive.issuing_unit_id, on=on)
        # Units already assigned stay selectable even if they have closed since.
        assigned = units.replace(task=task.pk) if task is not None else units
        self.fields["units"].use_scope(assigned)  # type: ignore[attr-defined]
        self.fields["supporting_units"].use_scope(units)  # type: ignore[attr-defined]
        self.fields["parent"].queryset = directive.tasks.all()  # type: ignore[attr-defined]
        self.fields["criteria"].use_scope(criteria_scope(None))  # type: ignore[attr-defined]
        self.fields["indicators"].queryset = Indicator.objects.all()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("units") and not data.get("fan_out"):
            self.add_error("units", _("Hãy chọn ít nhất một đơn vị thực hiện."))
        issued = self.directive.issued_on
        kind, deadline, period_key = data.get("deadline_kind"), data.get("deadline"), data.get("period_key")
        if issued and kind == DeadlineKind.DATE and deadline and deadline < issued:
            self.add_error(
                "deadline",
                _("Thời hạn không được trước ngày ban hành văn bản (%(day)s).") % {"day": f"{issued:%d/%m/%Y}"},
            )
        if issued and kind == DeadlineKind.PERIOD and period_key and Period.from_key(period_key).end < issued:
            self.add_error("period_key", _("Kỳ của thời hạn đã kết thúc trước ngày ban hành văn bản."))
        return data

    def task_data(self) -> TaskData:
        data = self.cleaned_data
        day = self.directive.issued_on or timezone.localdate()
        units = list(data["units"]) + fan_out_units(self.directive.issuing_unit, data.get("fan_out") or "", day)
        return TaskData(
            content=data["content"],
            deadline_kind=data["deadline_kind"],
            units=units,
            section=data["section"],
            lead_label=data["lead_label"],
            supporting_units=list(data["supporting_units"]),
            expected_output=data["expected_output"],
            deadline=data["deadline"],
            period_key=data["period_key"],
            recurrence=data["recurrence"],
            deadline_text=data["deadline_text"],
            parent=data["parent"],
            criteria=list(data["criteria"]),
            indicators=list(data["indicators"]),
            papi_dimension=data["papi_dimension"],
            report_every=data.get("report_every") or "",
        )


class TaskEditForm(TaskForm):
    """The task form filled with a task's current values, plus the reason recorded in the audit trail."""

    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Lý do điều chỉnh"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, directive: Directive, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, directive=directive, task=task, **kwargs)
        self.fields["parent"].queryset = directive.tasks.exclude(pk=task.pk)  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(task: Task) -> dict[str, Any]:
        fields = (
            "section",
            "content",
            "lead_label",
            "expected_output",
            "deadline_kind",
            "deadline",
            "period_key",
            "recurrence",
            "deadline_text",
            "papi_dimension",
        )
        return {
            **{name: getattr(task, name) for name in fields},
            "recurrence": "" if task.recurrence == Recurrence.CONTINUOUS else task.recurrence,
            "report_every": task.report_every or Recurrence.QUARTERLY,
            "parent": task.parent_id,
            "units": list(Unit.objects.filter(assignments__task=task).distinct().values_list("pk", flat=True)),
            "supporting_units": list(task.supporting_units.values_list("pk", flat=True)),
            "criteria": list(task.criteria.values_list("pk", flat=True)),
            "indicators": list(task.indicators.values_list("pk", flat=True)),
        }


class TaskCancelForm(forms.Form):
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Lý do hủy nhiệm vụ"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy ghi lý do hủy nhiệm vụ.")},
    )


class ReportForm(forms.Form):
    percent = forms.IntegerField(
        label=_("Tiến độ (%)"),
        min_value=0,
        max_value=100,
        help_text=_("Ghi 100 khi đã hoàn thành: báo cáo sẽ được gửi cơ quan thường trực xác nhận."),
    )
    text = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Nội dung báo cáo"), widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = MultipleFileField(
        label=_("Tệp đính kèm"),
        required=False,
        help_text=_("Word, PDF, Excel hoặc ảnh; có thể chọn nhiều tệp."),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[("accept", _("Xác nhận hoàn thành")), ("return", _("Trả lại, yêu cầu bổ sung"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionForm(forms.Form):
    new_due_date = date_field(_("Hạn đề nghị"), required=True)
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Lý do xin gia hạn"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=[("approve", _("Đồng ý gia hạn")), ("refuse", _("Không đồng ý"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class UploadForm(forms.Form):
    issuing_unit = UnitChoiceField(label=_("Cơ quan ban hành"), queryset=Unit.objects.none())
    file = forms.FileField(
        label=_("Tệp văn bản"),
        help_text=_(
            "Word (.docx), PDF, ảnh chụp hoặc văn bản thuần (.txt). Hệ thống đề xuất các nhiệm vụ để bạn xem lại."
        ),
    )

    # One draft per form however many times it is sent (a scan is read once, not once per click).
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, issuing_units: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuing_unit"].use_scope(issuing_units)  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("token", secrets.token_urlsafe(24))


class ProposedTaskForm(_DeadlineFieldsMixin):
    """One proposed task on the review page: keep or drop it, and correct anything."""

    keep = forms.BooleanField(label=_("Giữ nhiệm vụ này"), required=False, initial=True)
    section = forms.CharField(label=_("Mục"), max_length=30, required=False)
    content = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Nội dung nhiệm vụ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    lead_label = forms.CharField(label=_("Đơn vị chủ trì (như ghi trong văn bản)"), max_length=300, required=False)
    units = UnitMultipleChoiceField(
        label=_("Đơn vị thực hiện"),
        queryset=Unit.objects.none(),
        required=False,
        widget=SearchingUnitMultiplePickerWidget(),
    )
    new_unit = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)
    supporting_units = UnitMultipleChoiceField(
        label=_("Đơn vị phối hợp"),
        queryset=Unit.objects.none(),
        required=False,
        widget=SearchingUnitMultiplePickerWidget(),
    )

    field_order = [
        "keep",
        "section",
        "content",
        "lead_label",
        "units",
        "supporting_units",
        "expected_output",
        "deadline_kind",
        "deadline",
        "period_key",
        "recurrence",
        "deadline_text",
    ]

    def __init__(self, *args: Any, units: Scope | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["units"].use_scope(units)  # type: ignore[attr-defined]
            self.fields["supporting_units"].use_scope(units)  # type: ignore[attr-defined]
        # A blank choice, so that an untouched "add a task" row posts exactly its initial values and is skipped.
        self.fields["deadline_kind"].required = False
        self.fields["deadline_kind"].choices = [("", _("— Chọn —")), *DeadlineKind.choices]  # type: ignore[attr-defined]

    @property
    def is_kept(self) -> bool:
        return bool(self.cleaned_data.get("keep")) and bool((self.cleaned_data.get("content") or "").strip())

    def clean(self) -> dict[str, Any]:
        if not self.data.get(self.add_prefix("keep")):
            # A dropped row is not checked at all.
            self._errors = forms.utils.ErrorDict()
            return {"keep": False}
        data = super().clean()
        if not (data.get("content") or "").strip():
            self.add_error("content", _("Hãy ghi nội dung nhiệm vụ hoặc bỏ chọn “Giữ nhiệm vụ này”."))
        if not data.get("deadline_kind"):
            self.add_error("deadline_kind", _("Hãy chọn loại thời hạn."))
        if not data.get("units") and not data.get("new_unit"):
            self.add_error("units", _("Hãy chọn ít nhất một đơn vị thực hiện."))
        return data

    def task_data(self) -> TaskData:
        data = self.cleaned_data
        return TaskData(
            content=data["content"],
            deadline_kind=data["deadline_kind"],
            units=list(data["units"]),
            section=data["section"],
            lead_label=data["lead_label"],
            supporting_units=list(data["supporting_units"]),
            expected_output=data["expected_output"],
            deadline=data["deadline"],
            period_key=data["period_key"],
            recurrence=data["recurrence"],
            deadline_text=data["deadline_text"],
            new_unit_labels=(data["new_unit"],) if data.get("new_unit") and not data["units"] else (),
        )


class SelectionForm(forms.Form):
    """Words selected in the document on the review page, to become a task the extractor missed."""

    text = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        error_messages={
            "required": _("Hãy bôi đen đoạn văn bản của nhiệm vụ trước."),
            "max_length": _("Đoạn đã chọn dài quá %(limit_value)d ký tự; hãy chọn riêng đoạn của một nhiệm vụ."),
        },
    )
    index = forms.IntegerField(min_value=0, max_value=1000)


class BaseProposedTaskFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, units: Scope, **kwargs: Any) -> None:
        self.units = units
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "units": self.units}


ProposedTaskFormSet: type[BaseProposedTaskFormSet] = forms.formset_factory(  # type: ignore[assignment]
    ProposedTaskForm, formset=BaseProposedTaskFormSet, extra=2
)


class NewUnitForm(forms.Form):
    """A unit name the extraction could not match: map it to a registry unit, create it, or leave it."""

    label = forms.CharField(widget=forms.HiddenInput, max_length=300)
    action = forms.ChoiceField(
        label=_("Xử lý"),
        choices=[
            ("map", _("Là đơn vị có sẵn")),
            ("create", _("Tạo đơn vị mới trực thuộc cơ quan ban hành")),
            ("skip", _("Bỏ qua")),
        ],
        initial="map",
    )
    unit = UnitChoiceField(
        label=_("Đơn vị có sẵn"), queryset=Unit.objects.none(), required=False, widget=SearchingUnitPickerWidget()
    )
    kind = forms.ChoiceField(label=_("Loại đơn vị mới"), choices=UnitKind.choices, initial=UnitKind.OFFICE)

    def __init__(self, *args: Any, units: Scope | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].use_scope(units)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "map" and not data.get("unit"):
            self.add_error("unit", _("Hãy chọn đơn vị tương ứng."))
        return data


class BaseNewUnitFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, units: Scope, **kwargs: Any) -> None:
        self.units = units
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "units": self.units}


NewUnitFormSet: type[BaseNewUnitFormSet] = forms.formset_factory(  # type: ignore[assignment]
    NewUnitForm, formset=BaseNewUnitFormSet, extra=0
)


class StatsForm(forms.Form):
    period = forms.CharField(
        label=_("Kỳ"),
        max_length=10,
        required=False,
        help_text=_("2025-Q3 (quý), 2025-H2 (6 tháng), 2025 (năm), 2025-08 (tháng)."),
    )

    def period_or_current(self) -> Period:
        value = self.cleaned_data.get("period") if self.is_valid() else ""
        if value:
            try:
                return Period.from_key(value)
            except ValueError:
                pass
        return Period.containing(timezone.localdate(), PeriodKind.QUARTER)


class TrackerUnitForm(forms.Form):
    """The unit filter of the tracker: the unit picker over the active units the user may read.

    Only the unit is a form field; the other filters stay plain query-string parameters (``TrackerFilters``). Bound
    to the query string, it also resolves a unit searched for without JavaScript (``unit__search``).
    """

    default_renderer = fast_renderer()  # a province's units are one option each

    def __init__(self, data: Any, *, units: Scope) -> None:
        super().__init__(data, label_suffix="")
        self.fields["unit"] = UnitChoiceField(label=_("Đơn vị"), scope=units, required=False, empty_label=_("Tất cả"))

    def chosen_unit(self) -> tuple[bool, Unit | None]:
        """``(True, unit or None)`` when the unit parameter (or the search) gives a unit of the field, or none.

        ``(False, None)`` when it names something else: a search that found no unit or several, or a unit outside the
        field; the tracker then keeps the plain ``unit`` parameter as it was.
        """
        if not self.is_valid():
            return False, None
        return True, self.cleaned_data.get("unit")

    def search_problem(self) -> str:
        """The message for a search without JavaScript that did not give one unit, or ``""``."""
        if self.is_valid() or not self.has_error("unit", code="unit_search"):
            return ""
        return " ".join(str(message) for message in self.errors["unit"])


class ExtractionQualityForm(forms.Form):
    """The filters of the extraction quality page and its export: the year of issue and the kind of issuing unit."""

    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1990, max_value=2100)
    issuer_kind = forms.ChoiceField(
        label=_("Cấp cơ quan ban hành"),
        required=False,
        choices=[("", _("Tất cả")), *UnitKind.choices],
    )
    since = forms.DateField(label=_("Xác nhận từ ngày"), required=False)

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is ignored, and the form shows why)."""
        if self.is_valid():
            data = self.cleaned_data
        else:
            data = {name: value for name, value in getattr(self, "cleaned_data", {}).items() if name not in self.errors}
        return {
            "year": data.get("year"),
            "issuer_kind": data.get("issuer_kind") or "",
            "since": data.get("since"),
        }
