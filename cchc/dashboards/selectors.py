"""Reads for the role home pages. Each page runs a fixed, small number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cchc.accounts.models import Role, User
from cchc.accounts.roles import has_role, is_focal_point_for, role_assignments
from cchc.assessments.analysis import LossRow, RankingRow, ranking, round_points_lost
from cchc.assessments.models import PUBLISHED_STAGES, Assessment, AssessmentStatus, Round, Stage
from cchc.assessments.selectors import (
    RankPoint,
    RoundProgress,
    SheetDeadline,
    SheetState,
    rank_history,
    round_progress,
    sheet_deadline,
    sheet_states,
)
from cchc.audit import selectors as audit_selectors
from cchc.audit.models import AuditEntry
from cchc.directives.models import Assignment, AssignmentQuerySet
from cchc.directives.selectors import UnitWork, attention, my_tasks
from cchc.indicators import external
from cchc.indicators import selectors as indicator_selectors
from cchc.indicators.models import Indicator, IndicatorSource, IndicatorValue, ValueState
from cchc.indicators.selectors import IndicatorStanding, UnitStanding
from cchc.lib.periods import Period
from cchc.lib.text import sort_key
from cchc.lib.types import Viewer
from cchc.organisations.models import Membership, Unit, UnitKind, UnitQuerySet, subtree_condition
from cchc.organisations.selectors import tree_rows
from cchc.procedures.kpis import SCORE_CODE as SERVICE_SCORE_CODE

# Roles from the most responsible down: the home page a user lands on is that of the first role they hold
# (``access.home_role``), and their scopes are listed in this order.
HOME_ORDER = [
    Role.ADMIN,
    Role.SECRETARIAT,
    Role.LEADER,
    Role.COUNCIL,
    Role.APPRAISER,
    Role.FOCAL_POINT,
    Role.SUPERVISOR,
]


def unit_counts(units: UnitQuerySet) -> list[dict[str, Any]]:
    """Active units per kind, in the order of :class:`UnitKind`."""
    rows = {row["kind"]: row["n"] for row in units.active().values("kind").annotate(n=Count("id"))}
    return [{"kind": label, "count": rows.get(value, 0)} for value, label in UnitKind.choices if rows.get(value)]


def recent_changes(entries: QuerySet[AuditEntry], limit: int = 8) -> list[AuditEntry]:
    """The latest of ``entries`` (those the reader may read), labelled for the table."""
    return audit_selectors.labelled(entries[:limit])


@dataclass
class UnitWithMembers:
    unit: Unit
    position: str
    members: list[Membership] = field(default_factory=list)


def my_units_with_members(user: Viewer, *, with_members: bool = True) -> list[UnitWithMembers]:
    """The units the user works in, each with its colleagues (two queries)."""
    if not isinstance(user, User):
        return []
    own = list(user.memberships.select_related("unit").order_by("unit__path"))
    if not own or not with_members:
        return [UnitWithMembers(unit=m.unit, position=m.position) for m in own]
    colleagues = (
        Membership.objects.filter(unit__in=[m.unit_id for m in own], user__is_active=True)
        .select_related("user")
        .order_by("-is_head", "user__full_name", "user__username")
    )
    by_unit: dict[int, list[Membership]] = {}
    # Heads first, then by name in Vietnamese order (no database collation sorts Vietnamese everywhere).
    ordered = sorted(
        colleagues, key=lambda m: (not m.is_head, sort_key(m.user.full_name or m.user.username), m.user.username)
    )
    for membership in ordered:
        by_unit.setdefault(membership.unit_id, []).append(membership)
    return [UnitWithMembers(unit=m.unit, position=m.position, members=by_unit.get(m.unit_id, [])) for m in own]


@dataclass(frozen=True)
class Scope:
    role: str
    unit: Unit | None


def scopes(user: Viewer) -> list[Scope]:
    """The user's roles and where each applies (no query: the roles are already read for the request)."""
    return [
        Scope(role=str(a.get_role_display()), unit=a.scope)
        for a in sorted(role_assignments(user), key=lambda a: HOME_ORDER.index(Role(a.role)))
    ]


