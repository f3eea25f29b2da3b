"""Small builders for framework tests (real services, real database)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from cchc.organisations.models import Unit, UnitKind

from ..models import Criterion, Framework
from ..services import CriterionData, FrameworkData, criterion_create, framework_create

BANDS = {"bands": [{"min": 90, "points": 2}, {"min": 70, "points": 1}, {"min": 0, "points": 0}]}


def make_framework(
    owner: Unit | None, *, year: int = 2025, name: str = "Bộ tiêu chí sở 2025", scale: int = 10
) -> Framework:
    return framework_create(
        actor=None,
        data=FrameworkData(name=name, year=year, unit_kind=UnitKind.DEPARTMENT, owner=owner, scale=Decimal(scale)),
    )


def add(
    framework: Framework, code: str, title: str, points: Any, parent: Criterion | None = None, **extra: Any
) -> Criterion:
    return criterion_create(
        actor=None,
        framework=framework,
        parent=parent,
        data=CriterionData(code=code, title=title, max_points=Decimal(str(points)), **extra),
    )


def small_tree(owner: Unit | None, lead: Unit | None = None, **kwargs: Any) -> Framework:
    """Two areas worth 6 + 4 = 10 points with four leaves of different rule kinds."""
    framework = make_framework(owner, **kwargs)
    area1 = add(framework, "1", "Công tác chỉ đạo, điều hành CCHC", 6)
    add(
        framework,
        "1.1",
        "Ban hành kế hoạch CCHC năm",
        1,
        area1,
        rule_kind="timeliness",
        rule_params={"on_time": 1, "late": 0.5, "missing": 0},
        lead_unit=lead,
    )
    add(framework, "1.2", "Mức độ thực hiện kế hoạch CCHC", 5, area1, rule_kind="bands", rule_params=BANDS)
    area2 = add(framework, "2", "Cải cách thể chế", 4)
    add(framework, "2.1", "Rà soát văn bản quy phạm pháp luật", 2, area2, lead_unit=lead)
    add(framework, "2.2", "Kiểm tra việc thực hiện văn bản", 2, area2, rule_kind="yes_no", lead_unit=lead)
    return framework
