"""The external results API: token needed, the list filtered by index, year and province, one province's summary."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.test import Client

from cchc.accounts.services import api_token_create
from cchc.indicators.external import HEADER, external_results_import, responsibility_set
from cchc.lib.spreadsheet import SheetRow
from cchc.testing.personas import PERSONA_NAMES

pytestmark = pytest.mark.django_db

RESULTS = "/api/external/results"


def _get(personas, name, url, **params):
    headers = {}
    user = personas.user(name)
    if user is not None:
        _token, raw = api_token_create(actor=user, user=user, name="Kết nối thử")
        headers["Authorization"] = f"Bearer {raw}"
    return Client().get(url, params, headers=headers)


def _load(lines: list[list[object]]) -> None:
    table: list[Sequence[object]] = [HEADER, *lines]
    rows = [SheetRow(number, tuple(values)) for number, values in enumerate(table, 1)]
    assert external_results_import(actor=None, rows=rows).ok


@pytest.fixture
def published(personas):
    _load(
        [
            ["T-P", 2022, "papi.d5", "6.5", "papi.org.vn"],
            ["T-P", 2023, "papi.d5", "7", "papi.org.vn"],
            ["T-P", 2023, "papi.total", "45", ""],
            ["T-Q", 2023, "papi.d5", "8", ""],
            ["T-Q", 2023, "papi.total", "44", ""],
            ["T-P", 2023, "par.total", "88.5", ""],
        ]
    )
    responsibility_set(
        actor=None,
        province=personas.province,
        item_code="papi.d5",
        lead_units=[personas.home_affairs],
        supporting_units=[personas.unit_a],
    )


def _summary(personas, index="papi", unit=None):
    return f"/api/external/provinces/{(unit or personas.province).code}/{index}"


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_the_list_needs_a_token_and_shows_every_province_to_importers_and_their_own_to_the_others(
    personas, published, name
):
    response = _get(personas, name, RESULTS)
    if name == "anonymous":
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
        return
    assert response.status_code == 200
    provinces = {row["province"]["code"] for row in response.json()["items"]}
    assert provinces == ({"T-P", "T-Q"} if name in {"admin", "secretariat"} else {"T-P"})


def test_the_list_filters_by_index_year_and_province(personas, published):
    response = _get(personas, "secretariat", RESULTS, index="papi", year=2023, province="T-Q")
    rows = response.json()["items"]
    assert [(row["code"], row["year"], Decimal(row["value"])) for row in rows] == [
        ("papi.d5", 2023, Decimal(8)),
        ("papi.total", 2023, Decimal(44)),
    ]
    first = _get(personas, "secretariat", RESULTS, index="papi", province="T-P", year=2022).json()["items"][0]
    assert first["name"] == "PAPI 5. Thủ tục hành chính công" and Decimal(first["maximum"]) == 10
    assert first["source"] == "papi.org.vn" and first["index"] == "papi"
    assert _get(personas, "secretariat", RESULTS, index="par").json()["count"] == 1


@pytest.mark.parametrize("params", [{"index": "dti"}, {"year": "abc"}, {"year": 1999}])
def test_bad_filters_answer_422_in_vietnamese(personas, published, params):
    response = _get(personas, "secretariat", RESULTS, **params)
    assert response.status_code == 422 and response.json()["code"] == "invalid"


def test_the_summary_gives_rank_mean_best_gaps_and_responsible_units_per_item(personas, published):
    response = _get(personas, "leader", _summary(personas), year=2023)
    assert response.status_code == 200
    body = response.json()
    assert (body["province"]["code"], body["index"], body["year"], body["years"]) == ("T-P", "papi", 2023, [2022, 2023])
    item = next(row for row in body["items"] if row["code"] == "papi.d5")
    assert (item["rank"], item["rank_of"], item["rank_shared"]) == (2, 2, False)
    assert Decimal(item["mean"]) == Decimal("7.5") and Decimal(item["best"]) == 8
    assert item["best_provinces"] == ["Tỉnh Bên Cạnh"]
    assert Decimal(item["gap_to_mean"]) == Decimal("-0.5") and Decimal(item["gap_to_best"]) == -1
    assert Decimal(item["change"]) == Decimal("0.5")
    assert [(duty["unit"]["code"], duty["lead"]) for duty in item["responsible"]] == [
        ("T-P-SNV", True),
        ("T-P-STP", False),
    ]
    total = next(row for row in body["items"] if row["code"] == "papi.total")
    assert total["rank"] == 1 and total["responsible"] == []


@pytest.mark.parametrize("name", sorted(set(PERSONA_NAMES) - {"anonymous", "admin"}))
def test_the_summary_of_a_province_outside_the_callers_is_404(personas, published, name):
    response = _get(personas, name, _summary(personas, unit=personas.other_province))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_summary_of_an_unknown_province_a_unit_that_is_no_province_or_an_unknown_index_is_refused(
    personas, published
):
    assert _get(personas, "admin", _summary(personas, unit=personas.other_province)).status_code == 200
    assert _get(personas, "admin", "/api/external/provinces/NOPE/papi").status_code == 404
    assert _get(personas, "admin", _summary(personas, unit=personas.unit_a)).status_code == 404
    assert _get(personas, "admin", _summary(personas, index="dti")).status_code == 422
    assert _get(personas, "anonymous", _summary(personas)).status_code == 401


def test_a_province_without_results_has_an_empty_summary(personas):
    body = _get(personas, "leader", _summary(personas, index="sipas")).json()
    assert body["year"] is None and body["years"] == []
    assert all(item["value"] is None for item in body["items"])
