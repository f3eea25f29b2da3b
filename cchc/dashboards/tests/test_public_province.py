"""The public page speaks for one province: the one the site serves, named by ``CCHC_PROVINCE_CODE`` or, without it,
the only root province with units under it. With two provinces in the data, the other's published rankings, figures
and survey links never show."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from cchc.assessments.models import Round, Stage
from cchc.assessments.results import compute_round
from cchc.assessments.tests.factories import build_assessment, build_framework, build_round
from cchc.assessments.tests.test_results_views import _round as build_round_with_results
from cchc.dashboards.selectors_public import data_version
from cchc.indicators.models import Measure
from cchc.indicators.services import IndicatorData, indicator_create, indicator_set_public, value_publish
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.province import home_province
from cchc.surveys.collection import PointData, collection_point_create
from cchc.surveys.models import Channel
from cchc.surveys.publishing import satisfaction_indicators
from cchc.surveys.selectors import REGULAR_CODE
from cchc.surveys.tests.factories import make_questionnaire
from cchc.testing.personas import Personas

LAST_YEAR = Period(timezone.localdate().year - 1, PeriodKind.YEAR)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def two_provinces(personas: Personas) -> dict[str, Any]:
    """Published data of both provinces of the personas: Tỉnh Thử Nghiệm (T-P) and Tỉnh Bên Cạnh (T-Q)."""
    home_round = build_round_with_results(personas, is_public=True)[0]
    Round.objects.filter(pk=home_round.pk).update(name="Kỳ CCHC của Tỉnh Thử Nghiệm")
    communes = build_framework(unit_kind=UnitKind.COMMUNE)
    other_round = build_round(
        organiser=personas.other_province, frameworks=[communes], stage=Stage.PUBLISHED, is_public=True
    )
    build_assessment(other_round, personas.other_commune, communes, {"1.2": 5})
    compute_round(other_round)
    Round.objects.filter(pk=other_round.pk).update(name="Kỳ CCHC của Tỉnh Bên Cạnh")

    on_time = indicator_create(
        actor=personas.admin,
        data=IndicatorData(code="dossiers.on_time_rate", name="Tỷ lệ đúng hạn", measure=Measure.PERCENT),
    )
    indicator_set_public(actor=personas.admin, indicator=on_time, on_public_page=True)
    value_publish(actor=None, indicator=on_time, unit=personas.unit_a, period=LAST_YEAR, value=Decimal("81.11"))
    # The other province's figure is of a later period: it must not even choose the period shown.
    value_publish(
        actor=None,
        indicator=on_time,
        unit=personas.other_commune,
        period=Period(timezone.localdate().year, PeriodKind.YEAR),
        value=Decimal("22.22"),
    )
    satisfaction = satisfaction_indicators()[REGULAR_CODE]
    value_publish(actor=None, indicator=satisfaction, unit=personas.province, period=LAST_YEAR, value=Decimal("91.5"))
    value_publish(
        actor=None, indicator=satisfaction, unit=personas.other_province, period=LAST_YEAR, value=Decimal("66.5")
    )
    survey = make_questionnaire(personas.province, code="khao-sat-hai-tinh", publish=True)
    home_link = collection_point_create(
        actor=None, questionnaire=survey, data=PointData(unit=personas.unit_a, channel=Channel.ONLINE)
    )
    other_link = collection_point_create(
        actor=None, questionnaire=survey, data=PointData(unit=personas.other_commune, channel=Channel.ONLINE)
    )
    return {"home_link": home_link, "other_link": other_link}


def _page() -> str:
    response = Client().get("/public/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_setting_names_the_province_and_only_its_published_data_shows(
    personas: Personas, two_provinces: dict[str, Any], settings: Any
) -> None:
    settings.CCHC_PROVINCE_CODE = "T-P"
    html = _page()
    assert "Kỳ CCHC của Tỉnh Thử Nghiệm" in html and "Sở Tư pháp" in html
    assert "81,11 %" in html and "91,50 %" in html
    assert two_provinces["home_link"].token in html
    assert "Kỳ CCHC của Tỉnh Bên Cạnh" not in html and "Xã Ngoài Phạm Vi" not in html
    assert "22,22" not in html and "66,50" not in html and "Tỉnh Bên Cạnh" not in html
    assert two_provinces["other_link"].token not in html


def test_naming_the_other_province_shows_only_its_data(
    personas: Personas, two_provinces: dict[str, Any], settings: Any
) -> None:
    settings.CCHC_PROVINCE_CODE = "T-Q"
    html = _page()
    assert "Kỳ CCHC của Tỉnh Bên Cạnh" in html and "Xã Ngoài Phạm Vi" in html
    assert "22,22 %" in html and "66,50 %" in html and two_provinces["other_link"].token in html
    assert "Kỳ CCHC của Tỉnh Thử Nghiệm" not in html and "Sở Tư pháp" not in html
    assert "81,11" not in html and "91,50" not in html and two_provinces["home_link"].token not in html


def test_without_the_setting_two_provinces_with_units_show_nothing_and_say_why(
    personas: Personas, two_provinces: dict[str, Any], settings: Any
) -> None:
    settings.CCHC_PROVINCE_CODE = ""
    assert home_province() is None
    html = _page()
    assert 'data-testid="no-province"' in html and "PROVINCE_CODE" in html
    for shown in ("Kỳ CCHC của", "81,11", "22,22", "91,50", "66,50"):
        assert shown not in html
    assert two_provinces["home_link"].token not in html and two_provinces["other_link"].token not in html


def test_a_code_naming_no_province_in_force_decides_none(personas: Personas, settings: Any) -> None:
    settings.CCHC_PROVINCE_CODE = "KHONG-CO"
    assert home_province() is None
    settings.CCHC_PROVINCE_CODE = personas.unit_a.code  # a department is not a province
    assert home_province() is None


def test_without_the_setting_the_only_root_province_with_units_is_the_home_one(
    personas: Personas, settings: Any
) -> None:
    """Provinces loaded only for the national rankings have no units under them and do not count."""
    settings.CCHC_PROVINCE_CODE = ""
    Unit.objects.filter(parent=personas.other_province).update(parent=personas.province)
    Unit.objects.create(name="Tỉnh Xếp Hạng", kind=UnitKind.PROVINCE, code="T-R")
    assert home_province() == personas.province
    settings.CCHC_PROVINCE_CODE = "T-R"  # the setting wins, even for a province without units
    assert home_province() is not None and home_province().code == "T-R"  # type: ignore[union-attr]


def test_the_version_changes_when_the_province_changes(personas: Personas, settings: Any) -> None:
    settings.CCHC_PROVINCE_CODE = "T-P"
    first = data_version()
    settings.CCHC_PROVINCE_CODE = "T-Q"
    assert data_version() != first
