from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cchc.lib.text import normalize
from cchc.lib.types import Actor
from cchc.lib.validators import NOTE_MAX_LENGTH
from cchc.organisations.models import Unit, UnitQuerySet
from cchc.organisations.picker import Scope
from cchc.organisations.widgets import UnitPickerFieldMixin, UnitPickerWidget, tree_order

from .models import Role, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường."),
        "inactive": _("Tài khoản này đã bị khóa."),
    }


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Tên gợi nhớ"), max_length=100)


class UnitChoiceField(UnitPickerFieldMixin, forms.ModelChoiceField):
    """A unit of the scope ``units``; offers its active units (an indented tree when few, a search box when many).

    ``units`` is a named scope taking ``active`` (``units.visible``): the field offers it with ``active=True`` and
    accepts any unit of it (a unit closed since is still a valid filter)."""

    widget = UnitPickerWidget

    def __init__(self, *, units: Scope | None = None, blank: str | None = None, **kwargs: Any) -> None:
        if units is None:
            self.units = Unit.objects.none()
            super().__init__(queryset=self.units, empty_label=blank, **kwargs)
        else:
            self.units = cast(UnitQuerySet, units.rows())
            super().__init__(scope=units.replace(active=True), empty_label=blank, **kwargs)

    def order_units(self, rows: list[Unit]) -> list[Unit]:
        return tree_order(rows)

    def label_from_instance(self, obj: Any) -> str:
        return "\u2003" * getattr(obj, "tree_level", 0) + obj.name

    def to_python(self, value: Any) -> Unit | None:
        if value in self.empty_values:
            return None
        unit = self.units.filter(pk=int(value)).first() if str(value).isdigit() else None
        if unit is None:
            raise ValidationError(_("Đơn vị đã chọn không thuộc phạm vi của bạn."), code="invalid_choice")
        return unit


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên"), required=False, max_length=200)

    def __init__(self, *args: Any, units: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(label=_("Đơn vị"), required=False, units=units, blank=str(_("Tất cả")))
        self.fields["role"] = forms.ChoiceField(
            label=_("Vai trò"), required=False, choices=[("", _("Tất cả")), *Role.choices]
        )


def _password_fields(required: bool) -> tuple[forms.CharField, forms.CharField]:
    return (
        forms.CharField(
            label=_("Mật khẩu"),
            required=required,
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=_("Ít nhất 10 ký tự, không quá giống tên đăng nhập, không toàn chữ số."),
        ),
        forms.CharField(
            label=_("Nhập lại mật khẩu"),
            required=required,
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
    )


def _check_same(cleaned: dict[str, Any], first: str, second: str) -> None:
    if cleaned.get(first, "") != cleaned.get(second, ""):
        raise ValidationError({second: _("Hai lần nhập mật khẩu không khớp nhau.")})


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        validators=[User.username_validator],
        help_text=_("Chữ không dấu, chữ số và các ký tự . @ + - _ (ví dụ: nguyenvana)."),
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=30, required=False)
    position = forms.CharField(label=_("Chức vụ"), max_length=200, required=False)
    password1, password2 = _password_fields(required=False)
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Ghi chú (lý do)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, units: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(label=_("Đơn vị công tác"), units=units, blank=str(_("— Chọn đơn vị —")))
        self.order_fields(["username", "full_name", "unit", "position", "email", "phone", "password1", "password2"])
        self.fields["password1"].help_text = _(
            "Để trống nếu chưa cấp mật khẩu; người quản lý có thể đặt mật khẩu sau trên trang của người dùng."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_same(cleaned, "password1", "password2")
        return cleaned


class UserUpdateForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=30, required=False)
    is_active = forms.BooleanField(
        label=_("Tài khoản đang hoạt động"),
        required=False,
        help_text=_(
            "Bỏ chọn để khóa tài khoản: người dùng không đăng nhập được, các mã truy cập API của họ bị thu hồi, "
            "dữ liệu vẫn được giữ."
        ),
    )
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Lý do thay đổi"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, actor: Actor, target: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.target = target

    def clean_full_name(self) -> str:
        value = normalize(self.cleaned_data["full_name"])
        if not value:
            raise ValidationError(_("Họ và tên không được để trống."))
        return value

    def clean_is_active(self) -> bool:
        value = bool(self.cleaned_data.get("is_active"))
        if not value and self.actor.pk == self.target.pk:
            raise ValidationError(_("Bạn không thể tự khóa tài khoản của chính mình."))
        return value


class PasswordSetForm(forms.Form):
    password1, password2 = _password_fields(required=True)
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_same(cleaned, "password1", "password2")
        return cleaned


class RoleGrantForm(forms.Form):
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH, label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, roles: list[tuple[str, str]], units: Scope, whole_system: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"] = forms.ChoiceField(label=_("Vai trò"), choices=roles)
        self.fields["scope"] = UnitChoiceField(
            label=_("Phạm vi (đơn vị và các đơn vị trực thuộc)"),
            units=units,
            required=not whole_system,
            blank=str(_("Toàn hệ thống")) if whole_system else str(_("— Chọn đơn vị —")),
        )
        self.order_fields(["role", "scope", "reason"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("role") == Role.ADMIN and cleaned.get("scope") is not None:
            raise ValidationError(
                {"scope": _("Vai trò quản trị hệ thống luôn áp dụng cho toàn hệ thống; hãy để trống phạm vi.")}
            )
        return cleaned


class RoleRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do thu hồi"), max_length=1000, error_messages={"required": _("Vui lòng nêu lý do thu hồi.")}
    )

    def clean_reason(self) -> str:
        value = normalize(self.cleaned_data["reason"])
        if not value:
            raise ValidationError(_("Vui lòng nêu lý do thu hồi."))
        return value


class TokenRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do thu hồi"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_reason(self) -> str:
        return normalize(self.cleaned_data["reason"])
