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
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.directives.models import DeadlineKind, Directive, DirectiveKind, ExpectedOutput
from cchc.directives.services import DirectiveData, TaskData, directive_create_with_tasks
from cchc.frameworks.models import CriterionCategory
from cchc.lib.errors import ServiceError
from cchc.lib.numbers import format_points_written
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.text import normalize, sort_key
from cchc.lib.types import ActorOrSystem
from cchc.organisations.models import Unit
from cchc.organisations.selectors import successors_on

from .analysis import round_gaps, successor_label, unit_gaps
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
    # The units in force today that took over ``unit`` when it has closed since the round (a merged commune).
    successors: tuple[Unit, ...] = ()

    @property
    def is_penalty(self) -> bool:
        return self.criterion.category == CriterionCategory.PENALTY

    @property
    def responsible(self) -> tuple[Unit, ...]:
        """Who carries out the remediation: the assessed unit, or its successors when it has closed."""
        return self.successors or (self.unit,)

    @property
    def responsible_label(self) -> str:
        return successor_label(self.unit, self.successors)


def successors_today(units: Iterable[Unit], day: datetime.date | None = None) -> dict[int, list[Unit]]:
    """For each unit closed on ``day`` (today), its successors in force; a closed unit with none is refused.

    Points lost by a commune that merged away after the round are remediated by the ward or commune that took it
    over (the predecessor → successor links of the unit tree); without such a link nobody could carry out the task.
    """
    closed = successors_on(list(dict.fromkeys(units)), day or timezone.localdate())
    orphans = [pk for pk, found in closed.items() if not found]
    if orphans:
        names = sorted(Unit.objects.filter(pk__in=orphans).values_list("name", flat=True), key=sort_key)
        raise ServiceError(
            _(
                "Đơn vị không còn hoạt động và chưa có đơn vị kế thừa: %(names)s. Hãy ghi đơn vị kế thừa trong "
                "cây đơn vị trước khi lập kế hoạch khắc phục."
            )
            % {"names": ", ".join(names)},
            field="gaps",
        )
    return closed


def with_successors(gaps: Sequence[SelectedGap], day: datetime.date | None = None) -> list[SelectedGap]:
    """The gaps with the successors of every unit closed since the round (see :func:`successors_today`)."""
    closed = successors_today((gap.unit for gap in gaps), day)
    return [replace(gap, successors=tuple(closed.get(gap.unit.pk, ()))) for gap in gaps]


def plan_key(round_: Round, gaps: Sequence[SelectedGap]) -> str:
    """What identifies a plan: the round and the (unit, criterion) gaps it remediates.

    Stored as the directive's ``origin_key``, unique in the database, so the same selection submitted twice (a
    double click, two tabs, a retry) gives one plan.
    """
    pairs = sorted({f"{gap.unit.pk}:{gap.criterion.id}" for gap in gaps})
    digest = hashlib.sha256(",".join(pairs).encode()).hexdigest()[:40]
    return f"remediation:{round_.pk}:{digest}"


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
        return f"bị trừ {format_points_written(gap.lost)} điểm"
    return f"đạt {format_points_written(gap.final_score or ZERO)}/{format_points_written(gap.max_points)} điểm"


def task_content(criterion: CriterionInfo, gaps: Sequence[SelectedGap]) -> str:
    """The task for one criterion: what was lost, by whom when several units share it or a successor inherits it."""
    head = f"Khắc phục tiêu chí {criterion.code} {criterion.title}"
    if len(gaps) == 1 and not gaps[0].successors:
        return f"{head}: {_shortfall(gaps[0])}."
    if len(gaps) <= MAX_NAMED_UNITS:
        return f"{head}: " + "; ".join(f"{gap.responsible_label} {_shortfall(gap)}" for gap in gaps) + "."
    lost = sum((gap.lost for gap in gaps), ZERO)
    return f"{head}: {len(gaps)} đơn vị bị mất tổng cộng {format_points_written(lost)} điểm."


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
        units = list(dict.fromkeys(gap.unit for gap in unit_gaps_ if not gap.successors))
        closed = list(dict.fromkeys(gap.unit for gap in unit_gaps_ if gap.successors))
        inherited = [gap.responsible_label for gap in unit_gaps_ if gap.successors]
        lead = leads.get(info.lead_unit_id or 0)
        tasks.append(
            TaskData(
                content=task_content(info, unit_gaps_),
                deadline_kind=DeadlineKind.DATE,
                deadline=deadline,
                units=units,
                inherits_from=closed,
                lead_label="; ".join(dict.fromkeys(inherited)),
                section=info.code,
                supporting_units=[lead] if lead is not None and lead not in units and lead.is_active() else [],
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
    actor: ActorOrSystem,
    round_: Round,
    gaps: Sequence[SelectedGap],
    deadline: datetime.date | None = None,
    reference: str = "",
    today: datetime.date | None = None,
) -> Directive:
    """One directive of kind "Kế hoạch" issued by the round's organiser, one task per selected criterion.

    Each task goes to every unit in ``gaps`` that lost points on its criterion
    (one assignment each) — or, for a unit closed since the round, to the units
    that took it over, named as its successors —, is linked to the criterion,
    asks for a report by ``deadline`` (default: :func:`default_deadline`).
    Everything or nothing is written; the directives services audit it. The
    same selection submitted again raises
    :class:`~cchc.directives.services.DirectiveExistsError` naming the plan
    already created (a unique ``origin_key``, so two simultaneous submissions
    give one plan too).
    """
    if not gaps:
        raise ServiceError(_("Chọn ít nhất một tiêu chí để lập kế hoạch khắc phục."), field="gaps")
    day = today or timezone.localdate()
    deadline = deadline or default_deadline(day)
    if deadline < day:
        raise ServiceError(_("Thời hạn hoàn thành không được trước ngày hôm nay."), field="deadline")
    key = plan_key(round_, gaps)
    gaps = with_successors(gaps, day)
    assessed = list(dict.fromkeys(gap.unit for gap in gaps))
    units = list(dict.fromkeys(unit for gap in gaps for unit in gap.responsible))
    subject = f"Kế hoạch khắc phục các tiêu chí Chỉ số CCHC năm {round_.year} bị trừ điểm"
    if len(assessed) == 1:
        subject = f"{subject} của {gaps[0].responsible_label}"
    addressees = "; ".join(unit.name for unit in units[:MAX_NAMED_UNITS])
    if len(units) > MAX_NAMED_UNITS:
        addressees = f"{addressees} và {len(units) - MAX_NAMED_UNITS} đơn vị khác"
    data = DirectiveData(
        kind=DirectiveKind.PLAN,
        subject=subject,
        issuing_unit=round_.organiser,
        reference=normalize(reference)[:100],
        addressees=addressees,
        horizon_end=None,
        note=f"Lập từ kết quả {round_.name}.",
        origin_key=key,
    )
    return directive_create_with_tasks(
        actor=actor,
        data=data,
        tasks=_tasks(gaps, deadline),
        reason=f"Kế hoạch khắc phục từ kết quả {round_.name}",
    )
