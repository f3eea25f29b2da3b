"""Reads of criteria frameworks: the tree in order, its validation problems, and the differences between two."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from . import scoring
from .models import Criterion, CriterionCategory, Framework

ERROR = "error"
WARNING = "warning"


def criteria_in_order(framework: Framework) -> QuerySet[Criterion]:
    return framework.criteria.select_related("lead_unit").order_by("position", "pk")


@dataclass
class TreeRow:
    """A criterion with what the tree page shows beside it."""

    criterion: Criterion
    is_leaf: bool
    rule_text: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_error(self) -> bool:
        return any(problem.severity == ERROR for problem in self.problems)


def tree_rows(framework: Framework, problems: Sequence[Problem] = ()) -> list[TreeRow]:
    """The whole tree in order, in one query, with each row's rule text and problems."""
    criteria = list(criteria_in_order(framework))
    parents = {criterion.parent_id for criterion in criteria if criterion.parent_id}
    by_criterion: dict[int | None, list[Problem]] = {}
    for problem in problems:
        by_criterion.setdefault(problem.criterion_id, []).append(problem)
    rows = []
    for criterion in criteria:
        is_leaf = criterion.pk not in parents
        rule_text = (
            scoring.describe(criterion.rule_kind, criterion.rule_params, criterion.max_points) if is_leaf else ""
        )
        rows.append(TreeRow(criterion, is_leaf, rule_text, by_criterion.get(criterion.pk, [])))
    return rows


def criterion_of(framework: Framework, criterion_id: Any) -> Criterion:
    try:
        pk = int(criterion_id)
    except (TypeError, ValueError):
        raise Http404 from None
    criterion = framework.criteria.select_related("framework__owner", "parent", "lead_unit").filter(pk=pk).first()
    if criterion is None:
        raise Http404
    return criterion


def totals(framework: Framework) -> dict[str, Decimal]:
    """Sum of the top-level maxima per category (base, bonus, penalty)."""
    result = {category: Decimal(0) for category in CriterionCategory.values}
    for category, points in framework.criteria.filter(parent__isnull=True).values_list("category", "max_points"):
        result[category] += points
    return result


# ---------------------------------------------------------------------------
# Validation


@dataclass(frozen=True)
class Problem:
    severity: str  # ERROR or WARNING
    message: str
    code: str = ""
    criterion_id: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def _points(value: Decimal) -> str:
    return scoring.format_number(value)


def framework_validate(framework: Framework) -> list[Problem]:
    """Everything wrong with the framework (errors) or worth a second look (warnings), in tree order.

    Errors: a parent's maximum differs from the sum of its children's (of the
    parent's category); the base total differs from the scale; a code is used
    twice; a leaf's rule cannot be evaluated; a base criterion sits under a bonus
    or penalty section. Warnings: a leaf without a lead unit; a code that does
    not continue its parent's code; a leaf worth 0 points.
    """
    criteria = list(criteria_in_order(framework))
    problems: list[Problem] = []
    if not criteria:
        return [Problem(ERROR, _("Bộ tiêu chí chưa có tiêu chí nào."))]
    children: dict[int | None, list[Criterion]] = {}
    by_id = {criterion.pk: criterion for criterion in criteria}
    for criterion in criteria:
        children.setdefault(criterion.parent_id, []).append(criterion)
    codes: dict[str, Criterion] = {}
    for criterion in criteria:

        def add(severity: str, message: str, criterion: Criterion = criterion) -> None:
            problems.append(Problem(severity, message, criterion.code, criterion.pk))

        first = codes.setdefault(criterion.code, criterion)
        if first is not criterion:
            add(ERROR, _("Mã “%(code)s” bị trùng.") % {"code": criterion.code})
        parent = by_id.get(criterion.parent_id) if criterion.parent_id else None
        if parent is not None:
            if parent.category != CriterionCategory.BASE and criterion.category != parent.category:
                add(
                    ERROR,
                    _("Tiêu chí phải cùng loại với mục cấp trên (%(category)s).")
                    % {"category": parent.get_category_display()},
                )
            if not criterion.code.startswith(parent.code.rstrip(".") + "."):
                add(
                    WARNING,
                    _("Mã “%(code)s” không bắt đầu bằng mã cấp trên “%(parent)s.”.")
                    % {"code": criterion.code, "parent": parent.code.rstrip(".")},
                )
        kids = children.get(criterion.pk, [])
        if kids:
            counted = [kid for kid in kids if kid.category == criterion.category]
            total = sum((kid.max_points for kid in counted), Decimal(0))
            if total != criterion.max_points:
                add(
                    ERROR,
                    _("Điểm tối đa %(max)s khác tổng điểm các tiêu chí con (%(sum)s).")
                    % {"max": _points(criterion.max_points), "sum": _points(total)},
                )
            continue
        for message in scoring.validate_params(criterion.rule_kind, criterion.rule_params, criterion.max_points):
            add(ERROR, _("Cách chấm: %(message)s") % {"message": message})
        if criterion.lead_unit_id is None:
            add(WARNING, _("Chưa có cơ quan chủ trì thẩm định."))
        if criterion.max_points == 0:
            add(WARNING, _("Tiêu chí có điểm tối đa bằng 0."))
    base_total = sum((c.max_points for c in children.get(None, []) if c.category == CriterionCategory.BASE), Decimal(0))
    if base_total != framework.scale:
        problems.insert(
            0,
            Problem(
                ERROR,
                _("Tổng điểm tối đa các lĩnh vực là %(total)s, khác thang điểm %(scale)s.")
                % {"total": _points(base_total), "scale": _points(framework.scale)},
            ),
        )
    return problems


