"""Reading a round's results: year over year, points lost per criterion, a unit's gaps, remediation plans.

Year over year
--------------
Each assessment is compared with last year's result (``Round.previous_round``)
of the same unit. When the unit did not exist last year, the comparison
follows its predecessor links (:class:`~cchc.organisations.models.UnitSuccession`,
backwards, up to :data:`MAX_SUCCESSION_HOPS` reorganisations) to the units
that have a result last year:

* **one predecessor** (renamed, transferred, or a unit split off another):
  compared with that unit's points, index and rank;
* **several predecessors** (a merger, e.g. communes merged on 1 July 2025):
  compared with the **average** of their points and indices — the index is a
  percentage and points are on one 100-point scale, so a total would not be
  comparable — and the previous rank is where that average index would have
  stood in last year's ranking of the same unit kind (one plus the number of
  units with a strictly higher index).

The rank change is last year's rank minus this year's: positive means the
unit moved up ("tăng 3 bậc"), negative down ("giảm 2 bậc").

Points lost
-----------
For a base leaf the points lost are ``max − final score`` (an unscored leaf
loses its max, except an unscored survey leaf when the round rescales); for a
penalty leaf they are the deduction; bonus leaves lose nothing. Per criterion:
total points lost across units, the share of units at max, and the units
that lost most. Per unit: every leaf below its max, in framework order — the
list the province's conclusions ask each unit to review (rà soát các hạn chế,
thiếu sót qua đánh giá) before it writes its remediation plan.

Remediation plan
----------------
Selected gaps of one unit become the rows of a remediation plan (kế hoạch
khắc phục), delivered as an Excel workbook by
:func:`cchc.assessments.documents.remediation_plan_xlsx`. The secretariat can
also turn selected gaps into a tracked plan (a directive with one task per
criterion for the units that lost points on it): see
:mod:`cchc.assessments.remediation`.
"""

from __future__ import annotations

import datetime
import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cchc.frameworks.models import Criterion, CriterionCategory, RuleKind
from cchc.lib.numbers import format_points_written
from cchc.lib.text import sort_key
from cchc.organisations.models import Unit, UnitKind, UnitSuccession
from cchc.organisations.selectors import successors_on

from .models import Assessment, Result, Round, Score
from .results import (
    CENT,
    ZERO,
    CriterionInfo,
    Leaf,
    RoundData,
    area_entry,
    framework_trees,
    leaf_points,
    load_round,
)

MAX_SUCCESSION_HOPS = 3
TOP_LOSERS = 5


# ---------------------------------------------------------------------------
# Year over year


@dataclass(frozen=True)
class PreviousResult:
    unit_id: int
    unit_kind: str
    total_points: Decimal
    index_value: Decimal
    rank: int | None


@dataclass(frozen=True)
class Change:
    """How one unit's result compares with last year's."""

    previous_points: Decimal
    previous_index: Decimal
    previous_rank: int | None
    points_change: Decimal
    index_change: Decimal
    rank_change: int | None  # positive: moved up
    basis: str  # "same" unit, one "predecessor", or "merged" predecessors
    predecessors: tuple[str, ...] = ()

    @property
    def rank_label(self) -> str:
        return rank_change_label(self.rank_change)


def rank_change_label(change: int | None) -> str:
    """ "tăng 3 bậc" / "giảm 2 bậc" / "giữ nguyên thứ hạng"; empty without a comparison."""
    if change is None:
        return ""
    if change > 0:
        return ngettext("tăng %(count)d bậc", "tăng %(count)d bậc", change) % {"count": change}
    if change < 0:
        return ngettext("giảm %(count)d bậc", "giảm %(count)d bậc", -change) % {"count": -change}
    return _("giữ nguyên thứ hạng")


def _place(index: Decimal, ranking: Iterable[Decimal]) -> int:
    return 1 + sum(1 for other in ranking if other > index)


