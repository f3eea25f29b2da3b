"""Writes to the unit tree. Every function is atomic and leaves an audit entry."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import diff, record, record_created, snapshot
from cchc.lib.errors import ServiceError
from cchc.lib.text import normalize, search_key
from cchc.lib.types import ActorOrSystem

from .models import (
    SEGMENT_WIDTH,
    CommuneSubtype,
    Membership,
    SuccessionKind,
    Unit,
    UnitKind,
    UnitSuccession,
    encode_segment,
)

if TYPE_CHECKING:
    from cchc.accounts.models import User

UNIT_AUDIT_FIELDS = ("name", "short_name", "code", "kind", "subtype", "parent", "valid_from", "valid_to")
MEMBERSHIP_AUDIT_FIELDS = ("user", "unit", "position", "is_head", "valid_from", "valid_to")


@dataclass(frozen=True)
class UnitData:
    """The editable fields of a unit, already cleaned."""

    name: str
    kind: str
    code: str
    short_name: str = ""
    subtype: str = ""
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None


def _clean(data: UnitData) -> UnitData:
    name = normalize(data.name)
    code = normalize(data.code)
    if not name:
        raise ServiceError(_("Tên đơn vị không được để trống."), field="name")
    if not code:
        raise ServiceError(_("Mã đơn vị không được để trống."), field="code")
    if data.kind not in UnitKind.values:
        raise ServiceError(_("Loại đơn vị không hợp lệ."), field="kind")
    subtype = data.subtype or ""
    if subtype and data.kind != UnitKind.COMMUNE:
        raise ServiceError(_("Chỉ đơn vị cấp xã mới có loại xã/phường/đặc khu/thị trấn."), field="subtype")
    if subtype and subtype not in CommuneSubtype.values:
        raise ServiceError(_("Loại xã không hợp lệ."), field="subtype")
    if data.valid_from and data.valid_to and data.valid_to < data.valid_from:
        raise ServiceError(_("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."), field="valid_to")
    return UnitData(
        name=name,
        kind=data.kind,
        code=code,
        short_name=normalize(data.short_name),
        subtype=subtype,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
    )


def _check_code_free(code: str, *, exclude_pk: int | None = None) -> None:
    queryset = Unit.objects.filter(code=code)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    if queryset.exists():
        raise ServiceError(_("Mã đơn vị “%(code)s” đã được dùng cho đơn vị khác.") % {"code": code}, field="code")


def temporary_path() -> str:
    """A unique placeholder stored until the primary key is known."""
    return "~" + uuid.uuid4().hex


def path_for(unit: Unit, parent: Unit | None) -> str:
    return (parent.path if parent else "") + encode_segment(unit.pk)


def _insert(data: UnitData, parent: Unit | None) -> Unit:
    unit = Unit(
        name=data.name,
        short_name=data.short_name,
        code=data.code,
        kind=data.kind,
        subtype=data.subtype,
        parent=parent,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        search_key=search_key(f"{data.name} {data.short_name} {data.code}"),
        path=temporary_path(),
        depth=(parent.depth + 1) if parent else 0,
    )
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        raise ServiceError(_("Không lưu được đơn vị: dữ liệu trùng hoặc không hợp lệ.")) from exc
    unit.path = path_for(unit, parent)
    Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    return unit


@transaction.atomic
def unit_create(*, actor: ActorOrSystem, data: UnitData, parent: Unit | None, reason: str = "") -> Unit:
    data = _clean(data)
    _check_code_free(data.code)
    unit = _insert(data, parent)
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=unit,
        changes=diff({}, snapshot(unit, UNIT_AUDIT_FIELDS)),
        reason=reason,
        unit=unit,
    )
    return unit


@transaction.atomic
def unit_update(*, actor: ActorOrSystem, unit: Unit, data: UnitData, reason: str = "") -> Unit:
    data = _clean(data)
    _check_code_free(data.code, exclude_pk=unit.pk)
    before = snapshot(unit, UNIT_AUDIT_FIELDS)
    for field in ("name", "short_name", "code", "kind", "subtype", "valid_from", "valid_to"):
        setattr(unit, field, getattr(data, field))
    unit.search_key = search_key(f"{unit.name} {unit.short_name} {unit.code}")
    unit.save()
    changes = diff(before, snapshot(unit, UNIT_AUDIT_FIELDS))
    if changes:
        record(actor=actor, action=AuditAction.UPDATE, instance=unit, changes=changes, reason=reason, unit=unit)
    return unit


@transaction.atomic
def unit_move(*, actor: ActorOrSystem, unit: Unit, new_parent: Unit | None, reason: str = "") -> Unit:
    """Put ``unit`` (with its whole subtree) under ``new_parent``."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if new_parent is not None:
        new_parent = Unit.objects.get(pk=new_parent.pk)
        if new_parent.is_within(unit):
            raise ServiceError(_("Không thể chuyển một đơn vị vào chính nó hoặc đơn vị trực thuộc của nó."))
    if unit.parent_id == (new_parent.pk if new_parent else None):
        return unit
    before = snapshot(unit, ("parent",))
    old_path = unit.path
    new_path = path_for(unit, new_parent)
    depth_delta = (new_parent.depth + 1 if new_parent else 0) - unit.depth
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    record(
        actor=actor,
        action=AuditAction.MOVE,
        instance=unit,
        changes=diff(before, snapshot(unit, ("parent",))),
        reason=reason,
        unit=unit,
    )
    return unit


