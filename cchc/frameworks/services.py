"""Writes to criteria frameworks: frameworks, criteria, whole trees (import, samples) and copies.

Every function runs in one transaction, checks its rules, raises
:class:`ServiceError` with a Vietnamese message when one is broken (nothing is
written then) and records what it changed in the audit trail, against the
framework's owner unit so that the secretariat of that province sees it.

A framework used by a round that has left its draft stage is locked: nothing in
it may change any more (:func:`ensure_editable`), because units have already
scored against it.

Criteria positions always follow tree order (parents before their children,
siblings in the order of their codes, ``1.2`` before ``1.10``) and ``depth``
follows the parent; :func:`renumber` restores both after every change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.audit.models import AuditAction
from cchc.audit.services import diff, record, snapshot
from cchc.lib.errors import ServiceError
from cchc.lib.text import normalize
from cchc.lib.types import ActorOrSystem
from cchc.lib.validators import TITLE_MAX_LENGTH, check_text
from cchc.organisations.models import Unit, UnitKind

from . import scoring
from .models import Criterion, CriterionCategory, Framework, RuleKind

FRAMEWORK_FIELDS = ("name", "year", "unit_kind", "owner", "scale", "decision_reference", "is_sample", "notes")
CRITERION_FIELDS = (
    "code",
    "title",
    "max_points",
    "category",
    "scoring_guide",
    "evidence_requirement",
    "lead_unit",
    "rule_kind",
    "rule_params",
)
MAX_POINTS_LIMIT = Decimal("99999.99")
_CODE_PATTERN = re.compile(r"^[^\s]{1,20}$")


@dataclass
class FrameworkData:
    name: str
    year: int
    unit_kind: str
    owner: Unit | None = None
    scale: Decimal = Decimal(100)
    decision_reference: str = ""
    is_sample: bool = False
    notes: str = ""


@dataclass
class CriterionData:
    code: str
    title: str
    max_points: Decimal
    category: str = CriterionCategory.BASE
    scoring_guide: str = ""
    evidence_requirement: str = ""
    lead_unit: Unit | None = None
    rule_kind: str = RuleKind.MANUAL
    rule_params: dict[str, Any] = field(default_factory=dict)


@dataclass
class CriterionNode:
    """One criterion of a whole tree written at once (import, sample frameworks); children nested."""

    data: CriterionData
    children: list[CriterionNode] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Checks


def ensure_editable(framework: Framework) -> None:
    if framework.pk and framework.is_locked():
        raise ServiceError(
            _(
                "Bộ tiêu chí đang được dùng trong kỳ đánh giá đã bắt đầu nên không thể thay đổi. "
                "Hãy sao chép thành bộ mới nếu cần điều chỉnh."
            ),
            code="conflict",
        )


def _clean_framework(data: FrameworkData) -> FrameworkData:
    data.name = normalize(data.name)
    data.decision_reference = normalize(data.decision_reference)
    data.notes = (data.notes or "").strip()
    check_text(data.notes, field="notes")
    if not data.name:
        raise ServiceError(_("Hãy nhập tên bộ tiêu chí."), field="name")
    if len(data.name) > 300:
        raise ServiceError(_("Tên bộ tiêu chí dài quá 300 ký tự."), field="name")
    if not 2000 <= int(data.year) <= 2100:
        raise ServiceError(_("Năm đánh giá phải trong khoảng 2000–2100."), field="year")
    if data.unit_kind not in UnitKind.values:
        raise ServiceError(_("Loại đơn vị áp dụng không hợp lệ."), field="unit_kind")
    data.scale = _decimal(data.scale, field_name="scale")
    if data.scale <= 0:
        raise ServiceError(_("Thang điểm phải lớn hơn 0."), field="scale")
    return data


def _decimal(value: Any, *, field_name: str) -> Decimal:
    try:
        number = scoring.to_decimal(value)
    except ValueError:
        raise ServiceError(_("Giá trị “%(value)s” không phải là số.") % {"value": value}, field=field_name) from None
    if number < 0:
        raise ServiceError(_("Điểm không được âm."), field=field_name)
    if number > MAX_POINTS_LIMIT:
        raise ServiceError(_("Điểm quá lớn."), field=field_name)
    if number != number.quantize(Decimal("0.01")):
        raise ServiceError(_("Điểm chỉ được có tối đa 2 chữ số thập phân."), field=field_name)
    return number.quantize(Decimal("0.01"))


def _check_unique_name(data: FrameworkData, *, exclude: int | None = None) -> None:
    clash = Framework.objects.filter(owner=data.owner, year=data.year, unit_kind=data.unit_kind, name__iexact=data.name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ServiceError(
            _("Đã có bộ tiêu chí “%(name)s” năm %(year)s cho loại đơn vị này.")
            % {"name": data.name, "year": data.year},
            field="name",
        )


def clean_criterion(data: CriterionData, *, framework: Framework, leaf: bool = True) -> CriterionData:
    """Normalise and check one criterion on its own (the tree rules are checked by the callers)."""
    data.code = normalize(data.code).rstrip(".") or normalize(data.code)
    data.title = normalize(data.title)
    data.scoring_guide = (data.scoring_guide or "").strip()
    data.evidence_requirement = (data.evidence_requirement or "").strip()
    check_text(data.title, field="title", max_length=TITLE_MAX_LENGTH)
    check_text(data.scoring_guide, field="scoring_guide")
    check_text(data.evidence_requirement, field="evidence_requirement")
    if not data.code:
        raise ServiceError(_("Hãy nhập mã (STT) của tiêu chí."), field="code")
    if not _CODE_PATTERN.match(data.code):
        raise ServiceError(_("Mã tiêu chí tối đa 20 ký tự, không có dấu cách (ví dụ 1.2.3)."), field="code")
    if not data.title:
        raise ServiceError(_("Hãy nhập nội dung tiêu chí."), field="title")
    data.max_points = _decimal(data.max_points, field_name="max_points")
    if data.category not in CriterionCategory.values:
        raise ServiceError(_("Loại tiêu chí không hợp lệ."), field="category")
    if data.rule_kind not in RuleKind.values:
        raise ServiceError(_("Cách chấm không hợp lệ."), field="rule_kind")
    if leaf:
        errors = scoring.validate_params(data.rule_kind, data.rule_params, data.max_points)
        if errors:
            raise ServiceError(" ".join(errors), field="rule_params")
        data.rule_params = scoring.canonical_params(data.rule_kind, data.rule_params)
    owner = framework.owner
    if data.lead_unit is not None and owner is not None and not data.lead_unit.is_within(owner):
        raise ServiceError(
            _("Cơ quan chủ trì thẩm định phải thuộc %(owner)s.") % {"owner": owner.name}, field="lead_unit"
        )
    return data


def _check_category(data: CriterionData, parent: Criterion | None) -> None:
    if parent is not None and parent.category != CriterionCategory.BASE and data.category != parent.category:
        raise ServiceError(
            _("Tiêu chí thuộc mục “%(parent)s” phải cùng loại với mục đó (%(category)s).")
            % {"parent": parent.title[:80], "category": parent.get_category_display()},
            field="category",
        )


def _check_code_free(framework: Framework, code: str, *, exclude: int | None = None) -> None:
    clash = framework.criteria.filter(code=code)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ServiceError(_("Mã “%(code)s” đã có trong bộ tiêu chí này.") % {"code": code}, field="code")


# ---------------------------------------------------------------------------
# Tree order


def code_key(code: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key for codes: numbers by value (``1.2`` < ``1.10``), Roman numerals as numbers, then text."""
    parts = []
    for part in re.split(r"[.\-/]", code.strip().rstrip(".")):
        if part.isdigit():
            parts.append((0, int(part), ""))
        elif (roman := roman_value(part)) is not None:
            parts.append((0, roman, ""))
        else:
            parts.append((1, 0, part.casefold()))
    return tuple(parts)


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_value(text: str) -> int | None:
    """``"IV"`` → 4; ``None`` unless ``text`` is a well-formed Roman numeral up to 399."""
    text = text.strip().upper()
    if not text or any(ch not in _ROMAN for ch in text):
        return None
    total = 0
    for index, ch in enumerate(text):
        value = _ROMAN[ch]
        if index + 1 < len(text) and _ROMAN[text[index + 1]] > value:
            total -= value
        else:
            total += value
    if to_roman(total) != text:
        return None
    return total


