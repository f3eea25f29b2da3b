"""Reads for the PAR INDEX workflow: a unit's sheet, progress, the appraisal worklist, the compiled table, history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cchc.audit.models import AuditEntry
from cchc.audit.selectors import history_for
from cchc.frameworks.models import Criterion, Framework
from cchc.frameworks.rule_inputs import AUTO_RULE_KINDS, is_auto
from cchc.lib.numbers import format_points
from cchc.lib.text import sort_key
from cchc.organisations.models import Unit, UnitSuccession, subtree_condition

from .analysis import MAX_SUCCESSION_HOPS, LossRow, RankingGroup, ranking, round_points_lost, unit_gaps
from .models import (
    PUBLISHED_STAGES,
    Assessment,
    AssessmentStatus,
    Evidence,
    Explanation,
    Result,
    Round,
    RuleChoice,
    Score,
    Stage,
)
from .results import current_totals, framework_trees, leaf_points, leaves_of, unit_totals

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


def score_is_done(score: Score, evidence_count: int) -> bool:
    """A leaf is done when it has a self-score and evidence (or a written reason for having none)."""
    if is_auto(score.criterion):
        return True
    return score.self_score is not None and (evidence_count > 0 or bool(score.no_evidence_reason))


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
    *, round_: Round, assessments: QuerySet[Assessment], lead_unit_ids: list[int], pending_only: bool = False
) -> QuerySet[Score]:
    """The leaves of submitted sheets in ``round_`` led by one of ``lead_unit_ids``."""
    open_statuses = (AssessmentStatus.SUBMITTED, AssessmentStatus.APPRAISED, AssessmentStatus.EXPLAINED)
    scores = Score.objects.filter(
        assessment__in=assessments.filter(round=round_, status__in=open_statuses),
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
    # ``(area, points)`` in the order of ``areas``: a card on a phone labels each value with its area.
    cells: list[tuple[Criterion, Decimal]] = field(default_factory=list)

    @property
    def fully_appraised(self) -> bool:
        return self.leaves > 0 and self.appraised == self.leaves


@dataclass
class CompiledTable:
    framework: Framework
    areas: list[Criterion]
    rows: list[TableRow] = field(default_factory=list)


def compiled_table(*, round_: Round, assessments: QuerySet[Assessment]) -> list[CompiledTable]:
    """Units × areas (points that count now) for the council, one table per framework, units in Vietnamese order.

    Totals come from :func:`cchc.assessments.results.unit_totals`, the one computation of a unit's total that
    the results, rankings, exports and the decision use: penalties are subtracted, the total stays within the
    scale, so the council approves the numbers that are published.
    """
    sheets = assessments.filter(round=round_)
    tables: dict[int, CompiledTable] = {}
    for framework in round_.frameworks.all():
        areas = list(framework.criteria.filter(parent__isnull=True).order_by("position", "pk"))
        tables[framework.pk] = CompiledTable(framework=framework, areas=areas)
    rows = by_unit_name(sheets.select_related("unit"))
    totals = current_totals(round_, rows)
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
            TableRow(
                assessment=assessment,
                areas=points,
                total=unit_total.total_points,
                appraised=done,
                leaves=leaves,
                cells=list(zip(table.areas, points, strict=True)),
            )
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


# ---------------------------------------------------------------------------
# A sheet area by area (self-assessment and appraisal pages)


@dataclass
class LeafRow:
    """One leaf of an area page: its criterion, score, evidence and whether the unit has finished it."""

    criterion: Criterion
    score: Score
    depth: int
    evidence: list[Evidence] = field(default_factory=list)
    done: bool = False
    auto: bool = False
    # What keeps an unfinished leaf from counting as done (the rule of :func:`missing_leaves`).
    unscored: bool = False
    unproven: bool = False
    # Set by the page that shows the leaf: its forms, the rule in words, what was declared, and the state of a save.
    form: Any = None
    adjust_form: Any = None
    rule_text: str = ""
    entry_kind: str = ""
    declared: str = ""
    appraised_declared: str = ""
    can_appraise: bool = False
    can_accept: bool = False
    saved: bool = False
    open_adjust: bool = False
    explanations: list[Any] = field(default_factory=list)

    is_leaf = True

    @property
    def differs(self) -> bool:
        return self.score.appraised_score is not None and self.score.appraised_score != self.score.self_score

    @property
    def appraised(self) -> bool:
        return self.score.appraised_score is not None


@dataclass
class GroupRow:
    """A criterion with sub-criteria inside an area (a heading between leaves)."""

    code: str
    title: str
    max_points: Decimal
    depth: int

    is_leaf = False


@dataclass
class AreaTab:
    """One area (top-level criterion) of a sheet, with its progress."""

    id: int
    code: str
    title: str
    max_points: Decimal
    total: int = 0
    done: int = 0
    appraised: int = 0
    points: Decimal = Decimal(0)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


@dataclass
class AreaSheet:
    """A sheet seen one area at a time: the area tabs, the rows of the chosen area, and the running totals."""

    assessment: Assessment
    tabs: list[AreaTab]
    area: AreaTab | None
    rows: list[LeafRow | GroupRow]
    done: int
    total: int
    self_total: Decimal
    max_total: Decimal

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def leaves(self) -> list[LeafRow]:
        return [row for row in self.rows if isinstance(row, LeafRow)]

    def leaf(self, score_id: int) -> LeafRow | None:
        return next((row for row in self.leaves if row.score.pk == score_id), None)

    @property
    def next_area(self) -> AreaTab | None:
        ids = [tab.id for tab in self.tabs]
        if self.area is None or self.area.id not in ids:
            return None
        index = ids.index(self.area.id)
        return self.tabs[index + 1] if index + 1 < len(self.tabs) else None


def area_sheet(
    assessment: Assessment, area_id: int | None = None, *, lead_unit_ids: list[int] | None = None
) -> AreaSheet:
    """The sheet's areas with their progress, and the leaves of one area (the first one when ``area_id`` is None).

    ``lead_unit_ids`` narrows the leaves to those the appraiser's units lead (and the tabs to the areas holding one);
    each tab then counts, for moving between areas, the appraised leaves among them (appraised as in
    :func:`appraisal_progress_by_assessment`: the appraised score is set). The sheet's "đã thẩm định x/y tiêu chí"
    is :func:`appraisal_progress`, not this. Raises :class:`LookupError` for an area not on the sheet.
    The totals are the unit's self-scores added as the results add final scores (``results.unit_totals``):
    penalties subtract, bonuses add, the total stays within the scale.
    """
    tree = framework_trees([assessment.framework_id]).get(assessment.framework_id, [])
    scores = {
        score.criterion_id: score
        for score in assessment.scores.annotate(evidence_count=Count("evidence", distinct=True)).select_related(
            "criterion__lead_unit"
        )
    }
    areas = {node.id: node for node in tree if node.depth == 0}
    tabs: dict[int, AreaTab] = {
        node.id: AreaTab(id=node.id, code=node.code, title=node.title, max_points=node.max_points)
        for node in areas.values()
    }
    leaf_info = {leaf.criterion_id: leaf for leaf in leaves_of(tree)}

    done = total = 0
    for node in tree:
        score = scores.get(node.id)
        if not node.is_leaf or score is None:
            continue
        if lead_unit_ids is not None and node.lead_unit_id not in lead_unit_ids:
            continue
        tab = tabs[node.area_id]
        finished = score_is_done(score, score.evidence_count)  # type: ignore[attr-defined]
        tab.total += 1
        tab.done += int(finished)
        tab.appraised += int(score.appraised_score is not None)
        tab.points += leaf_points(leaf_info[node.id], score.self_score)
        total += 1
        done += int(finished)
    shown = [tab for tab in tabs.values() if tab.total]
    if area_id is None:
        area = shown[0] if shown else None
    else:
        area = next((tab for tab in shown if tab.id == area_id), None)
        if area is None:
            raise LookupError(area_id)
    rows: list[LeafRow | GroupRow] = []
    if area is not None:
        top_depth = 1
        for node in tree:
            if node.area_id != area.id or node.depth == 0:
                continue
            if not node.is_leaf:
                rows.append(GroupRow(node.code, node.title, node.max_points, node.depth - top_depth))
                continue
            score = scores.get(node.id)
            if score is None or (lead_unit_ids is not None and node.lead_unit_id not in lead_unit_ids):
                continue
            unscored, unproven = leaf_gaps(score, score.evidence_count)  # type: ignore[attr-defined]
            rows.append(
                LeafRow(
                    criterion=score.criterion,
                    score=score,
                    depth=node.depth - top_depth,
                    done=score_is_done(score, score.evidence_count),  # type: ignore[attr-defined]
                    auto=is_auto(score.criterion),
                    unscored=unscored,
                    unproven=unproven,
                )
            )
        _drop_empty_groups(rows)
        _attach_evidence(rows)
    totals = unit_totals(leaf_info.values(), {pk: score.self_score for pk, score in scores.items()})
    return AreaSheet(
        assessment=assessment,
        tabs=shown,
        area=area,
        rows=rows,
        done=done,
        total=total,
        self_total=totals.total_points,
        max_total=totals.max_points,
    )


def _drop_empty_groups(rows: list[LeafRow | GroupRow]) -> None:
    """Headings with no leaf under them (all led by another unit) are left out."""

    def has_leaf(index: int, group: GroupRow) -> bool:
        for later in rows[index + 1 :]:
            if isinstance(later, LeafRow):
                return later.depth > group.depth
            if later.depth <= group.depth:
                return False
        return False

    rows[:] = [row for index, row in enumerate(rows) if isinstance(row, LeafRow) or has_leaf(index, row)]


def _attach_evidence(rows: list[LeafRow | GroupRow]) -> None:
    by_score = {row.score.pk: row for row in rows if isinstance(row, LeafRow)}
    links = (
        Evidence.scores.through.objects.filter(score_id__in=list(by_score))
        .select_related("evidence")
        .order_by("evidence__created_at", "evidence_id")
    )
    for link in links:
        by_score[link.score_id].evidence.append(link.evidence)


def leaf_gaps(score: Score, evidence_count: int) -> tuple[bool, bool]:
    """What a leaf still lacks to be done (:func:`score_is_done`): ``(unscored, unproven)``, where
    unproven means no evidence and no written reason for having none. A leaf scored from data lacks nothing."""
    if is_auto(score.criterion):
        return False, False
    return score.self_score is None, evidence_count == 0 and not score.no_evidence_reason


@dataclass(frozen=True)
class SheetDeadline:
    """The self-assessment deadline that applies to one sheet, and whether it has passed."""

    date: datetime.date
    extended: bool
    passed: bool


def sheet_deadline(assessment: Assessment, today: datetime.date | None = None) -> SheetDeadline | None:
    """The deadline of a sheet: the one the secretariat extended for this unit, else the round's (``None`` when
    neither is set). Submitting after it is allowed but recorded as late (:func:`services.assessment_submit`)."""
    date = assessment.deadline or assessment.round.self_assessment_deadline
    if date is None:
        return None
    today = today or timezone.localdate()
    return SheetDeadline(date=date, extended=assessment.deadline is not None, passed=today > date)


@dataclass(frozen=True)
class MissingLeaf:
    """A leaf that keeps a sheet from being submitted, and what it lacks."""

    score: Score
    area_id: int
    unscored: bool
    unproven: bool


def missing_leaves(assessment: Assessment) -> list[MissingLeaf]:
    """Every leaf not yet scored, or without evidence and without a reason for having none, in sheet order.

    The same rule as :func:`services.assessment_submit` (through :func:`score_is_done`).
    """
    tree = framework_trees([assessment.framework_id]).get(assessment.framework_id, [])
    area_of = {node.id: node.area_id for node in tree}
    order = {node.id: index for index, node in enumerate(tree)}
    scores = assessment.scores.annotate(evidence_count=Count("evidence", distinct=True)).select_related("criterion")
    missing = []
    for score in sorted(scores, key=lambda item: order.get(item.criterion_id, 0)):
        if score_is_done(score, score.evidence_count):  # type: ignore[attr-defined]
            continue
        unscored, unproven = leaf_gaps(score, score.evidence_count)  # type: ignore[attr-defined]
        missing.append(
            MissingLeaf(score=score, area_id=area_of.get(score.criterion_id, 0), unscored=unscored, unproven=unproven)
        )
    return missing


def area_id_of(criterion: Criterion) -> int:
    """The top-level criterion (area) above ``criterion``."""
    parents = dict(Criterion.objects.filter(framework_id=criterion.framework_id).values_list("pk", "parent_id"))
    current = criterion.pk
    while parents.get(current) is not None:
        current = parents[current]
    return current


# ---------------------------------------------------------------------------
# The appraiser's worklist


class WorklistStatus:
    PENDING = "pending"
    ACCEPTED = "accepted"
    ADJUSTED = "adjusted"
    ALL = "all"


WORKLIST_STATUSES = (
    (WorklistStatus.PENDING, gettext_lazy("Chưa thẩm định")),
    (WorklistStatus.ACCEPTED, gettext_lazy("Đã đồng ý")),
    (WorklistStatus.ADJUSTED, gettext_lazy("Đã điều chỉnh")),
    (WorklistStatus.ALL, gettext_lazy("Tất cả")),
)


def open_for_appraisal(assessments: QuerySet[Assessment], round_: Round) -> QuerySet[Assessment]:
    """The submitted sheets of ``round_`` among ``assessments`` (those an appraiser works on)."""
    open_statuses = (AssessmentStatus.SUBMITTED, AssessmentStatus.APPRAISED, AssessmentStatus.EXPLAINED)
    return assessments.filter(round=round_, status__in=open_statuses)


def round_areas(round_: Round) -> list[Criterion]:
    """The areas (top-level criteria) of the round's frameworks, framework by framework."""
    return list(
        Criterion.objects.filter(framework__rounds=round_, parent__isnull=True)
        .select_related("framework")
        .order_by("framework__unit_kind", "framework_id", "position", "pk")
    )


