"""Reads on the audit trail: filtering, labels for the browser, per-object history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.accounts.permissions import get_audit_entries_for_user
from cchc.lib.text import normalize, sort_key

from .models import AuditEntry

# Names of the record types as the secretariat knows them.
OBJECT_TYPE_LABELS = {
    "organisations.unit": gettext_lazy("Đơn vị"),
    "organisations.membership": gettext_lazy("Công tác tại đơn vị"),
    "organisations.unitsuccession": gettext_lazy("Kế thừa đơn vị"),
    "accounts.user": gettext_lazy("Người dùng"),
    "accounts.roleassignment": gettext_lazy("Phân quyền"),
    "accounts.apitoken": gettext_lazy("Mã truy cập API"),
}

# Field labels that differ from the model's own verbose name (Django's built-in user fields).
FIELD_LABELS = {
    "accounts.user": {
        "username": gettext_lazy("Tên đăng nhập"),
        "email": gettext_lazy("Thư điện tử"),
        "is_active": gettext_lazy("Đang hoạt động"),
    },
    "organisations.membership": {"user": gettext_lazy("Người dùng")},
    "accounts.roleassignment": {"user": gettext_lazy("Người dùng")},
    "accounts.apitoken": {"user": gettext_lazy("Người dùng")},
}
# Labels for keys written into ``changes`` that are not fields of the record.
EXTRA_FIELD_LABELS = {
    "role": gettext_lazy("Vai trò"),
    "scope": gettext_lazy("Phạm vi"),
    "predecessors": gettext_lazy("Đơn vị tiền thân"),
    "successors": gettext_lazy("Đơn vị kế thừa"),
}


def _model_for(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    if object_type in OBJECT_TYPE_LABELS:
        return str(OBJECT_TYPE_LABELS[object_type])
    model = _model_for(object_type)
    return str(model._meta.verbose_name).capitalize() if model else object_type


def object_type_choices(entries: QuerySet[AuditEntry]) -> list[tuple[str, str]]:
    """The record types present in ``entries``, labelled in Vietnamese."""
    types = entries.order_by().values_list("object_type", flat=True).distinct()
    return sorted(((value, object_type_label(value)) for value in types), key=lambda choice: sort_key(str(choice[1])))


def filter_entries(
    entries: QuerySet[AuditEntry],
    *,
    actor: str = "",
    object_type: str = "",
    action: str = "",
    unit: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    text: str = "",
) -> QuerySet[AuditEntry]:
    """Narrow ``entries`` (already limited to what the reader may see)."""
    actor = normalize(actor)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if action:
        entries = entries.filter(action=action)
    if unit is not None:
        entries = entries.filter(unit_path__startswith=unit.path)
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_to:
        entries = entries.filter(at__date__lte=date_to)
    for word in normalize(text).split():
        entries = entries.filter(Q(object_repr__icontains=word) | Q(reason__icontains=word))
    return entries


@dataclass(frozen=True)
class ChangeRow:
    field: str
    label: str
    old: str
    new: str


def _field_label(
    object_type: str, model: type[models.Model] | None, name: str
) -> tuple[str, models.Field[Any, Any] | None]:
    field = None
    if model is not None:
        try:
            candidate = model._meta.get_field(name)
        except FieldDoesNotExist:
            candidate = None
        if isinstance(candidate, models.Field):
            field = candidate
    override = FIELD_LABELS.get(object_type, {}).get(name)
    if override is not None:
        return str(override), field
    if field is not None:
        return str(field.verbose_name).capitalize(), field
    if name in EXTRA_FIELD_LABELS:
        return str(EXTRA_FIELD_LABELS[name]), None
    return name, None


def _display(value: Any, field: models.Field[Any, Any] | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if field is not None and field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, list):
        return "; ".join(_display(item, None) for item in value) or "—"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def change_rows(entry: AuditEntry) -> list[ChangeRow]:
    """The entry's changes as ``field | old | new`` rows with Vietnamese labels and readable values."""
    model = _model_for(entry.object_type)
    order = {field.name: index for index, field in enumerate(model._meta.get_fields())} if model else {}
    rows = []
    for name, values in sorted((entry.changes or {}).items(), key=lambda item: (order.get(item[0], 999), item[0])):
        old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        label, field = _field_label(entry.object_type, model, name)
        row = ChangeRow(field=name, label=label, old=_display(old, field), new=_display(new, field))
        if row.old != row.new:
            rows.append(row)
    return rows


def history_for(instance: models.Model, *, user: Any = None) -> QuerySet[AuditEntry]:
    """The audit entries of one record, newest first.

    Pass ``user`` to keep only the entries that person may read (see
    :func:`cchc.accounts.permissions.get_audit_entries_for_user`).
    """
    entries = AuditEntry.objects.all() if user is None else get_audit_entries_for_user(user)
    return entries.filter(object_type=instance._meta.label_lower, object_id=str(instance.pk))


def labelled(entries: Any) -> list[AuditEntry]:
    """Entries with ``type_label`` set, for tables that mix record types."""
    rows = list(entries)
    for entry in rows:
        entry.type_label = object_type_label(entry.object_type)  # type: ignore[attr-defined]
    return rows