def units_under_scopes(user: Viewer) -> list[Unit]:
    """Active units directly below the units the user's roles are scoped to (one query)."""
    scope_ids = [a.scope_id for a in role_assignments(user) if a.scope_id]
    if not scope_ids:
        return []
    return tree_rows(Unit.objects.filter(parent__in=scope_ids).active())


@dataclass(frozen=True)
class PeopleSummary:
    total: int
    locked: int
    without_role: list[User]
    without_role_count: int


def people_summary(users: QuerySet[User], limit: int = 8) -> PeopleSummary:
    """Accounts the user manages (``users``), and the ones still waiting for a role."""
    waiting = users.filter(role_assignments__isnull=True, is_active=True)
    return PeopleSummary(
        total=users.count(),
        locked=users.filter(is_active=False).count(),
        without_role=list(waiting.order_by("-date_joined")[:limit]),
        without_role_count=waiting.count(),
    )


def own_open_sheet(user: Viewer, sheets: QuerySet[Assessment]) -> Assessment | None:
    """The self-assessment sheet the user answers for and may still fill in, when there is exactly one (one query).

    ``sheets`` are the sheets the user may read. Open as :func:`cchc.assessments.access.can_edit_self_assessment`
    says: a draft while its round self-assesses (or is in appraisal with the unit's own extended deadline), a
    reopened sheet in self-assessment or appraisal.
    """
    if not has_role(user, Role.FOCAL_POINT):
        return None
    open_stage = (
        Q(status=AssessmentStatus.DRAFT, round__stage=Stage.SELF_ASSESSMENT)
        | Q(status=AssessmentStatus.DRAFT, round__stage=Stage.APPRAISAL, deadline__isnull=False)
        | Q(status=AssessmentStatus.REOPENED, round__stage__in=(Stage.SELF_ASSESSMENT, Stage.APPRAISAL))
    )
    candidates = sheets.filter(open_stage).select_related("round", "unit")
    editable = [
        sheet
        for sheet in candidates[:2]
        if is_focal_point_for(user, sheet.unit) and sheet.is_open_for_self_assessment()
    ]
    return editable[0] if len(editable) == 1 else None


# ---------------------------------------------------------------------------
# The dashboards: each figure is read through the selector of the app that owns it.


@dataclass(frozen=True)
class BoardFilters:
    year: int
    kind: str = ""
    unit: Unit | None = None

    def narrow(self, rows: QuerySet[Any], field: str = "unit") -> QuerySet[Any]:
        """``rows`` (already the reader's) kept to the chosen subtree and unit kind."""
        if self.unit is not None:
            rows = rows.filter(subtree_condition([self.unit.path], field))
        if self.kind:
            rows = rows.filter(**{f"{field}__kind": self.kind})
        return rows

    @property
    def kind_label(self) -> str:
        return str(UnitKind(self.kind).label) if self.kind in UnitKind.values else ""

    def query(self) -> dict[str, Any]:
        """The filters as query-string values, for the links to the lists behind the tiles."""
        return {"year": self.year, "kind": self.kind, "unit": self.unit.pk if self.unit else ""}


# The registers publish these into the indicator store; the dashboards read nothing else of them.
INSPECTION_CODES = ("inspections.coverage_rate", "inspections.findings_remedied_rate")
INITIATIVE_CODE = "initiatives.recognised_count"
REGISTER_CODES = (*INSPECTION_CODES, INITIATIVE_CODE)