def area_leaf_ids(area: Criterion) -> list[int]:
    """The leaves under one area."""
    tree = framework_trees([area.framework_id]).get(area.framework_id, [])
    return [node.id for node in tree if node.is_leaf and node.area_id == area.pk]


def filter_worklist(
    scores: QuerySet[Score], *, unit_id: int | None = None, leaf_ids: list[int] | None = None, status: str = ""
) -> QuerySet[Score]:
    """Narrow the worklist to one unit, the leaves of one area, and an appraisal status."""
    if unit_id is not None:
        scores = scores.filter(assessment__unit_id=unit_id)
    if leaf_ids is not None:
        scores = scores.filter(criterion_id__in=leaf_ids)
    if status == WorklistStatus.PENDING:
        scores = scores.filter(appraised_score__isnull=True)
    elif status == WorklistStatus.ACCEPTED:
        scores = scores.filter(appraised_score__isnull=False, appraised_score=F("self_score"))
    elif status == WorklistStatus.ADJUSTED:
        scores = scores.filter(appraised_score__isnull=False).exclude(appraised_score=F("self_score"))
    return scores


def explanation_deadline_passed(round_: Round) -> datetime.date | None:
    """The explanation deadline of ``round_`` when the round is explaining and the deadline has passed."""
    deadline = round_.explanation_deadline
    if round_.stage != Stage.EXPLANATION or deadline is None or timezone.localdate() <= deadline:
        return None
    return deadline


