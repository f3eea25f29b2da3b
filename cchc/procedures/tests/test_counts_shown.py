"""Counts on the procedures pages read with their thousands grouped: 37.000 in Vietnamese, 37,000 in English."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import translation

from cchc.lib.numbers import format_count

from ..models import DataImport, DossierAggregate

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def big_report(personas) -> DossierAggregate:
    return DossierAggregate.objects.create(
        source="Báo cáo năm",
        unit=personas.unit_b,
        period_start=D(2025, 1, 1),
        period_end=D(2025, 12, 31),
        received_total=37000,
        received_new=37000,
        finished_total=36512,
        finished_on_time=35000,
        finished_late=1512,
        processing_total=1250,
        processing_late=0,
    )


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_aggregate_list_groups_thousands_in_the_language_of_the_page(personas, big_report):
    html = personas.client("secretariat").get("/procedures/aggregates/").content.decode()
    table = html.split('data-testid="aggregate-list"')[1]
    assert "37.000" in table and "36.512" in table and "1.250" in table
    assert "37000" not in table
    table = english(personas.client("secretariat")).get("/procedures/aggregates/").content.decode()
    assert "37,000" in table and "36,512" in table


def test_the_kpi_pages_and_their_drill_down_links_keep_ids_plain_and_counts_grouped(personas, big_report):
    client = personas.client("focal_b")
    unit_page = client.get(f"/procedures/kpis/units/{personas.unit_b.pk}/", {"period": "2025"}).content.decode()
    assert ">37.000</a>" in unit_page and ">36.512</a>" in unit_page
    # The unit's id in the drill-down link is never grouped.
    assert f"/procedures/kpis/units/{personas.unit_b.pk}/dossiers/received/" in unit_page
    table = client.get("/procedures/kpis/", {"period": "2025"}).content.decode()
    assert ">37.000</a>" in table
    english_page = english(personas.client("focal_b")).get(
        f"/procedures/kpis/units/{personas.unit_b.pk}/", {"period": "2025"}
    )
    assert ">37,000</a>" in english_page.content.decode()


def test_the_import_history_shows_grouped_counts(personas):
    log = DataImport.objects.create(
        kind="dossiers",
        source="iGate",
        file_name="ho-so.csv",
        rows_read=37000,
        created=36000,
        unchanged=1000,
        author=personas.secretariat,
    )
    html = personas.client("secretariat").get("/procedures/imports/").content.decode()
    assert log.file_name in html
    assert "đọc 37.000: thêm 36.000, cập nhật 0, không đổi 1.000, lỗi 0" in html


@pytest.mark.parametrize(("language", "shown"), [("vi", "1.234.567"), ("en", "1,234,567")])
def test_a_count_is_grouped_by_three_in_both_languages(language, shown):
    with translation.override(language):
        assert format_count(1234567) == shown
        assert format_count(999) == "999"
