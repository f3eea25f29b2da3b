"""Writes to the indicator store.

Definitions and targets are kept by the secretariat. Values come three ways: computed by the product and imported
from a file (``value_publish``: accepted on publication), or entered by a unit (``value_save`` → ``value_submit`` →
``value_accept`` / ``value_return``). Every change is audited; accepted values are locked.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.audit.models import AuditAction
from cchc.audit.services import actor_user, diff, record, snapshot
from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.lib.numbers import format_amount, percent
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.text import normalize
from cchc.lib.types import Actor, ActorOrSystem
from cchc.organisations.models import Unit

from .models import (
    EntryMode,
    Indicator,
    IndicatorSource,
    IndicatorValue,
    Measure,
    Target,
    ValueEvidence,
    ValueOrigin,
    ValueState,
)

logger = logging.getLogger(__name__)

EVIDENCE_KINDS = (files.PDF, files.DOCX, files.XLSX, files.IMAGE)
INDICATOR_AUDIT_FIELDS = (
    "code",
    "name",
    "description",
    "measure",
    "source",
    "higher_is_better",
    "entry",
    "group",
    "basis",
    "period_kind",
    "unit_kind",
)
TARGET_AUDIT_FIELDS = ("year", "unit_kind", "unit", "value", "step", "cap", "note")


# The module that publishes an indicator, by the first part of its code, for definitions created on first use
# without a source (``tasks.on_time_rate`` is published by the task tracker, ``sipas.satisfaction`` by surveys).
SOURCE_BY_PREFIX = {
    "tasks": IndicatorSource.DIRECTIVES,
    "sipas": IndicatorSource.SURVEYS,
    "survey": IndicatorSource.SURVEYS,
    "tthc": IndicatorSource.PROCEDURES,
    "dossiers": IndicatorSource.PROCEDURES,
    "pakn": IndicatorSource.PROCEDURES,
    "par": IndicatorSource.EXTERNAL,
    "papi": IndicatorSource.EXTERNAL,
    "inspections": IndicatorSource.INSPECTIONS,
    "initiatives": IndicatorSource.INITIATIVES,
}


def source_for_code(code: str) -> str:
    """The data source an indicator's code implies (``manual`` when the prefix is not a known module)."""
    return str(SOURCE_BY_PREFIX.get(code.split(".", 1)[0], IndicatorSource.MANUAL))


def indicator_ensure(
    *,
    code: str,
    name: str,
    source: str | None = None,
    measure: str = Measure.PERCENT,
    description: str = "",
    higher_is_better: bool = True,
    entry: str = EntryMode.COMPUTED,
    period_kind: str = PeriodKind.YEAR.value,
    group: str = "",
    basis: str = "",
) -> Indicator:
    """The indicator with ``code``, created on first use (definitions ship with the modules that publish them).

    An existing definition is kept as the secretariat left it, with one correction: a computed indicator created
    earlier without its source (shown as typed by hand) takes the source of the module that publishes it.
    """
    indicator, created = Indicator.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "source": source or source_for_code(code),
            "measure": measure,
            "description": description,
            "higher_is_better": higher_is_better,
            "entry": entry,
            "period_kind": period_kind,
            "group": group,
            "basis": basis,
        },
    )
    wanted = source or source_for_code(code)
    if (
        not created
        and indicator.entry != EntryMode.UNIT
        and indicator.source == IndicatorSource.MANUAL
        and wanted != IndicatorSource.MANUAL
    ):
        before = snapshot(indicator, ("source",))
        Indicator.objects.filter(pk=indicator.pk).update(source=wanted)
        indicator.source = wanted
        record(
            actor=None,
            action=AuditAction.UPDATE,
            instance=indicator,
            changes=diff(before, snapshot(indicator, ("source",))),
        )
    return indicator