def _link(predecessor: Unit, successor: Unit, kind: str, effective_date: datetime.date, note: str) -> None:
    UnitSuccession.objects.get_or_create(
        predecessor=predecessor,
        successor=successor,
        defaults={"kind": kind, "effective_date": effective_date, "note": note},
    )


def _close(*, actor: ActorOrSystem, unit: Unit, last_day: datetime.date, reason: str) -> None:
    if unit.valid_from and last_day < unit.valid_from:
        raise ServiceError(
            _("Đơn vị “%(name)s” chưa có hiệu lực vào ngày %(day)s.")
            % {"name": unit.name, "day": f"{last_day:%d/%m/%Y}"}
        )
    before = snapshot(unit, ("valid_to",))
    unit.valid_to = last_day
    unit.save(update_fields=["valid_to", "updated_at"])
    record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=unit,
        changes=diff(before, snapshot(unit, ("valid_to",))),
        reason=reason,
        unit=unit,
    )


def _move_active_children(*, actor: ActorOrSystem, source: Unit, target: Unit, day: datetime.date, reason: str) -> None:
    for child in Unit.objects.filter(parent=source).active(day):
        unit_move(actor=actor, unit=child, new_parent=target, reason=reason)


@transaction.atomic
def unit_merge(
    *,
    actor: ActorOrSystem,
    units: Iterable[Unit],
    into: Unit | None = None,
    new_unit: UnitData | None = None,
    parent: Unit | None = None,
    effective_date: datetime.date,
    reason: str = "",
    move_children: bool = True,
) -> Unit:
    """Merge ``units`` into an existing unit (``into``) or a new one (``new_unit`` under ``parent``).

    The merged units stay in the tree for history, valid until the day before
    ``effective_date``; each gets a successor link to the result, and their
    active children move to the result when ``move_children`` is set.
    """
    sources = list(units)
    if not sources:
        raise ServiceError(_("Chọn ít nhất một đơn vị để hợp nhất."))
    if (into is None) == (new_unit is None):
        raise ServiceError(_("Chọn đơn vị nhận hợp nhất hoặc khai báo đơn vị mới, không chọn cả hai."))
    if into is not None and any(source.pk == into.pk for source in sources):
        raise ServiceError(_("Đơn vị nhận hợp nhất không được nằm trong danh sách đơn vị bị hợp nhất."))
    if new_unit is not None:
        result = unit_create(
            actor=actor,
            data=UnitData(**{**new_unit.__dict__, "valid_from": new_unit.valid_from or effective_date}),
            parent=parent,
            reason=reason,
        )
    else:
        assert into is not None
        result = into
    last_day = effective_date - datetime.timedelta(days=1)
    for source in sources:
        source.refresh_from_db()
        if result.is_within(source):
            raise ServiceError(_("Đơn vị nhận hợp nhất không được là đơn vị trực thuộc của đơn vị bị hợp nhất."))
        if move_children:
            _move_active_children(actor=actor, source=source, target=result, day=effective_date, reason=reason)
        _close(actor=actor, unit=source, last_day=last_day, reason=reason)
        _link(source, result, SuccessionKind.MERGE, effective_date, reason)
    record(
        actor=actor,
        action=AuditAction.MERGE,
        instance=result,
        changes={"predecessors": [None, [source.name for source in sources]]},
        reason=reason,
        unit=result,
    )
    return result


