from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from cchc.assessments.analysis import (
    Change,
    PreviousResult,
    compare,
    format_points_written,
    points_lost,
    rank_change_label,
    remediation_plan,
    round_points_lost,
    unit_gaps,
    year_over_year,
)
from cchc.assessments.results import Leaf, compute_round
from cchc.organisations.models import SuccessionKind, UnitKind, UnitSuccession
from cchc.organisations.services import UnitData, unit_create

from .factories import build_assessment, build_framework, build_round, leaves

D = Decimal


def test_rank_change_reads_as_places_up_or_down():
    with translation.override("vi"):
        assert rank_change_label(3) == "tăng 3 bậc"
        assert rank_change_label(-2) == "giảm 2 bậc"
        assert rank_change_label(0) == "giữ nguyên thứ hạng"
        assert rank_change_label(None) == ""


def test_points_are_written_with_a_decimal_comma():
    assert [format_points_written(D(value)) for value in ("8.50", "10.00", "0.25")] == ["8,5", "10", "0,25"]
    assert format_points_written(None) == ""


def test_compare_same_unit_uses_last_years_rank():
    previous = {7: PreviousResult(7, "commune", D(80), D(80), 5)}
    changes = compare({1: (7, "commune", D(85), D(85), 2)}, previous, {})
    assert changes[1] == Change(D(80), D(80), 5, D(5), D(5), 3, "same")
    assert changes[1].rank_label == "tăng 3 bậc"


def test_a_merged_unit_is_compared_with_the_average_of_its_predecessors_placed_in_last_years_ranking():
    previous = {
        1: PreviousResult(1, "commune", D(90), D(90), 1),
        2: PreviousResult(2, "commune", D(70), D(70), 4),
        3: PreviousResult(3, "commune", D(85), D(85), 2),
        4: PreviousResult(4, "commune", D(75), D(75), 3),
    }
    changes = compare({10: (9, "commune", D(88), D(88), 1)}, previous, {9: [1, 2]}, names={1: "Xã Một", 2: "Xã Hai"})
    change = changes[10]
    assert (change.previous_points, change.previous_index) == (D(80), D(80))
    assert change.previous_rank == 3  # 80 stands behind 90 and 85
    assert change.rank_change == 2
    assert change.basis == "merged"
    assert change.predecessors == ("Xã Một", "Xã Hai")


def test_a_unit_without_last_years_result_or_predecessor_has_no_comparison():
    assert compare({1: (5, "commune", D(80), D(80), 1)}, {}, {}) == {}


def test_points_lost_per_criterion_counts_units_at_max_and_the_units_that_lost_most():
    leaves_ = [Leaf(1, "1", "base", D(10)), Leaf(2, "1", "penalty", D(5)), Leaf(3, "2", "bonus", D(2))]
    scores: dict[int, dict[int, Decimal | None]] = {
        100: {1: D(10), 2: D(0), 3: D(0)},
        101: {1: D(4), 2: D(2)},
        102: {1: D(8)},
        103: {1: None},
    }
    losses = points_lost(leaves_, scores, top=2)
    assert set(losses) == {1, 2}  # a bonus is never a loss
    assert losses[1].units == 4
    assert losses[1].at_max == 1
    assert losses[1].share_at_max == D("25.00")
    assert losses[1].total_lost == D(18)
    assert losses[1].losers == [(D(10), 103), (D(6), 101)]
    assert (losses[2].total_lost, losses[2].at_max) == (D(2), 3)


def test_an_unscored_survey_leaf_is_no_loss_when_the_round_rescales():
    leaves_ = [Leaf(1, "1", "base", D(10), is_survey=True)]
    assert points_lost(leaves_, {5: {1: None}}, rescale_without_survey=True) == {}
    assert points_lost(leaves_, {5: {1: None}})[1].total_lost == D(10)