def _decimal(value: Decimal | float | int | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.0001"))
    except InvalidOperation as exc:
        raise ServiceError(_("Giá trị chỉ số không hợp lệ."), field="value") from exc


def _checked_parts(
    indicator: Indicator,
    amount: Decimal,
    numerator: Decimal | float | int | None,
    denominator: Decimal | float | int | None,
) -> tuple[Decimal | None, Decimal | None]:
    """The numerator and denominator a unit gives with its value: both or neither, not negative, a denominator above
    zero, and for a rate a numerator at most the denominator and a value that is their quotient (to 0,01 %)."""
    top, bottom = _decimal(numerator), _decimal(denominator)
    if top is None and bottom is None:
        return None, None
    if top is None or bottom is None:
        field = "numerator" if top is None else "denominator"
        raise ServiceError(_("Nhập cả tử số và mẫu số, hoặc để trống cả hai."), field=field)
    if top < 0:
        raise ServiceError(_("Tử số không được âm."), field="numerator")
    if bottom <= 0:
        raise ServiceError(_("Mẫu số phải lớn hơn 0."), field="denominator")
    if indicator.measure == Measure.PERCENT:
        if top > bottom:
            raise ServiceError(_("Tử số không được lớn hơn mẫu số."), field="numerator")
        rate = percent(top, bottom)
        assert rate is not None  # bottom > 0 above
        if abs(rate - amount) > Decimal("0.01"):
            raise ServiceError(
                _("Tỷ lệ phải bằng tử số chia cho mẫu số, tức %(rate)s.") % {"rate": format_amount(rate, "percent")},
                field="value",
            )
    return top, bottom


def _checked_amount(indicator: Indicator, value: Decimal | float | int | None) -> Decimal:
    amount = _decimal(value)
    if amount is None or not amount.is_finite():
        raise ServiceError(_("Giá trị chỉ số không hợp lệ."), field="value")
    if indicator.measure == Measure.PERCENT and not Decimal(0) <= amount <= Decimal(100):
        raise ServiceError(_("Tỷ lệ phải nằm trong khoảng 0–100%."), field="value")
    if amount < 0:
        raise ServiceError(_("Giá trị chỉ số không được âm."), field="value")
    return amount


def check_value(
    indicator: Indicator,
    value: Decimal | float | int | None,
    numerator: Decimal | float | int | None = None,
    denominator: Decimal | float | int | None = None,
) -> tuple[Decimal, Decimal | None, Decimal | None]:
    """The value, numerator and denominator as stored, or a :class:`ServiceError` naming the field: the checks of
    :func:`value_save`, for imports and the API to report before anything is written."""
    amount = _checked_amount(indicator, value)
    top, bottom = _checked_parts(indicator, amount, numerator, denominator)
    return amount, top, bottom


@transaction.atomic
def value_publish(
    *,
    actor: ActorOrSystem,
    indicator: Indicator,
    unit: Unit,
    period: Period,
    value: Decimal | float | int,
    numerator: Decimal | float | int | None = None,
    denominator: Decimal | float | int | None = None,
    note: str = "",
    origin: str = ValueOrigin.COMPUTED,
) -> IndicatorValue:
    """Store the value of ``indicator`` for ``unit`` in ``period`` (replacing an earlier one), accepted at once.

    For values the product computes (``origin`` computed) or that an import brings (``origin`` imported); a value a
    unit entered is never overwritten here.
    """
    return value_publish_changed(
        actor=actor,
        indicator=indicator,
        unit=unit,
        period=period,
        value=value,
        numerator=numerator,
        denominator=denominator,
        note=note,
        origin=origin,
    )[0]


@transaction.atomic
def value_publish_changed(
    *,
    actor: ActorOrSystem,
    indicator: Indicator,
    unit: Unit,
    period: Period,
    value: Decimal | float | int,
    numerator: Decimal | float | int | None = None,
    denominator: Decimal | float | int | None = None,
    note: str = "",
    origin: str = ValueOrigin.COMPUTED,
) -> tuple[IndicatorValue, bool]:
    """:func:`value_publish`, also saying whether anything was written (``False``: the stored value was the same)."""
    if origin not in (ValueOrigin.COMPUTED, ValueOrigin.IMPORTED):
        raise ServiceError(_("Giá trị do đơn vị nhập phải qua bước gửi và xác nhận."))
    amount = _checked_amount(indicator, value)
    current = (
        IndicatorValue.objects.select_for_update().filter(indicator=indicator, unit=unit, period_key=period.key).first()
    )
    if current is not None and current.origin == ValueOrigin.ENTERED:
        raise ServiceError(
            _("Kỳ này đã có giá trị do đơn vị nhập (%(state)s); không ghi đè.") % {"state": current.get_state_display()}
        )
    old = current.value if current else None
    fields = {
        "value": amount,
        "numerator": _decimal(numerator),
        "denominator": _decimal(denominator),
        "note": note[:300],
        "origin": str(origin),
        "state": ValueState.ACCEPTED,
    }
    if current is None:
        current = IndicatorValue.objects.create(
            indicator=indicator,
            unit=unit,
            period_kind=period.kind.value,
            period_key=period.key,
            period_start=period.start,
            period_end=period.end,
            **fields,
        )
    elif any(getattr(current, name) != new for name, new in fields.items()):
        for name, new in fields.items():
            setattr(current, name, new)
        current.save()
    else:
        return current, False
    record(
        actor=actor,
        action=AuditAction.UPDATE if old is not None else AuditAction.CREATE,
        instance=current,
        changes={"value": [str(old) if old is not None else None, str(amount)], "period": [None, period.key]},
        unit=unit,
    )
    ratio_refresh(actor=actor, code=indicator.code, unit=unit, period=period)
    return current, True


# ---------------------------------------------------------------------------
# Definitions


@dataclass(frozen=True)
class IndicatorData:
    code: str
    name: str
    measure: str = Measure.PERCENT
    source: str = IndicatorSource.MANUAL
    higher_is_better: bool = True
    entry: str = EntryMode.UNIT
    description: str = ""
    group: str = ""
    basis: str = ""
    period_kind: str = "year"
    unit_kind: str = ""


def _clean_definition(data: IndicatorData) -> dict[str, Any]:
    values = asdict(data)
    for name in ("code", "name", "group", "basis", "unit_kind"):
        values[name] = normalize(values[name])
    values["description"] = (values["description"] or "").strip()
    if not values["code"]:
        raise ServiceError(_("Hãy ghi mã chỉ số."), field="code")
    if not values["name"]:
        raise ServiceError(_("Hãy ghi tên chỉ số."), field="name")
    return values


@transaction.atomic
def indicator_create(*, actor: ActorOrSystem, data: IndicatorData) -> Indicator:
    values = _clean_definition(data)
    if Indicator.objects.filter(code=values["code"]).exists():
        raise ServiceError(_("Mã chỉ số “%(code)s” đã có.") % {"code": values["code"]}, field="code")
    indicator = Indicator.objects.create(**values)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=indicator,
        changes={key: [None, value] for key, value in snapshot(indicator, INDICATOR_AUDIT_FIELDS).items()},
    )
    return indicator