def compare(
    current: Mapping[int, tuple[int, str, Decimal, Decimal, int | None]],
    previous: Mapping[int, PreviousResult],
    predecessors: Mapping[int, Sequence[int]],
    *,
    names: Mapping[int, str] | None = None,
) -> dict[int, Change]:
    """Pure comparison: ``current`` maps assessment id → (unit id, kind, points, index, rank);
    ``previous`` maps unit id → last year's result; ``predecessors`` maps a unit id to the ids of
    the earlier units it continues (already resolved to units with a previous result)."""
    names = names or {}
    by_kind: dict[str, list[Decimal]] = defaultdict(list)
    for item in previous.values():
        by_kind[item.unit_kind].append(item.index_value)
    changes: dict[int, Change] = {}
    for assessment_id, (unit_id, kind, points, index, rank) in current.items():
        same = previous.get(unit_id)
        if same is not None:
            earlier = [same]
            basis = "same"
        else:
            earlier = [previous[pk] for pk in predecessors.get(unit_id, ()) if pk in previous]
            basis = "merged" if len(earlier) > 1 else "predecessor"
        if not earlier:
            continue
        count = Decimal(len(earlier))
        previous_points = (sum((item.total_points for item in earlier), ZERO) / count).quantize(CENT, ROUND_HALF_UP)
        previous_index = (sum((item.index_value for item in earlier), ZERO) / count).quantize(CENT, ROUND_HALF_UP)
        if len(earlier) == 1 and earlier[0].unit_kind == kind:
            previous_rank = earlier[0].rank
        else:
            previous_rank = _place(previous_index, by_kind.get(kind, []))
        changes[assessment_id] = Change(
            previous_points=previous_points,
            previous_index=previous_index,
            previous_rank=previous_rank,
            points_change=points - previous_points,
            index_change=index - previous_index,
            rank_change=None if previous_rank is None or rank is None else previous_rank - rank,
            basis=basis,
            predecessors=tuple(names.get(item.unit_id, "") for item in earlier) if basis != "same" else (),
        )
    return changes


def year_over_year(round_: Round) -> dict[int, Change]:
    """``{assessment id: Change}`` against ``round_.previous_round``; a handful of queries whatever the size."""
    if round_.previous_round_id is None:
        return {}
    current = {
        row[0]: (row[1], row[2], row[3], row[4], row[5])
        for row in Result.objects.filter(assessment__round=round_).values_list(
            "assessment_id",
            "assessment__unit_id",
            "assessment__framework__unit_kind",
            "total_points",
            "index_value",
            "rank",
        )
    }
    previous = {
        row[0]: PreviousResult(*row)
        for row in Result.objects.filter(assessment__round_id=round_.previous_round_id).values_list(
            "assessment__unit_id", "assessment__framework__unit_kind", "total_points", "index_value", "rank"
        )
    }
    missing = {unit_id for unit_id, *_rest in current.values() if unit_id not in previous}
    predecessors = _predecessors_with_results(missing, previous)
    wanted = {pk for pks in predecessors.values() for pk in pks}
    names = dict(Unit.objects.filter(pk__in=wanted).values_list("pk", "name")) if wanted else {}
    return compare(current, previous, predecessors, names=names)


def _predecessors_with_results(units: set[int], previous: Mapping[int, PreviousResult]) -> dict[int, list[int]]:
    """For each unit, the earliest-reached predecessors (through up to 3 reorganisations) with a previous result."""
    found: dict[int, list[int]] = {}
    frontier: dict[int, set[int]] = {unit_id: {unit_id} for unit_id in units}
    for _hop in range(MAX_SUCCESSION_HOPS):
        searching = {pk for pks in frontier.values() for pk in pks}
        if not searching:
            break
        links: dict[int, list[int]] = defaultdict(list)
        for predecessor_id, successor_id in UnitSuccession.objects.filter(successor_id__in=searching).values_list(
            "predecessor_id", "successor_id"
        ):
            links[successor_id].append(predecessor_id)
        next_frontier: dict[int, set[int]] = {}
        for unit_id, pks in frontier.items():
            reached = {predecessor for pk in pks for predecessor in links.get(pk, [])}
            with_result = sorted(pk for pk in reached if pk in previous)
            if with_result:
                found[unit_id] = with_result
            elif reached:
                next_frontier[unit_id] = reached
        frontier = next_frontier
    return found


# ---------------------------------------------------------------------------
# Points lost


def points_lost_on(leaf: Leaf, score: Decimal | None, *, rescale_without_survey: bool) -> Decimal | None:
    """Points a unit lost on one leaf; ``None`` when the leaf does not count (bonus, or survey left out)."""
    if leaf.category == CriterionCategory.BONUS:
        return None
    if leaf.category == CriterionCategory.PENALTY:
        return -leaf_points(leaf, score)
    if score is None and rescale_without_survey and leaf.is_survey:
        return None
    return leaf.max_points - leaf_points(leaf, score)


@dataclass
class CriterionLoss:
    criterion_id: int
    units: int = 0
    at_max: int = 0
    total_lost: Decimal = ZERO
    losers: list[tuple[Decimal, int]] = field(default_factory=list)  # (points lost, assessment id), most first

    @property
    def share_at_max(self) -> Decimal:
        """Percentage of the units scored on this criterion that reached its max (lost nothing)."""
        if not self.units:
            return ZERO
        return (Decimal(self.at_max) * 100 / self.units).quantize(CENT, ROUND_HALF_UP)


