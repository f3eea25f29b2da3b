"""The PAR INDEX demo, loaded on 7 December 2026: the 2024 and 2025 rounds published with their history, the 2026
round in self-assessment with its deadline ahead; idempotent.

One total per unit: the compiled table, the stored results, the ranking page, the Excel exports and the Word
decision give the same points for every unit of the demo rounds.

Loading the demo takes long, so the module loads it once (province, frameworks, rounds) and each test works on it
inside its own transaction.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from cchc.accounts.models import User
from cchc.assessments import analysis, documents, selectors, services
from cchc.assessments.demo import load_demo
from cchc.assessments.models import Assessment, AssessmentStatus, Evidence, Explanation, Result, Round, Score, Stage
from cchc.audit.models import AuditEntry
from cchc.demo.loaders import load_province
from cchc.frameworks.demo import load_demo as load_frameworks_demo
from cchc.frameworks.models import RuleKind

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
TODAY = datetime.datetime(2026, 12, 7, 2, 0, tzinfo=datetime.UTC)  # 9:00 in Hà Nội
LAST_YEAR, THIS_YEAR = 2025, 2026


def _load_everything() -> None:
    load_province(password="cchc-demo-2025")
    load_frameworks_demo(stdout=io.StringIO())
    load_demo(stdout=io.StringIO())


@pytest.fixture(scope="module", autouse=True)
def demo(module_database: Callable[[Callable[[], object]], AbstractContextManager[None]]) -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False), module_database(_load_everything):
        yield


def _counts() -> tuple[int, ...]:
    models = (Round, Assessment, Score, Evidence, Explanation, Result, AuditEntry)
    return tuple(model.objects.count() for model in models)


def test_the_demo_shows_published_rounds_and_one_in_progress_and_loading_again_changes_nothing() -> None:
    last = Round.objects.get(year=LAST_YEAR)
    assert last.stage == Stage.PUBLISHED and last.approved_at is not None
    assert set(last.assessments.values_list("status", flat=True)) == {AssessmentStatus.APPROVED}
    assert Result.objects.filter(assessment__round=last).count() == last.assessments.count()
    assert Score.objects.filter(assessment__round=last, appraisal_reason__gt="").exists()
    assert Explanation.objects.filter(score__assessment__round=last).exists()
    assert not Score.objects.filter(assessment__round=last, final_score=None).exists()
    assert last.assessments.filter(is_late=True).exists()
    before_merger = Round.objects.get(year=2024)
    assert before_merger.stage == Stage.PUBLISHED and last.previous_round == before_merger
    assert before_merger.assessments.filter(unit__name="Thị trấn Đoan Hùng").exists()

    current = Round.objects.get(year=THIS_YEAR)
    assert current.stage == Stage.SELF_ASSESSMENT and current.previous_round == last
    assert current.self_assessment_deadline == datetime.date(2026, 12, 31)
    statuses = list(current.assessments.values_list("status", "is_late"))
    assert (AssessmentStatus.SUBMITTED, False) in statuses
    assert (AssessmentStatus.DRAFT, False) in statuses
    assert not current.assessments.filter(is_late=True).exists()
    own = current.assessments.get(unit__code="PT-STP")  # the demo focal point's unit stays open
    assert own.status == AssessmentStatus.DRAFT and own.scores.exclude(self_score=None).exists()

    before = _counts()
    load_frameworks_demo(stdout=io.StringIO())
    load_demo(stdout=io.StringIO())
    assert _counts() == before


def test_the_demo_enters_what_each_rule_asks_for_and_the_focal_point_sees_it_on_the_sheet() -> None:
    scored = Score.objects.filter(assessment__round__year=THIS_YEAR, self_score__isnull=False)
    choices = scored.filter(criterion__rule_kind__in=(RuleKind.YES_NO, RuleKind.TIMELINESS))
    rates = scored.filter(criterion__rule_kind__in=(RuleKind.BANDS, RuleKind.PROPORTIONAL))
    assert choices.exists() and rates.exists()
    assert not choices.filter(self_choice="").exists()  # a unit ticks a choice; the rule gives the points
    assert not rates.filter(self_value=None).exists()  # and types a rate for the rate rules

    own = Assessment.objects.get(round__year=THIS_YEAR, unit__code="PT-STP")
    client = Client()
    client.force_login(User.objects.get(username="daumoi"), backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("assessments:assessment_detail", args=[own.pk])).content.decode()
    assert re.search(r'<input type="radio" name="choice" value="[a-z_]+"[^>]*checked', page)
    assert "Điểm tự chấm hiện tại: <strong>" in page


def _publish_this_year(round_: Round) -> None:
    """Run the demo's open round to publication: close unsubmitted sheets, appraise every leaf, approve."""
    secretariat = User.objects.get(username="thuongtruc")
    appraiser = User.objects.get(username="thamdinh")
    council = User.objects.get(username="hoidong")
    for sheet in services.unsubmitted_sheets(round_):
        services.assessment_close_by_office(actor=secretariat, assessment=sheet, reason="Quá hạn")
    services.round_advance(actor=secretariat, round_=round_, to_stage=Stage.APPRAISAL)
    scores = Score.objects.filter(assessment__round=round_, appraised_score__isnull=True)
    for score in scores.select_related("criterion", "assessment__round", "assessment__unit"):
        if score.self_score is None:
            services.score_appraise(
                actor=appraiser, score=score, version=score.version, points=Decimal(0), reason="Không có số liệu"
            )
        else:
            services.score_appraise(actor=appraiser, score=score, version=score.version, accept=True)
    for stage in (Stage.EXPLANATION, Stage.COUNCIL):
        services.round_advance(actor=secretariat, round_=round_, to_stage=stage)
    services.round_approve(actor=council, round_=round_, reason="Biên bản")
    services.round_advance(actor=secretariat, round_=round_, to_stage=Stage.PUBLISHED)