@transaction.atomic
def indicator_update(*, actor: Actor, indicator: Indicator, data: IndicatorData) -> Indicator:
    values = _clean_definition(data)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if Indicator.objects.filter(code=values["code"]).exclude(pk=indicator.pk).exists():
        raise ServiceError(_("Mã chỉ số “%(code)s” đã có.") % {"code": values["code"]}, field="code")
    if values["code"] != indicator.code and indicator.values.exists():
        raise ServiceError(_("Chỉ số đã có số liệu; không đổi mã được."), field="code")
    before = snapshot(indicator, INDICATOR_AUDIT_FIELDS)
    for name, value in values.items():
        setattr(indicator, name, value)
    indicator.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=indicator,
        changes=diff(before, snapshot(indicator, INDICATOR_AUDIT_FIELDS)),
    )
    return indicator


@transaction.atomic
def indicator_set_public(*, actor: Actor, indicator: Indicator, on_public_page: bool) -> Indicator:
    """Show (or stop showing) the indicator's accepted values on the public page; audited. Setting the value it
    already has writes nothing (a second click of the same button changes nothing)."""
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if indicator.on_public_page == on_public_page:
        return indicator
    before = snapshot(indicator, ("on_public_page",))
    indicator.on_public_page = on_public_page
    indicator.save(update_fields=["on_public_page"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=indicator,
        changes=diff(before, snapshot(indicator, ("on_public_page",))),
    )
    return indicator


# ---------------------------------------------------------------------------
# Targets


@dataclass(frozen=True)
class TargetData:
    year: int
    value: Decimal
    unit_kind: str = ""
    unit: Unit | None = None
    step: Decimal | None = None
    cap: Decimal | None = None
    note: str = ""


def _clean_target(indicator: Indicator, data: TargetData) -> dict[str, Any]:
    if not 1900 <= data.year <= 2200:
        raise ServiceError(_("Năm không hợp lệ."), field="year")
    if data.unit is not None and data.unit_kind:
        raise ServiceError(_("Chọn một đơn vị hoặc một loại đơn vị, không chọn cả hai."), field="unit_kind")
    value = _checked_amount(indicator, data.value)
    step = _decimal(data.step)
    cap = _decimal(data.cap)
    if step is not None and step < 0:
        raise ServiceError(
            _("Mức thay đổi mỗi năm không được âm (hướng tăng hay giảm theo chiều tốt của chỉ số)."), field="step"
        )
    if cap is not None:
        if not step:
            raise ServiceError(_("Mức giới hạn chỉ dùng cho chỉ tiêu tăng dần theo năm."), field="cap")
        cap = _checked_amount(indicator, cap)
        if (cap < value) if indicator.higher_is_better else (cap > value):
            raise ServiceError(
                _("Mức tối đa phải không thấp hơn chỉ tiêu năm đầu.")
                if indicator.higher_is_better
                else _("Mức tối thiểu phải không cao hơn chỉ tiêu năm đầu."),
                field="cap",
            )
    return {
        "year": data.year,
        "value": value,
        "unit_kind": data.unit_kind,
        "unit": data.unit,
        "step": step,
        "cap": cap,
        "note": normalize(data.note)[:300],
    }


def _duplicate_target() -> ServiceError:
    return ServiceError(_("Đã có chỉ tiêu cho năm và phạm vi này; hãy sửa chỉ tiêu đó."), field="year")


@transaction.atomic
def target_create(*, actor: ActorOrSystem, indicator: Indicator, data: TargetData) -> Target:
    values = _clean_target(indicator, data)
    if Target.objects.filter(
        indicator=indicator, year=values["year"], unit_kind=values["unit_kind"], unit=values["unit"]
    ).exists():
        raise _duplicate_target()
    try:
        with transaction.atomic():
            target = Target.objects.create(indicator=indicator, **values)
    except IntegrityError as exc:
        raise _duplicate_target() from exc
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=target,
        changes={key: [None, value] for key, value in snapshot(target, TARGET_AUDIT_FIELDS).items()},
        unit=target.unit,
    )
    return target


