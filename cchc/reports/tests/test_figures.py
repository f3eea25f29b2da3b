"""The report's tables against the figures counted by hand from the test year (see conftest)."""

from __future__ import annotations

from decimal import Decimal

from cchc.lib.periods import Period
from cchc.reports.figures import NO_DATA, report_figures, table_text
from cchc.testing.personas import Personas

from .conftest import YEAR, Year


def test_the_province_task_table_sums_the_units_rows(personas: Personas, year: Year) -> None:
    table = report_figures(personas.province, YEAR, consolidated=True).table("tasks")
    rows = {row[0]: row[1:] for row in table.rows}
    # unit A: on time (March), late (August), the yearly report overdue; unit B: its task and its report overdue
    assert rows["Sở Tư pháp"] == [3, 1, 1, 1, 0, Decimal("33.3")]
    assert rows["Xã Hòa Bình"] == [2, 0, 0, 2, 0, Decimal("0.0")]
    assert table.total == ["Tổng cộng", 5, 1, 1, 3, 0, Decimal("20.0")]


def test_a_quarter_counts_only_the_tasks_due_in_it(personas: Personas, year: Year) -> None:
    table = report_figures(personas.province, Period.from_key("2025-Q1"), consolidated=True).table("tasks")
    assert table.total == ["Tổng cộng", 2, 1, 0, 1, 0, Decimal("50.0")]


def test_a_unit_report_shows_only_its_own_subtree(personas: Personas, year: Year) -> None:
    table = report_figures(personas.unit_a, YEAR).table("tasks")
    assert [row[0] for row in table.rows] == ["Sở Tư pháp"]
    assert table.total is None


def test_directives_issued_in_the_period_are_counted_by_kind(personas: Personas, year: Year) -> None:
    table = report_figures(personas.province, YEAR, consolidated=True).table("directives")
    assert ["Kế hoạch", 1] in table.rows
    assert table.total == ["Tổng cộng", 1]
    assert report_figures(personas.province, Period.from_key("2024"), consolidated=True).table("directives").total == [
        "Tổng cộng",
        0,
    ]


def test_registers_are_read_from_the_indicator_store_and_say_when_absent(personas: Personas, year: Year) -> None:
    rows = table_text(report_figures(personas.province, YEAR, consolidated=True).table("registers"))
    assert rows == [
        ["Tỷ lệ đơn vị được kiểm tra CCHC", "35 %"],
        ["Tỷ lệ kết luận kiểm tra đã khắc phục", NO_DATA],
        ["Số sáng kiến, giải pháp CCHC được công nhận", NO_DATA],
    ]


def test_without_published_results_or_surveys_the_tables_say_there_is_no_data(personas: Personas, year: Year) -> None:
    figures = report_figures(personas.unit_a, YEAR)
    assert table_text(figures.table("par")) == [["Kết quả Chỉ số CCHC đã công bố", NO_DATA]]
    assert table_text(figures.table("satisfaction"))[0][1] == NO_DATA