def default_year(rounds: QuerySet[Round], today: datetime.date | None = None) -> int:
    """The year a dashboard opens on: that of the latest round past preparation (up to next year), else this year."""
    this_year = (today or timezone.localdate()).year
    latest = (
        rounds.exclude(stage=Stage.DRAFT)
        .filter(year__lte=this_year + 1)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return latest or this_year


def current_round(rounds: QuerySet[Round], year: int) -> Round | None:
    """The round of ``year`` a dashboard follows: the latest one past preparation, still running if any."""
    candidates = list(rounds.filter(year=year).exclude(stage=Stage.DRAFT).order_by("-created_at")[:5])
    running = [round_ for round_ in candidates if round_.stage not in PUBLISHED_STAGES]
    chosen = running or candidates
    return chosen[0] if chosen else None


def latest_published_round(rounds: QuerySet[Round], year: int) -> Round | None:
    """The latest round published in or before ``year``."""
    return rounds.filter(year__lte=year, stage__in=PUBLISHED_STAGES).order_by("-year", "-created_at").first()


@dataclass
class SecretariatBoard:
    filters: BoardFilters
    round: Round | None
    progress: RoundProgress | None
    work: list[UnitWork]
    overdue_total: int
    waiting_total: int
    below_target: list[IndicatorStanding]
    surveys_below_target: list[IndicatorStanding]
    registers: dict[str, IndicatorStanding]

    @property
    def inspection_coverage(self) -> IndicatorStanding | None:
        return self.registers.get(INSPECTION_CODES[0])

    @property
    def inspection_remedies(self) -> IndicatorStanding | None:
        return self.registers.get(INSPECTION_CODES[1])

    @property
    def initiatives(self) -> IndicatorStanding | None:
        return self.registers.get(INITIATIVE_CODE)


WORK_ROWS = 10
# Units of an indicator shown on a board (the counts cover every unit; the indicator's page lists them all).
STANDING_ROWS = 10


def secretariat_board(
    filters: BoardFilters,
    *,
    rounds: QuerySet[Round],
    sheets: QuerySet[Assessment],
    assignments: AssignmentQuerySet,
    values: QuerySet[IndicatorValue],
) -> SecretariatBoard:
    """The secretariat's dashboard over what the reader may read (each argument: the owning app's access)."""
    round_ = current_round(rounds, filters.year)
    progress = round_progress(round_, filters.narrow(sheets)) if round_ else None
    work = attention(cast(AssignmentQuerySet, filters.narrow(assignments)), top=WORK_ROWS)
    standing = indicator_selectors.standings(
        filters.narrow(values), filters.year, exclude_sources=(IndicatorSource.EXTERNAL,), keep=STANDING_ROWS
    )
    own = [row for row in standing if row.indicator.code not in REGISTER_CODES]
    return SecretariatBoard(
        filters=filters,
        round=round_,
        progress=progress,
        work=work.rows,
        overdue_total=work.overdue,
        waiting_total=work.waiting,
        below_target=[row for row in own if row.not_met and row.indicator.source != IndicatorSource.SURVEYS],
        surveys_below_target=[row for row in own if row.not_met and row.indicator.source == IndicatorSource.SURVEYS],
        registers={row.indicator.code: row for row in standing if row.indicator.code in REGISTER_CODES},
    )


@dataclass
class IndexTrend:
    """One published index of the province: its total year by year against the mean of provinces, and its rank."""

    index: external.ExternalIndex
    province: Unit
    years: list[int]
    values: list[Decimal | None]
    means: list[Decimal | None]
    year: int | None
    rank: external.Rank | None
    provinces_ranked: int
    illustrative_years: frozenset[int] = frozenset()  # years whose figure of the province is an illustration

    @property
    def rows(self) -> list[tuple[int, Decimal | None, Decimal | None, bool]]:
        """(year, the province's figure, the mean of the provinces, whether the figure is illustrative), for the
        table beside the chart."""
        marks = [year in self.illustrative_years for year in self.years]
        return list(zip(self.years, self.values, self.means, marks, strict=True))

    @property
    def value(self) -> Decimal | None:
        return self.values[self.years.index(self.year)] if self.year in self.years else None

    @property
    def value_illustrative(self) -> bool:
        return self.year in self.illustrative_years

    @property
    def any_illustrative(self) -> bool:
        return bool(self.illustrative_years & set(self.years))


@dataclass
class ServiceTrend:
    """The province's service score over its latest accepted periods up to the end of ``year``, oldest first; each
    period is (label, value, whether it falls in ``year``), so the year the board is filtered on stands out."""

    indicator: Indicator | None
    periods: list[tuple[str, Decimal, bool]]
    year: int | None = None
    since: int | None = None  # the year of the first period shown


@dataclass
class LeaderBoard:
    filters: BoardFilters
    province: Unit | None
    indices: list[IndexTrend]
    service: ServiceTrend
    round: Round | None
    weakest: list[RankingRow]
    weakest_criteria: list[LossRow]
    compared: list[RankingRow]
    work: list[UnitWork]


WEAKEST_ROWS = 5


def index_trend(index: external.ExternalIndex, province: Unit, year: int) -> IndexTrend | None:
    """The province's total of ``index`` through the years (:func:`external.province_report`), ``None`` without
    any published figure."""
    report = external.province_report(index=index, province=province, year=None)
    total = f"{index.key}.total"
    own = report.trend.get(total, {})
    if not own:
        return None
    years = [y for y in report.years if y <= year] or report.years
    shown = max((y for y in years if y in own), default=None)
    ranked = external.province_report(index=index, province=province, year=shown) if shown != report.year else report
    row = next((row for row in ranked.rows if row.item.code == total), None)
    means = report.mean_trend.get(total, {})
    return IndexTrend(
        index=index,
        province=province,
        years=years,
        values=[own.get(y) for y in years],
        means=[means.get(y) for y in years],
        year=shown,
        rank=row.rank if row else None,
        provinces_ranked=ranked.provinces_ranked,
        illustrative_years=frozenset(y for code, y in report.illustrative if code == total),
    )


def service_trend(
    values: QuerySet[IndicatorValue], province: Unit | None, year: int | None = None, *, last: int = 8
) -> ServiceTrend:
    """The QĐ 766 service score of the province, its last ``last`` accepted periods ending in or before ``year``
    (all periods without a year), oldest first: a trend over several years that stops at the year chosen, like the
    index trends, with the periods of that year marked."""
    indicator = Indicator.objects.filter(code=SERVICE_SCORE_CODE).first()
    if indicator is None or province is None:
        return ServiceTrend(indicator=indicator, periods=[], year=year)
    found = values.filter(indicator=indicator, unit=province, state=ValueState.ACCEPTED)
    if year is not None:
        found = found.filter(period_end__lte=datetime.date(year, 12, 31))
    rows = list(found.order_by("-period_end").values_list("period_key", "value")[:last])
    periods = [(Period.from_key(key), value) for key, value in rows[::-1]]
    return ServiceTrend(
        indicator=indicator,
        periods=[(str(period), value, period.year == year) for period, value in periods],
        year=year,
        since=periods[0][0].year if periods else None,
    )


def leader_board(
    filters: BoardFilters,
    *,
    provinces: UnitQuerySet,
    rounds: QuerySet[Round],
    sheets: QuerySet[Assessment],
    assignments: AssignmentQuerySet,
    values: QuerySet[IndicatorValue],
    can_view_results: Callable[[Round], bool],
) -> LeaderBoard:
    """The leader's dashboard: published indices, the weakest units and criteria, overdue work, year over year."""
    province = provinces.order_by("path").first()
    indices = []
    if province is not None:
        for key in ("par", "sipas", "papi"):
            index = external.get_index(key)
            trend = index_trend(index, province, filters.year) if index else None
            if trend is not None:
                indices.append(trend)
    round_ = latest_published_round(rounds, filters.year)
    if round_ is not None and not can_view_results(round_):
        round_ = None
    weakest: list[RankingRow] = []
    compared: list[RankingRow] = []
    criteria: list[LossRow] = []
    if round_ is not None:
        # The whole ranking is the reader's to see (``can_view_results``); the filters narrow it.
        visible = set(filters.narrow(Assessment.objects.filter(round=round_)).values_list("pk", flat=True))
        rows = [row for group in ranking(round_) for row in group.rows if row.assessment_id in visible]
        weakest = sorted(rows, key=lambda row: (row.index_value, sort_key(row.unit_name)))[:WEAKEST_ROWS]
        compared = sorted(
            (row for row in rows if row.change is not None and row.change.basis != "same"),
            key=lambda row: sort_key(row.unit_name),
        )
        criteria = round_points_lost(round_)[:WEAKEST_ROWS]
    return LeaderBoard(
        filters=filters,
        province=province,
        indices=indices,
        service=service_trend(values, province, filters.year),
        round=round_,
        weakest=weakest,
        weakest_criteria=criteria,
        compared=compared,
        work=attention(cast(AssignmentQuerySet, filters.narrow(assignments)), top=WORK_ROWS).rows,
    )


@dataclass
class SheetStatus:
    sheet: Assessment
    states: frozenset[str]
    deadline: SheetDeadline | None

    @property
    def state_labels(self) -> list[str]:
        return [str(label) for state, label in SheetState.LABELS.items() if state in self.states]


@dataclass
class FocalBoard:
    filters: BoardFilters
    unit: Unit | None
    overdue: list[Assignment]
    this_week: list[Assignment]
    sheet: SheetStatus | None
    indicators: list[tuple[IndicatorStanding, UnitStanding]]
    satisfaction: list[tuple[IndicatorStanding, UnitStanding]]
    ranks: list[RankPoint]


def focal_unit(user: Viewer) -> Unit | None:
    """The unit a focal point answers for: the first unit their focal-point roles are scoped to, else their own."""
    for assignment in role_assignments(user):
        if assignment.role == Role.FOCAL_POINT and assignment.scope is not None:
            return assignment.scope
    if isinstance(user, User):
        membership = user.memberships.select_related("unit").order_by("unit__path").first()
        return membership.unit if membership else None
    return None


def focal_board(
    filters: BoardFilters,
    *,
    unit: Unit | None,
    sheets: QuerySet[Assessment],
    rounds: QuerySet[Round],
    assignments: AssignmentQuerySet,
    values: QuerySet[IndicatorValue],
    can_view_results: Callable[[Round], bool],
    today: datetime.date | None = None,
) -> FocalBoard:
    """The focal point's (and the unit head's) dashboard: this week's deadlines, the sheet, indicators, ranks."""
    today = today or timezone.localdate()
    if unit is None:
        return FocalBoard(filters, None, [], [], None, [], [], [])
    tasks = my_tasks(assignments.filter(unit=unit), day=today)
    week_end = today + datetime.timedelta(days=6 - today.weekday())
    this_week = [row for row in tasks.due_soon if row.due_date and row.due_date <= week_end]
    own_sheets = sheets.filter(unit=unit).exclude(round__stage=Stage.DRAFT)
    sheet = own_sheets.filter(round__year=filters.year).select_related("round").order_by("-round__created_at").first()
    status = None
    if sheet is not None:
        states = sheet_states(Assessment.objects.filter(pk=sheet.pk), today).get(sheet.pk, frozenset())
        status = SheetStatus(sheet=sheet, states=states, deadline=sheet_deadline(sheet, today))
    standing = indicator_selectors.standings(
        values.filter(unit=unit), filters.year, exclude_sources=(IndicatorSource.EXTERNAL,)
    )
    pairs = [(row, unit_row) for row in standing for unit_row in row.rows]
    # Published rankings are public to the province: the rank history reads them, not the sheets.
    published = [
        round_.pk for round_ in rounds.filter(stage__in=PUBLISHED_STAGES).order_by("year") if can_view_results(round_)
    ]
    return FocalBoard(
        filters=filters,
        unit=unit,
        overdue=tasks.overdue,
        this_week=this_week,
        sheet=status,
        indicators=[pair for pair in pairs if pair[0].indicator.source != IndicatorSource.SURVEYS],
        satisfaction=[pair for pair in pairs if pair[0].indicator.source == IndicatorSource.SURVEYS],
        ranks=rank_history(unit.pk, Assessment.objects.filter(round__in=published)),
    )


@dataclass
class SupervisorBoard:
    filters: BoardFilters
    questionnaires: list[Any]
    satisfaction: list[IndicatorStanding]
    published: list[Round]


def supervisor_board(
    filters: BoardFilters,
    *,
    questionnaires: QuerySet[Any],
    rounds: QuerySet[Round],
    values: QuerySet[IndicatorValue],
) -> SupervisorBoard:
    """The Fatherland Front's dashboard: the surveys and their results against target, the published rankings."""
    standing = indicator_selectors.standings(
        filters.narrow(values), filters.year, exclude_sources=(IndicatorSource.EXTERNAL,), keep=STANDING_ROWS
    )
    return SupervisorBoard(
        filters=filters,
        questionnaires=list(questionnaires.order_by("-pk")[:10]),
        satisfaction=[row for row in standing if row.indicator.source == IndicatorSource.SURVEYS],
        published=list(rounds.filter(stage__in=PUBLISHED_STAGES).order_by("-year", "-created_at")[:6]),
    )