@transaction.atomic
def target_update(*, actor: Actor, target: Target, data: TargetData) -> Target:
    target = Target.objects.select_for_update(of=("self",)).select_related("indicator", "unit").get(pk=target.pk)
    values = _clean_target(target.indicator, data)
    if (
        Target.objects.filter(
            indicator=target.indicator, year=values["year"], unit_kind=values["unit_kind"], unit=values["unit"]
        )
        .exclude(pk=target.pk)
        .exists()
    ):
        raise _duplicate_target()
    before = snapshot(target, TARGET_AUDIT_FIELDS)
    for name, value in values.items():
        setattr(target, name, value)
    target.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=target,
        changes=diff(before, snapshot(target, TARGET_AUDIT_FIELDS)),
        unit=target.unit,
    )
    return target


@transaction.atomic
def target_delete(*, actor: Actor, target: Target) -> None:
    found = (
        Target.objects.select_for_update(of=("self",)).select_related("indicator", "unit").filter(pk=target.pk).first()
    )
    if found is None:
        return  # already deleted by an earlier click
    record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=found,
        changes={key: [value, None] for key, value in snapshot(found, TARGET_AUDIT_FIELDS).items()},
        unit=found.unit,
    )
    found.delete()


# ---------------------------------------------------------------------------
# Values entered by units: draft → submitted → accepted / returned