def to_roman(number: int) -> str:
    out = ""
    for value, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV")):
        while number >= value:
            out += letters
            number -= value
    return out + "I" * number


def renumber(framework: Framework) -> None:
    """Give every criterion its tree-order position and its depth (one query to read, one to write)."""
    criteria = list(framework.criteria.all())
    children: dict[int | None, list[Criterion]] = {}
    for criterion in criteria:
        children.setdefault(criterion.parent_id, []).append(criterion)
    for siblings in children.values():
        siblings.sort(key=lambda c: (code_key(c.code), c.pk))
    changed: list[Criterion] = []
    position = 0
    stack: list[tuple[Criterion, int]] = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:
        criterion, depth = stack.pop()
        if criterion.position != position or criterion.depth != depth:
            criterion.position, criterion.depth = position, depth
            changed.append(criterion)
        position += 1
        stack.extend((child, depth + 1) for child in reversed(children.get(criterion.pk, [])))
    if changed:
        Criterion.objects.bulk_update(changed, ["position", "depth"], batch_size=500)


# ---------------------------------------------------------------------------
# Frameworks


@transaction.atomic
def framework_create(*, actor: ActorOrSystem, data: FrameworkData, reason: str = "") -> Framework:
    data = _clean_framework(data)
    _check_unique_name(data)
    framework = Framework.objects.create(
        name=data.name,
        year=data.year,
        unit_kind=data.unit_kind,
        owner=data.owner,
        scale=data.scale,
        decision_reference=data.decision_reference,
        is_sample=data.is_sample,
        notes=data.notes,
    )
    record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=framework,
        changes=diff({}, snapshot(framework, FRAMEWORK_FIELDS)),
        reason=reason,
        unit=framework.owner,
    )
    return framework


