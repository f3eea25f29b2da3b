"""Forms of the inspection pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.lib.validators import NOTE_MAX_LENGTH
from cchc.organisations.forms import UnitChoiceField, date_field, show_service_error
from cchc.organisations.models import Unit
from cchc.organisations.picker import Scope

from .models import TITLE_MAX_LENGTH, FindingKind

__all__ = ["FindingForm", "InspectionForm", "PlanEditForm", "PlanForm", "show_service_error"]


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2200)
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=TITLE_MAX_LENGTH)
    reference = forms.CharField(label=_("Số, ký hiệu văn bản"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Ghi chú"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, data: Any = None, *, organisers: QuerySet[Unit], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(data, **kwargs)
        self.fields["organiser"] = forms.ModelChoiceField(
            label=_("Đơn vị tổ chức kiểm tra"), queryset=organisers, empty_label=None
        )
        self.order_fields(["organiser", "year", "title", "reference", "note"])


class PlanEditForm(forms.Form):
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=TITLE_MAX_LENGTH)
    reference = forms.CharField(label=_("Số, ký hiệu văn bản"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Ghi chú"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class InspectionForm(forms.Form):
    planned_on = date_field(_("Thời gian dự kiến"), required=True)
    team = forms.CharField(
        label=_("Đoàn kiểm tra"),
        max_length=TITLE_MAX_LENGTH,
        required=False,
        help_text=_("Trưởng đoàn và thành viên, ví dụ: Nguyễn Văn A (Sở Nội vụ), Trần Thị B (Sở Tư pháp)."),
    )
    note = forms.CharField(
        label=_("Ghi chú"), max_length=NOTE_MAX_LENGTH, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data: Any = None, *, units: Scope | None = None, with_done: bool = False, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        if units is not None:
            self.fields["unit"] = UnitChoiceField(label=_("Đơn vị được kiểm tra"), scope=units)
            self.order_fields(["unit", "planned_on", "team", "note"])
        if with_done:
            self.fields["done_on"] = date_field(_("Ngày kiểm tra (khi đã kiểm tra)"))


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=FindingKind.choices)
    content = forms.CharField(label=_("Nội dung"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    deadline = date_field(_("Thời hạn khắc phục"), required=True)