VALUE_AUDIT_FIELDS = ("value", "numerator", "denominator", "note", "state", "return_reason")


def _locked_value(value: IndicatorValue) -> IndicatorValue:
    return IndicatorValue.objects.select_for_update(of=("self",)).select_related("indicator", "unit").get(pk=value.pk)


def _require_entered_by_unit(indicator: Indicator) -> None:
    if indicator.entry != EntryMode.UNIT:
        raise ServiceError(
            _("Chỉ số “%(name)s” không do đơn vị nhập (%(entry)s).")
            % {"name": indicator.name, "entry": indicator.get_entry_display()}
        )


def _refuse_locked(value: IndicatorValue) -> None:
    if value.state == ValueState.ACCEPTED:
        raise ServiceError(_("Giá trị đã được xác nhận và khóa; không sửa được."), code="locked")
    if value.state == ValueState.SUBMITTED:
        raise ServiceError(_("Giá trị đã gửi, đang chờ xác nhận; không sửa được."), code="locked")
    if value.origin != ValueOrigin.ENTERED:
        raise ServiceError(_("Giá trị do hệ thống tính hoặc nhập từ tệp; đơn vị không sửa được."), code="locked")


@transaction.atomic
def value_save(
    *,
    actor: Actor,
    indicator: Indicator,
    unit: Unit,
    period: Period,
    value: Decimal | float | int | None,
    numerator: Decimal | float | int | None = None,
    denominator: Decimal | float | int | None = None,
    note: str = "",
) -> IndicatorValue:
    """Create or change the draft value a unit enters for ``period`` (a returned value becomes a draft again)."""
    _require_entered_by_unit(indicator)
    if period.kind.value != indicator.period_kind:
        raise ServiceError(_("Chỉ số này báo cáo theo kỳ khác."), field="period")
    if period.start > timezone.localdate():
        raise ServiceError(
            _("Kỳ %(period)s chưa bắt đầu; chưa nhập số liệu được.") % {"period": period.label_in_sentence}
        )
    amount = _checked_amount(indicator, value)
    top, bottom = _checked_parts(indicator, amount, numerator, denominator)
    fields = {
        "value": amount,
        "numerator": top,
        "denominator": bottom,
        "note": normalize(note)[:300],
    }
    current = (
        IndicatorValue.objects.select_for_update().filter(indicator=indicator, unit=unit, period_key=period.key).first()
    )
    if current is None:
        try:
            with transaction.atomic():
                current = IndicatorValue.objects.create(
                    indicator=indicator,
                    unit=unit,
                    period_kind=period.kind.value,
                    period_key=period.key,
                    period_start=period.start,
                    period_end=period.end,
                    origin=ValueOrigin.ENTERED,
                    state=ValueState.DRAFT,
                    entered_by=actor_user(actor),
                    **fields,
                )
        except IntegrityError as exc:
            # Two saves of the first value at once (a double click): the other one is stored.
            raise ServiceError(_("Giá trị của kỳ này vừa được lưu; hãy mở lại trang để xem."), code="already") from exc
        record(
            actor=actor,
            action=AuditAction.CREATE,
            instance=current,
            changes={key: [None, value] for key, value in snapshot(current, VALUE_AUDIT_FIELDS).items()}
            | {"period": [None, period.key]},
            unit=unit,
        )
        return current
    _refuse_locked(current)
    before = snapshot(current, VALUE_AUDIT_FIELDS)
    for name, new in fields.items():
        setattr(current, name, new)
    current.state = ValueState.DRAFT
    current.entered_by = actor_user(actor) or current.entered_by
    current.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=current,
        changes=diff(before, snapshot(current, VALUE_AUDIT_FIELDS)),
        unit=unit,
    )
    return current


