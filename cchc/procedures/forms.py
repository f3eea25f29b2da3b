"""Forms of the procedures pages: the three uploads, the column-mapping screen and the dossier list's filters.

They check shape; the import services and ``jobs`` check the file and the rows.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cchc.accounts.forms import UnitChoiceField
from cchc.lib.types import Viewer
from cchc.lib.validators import validate_date_range
from cchc.organisations.models import UnitQuerySet
from cchc.organisations.picker import UNIT_SCOPES, Scope

from . import access, presets
from .mapping import CODE_CHOICES, CODED_FIELDS, Sample
from .models import Channel, DossierStatus, ImportPreset, OnlineLevel
from .parsing import FIELD_LABELS

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
VALID_ROWS = "valid"
ALL_OR_NOTHING = "all"
MODES = [
    (ALL_OR_NOTHING, _("Không nhập gì nếu có dòng lỗi")),
    (VALID_ROWS, _("Chỉ nhập các dòng hợp lệ")),
]


@UNIT_SCOPES.register("procedures.dossier_units")
def dossier_units_scope(viewer: Viewer, *, active: bool = False) -> UnitQuerySet:
    """The units whose dossiers the viewer reads (``active``: in force today)."""
    units = access.get_dossier_units_for_user(viewer)
    assert isinstance(units, UnitQuerySet)
    return units.active() if active else units


def _date_field(label: Any, *, required: bool) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": _("Ngày không hợp lệ; ghi theo dạng ngày/tháng/năm."),
            "required": _("Hãy chọn ngày."),
        },
        validators=[validate_date_range],
    )


def new_token() -> str:
    return secrets.token_urlsafe(24)


class UploadForm(forms.Form):
    """The fields every upload has: the file and the form's one-time token (one import per form, however many
    times it is sent)."""

    file = forms.FileField(
        label=_("Tệp (.xlsx hoặc .csv)"),
        error_messages={"required": _("Hãy chọn tệp để tải lên."), "empty": _("Tệp tải lên rỗng.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", new_token())


def _source_field() -> forms.CharField:
    return forms.CharField(
        label=_("Tên nguồn dữ liệu"),
        max_length=100,
        help_text=_(
            "Hệ thống xuất ra tệp, ví dụ “iGate Sở Tư pháp” hoặc “DVCQG”. Nhập lại cùng nguồn sẽ cập nhật hồ sơ."
        ),
        error_messages={"required": _("Hãy ghi tên nguồn dữ liệu.")},
    )


def _mode_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Khi có dòng lỗi"), choices=MODES, initial=ALL_OR_NOTHING, widget=forms.RadioSelect
    )


class ProcedureImportForm(UploadForm):
    pass


def preset_choices() -> list[tuple[str, str]]:
    shipped = [(name, preset.label) for name, preset in presets.SHIPPED.items()]
    saved = [(name, f"{name} ({_('mẫu đã lưu')})") for name in ImportPreset.objects.values_list("name", flat=True)]
    return [*shipped, *saved]


class DossierImportForm(UploadForm):
    source = _source_field()
    preset = forms.ChoiceField(label=_("Mẫu cột"), choices=())
    mode = _mode_field()
    map_columns = forms.BooleanField(
        label=_("Tự chọn cột của tệp sau khi tải lên"),
        required=False,
        help_text=_("Trang chọn cột cũng tự mở khi tiêu đề của tệp không khớp mẫu cột đã chọn."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        preset = self.fields["preset"]
        assert isinstance(preset, forms.ChoiceField)
        preset.choices = preset_choices()
        preset.initial = presets.DEFAULT
        self.order_fields(["file", "source", "preset", "mode", "map_columns"])


class AggregateImportForm(UploadForm):
    source = _source_field()
    preset = forms.ChoiceField(
        label=_("Biểu"), choices=[(name, preset.description) for name, preset in presets.AGGREGATES.items()]
    )
    period_start = _date_field(_("Từ ngày"), required=True)
    period_end = _date_field(_("Đến ngày"), required=True)
    mode = _mode_field()

    def __init__(self, *args: Any, units: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            label=_("Đơn vị báo cáo (biểu 07a)"),
            required=False,
            units=units,
            blank=str(_("— Không chọn —")),
            help_text=_("Biểu 07a là báo cáo của một đơn vị theo lĩnh vực: hãy chọn đơn vị đó."),
        )
        self.order_fields(["file", "source", "preset", "period_start", "period_end", "unit", "mode"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("“Đến ngày” phải sau hoặc bằng “Từ ngày”."))
        preset = presets.AGGREGATES.get(cleaned.get("preset") or "")
        if preset is not None and preset.row_key == "field" and not cleaned.get("unit"):
            self.add_error("unit", _("Biểu theo lĩnh vực cần chỉ rõ đơn vị báo cáo."))
        return cleaned


NO_COLUMN = ""


class ColumnMappingForm(forms.Form):
    """For each dossier field, the file's column; the date format; a table of values for the coded columns; the
    name under which the mapping is saved."""

    name = forms.CharField(
        label=_("Tên mẫu cột"),
        max_length=100,
        required=False,
        help_text=_("Mẫu cột được lưu để dùng lại cho các tệp cùng bố cục."),
    )
    date_format = forms.ChoiceField(
        label=_("Cách ghi ngày trong tệp"),
        choices=[
            (presets.DMY, _("ngày/tháng/năm (dd/mm/yyyy) hoặc ô ngày của Excel")),
            (presets.PORTAL_TIMESTAMP, _("yyyyMMddHHmmss (dữ liệu Cổng DVCQG)")),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, sample: Sample, chosen: dict[str, int | None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sample = sample
        options = [(NO_COLUMN, _("— Không có trong tệp —")), *((str(c.index), c.label) for c in sample.columns)]
        for name in presets.FIELDS:
            self.fields[f"col_{name}"] = forms.ChoiceField(
                label=FIELD_LABELS[name], choices=options, required=False, initial=_initial(sample.guess.get(name))
            )
        self.code_rows: list[tuple[str, str, str]] = []  # (field, value, form field name)
        for name in CODED_FIELDS:
            index = chosen.get(name)
            if index is None:
                continue
            for number, value in enumerate(sample.distinct.get(index, [])):
                key = f"code_{name}_{number}"
                self.fields[key] = forms.ChoiceField(
                    label=value,
                    required=False,
                    choices=[(NO_COLUMN, _("— Như trong tệp —")), *CODE_CHOICES[name].choices],
                )
                self.code_rows.append((name, value, key))

    def field_rows(self) -> list[forms.BoundField]:
        return [self[f"col_{name}"] for name in presets.FIELDS]

    def code_fields(self, name: str) -> list[forms.BoundField]:
        return [self[key] for field, _value, key in self.code_rows if field == name]

    def chosen(self) -> dict[str, int | None]:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {name: _index(data.get(f"col_{name}")) for name in presets.FIELDS}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        used: dict[str, str] = {}
        for name in presets.FIELDS:
            index = _index(cleaned.get(f"col_{name}"))
            if index is None:
                continue
            column = self.sample.column(index)
            if column is None:
                self.add_error(f"col_{name}", _("Cột đã chọn không có trong tệp."))
                continue
            key = column.text.casefold()
            if key in used and used[key] != name:
                self.add_error(
                    f"col_{name}",
                    _("Cột “%(column)s” đã được chọn cho “%(other)s”; mỗi cột chỉ dùng cho một trường.")
                    % {"column": column.label, "other": FIELD_LABELS[used[key]]},
                )
            used[key] = name
        return cleaned

    def codes(self) -> dict[str, dict[str, str]]:
        table: dict[str, dict[str, str]] = {}
        for name, value, key in self.code_rows:
            meaning = self.cleaned_data.get(key)
            if meaning:
                table.setdefault(name, {})[value] = meaning
        return table

    def columns(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for name, index in self.chosen().items():
            column = self.sample.column(index)
            if column is not None:
                result[name] = [column.text]
        return result


def _initial(index: int | None) -> str:
    return NO_COLUMN if index is None else str(index)


def _index(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() else None


class DossierFilterForm(forms.Form):
    q = forms.CharField(label=_("Mã hồ sơ"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *DossierStatus.choices]
    )
    channel = forms.ChoiceField(label=_("Kênh nộp"), required=False, choices=[("", _("Tất cả")), *Channel.choices])
    procedure = forms.CharField(label=_("Thủ tục (mã hoặc tên)"), required=False, max_length=200)
    received_from = _date_field(_("Tiếp nhận từ ngày"), required=False)
    received_to = _date_field(_("Đến ngày"), required=False)
    late = forms.BooleanField(label=_("Chỉ hồ sơ trễ hạn"), required=False)

    def __init__(self, *args: Any, units: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            label=_("Đơn vị (gồm đơn vị trực thuộc)"), required=False, units=units, blank=str(_("Tất cả"))
        )
        self.order_fields(["q", "unit", "status", "channel", "procedure", "received_from", "received_to", "late"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and end < start:
            raise ValidationError({"received_to": _("“Đến ngày” phải sau hoặc bằng “Từ ngày”.")})
        return cleaned


class AggregateFilterForm(forms.Form):
    """Filters of the aggregate figures: a unit (with its subtree), a period (the reports within it), a source."""

    def __init__(self, *args: Any, units: Scope, periods: list[tuple[str, str]], sources: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            label=_("Đơn vị (gồm đơn vị trực thuộc)"), required=False, units=units, blank=str(_("Tất cả"))
        )
        self.fields["period"] = forms.ChoiceField(
            label=_("Kỳ báo cáo nằm trong"), required=False, choices=[("", _("Tất cả")), *periods]
        )
        self.fields["source"] = forms.ChoiceField(
            label=_("Nguồn dữ liệu"), required=False, choices=[("", _("Tất cả")), *((name, name) for name in sources)]
        )


class ProcedureFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm (mã, tên, lĩnh vực)"), required=False, max_length=200)
    online_level = forms.ChoiceField(
        label=_("Mức độ dịch vụ công trực tuyến"), required=False, choices=[("", _("Tất cả")), *OnlineLevel.choices]
    )


__all__ = [
    "ALL_OR_NOTHING",
    "MODES",
    "VALID_ROWS",
    "AggregateFilterForm",
    "AggregateImportForm",
    "ColumnMappingForm",
    "DossierFilterForm",
    "DossierImportForm",
    "ProcedureFilterForm",
    "ProcedureImportForm",
    "dossier_units_scope",
    "new_token",
    "preset_choices",
]
