"""Forms of the initiative pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.lib.validators import NOTE_MAX_LENGTH
from cchc.organisations.forms import date_field, show_service_error
from cchc.organisations.models import Unit

from .models import REFUSAL_MAX_LENGTH, TITLE_MAX_LENGTH, RecognitionLevel

__all__ = ["AppliedForm", "FileForm", "InitiativeForm", "RecogniseForm", "RefuseForm", "show_service_error"]


class InitiativeForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2200)
    title = forms.CharField(label=_("Tên sáng kiến, giải pháp"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(
        label=_("Mô tả"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Thực trạng, nội dung giải pháp, hiệu quả mang lại."),
    )
    file = forms.FileField(label=_("Tệp đính kèm (PDF, Word, Excel, ảnh)"), required=False)

    def __init__(self, data: Any = None, files: Any = None, *, units: QuerySet[Unit] | None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(data, files, **kwargs)
        if units is not None:
            self.fields["unit"] = forms.ModelChoiceField(label=_("Đơn vị"), queryset=units, empty_label=None)
            self.order_fields(["unit", "year", "title", "description", "file"])
        else:
            del self.fields["year"]
            del self.fields["file"]


class FileForm(forms.Form):
    file = forms.FileField(label=_("Tệp đính kèm (PDF, Word, Excel, ảnh)"))


class RecogniseForm(forms.Form):
    level = forms.ChoiceField(label=_("Cấp công nhận"), choices=RecognitionLevel.choices)
    recognised_on = date_field(_("Ngày công nhận"), required=True)
    reference = forms.CharField(label=_("Quyết định công nhận (số, ký hiệu)"), max_length=100, required=False)


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do không công nhận"),
        max_length=REFUSAL_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Đơn vị xem được lý do này."),
    )
    refused_on = date_field(_("Ngày quyết định"), required=True)


class AppliedForm(forms.Form):
    applied_on = date_field(_("Ngày áp dụng"), required=True)
