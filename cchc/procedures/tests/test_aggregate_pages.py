"""The aggregate figures page: the rows of the units the reader sees, filtered by unit, period and source, paginated."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from ..models import DossierAggregate

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/procedures/aggregates/"


@pytest.fixture
def aggregates(personas) -> None:
    for unit, source, start, end, received in (
        (personas.unit_a, "Báo cáo quý", D(2025, 1, 1), D(2025, 3, 31), 120),
        (personas.office_a, "Báo cáo quý", D(2025, 4, 1), D(2025, 6, 30), 15),
        (personas.unit_b, "Một cửa xã", D(2025, 1, 1), D(2025, 3, 31), 30),
        (personas.other_commune, "Báo cáo quý", D(2025, 1, 1), D(2025, 3, 31), 99),
        (personas.unit_a, "Báo cáo quý", D(2024, 1, 1), D(2024, 12, 31), 400),
    ):
        DossierAggregate.objects.create(
            source=source, unit=unit, period_start=start, period_end=end, received_total=received, finished_total=1
        )


def units(response) -> list[str]:
    return sorted(row.unit.code for row in response.context["page"].object_list)


def test_a_focal_point_sees_the_figures_of_its_own_subtree_only(personas, aggregates):
    response = personas.client("focal_a").get(URL)
    assert response.status_code == 200
    assert units(response) == sorted([personas.unit_a.code, personas.office_a.code, personas.unit_a.code])
    html = response.content.decode()
    assert "Văn phòng Sở Tư pháp" in html and "Xã Hòa Bình" not in html.split('data-testid="aggregate-list"')[1]
    # A unit outside its subtree is not even offered as a filter.
    assert personas.client("focal_a").get(URL, {"unit": personas.unit_b.pk}).status_code == 400


def test_the_secretariat_filters_by_unit_period_and_source(personas, aggregates):
    client = personas.client("secretariat")
    assert len(units(client.get(URL))) == 4  # not the other province's commune
    assert units(client.get(URL, {"unit": personas.unit_a.pk})) == sorted(
        [personas.unit_a.code, personas.unit_a.code, personas.office_a.code]
    )
    assert units(client.get(URL, {"period": "2025-Q1"})) == sorted([personas.unit_a.code, personas.unit_b.code])
    assert units(client.get(URL, {"period": "2025"})) == sorted(
        [personas.unit_a.code, personas.office_a.code, personas.unit_b.code]
    )
    assert units(client.get(URL, {"source": "Một cửa xã"})) == [personas.unit_b.code]
    bad = client.get(URL, {"period": "2025-Q9"})
    assert bad.status_code == 400 and "Kỳ báo cáo nằm trong" in bad.content.decode()


def test_the_list_is_paginated_and_people_without_a_role_are_refused(personas, aggregates, django_user_model):
    for index in range(60):
        DossierAggregate.objects.create(
            source=f"Nguồn {index}", unit=personas.unit_b, period_start=D(2023, 1, 1), period_end=D(2023, 3, 31)
        )
    response = personas.client("admin").get(URL)
    assert response.context["page"].paginator.count == 65
    assert len(response.context["page"].object_list) == 50
    assert personas.client("admin").get(URL, {"page": 2}).context["page"].object_list[0]
    assert personas.client("anonymous").get(URL).status_code == 302
    nobody = django_user_model.objects.create_user(username="khach2", password="x")
    client = personas.client("anonymous")
    client.force_login(nobody)
    assert client.get(URL).status_code == 403
    assert reverse("procedures:aggregate_list") in personas.client("focal_a").get("/procedures/").content.decode()
