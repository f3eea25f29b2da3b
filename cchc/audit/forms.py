from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cchc.accounts.forms import UnitChoiceField
from cchc.lib.validators import validate_date_range
from cchc.organisations.models import UnitQuerySet

from .models import AuditAction


class EntryFilterForm(forms.Form):
    actor = forms.CharField(label=_("Người thực hiện"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("Từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_date_range],
    )
    date_to = forms.DateField(
        label=_("Đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_date_range],
    )
    text = forms.CharField(label=_("Nội dung (đối tượng, lý do)"), required=False, max_length=200)

    def __init__(self, *args: Any, object_types: list[tuple[str, str]], units: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("Tất cả"))
        self.fields["object_type"] = forms.ChoiceField(
            label=_("Loại dữ liệu"), required=False, choices=[everything, *object_types]
        )
        self.fields["action"] = forms.ChoiceField(
            label=_("Thao tác"), required=False, choices=[everything, *AuditAction.choices]
        )
        self.fields["unit"] = UnitChoiceField(
            label=_("Đơn vị (gồm đơn vị trực thuộc)"), required=False, units=units, blank=str(_("Tất cả"))
        )
        self.order_fields(["actor", "object_type", "action", "unit", "date_from", "date_to", "text"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise ValidationError({"date_to": _("“Đến ngày” phải sau hoặc bằng “Từ ngày”.")})
        return cleaned
