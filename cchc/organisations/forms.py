"""Forms for the unit pages. They check shape and required fields; the services check the rules.

Reasons: optional for everyday edits (creating a unit, fixing a name, people),
required for changes to the structure of the tree (move, merge, split, close,
delete), because those follow an official decision that the audit trail must
be able to cite.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.accounts.picker import PersonChoiceField
from cchc.lib.errors import ServiceError
from cchc.lib.text import normalize
from cchc.lib.validators import validate_date_range

from .models import CommuneSubtype, Unit, UnitKind
from .picker import Scope
from .services import UnitData
from .widgets import UnitMultiplePickerWidget, UnitPickerFieldMixin, UnitPickerWidget, flat_order, tree_order

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def date_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=help_text,
        error_messages={"invalid": _("Ngày không hợp lệ; ghi theo dạng ngày/tháng/năm.")},
        validators=[validate_date_range],
    )


def reason_field(*, required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("Lý do, căn cứ (ví dụ số quyết định)") if required else _("Lý do (không bắt buộc)"),
        required=required,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy ghi lý do hoặc căn cứ của thay đổi này.")},
    )


class UnitChoiceField(UnitPickerFieldMixin, forms.ModelChoiceField):
    """One unit of its scope: a plain select (indented by depth) for few units, a search box for many.

    See :mod:`cchc.organisations.widgets`; the value is still the unit's primary key, checked against the queryset,
    which is what the field's named scope (``scope=``, :mod:`cchc.organisations.picker`) gives.
    """

    widget = UnitPickerWidget

    def order_units(self, rows: list[Unit]) -> list[Unit]:
        """Listed as a tree (indented by depth): parents before children, siblings in Vietnamese order."""
        return tree_order(rows)

    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.code})"


class UnitMultipleChoiceField(UnitPickerFieldMixin, forms.ModelMultipleChoiceField):
    """Several units of its scope: a plain multiple select for few units, a search box with chips for many."""

    widget = UnitMultiplePickerWidget

    def order_units(self, rows: list[Unit]) -> list[Unit]:
        """Listed flat (labels are not indented): in Vietnamese order of the names."""
        return flat_order(rows)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


def show_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Put a service's message next to the field it is about, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


class _UnitFieldsMixin(forms.Form):
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=100, required=False)
    code = forms.CharField(
        label=_("Mã đơn vị"),
        max_length=50,
        help_text=_("Mã định danh chính thức (ví dụ mã đơn vị hành chính hoặc mã định danh điện tử)."),
    )
    kind = forms.ChoiceField(label=_("Loại đơn vị"), choices=UnitKind.choices)
    subtype = forms.ChoiceField(
        label=_("Loại xã"),
        choices=[("", _("— Không áp dụng —")), *CommuneSubtype.choices],
        required=False,
        help_text=_("Chỉ dành cho đơn vị cấp xã."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("subtype") and cleaned.get("kind") != UnitKind.COMMUNE:
            self.add_error("subtype", _("Chỉ đơn vị cấp xã mới có loại xã/phường/đặc khu/thị trấn."))
        valid_from, valid_to = cleaned.get("valid_from"), cleaned.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
        return cleaned

    def unit_data(self) -> UnitData:
        data = self.cleaned_data
        return UnitData(
            name=data["name"],
            kind=data["kind"],
            code=data["code"],
            short_name=data.get("short_name", ""),
            subtype=data.get("subtype", ""),
            valid_from=data.get("valid_from"),
            valid_to=data.get("valid_to"),
        )


class UnitForm(_UnitFieldsMixin):
    valid_from = date_field(_("Hiệu lực từ ngày"))
    valid_to = date_field(_("Hiệu lực đến ngày"), help_text=_("Để trống nếu đơn vị đang hoạt động."))
    reason = reason_field(required=False)

    @classmethod
    def initial_for(cls, unit: Unit) -> dict[str, Any]:
        return {
            field: getattr(unit, field)
            for field in ("name", "short_name", "code", "kind", "subtype", "valid_from", "valid_to")
        }


class UnitCreateForm(UnitForm):
    """A new unit; the parent is chosen among the units the user manages (or fixed by ``?parent=``)."""

    field_order = ["parent", "name", "short_name", "code", "kind", "subtype", "valid_from", "valid_to", "reason"]

    def __init__(self, *args: Any, parents: Scope, allow_root: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = UnitChoiceField(
            label=_("Đơn vị cấp trên"),
            scope=parents,
            required=not allow_root,
            empty_label=_("— Không có (đơn vị cấp cao nhất) —") if allow_root else _("— Chọn đơn vị cấp trên —"),
            error_messages={
                "required": _("Hãy chọn đơn vị cấp trên trong phạm vi bạn quản lý."),
                "invalid_choice": _("Đơn vị cấp trên không hợp lệ hoặc nằm ngoài phạm vi bạn quản lý."),
            },
        )
        self.order_fields(self.field_order)


class UnitMoveForm(forms.Form):
    reason = reason_field(required=True)

    def __init__(self, *args: Any, parents: Scope, allow_root: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"] = UnitChoiceField(
            label=_("Đơn vị cấp trên mới"),
            scope=parents,
            required=not allow_root,
            empty_label=_("— Không có (đơn vị cấp cao nhất) —") if allow_root else _("— Chọn đơn vị cấp trên —"),
            error_messages={
                "required": _("Hãy chọn đơn vị cấp trên mới."),
                "invalid_choice": _(
                    "Đơn vị cấp trên không hợp lệ: phải nằm trong phạm vi bạn quản lý "
                    "và không phải chính đơn vị này hoặc đơn vị trực thuộc của nó."
                ),
            },
        )
        self.order_fields(["new_parent", "reason"])


class UnitMergeForm(forms.Form):
    """Merge sibling units into one of them, or into a new unit under the same parent."""

    TARGET_EXISTING = "existing"
    TARGET_NEW = "new"

    sources = UnitMultipleChoiceField(
        label=_("Các đơn vị bị hợp nhất"),
        queryset=Unit.objects.none(),
        widget=UnitMultiplePickerWidget(fallback=forms.CheckboxSelectMultiple),
        error_messages={"required": _("Chọn ít nhất một đơn vị để hợp nhất.")},
    )
    target = forms.ChoiceField(
        label=_("Hợp nhất vào"),
        choices=[(TARGET_NEW, _("Một đơn vị mới")), (TARGET_EXISTING, _("Một đơn vị đã có"))],
        widget=forms.RadioSelect,
        initial=TARGET_NEW,
    )
    into = UnitChoiceField(
        label=_("Đơn vị nhận hợp nhất (nếu chọn đơn vị đã có)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— Chọn đơn vị —"),
    )
    new_name = forms.CharField(label=_("Tên đơn vị mới"), max_length=255, required=False)
    new_short_name = forms.CharField(label=_("Tên viết tắt của đơn vị mới"), max_length=100, required=False)
    new_code = forms.CharField(label=_("Mã đơn vị mới"), max_length=50, required=False)
    new_kind = forms.ChoiceField(label=_("Loại đơn vị mới"), choices=UnitKind.choices, required=False)
    new_subtype = forms.ChoiceField(
        label=_("Loại xã của đơn vị mới"),
        choices=[("", _("— Không áp dụng —")), *CommuneSubtype.choices],
        required=False,
    )
    effective_date = date_field(
        _("Ngày có hiệu lực"), required=True, help_text=_("Các đơn vị bị hợp nhất hết hiệu lực từ ngày hôm trước.")
    )
    move_children = forms.BooleanField(
        label=_("Chuyển các đơn vị trực thuộc đang hoạt động sang đơn vị nhận hợp nhất"), required=False, initial=True
    )
    reason = reason_field(required=True)

    def __init__(self, *args: Any, siblings: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sources"].use_scope(siblings)  # type: ignore[attr-defined]
        self.fields["into"].use_scope(siblings)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("target") == self.TARGET_EXISTING:
            if not cleaned.get("into"):
                self.add_error("into", _("Chọn đơn vị nhận hợp nhất."))
            elif cleaned.get("into") in (cleaned.get("sources") or []):
                self.add_error("into", _("Đơn vị nhận hợp nhất không được nằm trong danh sách đơn vị bị hợp nhất."))
        elif cleaned.get("target") == self.TARGET_NEW:
            for name, message in (
                ("new_name", _("Nhập tên đơn vị mới.")),
                ("new_code", _("Nhập mã đơn vị mới.")),
                ("new_kind", _("Chọn loại đơn vị mới.")),
            ):
                if not normalize(cleaned.get(name)):
                    self.add_error(name, message)
            if cleaned.get("new_subtype") and cleaned.get("new_kind") != UnitKind.COMMUNE:
                self.add_error("new_subtype", _("Chỉ đơn vị cấp xã mới có loại xã/phường/đặc khu/thị trấn."))
        return cleaned

    def new_unit_data(self) -> UnitData | None:
        data = self.cleaned_data
        if data["target"] != self.TARGET_NEW:
            return None
        return UnitData(
            name=data["new_name"],
            kind=data["new_kind"],
            code=data["new_code"],
            short_name=data.get("new_short_name", ""),
            subtype=data.get("new_subtype", ""),
        )


class SplitPartForm(forms.Form):
    """One of the new units; blank rows of the formset are ignored."""

    name = forms.CharField(label=_("Tên đơn vị mới"), max_length=255, required=False)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=100, required=False)
    code = forms.CharField(label=_("Mã đơn vị"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("Loại đơn vị"), choices=UnitKind.choices)
    subtype = forms.ChoiceField(
        label=_("Loại xã"), choices=[("", _("— Không áp dụng —")), *CommuneSubtype.choices], required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if normalize(cleaned.get("name")) or normalize(cleaned.get("code")):
            if not normalize(cleaned.get("name")):
                self.add_error("name", _("Nhập tên đơn vị mới."))
            if not normalize(cleaned.get("code")):
                self.add_error("code", _("Nhập mã đơn vị mới."))
            if cleaned.get("subtype") and cleaned.get("kind") != UnitKind.COMMUNE:
                self.add_error("subtype", _("Chỉ đơn vị cấp xã mới có loại xã/phường/đặc khu/thị trấn."))
        return cleaned

    def unit_data(self) -> UnitData | None:
        data = self.cleaned_data
        if not normalize(data.get("name")):
            return None
        return UnitData(
            name=data["name"],
            kind=data["kind"],
            code=data["code"],
            short_name=data.get("short_name", ""),
            subtype=data.get("subtype", ""),
        )


SplitPartFormSet = forms.formset_factory(SplitPartForm, extra=0, max_num=20, absolute_max=20)
SPLIT_ROWS = 4


class UnitSplitForm(forms.Form):
    effective_date = date_field(
        _("Ngày có hiệu lực"), required=True, help_text=_("Đơn vị bị chia tách hết hiệu lực từ ngày hôm trước.")
    )
    reason = reason_field(required=True)


class UnitDeleteForm(forms.Form):
    reason = reason_field(required=True)


class UnitCloseForm(forms.Form):
    """The alternative to deleting a unit that has history: end its validity."""

    valid_to = date_field(_("Hiệu lực đến ngày"), required=True)
    reason = reason_field(required=True)

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit

    def clean_valid_to(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["valid_to"]
        if self.unit.valid_from and value < self.unit.valid_from:
            raise forms.ValidationError(_("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
        return value


class MembershipForm(forms.Form):
    position = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    is_head = forms.BooleanField(label=_("Là người đứng đầu đơn vị"), required=False)
    valid_from = date_field(_("Từ ngày"))
    valid_to = date_field(_("Đến ngày"))
    reason = reason_field(required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        valid_from, valid_to = cleaned.get("valid_from"), cleaned.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return cleaned


class MembershipAddForm(MembershipForm):
    field_order = ["user", "position", "is_head", "valid_from", "valid_to", "reason"]

    def __init__(self, *args: Any, users: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"] = PersonChoiceField(
            label=_("Người dùng"),
            scope=users,
            empty_label=_("— Chọn người dùng —"),
            error_messages={
                "required": _("Hãy chọn người dùng."),
                "invalid_choice": _("Người dùng không hợp lệ hoặc nằm ngoài phạm vi bạn quản lý."),
            },
        )
        self.order_fields(self.field_order)


class MembershipRemoveForm(forms.Form):
    reason = reason_field(required=False)


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx)"),
        help_text=_("Theo mẫu của chức năng Xuất Excel; dòng có mã đã tồn tại sẽ cập nhật đơn vị đó."),
        error_messages={"required": _("Hãy chọn tệp để tải lên."), "empty": _("Tệp tải lên rỗng.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, chưa nhập"), required=False)
    reason = reason_field(required=False)
