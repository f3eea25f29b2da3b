"""The forms in which directives state when a task is due, read by ``cchc.lib.dates``.

One test per form a careful reader of directives (Nghị định 30/2020/NĐ-CP style) knows, with the due day the
labelling conventions of ``tests/extraction/LABELLING.md`` give it.
"""

from __future__ import annotations

import datetime

import pytest

from cchc.lib.dates import Recurrence, parse_deadline

# The document's own date: days without a year fall on or after it.
SIGNED = datetime.date(2025, 11, 20)


def due(text: str, *, bare: bool = False, not_before: datetime.date | None = None) -> datetime.date | None:
    return parse_deadline(text, reference=SIGNED, bare=bare, not_before=not_before).due


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sở Nội vụ hoàn thành trước ngày 15/12/2025.", datetime.date(2025, 12, 15)),
        ("gửi về Sở Tài chính trước 15/12", datetime.date(2025, 12, 15)),
        ("báo cáo chậm nhất ngày 10/01/2026", datetime.date(2026, 1, 10)),
        ("xong trước 31/3/2026", datetime.date(2026, 3, 31)),
        ("báo cáo kết quả về UBND tỉnh (qua Sở Nội vụ) trước ngày 10/12/2025 để tổng hợp", datetime.date(2025, 12, 10)),
        ("Thời hạn hoàn thành: 30/6/2026", datetime.date(2026, 6, 30)),
        ("hạn chót 15/12/2025", datetime.date(2025, 12, 15)),
    ],
)
def test_a_day_after_a_word_of_deadline_is_the_due_day(text: str, expected: datetime.date) -> None:
    assert due(text) == expected


@pytest.mark.parametrize(
    "text",
    ["trước ngày 05 tháng 3 năm 2026", "trước 05/3/2026", "trước ngày 5-3-2026", "trước ngày 05.3.2026"],
)
def test_a_day_written_in_words_slashes_dashes_or_dots_is_the_same_day(text: str) -> None:
    assert due(text) == datetime.date(2026, 3, 5)


@pytest.mark.parametrize(
    "text",
    [
        "hoàn thành trước ngày 15/12/\n2025.",
        "hoàn thành trước ngày 15/12/ 2025",
        "hoàn thành trước ngày 15 tháng 12\nnăm 2025.",
    ],
)
def test_a_day_split_over_two_lines_is_read_whole(text: str) -> None:
    assert due(text) == datetime.date(2025, 12, 15)


def test_a_day_without_its_year_is_never_before_the_document_date() -> None:
    assert due("trước ngày 05/3") == datetime.date(2026, 3, 5)
    assert due("trước ngày 15/12") == datetime.date(2025, 12, 15)


@pytest.mark.parametrize(
    "text",
    [
        "hoàn thành chậm nhất vào ngày 15/12/2025",
        "không muộn hơn ngày 15/12/2025",
        "gửi không quá ngày 15/12/2025",
        "muộn nhất ngày 15/12/2025",
    ],
)
def test_other_words_for_at_the_latest_read_like_cham_nhat(text: str) -> None:
    assert due(text) == datetime.date(2025, 12, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("chậm nhất trong tháng 6/2026", datetime.date(2026, 6, 30)),
        ("thực hiện trong tháng 12 năm 2025", datetime.date(2025, 12, 31)),
        ("hoàn thành vào tháng 6/2026", datetime.date(2026, 6, 30)),
        ("Thời gian: tháng 3/2026", datetime.date(2026, 3, 31)),
        ("Tiến độ: tháng 12/2025", datetime.date(2025, 12, 31)),
    ],
)
def test_a_month_falls_due_on_its_last_day(text: str, expected: datetime.date) -> None:
    assert due(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoàn thành trong quý I/2026", datetime.date(2026, 3, 31)),
        ("hoàn thành trong Quý IV năm 2025", datetime.date(2025, 12, 31)),
        ("hoàn thành vào Quý II/2026", datetime.date(2026, 6, 30)),
        ("Thời hạn hoàn thành: Quý II/2026", datetime.date(2026, 6, 30)),
    ],
)
def test_a_quarter_falls_due_on_its_last_day(text: str, expected: datetime.date) -> None:
    assert due(text) == expected


def test_the_first_half_of_a_year_falls_due_at_the_end_of_june() -> None:
    assert due("hoàn thành trong 6 tháng đầu năm 2026") == datetime.date(2026, 6, 30)


@pytest.mark.parametrize(
    "text",
    ["Triển khai thực hiện trong năm 2026", "hoàn thành năm 2026.", "hoàn thành vào cuối năm 2026", "vào năm 2026"],
)
def test_a_year_falls_due_on_its_last_day(text: str) -> None:
    assert due(text) == datetime.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thực hiện trong giai đoạn 2026 – 2030", datetime.date(2030, 12, 31)),
        ("hoàn thành giai đoạn 2026-2027", datetime.date(2027, 12, 31)),
        ("Xây dựng các quy định, hướng dẫn trong giai đoạn 2026 - 2027", datetime.date(2027, 12, 31)),
        ("Thời gian thực hiện: năm 2026 - 2027", datetime.date(2027, 12, 31)),
    ],
)
def test_a_span_of_years_in_which_work_is_done_falls_due_at_the_end_of_its_last_year(
    text: str, expected: datetime.date
) -> None:
    assert due(text) == expected