def _decimal(value: object) -> Decimal:
    return Decimal(str(value).replace(",", ".")).quantize(CENT)


def test_every_unit_of_the_demo_rounds_has_one_total_in_the_table_results_ranking_exports_and_decision() -> None:
    current = Round.objects.get(year=THIS_YEAR)
    _publish_this_year(current)

    for round_ in Round.objects.all():
        assessments = Assessment.objects.filter(round=round_).select_related("unit")
        stored = {
            result.assessment_id: result.total_points for result in Result.objects.filter(assessment__round=round_)
        }
        assert len(stored) == assessments.count() > 0

        table = {
            row.assessment.pk: row.total
            for table in selectors.compiled_table(round_=round_, assessments=Assessment.objects.all())
            for row in table.rows
        }
        assert table == stored, round_.name

        groups = analysis.ranking(round_, with_changes=False)
        ranking = {row.assessment_id: row.total_points for group in groups for row in group.rows}
        assert ranking == stored

        names = {assessment.pk: assessment.unit.name for assessment in assessments}
        by_name = {names[pk]: total for pk, total in stored.items()}
        workbook = load_workbook(io.BytesIO(documents.ranking_xlsx(round_, groups)))
        exported = {}
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                if row and isinstance(row[0], int) and row[1] in by_name:
                    exported[row[1]] = _decimal(row[2])
        assert exported == by_name

        decision = Document(io.BytesIO(documents.decision_docx(round_, groups)))
        in_decision = {}
        for docx_table in decision.tables:
            for docx_row in docx_table.rows[1:]:
                cells = [cell.text for cell in docx_row.cells]
                if cells[1] in by_name:
                    in_decision[cells[1]] = _decimal(cells[2])
        assert in_decision == by_name

        for assessment in assessments:
            sheet = load_workbook(io.BytesIO(documents.scoring_sheet_xlsx(assessment))).worksheets[0]
            total_row = next(row for row in sheet.iter_rows(values_only=True) if row[1] == "TỔNG ĐIỂM ĐẠT")
            assert _decimal(total_row[5]) == stored[assessment.pk], assessment.unit.name
