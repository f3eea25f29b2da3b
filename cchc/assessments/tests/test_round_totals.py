"""One total per unit: the compiled table, the stored results, the ranking page, the Excel exports and the Word
decision give the same points for every unit of the demo rounds."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from cchc.accounts.models import User
from cchc.assessments import analysis, documents, selectors, services
from cchc.assessments.demo import load_demo
from cchc.assessments.models import Assessment, Result, Round, Score, Stage
from cchc.demo.loaders import load_province
from cchc.frameworks.demo import load_demo as load_frameworks_demo

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")


def _publish_this_year(round_: Round) -> None:
    """Run the demo's open round to publication: close unsubmitted sheets, appraise every leaf, approve."""
    secretariat = User.objects.get(username="thuongtruc")
    appraiser = User.objects.get(username="thamdinh")
    council = User.objects.get(username="hoidong")
    for sheet in services.unsubmitted_sheets(round_):
        services.assessment_close_by_office(actor=secretariat, assessment=sheet, reason="Quá hạn")
    services.round_advance(actor=secretariat, round=round_, to_stage=Stage.APPRAISAL)
    scores = Score.objects.filter(assessment__round=round_, appraised_score__isnull=True)
    for score in scores.select_related("criterion", "assessment__round", "assessment__unit"):
        if score.self_score is None:
            services.score_appraise(
                actor=appraiser, score=score, version=score.version, points=Decimal(0), reason="Không có số liệu"
            )
        else:
            services.score_appraise(actor=appraiser, score=score, version=score.version, accept=True)
    for stage in (Stage.EXPLANATION, Stage.COUNCIL):
        services.round_advance(actor=secretariat, round=round_, to_stage=stage)
    services.round_approve(actor=council, round=round_, reason="Biên bản")
    services.round_advance(actor=secretariat, round=round_, to_stage=Stage.PUBLISHED)


def _decimal(value: object) -> Decimal:
    return Decimal(str(value).replace(",", ".")).quantize(CENT)


def test_every_unit_of_the_demo_rounds_has_one_total_in_the_table_results_ranking_exports_and_decision() -> None:
    load_province(password="cchc-demo-2025")
    load_frameworks_demo(stdout=io.StringIO())
    load_demo(stdout=io.StringIO())
    current = Round.objects.get(year=2025)
    _publish_this_year(current)

    for round_ in Round.objects.all():
        assessments = Assessment.objects.filter(round=round_).select_related("unit")
        stored = {
            result.assessment_id: result.total_points for result in Result.objects.filter(assessment__round=round_)
        }
        assert len(stored) == assessments.count() > 0

        table = {
            row.assessment.pk: row.total
            for table in selectors.compiled_table(round=round_, assessments=Assessment.objects.all())
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