def test_a_span_of_years_that_says_what_something_covers_is_no_deadline() -> None:
    text = "4. Về kiến nghị bổ sung cho tỉnh nguồn ngân sách Trung ương hỗ trợ trong giai đoạn 2026-2030, khoảng 16 tỷ"
    assert parse_deadline(text, reference=SIGNED).is_empty


def test_before_a_span_of_years_is_before_its_first_year() -> None:
    assert due("hoàn thành trước giai đoạn 2026 - 2030") == datetime.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trong vòng 10 ngày kể từ ngày ký", datetime.date(2025, 11, 30)),
        ("trong thời hạn 15 ngày kể từ ngày ban hành Kế hoạch này", datetime.date(2025, 12, 5)),
        ("hoàn thành trong 30 ngày kể từ ngày Kế hoạch được ban hành", datetime.date(2025, 12, 20)),
    ],
)
def test_days_counted_from_the_signing_fall_that_many_days_after_the_document_date(
    text: str, expected: datetime.date
) -> None:
    assert due(text) == expected


@pytest.mark.parametrize(
    "text", ["trong 07 ngày làm việc kể từ ngày ký", "trong thời hạn 10 ngày kể từ ngày nhận Kế hoạch này"]
)
def test_working_days_or_days_from_an_event_the_document_cannot_date_give_no_day(text: str) -> None:
    assert due(text) is None


@pytest.mark.parametrize(
    ("text", "recurrence"),
    [
        ("báo cáo trước ngày 20 hằng tháng", Recurrence.MONTHLY),
        ("báo cáo trước ngày 20 hàng quý", Recurrence.QUARTERLY),
        ("báo cáo kết quả về Sở Nội vụ định kỳ hằng năm", Recurrence.YEARLY),
        ("tổ chức thực hiện định kỳ hàng năm việc kiểm tra", Recurrence.YEARLY),
        ("Tổ chức đánh giá, báo cáo kết quả thực hiện Đề án hàng năm và tổng kết Đề án", Recurrence.YEARLY),
        ("Chủ trì tổng hợp, tham mưu bố trí kinh phí hằng năm để triển khai Kế hoạch", Recurrence.YEARLY),
    ],
)
def test_a_rhythm_of_periodic_work_is_read_wherever_it_stands_in_the_clause(text: str, recurrence: Recurrence) -> None:
    deadline = parse_deadline(text, reference=SIGNED)
    assert deadline.recurrence == recurrence
    assert deadline.due is None


@pytest.mark.parametrize(
    "text",
    [
        "bố trí trong kế hoạch hàng năm, nguồn Quỹ Phòng, chống thiên tai được trích lại",
        "đưa việc chấp hành kỷ luật thành tiêu chí quan trọng trong đánh giá cán bộ, công chức hằng năm",
        "để thấy rõ tầm quan trọng của chỉ số CCHC hằng năm.",
    ],
)
def test_a_yearly_thing_named_in_passing_sets_no_rhythm(text: str) -> None:
    assert parse_deadline(text, reference=SIGNED).recurrence == Recurrence.NONE


@pytest.mark.parametrize("text", ["thực hiện thường xuyên", "triển khai liên tục", "liên tục ra quân trấn áp"])
def test_constant_work_is_continuous_and_has_no_day(text: str) -> None:
    deadline = parse_deadline(text, reference=SIGNED)
    assert deadline.recurrence == Recurrence.CONTINUOUS
    assert deadline.due is None


def test_continuous_as_an_adjective_of_a_form_sets_no_rhythm() -> None:
    text = "tuyên truyền bằng nhiều hình thức đa dạng, thường xuyên, liên tục tập trung các nội dung trọng điểm"
    assert parse_deadline(text, reference=SIGNED).recurrence == Recurrence.NONE


def test_a_day_before_the_document_date_in_its_text_is_no_deadline() -> None:
    text = "Sở Nội vụ triển khai từ ngày 01 tháng 7 năm 2025; đến ngày 30/9/2025, toàn tỉnh đã hoàn thành"
    assert parse_deadline(text, reference=SIGNED, not_before=SIGNED).is_empty


def test_a_past_day_stays_readable_where_the_caller_allows_it() -> None:
    # A table of overdue work dates its rows before the document; the caller then passes no ``not_before``.
    assert due("30/9/2025", bare=True) == datetime.date(2025, 9, 30)


def test_vao_before_an_event_is_no_deadline() -> None:
    assert parse_deadline("tổ chức hội nghị vào ngày 28/11/2025", reference=SIGNED).is_empty