@transaction.atomic
def framework_update(*, actor: ActorOrSystem, framework: Framework, data: FrameworkData, reason: str = "") -> Framework:
    ensure_editable(framework)
    data = _clean_framework(data)
    _check_unique_name(data, exclude=framework.pk)
    before = snapshot(framework, FRAMEWORK_FIELDS)
    for name in FRAMEWORK_FIELDS:
        setattr(framework, name, getattr(data, name))
    framework.save()
    changes = diff(before, snapshot(framework, FRAMEWORK_FIELDS))
    if changes:
        record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=framework,
            changes=changes,
            reason=reason,
            unit=framework.owner,
        )
    return framework


@transaction.atomic
def framework_delete(*, actor: ActorOrSystem, framework: Framework, reason: str = "") -> None:
    if framework.rounds.exists() or framework.assessments.exists():
        raise ServiceError(
            _("Bộ tiêu chí đã được dùng trong kỳ đánh giá nên không thể xóa."),
            code="conflict",
        )
    record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=framework,
        changes=diff(snapshot(framework, FRAMEWORK_FIELDS), {}),
        reason=reason,
        unit=framework.owner,
    )
    framework.delete()


@transaction.atomic
def framework_clone(
    *,
    actor: ActorOrSystem,
    framework: Framework,
    year: int,
    name: str,
    owner: Unit | bool | None = False,
    reason: str = "",
) -> Framework:
    """A deep copy of the framework and its whole tree for another year (``based_on`` points back)."""
    copy = framework_create(
        actor=actor,
        data=FrameworkData(
            name=name,
            year=year,
            unit_kind=framework.unit_kind,
            owner=framework.owner,
            scale=framework.scale,
            decision_reference="",
            is_sample=framework.is_sample,
            notes=framework.notes,
        ),
        reason=reason or _("Sao chép từ “%(name)s”.") % {"name": str(framework)},
    )
    copy.based_on = framework
    copy.save(update_fields=["based_on"])
    new_ids: dict[int, Criterion] = {}
    for criterion in framework.criteria.order_by("position", "pk"):
        new_ids[criterion.pk] = Criterion.objects.create(
            framework=copy,
            parent=new_ids[criterion.parent_id] if criterion.parent_id else None,
            code=criterion.code,
            position=criterion.position,
            depth=criterion.depth,
            title=criterion.title,
            max_points=criterion.max_points,
            category=criterion.category,
            scoring_guide=criterion.scoring_guide,
            evidence_requirement=criterion.evidence_requirement,
            lead_unit=criterion.lead_unit,
            rule_kind=criterion.rule_kind,
            rule_params=criterion.rule_params,
        )
    renumber(copy)
    return copy


# ---------------------------------------------------------------------------
# Criteria one by one


def _record_criterion(
    actor: ActorOrSystem, action: str, criterion: Criterion, changes: dict[str, Any], reason: str
) -> None:
    record(
        actor=actor,
        action=action,
        instance=criterion,
        changes=changes,
        reason=reason,
        unit=criterion.framework.owner,
    )


@transaction.atomic
def criterion_create(
    *, actor: ActorOrSystem, framework: Framework, parent: Criterion | None, data: CriterionData, reason: str = ""
) -> Criterion:
    ensure_editable(framework)
    if parent is not None and parent.framework_id != framework.pk:
        raise ServiceError(_("Tiêu chí cấp trên không thuộc bộ tiêu chí này."), field="parent")
    data = clean_criterion(data, framework=framework)
    _check_category(data, parent)
    _check_code_free(framework, data.code)
    criterion = Criterion.objects.create(
        framework=framework,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        position=0,
        **{name: getattr(data, name) for name in CRITERION_FIELDS},
    )
    renumber(framework)
    criterion.refresh_from_db()
    _record_criterion(actor, AuditAction.CREATE, criterion, diff({}, snapshot(criterion, CRITERION_FIELDS)), reason)
    return criterion


