from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.assessments.models import Result
from cchc.assessments.results import (
    DEFAULT_GRADE_BANDS,
    AreaResult,
    Leaf,
    area_entry,
    competition_ranks,
    compute_round,
    grade_bands,
    grade_for,
    index_value,
    unit_totals,
)
from cchc.audit.models import AuditEntry
from cchc.organisations.models import UnitKind

from .factories import build_assessment, build_framework, build_round, leaves

D = Decimal
BASE, BONUS, PENALTY = "base", "bonus", "penalty"

LEAVES = [
    Leaf(1, "1", BASE, D(20)),
    Leaf(2, "1", BASE, D(20)),
    Leaf(3, "2", BASE, D(30)),
    Leaf(4, "2", BASE, D(30), is_survey=True),
    Leaf(5, "3", BONUS, D(2)),
    Leaf(6, "4", PENALTY, D(5)),
]


def test_index_is_points_over_max_times_hundred_rounded_half_up():
    assert index_value(D("87.125"), D(100)) == D("87.13")
    assert index_value(D(45), D(60)) == D("75.00")
    assert index_value(D(0), D(0)) == D("0.00")


def test_totals_add_base_and_bonus_and_subtract_penalties():
    totals = unit_totals(LEAVES, {1: D(20), 2: D(15), 3: D(30), 4: D(20), 5: D(2), 6: D(3)})
    assert totals.total_points == D("84.00")
    assert totals.max_points == D(100)
    assert totals.index_value == D("84.00")


def test_the_total_never_exceeds_the_maximum_even_with_bonus_points():
    totals = unit_totals(LEAVES, {1: D(20), 2: D(20), 3: D(30), 4: D(30), 5: D(2), 6: D(0)})
    assert totals.total_points == D(100)
    assert totals.index_value == D(100)


def test_the_total_is_floored_at_zero_when_penalties_exceed_the_points():
    totals = unit_totals(LEAVES, {6: D(5)})
    assert totals.total_points == D(0)
    assert totals.index_value == D(0)


def test_a_penalty_stored_as_a_negative_number_is_still_a_deduction_capped_at_its_max():
    assert unit_totals(LEAVES, {1: D(20), 6: D(-3)}).total_points == D(17)
    assert unit_totals(LEAVES, {1: D(20), 6: D(9)}).total_points == D(15)


def test_scores_above_the_leaf_max_count_as_the_max():
    assert unit_totals(LEAVES, {1: D(25)}).total_points == D(20)


def test_an_unscored_survey_leaf_counts_zero_of_its_max_without_rescaling():
    scores = {1: D(20), 2: D(20), 3: D(30)}
    totals = unit_totals(LEAVES, scores, rescale_without_survey=False)
    assert (totals.total_points, totals.max_points, totals.index_value) == (D(70), D(100), D("70.00"))


def test_rescaling_leaves_an_unscored_survey_leaf_out_of_points_and_max():
    scores = {1: D(20), 2: D(20), 3: D(15)}
    totals = unit_totals(LEAVES, scores, rescale_without_survey=True)
    assert (totals.total_points, totals.max_points, totals.index_value) == (D(55), D(70), D("78.57"))
    assert totals.areas["2"].max_points == D(30)


def test_rescaling_keeps_a_scored_survey_leaf():
    totals = unit_totals(LEAVES, {4: D(30)}, rescale_without_survey=True)
    assert totals.max_points == D(100)
    assert totals.total_points == D(30)


def test_component_indices_per_area_leave_out_areas_without_base_points():
    totals = unit_totals(LEAVES, {1: D(20), 2: D(10), 3: D(30), 4: D(15), 5: D(2)})
    assert totals.areas["1"].index_value == D("75.00")
    assert totals.areas["2"].index_value == D("75.00")
    assert set(totals.areas) == {"1", "2"}
    assert totals.area_indices_json()["1"] == [30.0, 40.0, 75.0]