@transaction.atomic
def value_evidence_add(*, actor: Actor, value: IndicatorValue, upload: IO[bytes]) -> ValueEvidence:
    """Attach a checked file (PDF, Word, Excel, image) to a value still being entered."""
    value = _locked_value(value)
    _refuse_locked(value)
    name = PurePath(str(getattr(upload, "name", "") or "")).name
    _kind, data = files.check_upload(upload, name=name, kinds=EVIDENCE_KINDS)
    digest = hashlib.sha256(data).hexdigest()
    same = value.evidence.filter(sha256=digest).first()
    if same is not None:
        return same  # the same file again (a double click): stored once
    evidence = ValueEvidence(
        value=value,
        file_name=normalize(name)[:255] or digest,
        file_size=len(data),
        sha256=digest,
        uploaded_by=actor_user(actor),
    )
    # The stored name is the content hash: no user text in paths.
    evidence.file.save(f"{digest}{PurePath(name).suffix.lower()}", ContentFile(data), save=False)
    evidence.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=value,
        changes={"file_name": [None, evidence.file_name], "sha256": [None, digest]},
        unit=value.unit,
    )
    return evidence


@transaction.atomic
def value_evidence_delete(*, actor: Actor, evidence: ValueEvidence) -> None:
    value = _locked_value(evidence.value)
    _refuse_locked(value)
    found = ValueEvidence.objects.filter(pk=evidence.pk).first()
    if found is None:
        return
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=value,
        changes={"file_name": [found.file_name, None], "sha256": [found.sha256, None]},
        unit=value.unit,
    )
    found.delete()


def _transition(actor: Actor, value: IndicatorValue, state: str, *, reason: str = "", **fields: Any) -> None:
    before = snapshot(value, VALUE_AUDIT_FIELDS)
    value.state = state
    for name, new in fields.items():
        setattr(value, name, new)
    value.save()
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=value,
        changes=diff(before, snapshot(value, VALUE_AUDIT_FIELDS)),
        reason=reason,
        unit=value.unit,
    )


@transaction.atomic
def value_submit(*, actor: Actor, value: IndicatorValue) -> IndicatorValue:
    """Send a draft (or a corrected returned value) to the secretariat; it locks until reviewed."""
    value = _locked_value(value)
    if value.state == ValueState.SUBMITTED:
        raise ServiceError(_("Giá trị đã được gửi, đang chờ xác nhận."), code="already")
    _refuse_locked(value)
    if not value.evidence.exists():
        raise ServiceError(_("Hãy đính kèm ít nhất một tệp minh chứng trước khi gửi."), field="file")
    _transition(actor, value, ValueState.SUBMITTED, submitted_at=timezone.now())
    return value


@transaction.atomic
def value_accept(*, actor: Actor, value: IndicatorValue) -> IndicatorValue:
    """Accept a submitted value: it locks, and PAR criteria scored from the indicator read it from now on."""
    value = _locked_value(value)
    if value.state == ValueState.ACCEPTED:
        raise ServiceError(_("Giá trị này đã được xác nhận."), code="already")
    if value.state != ValueState.SUBMITTED:
        raise ServiceError(_("Chỉ xác nhận được giá trị đơn vị đã gửi."), code="state")
    _transition(
        actor, value, ValueState.ACCEPTED, return_reason="", reviewed_by=actor_user(actor), reviewed_at=timezone.now()
    )
    ratio_refresh(actor=actor, code=value.indicator.code, unit=value.unit, period=value.period)
    return value


