"""Forms of the reports pages (the rules themselves are in :mod:`.services`)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.directives.models import Task
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit

from .models import SECTION_TEXT_MAX_LENGTH


def period_choices(today: datetime.date) -> list[tuple[str, str]]:
    """The report periods that have begun, this year's and last year's, the latest first."""
    periods: list[Period] = []
    for year in (today.year, today.year - 1):
        periods.append(Period(year, PeriodKind.YEAR))
        periods.extend(Period(year, PeriodKind.HALF, number) for number in (2, 1))
        periods.extend(Period(year, PeriodKind.QUARTER, number) for number in (4, 3, 2, 1))
    return [(period.key, period.label) for period in periods if period.start <= today]


class StartForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none())
    period = forms.ChoiceField(label=_("Kỳ báo cáo"))

    def __init__(self, *args: object, units: object, today: datetime.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["period"].choices = period_choices(today)  # type: ignore[attr-defined]


class SectionForm(forms.Form):
    text = forms.CharField(
        label=_("Nội dung"),
        required=False,
        max_length=SECTION_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=False,
    )


class DetailsForm(forms.Form):
    reference = forms.CharField(label=_("Số, ký hiệu"), required=False, max_length=100)
    signer = forms.CharField(label=_("Người ký"), required=False, max_length=200)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), required=True
    )


class AcceptForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến (không bắt buộc)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class TemplateForm(forms.Form):
    file = forms.FileField(label=_("Tệp mẫu Word (.docx)"))


class TaskLinkForm(forms.Form):
    task = forms.ModelChoiceField(label=_("Nhiệm vụ báo cáo định kỳ"), queryset=Task.objects.none())

    def __init__(self, *args: object, tasks: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["task"].queryset = tasks  # type: ignore[attr-defined]
