"""Forms of the questionnaire pages. The services check the rules; the forms read and bound the input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.types import Viewer
from cchc.lib.validators import NOTE_MAX_LENGTH, TITLE_MAX_LENGTH
from cchc.lib.widgets import OptionsSelect
from cchc.organisations.forms import UnitChoiceField, date_field
from cchc.organisations.models import Unit
from cchc.organisations.picker import UNIT_SCOPES, Scope
from cchc.organisations.widgets import UnitPickerWidget

from . import access
from .models import (
    CODE_MAX_LENGTH,
    COUNTER_LABEL_MAX_LENGTH,
    RESPONDENT_NAME_MAX_LENGTH,
    VALUE_MAX_LENGTH,
    Channel,
    Question,
    QuestionKind,
    QuestionnaireKind,
    Section,
)

# Public links collect at the counter, online or in an ad-hoc survey; invited respondents get their own tokens.
PUBLIC_CHANNEL_CHOICES = (Channel.COUNTER, Channel.ONLINE, Channel.ADHOC)


def show_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Put a service's message next to the field it is about, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _unit_picker() -> UnitPickerWidget:
    """The unit picker, its list of few units written in one loop (:class:`OptionsSelect`, the same markup)."""
    return UnitPickerWidget(fallback=OptionsSelect)


def owner_field(owners: QuerySet[Unit], *, allow_shared: bool) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Đơn vị sở hữu"),
        queryset=owners,
        required=not allow_shared,
        empty_label=_("Dùng chung toàn hệ thống") if allow_shared else None,
    )


class QuestionnaireForm(forms.Form):
    code = forms.CharField(label=_("Mã phiếu"), max_length=CODE_MAX_LENGTH, help_text=_("Ví dụ: khao-sat-quay-2026."))
    title = forms.CharField(label=_("Tên phiếu"), max_length=300)
    kind = forms.ChoiceField(label=_("Loại phiếu"), choices=QuestionnaireKind.choices)
    source_note = forms.CharField(
        label=_("Nguồn, căn cứ"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, owners: QuerySet[Unit], allow_shared: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = owner_field(owners, allow_shared=allow_shared)


class CopyForm(forms.Form):
    code = forms.CharField(label=_("Mã phiếu mới"), max_length=CODE_MAX_LENGTH)
    title = forms.CharField(label=_("Tên phiếu mới"), max_length=300)

    def __init__(self, *args: Any, owners: QuerySet[Unit], allow_shared: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = owner_field(owners, allow_shared=allow_shared)


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Tên phần (yếu tố)"), max_length=TITLE_MAX_LENGTH)
    weight = forms.DecimalField(
        label=_("Trọng số"), min_value=Decimal(0), max_digits=6, decimal_places=2, initial=Decimal(1)
    )


class QuestionForm(forms.Form):
    section = forms.ModelChoiceField(label=_("Thuộc phần"), queryset=Section.objects.none(), empty_label=None)
    code = forms.CharField(label=_("Mã câu hỏi"), max_length=CODE_MAX_LENGTH, help_text=_("Ví dụ: q1, thai_do."))
    text = forms.CharField(
        label=_("Nội dung câu hỏi"), max_length=TITLE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
    hint = forms.CharField(label=_("Gợi ý trả lời"), required=False, max_length=TITLE_MAX_LENGTH)
    kind = forms.ChoiceField(label=_("Loại câu hỏi"), choices=QuestionKind.choices)
    required = forms.BooleanField(label=_("Bắt buộc trả lời"), required=False)
    condition_question = forms.ModelChoiceField(
        label=_("Chỉ hiện khi câu"),
        queryset=Question.objects.none(),
        required=False,
        empty_label=_("(luôn hiện)"),
    )
    condition_value = forms.CharField(
        label=_("có giá trị"),
        required=False,
        max_length=VALUE_MAX_LENGTH,
        help_text=_("Giá trị của phương án (ví dụ 1, yes, A), không phải nhãn."),
    )
    weight = forms.DecimalField(
        label=_("Trọng số"),
        required=False,
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        help_text=_("Để trống là trọng số 1."),
    )

    def __init__(self, *args: Any, sections: QuerySet[Section], questions: QuerySet[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        section_field = self.fields["section"]
        assert isinstance(section_field, forms.ModelChoiceField)
        section_field.queryset = sections
        condition_field = self.fields["condition_question"]
        assert isinstance(condition_field, forms.ModelChoiceField)
        condition_field.queryset = questions


class ChoiceForm(forms.Form):
    value = forms.CharField(
        label=_("Giá trị"), max_length=VALUE_MAX_LENGTH, help_text=_("Chữ không dấu, số, không có dấu cách.")
    )
    label = forms.CharField(label=_("Nhãn hiển thị"), max_length=TITLE_MAX_LENGTH)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do (không bắt buộc)"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class XLSFormUploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp XLSForm (.xlsx)"))
    code = forms.CharField(
        label=_("Mã phiếu"),
        required=False,
        max_length=CODE_MAX_LENGTH,
        help_text=_("Để trống là dùng form_id trong trang settings của tệp."),
    )
    publish = forms.BooleanField(label=_("Ban hành ngay sau khi nhập"), required=False)

    def __init__(self, *args: Any, owners: QuerySet[Unit], allow_shared: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = owner_field(owners, allow_shared=allow_shared)


class CollectionPointForm(forms.Form):
    # Every unit in the creator's scope, listed: written in one loop, not one template per option.
    unit = forms.ModelChoiceField(label=_("Đơn vị được đánh giá"), queryset=Unit.objects.none(), widget=OptionsSelect)
    channel = forms.ChoiceField(label=_("Kênh thu thập"), choices=[(c.value, c.label) for c in PUBLIC_CHANNEL_CHOICES])
    counter_label = forms.CharField(
        label=_("Quầy"),
        required=False,
        max_length=COUNTER_LABEL_MAX_LENGTH,
        help_text=_("Không bắt buộc; ví dụ: Quầy số 3. Mỗi quầy có thể có đường dẫn và mã QR riêng."),
    )
    opens_on = forms.DateField(label=_("Mở từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(
        label=_("Đóng sau ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("path")  # type: ignore[attr-defined]


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Tên đợt mời"), max_length=200, help_text=_("Ví dụ: Điều tra xã hội học năm 2026."))
    unit = forms.ModelChoiceField(
        label=_("Đơn vị tổ chức khảo sát"), queryset=Unit.objects.none(), widget=OptionsSelect
    )
    closes_on = forms.DateField(label=_("Hạn trả lời (hết ngày)"), widget=forms.DateInput(attrs={"type": "date"}))
    remind_days_before = forms.IntegerField(
        label=_("Nhắc tự động từ bao nhiêu ngày trước hạn"),
        required=False,
        min_value=0,
        max_value=60,
        help_text=_(
            "Trong những ngày cuối này, người chưa trả lời được nhắc tự động mỗi ngày một lần. Để trống: theo cấu "
            "hình chung của hệ thống; 0: không nhắc tự động."
        ),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("path")  # type: ignore[attr-defined]


class InvitationForm(forms.Form):
    """Correcting one invited person before they answer; the group is chosen among the questionnaire's groups."""

    name = forms.CharField(label=_("Họ và tên"), max_length=RESPONDENT_NAME_MAX_LENGTH)
    email = forms.EmailField(label=_("Thư điện tử"))
    group = forms.CharField(label=_("Nhóm đối tượng"), required=False, max_length=VALUE_MAX_LENGTH)

    def __init__(self, *args: Any, groups: dict[str, str], units: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if groups:
            self.fields["group"] = forms.ChoiceField(
                label=_("Nhóm đối tượng"), required=False, choices=[("", "—"), *groups.items()]
            )
        self.fields["unit"] = UnitChoiceField(
            label=_("Đơn vị công tác"),
            scope=units,
            required=False,
            empty_label=_("(không ghi)"),
            widget=_unit_picker(),
        )


class InvitationUploadForm(forms.Form):
    file = forms.FileField(label=_("Danh sách người được mời (.xlsx)"))


# The channel filter of the results: one channel, or the regular surveys (counter and online) together.
REGULAR = "regular"
RESULT_CHANNELS = {
    REGULAR: (Channel.COUNTER, Channel.ONLINE),
    Channel.COUNTER: (Channel.COUNTER,),
    Channel.ONLINE: (Channel.ONLINE,),
    Channel.ADHOC: (Channel.ADHOC,),
    Channel.INVITED: (Channel.INVITED,),
}
BREAKDOWNS = (
    ("unit", _("Đơn vị")),
    ("channel", _("Kênh thu thập")),
    ("quarter", _("Quý")),
    ("month", _("Tháng")),
    ("group", _("Nhóm đối tượng")),
)


def period_choices(this_year: int) -> list[tuple[str, str]]:
    """The periods offered by the results filter: this year and the last two, by year, half, quarter and month."""
    choices: list[tuple[str, str]] = [("", str(_("Toàn bộ thời gian")))]
    for year in range(this_year, this_year - 3, -1):
        periods = [Period(year, PeriodKind.YEAR)]
        periods += [Period(year, PeriodKind.HALF, n) for n in (1, 2)]
        periods += [Period(year, PeriodKind.QUARTER, n) for n in (1, 2, 3, 4)]
        periods += [Period(year, PeriodKind.MONTH, n) for n in range(1, 13)]
        choices += [(period.key, period.label) for period in periods]
    return choices


class ResultsFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Kỳ"), required=False)
    channel = forms.ChoiceField(
        label=_("Kênh"),
        required=False,
        choices=[
            ("", _("Tất cả")),
            (REGULAR, _("Thường xuyên (tại quầy và trực tuyến)")),
            *[(channel, label) for channel, label in Channel.choices],
        ],
    )
    group = forms.CharField(label=_("Nhóm đối tượng"), required=False, max_length=VALUE_MAX_LENGTH)
    by = forms.ChoiceField(label=_("Phân tích theo"), required=False, choices=BREAKDOWNS)

    def __init__(self, data: Any, *, units: Scope, this_year: int, groups: dict[str, str] | None = None) -> None:
        super().__init__(data)
        period_field = self.fields["period"]
        assert isinstance(period_field, forms.ChoiceField)
        period_field.choices = period_choices(this_year)
        # The unit picker lists the units as a tree (a unit under its parent), so that the many offices named
        # "Văn phòng" can be told apart, and searches by name when there are many.
        self.fields["unit"] = UnitChoiceField(
            label=_("Đơn vị"), scope=units, required=False, empty_label=_("Tất cả"), widget=_unit_picker()
        )
        if groups:
            self.fields["group"] = forms.ChoiceField(
                label=_("Nhóm đối tượng"), required=False, choices=[("", _("Tất cả")), *groups.items()]
            )
        else:
            # Without a group question there is nothing to filter or break down by: no free-text box to guess a
            # group name into, and no "by group" breakdown that could only come out empty.
            self.fields["group"].widget = forms.HiddenInput()
            by_field = self.fields["by"]
            assert isinstance(by_field, forms.ChoiceField)
            by_field.choices = [(key, label) for key, label in BREAKDOWNS if key != "group"]
        self.groups = groups or {}
        self.order_fields(["period", "unit", "channel", "group", "by"])

    def clean_group(self) -> str:
        return str(self.cleaned_data.get("group") or "") if self.groups else ""


class CommentTaskForm(forms.Form):
    """Turning a comment into a task: the unit (the one the response was given for, by default), the title, the
    deadline and a note."""

    title = forms.CharField(label=_("Nội dung công việc"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = date_field(_("Thời hạn hoàn thành"), required=True)
    note = forms.CharField(
        label=_("Ghi chú cho đơn vị"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data: Any = None, *, units: Scope, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            label=_("Đơn vị được giao"), scope=units, empty_label=None, widget=_unit_picker()
        )
        self.order_fields(["unit", "title", "deadline", "note"])


@UNIT_SCOPES.register("surveys.workplace_units")
def workplace_units_scope(viewer: Viewer) -> QuerySet[Unit]:
    """The units an invited person may be recorded as working in: like the list's import, any unit in force."""
    return Unit.objects.active()


@UNIT_SCOPES.register("surveys.result_units")
def result_units_scope(viewer: Viewer) -> QuerySet[Unit]:
    """The units the results filter offers (see :func:`access.result_units_for_user`)."""
    return access.result_units_for_user(viewer)