def round_area_of(round_: Round) -> dict[int, int]:
    """``{criterion id: area id}`` for every criterion of the round's frameworks."""
    trees = framework_trees(round_.frameworks.values_list("pk", flat=True))
    return {node.id: node.area_id for tree in trees.values() for node in tree}


def in_unit_order(scores: QuerySet[Score], sheets: list[Assessment]) -> QuerySet[Score]:
    """The worklist ordered by unit in Vietnamese order (``sheets`` already sorted), then by criterion.

    No database sorts Vietnamese ("Phường Âu Cơ" before "Phường Hòa Bình"), so the order of the few sheets of a
    round is computed here and handed to the query.
    """
    if not sheets:
        return scores.order_by("criterion__position", "pk")
    rank = Case(*(When(assessment_id=sheet.pk, then=Value(index)) for index, sheet in enumerate(sheets)))
    return scores.order_by(rank.asc(nulls_last=True), "assessment_id", "criterion__position", "pk")


def attach_explanations(rows: list[LeafRow]) -> None:
    """The unit's explanations (giải trình) of each leaf, oldest first, for the appraiser settling them."""
    by_score = {row.score.pk: row for row in rows}
    for explanation in Explanation.objects.filter(score_id__in=list(by_score)).order_by("created_at", "pk"):
        by_score[explanation.score_id].explanations.append(explanation)


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


