"""Reads on the audit trail: filtering, labels for the browser, per-object history."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.lib.numbers import format_amount, format_points
from cchc.lib.periods import Period
from cchc.lib.text import normalize, sort_key
from cchc.organisations.models import Unit, path_condition

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

# Field labels that differ from the model's own verbose name (Django's built-in user fields; counts).
FIELD_LABELS = {
    "accounts.user": {
        "username": gettext_lazy("Tên đăng nhập"),
        "email": gettext_lazy("Thư điện tử"),
        "is_active": gettext_lazy("Đang hoạt động"),
    },
    "organisations.membership": {"user": gettext_lazy("Người dùng")},
    "accounts.roleassignment": {"user": gettext_lazy("Người dùng")},
    "accounts.apitoken": {"user": gettext_lazy("Người dùng")},
    "frameworks.framework": {"criteria": gettext_lazy("Số tiêu chí")},
    "assessments.assessment": {"leaves": gettext_lazy("Số tiêu chí cần chấm")},
}
# Labels by key, whatever the record: for keys written into ``changes`` that are not fields of the record (a field of
# a related record, a count, a list of names) and for fields declared without a Vietnamese verbose name. A field's own
# verbose name wins when it has one. Every key a service writes and every model field has a label here or there
# (checked by cchc/audit/tests/test_labels.py), so no raw field name reaches the page.
EXTRA_FIELD_LABELS = {
    # accounts
    "role": gettext_lazy("Vai trò"),
    "scope": gettext_lazy("Phạm vi"),
    "name": gettext_lazy("Tên"),
    "user": gettext_lazy("Người dùng"),
    "expires_at": gettext_lazy("Hết hạn lúc"),
    "prefix": gettext_lazy("Tiền tố mã"),
    "key_hash": gettext_lazy("Mã băm của mã truy cập"),
    "last_used_at": gettext_lazy("Dùng lần cuối lúc"),
    # organisations
    "predecessors": gettext_lazy("Đơn vị tiền thân"),
    "successors": gettext_lazy("Đơn vị kế thừa"),
    "predecessor": gettext_lazy("Đơn vị tiền thân"),
    "successor": gettext_lazy("Đơn vị kế thừa"),
    "path": gettext_lazy("Vị trí trong cây đơn vị"),
    "depth": gettext_lazy("Cấp trong cây"),
    "search_key": gettext_lazy("Khóa tìm kiếm"),
    "unit": gettext_lazy("Đơn vị"),
    "parent": gettext_lazy("Cấp trên"),
    # indicators
    "indicator": gettext_lazy("Chỉ số"),
    "value": gettext_lazy("Giá trị"),
    "period": gettext_lazy("Kỳ"),
    "period_start": gettext_lazy("Đầu kỳ"),
    "period_end": gettext_lazy("Cuối kỳ"),
    # reports
    "text": gettext_lazy("Nội dung"),
    "consolidated_from": gettext_lazy("Tổng hợp từ báo cáo của"),
    "sections_filled": gettext_lazy("Số mục được điền khi tổng hợp"),
    # frameworks and assessments
    "framework": gettext_lazy("Bộ tiêu chí"),
    "criteria": gettext_lazy("Tiêu chí"),
    "criterion": gettext_lazy("Tiêu chí"),
    "leaves": gettext_lazy("Số tiêu chí cần chấm"),
    "round": gettext_lazy("Kỳ đánh giá"),
    "assessment": gettext_lazy("Phiếu chấm điểm"),
    "score": gettext_lazy("Điểm tiêu chí"),
    "appraised_by": gettext_lazy("Người thẩm định"),
    "version": gettext_lazy("Phiên bản"),
    "uploaded_by": gettext_lazy("Người tải lên"),
    "author": gettext_lazy("Người viết"),
    "computed_at": gettext_lazy("Tính lúc"),
    "explanation": gettext_lazy("Nội dung giải trình"),
    "proposed_score": gettext_lazy("Điểm đề nghị"),
    "final_score": gettext_lazy("Điểm đạt"),
    "approved_at": gettext_lazy("Hội đồng thông qua lúc"),
    "results_created": gettext_lazy("Số kết quả tính mới"),
    # procedures: one entry per import, and saved column mappings
    "source": gettext_lazy("Nguồn dữ liệu"),
    "preset": gettext_lazy("Mẫu cột"),
    "rows": gettext_lazy("Số dòng đã đọc"),
    "created": gettext_lazy("Số bản ghi thêm mới"),
    "updated": gettext_lazy("Số bản ghi cập nhật"),
    "unchanged": gettext_lazy("Số bản ghi không đổi"),
    "rejected": gettext_lazy("Số dòng bị từ chối"),
    "columns": gettext_lazy("Ánh xạ cột"),
    "codes": gettext_lazy("Bảng mã"),
    "date_format": gettext_lazy("Cách ghi ngày"),
    "results_updated": gettext_lazy("Số kết quả tính lại"),
    # inspections, initiatives
    "year": gettext_lazy("Năm"),
    "plan": gettext_lazy("Kế hoạch kiểm tra"),
    "title": gettext_lazy("Tên"),
    # directives
    "directive": gettext_lazy("Văn bản chỉ đạo"),
    "extractor_version": gettext_lazy("Phiên bản bộ trích xuất"),
    "proposed": gettext_lazy("Số nhiệm vụ được đề xuất"),
    "kept": gettext_lazy("Số đề xuất được giữ"),
    "added": gettext_lazy("Số nhiệm vụ thêm bằng tay"),
    "discarded": gettext_lazy("Số đề xuất bị bỏ"),
    # surveys
    "link": gettext_lazy("Đường dẫn mời"),
    "state": gettext_lazy("Trạng thái"),
    "sent_at": gettext_lazy("Gửi lúc"),
    "closed_at": gettext_lazy("Đóng lúc"),
    "answer": gettext_lazy("Ý kiến góp ý"),
    "task": gettext_lazy("Nhiệm vụ"),
    "content": gettext_lazy("Nội dung nhiệm vụ"),
    "deadline": gettext_lazy("Thời hạn"),
    "deadline_kind": gettext_lazy("Loại thời hạn"),
    "period_key": gettext_lazy("Kỳ"),
    "recurrence": gettext_lazy("Lặp lại"),
    "units": gettext_lazy("Đơn vị thực hiện"),
    "assignments": gettext_lazy("Số lượt phân công"),
    "occurrence": gettext_lazy("Kỳ thực hiện"),
    "assignment": gettext_lazy("Phân công"),
    "percent": gettext_lazy("Tiến độ (%)"),
    "status": gettext_lazy("Trạng thái"),
    "due_date": gettext_lazy("Hạn hoàn thành"),
    "new_due_date": gettext_lazy("Hạn mới đề nghị"),
    "completed_on": gettext_lazy("Ngày hoàn thành"),
    "review_pending": gettext_lazy("Chờ xác nhận hoàn thành"),
    "succession_note": gettext_lazy("Giao đơn vị kế thừa"),
    "review_state": gettext_lazy("Trạng thái xem xét"),
    "attachments": gettext_lazy("Tệp đính kèm"),
    "report": gettext_lazy("Báo cáo tiến độ"),
    "cancelled_at": gettext_lazy("Hủy lúc"),
    "cancelled_by": gettext_lazy("Người hủy"),
    "accepted_by": gettext_lazy("Người xác nhận"),
    "reviewed_by": gettext_lazy("Người xem xét"),
    "reviewed_at": gettext_lazy("Xem xét lúc"),
    "requested_by": gettext_lazy("Người đề nghị"),
    "requested_at": gettext_lazy("Đề nghị lúc"),
    "decided_by": gettext_lazy("Người quyết định"),
    "decided_at": gettext_lazy("Quyết định lúc"),
    "issuing_unit": gettext_lazy("Cơ quan ban hành"),
    "extraction": gettext_lazy("Kết quả trích xuất"),
    "kind": gettext_lazy("Loại"),
    "day": gettext_lazy("Ngày"),
    "recipient": gettext_lazy("Người nhận"),
    "emailed": gettext_lazy("Đã gửi thư điện tử"),
    "message": gettext_lazy("Nội dung"),
    "read_at": gettext_lazy("Đọc lúc"),
    # files and bookkeeping on any record
    "file": gettext_lazy("Tệp"),
    "file_name": gettext_lazy("Tên tệp"),
    "file_size": gettext_lazy("Dung lượng tệp (byte)"),
    "sha256": gettext_lazy("Mã băm SHA-256 của tệp"),
    "created_by": gettext_lazy("Người tạo"),
    "created_at": gettext_lazy("Tạo lúc"),
    "updated_at": gettext_lazy("Cập nhật lúc"),
    # surveys: invitation campaigns (counts of invitations imported, sent and reminded)
    "invitations": gettext_lazy("Số người được mời"),
    "sent": gettext_lazy("Số thư mời đã gửi"),
    "reminded": gettext_lazy("Số thư nhắc đã gửi"),
}


# Keys that hold a choice wherever they appear (a role's code in the changes of a person), with the field of the
# record type that defines their labels.
CHOICE_KEYS = {"role": ("accounts.roleassignment", "role")}


def _choice_labels(key: str) -> dict[str, Any]:
    """Display labels for the values of keys that are not fields but hold a choice (a role's code)."""
    if key not in CHOICE_KEYS:
        return {}
    object_type, name = CHOICE_KEYS[key]
    model = _model_for(object_type)
    if model is None:
        return {}
    return dict(model._meta.get_field(name).flatchoices)  # type: ignore[union-attr]


def _decimal(value: Any) -> Decimal | None:
    """A number stored as text ("66.6700", "0.50"), or ``None`` when it is not one."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _amount_text(value: Any) -> str | None:
    """A measured value ("66.6700") as the indicator pages show it ("66,67")."""
    number = _decimal(value)
    return None if number is None else format_amount(number)


def _points_text(value: Any) -> str | None:
    """Points ("0.50", "1.00") as the scoring pages show them ("0,50", "1")."""
    number = _decimal(value)
    return None if number is None else format_points(number)


def _period_text(value: Any) -> str | None:
    """A reporting period key ("2026-Q3") by its name ("Quý III/2026")."""
    try:
        return Period.from_key(str(value)).label
    except ValueError:
        return None


# Keys whose stored text reads better formatted (indicator values and their periods).
VALUE_FORMATTERS = {"value": _amount_text, "period": _period_text}


def _formatter_for(name: str, field: models.Field[Any, Any] | None) -> Any:
    """How the stored text of ``name`` is shown: points like the scoring pages, other numbers like the indicators."""
    if name in VALUE_FORMATTERS:
        return VALUE_FORMATTERS[name]
    if name.endswith("_score"):
        return _points_text
    if name.endswith("_value") or isinstance(field, models.DecimalField):
        return _amount_text
    return None


def has_own_verbose_name(field: models.Field[Any, Any]) -> bool:
    """Was ``field`` given a verbose name, rather than the English one Django makes from its name?"""
    with translation.override(None):  # compare the Vietnamese source text, not its English translation
        return str(field.verbose_name) != field.name.replace("_", " ")


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


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_entries(
    entries: QuerySet[AuditEntry],
    *,
    actor: str = "",
    object_type: str = "",
    action: str = "",
    unit: Unit | None = None,
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
        entries = entries.filter(path_condition([unit.path], "unit_path"))
    # Bounds on ``at`` itself (not on its local date), so that PostgreSQL uses the index on ``at`` and reads only the
    # yearly partitions of the chosen days (decision 26).
    if date_from:
        entries = entries.filter(at__gte=_day_start(date_from))
    if date_to and date_to < datetime.date.max:
        entries = entries.filter(at__lt=_day_start(date_to + datetime.timedelta(days=1)))
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
    if field is not None and has_own_verbose_name(field):
        return str(field.verbose_name).capitalize(), field
    if name in EXTRA_FIELD_LABELS:
        return str(EXTRA_FIELD_LABELS[name]), field
    if field is not None:
        return str(field.verbose_name).capitalize(), field
    return name, None


def field_label(object_type: str, name: str) -> str:
    """The Vietnamese label of ``name`` in the changes of a record of ``object_type``."""
    return _field_label(object_type, _model_for(object_type), name)[0]


def _display(value: Any, field: models.Field[Any, Any] | None, choices: dict[str, Any] | None = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    labels = {str(key): label for key, label in field.flatchoices} if field is not None and field.choices else {}
    labels.update(choices or {})
    if str(value) in labels:
        return str(labels[str(value)])
    if isinstance(value, list):
        return "; ".join(_display(item, None) for item in value) or "—"
    if isinstance(value, str) and ISO_DATE.match(value):
        return _date_text(value)
    return str(value)


# Dates and moments as ``record`` stores them: "2026-03-01", "2026-12-06T13:37:28.994638+00:00".
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def _date_text(value: str) -> str:
    """A day as "01/03/2026"; a moment as "06/12/2026 20:37" in the local time zone."""
    try:
        if len(value) == 10:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%d/%m/%Y %H:%M")


def change_rows(entry: AuditEntry) -> list[ChangeRow]:
    """The entry's changes as ``field | old | new`` rows with Vietnamese labels and readable values."""
    model = _model_for(entry.object_type)
    order = {field.name: index for index, field in enumerate(model._meta.get_fields())} if model else {}
    rows = []
    for name, values in sorted((entry.changes or {}).items(), key=lambda item: (order.get(item[0], 999), item[0])):
        old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
        label, field = _field_label(entry.object_type, model, name)
        choices = _choice_labels(name)
        formatter = _formatter_for(name, field)
        if formatter is not None:
            old, new = (formatter(value) or value if value not in (None, "") else value for value in (old, new))
        row = ChangeRow(field=name, label=label, old=_display(old, field, choices), new=_display(new, field, choices))
        if row.old != row.new:
            rows.append(row)
    return rows


def history_for(instance: models.Model, *, entries: QuerySet[AuditEntry] | None = None) -> QuerySet[AuditEntry]:
    """The audit entries of one record, newest first.

    Pass ``entries`` to look only among those (what a reader may read: see
    :func:`cchc.audit.access.get_history_for_user`).
    """
    entries = AuditEntry.objects.all() if entries is None else entries
    return entries.filter(object_type=instance._meta.label_lower, object_id=str(instance.pk))


def history_for_records(records: Iterable[models.Model]) -> QuerySet[AuditEntry]:
    """The audit entries of several records, of any types, newest first (none for no records).

    For a page that shows one history of related records (an assignment, its reports and its extension requests);
    the caller has already checked that the reader may see them.
    """
    ids: dict[str, list[str]] = {}
    for instance in records:
        ids.setdefault(instance._meta.label_lower, []).append(str(instance.pk))
    condition = Q(pk__in=[])
    for object_type, object_ids in ids.items():
        condition |= Q(object_type=object_type, object_id__in=object_ids)
    return AuditEntry.objects.filter(condition).order_by("-at", "-pk")


# Record types whose entries once stored only ids as the record's name ("28/351", "2802: 100% (06/12/2026)") declare
# ``audit_live_name`` on their model: the relations their name reads. While the record exists its name is read from
# it (one query per type on a page); a deleted record keeps the text stored when the entry was written.
LIVE_NAME_ATTRIBUTE = "audit_live_name"


def live_name_relations(object_type: str) -> tuple[str, ...] | None:
    """The relations the name of a record of ``object_type`` reads, when its entries show the live name."""
    model = _model_for(object_type)
    return getattr(model, LIVE_NAME_ATTRIBUTE, None) if model is not None else None


def _live_names(object_type: str, object_ids: set[str]) -> dict[str, str]:
    model = _model_for(object_type)
    relations = live_name_relations(object_type)
    if model is None or relations is None:
        return {}
    pks = []
    for object_id in object_ids:
        try:
            pks.append(model._meta.pk.to_python(object_id))  # type: ignore[union-attr]
        except ValidationError:
            continue
    records = model._default_manager.filter(pk__in=pks).select_related(*relations)
    return {str(record.pk): str(record)[:300] for record in records}


def labelled(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Entries with ``type_label`` and ``object_name`` set, for tables that mix record types.

    ``object_name`` is the record's human name: the stored text, or for the types whose model declares
    ``audit_live_name`` the name read from the record, one query per record type whatever the number of entries.
    """
    rows = list(entries)
    live = {object_type: live_name_relations(object_type) is not None for object_type in {e.object_type for e in rows}}
    wanted: dict[str, set[str]] = {}
    for entry in rows:
        if live[entry.object_type]:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    names = {object_type: _live_names(object_type, ids) for object_type, ids in wanted.items()}
    for entry in rows:
        entry.type_label = object_type_label(entry.object_type)  # type: ignore[attr-defined]
        name = names.get(entry.object_type, {}).get(entry.object_id)
        entry.object_name = name or entry.object_repr  # type: ignore[attr-defined]
    return rows