def points_lost(
    leaves: Sequence[Leaf],
    scores: Mapping[int, Mapping[int, Any]],
    *,
    rescale_without_survey: bool = False,
    top: int = TOP_LOSERS,
    scale: int = 1,
) -> dict[int, CriterionLoss]:
    """Per leaf criterion: units scored, units at max, total lost and the ``top`` assessments that lost most.

    ``scores`` maps each assessment id using ``leaves`` to ``{criterion id: final score}``; scores and
    maxima are Decimal points or whole ``1/scale`` points (see :func:`~.results.unit_totals`).
    """
    # Runs once per leaf of every unit: the rules of :func:`points_lost_on` are written out inline.
    counted = [leaf for leaf in leaves if leaf.category != CriterionCategory.BONUS]
    units: dict[int, int] = dict.fromkeys((leaf.criterion_id for leaf in counted), 0)
    at_max = dict(units)
    totals: dict[int, Any] = dict.fromkeys(units, 0)
    heaps: dict[int, list[tuple[Any, int]]] = {criterion_id: [] for criterion_id in units}
    base = CriterionCategory.BASE.value
    for assessment_id, unit_scores in scores.items():
        get = unit_scores.get
        for criterion_id, _area, category, leaf_max, is_survey in counted:
            score = get(criterion_id)
            if category == base:
                if score is None:
                    if rescale_without_survey and is_survey:
                        continue
                    lost = leaf_max
                else:
                    lost = leaf_max - (0 if score < 0 else leaf_max if score > leaf_max else score)
            elif score is None:
                lost = 0
            else:
                deduction = -score if score < 0 else score
                lost = leaf_max if 0 < leaf_max < deduction else deduction
            units[criterion_id] += 1
            if lost <= 0:
                at_max[criterion_id] += 1
                continue
            totals[criterion_id] += lost
            heap = heaps[criterion_id]
            if len(heap) < top:
                heapq.heappush(heap, (lost, -assessment_id))
            elif (lost, -assessment_id) > heap[0]:
                heapq.heapreplace(heap, (lost, -assessment_id))

    def points(value: Any) -> Decimal:
        return Decimal(value) if scale == 1 else (Decimal(value) / scale).quantize(CENT)

    return {
        criterion_id: CriterionLoss(
            criterion_id,
            units=count,
            at_max=at_max[criterion_id],
            total_lost=points(totals[criterion_id]),
            losers=[(points(lost), -negative) for lost, negative in sorted(heaps[criterion_id], reverse=True)],
        )
        for criterion_id, count in units.items()
        if count
    }


@dataclass(frozen=True)
class LossRow:
    """One criterion of the points-lost analysis, ready to show."""

    criterion: CriterionInfo
    area: CriterionInfo
    framework_id: int
    loss: CriterionLoss
    losers: list[tuple[Decimal, str]]  # (points lost, unit name)


def round_points_lost(round_: Round, *, data: RoundData | None = None, top: int = TOP_LOSERS) -> list[LossRow]:
    """The points-lost analysis of a round, criteria that lost most first."""
    data = data or load_round(round_)
    by_framework: dict[int, dict[int, Mapping[int, Any]]] = defaultdict(dict)
    empty: dict[int, Any] = {}
    for assessment_id, _unit_id, _kind, framework_id in data.assessments:
        by_framework[framework_id][assessment_id] = data.scores.get(assessment_id, empty)
    rows: list[tuple[int, CriterionLoss]] = []
    for framework_id, scores in by_framework.items():
        losses = points_lost(
            data.leaves.get(framework_id, []),
            scores,
            rescale_without_survey=round_.rescale_without_survey,
            top=top,
            scale=data.scale,
        )
        rows.extend((framework_id, loss) for loss in losses.values())
    loser_ids = {assessment_id for _fw, loss in rows for _lost, assessment_id in loss.losers}
    names = dict(Assessment.objects.filter(pk__in=loser_ids).values_list("pk", "unit__name") if loser_ids else [])
    nodes = {node.id: node for tree in data.trees.values() for node in tree}
    out = [
        LossRow(
            criterion=nodes[loss.criterion_id],
            area=nodes[nodes[loss.criterion_id].area_id],
            framework_id=framework_id,
            loss=loss,
            losers=[(lost, names.get(assessment_id, "")) for lost, assessment_id in loss.losers],
        )
        for framework_id, loss in rows
    ]
    out.sort(key=lambda row: (-row.loss.total_lost, row.loss.share_at_max, row.criterion.code))
    return out