@transaction.atomic
def unit_split(
    *,
    actor: ActorOrSystem,
    unit: Unit,
    into: list[UnitData],
    parent: Unit | None = None,
    effective_date: datetime.date,
    reason: str = "",
) -> list[Unit]:
    """Split ``unit`` into new units under ``parent`` (its own parent by default); it closes the day before."""
    if len(into) < 2:
        raise ServiceError(_("Chia tách cần ít nhất hai đơn vị mới."))
    codes = [normalize(item.code) for item in into]
    if len(set(codes)) != len(codes):
        raise ServiceError(_("Các đơn vị mới phải có mã khác nhau."))
    target_parent = parent if parent is not None else unit.parent
    results = [
        unit_create(
            actor=actor,
            data=UnitData(**{**item.__dict__, "valid_from": item.valid_from or effective_date}),
            parent=target_parent,
            reason=reason,
        )
        for item in into
    ]
    _close(actor=actor, unit=unit, last_day=effective_date - datetime.timedelta(days=1), reason=reason)
    for result in results:
        _link(unit, result, SuccessionKind.SPLIT, effective_date, reason)
    record(
        actor=actor,
        action=AuditAction.SPLIT,
        instance=unit,
        changes={"successors": [None, [result.name for result in results]]},
        reason=reason,
        unit=unit,
    )
    return results


@transaction.atomic
def unit_succession_add(
    *,
    actor: ActorOrSystem,
    predecessor: Unit,
    successor: Unit,
    kind: str,
    effective_date: datetime.date,
    reason: str = "",
) -> bool:
    """Record that ``successor`` carries on ``predecessor``; returns False when the link existed already."""
    if predecessor.pk == successor.pk:
        raise ServiceError(_("Một đơn vị không thể kế thừa chính nó."))
    if kind not in SuccessionKind.values:
        raise ServiceError(_("Hình thức kế thừa không hợp lệ."))
    _succession, created = UnitSuccession.objects.get_or_create(
        predecessor=predecessor,
        successor=successor,
        defaults={"kind": kind, "effective_date": effective_date, "note": reason[:500]},
    )
    if created:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=successor,
            changes={"predecessors": [None, [predecessor.name]]},
            reason=reason,
            unit=successor,
        )
    return created


@transaction.atomic
def unit_delete(*, actor: ActorOrSystem, unit: Unit, reason: str = "") -> None:
    """Delete a unit entered by mistake; units with history are closed instead."""
    if Unit.objects.filter(parent=unit).exists():
        raise ServiceError(_("Không thể xóa đơn vị còn đơn vị trực thuộc."))
    if unit.memberships.exists() or unit.role_assignments.exists():  # type: ignore[attr-defined]
        raise ServiceError(_("Không thể xóa đơn vị còn người dùng hoặc phân quyền; hãy kết thúc hiệu lực thay vì xóa."))
    if (
        UnitSuccession.objects.filter(predecessor=unit).exists()
        or UnitSuccession.objects.filter(successor=unit).exists()
    ):
        raise ServiceError(_("Không thể xóa đơn vị có lịch sử hợp nhất, chia tách; hãy kết thúc hiệu lực thay vì xóa."))
    record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=unit,
        changes=diff(snapshot(unit, UNIT_AUDIT_FIELDS), {}),
        reason=reason,
        unit=unit.parent,
    )
    unit.delete()


@transaction.atomic
def membership_set(
    *,
    actor: ActorOrSystem,
    user: User,
    unit: Unit,
    position: str = "",
    is_head: bool = False,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    reason: str = "",
) -> Membership:
    """Create or update the membership of ``user`` in ``unit``."""
    if valid_from and valid_to and valid_to < valid_from:
        raise ServiceError(_("Ngày kết thúc phải sau ngày bắt đầu."), field="valid_to")
    membership = Membership.objects.filter(user=user, unit=unit).first()
    before = snapshot(membership, MEMBERSHIP_AUDIT_FIELDS) if membership else {}
    if membership is None:
        membership = Membership(user=user, unit=unit)
    membership.position = normalize(position)
    membership.is_head = is_head
    membership.valid_from = valid_from
    membership.valid_to = valid_to
    membership.save()
    changes = diff(before, snapshot(membership, MEMBERSHIP_AUDIT_FIELDS))
    if changes:
        action = AuditAction.UPDATE if before else AuditAction.CREATE
        record(actor=actor, action=action, instance=membership, changes=changes, reason=reason, unit=unit)
    return membership


@transaction.atomic
def membership_delete(*, actor: ActorOrSystem, membership: Membership, reason: str = "") -> None:
    record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=membership,
        changes=diff(snapshot(membership, MEMBERSHIP_AUDIT_FIELDS), {}),
        reason=reason,
        unit=membership.unit,
    )
    membership.delete()


