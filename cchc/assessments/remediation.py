"""Turning the criteria a round's units lost points on into a tracked remediation plan.

The secretariat selects gaps — criteria below the maximum of one unit (the
unit's result page) or of every unit that lost points on them (the points-lost
page) — and :func:`remediation_tasks_create` registers, through the directives
services, one directive of kind "Kế hoạch" issued by the round's organiser with
one task per selected criterion. Each task is linked to its criterion, asks for
a report by the chosen deadline (by default the end of the next quarter) and
fans out to one assignment per unit that lost points on it, so each unit finds
it in its "my tasks" and reports on it like any other task.

The directive's subject and the tasks' content are the text of an official
plan, so they are written in Vietnamese whatever the reader's language (as the
documents of :mod:`cchc.assessments.documents`); only messages are translated.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.directives.models import DeadlineKind, Directive, DirectiveKind, ExpectedOutput
from cchc.directives.services import DirectiveData, TaskData, directive_create_with_tasks
from cchc.frameworks.models import CriterionCategory
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.text import normalize, sort_key
from cchc.organisations.models import Unit

from .analysis import format_points, round_gaps, unit_gaps
from .models import Assessment, Round
from .results import ZERO, CriterionInfo, load_round

# Units named one by one in a task's content at most; beyond that the content gives their number.
MAX_NAMED_UNITS = 5


@dataclass(frozen=True)
class SelectedGap:
    """One unit's shortfall on one leaf criterion, chosen for the remediation plan."""

    unit: Unit
    criterion: CriterionInfo
    max_points: Decimal  # 0 for a penalty
    final_score: Decimal | None  # a penalty shows as a negative score
    lost: Decimal

    @property
    def is_penalty(self) -> bool:
        return self.criterion.category == CriterionCategory.PENALTY


def default_deadline(today: datetime.date | None = None) -> datetime.date:
    """The end of the quarter after the one containing ``today``."""
    day = today or timezone.localdate()
    return Period.containing(day, PeriodKind.QUARTER).next().end


def _ids(values: Iterable[Any]) -> set[int]:
    ids = set()
    for value in values:
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            raise ServiceError(_("Tiêu chí đã chọn không hợp lệ."), field="gaps") from None
    if not ids:
        raise ServiceError(_("Chọn ít nhất một tiêu chí để lập kế hoạch khắc phục."), field="gaps")
    return ids


def _check_all_found(wanted: set[int], found: Iterable[int]) -> None:
    if wanted - set(found):
        raise ServiceError(_("Có tiêu chí đã chọn không bị mất điểm trong kỳ đánh giá này."), field="gaps")


def unit_selection(assessment: Assessment, criterion_ids: Iterable[Any]) -> list[SelectedGap]:
    """The selected criteria of one unit, each of which must be below its maximum."""
    wanted = _ids(criterion_ids)
    gaps = [gap for gap in unit_gaps(assessment) if gap.criterion.id in wanted]
    _check_all_found(wanted, (gap.criterion.id for gap in gaps))
    return [
        SelectedGap(
            unit=assessment.unit,
            criterion=gap.criterion,
            max_points=gap.max_points,
            final_score=gap.final_score,
            lost=gap.lost,
        )
        for gap in gaps
    ]


def round_selection(round_: Round, criterion_ids: Iterable[Any]) -> list[SelectedGap]:
    """Every unit of the round that lost points on one of the selected criteria."""
    wanted = _ids(criterion_ids)
    data = load_round(round_)
    gaps = [gap for gap in round_gaps(round_, data) if gap.criterion.id in wanted]
    _check_all_found(wanted, (gap.criterion.id for gap in gaps))
    unit_of = {assessment_id: unit_id for assessment_id, unit_id, _kind, _framework in data.assessments}
    units = Unit.objects.in_bulk({unit_of[gap.assessment_id] for gap in gaps})
    return [
        SelectedGap(
            unit=units[unit_of[gap.assessment_id]],
            criterion=gap.criterion,
            max_points=ZERO if gap.criterion.category == CriterionCategory.PENALTY else gap.criterion.max_points,
            final_score=gap.final_score,
            lost=gap.lost,
        )
        for gap in gaps
    ]


