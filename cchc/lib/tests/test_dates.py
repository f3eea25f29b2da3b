"""Vietnamese date and deadline phrases."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.lib.dates import DATE_STYLES, Recurrence, fold_aligned, format_date, parse_date, parse_deadline
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind

DOCUMENT_DATE = datetime.date(2022, 9, 9)
days = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2199, 12, 31))


@given(day=days, style=st.sampled_from(DATE_STYLES))
def test_every_written_form_of_a_date_reads_back_as_the_same_date(day: datetime.date, style: str) -> None:
    assert parse_date(format_date(day, style)) == day


@given(day=days, style=st.sampled_from(DATE_STYLES), cue=st.sampled_from(["trước ngày", "chậm nhất", "hạn chót"]))
def test_a_date_after_a_deadline_word_is_the_due_date(day: datetime.date, style: str, cue: str) -> None:
    written = format_date(day, style).removeprefix("ngày ")
    deadline = parse_deadline(f"Báo cáo kết quả {cue} {written}.", reference=DOCUMENT_DATE)
    assert deadline.due == day


@given(day=days)
def test_a_date_without_its_year_falls_on_or_after_the_document_date(day: datetime.date) -> None:
    if (day.month, day.day) == (2, 29):
        return
    deadline = parse_deadline(f"hoàn thành trước ngày {day.day}/{day.month}", reference=DOCUMENT_DATE)
    assert deadline.due is not None
    assert (deadline.due.month, deadline.due.day) == (day.month, day.day)
    assert DOCUMENT_DATE <= deadline.due < DOCUMENT_DATE.replace(year=DOCUMENT_DATE.year + 1)


@given(period=st.builds(Period, st.integers(2000, 2100), st.just(PeriodKind.QUARTER), st.integers(1, 4)))
def test_a_quarter_written_as_in_documents_falls_due_at_its_end(period: Period) -> None:
    deadline = parse_deadline(f"Thời gian thực hiện: trong {period.label}")
    assert deadline.period == period
    assert deadline.due == period.end


@pytest.mark.parametrize(
    ("text", "due", "recurrence", "period_key"),
    [
        ("trước ngày 20/6/2023", datetime.date(2023, 6, 20), "", ""),
        ("Thời gian hoàn thành trước ngày **30/11/2023**", datetime.date(2023, 11, 30), "", ""),
        ("trước ngày 05 tháng 12 năm 2025", datetime.date(2025, 12, 5), "", ""),
        ("hoàn thành trong tháng 9/2022", datetime.date(2022, 9, 30), "", "2022-09"),
        ("báo cáo trong Quý III", datetime.date(2022, 9, 30), "", "2022-Q3"),
        ("trong Quý III/2023", datetime.date(2023, 9, 30), "", "2023-Q3"),
        ("trong 6 tháng cuối năm 2022", datetime.date(2022, 12, 31), "", "2022-H2"),
        ("Hằng năm, thực hiện việc tự đánh giá, chấm điểm", None, "yearly", ""),
        ("định kỳ hàng tháng báo cáo UBND huyện", None, "monthly", ""),
        ("định kỳ hằng quý báo cáo kết quả", None, "quarterly", ""),
        ("định kỳ 6 tháng báo cáo UBND tỉnh", None, "half_yearly", ""),
        ("Thường xuyên theo dõi, đôn đốc", None, "continuous", ""),
        ("trước ngày 20 hằng tháng", None, "monthly", ""),
        ("trước ngày 15/01", datetime.date(2023, 1, 15), "", ""),
        ("hoàn thành trước Quý IV/2023", datetime.date(2023, 9, 30), "", ""),
        ("trong năm 2021 và những năm tiếp theo", datetime.date(2021, 12, 31), "yearly", "2021"),
        ("trudc ngay 15/10/2022", datetime.date(2022, 10, 15), "", ""),
        ("trong 6 thang cudi nim 2022", datetime.date(2022, 12, 31), "", "2022-H2"),
    ],
)
def test_deadline_phrases_in_their_usual_forms(
    text: str, due: datetime.date | None, recurrence: str, period_key: str
) -> None:
    deadline = parse_deadline(text, reference=DOCUMENT_DATE)
    assert (deadline.due, str(deadline.recurrence), deadline.period_key) == (due, recurrence, period_key)
    assert deadline.text


@pytest.mark.parametrize(
    "text",
    [
        "Thực hiện Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ",
        "sử dụng kết quả Chỉ số CCHC hằng năm trong công tác quản lý",
        "áp dụng TCVN ISO 9001:2015 tại cơ quan",
        "báo cáo định kỳ Quý II, III, IV theo quy định",
    ],
)
def test_dates_and_periods_that_are_not_deadlines_are_ignored(text: str) -> None:
    assert parse_deadline(text, reference=DOCUMENT_DATE).is_empty


def test_a_later_step_sets_the_deadline_of_a_task_with_several_dates() -> None:
    deadline = parse_deadline("gửi dự thảo trước ngày 10/6/2024 và báo cáo năm trước ngày 05/12/2024")
    assert deadline.due == datetime.date(2024, 12, 5)


def test_a_day_and_a_rhythm_are_kept_together() -> None:
    deadline = parse_deadline("gửi kế hoạch trước ngày 10/4/2023; định kỳ hằng quý báo cáo kết quả")
    assert deadline.due == datetime.date(2023, 4, 10)
    assert deadline.recurrence == Recurrence.QUARTERLY


@pytest.mark.parametrize("text", ["31/02/2023", "ngày 30 tháng 2 năm 2024", "12/13/2023", "hôm qua"])
def test_impossible_or_unreadable_dates_are_refused_with_a_vietnamese_message(text: str) -> None:
    with pytest.raises(ServiceError) as raised:
        parse_date(text)
    assert "ngày" in raised.value.message.lower()


def test_an_impossible_deadline_day_is_reported_not_guessed() -> None:
    deadline = parse_deadline("hoàn thành trước ngày 31/02/2023")
    assert deadline.due is None
    assert deadline.errors == ("Ngày “31/02/2023” không có thật (tháng 2 không có ngày 31).",)


def test_a_date_without_a_year_needs_the_document_date() -> None:
    with pytest.raises(ServiceError):
        parse_date("20/6")
    assert parse_deadline("trước ngày 20/6").errors


@given(text=st.text(max_size=40))
def test_aligned_folding_keeps_one_character_per_character(text: str) -> None:
    assert len(fold_aligned(text)) == len(text)
