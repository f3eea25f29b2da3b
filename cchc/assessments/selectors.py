"""Reads for the PAR INDEX workflow: a unit's sheet, progress, the appraisal worklist, the compiled table, history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from cchc.audit.models import AuditEntry
from cchc.audit.selectors import history_for
from cchc.frameworks.models import Criterion, Framework
from cchc.lib.text import sort_key

from .models import Assessment, AssessmentStatus, Evidence, Round, RuleChoice, Score
from .services import AUTO_RULE_KINDS, format_points, is_auto, score_is_done

# Labels of the keys a score's audit entries carry.
HISTORY_LABELS = {
    "self_score": gettext_lazy("Điểm tự chấm"),
    "self_note": gettext_lazy("Thuyết minh của đơn vị"),
    "no_evidence_reason": gettext_lazy("Giải thích khi không có tài liệu kiểm chứng"),
    "computed_value": gettext_lazy("Giá trị tự động"),
    "computed_source": gettext_lazy("Nguồn giá trị tự động"),
    "self_value": gettext_lazy("Tỷ lệ đơn vị kê khai (%)"),
    "self_choice": gettext_lazy("Lựa chọn đơn vị kê khai"),
    "appraised_score": gettext_lazy("Điểm thẩm định"),
    "appraised_value": gettext_lazy("Tỷ lệ thẩm định (%)"),
    "appraised_choice": gettext_lazy("Lựa chọn thẩm định"),
    "appraisal_reason": gettext_lazy("Lý do điều chỉnh"),
    "final_score": gettext_lazy("Điểm đạt"),
    "explanation": gettext_lazy("Giải trình"),
    "proposed_score": gettext_lazy("Điểm đề nghị"),
}


def current_points(score: Score) -> Decimal | None:
    """The score that counts now: final, else appraised, else self."""
    for value in (score.final_score, score.appraised_score, score.self_score):
        if value is not None:
            return value
    return None


@dataclass
class SheetRow:
    criterion: Criterion
    score: Score | None = None
    evidence_count: int = 0
    done: bool = False
    auto: bool = False
    differs: bool = False


@dataclass
class Sheet:
    rows: list[SheetRow]
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def sheet(assessment: Assessment) -> Sheet:
    """The criteria tree of the assessment with each leaf's score, evidence count and done flag."""
    criteria = list(assessment.framework.criteria.order_by("position", "pk").select_related("lead_unit"))
    scores = {
        score.criterion_id: score
        for score in assessment.scores.annotate(evidence_count=Count("evidence", distinct=True)).select_related(
            "criterion"
        )
    }
    rows = []
    done = total = 0
    for criterion in criteria:
        score = scores.get(criterion.pk)
        row = SheetRow(criterion=criterion, score=score)
        if score is not None:
            row.evidence_count = score.evidence_count  # type: ignore[attr-defined]
            row.auto = is_auto(criterion)
            row.done = score_is_done(score, row.evidence_count)
            row.differs = score.appraised_score is not None and score.appraised_score != score.self_score
            total += 1
            done += int(row.done)
        rows.append(row)
    return Sheet(rows=rows, done=done, total=total)


def _done_condition() -> Q:
    with_evidence = Q(has_evidence=True) | ~Q(no_evidence_reason="")
    return Q(criterion__rule_kind__in=AUTO_RULE_KINDS) | (Q(self_score__isnull=False) & with_evidence)