# ---------------------------------------------------------------------------
# Differences between two frameworks


@dataclass(frozen=True)
class Difference:
    """One criterion that differs, matched by code: ``kind`` is added, removed or changed."""

    kind: str
    code: str
    title: str
    changes: tuple[tuple[str, str, str], ...] = ()  # (label, old, new)


ADDED, REMOVED, CHANGED = "added", "removed", "changed"


def _comparable(criterion: Criterion) -> dict[str, str]:
    return {
        "title": criterion.title,
        "max_points": _points(criterion.max_points),
        "category": str(criterion.get_category_display()),
        "rule": scoring.describe(criterion.rule_kind, criterion.rule_params, criterion.max_points)
        if not criterion.has_children  # type: ignore[attr-defined]
        else "",
        "lead_unit": criterion.lead_unit.name if criterion.lead_unit else "",
        "parent": criterion.parent_code,  # type: ignore[attr-defined]
    }


def _labels() -> dict[str, str]:
    return {
        "title": _("Nội dung"),
        "max_points": _("Điểm tối đa"),
        "category": _("Loại"),
        "rule": _("Cách chấm"),
        "lead_unit": _("Cơ quan chủ trì thẩm định"),
        "parent": _("Mục cấp trên"),
    }


def _annotated(framework: Framework) -> list[Criterion]:
    criteria = list(criteria_in_order(framework))
    codes = {criterion.pk: criterion.code for criterion in criteria}
    parents = {criterion.parent_id for criterion in criteria}
    for criterion in criteria:
        criterion.has_children = criterion.pk in parents  # type: ignore[attr-defined]
        criterion.parent_code = codes.get(criterion.parent_id, "") if criterion.parent_id else ""  # type: ignore[attr-defined]
    return criteria


def framework_diff(old: Framework, new: Framework) -> list[Difference]:
    """How ``new`` differs from ``old``, criterion by criterion (matched by code), in ``new``'s order."""
    old_criteria = {criterion.code: criterion for criterion in _annotated(old)}
    new_criteria = _annotated(new)
    labels = _labels()
    result: list[Difference] = []
    for criterion in new_criteria:
        before = old_criteria.get(criterion.code)
        if before is None:
            result.append(Difference(ADDED, criterion.code, criterion.title))
            continue
        old_values, new_values = _comparable(before), _comparable(criterion)
        changes = tuple(
            (labels[key], old_values[key], new_values[key]) for key in labels if old_values[key] != new_values[key]
        )
        if changes:
            result.append(Difference(CHANGED, criterion.code, criterion.title, changes))
    new_codes = {criterion.code for criterion in new_criteria}
    result.extend(
        Difference(REMOVED, code, criterion.title) for code, criterion in old_criteria.items() if code not in new_codes
    )
    return result
