import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.lib.periods import Period, PeriodKind

periods = st.builds(
    lambda year, kind, n: Period(year, kind, min(n, {"month": 12, "quarter": 4, "half": 2, "year": 1}[kind])),
    st.integers(1990, 2100),
    st.sampled_from(list(PeriodKind)),
    st.integers(1, 12),
)


def test_a_quarter_runs_from_its_first_to_its_last_day():
    q3 = Period(2023, PeriodKind.QUARTER, 3)
    assert (q3.start, q3.end) == (datetime.date(2023, 7, 1), datetime.date(2023, 9, 30))
    assert q3.label == "Quý III/2023"


def test_the_second_half_year_is_labelled_as_in_official_documents():
    assert Period(2022, PeriodKind.HALF, 2).label == "6 tháng cuối năm 2022"
    assert Period(2022, PeriodKind.HALF, 1).end == datetime.date(2022, 6, 30)


def test_february_ends_on_the_29th_in_a_leap_year():
    assert Period(2024, PeriodKind.MONTH, 2).end == datetime.date(2024, 2, 29)


def test_out_of_range_periods_are_refused():
    with pytest.raises(ValueError):
        Period(2023, PeriodKind.QUARTER, 5)
    with pytest.raises(ValueError):
        Period.from_key("2023-X1")


@given(periods)
def test_period_keys_round_trip(period):
    assert Period.from_key(period.key) == period


@given(periods)
def test_consecutive_periods_touch_without_gap(period):
    assert period.next().start == period.end + datetime.timedelta(days=1)
    assert period.next().previous() == period


@given(st.dates(datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)), st.sampled_from(list(PeriodKind)))
def test_the_period_containing_a_day_contains_it(day, kind):
    assert Period.containing(day, kind).contains(day)


@pytest.mark.parametrize(
    ("key", "heading", "in_sentence"),
    [
        ("2026", "Năm 2026", "năm 2026"),
        ("2026-Q3", "Quý III/2026", "quý III/2026"),
        ("2026-03", "Tháng 3/2026", "tháng 3/2026"),
        ("2026-H1", "6 tháng đầu năm 2026", "6 tháng đầu năm 2026"),
        ("2026-H2", "6 tháng cuối năm 2026", "6 tháng cuối năm 2026"),
    ],
)
def test_a_period_reads_capitalised_as_a_heading_and_in_lower_case_inside_a_sentence(key, heading, in_sentence):
    period = Period.from_key(key)
    assert period.label == heading
    assert period.label_in_sentence == in_sentence
