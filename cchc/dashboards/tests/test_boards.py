"""Every dashboard figure against a small province whose numbers are worked out by hand below.

The province (``cchc.testing.personas``): unit A (Sở Tư pháp, a department) and unit B (Xã Hòa Bình, a commune).

- PAR round 2025 in self-assessment: A has self-assessed every leaf and submitted, B has not started. Hence
  submitted 1/2, late 0, overdue 0, not started 1, appraised 0/2; ten days later than B's extended deadline
  (today + 15) B is overdue.
- One task due 30/09/2025 for A and B, none done: two assignments overdue, one per unit; none waiting.
- Indicator ``kpi.thu_nghiem`` (target 90 in 2025): A 80 (chưa đạt), B 95 (đạt) → one indicator below target,
  1 of 2 units. Survey indicator ``surveys.hai_long`` (target 75): A 70 (chưa đạt), B 85 (đạt).
  ``initiatives.recognised_count`` (target 3): A 3 (đạt), B 1 (chưa đạt). No inspection figures: "chưa có dữ liệu".
  The neighbouring province's commune has 10 on ``kpi.thu_nghiem``: nobody in this province counts it.
- Published PAR INDEX totals: 2023 P 80, Q 85 (mean 82,5); 2024 P 86, Q 84 (mean 85) → P ranks 1 of 2 in 2024.
- Service score ``dossiers.score_766`` of the province: 2024 70, 2025 75.
- Published rounds: 2023 with "Xã Cũ" (index 100, later merged into B), 2024 (previous: 2023) with A, Sở Nội vụ and
  B; A and Sở Nội vụ both 92 points (rank 1, shared); B is compared with Xã Cũ.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.assessments import services as assessment_services
from cchc.assessments.access import can_view_round_results, get_assessments_for_user, get_rounds_for_user
from cchc.assessments.models import Stage
from cchc.assessments.results import compute_round
from cchc.assessments.selectors import SheetState, round_progress, sheet_states
from cchc.assessments.tests.conftest import build_workflow, self_assess_all
from cchc.assessments.tests.factories import build_assessment, build_framework, build_round
from cchc.dashboards import selectors
from cchc.dashboards.selectors import BoardFilters
from cchc.directives.access import get_assignments_for_user
from cchc.directives.models import Task
from cchc.directives.tests.conftest import make_directive, make_task
from cchc.indicators import external
from cchc.indicators import services as indicator_services
from cchc.indicators.access import get_external_provinces_for_user, get_values_for_user
from cchc.indicators.models import IndicatorSource, Measure
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit, UnitKind, UnitSuccession
from cchc.organisations.services import UnitData, unit_create
from cchc.procedures.kpis import SCORE_CODE
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db

YEAR_2025 = Period(2025, PeriodKind.YEAR)


def _indicator(personas: Personas, code: str, source: str, target: int, values: dict[Any, int]) -> None:
    indicator = indicator_services.indicator_ensure(code=code, name=f"Chỉ số {code}", source=source)
    indicator_services.target_create(
        actor=personas.secretariat,
        indicator=indicator,
        data=indicator_services.TargetData(year=2025, value=Decimal(target)),
    )
    for unit, value in values.items():
        indicator_services.value_publish(actor=None, indicator=indicator, unit=unit, period=YEAR_2025, value=value)


@pytest.fixture
def province(personas: Personas) -> Any:
    wf = build_workflow(personas)
    self_assess_all(wf, wf.a, personas.focal_a)
    assessment_services.assessment_submit(actor=personas.focal_a, assessment=wf.a)
    directive = make_directive(personas)
    make_task(personas, directive, personas.unit_a, personas.unit_b)
    _indicator(
        personas,
        "kpi.thu_nghiem",
        IndicatorSource.MANUAL,
        90,
        {personas.unit_a: 80, personas.unit_b: 95, personas.other_commune: 10},
    )
    _indicator(personas, "surveys.hai_long", IndicatorSource.SURVEYS, 75, {personas.unit_a: 70, personas.unit_b: 85})
    _indicator(personas, selectors.INITIATIVE_CODE, IndicatorSource.MANUAL, 3, {personas.unit_a: 3, personas.unit_b: 1})
    return wf


def _secretariat_board(personas: Personas, **filters: Any) -> selectors.SecretariatBoard:
    user = personas.secretariat
    return selectors.secretariat_board(
        BoardFilters(year=2025, **filters),
        rounds=get_rounds_for_user(user),
        sheets=get_assessments_for_user(user),
        assignments=get_assignments_for_user(user),
        values=get_values_for_user(user),
    )


def test_the_secretariat_sees_where_the_round_stands(personas: Personas, province: Any) -> None:
    board = _secretariat_board(personas)
    assert board.round == province.round
    progress = board.progress
    assert progress is not None
    assert (progress.submitted, progress.total) == (1, 2)
    assert (progress.late, progress.overdue, progress.not_started, progress.appraised) == (0, 0, 1, 0)


def test_a_sheet_still_open_after_its_deadline_is_overdue_and_a_late_submission_is_late(
    personas: Personas, province: Any
) -> None:
    later = datetime.date.today() + datetime.timedelta(days=25)
    states = sheet_states(province.round.assessments.all(), later)
    assert states[province.b.pk] == {SheetState.OVERDUE, SheetState.NOT_STARTED}
    with time_machine.travel(later):
        self_assess_all(province, province.b, personas.focal_b)
        assessment_services.assessment_submit(actor=personas.focal_b, assessment=province.b)
    progress = round_progress(province.round, province.round.assessments.all(), later)
    assert (progress.submitted, progress.late, progress.overdue, progress.not_started) == (2, 1, 0, 0)


def test_the_secretariat_sees_overdue_work_by_unit(personas: Personas, province: Any) -> None:
    board = _secretariat_board(personas)
    assert {(row.unit.name, row.overdue, row.waiting) for row in board.work} == {
        ("Sở Tư pháp", 1, 0),
        ("Xã Hòa Bình", 1, 0),
    }
    assert (board.overdue_total, board.waiting_total) == (2, 0)


def test_the_secretariat_sees_indicators_and_survey_results_below_target(personas: Personas, province: Any) -> None:
    board = _secretariat_board(personas)
    assert [(row.indicator.code, row.not_met, len(row.rows)) for row in board.below_target] == [
        ("kpi.thu_nghiem", 1, 2)
    ]
    assert [row.unit.name for row in board.below_target[0].below] == ["Sở Tư pháp"]
    assert [(row.indicator.code, row.not_met) for row in board.surveys_below_target] == [("surveys.hai_long", 1)]


def test_the_registers_are_read_from_the_indicator_store_or_say_there_is_no_data(
    personas: Personas, province: Any
) -> None:
    board = _secretariat_board(personas)
    assert board.inspection_coverage is None and board.inspection_remedies is None
    initiatives = board.initiatives
    assert initiatives is not None
    assert {(row.unit.name, row.value, row.target, row.status) for row in initiatives.rows} == {
        ("Sở Tư pháp", Decimal(3), Decimal(3), "met"),
        ("Xã Hòa Bình", Decimal(1), Decimal(3), "not_met"),
    }


def test_the_subtree_and_kind_filters_narrow_every_figure(personas: Personas, province: Any) -> None:
    board = _secretariat_board(personas, unit=personas.unit_a)
    assert board.progress is not None and (board.progress.submitted, board.progress.total) == (1, 1)
    assert [row.unit.name for row in board.work] == ["Sở Tư pháp"]
    assert [(row.not_met, len(row.rows)) for row in board.below_target] == [(1, 1)]
    communes = _secretariat_board(personas, kind=UnitKind.COMMUNE)
    assert communes.progress is not None and (communes.progress.not_started, communes.progress.total) == (1, 1)
    assert communes.below_target == []  # B meets the target


def test_another_year_has_no_round(personas: Personas, province: Any) -> None:
    board = _secretariat_board(personas)
    assert board.round is not None
    assert _secretariat_board(personas).filters.year == 2025
    other = selectors.secretariat_board(
        BoardFilters(year=2024),
        rounds=province.round.__class__.objects.all(),
        sheets=province.round.assessments.all(),
        assignments=get_assignments_for_user(personas.secretariat),
        values=get_values_for_user(personas.secretariat),
    )
    assert other.round is None and other.progress is None and other.below_target == []


def test_the_focal_point_sees_its_own_unit_only(personas: Personas, province: Any) -> None:

    user = personas.focal_a
    today = datetime.date(2025, 9, 29)  # the task is due tomorrow: this week
    board = selectors.focal_board(
        BoardFilters(year=2025),
        unit=selectors.focal_unit(user),
        sheets=get_assessments_for_user(user),
        rounds=get_rounds_for_user(user),
        assignments=get_assignments_for_user(user),
        values=get_values_for_user(user),
        can_view_results=lambda round_: can_view_round_results(user, round_),
        today=today,
    )
    assert board.unit == personas.unit_a
    assert [row.due_date for row in board.this_week] == [datetime.date(2025, 9, 30)] and board.overdue == []
    assert board.sheet is not None and board.sheet.sheet == province.a
    assert SheetState.SUBMITTED in board.sheet.states
    assert {(standing.indicator.code, row.value, row.status) for standing, row in board.indicators} == {
        ("kpi.thu_nghiem", Decimal(80), "not_met"),
        (selectors.INITIATIVE_CODE, Decimal(3), "met"),
    }
    assert [(standing.indicator.code, row.status) for standing, row in board.satisfaction] == [
        ("surveys.hai_long", "not_met")
    ]


def test_after_the_deadline_the_overdue_task_moves_out_of_this_week(personas: Personas, province: Any) -> None:

    board = selectors.focal_board(
        BoardFilters(year=2025),
        unit=personas.unit_b,
        sheets=get_assessments_for_user(personas.focal_b),
        rounds=get_rounds_for_user(personas.focal_b),
        assignments=get_assignments_for_user(personas.focal_b),
        values=get_values_for_user(personas.focal_b),
        can_view_results=lambda round_: can_view_round_results(personas.focal_b, round_),
        today=datetime.date(2025, 10, 1),
    )
    assert [row.unit for row in board.overdue] == [personas.unit_b] and board.this_week == []
    assert board.sheet is not None and board.sheet.states == {SheetState.NOT_STARTED}


@pytest.fixture
def published(personas: Personas) -> Any:
    departments = build_framework()
    communes = build_framework(unit_kind=UnitKind.COMMUNE)
    old = unit_create(
        actor=None,
        data=UnitData(
            name="Xã Cũ", kind=UnitKind.COMMUNE, code="T-P-XACU", subtype="commune", valid_to=datetime.date(2025, 6, 30)
        ),
        parent=personas.province,
    )
    UnitSuccession.objects.create(predecessor=old, successor=personas.unit_b, effective_date=datetime.date(2025, 7, 1))
    earlier = build_round(organiser=personas.province, year=2023, frameworks=[departments, communes])
    build_assessment(earlier, old, communes)
    compute_round(earlier)
    round_ = build_round(organiser=personas.province, year=2024, frameworks=[departments, communes], previous=earlier)
    a = build_assessment(round_, personas.unit_a, departments, {"2.1": 20})
    build_assessment(round_, personas.home_affairs, departments, {"2.1": 20})
    build_assessment(round_, personas.unit_b, communes, {"1.2": 5})
    compute_round(round_)
    return round_, a, old


def _external(personas: Personas, years: Any = ((2023, 80, 85), (2024, 86, 84))) -> None:
    items = external.ensure_indicators(external.items_of("par"))
    total = items["par.total"]
    for year, ours, theirs in years:
        period = Period(year, PeriodKind.YEAR)
        indicator_services.value_publish(actor=None, indicator=total, unit=personas.province, period=period, value=ours)
        indicator_services.value_publish(
            actor=None, indicator=total, unit=personas.other_province, period=period, value=theirs
        )
    score = indicator_services.indicator_ensure(code=SCORE_CODE, name="Điểm QĐ 766", measure=Measure.SCORE)
    for year, value in ((2024, 70), (2025, 75)) if years[0][0] == 2023 else ((years[0][0], 60),):
        indicator_services.value_publish(
            actor=None, indicator=score, unit=personas.province, period=Period(year, PeriodKind.YEAR), value=value
        )


def _leader_board(personas: Personas) -> selectors.LeaderBoard:
    user = personas.leader
    return selectors.leader_board(
        BoardFilters(year=2025),
        provinces=get_external_provinces_for_user(user),
        rounds=get_rounds_for_user(user),
        sheets=get_assessments_for_user(user),
        assignments=get_assignments_for_user(user),
        values=get_values_for_user(user),
        can_view_results=lambda round_: can_view_round_results(user, round_),
    )


def test_the_leader_sees_the_published_index_trend_and_rank(personas: Personas) -> None:
    _external(personas)
    board = _leader_board(personas)
    assert board.province == personas.province
    [par] = board.indices
    assert par.rows == [(2023, Decimal(80), Decimal("82.5"), False), (2024, Decimal(86), Decimal(85), False)]
    assert par.year == 2024 and par.value == Decimal(86)
    assert par.rank is not None and (par.rank.position, par.rank.of, par.rank.shared) == (1, 2, False)
    assert board.service.periods == [("Năm 2024", Decimal(70), False), ("Năm 2025", Decimal(75), True)]


def test_the_leader_sees_the_weakest_units_and_the_comparison_through_the_merger(
    personas: Personas, published: Any
) -> None:
    board = _leader_board(personas)
    assert board.round == published[0]
    names = [row.unit_name for row in board.weakest]
    assert sorted(names) == sorted(["Sở Tư pháp", "Sở Nội vụ", "Xã Hòa Bình"])
    assert board.weakest[0].index_value == min(row.index_value for row in board.weakest)
    [compared] = board.compared
    assert compared.unit_name == "Xã Hòa Bình" and compared.change is not None
    assert compared.change.predecessors == ("Xã Cũ",) and compared.change.previous_index == Decimal(100)
    assert board.weakest_criteria and board.weakest_criteria[0].loss.total_lost > 0


def test_the_rank_history_follows_the_unit_through_the_merger(personas: Personas, published: Any) -> None:
    board = _focal(personas, "focal_b", personas.unit_b)
    assert [(point.year, point.unit_name, point.continued) for point in board.ranks] == [
        (2023, "Xã Cũ", True),
        (2024, "Xã Hòa Bình", False),
    ]
    assert board.ranks[0].index_value == Decimal(100) and board.ranks[0].rank == 1
    a_history = _focal(personas, "focal_a", personas.unit_a).ranks
    assert [(point.year, point.rank, point.rank_tied) for point in a_history] == [(2024, 1, True)]


def _focal(personas: Personas, name: str, unit: Any) -> selectors.FocalBoard:
    user = getattr(personas, name)
    return selectors.focal_board(
        BoardFilters(year=2025),
        unit=unit,
        sheets=get_assessments_for_user(user),
        rounds=get_rounds_for_user(user),
        assignments=get_assignments_for_user(user),
        values=get_values_for_user(user),
        can_view_results=lambda round_: can_view_round_results(user, round_),
    )


def _section(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def test_a_focal_point_sees_only_its_own_units_figures(personas: Personas, province: Any) -> None:
    own = _section(personas.client("focal_a").get("/", {"year": 2025}).content.decode(), "my-indicators")
    other = _section(personas.client("focal_b").get("/", {"year": 2025}).content.decode(), "my-indicators")
    assert "80,00 %" in own and "95,00 %" not in own
    assert "95,00 %" in other and "80,00 %" not in other


def test_the_secretariat_never_counts_another_provinces_units(personas: Personas, province: Any) -> None:
    html = personas.client("secretariat").get("/", {"year": 2025, "unit": personas.other_commune.pk}).content.decode()
    section = _section(html, "indicators-below-target")
    assert "Xã Ngoài Phạm Vi" not in section and "1 / 2" in section  # an unknown unit is dropped: the whole province


def _grow(personas: Personas, province: Any, published: Any) -> None:
    """More of everything every dashboard reads: units with sheets in both rounds and results, overdue and
    reported assignments, indicator and survey values, published index figures, another year of service score."""
    round_2024 = published[0]
    units = []
    for number in range(4):
        units.append(
            unit_create(
                actor=None,
                data=UnitData(
                    name=f"Xã Thêm {number}", kind=UnitKind.COMMUNE, code=f"T-P-XTHEM{number}", subtype="commune"
                ),
                parent=personas.province,
            )
        )
        units.append(
            unit_create(
                actor=None,
                data=UnitData(name=f"Sở Thêm {number}", kind=UnitKind.DEPARTMENT, code=f"T-P-STHEM{number}"),
                parent=personas.province,
            )
        )
    for unit in units:
        for round_ in (province.round, round_2024):
            build_assessment(round_, unit, round_.frameworks.get(unit_kind=unit.kind), {"1.2": 3})
    compute_round(round_2024)
    directive = make_directive(personas, reference="200/KH-UBND")
    make_task(personas, directive, personas.unit_a, *units, content="Báo cáo kết quả kiểm soát thủ tục hành chính")
    make_task(personas, directive, personas.unit_a, *units, deadline=datetime.date.today() + datetime.timedelta(days=2))
    _indicator(personas, "kpi.them", IndicatorSource.MANUAL, 50, {unit: 40 + n for n, unit in enumerate(units)})
    _indicator(personas, "surveys.them", IndicatorSource.SURVEYS, 80, {unit: 70 + n for n, unit in enumerate(units)})
    extra = indicator_services.indicator_ensure(code="kpi.thu_nghiem", name="Chỉ số kpi.thu_nghiem")
    for number, unit in enumerate(units):
        indicator_services.value_publish(actor=None, indicator=extra, unit=unit, period=YEAR_2025, value=number)
    _external(personas, years=((2021, 70, 75), (2022, 75, 80)))


BOARD_FILTERS = ({"year": "2025"}, {"year": "2025", "kind": UnitKind.COMMUNE}, {"unit": "subtree"})


def _queries_per_filter(personas: Personas, client: Any) -> list[tuple[int, int]]:
    """Per filter: the queries of the page with nothing in the cache, then with its board in the cache."""
    counts = []
    for filters in BOARD_FILTERS:
        query = {**filters, "unit": personas.unit_a.pk} if "unit" in filters else filters
        found = []
        cache.clear()
        for _request in range(2):
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/", query).status_code == 200
            found.append(len(captured))
        counts.append((found[0], found[1]))
    return counts


@pytest.mark.parametrize("persona", ["secretariat", "leader", "focal_a", "supervisor"])
def test_every_dashboard_runs_the_same_small_number_of_queries_whatever_the_size_of_the_province(
    personas: Personas, province: Any, published: Any, persona: str
) -> None:
    _external(personas)
    client = personas.client(persona)
    client.get("/")  # the first request after signing in refreshes the session
    small = _queries_per_filter(personas, client)
    _grow(personas, province, published)
    assert (small, _queries_per_filter(personas, client)) == (BOARD_QUERIES[persona], BOARD_QUERIES[persona])


# Per filter of BOARD_FILTERS (the year; the year and a unit kind; a subtree): the queries when nothing is cached (the
# board and the indicators' standings computed), and when the board comes from the cache (``cchc.lib.page_cache``:
# the session and the versions of the data; the person with their roles and the units worked in with their people
# come from the cache too, ``cchc.accounts.roles``; the focal point's page also reads its open sheet).
BOARD_QUERIES = {
    "secretariat": [(26, 2), (26, 2), (27, 2)],
    "leader": [(39, 2), (39, 2), (40, 2)],
    "focal_a": [(35, 3), (35, 3), (36, 3)],
    "supervisor": [(22, 2), (22, 2), (23, 2)],
}


def test_the_supervisor_sees_survey_results_and_published_rankings(
    personas: Personas, province: Any, published: Any
) -> None:
    from cchc.surveys.access import get_questionnaires_for_user

    user = personas.supervisor
    board = selectors.supervisor_board(
        BoardFilters(year=2025),
        questionnaires=get_questionnaires_for_user(user),
        rounds=get_rounds_for_user(user),
        values=get_values_for_user(user),
    )
    assert [(row.indicator.code, row.met, row.not_met) for row in board.satisfaction] == [("surveys.hai_long", 1, 1)]
    assert [round_.year for round_ in board.published] == [2024, 2023]
    assert board.published[0].stage == Stage.PUBLISHED


def test_a_round_tile_opens_the_round_page_filtered_by_that_state(personas: Personas, province: Any) -> None:
    from django.urls import reverse

    client = personas.client("secretariat")
    home = client.get("/", {"year": 2025}).content.decode()
    url = reverse("assessments:round_detail", args=[province.round.pk])
    assert f'href="{url}?state=not_started"' in home
    page = client.get(url, {"state": "not_started"}).content.decode()
    assert page.count('data-testid="sheet-row"') == 1 and "Xã Hòa Bình" in page.split('data-testid="assessments"')[1]
    assert client.get(url, {"state": "nonsense"}).content.decode().count('data-testid="sheet-row"') == 2


def test_a_register_without_values_says_there_is_no_data(personas: Personas, province: Any) -> None:
    html = personas.client("secretariat").get("/", {"year": 2025}).content.decode()
    start = html.index('data-testid="register-inspections-coverage"')
    assert 'data-status="no_data"' in html[start : start + 600] and "Chưa có dữ liệu" in html[start : start + 600]
    start = html.index('data-testid="register-initiatives"')
    assert 'data-status="not_met"' in html[start : html.index("</table>", start)]


def test_the_units_needing_most_attention_are_cut_after_the_tie_is_broken_by_name_and_the_totals_count_every_unit(
    personas: Personas, province: Any
) -> None:
    from cchc.directives.selectors import attention

    found = attention(get_assignments_for_user(personas.secretariat), top=1)
    assert [(row.unit.name, row.overdue) for row in found.rows] == [("Sở Tư pháp", 1)]
    assert (found.overdue, found.waiting) == (2, 0)
    assert len(attention(get_assignments_for_user(personas.secretariat)).rows) == 2


def test_the_cached_standings_show_a_changed_value_a_changed_target_and_a_renamed_unit_at_once(
    personas: Personas, province: Any
) -> None:
    from cchc.indicators.models import Indicator, Target
    from cchc.organisations.services import unit_update

    assert [(row.not_met, row.total) for row in _secretariat_board(personas).below_target] == [(1, 2)]
    indicator = Indicator.objects.get(code="kpi.thu_nghiem")
    indicator_services.value_publish(
        actor=None, indicator=indicator, unit=personas.unit_b, period=YEAR_2025, value=Decimal(50)
    )
    assert [(row.not_met, row.total) for row in _secretariat_board(personas).below_target] == [(2, 2)]
    target = Target.objects.get(indicator=indicator, year=2025)
    indicator_services.target_update(
        actor=personas.secretariat, target=target, data=indicator_services.TargetData(year=2025, value=Decimal(40))
    )
    assert _secretariat_board(personas).below_target == []
    indicator_services.target_update(
        actor=personas.secretariat, target=target, data=indicator_services.TargetData(year=2025, value=Decimal(90))
    )
    unit_update(
        actor=personas.secretariat,
        unit=personas.unit_a,
        data=UnitData(name="Sở Tư pháp mới", kind=UnitKind.DEPARTMENT, code=personas.unit_a.code),
    )
    assert "Sở Tư pháp mới" in [row.unit.name for row in _secretariat_board(personas).below_target[0].below]


# ---------------------------------------------------------------------------
# The boards are kept in the cache under the version of the data they read (``cchc.lib.page_cache``): each write
# below goes round the models' signals — a queryset's ``update()`` — as an import or a bulk correction does.


def _rename_unit_a(personas: Personas) -> tuple[str, str]:
    Unit.objects.filter(pk=personas.unit_a.pk).update(name="Sở Pháp chế")
    return "Sở Tư pháp", "Sở Pháp chế"


def _reword_the_task(personas: Personas) -> tuple[str, str]:
    Task.objects.update(content="Rà soát lại thủ tục hành chính cấp xã")
    return "Rà soát thủ tục hành chính, đề xuất", "Rà soát lại thủ tục hành chính cấp xã"


# Per board: a write to something it shows, made with ``update()``, and the text before and after.
WRITES: dict[str, Callable[[Personas], tuple[str, str]]] = {
    "secretariat": _rename_unit_a,
    "leader": _rename_unit_a,
    "focal_a": _reword_the_task,
    "supervisor": _rename_unit_a,
}


def _board(html: str) -> str:
    start = html.index('class="board"')
    return html[start : html.index('<div class="card">', start) if '<div class="card">' in html[start:] else None]


def _home(client: Any) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/", {"year": 2025})
    assert response.status_code == 200
    return response.content.decode(), len(captured)


@pytest.mark.parametrize("persona", sorted(WRITES))
def test_a_write_that_bypasses_the_models_shows_on_every_board_at_the_next_request(
    personas: Personas, province: Any, published: Any, persona: str
) -> None:
    _external(personas)
    client = personas.client(persona)
    client.get("/")  # the first request after signing in refreshes the session
    first, computed = _home(client)
    again, cached = _home(client)
    assert _board(again) == _board(first) and cached < computed  # the second request reads the board from the cache
    before, after = WRITES[persona](personas)
    assert before in _board(first) and after not in _board(first)
    changed, recomputed = _home(client)
    assert after in _board(changed) and _board(changed).count(before) < _board(first).count(before)
    assert recomputed > cached


def test_a_focal_point_never_sees_the_board_of_another_unit_from_the_cache(personas: Personas, province: Any) -> None:
    own = _board(personas.client("focal_a").get("/", {"year": 2025}).content.decode())
    other = _board(personas.client("focal_b").get("/", {"year": 2025}).content.decode())
    assert "80,00 %" in own and "95,00 %" not in own
    assert "95,00 %" in other and "80,00 %" not in other


def test_each_filter_has_its_own_cached_board(personas: Personas, province: Any) -> None:
    client = personas.client("secretariat")
    whole = client.get("/", {"year": 2025}).content.decode()
    communes = client.get("/", {"year": "2025", "kind": "commune"}).content.decode()
    assert _board(whole) != _board(communes)
    assert _board(client.get("/", {"year": 2025}).content.decode()) == _board(whole)


def test_a_cached_board_still_greets_the_reader_and_keeps_the_page_around_it_personal(
    personas: Personas, province: Any
) -> None:
    secretariat = personas.client("secretariat")
    secretariat.get("/", {"year": 2025})
    html = secretariat.get("/", {"year": 2025}).content.decode()
    assert personas.secretariat.display_name in html
    assert 'name="csrfmiddlewaretoken"' not in _board(html)