def test_competition_ranking_shares_ranks_and_skips_the_next():
    ranks = competition_ranks({"a": D(95), "b": D(90), "c": D(90), "d": D(80), "e": D(95)})
    assert ranks == {"a": (1, True), "e": (1, True), "b": (3, True), "c": (3, True), "d": (5, False)}


def test_default_grade_bands_are_a_b_c_d():
    assert [grade_for(D(value)) for value in ("90", "89.99", "80", "70", "69.99", "0")] == [
        "A",
        "B",
        "B",
        "C",
        "D",
        "D",
    ]


def test_a_rounds_grade_bands_replace_the_default_and_bad_entries_are_ignored():
    bands = grade_bands([{"grade": "Xuất sắc", "min": 95}, {"grade": "Tốt", "min": "85"}, {"min": 50}, "x"])
    assert grade_for(D(96), bands) == "Xuất sắc"
    assert grade_for(D(85), bands) == "Tốt"
    assert grade_for(D(60), bands) == ""
    assert grade_bands([]) == DEFAULT_GRADE_BANDS
    assert grade_bands([{"grade": "A", "min": "không"}]) == DEFAULT_GRADE_BANDS


# ---------------------------------------------------------------------------
# Properties

points = st.decimals(min_value=-10, max_value=40, places=2, allow_nan=False, allow_infinity=False)
score_maps = st.dictionaries(st.sampled_from([leaf.criterion_id for leaf in LEAVES]), st.none() | points)


@settings(max_examples=300, deadline=None)
@given(scores=score_maps, rescale=st.booleans())
def test_the_index_is_always_within_zero_and_one_hundred(scores, rescale):
    totals = unit_totals(LEAVES, scores, rescale_without_survey=rescale)
    assert D(0) <= totals.index_value <= D(100)
    assert D(0) <= totals.total_points <= totals.max_points
    for area in totals.areas.values():
        assert D(0) <= area.index_value <= D(100)


@settings(max_examples=300, deadline=None)
@given(
    units=st.lists(score_maps, min_size=1, max_size=6),
    leaf=st.sampled_from([leaf.criterion_id for leaf in LEAVES if leaf.category != PENALTY]),
    raise_by=st.decimals(min_value=0, max_value=40, places=2, allow_nan=False, allow_infinity=False),
    rescale=st.booleans(),
)
def test_raising_one_leafs_score_never_lowers_the_units_index_or_rank(units, leaf, raise_by, rescale):
    before = {
        i: unit_totals(LEAVES, scores, rescale_without_survey=rescale).index_value for i, scores in enumerate(units)
    }
    raised = dict(units[0])
    current = raised.get(leaf)
    if current is None and rescale and leaf == 4:
        return  # scoring a survey leaf for the first time changes the scale, not a raise
    raised[leaf] = max(current or D(0), D(0)) + raise_by
    after = dict(before)
    after[0] = unit_totals(LEAVES, raised, rescale_without_survey=rescale).index_value
    assert after[0] >= before[0]
    assert competition_ranks(after)[0][0] <= competition_ranks(before)[0][0]


# ---------------------------------------------------------------------------
# Stored results


@pytest.fixture
def round_with_units(personas):
    framework = build_framework(unit_kind=UnitKind.DEPARTMENT)
    commune_framework = build_framework(unit_kind=UnitKind.COMMUNE)
    round_ = build_round(organiser=personas.province, frameworks=[framework, commune_framework])
    a = build_assessment(round_, personas.unit_a, framework, {"1.2": 10, "3.1": 1})
    home = build_assessment(round_, personas.home_affairs, framework, {"2.1": 15, "4.1": 2})
    front = build_assessment(round_, personas.front, framework, {"1.2": 10, "3.1": 1})
    commune = build_assessment(round_, personas.unit_b, commune_framework, {"2.2": None})
    return round_, a, home, front, commune