def publication_summary(round_: Round) -> PublicationSummary:
    """What publishing ``round_`` makes public: how many units, which were approved by a council override, and the
    top and bottom three of each ranking."""
    groups = [
        PublicationGroup(label=group.label, units=len(group.rows), top=group.rows[:3], bottom=group.rows[-3:])
        for group in ranking(round_, with_changes=False)
    ]
    overrides = by_unit_name(round_.assessments.exclude(approval_override_reason="").select_related("unit"))
    return PublicationSummary(units=round_.assessments.count(), overrides=overrides, groups=groups)


# ---------------------------------------------------------------------------
# The public page (no login)


def public_rounds(*, within: Unit | None = None) -> list[Round]:
    """The rounds whose results everybody may see without logging in: published (or closed) rounds marked public that
    have results, the latest year first (the rule of ``access.can_view_public_round_results``, in one query). Nothing
    of a round still in progress ever appears here. ``within``: only rounds organised in that unit's subtree (the
    province of the public page)."""
    rounds = Round.objects.all()
    if within is not None:
        rounds = rounds.filter(subtree_condition([within.path], "organiser"))
    rounds = (
        rounds.filter(is_public=True, stage__in=PUBLISHED_STAGES)
        .annotate(has_results=Exists(Result.objects.filter(assessment__round=OuterRef("pk"))))
        .select_related("organiser")
        .filter(has_results=True)
        .order_by("-year", "-published_at", "name", "pk")
    )
    return list(rounds)