@transaction.atomic
def criterion_update(*, actor: ActorOrSystem, criterion: Criterion, data: CriterionData, reason: str = "") -> Criterion:
    framework = criterion.framework
    ensure_editable(framework)
    is_leaf = not criterion.children.exists()
    data = clean_criterion(data, framework=framework, leaf=is_leaf)
    _check_category(data, criterion.parent)
    if not is_leaf and data.category != criterion.category:
        raise ServiceError(
            _("Không thể đổi loại của mục đã có tiêu chí con; hãy đổi từng tiêu chí con trước."), field="category"
        )
    _check_code_free(framework, data.code, exclude=criterion.pk)
    before = snapshot(criterion, CRITERION_FIELDS)
    for name in CRITERION_FIELDS:
        setattr(criterion, name, getattr(data, name))
    criterion.save()
    if before["code"] != criterion.code:
        renumber(framework)
        criterion.refresh_from_db()
    changes = diff(before, snapshot(criterion, CRITERION_FIELDS))
    if changes:
        _record_criterion(actor, AuditAction.UPDATE, criterion, changes, reason)
    return criterion


def subtree_ids(criterion: Criterion) -> list[int]:
    """The criterion and every criterion below it."""
    rows = list(criterion.framework.criteria.values_list("pk", "parent_id"))
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in rows:
        children.setdefault(parent_id, []).append(pk)
    result, stack = [], [criterion.pk]
    while stack:
        pk = stack.pop()
        result.append(pk)
        stack.extend(children.get(pk, []))
    return result


@transaction.atomic
def criterion_delete(*, actor: ActorOrSystem, criterion: Criterion, reason: str = "") -> int:
    """Delete the criterion with everything below it; returns how many criteria went."""
    framework = criterion.framework
    ensure_editable(framework)
    ids = subtree_ids(criterion)
    if Criterion.objects.filter(pk__in=ids, scores__isnull=False).exists():
        raise ServiceError(
            _("Tiêu chí đã có điểm chấm của đơn vị nên không thể xóa."),
            code="conflict",
        )
    _record_criterion(
        actor,
        AuditAction.DELETE,
        criterion,
        {**diff(snapshot(criterion, CRITERION_FIELDS), {}), "subtree": [len(ids), 0]},
        reason,
    )
    Criterion.objects.filter(pk__in=ids).delete()
    renumber(framework)
    return len(ids)


# ---------------------------------------------------------------------------
# Whole trees


def _flatten(nodes: Sequence[CriterionNode]) -> Iterable[tuple[CriterionNode, CriterionNode | None]]:
    stack: list[tuple[CriterionNode, CriterionNode | None]] = [(node, None) for node in reversed(nodes)]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        stack.extend((child, node) for child in reversed(node.children))


@transaction.atomic
def criteria_replace(
    *, actor: ActorOrSystem, framework: Framework, nodes: Sequence[CriterionNode], reason: str = "", action: str = ""
) -> int:
    """Replace every criterion of the framework with the tree ``nodes`` (import, sample frameworks)."""
    ensure_editable(framework)
    if framework.criteria.filter(scores__isnull=False).exists():
        raise ServiceError(
            _("Bộ tiêu chí đã có điểm chấm của đơn vị nên không thể thay toàn bộ tiêu chí."), code="conflict"
        )
    seen: set[str] = set()
    flat = list(_flatten(nodes))
    for node, parent in flat:
        node.data = clean_criterion(node.data, framework=framework, leaf=not node.children)
        if node.data.code in seen:
            raise ServiceError(_("Mã “%(code)s” bị trùng.") % {"code": node.data.code}, field="code")
        seen.add(node.data.code)
        if (
            parent is not None
            and parent.data.category != CriterionCategory.BASE
            and node.data.category != parent.data.category
        ):
            raise ServiceError(
                _("Tiêu chí %(code)s phải cùng loại với mục %(parent)s.")
                % {"code": node.data.code, "parent": parent.data.code},
                field="category",
            )
    before = framework.criteria.count()
    framework.criteria.all().delete()
    created: dict[int, Criterion] = {}
    for node, parent in flat:
        created[id(node)] = Criterion.objects.create(
            framework=framework,
            parent=created[id(parent)] if parent is not None else None,
            depth=created[id(parent)].depth + 1 if parent is not None else 0,
            position=0,
            **{name: getattr(node.data, name) for name in CRITERION_FIELDS},
        )
    renumber(framework)
    record(
        actor=actor,
        action=action or AuditAction.IMPORT,
        instance=framework,
        changes={"criteria": [before, len(flat)]},
        reason=reason,
        unit=framework.owner,
    )
    return len(flat)