def test_compute_round_stores_points_index_rank_grade_and_area_indices(round_with_units):
    round_, a, home, front, commune = round_with_units
    results = compute_round(round_)
    assert len(results) == 4
    by_assessment = {result.assessment_id: result for result in Result.objects.all()}
    assert by_assessment[a.pk].total_points == D(91)
    assert by_assessment[a.pk].index_value == D("91.00")
    assert by_assessment[a.pk].grade == "A"
    assert (by_assessment[a.pk].rank, by_assessment[a.pk].rank_tied) == (1, True)
    assert (by_assessment[front.pk].rank, by_assessment[front.pk].rank_tied) == (1, True)
    assert by_assessment[home.pk].total_points == D(85)
    assert (by_assessment[home.pk].rank, by_assessment[home.pk].rank_tied, by_assessment[home.pk].grade) == (
        3,
        False,
        "B",
    )
    assert by_assessment[a.pk].area_indices["1"] == [30.0, 40.0, 75.0]
    assert area_entry(by_assessment[a.pk].area_indices, "1") == AreaResult(D(30), D(40), D(75))
    assert area_entry({"1": {"points": 1, "max": 2, "index": 50}}, "1") == AreaResult(D(1), D(2), D(50))
    assert area_entry({"1": "hỏng"}, "1") is None and area_entry(None, "1") is None
    # The commune is ranked on its own: alone, first; its unscored survey leaf counts zero (70 + 2 bonus).
    assert (by_assessment[commune.pk].rank, by_assessment[commune.pk].index_value) == (1, D("72.00"))


def test_compute_round_twice_writes_nothing_the_second_time(round_with_units):
    round_ = round_with_units[0]
    compute_round(round_)
    stamps = dict(Result.objects.values_list("pk", "computed_at"))
    entries = AuditEntry.objects.count()
    compute_round(round_)
    assert dict(Result.objects.values_list("pk", "computed_at")) == stamps
    assert AuditEntry.objects.count() == entries
    assert Result.objects.count() == 4


def test_a_changed_score_updates_the_stored_result_and_the_ranks(round_with_units):
    round_, a, home, _front, _commune = round_with_units
    compute_round(round_)
    criterion = leaves(home.framework)["2.1"]
    home.scores.filter(criterion=criterion).update(final_score=D(30))
    compute_round(round_)
    result = Result.objects.get(assessment=home)
    assert (result.total_points, result.rank, result.rank_tied) == (D(100), 1, False)
    assert Result.objects.get(assessment=a).rank == 2
    assert AuditEntry.objects.filter(object_type="assessments.round", object_id=str(round_.pk)).count() == 2


def test_rescaling_and_custom_grade_bands_of_the_round_are_applied(personas):
    framework = build_framework(unit_kind=UnitKind.COMMUNE)
    round_ = build_round(
        organiser=personas.province,
        frameworks=[framework],
        rescale_without_survey=True,
        grade_bands=[{"grade": "Tốt", "min": 95}, {"grade": "Khá", "min": 0}],
    )
    assessment = build_assessment(round_, personas.unit_b, framework, {"2.2": None, "3.1": 0, "2.1": 29})
    compute_round(round_)
    result = Result.objects.get(assessment=assessment)
    assert (result.total_points, result.max_points, result.index_value, result.grade) == (
        D(69),
        D(70),
        D("98.57"),
        "Tốt",
    )


def test_a_leaf_without_a_score_row_counts_zero(personas):
    framework = build_framework()
    round_ = build_round(organiser=personas.province, frameworks=[framework])
    assessment = build_assessment(round_, personas.unit_a, framework)
    assessment.scores.filter(criterion__code__in=["1.2", "3.1"]).delete()
    compute_round(round_)
    assert Result.objects.get(assessment=assessment).total_points == D(80)


@settings(max_examples=200, deadline=None)
@given(scores=score_maps, rescale=st.booleans())
def test_totals_in_whole_hundredths_equal_the_decimal_totals(scores, rescale):
    hundredths = [leaf._replace(max_points=int(leaf.max_points * 100)) for leaf in LEAVES]
    as_ints = {key: None if value is None else int(value * 100) for key, value in scores.items()}
    assert unit_totals(hundredths, as_ints, rescale_without_survey=rescale, scale=100) == unit_totals(
        LEAVES, scores, rescale_without_survey=rescale
    )