@transaction.atomic
def value_return(*, actor: Actor, value: IndicatorValue, reason: str) -> IndicatorValue:
    """Return a submitted value to its unit with the reason; the unit corrects it and sends it again."""
    reason = normalize(reason)
    if not reason:
        raise ServiceError(_("Hãy ghi lý do trả lại để đơn vị biết cần sửa gì."), field="reason")
    value = _locked_value(value)
    if value.state == ValueState.RETURNED:
        raise ServiceError(_("Giá trị này đã được trả lại."), code="already")
    if value.state != ValueState.SUBMITTED:
        raise ServiceError(_("Chỉ trả lại được giá trị đơn vị đã gửi."), code="state")
    _transition(
        actor,
        value,
        ValueState.RETURNED,
        reason=reason,
        return_reason=reason[:1000],
        reviewed_by=actor_user(actor),
        reviewed_at=timezone.now(),
    )
    value_id = value.pk
    transaction.on_commit(lambda: notify_returned(value_id))
    return value


def focal_points_of(unit: Unit) -> list[User]:
    """The active people who answer for ``unit``: focal points whose scope covers it, and focal points without a
    scope who work in it."""
    scoped = Q(scope_id__in=[*unit.ancestor_ids, unit.pk])
    unscoped = Q(scope__isnull=True, user__memberships__unit=unit)
    user_ids = RoleAssignment.objects.filter(scoped | unscoped, role=Role.FOCAL_POINT).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def notify_returned(value_id: int) -> int:
    """E-mail the unit's focal points (and whoever entered the value) that the secretariat returned it, with the
    reason and the address of the value's page. Returns how many e-mails were sent; a failed e-mail is logged, never
    raised (the return itself is already stored)."""
    value = IndicatorValue.objects.select_related("indicator", "unit", "entered_by").filter(pk=value_id).first()
    if value is None or value.state != ValueState.RETURNED:
        return 0
    people = {user.pk: user for user in focal_points_of(value.unit)}
    if value.entered_by is not None and value.entered_by.is_active:
        people.setdefault(value.entered_by.pk, value.entered_by)
    subject = _("[CCHC] Số liệu chỉ số bị trả lại: %(indicator)s") % {"indicator": value.indicator.name[:120]}
    address = reverse("indicators:value_detail", args=[value.pk])
    sent = 0
    connection = get_connection(fail_silently=False)
    for user in people.values():
        if not user.email:
            continue
        body = "\n".join(
            [
                _("Kính gửi %(name)s,") % {"name": user.display_name},
                "",
                _("Cơ quan thường trực đã trả lại số liệu sau để đơn vị sửa và gửi lại:"),
                str(value),
                _("Lý do: %(reason)s") % {"reason": value.return_reason},
                "",
                _("Xem và sửa tại: %(address)s") % {"address": address},
                _("Thư này được gửi tự động; vui lòng không trả lời."),
            ]
        )
        try:
            send_mail(subject, body, None, [user.email], connection=connection)
        except Exception:  # a mail server down must not undo the return
            logger.warning("indicator return e-mail to user %s failed", user.pk, exc_info=True)
            continue
        sent += 1
    return sent


# ---------------------------------------------------------------------------
# Indicators computed from others (the on-time rate of citizen feedback from its counts)


@dataclass(frozen=True)
class Ratio:
    """``code`` = ``numerator`` / ``denominator`` × 100, from the accepted values of the same unit and period."""

    code: str
    numerator: str
    denominator: str


PAKN_RECEIVED = "pakn.received"
PAKN_ON_TIME = "pakn.on_time"
PAKN_OVERDUE = "pakn.overdue"
PAKN_ON_TIME_RATE = "pakn.on_time_rate"
RATIOS = (Ratio(PAKN_ON_TIME_RATE, PAKN_ON_TIME, PAKN_RECEIVED),)


