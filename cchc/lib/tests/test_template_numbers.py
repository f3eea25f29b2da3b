"""The ``numbers`` template filters: points, amounts and moments as the pages show them."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from typing import Any

import pytest
from django.template import engines
from django.utils import translation

from cchc.lib.numbers import format_points, format_rate


def render(source: str, **context: Any) -> str:
    return engines["django"].from_string("{% load numbers %}" + source).render(context)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        ("", "—"),
        (D("0"), "0"),
        (D("0.00"), "0"),
        (D("-0"), "0"),
        (D("-0.00"), "0"),
        (0, "0"),
        (D("0.25"), "0,25"),
        (D("0.50"), "0,5"),
        (D("8.50"), "8,5"),
        (D("10.00"), "10"),
        (D("-1.5"), "-1,5"),
        (2.5, "2,5"),
        (D("1234567.89"), "1234567,89"),
        (D("100000000"), "100000000"),
        ("chưa rõ", "chưa rõ"),
    ],
)
def test_points_read_as_a_reader_writes_them(value: Any, shown: str) -> None:
    assert render("{{ value|points }}", value=value) == shown


def test_points_follow_the_language_of_the_page() -> None:
    with translation.override("en"):
        assert render("{{ value|points }}", value=D("4.50")) == "4.5"


def test_points_read_like_the_python_formatting_of_a_normalised_value() -> None:
    for raw in ("0.01", "3", "7.75", "99.99", "1E+2"):
        assert render("{{ value|points }}", value=D(raw)) == format_points(D(raw).normalize())


@pytest.mark.parametrize(
    ("value", "measure", "shown"),
    [
        (None, "percent", "—"),
        (D("0"), "", "0"),
        (D("-0.00"), "percent", "0,00 %"),
        (D("66.6700"), "percent", "66,67 %"),
        (D("8.50"), "score", "8,5 điểm"),
        (D("3"), "days", "3 ngày"),
        (D("12"), "count", "12"),
        (D("-2.5"), "", "-2,5"),
        (D("1234567"), "count", "1.234.567"),
        (D("37000.5"), "percent", "37.000,50 %"),
        ("không", "count", "không"),
    ],
)
def test_amounts_carry_their_measure(value: Any, measure: str, shown: str) -> None:
    assert render("{{ value|amount:measure }}", value=value, measure=measure) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "—"), ("", "—"), (0, "0"), (999, "999"), (37000, "37.000"), (1234567, "1.234.567"), ("?", "?")],
)
def test_counts_group_their_thousands(value: Any, shown: str) -> None:
    assert render("{{ value|count }}", value=value) == shown


def test_counts_and_amounts_group_thousands_the_english_way_in_english() -> None:
    with translation.override("en"):
        assert render("{{ value|count }}", value=37000) == "37,000"
        assert render('{{ value|amount:"percent" }}', value=D("1234.5")) == "1,234.50 %"


def test_an_amount_without_a_measure_is_the_bare_number() -> None:
    assert render("{{ value|amount }}", value=D("0.250")) == "0,25"


def test_days_and_moments_read_in_local_time() -> None:
    # 18:30 UTC on 5 March is already 6 March, 01:30 in Vietnam.
    moment = datetime.datetime(2026, 3, 5, 18, 30, tzinfo=datetime.UTC)
    assert render("{{ at|day }} {{ at|moment }}", at=moment) == "06/03/2026 06/03/2026 01:30"
    assert render("{{ on|day }}", on=datetime.date(2026, 3, 5)) == "05/03/2026"


def test_days_and_moments_are_empty_without_a_value() -> None:
    assert render("[{{ at|day }}][{{ at|moment }}]", at=None) == "[][]"


def test_days_and_moments_read_like_the_date_filter() -> None:
    moment = datetime.datetime(2026, 12, 31, 23, 59, tzinfo=datetime.UTC)
    assert render("{{ at|day }}", at=moment) == render('{{ at|date:"d/m/Y" }}', at=moment)
    assert render("{{ at|moment }}", at=moment) == render('{{ at|date:"d/m/Y H:i" }}', at=moment)


def test_rates_side_by_side_read_with_the_same_number_of_decimals() -> None:
    shown = [render("{{ value|rate }}", value=D(raw)) for raw in ("87.1", "87.09", "100", "0", "66.6700")]
    assert shown == ["87,10 %", "87,09 %", "100,00 %", "0,00 %", "66,67 %"]
    assert render('{{ value|amount:"percent" }}', value=D("87.1")) == format_rate(D("87.1")) == "87,10 %"
    assert render("{{ value|rate }}", value=None) == "—"


def test_a_rate_is_rounded_half_up_to_the_stored_hundredths() -> None:
    assert format_rate(D("87.095")) == "87,10 %"
    assert format_rate(D("-0.001")) == "0,00 %"
