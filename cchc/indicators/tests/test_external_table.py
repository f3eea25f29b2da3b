"""The all-province table page of an index and year: ranks, every dimension, the mean and best rows, the reader's
province marked, sorting by a dimension through the query string, and who sees which provinces."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.indicators.external import HEADER, INDICES, external_results_import, province_ranking
from cchc.lib.spreadsheet import SheetRow
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.services import UnitData, unit_create
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
            ["T-P", 2022, "papi.total", "41", ""],
            ["T-P", 2023, "papi.total", "48", ""],
            ["T-Q", 2023, "papi.total", "44", ""],
            ["T-P", 2023, "papi.d1", "6", ""],
            ["T-Q", 2023, "papi.d1", "6", ""],
            ["T-P", 2023, "papi.d5", "5", ""],
            ["T-Q", 2023, "papi.d5", "8", ""],
            ["T-P", 2023, "papi.d1.1", "2", ""],
        ]
    )


def _get(personas, name="secretariat", index="papi", **params):
    return personas.client(name).get(reverse("indicators:external_table", args=[index]), params)


def _rows(page: str) -> list[str]:
    """The province codes of the body rows, in order."""
    return re.findall(r'data-testid="province-([^"]+)"', page)


def test_the_secretariat_sees_every_province_ranked_on_the_total_with_the_mean_and_the_best(personas, published):
    response = _get(personas)
    assert response.status_code == 200
    page = response.content.decode()
    assert _rows(page) == ["T-P", "T-Q"]
    assert [re.sub(r"\s+", " ", cell) for cell in re.findall(r'data-testid="col-([^"]+)"', page)] == [
        "papi.total",
        "papi.d1",
        "papi.d5",
    ]  # the sub-dimension stays in the province page and the workbook
    row = page[page.index('data-testid="province-T-P"') : page.index('data-testid="province-T-Q"')]
    assert '<tr class="own" data-testid="province-T-P">' in page
    assert "tỉnh của bạn" in row and ">48<" in row and ">6<" in row and ">5<" in row
    other = page[page.index('data-testid="province-T-Q"') : page.index("</tbody>")]
    assert "tỉnh của bạn" not in other and '<tr class="own" data-testid="province-T-Q"' not in page
    mean = page[page.index('data-testid="mean-row"') : page.index('data-testid="best-row"')]
    assert re.findall(r'<td class="num">([^<]*)<', mean) == ["46", "6", "6,5"]
    best = page[page.index('data-testid="best-row"') : page.index("</tfoot>")]
    assert "Tỉnh Bên Cạnh" in best and ">8<" in best
    assert 'aria-sort="descending" data-testid="col-papi.total"' in page
    assert "style=" not in page


def test_sorting_by_a_dimension_ranks_the_provinces_on_it_and_shares_equal_ranks(personas, published):
    page = _get(personas, sort="papi.d5", year=2023).content.decode()
    assert _rows(page) == ["T-Q", "T-P"]
    assert 'aria-sort="descending" data-testid="col-papi.d5"' in page
    assert 'href="?year=2023&amp;sort=papi.total"' in page
    tied = _get(personas, sort="papi.d1").content.decode()
    assert tied.count('<span class="badge">đồng hạng') == 2 and _rows(tied) == ["T-Q", "T-P"]  # equal: by name


@pytest.mark.parametrize("sort", ["", "papi.d9", "papi.d1.1", "par.total", "<script>"])
def test_an_unknown_or_unlisted_sort_falls_back_to_the_total(personas, published, sort):
    response = _get(personas, sort=sort)
    assert response.status_code == 200
    assert 'aria-sort="descending" data-testid="col-papi.total"' in response.content.decode()


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_importers_list_every_province_and_the_others_their_own_with_the_mean_of_all(personas, published, name):
    response = _get(personas, name)
    if name == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert _rows(page) == (["T-P", "T-Q"] if name in {"admin", "secretariat"} else ["T-P"])
    mean = page[page.index('data-testid="mean-row"') : page.index('data-testid="best-row"')]
    assert ">46<" in mean  # over both provinces, whoever reads
    assert "tỉnh của bạn" in page  # every persona works in Tỉnh Thử Nghiệm
    other_page = reverse("indicators:external_province", args=["papi", personas.other_province.pk])
    assert (other_page in page) == (name == "admin")  # a link only to a page the reader may open


def test_the_year_defaults_to_the_latest_and_a_bad_year_or_an_unknown_index_is_handled(personas, published):
    assert "năm 2023" in _get(personas).content.decode()
    assert "năm 2023" in _get(personas, year="20x3").content.decode()
    earlier = _get(personas, year=2022).content.decode()
    assert _rows(earlier) == ["T-P"] and 'data-testid="col-papi.d5"' not in earlier
    assert _get(personas, index="dti").status_code == 404


def test_an_index_without_results_says_so(personas, published):
    page = _get(personas, index="sipas").content.decode()
    assert 'data-testid="no-results"' in page and 'data-testid="external-table"' not in page


def test_a_reader_whose_province_has_no_figure_is_told_so(personas):
    _load([["T-Q", 2023, "papi.total", "44", ""]])
    page = _get(personas, "leader").content.decode()
    assert 'data-testid="no-rows"' in page and "Tỉnh, thành phố của bạn chưa có kết quả năm này." in page


def test_the_table_page_is_linked_from_the_index_list_and_the_province_page(personas, published):
    table = reverse("indicators:external_table", args=["papi"])
    index_page = personas.client("leader").get(reverse("indicators:external_index")).content.decode()
    assert f'href="{table}?year=2023"' in index_page and f'href="{table}?year=2022"' in index_page
    province = reverse("indicators:external_province", args=["papi", personas.province.pk])
    assert f'href="{table}?year=2023"' in personas.client("leader").get(province).content.decode()


def test_provinces_without_a_figure_of_the_sorted_item_come_last(personas, published):
    third = unit_create(actor=None, data=UnitData(name="Tỉnh An Toàn", kind=UnitKind.PROVINCE, code="T-A"), parent=None)
    _load([["T-A", 2023, "papi.total", "50", ""]])
    table = province_ranking(
        index=INDICES["papi"], provinces=Unit.objects.filter(kind=UnitKind.PROVINCE), sort="papi.d5", own=[third.pk]
    )
    assert [(row.unit.code, row.rank.position if row.rank else None, row.own) for row in table.rows] == [
        ("T-Q", 1, False),
        ("T-P", 2, False),
        ("T-A", None, True),
    ]
    assert table.provinces_ranked == 2 and table.means[0] == Decimal("47.33")


def test_the_years_of_an_index_stay_one_line_of_links_in_the_phone_card(personas, published):
    # A card cell is a grid: loose text and links would each take a line of their own ("2023", "(", ".xlsx", ")").
    page = personas.client("leader").get(reverse("indicators:external_index")).content.decode()
    cell = page[page.index('data-testid="years-papi"') :]
    cell = cell[: cell.index("</td>")]
    assert cell.endswith("</span>") and "2022" in cell and "2023" in cell and "<span" not in cell
