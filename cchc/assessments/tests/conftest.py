"""A small PAR INDEX round on the shared personas, built through the workflow's own services.

Frameworks (one for departments, one for communes), each::

    1   Công tác chỉ đạo, điều hành       (led by Sở Nội vụ, where the appraiser works)
        1.1  manual, max 2
        1.2  manual, max 3, step 0.5
    2   Cải cách thể chế
        2.1  manual, max 5                 (led by Sở Tư pháp = unit A: the appraiser does not lead it)
        2.2  from an indicator, max 4      (proportional to a 100 % target)

The round runs for unit A (a department) and unit B (a commune) and starts in the self-assessment stage.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from cchc.accounts.models import Role, RoleAssignment, User
from cchc.assessments import services
from cchc.assessments.models import Assessment, Round, Score, Stage
from cchc.frameworks.models import Criterion, Framework, RuleKind
from cchc.organisations.models import Membership, Unit, UnitKind
from cchc.testing.personas import Personas

INDICATOR = "tasks.on_time_rate"


def build_framework(*, kind: str, year: int, home_affairs: Unit, justice: Unit) -> Framework:
    framework = Framework.objects.create(name=f"Bộ tiêu chí {kind} {year}", year=year, unit_kind=kind)
    positions = iter(range(1, 100))

    def node(code: str, title: str, points: int, parent: Criterion | None, lead: Unit, **rule: object) -> Criterion:
        return Criterion.objects.create(
            framework=framework,
            parent=parent,
            code=code,
            position=next(positions),
            depth=code.count("."),
            title=title,
            max_points=Decimal(points),
            lead_unit=lead,
            **rule,  # type: ignore[arg-type]
        )

    area1 = node("1", "Công tác chỉ đạo, điều hành", 5, None, home_affairs)
    node("1.1", "Ban hành kế hoạch cải cách hành chính năm", 2, area1, home_affairs)
    node("1.2", "Báo cáo cải cách hành chính định kỳ", 3, area1, home_affairs, rule_params={"step": "0.5"})
    area2 = node("2", "Cải cách thể chế", 9, None, justice)
    node("2.1", "Rà soát văn bản quy phạm pháp luật", 5, area2, justice)
    node(
        "2.2",
        "Tỷ lệ nhiệm vụ hoàn thành đúng hạn",
        4,
        area2,
        justice,
        rule_kind=RuleKind.INDICATOR,
        rule_params={"indicator": INDICATOR, "method": "proportional", "target": 100},
    )
    return framework


@dataclass
class Workflow:
    personas: Personas
    round: Round
    a: Assessment
    b: Assessment
    council: User

    def score(self, assessment: Assessment, code: str) -> Score:
        return Score.objects.select_related("criterion", "assessment__round", "assessment__unit").get(
            assessment=assessment, criterion__code=code
        )

    def refresh(self) -> None:
        self.round.refresh_from_db()
        self.a.refresh_from_db()
        self.b.refresh_from_db()


def add_council_member(personas: Personas) -> User:
    user = User.objects.create(username="hoidong", password=personas.admin.password, full_name="Đỗ Thị Hội Đồng")
    Membership.objects.create(user=user, unit=personas.home_affairs)
    RoleAssignment.objects.create(user=user, role=Role.COUNCIL, scope=personas.province)
    return user


def build_workflow(
    personas: Personas, *, stage: str = Stage.SELF_ASSESSMENT, year: int = 2025, extend_b: bool = True
) -> Workflow:
    frameworks = [
        build_framework(kind=kind, year=year, home_affairs=personas.home_affairs, justice=personas.unit_a)
        for kind in (UnitKind.DEPARTMENT, UnitKind.COMMUNE)
    ]
    today = datetime.date.today()
    round_ = services.round_create(
        actor=personas.secretariat,
        data=services.RoundData(
            name=f"Chỉ số CCHC năm {year}",
            year=year,
            self_assessment_deadline=today + datetime.timedelta(days=10),
            appraisal_deadline=today + datetime.timedelta(days=20),
            explanation_deadline=today + datetime.timedelta(days=30),
        ),
        organiser=personas.province,
        frameworks=frameworks,
        units=[personas.unit_a, personas.unit_b],
    )
    if stage != Stage.DRAFT:
        services.round_advance(actor=personas.secretariat, round_=round_, to_stage=Stage.SELF_ASSESSMENT)
        round_.refresh_from_db()
    b = Assessment.objects.get(round=round_, unit=personas.unit_b)
    if stage != Stage.DRAFT and extend_b:
        # Tests move the round to appraisal with unit B still self-assessing; the secretariat must decide on
        # every unit that has not submitted, and has given B until its own deadline.
        services.assessment_extend_deadline(
            actor=personas.secretariat, assessment=b, deadline=today + datetime.timedelta(days=15), reason="Gia hạn"
        )
        b.refresh_from_db()
    return Workflow(
        personas=personas,
        round=round_,
        a=Assessment.objects.get(round=round_, unit=personas.unit_a),
        b=b,
        council=add_council_member(personas),
    )


@pytest.fixture
def wf(personas: Personas) -> Workflow:
    return build_workflow(personas)


def self_assess_all(wf: Workflow, assessment: Assessment, user: User, points: str = "max") -> None:
    """Score every manual leaf (at max, or ``points``) with a written reason for having no evidence."""
    for score in assessment.scores.select_related("criterion", "assessment__round", "assessment__unit"):
        if services.is_auto(score.criterion):
            continue
        value = score.criterion.max_points if points == "max" else Decimal(points)
        services.score_self_set(
            actor=user, score=score, points=value, no_evidence_reason="Văn bản lưu tại đơn vị, chưa số hóa"
        )
