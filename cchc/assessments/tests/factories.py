"""Small builders of real rows for assessment tests: a framework tree, a round, assessments with scores.

They write with the ORM directly (no services), so tests of results, analysis
and documents do not depend on the workflow's rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cchc.assessments.models import Assessment, Round, Score, Stage
from cchc.frameworks.models import Criterion, CriterionCategory, Framework, RuleKind
from cchc.organisations.models import Unit, UnitKind


@dataclass(frozen=True)
class Node:
    """A criterion to create: children make it a parent; ``max_points`` of a parent is the sum if omitted."""

    code: str
    title: str
    max_points: Decimal | int | str | None = None
    children: Sequence[Node] = ()
    category: str = CriterionCategory.BASE
    rule_kind: str = RuleKind.MANUAL
    lead_unit: Unit | None = None

    def total(self) -> Decimal:
        if self.max_points is not None:
            return Decimal(str(self.max_points))
        return sum((child.total() for child in self.children), Decimal(0))


# A small framework on the 100-point scale, with a survey leaf, a bonus and a penalty.
SAMPLE_TREE: tuple[Node, ...] = (
    Node(
        "1",
        "Công tác chỉ đạo, điều hành cải cách hành chính",
        children=(
            Node(
                "1.1",
                "Kế hoạch cải cách hành chính năm",
                children=(
                    Node("1.1.1", "Ban hành kế hoạch cải cách hành chính năm", 10),
                    Node("1.1.2", "Mức độ thực hiện kế hoạch", 10),
                ),
            ),
            Node("1.2", "Báo cáo cải cách hành chính định kỳ", 20),
        ),
    ),
    Node(
        "2",
        "Cải cách thủ tục hành chính",
        children=(
            Node("2.1", "Tỷ lệ hồ sơ giải quyết đúng hạn", 30),
            Node("2.2", "Mức độ hài lòng của người dân", 30, rule_kind=RuleKind.SURVEY),
        ),
    ),
    Node(
        "3",
        "Điểm thưởng",
        category=CriterionCategory.BONUS,
        max_points=2,
        children=(Node("3.1", "Sáng kiến cải cách hành chính được công nhận", 2, category=CriterionCategory.BONUS),),
    ),
    Node(
        "4",
        "Điểm trừ",
        category=CriterionCategory.PENALTY,
        max_points=5,
        children=(Node("4.1", "Cán bộ vi phạm kỷ luật hành chính", 5, category=CriterionCategory.PENALTY),),
    ),
)


def build_framework(
    *,
    year: int = 2024,
    unit_kind: str = UnitKind.DEPARTMENT,
    name: str | None = None,
    tree: Sequence[Node] = SAMPLE_TREE,
    decision_reference: str = "Quyết định số 2211/QĐ-UBND ngày 31/8/2024",
) -> Framework:
    if name is None:
        name = f"Bộ tiêu chí {unit_kind} {year}"
        taken = Framework.objects.filter(year=year, unit_kind=unit_kind, name__startswith=name).count()
        name = f"{name} ({taken + 1})" if taken else name
    framework = Framework.objects.create(
        name=name,
        year=year,
        unit_kind=unit_kind,
        decision_reference=decision_reference,
    )
    position = 0

    def create(node: Node, parent: Criterion | None, depth: int) -> None:
        nonlocal position
        position += 1
        criterion = Criterion.objects.create(
            framework=framework,
            parent=parent,
            code=node.code,
            position=position,
            depth=depth,
            title=node.title,
            max_points=node.total(),
            category=node.category,
            rule_kind=node.rule_kind,
            lead_unit=node.lead_unit,
        )
        for child in node.children:
            create(child, criterion, depth + 1)

    for node in tree:
        create(node, None, 0)
    return framework


def leaves(framework: Framework) -> dict[str, Criterion]:
    """The framework's leaf criteria by code."""
    return {
        criterion.code: criterion for criterion in framework.criteria.filter(children__isnull=True).order_by("position")
    }


def build_round(
    *,
    organiser: Unit,
    year: int = 2024,
    frameworks: Sequence[Framework] = (),
    stage: str = Stage.PUBLISHED,
    previous: Round | None = None,
    **fields: Any,
) -> Round:
    name = fields.pop("name", None)
    if name is None:
        name = f"Chỉ số CCHC năm {year}"
        taken = Round.objects.filter(organiser=organiser, year=year, name__startswith=name).count()
        name = f"{name} ({taken + 1})" if taken else name
    round_ = Round.objects.create(
        name=name,
        year=year,
        organiser=organiser,
        stage=stage,
        previous_round=previous,
        **fields,
    )
    round_.frameworks.set(frameworks)
    return round_


def build_assessment(
    round_: Round,
    unit: Unit,
    framework: Framework,
    scores: Mapping[str, Decimal | float | str | None] | None = None,
    *,
    self_scores: Mapping[str, Decimal | float | str | None] | None = None,
    default: Decimal | int | str | None = "max",
) -> Assessment:
    """An assessment with one score row per leaf: ``scores`` by code; other leaves get ``default``.

    ``default="max"`` gives base and bonus leaves their max and penalties 0; ``None`` leaves them unscored.
    """
    assessment = Assessment.objects.create(round=round_, unit=unit, framework=framework)
    rows = []
    for code, criterion in leaves(framework).items():
        if scores is not None and code in scores:
            value = scores[code]
        elif default == "max":
            value = 0 if criterion.category == CriterionCategory.PENALTY else criterion.max_points
        else:
            value = default
        final = None if value is None else Decimal(str(value))
        own = (self_scores or {}).get(code, final)
        rows.append(
            Score(
                assessment=assessment,
                criterion=criterion,
                self_score=None if own is None else Decimal(str(own)),
                appraised_score=final,
                final_score=final,
            )
        )
    Score.objects.bulk_create(rows)
    return assessment
