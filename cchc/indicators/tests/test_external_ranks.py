"""Ranks, means, the best province and the gaps of a province's external results; what a task's PAPI text names."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from cchc.indicators import external
from cchc.indicators.external import Rank, competition_ranks, external_results_import, province_report
from cchc.lib.spreadsheet import SheetRow
from cchc.organisations.models import UnitKind
from cchc.organisations.services import UnitData, unit_create


def test_equal_values_share_a_rank_and_the_next_rank_skips():
    ranks = competition_ranks({1: Decimal("90"), 2: Decimal("85"), 3: Decimal("85"), 4: Decimal("80")})
    assert ranks == {1: Rank(1, False, 4), 2: Rank(2, True, 4), 3: Rank(2, True, 4), 4: Rank(4, False, 4)}


def test_the_mean_is_rounded_half_up_to_two_decimals_and_missing_without_values():
    assert external.mean([Decimal("1"), Decimal("2"), Decimal("2")]) == Decimal("1.67")
    assert external.mean([Decimal("0.125"), Decimal("0.125")]) == Decimal("0.13")
    assert external.mean([]) is None


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Nội dung 3", {"papi.d3"}),
        ("papi.d6.2", {"papi.d6", "papi.d6.2"}),
        ("Kiểm soát tham nhũng trong khu vực công", {"papi.d4"}),
        ("quan tri dien tu", {"papi.d8"}),
        ("Y tế công lập", {"papi.d6", "papi.d6.1"}),
        ("", set()),
        ("cải cách tài chính", set()),
    ],
)
def test_a_tasks_papi_text_names_dimensions_by_number_or_by_name(text, codes):
    assert external.papi_codes_for_text(text) == codes


def test_a_framework_area_is_matched_to_the_par_area_by_its_title():
    assert external.par_area_for_title("CẢI CÁCH THỦ TỤC HÀNH CHÍNH") == "par.a3"
    assert external.par_area_for_title("Công tác chỉ đạo, điều hành CCHC") == "par.a1"
    assert external.par_area_for_title("Xây dựng và phát triển chính quyền điện tử, chính quyền số") == "par.a7"
    assert external.par_area_for_title("Điểm thưởng") is None


@pytest.mark.django_db
def test_a_provinces_report_gives_rank_mean_best_and_gaps_per_item_and_its_trend(personas):
    unit_create(actor=None, data=UnitData(name="Tỉnh Thứ Ba", kind=UnitKind.PROVINCE, code="T-R"), parent=None)
    lines: list[Sequence[object]] = [
        external.HEADER,
        ["T-P", 2022, "par.total", 85, ""],
        ["T-P", 2023, "par.total", 88, ""],
        ["T-Q", 2023, "par.total", 92, ""],
        ["T-R", 2023, "par.total", 88, ""],
        ["T-P", 2023, "par.a3", 70, ""],
        ["T-Q", 2023, "par.a3", 90, ""],
    ]
    rows = [SheetRow(number, tuple(values)) for number, values in enumerate(lines, 1)]
    assert external_results_import(actor=None, rows=rows).ok
    report = province_report(index=external.INDICES["par"], province=personas.province)
    assert report.year == 2023 and report.years == [2022, 2023]
    total = next(row for row in report.rows if row.item.code == "par.total")
    assert total.value == Decimal("88") and total.rank == Rank(2, True, 3)
    assert total.mean == Decimal("89.33") and total.gap_to_mean == Decimal("-1.33")
    assert total.best == Decimal("92") and total.best_provinces == [personas.other_province]
    assert total.gap_to_best == Decimal("-4") and total.change == Decimal("3")
    area = next(row for row in report.rows if row.item.code == "par.a3")
    assert area.rank == Rank(2, False, 2) and area.mean == Decimal("80") and area.gap_to_mean == Decimal("-10")
    missing = next(row for row in report.rows if row.item.code == "par.a1")
    assert missing.value is None and missing.rank is None and missing.gap_to_mean is None
    assert report.trend["par.total"] == {
        2022: Decimal("85"),
        2023: Decimal("88"),
    }
    earlier = province_report(index=external.INDICES["par"], province=personas.province, year=2022)
    earlier_total = next(row for row in earlier.rows if row.item.code == "par.total")
    assert earlier_total.rank == Rank(1, False, 1) and earlier_total.change is None
