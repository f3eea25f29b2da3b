"""Forms of the indicator pages: definitions, targets, the value a unit enters, evidence and review."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.lib.errors import ServiceError
from cchc.organisations.forms import UnitChoiceField
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.picker import Scope

from .models import PERIOD_KIND_CHOICES, EntryMode, Indicator, IndicatorSource, Measure, Target
from .services import IndicatorData, TargetData


def show_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Put a service's message next to the field it is about, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class AmountField(forms.CharField):
    """A number written the Vietnamese way (``12,5``) or with a point (``12.5``)."""

    default_error_messages = {"invalid": _("Hãy nhập một số, ví dụ 85 hoặc 12,5.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = str(super().clean(value) or "").strip().replace(" ", "").replace("%", "")
        if not text:
            return None
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if not amount.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


def _kind_choices() -> list[tuple[str, Any]]:
    return [("", _("Mọi loại đơn vị")), *UnitKind.choices]


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_("Mã chỉ số"), max_length=80, help_text=_("Ví dụ: tthc.digitised_results"))
    name = forms.CharField(label=_("Tên chỉ số"), max_length=300)
    measure = forms.ChoiceField(label=_("Đơn vị đo"), choices=Measure.choices)
    higher_is_better = forms.TypedChoiceField(
        label=_("Chiều tốt"),
        choices=[("1", _("Càng cao càng tốt")), ("0", _("Càng thấp càng tốt"))],
        coerce=lambda value: value == "1",
    )
    entry = forms.ChoiceField(label=_("Cách có số liệu"), choices=EntryMode.choices)
    source = forms.ChoiceField(label=_("Nguồn dữ liệu"), choices=IndicatorSource.choices)
    period_kind = forms.ChoiceField(label=_("Kỳ báo cáo"), choices=PERIOD_KIND_CHOICES)
    unit_kind = forms.ChoiceField(label=_("Áp dụng cho"), choices=_kind_choices, required=False)
    group = forms.CharField(label=_("Nhóm"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Cách tính"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    basis = forms.CharField(
        label=_("Căn cứ, nguồn chỉ tiêu"),
        max_length=300,
        required=False,
        help_text=_("Văn bản đặt ra chỉ số hoặc chỉ tiêu, ví dụ số, ngày văn bản."),
    )

    @staticmethod
    def initial_for(indicator: Indicator) -> dict[str, Any]:
        return {
            "code": indicator.code,
            "name": indicator.name,
            "measure": indicator.measure,
            "higher_is_better": "1" if indicator.higher_is_better else "0",
            "entry": indicator.entry,
            "source": indicator.source,
            "period_kind": indicator.period_kind,
            "unit_kind": indicator.unit_kind,
            "group": indicator.group,
            "description": indicator.description,
            "basis": indicator.basis,
        }

    def indicator_data(self) -> IndicatorData:
        data = self.cleaned_data
        return IndicatorData(
            code=data["code"],
            name=data["name"],
            measure=data["measure"],
            higher_is_better=bool(data["higher_is_better"]),
            entry=data["entry"],
            source=data["source"],
            period_kind=data["period_kind"],
            unit_kind=data["unit_kind"] or "",
            group=data["group"],
            description=data["description"],
            basis=data["basis"],
        )


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=1900, max_value=2200)
    unit_kind = forms.ChoiceField(label=_("Loại đơn vị"), choices=_kind_choices, required=False)
    value = AmountField(label=_("Chỉ tiêu"))
    step = AmountField(
        label=_("Mức tăng mỗi năm"),
        required=False,
        help_text=_(
            "Để trống nếu chỉ tiêu chỉ áp dụng cho năm này; ghi 0 nếu giữ nguyên cho các năm sau. Ghi 20 cho “mỗi "
            "năm tiếp theo tăng 20 điểm phần trăm”; với chỉ số càng thấp càng tốt, đây là mức giảm mỗi năm."
        ),
    )
    cap = AmountField(label=_("Đến mức"), required=False, help_text=_("Ví dụ 100 cho “cho đến khi đạt 100%”."))
    note = forms.CharField(label=_("Căn cứ"), max_length=300, required=False)

    def __init__(self, data: Any = None, *, units: Scope, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            label=_("Hoặc một đơn vị"), scope=units, required=False, empty_label=_("Không chọn")
        )
        self.order_fields(["year", "unit_kind", "unit", "value", "step", "cap", "note"])

    @staticmethod
    def initial_for(target: Target) -> dict[str, Any]:
        return {
            "year": target.year,
            "unit_kind": target.unit_kind,
            "unit": target.unit_id,
            "value": _plain(target.value),
            "step": _plain(target.step),
            "cap": _plain(target.cap),
            "note": target.note,
        }

    def target_data(self) -> TargetData:
        data = self.cleaned_data
        return TargetData(
            year=data["year"],
            unit_kind=data["unit_kind"] or "",
            unit=data.get("unit"),
            value=data["value"],
            step=data["step"],
            cap=data["cap"],
            note=data["note"],
        )


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f").replace(".", ",")


class ValueForm(forms.Form):
    value = AmountField(label=_("Giá trị"))
    numerator = AmountField(label=_("Tử số (nếu có)"), required=False)
    denominator = AmountField(label=_("Mẫu số (nếu có)"), required=False)
    note = forms.CharField(label=_("Ghi chú, cách tính"), max_length=300, required=False)

    def __init__(self, *args: Any, ratio: bool = True, **kwargs: Any) -> None:
        """``ratio=False`` (a count): a count has no numerator and denominator, so the form does not ask for them."""
        super().__init__(*args, **kwargs)
        if not ratio:
            del self.fields["numerator"]
            del self.fields["denominator"]


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp minh chứng (PDF, Word, Excel, ảnh)"),
        error_messages={
            "required": _("Hãy chọn tệp minh chứng cần tải lên."),
            "empty": _("Tệp minh chứng đã chọn không có nội dung."),
            "invalid": _("Không đọc được tệp minh chứng đã gửi; hãy chọn lại tệp."),
        },
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi lý do trả lại để đơn vị biết cần sửa gì.")},
    )


class UnitFilterForm(forms.Form):
    """Bound to the query string; the chosen unit narrows the values to its subtree."""

    def __init__(self, data: Any, *, units: Scope) -> None:
        super().__init__(data, label_suffix="")
        self.fields["unit"] = UnitChoiceField(
            label=_("Đơn vị (cả đơn vị trực thuộc)"), scope=units, required=False, empty_label=_("Tất cả")
        )

    def chosen_unit(self) -> Unit | None:
        if not self.is_valid():
            return None
        unit = self.cleaned_data.get("unit")
        return unit if isinstance(unit, Unit) else None


class ImportForm(forms.Form):
    """An Excel file of targets or values, and what to do when some rows are wrong."""

    kind = forms.ChoiceField(
        label=_("Nội dung tệp"),
        choices=[("values", _("Số liệu của các đơn vị")), ("targets", _("Chỉ tiêu"))],
        initial="values",
    )
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"), error_messages={"required": _("Hãy chọn tệp Excel cần nhập.")})
    mode = forms.ChoiceField(
        label=_("Khi có dòng lỗi"),
        choices=[
            ("all", _("Không nhập gì cả (mặc định): sửa tệp rồi nhập lại toàn bộ")),
            ("valid", _("Nhập các dòng hợp lệ, trả lại tệp báo lỗi cho các dòng sai")),
        ],
        initial="all",
        widget=forms.RadioSelect,
    )