@transaction.atomic
def units_bulk_insert(
    *, actor: ActorOrSystem, rows: Iterable[tuple[UnitData, str | None]], reason: str = ""
) -> list[Unit]:
    """Create many units in a handful of queries (national-size loads and imports).

    Each row is a unit's data and its parent's code (``None`` for a root); the
    parent is an existing unit or an earlier row. Rows are checked as in
    :func:`unit_create`; any bad row raises ``ServiceError`` and nothing is
    written. Units are inserted one tree level at a time with temporary paths,
    then given their real paths once their primary keys are known; one audit
    entry per unit is written in bulk.
    """
    cleaned = [(_clean(data), normalize(parent_code) or None) for data, parent_code in rows]
    seen: dict[str, int] = {}
    for index, (data, _parent_code) in enumerate(cleaned):
        if data.code in seen:
            raise ServiceError(_("Mã đơn vị “%(code)s” bị trùng trong danh sách.") % {"code": data.code}, field="code")
        seen[data.code] = index
    codes = list(seen)
    chunk = 500
    taken = [
        code
        for start in range(0, len(codes), chunk)
        for code in Unit.objects.filter(code__in=codes[start : start + chunk]).values_list("code", flat=True)
    ]
    if taken:
        raise ServiceError(_("Mã đơn vị “%(code)s” đã được dùng cho đơn vị khác.") % {"code": taken[0]}, field="code")
    outside = sorted({code for _data, code in cleaned if code is not None and code not in seen})
    parents: dict[str, Unit] = {}
    for start in range(0, len(outside), chunk):
        parents.update((unit.code, unit) for unit in Unit.objects.filter(code__in=outside[start : start + chunk]))
    levels: list[list[tuple[UnitData, str | None]]] = []
    level_of: dict[str, int] = {}
    for data, parent_code in cleaned:
        if parent_code is None or parent_code in parents:
            level = 0
        elif parent_code in level_of:
            level = level_of[parent_code] + 1
        else:
            raise ServiceError(
                _("Không tìm thấy đơn vị cấp trên có mã “%(code)s”.") % {"code": parent_code}, field="parent"
            )
        level_of[data.code] = level
        if level == len(levels):
            levels.append([])
        levels[level].append((data, parent_code))
    created: list[Unit] = []
    for level_rows in levels:
        batch = []
        for data, parent_code in level_rows:
            parent = parents.get(parent_code) if parent_code else None
            batch.append(
                Unit(
                    name=data.name,
                    short_name=data.short_name,
                    code=data.code,
                    kind=data.kind,
                    subtype=data.subtype,
                    parent=parent,
                    valid_from=data.valid_from,
                    valid_to=data.valid_to,
                    search_key=search_key(f"{data.name} {data.short_name} {data.code}"),
                    path=temporary_path(),
                    depth=(parent.depth + 1) if parent else 0,
                )
            )
        try:
            Unit.objects.bulk_create(batch, batch_size=chunk)
        except IntegrityError as exc:
            raise ServiceError(_("Không lưu được đơn vị: dữ liệu trùng hoặc không hợp lệ.")) from exc
        for unit in batch:
            unit.path = path_for(unit, unit.parent)
            parents[unit.code] = unit
        Unit.objects.bulk_update(batch, ["path"], batch_size=chunk)
        created.extend(batch)
    record_created(
        actor=actor,
        instances=created,
        fields=UNIT_AUDIT_FIELDS,
        reason=reason,
        unit_of=lambda unit: unit,
        batch_size=chunk,
    )
    return created


def rebuild_paths() -> int:
    """Recompute every path and depth from the parent links (repair tool; returns the number changed)."""
    units = {unit.pk: unit for unit in Unit.objects.only("pk", "parent_id", "path", "depth")}
    children: dict[int | None, list[int]] = {}
    for unit in units.values():
        children.setdefault(unit.parent_id, []).append(unit.pk)
    changed: list[Unit] = []
    stack: list[tuple[int, str, int]] = [(pk, "", 0) for pk in children.get(None, [])]
    while stack:
        pk, prefix, depth = stack.pop()
        unit = units[pk]
        path = prefix + encode_segment(pk)
        if unit.path != path or unit.depth != depth:
            unit.path, unit.depth = path, depth
            changed.append(unit)
        stack.extend((child, path, depth + 1) for child in children.get(pk, []))
    if changed:
        with transaction.atomic():
            # Clear first so that swapped paths never collide on the unique index.
            Unit.objects.filter(pk__in=[unit.pk for unit in changed]).update(
                path=Concat(Value("~"), F("id"), Value("~"), Length("path"))
            )
            Unit.objects.bulk_update(changed, ["path", "depth"], batch_size=1000)
    return len(changed)


__all__ = [
    "SEGMENT_WIDTH",
    "UnitData",
    "membership_delete",
    "membership_set",
    "rebuild_paths",
    "unit_create",
    "unit_delete",
    "unit_merge",
    "unit_move",
    "unit_split",
    "unit_succession_add",
    "unit_update",
    "units_bulk_insert",
]