# ---------------------------------------------------------------------------
# One unit's gaps and the remediation plan


@dataclass(frozen=True)
class Gap:
    """A leaf criterion on which the unit did not reach its max (or was penalised)."""

    criterion: CriterionInfo
    area: CriterionInfo
    max_points: Decimal  # 0 for a penalty: there was nothing to gain
    final_score: Decimal | None  # a penalty shows as a negative score
    lost: Decimal
    self_score: Decimal | None
    note: str


def unit_gaps(assessment: Assessment, *, rescale_without_survey: bool | None = None) -> list[Gap]:
    """Every leaf of the assessment below its max, in framework order (two queries)."""
    if rescale_without_survey is None:
        rescale_without_survey = assessment.round.rescale_without_survey
    tree = framework_trees([assessment.framework_id]).get(assessment.framework_id, [])
    nodes = {node.id: node for node in tree}
    scores = {
        row[0]: row[1:]
        for row in Score.objects.filter(assessment=assessment).values_list(
            "criterion_id", "final_score", "self_score", "appraisal_reason"
        )
    }
    gaps = []
    for node in tree:
        if not node.is_leaf:
            continue
        final, own, reason = scores.get(node.id, (None, None, ""))
        area = nodes[node.area_id]
        leaf = Leaf(node.id, area.code, node.category, node.max_points, node.rule_kind == RuleKind.SURVEY)
        lost = points_lost_on(leaf, final, rescale_without_survey=rescale_without_survey)
        if lost is None or lost <= 0:
            continue
        penalty = node.category == CriterionCategory.PENALTY
        gaps.append(
            Gap(
                criterion=node,
                area=area,
                max_points=ZERO if penalty else node.max_points,
                final_score=-lost if penalty else final,
                lost=lost,
                self_score=own,
                note=reason or "",
            )
        )
    return gaps


@dataclass(frozen=True)
class PlanItem:
    """One row of a remediation plan (kế hoạch khắc phục)."""

    gap: Gap
    responsible: str
    task: str
    deadline: datetime.date | None


def remediation_plan(
    assessment: Assessment,
    criterion_ids: Iterable[int],
    *,
    deadline: datetime.date | None,
    tasks: Mapping[int, str] | None = None,
) -> list[PlanItem]:
    """Plan rows for the selected gaps of ``assessment`` (ids that are not gaps are ignored).

    The responsible unit is the assessed unit; the lead unit that appraises the
    criterion is named as the one to work with.
    """
    wanted = set(criterion_ids)
    gaps = [gap for gap in unit_gaps(assessment) if gap.criterion.id in wanted]
    lead_ids = {gap.criterion.lead_unit_id for gap in gaps if gap.criterion.lead_unit_id}
    leads = dict(Unit.objects.filter(pk__in=lead_ids).values_list("pk", "name")) if lead_ids else {}
    unit = assessment.unit
    unit_name = successor_label(unit, successors_on([unit], timezone.localdate()).get(unit.pk, []))
    next_year = assessment.round.year + 1
    items = []
    for gap in gaps:
        lead = leads.get(gap.criterion.lead_unit_id or 0)
        responsible = unit_name
        if lead and lead != unit_name:
            responsible = _("%(unit)s (phối hợp: %(lead)s)") % {"unit": unit_name, "lead": lead}
        task = (tasks or {}).get(gap.criterion.id, "").strip() or default_task(gap, next_year)
        items.append(PlanItem(gap=gap, responsible=responsible, task=task, deadline=deadline))
    return items


def successor_label(unit: Unit, successors: Sequence[Unit]) -> str:
    """``Xã Bằng Luân (kế thừa Xã Bằng Doãn)``: the units that took over a closed unit, naming it."""
    if not successors:
        return unit.name
    former = unit.name
    if any(successor.name == unit.name for successor in successors):
        former = f"{unit.name} cũ"
    return f"{', '.join(successor.name for successor in successors)} (kế thừa {former})"


def default_task(gap: Gap, year: int) -> str:
    if gap.criterion.category == CriterionCategory.PENALTY:
        return _(
            "Làm rõ nguyên nhân bị trừ điểm ở tiêu chí %(code)s; có biện pháp không để tái diễn trong năm %(year)d."
        ) % {"code": gap.criterion.code, "year": year}
    return _(
        "Rà soát hạn chế, thiếu sót ở tiêu chí %(code)s (bị trừ %(lost)s điểm); bổ sung tài liệu kiểm chứng và "
        "thực hiện đầy đủ yêu cầu để đạt điểm tối đa trong năm %(year)d."
    ) % {"code": gap.criterion.code, "lost": format_points_written(gap.lost), "year": year}


