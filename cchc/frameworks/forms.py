"""Forms for the framework pages. They check shape; the services check the rules."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.lib.errors import ServiceError
from cchc.lib.validators import NOTE_MAX_LENGTH, TITLE_MAX_LENGTH
from cchc.organisations.forms import UnitChoiceField as OrganisationUnitChoiceField
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.picker import Scope
from cchc.organisations.widgets import flat_order

from . import scoring
from .models import Criterion, CriterionCategory, Framework, RuleKind
from .samples import SAMPLES
from .services import CriterionData, FrameworkData

DECIMAL_ERRORS = {
    "invalid": _("Hãy nhập một số (ví dụ 2 hoặc 0,5)."),
    "max_decimal_places": _("Chỉ được có tối đa 2 chữ số thập phân."),
    "max_digits": _("Số quá lớn."),
    "min_value": _("Không được âm."),
    "required": _("Hãy nhập điểm tối đa."),
}


def show_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Put a service's message next to the field it is about, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def reason_field(*, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=_("Lý do, căn cứ") if required else _("Lý do (không bắt buộc)"),
        required=required,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy ghi lý do hoặc căn cứ của thay đổi này.")},
    )


class UnitChoiceField(OrganisationUnitChoiceField):
    """A unit (searchable when there are many), labelled by name and code."""

    def order_units(self, rows: list[Any]) -> list[Any]:
        return flat_order(rows)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


def _year_field(label: Any = None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label or _("Năm đánh giá"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": _("Hãy nhập năm đánh giá."),
            "invalid": _("Năm phải là một số, ví dụ 2025."),
            "min_value": _("Năm đánh giá phải trong khoảng 2000–2100."),
            "max_value": _("Năm đánh giá phải trong khoảng 2000–2100."),
        },
    )


class FrameworkForm(forms.Form):
    name = forms.CharField(
        label=_("Tên bộ tiêu chí"), max_length=300, error_messages={"required": _("Hãy nhập tên bộ tiêu chí.")}
    )
    year = _year_field()
    unit_kind = forms.ChoiceField(
        label=_("Áp dụng cho"),
        choices=[(UnitKind.DEPARTMENT, UnitKind.DEPARTMENT.label), (UnitKind.COMMUNE, UnitKind.COMMUNE.label)]
        + [choice for choice in UnitKind.choices if choice[0] not in (UnitKind.DEPARTMENT, UnitKind.COMMUNE)],
    )
    owner = UnitChoiceField(
        label=_("Đơn vị ban hành"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— Dùng chung toàn hệ thống —"),
    )
    scale = forms.DecimalField(
        label=_("Thang điểm"),
        initial=Decimal(100),
        min_value=Decimal("0.01"),
        max_digits=7,
        decimal_places=2,
        localize=True,
        error_messages={**DECIMAL_ERRORS, "required": _("Hãy nhập thang điểm."), "min_value": _("Phải lớn hơn 0.")},
    )
    decision_reference = forms.CharField(
        label=_("Văn bản ban hành"),
        max_length=200,
        required=False,
        help_text=_("Ví dụ: Quyết định số 2211/QĐ-UBND ngày 31/8/2025."),
    )
    notes = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Ghi chú, nguồn"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = reason_field()

    def __init__(self, *args: Any, owners: Scope, allow_shared: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, UnitChoiceField)
        field.use_scope(owners)
        field.required = not allow_shared
        if not allow_shared:
            field.empty_label = None
        if "year" not in self.initial:
            self.initial["year"] = datetime.date.today().year

    @staticmethod
    def initial_for(framework: Framework) -> dict[str, Any]:
        return {
            "name": framework.name,
            "year": framework.year,
            "unit_kind": framework.unit_kind,
            "owner": framework.owner_id,
            "scale": framework.scale,
            "decision_reference": framework.decision_reference,
            "notes": framework.notes,
        }

    def framework_data(self, *, is_sample: bool = False) -> FrameworkData:
        data = self.cleaned_data
        return FrameworkData(
            name=data["name"],
            year=data["year"],
            unit_kind=data["unit_kind"],
            owner=data["owner"],
            scale=data["scale"],
            decision_reference=data["decision_reference"],
            is_sample=is_sample,
            notes=data["notes"],
        )


class FrameworkCloneForm(forms.Form):
    year = _year_field(_("Năm của bộ mới"))
    name = forms.CharField(
        label=_("Tên bộ mới"), max_length=300, error_messages={"required": _("Hãy nhập tên bộ tiêu chí.")}
    )
    reason = reason_field()


class FrameworkDeleteForm(forms.Form):
    reason = reason_field(required=True)


class FrameworkImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx)"), error_messages={"required": _("Hãy chọn tệp Excel cần nhập.")})
    reason = reason_field()


class SampleLoadForm(forms.Form):
    year = _year_field()
    owner = UnitChoiceField(
        label=_("Đơn vị ban hành"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— Dùng chung toàn hệ thống —"),
    )
    samples = forms.MultipleChoiceField(
        label=_("Bộ mẫu"),
        choices=[("departments", _("Sở, ban, ngành")), ("communes", _("Xã, phường"))],
        initial=list(SAMPLES),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Hãy chọn ít nhất một bộ mẫu.")},
    )

    def __init__(self, *args: Any, owners: Scope, allow_shared: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, UnitChoiceField)
        field.use_scope(owners)
        field.required = not allow_shared
        if not allow_shared:
            field.empty_label = None
        if "year" not in self.initial:
            self.initial["year"] = datetime.date.today().year


RULE_PARAMS_HELP = _(
    "Các mục cách nhau bởi dấu “;”. Chấm trực tiếp: bước=0,25. Theo mức: ≥90%: 2; ≥70%: 1; ≥0%: 0 (ngưỡng giảm dần). "
    "Đúng hạn: đúng hạn=1; trễ hạn=0,5; không thực hiện=0. Tỷ lệ so với chỉ tiêu: chỉ tiêu=100. "
    "Từ chỉ số hoặc khảo sát: chỉ số=tasks.on_time_rate; cách tính=theo mức; ≥90%: 2; ≥0%: 0 "
    "(hoặc cách tính=tỷ lệ; chỉ tiêu=90). Có / không: để trống."
)


class CriterionForm(forms.Form):
    code = forms.CharField(
        label=_("Mã (STT)"),
        max_length=20,
        help_text=_("Ví dụ 1, 1.2 hoặc 1.2.3."),
        error_messages={"required": _("Hãy nhập mã (STT) của tiêu chí.")},
    )
    title = forms.CharField(
        max_length=TITLE_MAX_LENGTH,
        label=_("Nội dung"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy nhập nội dung tiêu chí.")},
    )
    max_points = forms.DecimalField(
        label=_("Điểm tối đa"),
        min_value=Decimal(0),
        max_digits=7,
        decimal_places=2,
        localize=True,
        error_messages=DECIMAL_ERRORS,
    )
    category = forms.ChoiceField(label=_("Loại"), choices=CriterionCategory.choices)
    lead_unit = UnitChoiceField(
        label=_("Cơ quan chủ trì thẩm định"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— Chưa phân công —"),
    )
    rule_kind = forms.ChoiceField(label=_("Cách chấm"), choices=RuleKind.choices)
    rule_params = forms.CharField(
        label=_("Tham số chấm điểm"), required=False, max_length=NOTE_MAX_LENGTH, help_text=RULE_PARAMS_HELP
    )
    scoring_guide = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Hướng dẫn chấm"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_requirement = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        label=_("Tài liệu kiểm chứng"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = reason_field()

    def __init__(self, *args: Any, lead_units: Scope, is_leaf: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lead_unit"]
        assert isinstance(field, UnitChoiceField)
        field.use_scope(lead_units)
        self.is_leaf = is_leaf
        if not is_leaf:
            for name in ("rule_kind", "rule_params"):
                self.fields[name].disabled = True
                self.fields[name].required = False
                self.fields[name].help_text = _("Mục có tiêu chí con: điểm bằng tổng điểm các tiêu chí con.")

    @staticmethod
    def initial_for(criterion: Criterion) -> dict[str, Any]:
        return {
            "code": criterion.code,
            "title": criterion.title,
            "max_points": criterion.max_points,
            "category": criterion.category,
            "lead_unit": criterion.lead_unit_id,
            "rule_kind": criterion.rule_kind,
            "rule_params": scoring.params_to_text(criterion.rule_kind, criterion.rule_params),
            "scoring_guide": criterion.scoring_guide,
            "evidence_requirement": criterion.evidence_requirement,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("rule_kind") or RuleKind.MANUAL
        try:
            cleaned["parsed_params"] = scoring.params_from_text(kind, cleaned.get("rule_params") or "")
        except ValueError as exc:
            self.add_error("rule_params", str(exc))
        return cleaned

    def criterion_data(self) -> CriterionData:
        data = self.cleaned_data
        return CriterionData(
            code=data["code"],
            title=data["title"],
            max_points=data["max_points"],
            category=data["category"],
            scoring_guide=data["scoring_guide"],
            evidence_requirement=data["evidence_requirement"],
            lead_unit=data["lead_unit"],
            rule_kind=data.get("rule_kind") or RuleKind.MANUAL,
            rule_params=data.get("parsed_params", {}),
        )


class CriterionDeleteForm(forms.Form):
    reason = reason_field()
