"""Scoring rules: every kind, the Vietnamese messages, and properties that must hold for any input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.frameworks import scoring
from cchc.lib.errors import ServiceError

BANDS = {"bands": [{"min": 90, "points": 2}, {"min": 70, "points": 1}, {"min": 0, "points": 0}]}

maxima = st.decimals(min_value=Decimal("0.25"), max_value=Decimal(30), places=2)
rates = st.decimals(min_value=Decimal(0), max_value=Decimal(200), places=2)


@st.composite
def monotone_bands(draw: st.DrawFn, maximum: Decimal) -> dict[str, list[dict[str, Any]]]:
    thresholds = sorted(draw(st.sets(st.integers(min_value=0, max_value=120), min_size=1, max_size=5)), reverse=True)
    points = sorted(
        (draw(st.decimals(min_value=Decimal(0), max_value=maximum, places=2)) for _ in thresholds), reverse=True
    )
    return {"bands": [{"min": t, "points": p} for t, p in zip(thresholds, points, strict=True)]}


@st.composite
def rules(draw: st.DrawFn) -> tuple[str, dict, Decimal]:
    maximum = draw(maxima)
    kind = draw(st.sampled_from([scoring.BANDS, scoring.PROPORTIONAL, scoring.INDICATOR, scoring.SURVEY]))
    if kind == scoring.PROPORTIONAL:
        return kind, {"target": draw(st.integers(min_value=1, max_value=150))}, maximum
    method = draw(st.sampled_from([scoring.BANDS, scoring.PROPORTIONAL])) if kind != scoring.BANDS else "bands"
    if method == scoring.BANDS:
        params: dict = draw(monotone_bands(maximum))
    else:
        params = {"target": draw(st.integers(min_value=1, max_value=150))}
    if kind in (scoring.INDICATOR, scoring.SURVEY):
        params = {"indicator": "tasks.on_time_rate", "method": method, **params}
    return kind, params, maximum


def test_manual_points_on_the_step_are_kept() -> None:
    assert scoring.evaluate("manual", {}, 2, "1,75") == Decimal("1.75")
    assert scoring.evaluate("manual", {"step": "0.5"}, 3, 2.5) == Decimal("2.5")


def test_manual_points_off_the_step_give_the_vietnamese_message() -> None:
    with pytest.raises(ServiceError) as error:
        scoring.evaluate("manual", {}, 2, "0.3")
    assert error.value.message == "Điểm phải từ 0 đến 2 và theo bước 0,25."


def test_manual_points_above_the_maximum_or_negative_are_refused() -> None:
    for value in ("2.25", "-0.25", "abc", None):
        with pytest.raises(ServiceError):
            scoring.evaluate("manual", {}, 2, value)


def test_yes_no_gives_the_maximum_or_nothing() -> None:
    assert scoring.evaluate("yes_no", {}, 1, True) == 1
    assert scoring.evaluate("yes_no", {}, 1, "Có") == 1
    assert scoring.evaluate("yes_no", {}, 1, "không") == 0
    with pytest.raises(ServiceError):
        scoring.evaluate("yes_no", {}, 1, "có lẽ")


def test_bands_pick_the_first_threshold_the_rate_reaches() -> None:
    assert scoring.evaluate("bands", BANDS, 2, 95) == 2
    assert scoring.evaluate("bands", BANDS, 2, 90) == 2
    assert scoring.evaluate("bands", BANDS, 2, "89,9") == 1
    assert scoring.evaluate("bands", BANDS, 2, 10) == 0


def test_bands_refuse_a_negative_rate() -> None:
    with pytest.raises(ServiceError):
        scoring.evaluate("bands", BANDS, 2, -1)


def test_timeliness_reads_outcomes_in_vietnamese_or_as_codes() -> None:
    params = {"on_time": 1, "late": "0.5", "missing": 0}
    assert scoring.evaluate("timeliness", params, 1, "on_time") == 1
    assert scoring.evaluate("timeliness", params, 1, "Trễ hạn") == Decimal("0.5")
    assert scoring.evaluate("timeliness", params, 1, "không thực hiện") == 0


def test_proportional_is_capped_at_the_maximum_and_rounded_to_hundredths() -> None:
    assert scoring.evaluate("proportional", {"target": 80}, 3, 70) == Decimal("2.63")
    assert scoring.evaluate("proportional", {"target": 80}, 3, 100) == 3
    assert scoring.evaluate("proportional", {}, 3, 0) == 0


def test_indicator_rule_applies_its_method_to_the_indicator_value() -> None:
    params = {"indicator": "tasks.on_time_rate", "method": "bands", **BANDS}
    assert scoring.evaluate("indicator", params, 2, Decimal("75.5")) == 1
    survey = {"indicator": "sipas.satisfaction", "method": "proportional", "target": 90}
    assert scoring.evaluate("survey", survey, 6, 45) == 3


def test_penalty_points_are_subtracted_and_bonus_points_added() -> None:
    assert scoring.signed_points("penalty", Decimal(1)) == -1
    assert scoring.signed_points("bonus", Decimal(1)) == 1
    assert scoring.signed_points("base", Decimal(1)) == 1


def test_bands_must_be_descending_with_points_within_the_maximum() -> None:
    ascending = {"bands": [{"min": 70, "points": 1}, {"min": 90, "points": 2}]}
    assert scoring.validate_params("bands", ascending, 2) == [
        "Các mức phải xếp theo ngưỡng tỷ lệ giảm dần, không trùng nhau."
    ]
    rising = {"bands": [{"min": 90, "points": 1}, {"min": 70, "points": 2}]}
    assert scoring.validate_params("bands", rising, 2) == [
        "Mức có ngưỡng thấp hơn không được nhiều điểm hơn mức có ngưỡng cao hơn."
    ]
    too_many = {"bands": [{"min": 90, "points": 3}]}
    assert "Mức 1: 3 điểm nằm ngoài khoảng 0 đến 2." in scoring.validate_params("bands", too_many, 2)
    assert scoring.validate_params("bands", {}, 2) == ["Cần ít nhất một mức (ví dụ ≥90%: 2; ≥70%: 1; ≥0%: 0)."]
    assert scoring.validate_params("bands", BANDS, 2) == []


def test_other_bad_parameters_are_named() -> None:
    assert scoring.validate_params("manual", {"step": "0.3"}, 2) == ["Điểm tối đa 2 không chia hết cho bước 0,3."]
    assert scoring.validate_params("proportional", {"target": 0}, 2) == ["Chỉ tiêu phải lớn hơn 0."]
    assert scoring.validate_params("timeliness", {"late": 2, "on_time": 1}, 1) == [
        "Trễ hạn: 2 điểm nằm ngoài khoảng 0 đến 1."
    ]
    assert scoring.validate_params("indicator", {"method": "bands", **BANDS}, 2) == [
        "Cần mã chỉ số lấy dữ liệu (ví dụ tasks.on_time_rate)."
    ]
    assert scoring.validate_params("guess", {}, 2) == ["Cách chấm “guess” không hợp lệ."]


def test_rules_are_described_in_vietnamese() -> None:
    assert scoring.describe("bands", BANDS, 2) == "≥90%: 2; 70–<90%: 1; <70%: 0."
    assert scoring.describe("timeliness", {"on_time": 1, "late": 0.5, "missing": 0}, 1) == (
        "Đúng hạn: 1; Trễ hạn: 0,5; Không thực hiện: 0."
    )
    assert scoring.describe("manual", {}, 2) == "Chấm trực tiếp từ 0 đến 2 điểm, theo bước 0,25."
    assert scoring.describe("yes_no", {}, 1) == "Có: 1 điểm; không: 0 điểm."
    assert scoring.describe("survey", {"indicator": "sipas.satisfaction", "method": "proportional"}, 6) == (
        "Từ kết quả khảo sát “sipas.satisfaction”: tỷ lệ đạt / 100% × 6 điểm, tối đa 6 điểm."
    )


def test_text_form_reads_back_to_the_same_parameters() -> None:
    params = {"indicator": "tasks.on_time_rate", "method": "bands", **BANDS}
    text = scoring.params_to_text("indicator", params)
    assert text == "chỉ số=tasks.on_time_rate; cách tính=theo mức; ≥90%: 2; ≥70%: 1; ≥0%: 0"
    assert scoring.params_from_text("indicator", text) == scoring.canonical_params("indicator", params)
    assert scoring.params_from_text("timeliness", "Đúng hạn=1; trễ hạn=0,5; không thực hiện=0") == {
        "on_time": "1",
        "late": "0.5",
        "missing": "0",
    }
    assert scoring.params_from_text("manual", '{"step": "0.5"}') == {"step": "0.5"}
    with pytest.raises(ValueError, match="Không hiểu tham số"):
        scoring.params_from_text("manual", "bao nhiêu cũng được")


@given(rule=rules(), rate=rates)
def test_rate_rules_always_give_points_within_zero_and_the_maximum(rule: tuple, rate: Decimal) -> None:
    kind, params, maximum = rule
    assert scoring.validate_params(kind, params, maximum) == []
    points = scoring.evaluate(kind, params, maximum, rate)
    assert Decimal(0) <= points <= maximum


@given(rule=rules(), low=rates, high=rates)
def test_a_higher_rate_never_gives_fewer_points(rule: tuple, low: Decimal, high: Decimal) -> None:
    kind, params, maximum = rule
    low, high = min(low, high), max(low, high)
    assert scoring.evaluate(kind, params, maximum, low) <= scoring.evaluate(kind, params, maximum, high)


@given(
    maximum=st.integers(min_value=1, max_value=40).map(lambda quarters: Decimal(quarters) / 4),
    value=st.decimals(min_value=Decimal(-5), max_value=Decimal(15), places=2),
)
def test_manual_accepts_exactly_the_points_on_the_step(maximum: Decimal, value: Decimal) -> None:
    on_step = Decimal(0) <= value <= maximum and value % Decimal("0.25") == 0
    if on_step:
        assert scoring.evaluate("manual", {}, maximum, value) == value
        assert scoring.evaluate("manual", {}, maximum, scoring.format_number(value)) == value
    else:
        with pytest.raises(ServiceError, match="theo bước 0,25"):
            scoring.evaluate("manual", {}, maximum, value)


@given(rule=rules())
def test_any_valid_rule_survives_the_text_form(rule: tuple) -> None:
    kind, params, _maximum = rule
    text = scoring.params_to_text(kind, params)
    assert scoring.canonical_params(kind, scoring.params_from_text(kind, text)) == scoring.canonical_params(
        kind, params
    )


@given(maximum=maxima, outcome=st.sampled_from(["on_time", "late", "missing"]))
def test_timeliness_with_default_parameters_stays_within_the_maximum(maximum: Decimal, outcome: str) -> None:
    assert Decimal(0) <= scoring.evaluate("timeliness", {}, maximum, outcome) <= maximum