def public_results_version() -> tuple[Any, ...]:
    """What changes whenever the public rankings change: the public rounds (stage, publication) and their results."""
    rounds = tuple(
        Round.objects.filter(is_public=True, stage__in=PUBLISHED_STAGES)
        .order_by("pk")
        .values_list("pk", "stage", "published_at")
    )
    latest = Result.objects.filter(assessment__round_id__in=[row[0] for row in rounds]).aggregate(
        latest=Max("computed_at"), count=Count("pk")
    )
    return rounds, latest["latest"], latest["count"]


# ---------------------------------------------------------------------------
# What a periodic reform report says of the PAR INDEX


def latest_published_round(unit: Unit, year: int) -> Round | None:
    """The latest round of ``year`` or before with published results, organised by the unit or one above it."""
    return (
        Round.objects.filter(stage__in=PUBLISHED_STAGES, year__lte=year, organiser_id__in=[*unit.ancestor_ids, unit.pk])
        .order_by("-year", "-pk")
        .first()
    )


@dataclass(frozen=True)
class UnitParResult:
    """A unit's published result in a round and the criteria on which it lost most."""

    round: Round
    result: Result | None
    gaps: list[Any]


def unit_par_result(round_: Round, unit: Unit, *, top: int = 5) -> UnitParResult:
    """The unit's stored result in ``round_`` (``None`` when it took no part) and its ``top`` largest losses."""
    result = Result.objects.filter(assessment__round=round_, assessment__unit=unit).select_related("assessment").first()
    gaps = []
    if result is not None:
        gaps = sorted(unit_gaps(result.assessment), key=lambda gap: -gap.lost)[:top]
    return UnitParResult(round=round_, result=result, gaps=gaps)


@dataclass(frozen=True)
class RoundParSummary:
    """A published round in a few figures: units ranked, the average index, the best and weakest, points lost."""

    round: Round
    groups: list[RankingGroup]
    losses: list[LossRow]

    @property
    def units(self) -> int:
        return sum(len(group.rows) for group in self.groups)

    @property
    def average_index(self) -> Decimal | None:
        values = [row.index_value for group in self.groups for row in group.rows]
        if not values:
            return None
        return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))


def round_par_summary(round_: Round, *, top: int = 5) -> RoundParSummary:
    """The ranking of ``round_`` by unit kind and the ``top`` criteria that lost most points."""
    return RoundParSummary(
        round=round_, groups=ranking(round_, with_changes=False), losses=round_points_lost(round_)[:top]
    )


# ---------------------------------------------------------------------------
# Where a round stands (home pages, the round page's filter)


class SheetState:
    """What one sheet's row says of it on the home pages and the round page (a sheet may be in several)."""

    SUBMITTED = "submitted"
    LATE = "late"
    OVERDUE = "overdue"
    NOT_STARTED = "not_started"
    APPRAISED = "appraised"

    LABELS = {
        SUBMITTED: gettext_lazy("Đã nộp"),
        LATE: gettext_lazy("Nộp muộn"),
        OVERDUE: gettext_lazy("Quá hạn chưa nộp"),
        NOT_STARTED: gettext_lazy("Chưa bắt đầu"),
        APPRAISED: gettext_lazy("Đã thẩm định xong"),
    }


