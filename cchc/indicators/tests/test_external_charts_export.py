"""The province page's charts (inline SVG with the same figures as its tables) and the Excel exports."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cchc.indicators.external import HEADER, INDICES, external_results_import, province_report, responsibility_set
from cchc.indicators.views.external import gap_bars, trend_chart
from cchc.lib.spreadsheet import SheetRow
from cchc.testing.personas import PERSONA_NAMES

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
            ["T-P", 2023, "papi.total", "48", "papi.org.vn"],
            ["T-Q", 2023, "papi.total", "44", ""],
            ["T-P", 2023, "papi.d5", "5", ""],
            ["T-Q", 2023, "papi.d5", "8", ""],
            ["T-Q", 2021, "papi.total", "42", ""],
        ]
    )


def _page(personas, name="leader", **params):
    url = reverse("indicators:external_province", args=["papi", personas.province.pk])
    return personas.client(name).get(url, params).content.decode()


def test_the_trend_chart_places_the_province_and_the_mean_on_the_scale_of_the_total(personas, published):
    report = province_report(index=INDICES["papi"], province=personas.province)
    chart = trend_chart(report)
    assert chart is not None and chart.maximum == 80
    assert [(point.year, point.value) for point in chart.points] == [(2021, Decimal(40)), (2023, Decimal(48))]
    assert [(point.year, point.value) for point in chart.mean_points] == [(2021, Decimal(41)), (2023, Decimal(46))]
    first, last = chart.points
    assert chart.left < float(first.x) < float(last.x) < chart.right
    # 40 of 80 sits halfway between the top (10) and the bottom of the plot (170 - 24)
    assert float(first.y) == pytest.approx((10 + 146) / 2)


def test_the_gap_bars_give_the_figure_the_mean_and_the_best_in_percent_of_the_maximum(personas, published):
    report = province_report(index=INDICES["papi"], province=personas.province, year=2023)
    (bar,) = gap_bars(report)
    assert bar.row.item.code == "papi.d5"
    assert (bar.value, bar.mean, bar.best) == ("50.0", "65.0", "80.0")


def test_the_page_draws_both_charts_with_a_text_alternative_and_no_style_attribute(personas, published):
    page = _page(personas, year=2023)
    assert 'data-testid="trend-chart"' in page and 'data-testid="gap-papi.d5"' in page
    chart = page[page.index('data-testid="trend-chart"') : page.index("</figure>")]
    assert 'role="img"' in chart and "<desc" in chart and "2021: 40; 2023: 48" in chart
    assert "style=" not in page
    assert 'data-testid="external-trend"' in page  # the table with the same figures


def test_a_province_without_a_total_gets_no_trend_chart_and_without_results_no_chart_at_all(personas):
    _load([["T-P", 2023, "papi.d5", "5", ""]])
    page = _page(personas)
    assert 'data-testid="trend-chart"' not in page and 'data-testid="gap-papi.d5"' in page
    sipas = personas.client("leader").get(reverse("indicators:external_province", args=["sipas", personas.province.pk]))
    assert 'data-testid="gap-chart"' not in sipas.content.decode()


def test_the_province_export_holds_the_year_the_trend_and_the_responsible_units(personas, published):
    responsibility_set(actor=None, province=personas.province, item_code="papi.d5", lead_units=[personas.home_affairs])
    url = reverse("indicators:external_province_export", args=["papi", personas.province.pk])
    response = personas.client("leader").get(url, {"year": 2023})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('papi-T-P-2023.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Năm 2023", "Diễn biến", "Thông tin"]
    rows = {row[0]: row for row in workbook["Năm 2023"].iter_rows(min_row=2, values_only=True)}
    total, dimension = rows["papi.total"], rows["papi.d5"]
    assert (total[2], total[4], total[5], total[7]) == (48, 1, 2, 46)
    assert dimension[13] == "Sở Nội vụ" and dimension[11] == -3
    trend = list(workbook["Diễn biến"].iter_rows(values_only=True))
    assert trend[0][2:] == ("2021", "2023") and trend[1][:4] == ("papi.total", "Chỉ số PAPI (tổng, thang 80)", 40, 48)


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_the_all_province_table_lists_every_province_to_importers_and_their_own_to_the_others(
    personas, published, name
):
    response = personas.client(name).get(reverse("indicators:external_table_export", args=["papi"]), {"year": 2023})
    if name == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Mã tỉnh", "Tỉnh, thành phố", "Xếp hạng (tổng)", "papi.total Chỉ số PAPI (tổng, thang 80)")
    if name in {"admin", "secretariat"}:
        assert [row[:5] for row in rows[1:]] == [
            ("T-P", "Tỉnh Thử Nghiệm", 1, 48, 5),
            ("T-Q", "Tỉnh Bên Cạnh", 2, 44, 8),
        ]
    else:
        assert [row[:3] for row in rows[1:]] == [("T-P", "Tỉnh Thử Nghiệm", 1)]


def test_the_exports_of_an_unknown_index_or_a_province_outside_the_user_are_404(personas, published):
    client = personas.client("leader")
    assert client.get(reverse("indicators:external_table_export", args=["dti"])).status_code == 404
    url = reverse("indicators:external_province_export", args=["papi", personas.other_province.pk])
    assert client.get(url).status_code == 404
    empty = client.get(reverse("indicators:external_table_export", args=["sipas"]))
    assert empty.status_code == 200 and len(list(load_workbook(io.BytesIO(empty.content)).worksheets[0].rows)) == 1
