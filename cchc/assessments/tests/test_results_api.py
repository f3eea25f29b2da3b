from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from cchc.accounts.services import api_token_create
from cchc.assessments.models import Stage
from cchc.assessments.results import compute_round
from cchc.organisations.models import UnitKind

from .factories import build_assessment, build_framework, build_round


def _get(personas, name, url, **params):
    headers = {}
    user = personas.user(name)
    if user is not None:
        _token, raw = api_token_create(actor=user, user=user, name="Kết nối thử")
        headers["Authorization"] = f"Bearer {raw}"
    return Client().get(url, params, headers=headers)


@pytest.fixture
def published(personas):
    departments = build_framework()
    communes = build_framework(unit_kind=UnitKind.COMMUNE)
    last = build_round(organiser=personas.province, year=2023, frameworks=[build_framework(year=2023)])
    build_assessment(last, personas.unit_a, last.frameworks.get(), {"1.2": 0})
    compute_round(last)
    round_ = build_round(organiser=personas.province, frameworks=[departments, communes], previous=last)
    a = build_assessment(round_, personas.unit_a, departments, {"2.1": 20})
    home = build_assessment(round_, personas.home_affairs, departments, {"2.1": 10})
    build_assessment(round_, personas.unit_b, communes)
    compute_round(round_)
    return round_, a, home


def test_the_ranking_endpoint_lists_ranks_indices_grades_and_changes(personas, published):
    round_, a, _home = published
    response = _get(personas, "focal_a", f"/api/results/rounds/{round_.pk}/ranking", kind="department")
    assert response.status_code == 200
    (group,) = response.json()
    assert group["unit_kind"] == "department"
    first = group["rows"][0]
    assert (first["assessment_id"], first["rank"], first["grade"]) == (a.pk, 1, "A")
    assert Decimal(first["index_value"]) == Decimal("92.00")
    assert Decimal(first["areas"]["2"]) == Decimal("83.33")
    assert first["change"]["rank_label"] == "giữ nguyên thứ hạng"
    assert Decimal(first["change"]["points_change"]) == Decimal(10)


@pytest.mark.parametrize(("name", "status"), [("anonymous", 401), ("focal_b", 200)])
def test_the_ranking_endpoint_needs_a_token_of_somebody_in_the_province(personas, published, name, status):
    round_ = published[0]
    assert _get(personas, name, f"/api/results/rounds/{round_.pk}/ranking").status_code == status


def test_unpublished_results_are_hidden_from_units(personas):
    framework = build_framework()
    round_ = build_round(organiser=personas.province, frameworks=[framework], stage=Stage.COUNCIL)
    build_assessment(round_, personas.unit_a, framework)
    compute_round(round_)
    assert _get(personas, "focal_a", f"/api/results/rounds/{round_.pk}/ranking").status_code == 404
    assert _get(personas, "secretariat", f"/api/results/rounds/{round_.pk}/ranking").status_code == 200


def test_the_unit_endpoint_gives_area_indices_and_gaps_to_the_unit_only(personas, published):
    round_, a, home = published
    response = _get(personas, "focal_a", f"/api/results/rounds/{round_.pk}/units/{a.pk}")
    assert response.status_code == 200
    body = response.json()
    assert [gap["code"] for gap in body["gaps"]] == ["2.1"]
    assert Decimal(body["gaps"][0]["points_lost"]) == Decimal(10)
    assert [area["code"] for area in body["areas"]] == ["1", "2"]
    assert _get(personas, "focal_a", f"/api/results/rounds/{round_.pk}/units/{home.pk}").status_code == 404


@pytest.mark.parametrize(("name", "status"), [("leader", 200), ("focal_a", 403)])
def test_the_points_lost_endpoint_is_for_readers_of_every_unit(personas, published, name, status):
    round_ = published[0]
    response = _get(personas, name, f"/api/results/rounds/{round_.pk}/points-lost")
    assert response.status_code == status
    if status == 200:
        first = response.json()[0]
        assert first["code"] == "2.1"
        assert Decimal(first["total_points_lost"]) == Decimal(30)
        assert first["most_lost"][0]["unit_name"] == "Sở Nội vụ"