def ratio_refresh(*, actor: ActorOrSystem, code: str, unit: Unit, period: Period) -> list[IndicatorValue]:
    """Publish again the rates computed from indicator ``code`` for ``unit`` and ``period`` (called when a value is
    accepted or published).

    A rate is published (computed, accepted) when both counts are accepted, the denominator is above zero and the
    numerator at most the denominator. Otherwise a rate computed earlier is removed (audited): with nothing received
    there is no rate, rather than a rate of 0 % or 100 %.
    """
    published = []
    for ratio in RATIOS:
        if code not in (ratio.numerator, ratio.denominator):
            continue
        indicator = Indicator.objects.filter(code=ratio.code).first()
        if indicator is None:
            continue
        parts = {
            row.indicator.code: row.value
            for row in IndicatorValue.objects.filter(
                indicator__code__in=[ratio.numerator, ratio.denominator],
                unit=unit,
                period_key=period.key,
                state=ValueState.ACCEPTED,
            ).select_related("indicator")
        }
        top, bottom = parts.get(ratio.numerator), parts.get(ratio.denominator)
        if top is not None and bottom is not None and bottom > 0 and 0 <= top <= bottom:
            rate = percent(top, bottom)
            assert rate is not None  # bottom > 0 above
            published.append(
                value_publish(
                    actor=actor,
                    indicator=indicator,
                    unit=unit,
                    period=period,
                    value=rate,
                    numerator=top,
                    denominator=bottom,
                    note=_("Tính từ %(numerator)s / %(denominator)s × 100")
                    % {"numerator": ratio.numerator, "denominator": ratio.denominator},
                )
            )
            continue
        stale = IndicatorValue.objects.filter(
            indicator=indicator, unit=unit, period_key=period.key, origin=ValueOrigin.COMPUTED
        ).first()
        if stale is not None:
            record(
                actor=actor,
                action=AuditAction.DELETE,
                instance=stale,
                changes={"value": [str(stale.value), None], "period": [period.key, None]},
                unit=unit,
            )
            stale.delete()
    return published


PAKN_GROUP = "Phản ánh, kiến nghị"


def pakn_definitions() -> list[IndicatorData]:
    """The citizen-feedback (PAKN) indicators: three counts per unit and quarter, entered by the unit or imported,
    and the on-time rate computed from two of them."""
    counts = {
        PAKN_RECEIVED: (
            _("Số phản ánh, kiến nghị tiếp nhận"),
            _("Số phản ánh, kiến nghị của người dân, doanh nghiệp đơn vị tiếp nhận trong kỳ."),
            True,
        ),
        PAKN_ON_TIME: (
            _("Số phản ánh, kiến nghị xử lý đúng hạn"),
            _("Số phản ánh, kiến nghị tiếp nhận trong kỳ đã xử lý xong và trả lời đúng hạn."),
            True,
        ),
        PAKN_OVERDUE: (
            _("Số phản ánh, kiến nghị quá hạn"),
            _("Số phản ánh, kiến nghị tiếp nhận trong kỳ đã quá hạn xử lý (đã hoặc chưa trả lời)."),
            False,
        ),
    }
    definitions = [
        IndicatorData(
            code=code,
            name=name,
            description=description,
            measure=Measure.COUNT,
            source=IndicatorSource.PROCEDURES,
            higher_is_better=better,
            entry=EntryMode.UNIT,
            group=PAKN_GROUP,
            period_kind=PeriodKind.QUARTER.value,
        )
        for code, (name, description, better) in counts.items()
    ]
    definitions.append(
        IndicatorData(
            code=PAKN_ON_TIME_RATE,
            name=_("Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn"),
            description=_(
                "Số phản ánh, kiến nghị xử lý đúng hạn / số tiếp nhận × 100, tính khi cả hai số liệu của đơn vị "
                "trong kỳ đã được xác nhận; kỳ không tiếp nhận phản ánh, kiến nghị nào thì không có tỷ lệ."
            ),
            measure=Measure.PERCENT,
            source=IndicatorSource.PROCEDURES,
            entry=EntryMode.COMPUTED,
            group=PAKN_GROUP,
            period_kind=PeriodKind.QUARTER.value,
        )
    )
    return definitions


def pakn_indicators_ensure() -> dict[str, Indicator]:
    """Create the PAKN definitions that are missing (idempotent; an edited definition is left as it is)."""
    return {
        data.code: indicator_ensure(
            code=data.code,
            name=data.name,
            source=data.source,
            measure=data.measure,
            description=data.description,
            higher_is_better=data.higher_is_better,
            entry=data.entry,
            period_kind=data.period_kind,
            group=data.group,
        )
        for data in pakn_definitions()
    }
