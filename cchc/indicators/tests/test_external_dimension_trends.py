"""The province page's trend chart per dimension (area, element): small multiples drawn with the total's chart code,
each on its item's own scale and with a table of the same figures."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.indicators.external import HEADER, INDICES, external_results_import, province_report
from cchc.indicators.views.external import dimension_charts
from cchc.lib.spreadsheet import SheetRow

pytestmark = pytest.mark.django_db


def _load(lines: list[list[object]]) -> None:
    table: list[Sequence[object]] = [HEADER, *lines]
    rows = [SheetRow(number, tuple(values)) for number, values in enumerate(table, 1)]
    assert external_results_import(actor=None, rows=rows).ok


@pytest.fixture
def published(personas):
    _load(
        [
            ["T-P", 2021, "papi.total", "40", ""],
            ["T-P", 2023, "papi.total", "48", ""],
            ["T-P", 2021, "papi.d5", "4", ""],
            ["T-P", 2023, "papi.d5", "5", ""],
            ["T-Q", 2023, "papi.d5", "8", ""],
            ["T-P", 2023, "papi.d8", "2.5", ""],
            ["T-P", 2023, "papi.d1.1", "2", ""],
        ]
    )


def _page(personas, index="papi", **params) -> str:
    url = reverse("indicators:external_province", args=[index, personas.province.pk])
    return personas.client("leader").get(url, params).content.decode()


def test_each_dimension_with_a_figure_gets_its_chart_on_its_own_scale(personas, published):
    charts = dimension_charts(province_report(index=INDICES["papi"], province=personas.province))
    assert [chart.item.code for chart in charts] == ["papi.d5", "papi.d8"]  # no sub-dimension, no empty dimension
    d5, d8 = charts
    assert d5.maximum == 10 and [(p.year, p.value) for p in d5.points] == [(2021, Decimal(4)), (2023, Decimal(5))]
    assert [(p.year, p.value) for p in d5.mean_points] == [(2021, Decimal(4)), (2023, Decimal("6.5"))]
    assert d5.rows == [(2021, Decimal(4), Decimal(4)), (2023, Decimal(5), Decimal("6.5"))]
    # the years line up across the small multiples: 2023 sits at the same x in every chart
    assert d8.points[0].x == d5.points[1].x
    # 5 of 10 sits halfway down the plot, as 40 of 80 does on the total's chart
    assert float(d5.points[1].y) == pytest.approx((10 + 146) / 2)


def test_the_page_draws_one_labelled_chart_and_one_table_per_dimension(personas, published):
    page = _page(personas)
    section = page[page.index('data-testid="dimension-trends"') :]
    section = section[: section.index('data-testid="gap-chart"')]
    assert re.findall(r'data-testid="trend-(papi[^"]+)"', section) == ["papi.d5", "papi.d8"]
    assert section.count('role="img"') == 2 and section.count('class="chart-table"') == 2
    assert "5. Thủ tục hành chính công: Tỉnh Thử Nghiệm qua các năm" in section
    assert "2021: 4; 2023: 5. Bình quân các tỉnh: 2021: 4; 2023: 6,5." in section
    assert re.search(r"<th scope=\"row\">2023</th><td class=\"num\">5</td><td class=\"num\">6,5</td>", section)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)) and "trend-papi-d5-title" in ids and "trend-papi-total-title" in ids
    assert "style=" not in page


def test_a_province_without_dimension_figures_shows_no_small_multiples(personas):
    _load([["T-P", 2023, "papi.total", "48", ""]])
    page = _page(personas)
    assert 'data-testid="trend-chart"' in page and 'data-testid="dimension-trends"' not in page


def test_par_areas_are_drawn_on_a_hundred(personas):
    _load([["T-P", 2022, "par.a3", "80", ""], ["T-P", 2023, "par.a3", "85.5", ""]])
    page = _page(personas, index="par")
    chart = page[page.index('data-testid="trend-par.a3"') :]
    assert "(thang điểm 0–100)" in chart[:400] and "2022: 80; 2023: 85,5" in chart