def sheet_states(assessments: QuerySet[Assessment], today: datetime.date | None = None) -> dict[int, frozenset[str]]:
    """``{assessment id: states}`` in three queries, the one definition the home pages and the round page share.

    Submitted: no longer open to the unit (every status but draft and reopened). Late: submitted after its deadline.
    Overdue: still open to the unit and its deadline (the unit's extended one, else the round's) has passed. Not
    started: still open and the unit has scored no leaf yet (leaves the system fills in do not count). Appraised:
    every leaf has an appraised score (:func:`appraisal_progress_by_assessment`).
    """
    today = today or timezone.localdate()
    rows = list(assessments.values_list("pk", "status", "is_late", "deadline", "round__self_assessment_deadline"))
    started = set(
        Score.objects.filter(assessment__in=assessments, self_score__isnull=False)
        .exclude(criterion__rule_kind__in=AUTO_RULE_KINDS)
        .values_list("assessment_id", flat=True)
        .distinct()
    )
    appraised = appraisal_progress_by_assessment(assessments)
    editable = {AssessmentStatus.DRAFT.value, AssessmentStatus.REOPENED.value}
    states: dict[int, frozenset[str]] = {}
    for pk, status, is_late, own_deadline, round_deadline in rows:
        found: set[str] = set()
        deadline = own_deadline or round_deadline
        if status in editable:
            if deadline is not None and today > deadline:
                found.add(SheetState.OVERDUE)
            if pk not in started:
                found.add(SheetState.NOT_STARTED)
        else:
            found.add(SheetState.SUBMITTED)
        if is_late:
            found.add(SheetState.LATE)
        done, total = appraised.get(pk, (0, 0))
        if total and done == total:
            found.add(SheetState.APPRAISED)
        states[pk] = frozenset(found)
    return states


@dataclass(frozen=True)
class RoundProgress:
    """How far a round has got over the sheets a reader sees: submitted x/y, late, overdue, not started,
    appraised x/y."""

    round: Round
    total: int
    counts: dict[str, int]

    def count(self, state: str) -> int:
        return self.counts.get(state, 0)

    @property
    def submitted(self) -> int:
        return self.count(SheetState.SUBMITTED)

    @property
    def late(self) -> int:
        return self.count(SheetState.LATE)

    @property
    def overdue(self) -> int:
        return self.count(SheetState.OVERDUE)

    @property
    def not_started(self) -> int:
        return self.count(SheetState.NOT_STARTED)

    @property
    def appraised(self) -> int:
        return self.count(SheetState.APPRAISED)

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        """``(state, label, count)`` for every state, in the order of :class:`SheetState`."""
        return [(state, str(label), self.count(state)) for state, label in SheetState.LABELS.items()]


def round_progress(
    round_: Round, assessments: QuerySet[Assessment], today: datetime.date | None = None
) -> RoundProgress:
    """:func:`sheet_states` of ``round_``'s sheets among ``assessments`` (the reader's), counted."""
    states = sheet_states(assessments.filter(round=round_), today)
    counts: dict[str, int] = {}
    for found in states.values():
        for state in found:
            counts[state] = counts.get(state, 0) + 1
    return RoundProgress(round=round_, total=len(states), counts=counts)


@dataclass(frozen=True)
class RankPoint:
    """One published result of a unit (or of a unit it continues after a reorganisation)."""

    round_id: int
    assessment_id: int
    year: int
    unit_name: str
    index_value: Decimal
    rank: int | None
    rank_tied: bool
    grade: str
    continued: bool  # the result belongs to a predecessor of the unit


def predecessor_ids(unit_id: int) -> set[int]:
    """The units ``unit_id`` continues through up to :data:`analysis.MAX_SUCCESSION_HOPS` reorganisations (one
    query per hop)."""
    found: set[int] = set()
    frontier = {unit_id}
    for _hop in range(MAX_SUCCESSION_HOPS):
        reached = (
            set(UnitSuccession.objects.filter(successor_id__in=frontier).values_list("predecessor_id", flat=True))
            - found
            - {unit_id}
        )
        if not reached:
            break
        found |= reached
        frontier = reached
    return found


def rank_history(unit_id: int, assessments: QuerySet[Assessment]) -> list[RankPoint]:
    """The published results of the unit and of the units it continues, oldest year first (``assessments``: the
    sheets the reader may read)."""
    earlier = predecessor_ids(unit_id)
    rows = (
        assessments.filter(unit_id__in={unit_id, *earlier}, round__stage__in=PUBLISHED_STAGES, result__isnull=False)
        .values_list(
            "round_id",
            "pk",
            "round__year",
            "unit__name",
            "unit_id",
            "result__index_value",
            "result__rank",
            "result__rank_tied",
            "result__grade",
        )
        .order_by("round__year", "unit__name")
    )
    return [
        RankPoint(
            round_id=round_id,
            assessment_id=pk,
            year=year,
            unit_name=name,
            index_value=index,
            rank=rank,
            rank_tied=tied,
            grade=grade,
            continued=owner != unit_id,
        )
        for round_id, pk, year, name, owner, index, rank, tied, grade in rows
    ]