def progress_by_assessment(assessments: QuerySet[Assessment]) -> dict[int, tuple[int, int]]:
    """``{assessment_id: (done, total)}`` in one query."""
    has_evidence = Exists(Evidence.scores.through.objects.filter(score_id=OuterRef("pk")))
    rows = (
        Score.objects.filter(assessment__in=assessments)
        .annotate(has_evidence=has_evidence)
        .values("assessment_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=_done_condition()))
        .order_by()
    )
    return {row["assessment_id"]: (row["done"], row["total"]) for row in rows}


@dataclass
class AssessmentRow:
    assessment: Assessment
    done: int
    total: int
    appraised: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def fully_appraised(self) -> bool:
        return self.total > 0 and self.appraised == self.total


def by_unit_name(assessments: Iterable[Assessment]) -> list[Assessment]:
    """Sheets in Vietnamese order of their units' names ("Phường Âu Cơ" before "Xuân Hòa")."""
    return sorted(assessments, key=lambda assessment: sort_key(assessment.unit.name))


def assessment_rows(assessments: QuerySet[Assessment]) -> list[AssessmentRow]:
    """The sheets with their self-assessment and appraisal progress, by unit kind then unit name (Vietnamese)."""
    rows = list(assessments.select_related("unit", "framework"))
    rows.sort(key=lambda assessment: (assessment.framework.unit_kind, sort_key(assessment.unit.name)))
    progress = progress_by_assessment(assessments)
    appraised = appraisal_progress_by_assessment(assessments)
    return [
        AssessmentRow(
            assessment,
            *progress.get(assessment.pk, (0, 0)),
            appraised=appraised.get(assessment.pk, (0, 0))[0],
        )
        for assessment in rows
    ]


def appraisal_worklist(
    *, round: Round, assessments: QuerySet[Assessment], lead_unit_ids: list[int], pending_only: bool = False
) -> QuerySet[Score]:
    """The leaves of submitted sheets in ``round`` led by one of ``lead_unit_ids``."""
    open_statuses = (AssessmentStatus.SUBMITTED, AssessmentStatus.APPRAISED, AssessmentStatus.EXPLAINED)
    scores = Score.objects.filter(
        assessment__in=assessments.filter(round=round, status__in=open_statuses),
        criterion__lead_unit_id__in=lead_unit_ids,
    )
    if pending_only:
        scores = scores.filter(appraised_score__isnull=True)
    return scores.select_related("criterion", "assessment__unit").order_by(
        "assessment__unit__name", "criterion__position"
    )


@dataclass
class TableRow:
    assessment: Assessment
    areas: list[Decimal]
    total: Decimal
    appraised: int = 0
    leaves: int = 0

    @property
    def fully_appraised(self) -> bool:
        return self.leaves > 0 and self.appraised == self.leaves


@dataclass
class CompiledTable:
    framework: Framework
    areas: list[Criterion]
    rows: list[TableRow] = field(default_factory=list)


def compiled_table(*, round: Round, assessments: QuerySet[Assessment]) -> list[CompiledTable]:
    """Units × areas (points that count now) for the council, one table per framework, units in Vietnamese order.

    Totals come from :func:`cchc.assessments.results.unit_totals`, the one computation of a unit's total that
    the results, rankings, exports and the decision use: penalties are subtracted, the total stays within the
    scale, so the council approves the numbers that are published.
    """
    from .results import current_totals

    sheets = assessments.filter(round=round)
    tables: dict[int, CompiledTable] = {}
    for framework in round.frameworks.all():
        areas = list(framework.criteria.filter(parent__isnull=True).order_by("position", "pk"))
        tables[framework.pk] = CompiledTable(framework=framework, areas=areas)
    rows = by_unit_name(sheets.select_related("unit"))
    totals = current_totals(round, rows)
    appraised = appraisal_progress_by_assessment(sheets)
    for assessment in rows:
        table = tables.get(assessment.framework_id)
        if table is None:
            continue
        unit_total = totals[assessment.pk]
        points = [
            unit_total.areas[area.code].points
            if area.code in unit_total.areas
            else unit_total.area_points.get(area.code, Decimal(0))
            for area in table.areas
        ]
        done, leaves = appraised.get(assessment.pk, (0, 0))
        table.rows.append(
            TableRow(assessment=assessment, areas=points, total=unit_total.total_points, appraised=done, leaves=leaves)
        )
    return [table for table in tables.values() if table.rows]


@dataclass(frozen=True)
class HistoryRow:
    entry: AuditEntry
    changes: list[tuple[str, str, str]]


def _shown(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if key.endswith("_choice") and value in RuleChoice.values:
        return str(RuleChoice(value).label)
    if key.endswith("_score") or key.endswith("_value"):
        try:
            return format_points(Decimal(str(value)))
        except ArithmeticError:
            return str(value)
    return str(value)


def score_history(score: Score) -> list[HistoryRow]:
    """Every change of the leaf at every stage, newest first (from the audit trail)."""
    rows = []
    for entry in history_for(score).order_by("-at", "-id"):
        changes = []
        for key, values in (entry.changes or {}).items():
            old, new = [*values, None, None][:2] if isinstance(values, list) else (None, values)
            changes.append((str(HISTORY_LABELS.get(key, key)), _shown(key, old), _shown(key, new)))
        rows.append(HistoryRow(entry=entry, changes=changes))
    return rows


def appraisal_progress_by_assessment(assessments: QuerySet[Assessment]) -> dict[int, tuple[int, int]]:
    """``{assessment_id: (appraised, total)}`` in one query.

    A leaf is appraised when an appraiser has accepted the self-score or adjusted it (its appraised score is set).
    This is the one definition of "đã thẩm định x/y tiêu chí" used by every page, guard and export.
    """
    rows = (
        Score.objects.filter(assessment__in=assessments)
        .values("assessment_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(appraised_score__isnull=False)))
        .order_by()
    )
    return {row["assessment_id"]: (row["done"], row["total"]) for row in rows}


def appraisal_progress(assessment: Assessment) -> tuple[int, int]:
    """``(appraised, total)`` leaves of one sheet (see :func:`appraisal_progress_by_assessment`)."""
    return appraisal_progress_by_assessment(Assessment.objects.filter(pk=assessment.pk)).get(assessment.pk, (0, 0))


def is_fully_appraised(assessment: Assessment) -> bool:
    done, total = appraisal_progress(assessment)
    return total > 0 and done == total


@dataclass(frozen=True)
class PublicationGroup:
    label: str
    units: int
    top: list[Any]  # analysis.RankingRow, best first
    bottom: list[Any]  # the last three of the ranking, in ranking order


@dataclass(frozen=True)
class PublicationSummary:
    units: int
    overrides: list[Assessment]
    groups: list[PublicationGroup]


def publication_summary(round: Round) -> PublicationSummary:
    """What publishing ``round`` makes public: how many units, which were approved by a council override, and the
    top and bottom three of each ranking."""
    from .analysis import ranking

    groups = [
        PublicationGroup(label=group.label, units=len(group.rows), top=group.rows[:3], bottom=group.rows[-3:])
        for group in ranking(round, with_changes=False)
    ]
    overrides = by_unit_name(round.assessments.exclude(approval_override_reason="").select_related("unit"))
    return PublicationSummary(units=round.assessments.count(), overrides=overrides, groups=groups)