# ---------------------------------------------------------------------------
# The ranking as pages and documents show it


@dataclass(frozen=True)
class RankingRow:
    assessment_id: int
    unit_id: int
    unit_name: str
    unit_kind: str  # the unit kind of the framework: the ranking group
    total_points: Decimal
    max_points: Decimal
    index_value: Decimal
    rank: int | None
    rank_tied: bool
    grade: str
    area_indices: dict[str, Any]  # as stored: {area code: [points, max, index]}
    change: Change | None = None
    area_values: tuple[Decimal | None, ...] = ()  # component indices in the order of the group's areas


@dataclass(frozen=True)
class RankingGroup:
    unit_kind: str
    label: str
    rows: list[RankingRow]
    areas: list[tuple[str, str]]  # (code, title) of the areas with component indices


def ranking(round_: Round, *, unit_kind: str | None = None, with_changes: bool = True) -> list[RankingGroup]:
    """The round's stored results grouped by unit kind, best first (3 queries, 5–7 with the comparison)."""
    results = Result.objects.filter(assessment__round=round_)
    if unit_kind:
        results = results.filter(assessment__framework__unit_kind=unit_kind)
    rows = list(
        results.values_list(
            "assessment_id",
            "assessment__unit_id",
            "assessment__unit__name",
            "assessment__framework__unit_kind",
            "total_points",
            "max_points",
            "index_value",
            "rank",
            "rank_tied",
            "grade",
            "area_indices",
            "assessment__framework_id",
        )
    )
    changes = year_over_year(round_) if with_changes and rows else {}
    area_titles = _area_titles({row[11] for row in rows})
    groups: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    areas: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        groups[row[3]].append(row)
        for code in row[10] if isinstance(row[10], dict) else {}:
            areas[row[3]].setdefault(code, area_titles.get((row[11], code), ""))
    order = {value: position for position, value in enumerate(UnitKind.values)}
    out = []
    for kind in sorted(groups, key=lambda value: order.get(value, len(order))):
        area_list = sorted(areas[kind].items(), key=lambda item: _natural(item[0]))
        group_rows = []
        for row in groups[kind]:
            values = []
            for code, _title in area_list:
                entry = area_entry(row[10], code)
                values.append(entry.index_value if entry else None)
            group_rows.append(RankingRow(*row[:11], change=changes.get(row[0]), area_values=tuple(values)))
        group_rows.sort(key=lambda item: (item.rank or 0, -item.index_value, sort_key(item.unit_name)))
        label = str(UnitKind(kind).label) if kind in UnitKind.values else kind
        out.append(RankingGroup(unit_kind=kind, label=label, rows=group_rows, areas=area_list))
    return out


def _natural(code: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(part), "") if part.isdigit() else (1 << 30, part) for part in code.split("."))


def _area_titles(framework_ids: set[int]) -> dict[tuple[int, str], str]:
    if not framework_ids:
        return {}
    rows = Criterion.objects.filter(framework_id__in=framework_ids, parent__isnull=True).values_list(
        "framework_id", "code", "title"
    )
    return {(framework_id, code): title for framework_id, code, title in rows}


@dataclass(frozen=True)
class RoundGap:
    assessment_id: int
    criterion: CriterionInfo
    final_score: Decimal | None
    lost: Decimal


def round_gaps(round_: Round, data: RoundData) -> list[RoundGap]:
    """Every unit's criteria below max, from data already read (no query)."""
    gaps = []
    empty: dict[int, Any] = {}
    for assessment_id, _unit_id, _kind, framework_id in data.assessments:
        tree = data.trees.get(framework_id, [])
        leaves = {leaf.criterion_id: leaf for leaf in data.leaves.get(framework_id, [])}
        scores = data.scores.get(assessment_id, empty)
        for node in tree:
            leaf = leaves.get(node.id)
            if leaf is None:
                continue
            score = scores.get(node.id)
            lost = points_lost_on(leaf, score, rescale_without_survey=round_.rescale_without_survey)
            if lost is not None and lost > 0:
                final = -lost if node.category == CriterionCategory.PENALTY else score
                gaps.append(RoundGap(assessment_id, node, data.points(final), data.points(lost) or ZERO))
    return gaps