def _shortfall(gap: SelectedGap) -> str:
    if gap.is_penalty:
        return f"bị trừ {format_points(gap.lost)} điểm"
    return f"đạt {format_points(gap.final_score or ZERO)}/{format_points(gap.max_points)} điểm"


def task_content(criterion: CriterionInfo, gaps: Sequence[SelectedGap]) -> str:
    """The task for one criterion: what was lost, by whom when several units share it."""
    head = f"Khắc phục tiêu chí {criterion.code} {criterion.title}"
    if len(gaps) == 1:
        return f"{head}: {_shortfall(gaps[0])}."
    if len(gaps) <= MAX_NAMED_UNITS:
        return f"{head}: " + "; ".join(f"{gap.unit.name} {_shortfall(gap)}" for gap in gaps) + "."
    lost = sum((gap.lost for gap in gaps), ZERO)
    return f"{head}: {len(gaps)} đơn vị bị mất tổng cộng {format_points(lost)} điểm."


def _tasks(gaps: Sequence[SelectedGap], deadline: datetime.date) -> list[TaskData]:
    by_criterion: dict[int, list[SelectedGap]] = defaultdict(list)
    criteria: dict[int, CriterionInfo] = {}
    for gap in gaps:
        by_criterion[gap.criterion.id].append(gap)
        criteria[gap.criterion.id] = gap.criterion
    lead_ids = {info.lead_unit_id for info in criteria.values() if info.lead_unit_id}
    leads = Unit.objects.in_bulk(lead_ids) if lead_ids else {}
    tasks = []
    ordered = sorted(criteria.values(), key=lambda info: (_code_key(info.code), info.id))
    for info in ordered:
        unit_gaps_ = sorted(by_criterion[info.id], key=lambda gap: (-gap.lost, sort_key(gap.unit.name)))
        units = list(dict.fromkeys(gap.unit for gap in unit_gaps_))
        lead = leads.get(info.lead_unit_id or 0)
        tasks.append(
            TaskData(
                content=task_content(info, unit_gaps_),
                deadline_kind=DeadlineKind.DATE,
                deadline=deadline,
                units=units,
                section=info.code,
                supporting_units=[lead] if lead is not None and lead not in units else [],
                expected_output=ExpectedOutput.REPORT,
                criteria=[info.id],
            )
        )
    return tasks


def _code_key(code: str) -> tuple[tuple[int, Any], ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in code.split("."))


@transaction.atomic
def remediation_tasks_create(
    *,
    actor: Any,
    round: Round,
    gaps: Sequence[SelectedGap],
    deadline: datetime.date | None = None,
    reference: str = "",
    today: datetime.date | None = None,
) -> Directive:
    """One directive of kind "Kế hoạch" issued by the round's organiser, one task per selected criterion.

    Each task goes to every unit in ``gaps`` that lost points on its criterion
    (one assignment each), is linked to the criterion, asks for a report by
    ``deadline`` (default: :func:`default_deadline`). Everything or nothing is
    written; the directives services audit it.
    """
    if not gaps:
        raise ServiceError(_("Chọn ít nhất một tiêu chí để lập kế hoạch khắc phục."), field="gaps")
    day = today or timezone.localdate()
    deadline = deadline or default_deadline(day)
    if deadline < day:
        raise ServiceError(_("Thời hạn hoàn thành không được trước ngày hôm nay."), field="deadline")
    units = list(dict.fromkeys(gap.unit for gap in gaps))
    subject = f"Kế hoạch khắc phục các tiêu chí Chỉ số CCHC năm {round.year} bị trừ điểm"
    if len(units) == 1:
        subject = f"{subject} của {units[0].name}"
    addressees = "; ".join(unit.name for unit in units[:MAX_NAMED_UNITS])
    if len(units) > MAX_NAMED_UNITS:
        addressees = f"{addressees} và {len(units) - MAX_NAMED_UNITS} đơn vị khác"
    data = DirectiveData(
        kind=DirectiveKind.PLAN,
        subject=subject,
        issuing_unit=round.organiser,
        reference=normalize(reference)[:100],
        addressees=addressees,
        horizon_end=None,
        note=f"Lập từ kết quả {round.name}.",
    )
    return directive_create_with_tasks(
        actor=actor,
        data=data,
        tasks=_tasks(gaps, deadline),
        reason=f"Kế hoạch khắc phục từ kết quả {round.name}",
    )