@pytest.fixture
def two_years(personas):
    """2023 and 2024 rounds of departments and communes; in 2024 two communes have merged into one."""
    province = personas.province
    old_1 = unit_create(actor=None, data=UnitData(name="Xã Cũ Một", kind=UnitKind.COMMUNE, code="X1"), parent=province)
    old_2 = unit_create(actor=None, data=UnitData(name="Xã Cũ Hai", kind=UnitKind.COMMUNE, code="X2"), parent=province)
    merged = unit_create(
        actor=None, data=UnitData(name="Xã Hợp Nhất", kind=UnitKind.COMMUNE, code="X3"), parent=province
    )
    for old in (old_1, old_2):
        UnitSuccession.objects.create(
            predecessor=old, successor=merged, kind=SuccessionKind.MERGE, effective_date=datetime.date(2024, 1, 1)
        )
    departments_2023 = build_framework(year=2023)
    communes_2023 = build_framework(year=2023, unit_kind=UnitKind.COMMUNE)
    last = build_round(organiser=province, year=2023, frameworks=[departments_2023, communes_2023])
    build_assessment(last, personas.unit_a, departments_2023, {"1.2": 5})  # 87
    build_assessment(last, personas.home_affairs, departments_2023, {"1.2": 15})  # 97
    build_assessment(last, personas.unit_b, communes_2023, {"2.1": 10})  # 82
    build_assessment(last, old_1, communes_2023, {"2.1": 20})  # 92
    build_assessment(last, old_2, communes_2023, {"2.1": 0})  # 72
    compute_round(last)
    departments = build_framework(year=2024)
    communes = build_framework(year=2024, unit_kind=UnitKind.COMMUNE)
    this = build_round(organiser=province, year=2024, frameworks=[departments, communes], previous=last)
    a = build_assessment(this, personas.unit_a, departments, {"1.2": 20, "3.1": 0})  # 100
    home = build_assessment(this, personas.home_affairs, departments, {"1.2": 10})  # 92
    b = build_assessment(this, personas.unit_b, communes, {"2.1": 25})  # 97
    m = build_assessment(this, merged, communes, {"2.1": 0, "3.1": 0})  # 70
    compute_round(this)
    return this, a, home, b, m


def test_year_over_year_matches_units_and_follows_mergers(two_years):
    this, a, home, b, m = two_years
    changes = year_over_year(this)
    assert changes[a.pk].rank_change == 1
    assert changes[a.pk].points_change == D(13)
    assert changes[home.pk].rank_label == "giảm 1 bậc"
    assert changes[b.pk].rank_change == 1  # 2nd of 3 communes in 2023, 1st in 2024
    merged = changes[m.pk]
    assert merged.basis == "merged"
    assert merged.previous_index == D(82)
    assert merged.previous_rank == 2  # the average 82 ties Xã Hòa Bình: one commune (92) stood higher
    assert merged.index_change == D(-12)
    assert set(merged.predecessors) == {"Xã Cũ Một", "Xã Cũ Hai"}


def test_year_over_year_without_a_previous_round_is_empty(personas):
    framework = build_framework()
    round_ = build_round(organiser=personas.province, frameworks=[framework])
    build_assessment(round_, personas.unit_a, framework)
    compute_round(round_)
    assert year_over_year(round_) == {}


def test_year_over_year_takes_a_fixed_number_of_queries(two_years, django_assert_max_num_queries):
    this = two_years[0]
    with django_assert_max_num_queries(5):
        year_over_year(this)


def test_round_points_lost_lists_criteria_that_lost_most_first_with_unit_names(two_years):
    this = two_years[0]
    rows = round_points_lost(this)
    first = rows[0]
    assert first.criterion.code == "2.1"
    assert first.loss.total_lost == D(35)  # communes 5 + 30
    assert first.losers[0] == (D(30), "Xã Hợp Nhất")
    assert first.area.code == "2"
    assert all(row.criterion.category != "bonus" for row in rows)


def test_unit_gaps_list_every_criterion_below_max_in_framework_order(personas):
    framework = build_framework()
    round_ = build_round(organiser=personas.province, frameworks=[framework])
    assessment = build_assessment(round_, personas.unit_a, framework, {"2.1": 20, "1.1.2": 7.5, "4.1": 1, "3.1": 0})
    gaps = unit_gaps(assessment)
    assert [gap.criterion.code for gap in gaps] == ["1.1.2", "2.1", "4.1"]
    assert (gaps[0].lost, gaps[0].final_score, gaps[0].area.code) == (D("2.5"), D("7.5"), "1")
    assert (gaps[2].max_points, gaps[2].final_score, gaps[2].lost) == (D(0), D(-1), D(1))


def test_a_remediation_plan_keeps_only_selected_gaps_and_names_the_unit_and_the_lead_unit(personas):
    framework = build_framework()
    lead = leaves(framework)["2.1"]
    lead.lead_unit = personas.home_affairs
    lead.save()
    round_ = build_round(organiser=personas.province, frameworks=[framework])
    assessment = build_assessment(round_, personas.unit_a, framework, {"2.1": 20, "1.2": 15})
    criteria = leaves(framework)
    items = remediation_plan(
        assessment,
        [criteria["2.1"].pk, criteria["1.1.1"].pk],
        deadline=datetime.date(2025, 6, 30),
        tasks={criteria["2.1"].pk: "Số hóa hồ sơ một cửa"},
    )
    assert len(items) == 1  # 1.1.1 is at its max: not a gap
    assert items[0].responsible == "Sở Tư pháp (phối hợp: Sở Nội vụ)"
    assert items[0].task == "Số hóa hồ sơ một cửa"
    assert items[0].deadline == datetime.date(2025, 6, 30)
    default = remediation_plan(assessment, [criteria["1.2"].pk], deadline=None)[0]
    assert "1.2" in default.task and "2025" in default.task and "5" in default.task
