"""Published results are imported, not computed: their indicators and values say so on every page, the indicator
import sends them to the import of published results, and older rows stored as computed are corrected."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from cchc.indicators import excel
from cchc.indicators.external import HEADER, external_results_import
from cchc.indicators.models import EntryMode, Indicator, IndicatorSource, IndicatorValue, ValueOrigin
from cchc.indicators.services import indicator_ensure, value_publish
from cchc.lib import spreadsheet
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.spreadsheet import SheetRow

pytestmark = pytest.mark.django_db

migration = importlib.import_module("cchc.indicators.migrations.0006_external_results_imported")


def _load(lines: list[list[object]]) -> None:
    table: list[Sequence[object]] = [HEADER, *lines]
    rows = [SheetRow(number, tuple(values)) for number, values in enumerate(table, 1)]
    assert external_results_import(actor=None, rows=rows).ok


def test_an_imported_result_is_an_imported_value_of_an_imported_indicator(personas):
    _load([["T-P", 2023, "papi.total", "48", "papi.org.vn"]])
    value = IndicatorValue.objects.get()
    assert value.origin == ValueOrigin.IMPORTED and value.indicator.entry == EntryMode.IMPORTED
    assert value.indicator.group == "Kết quả PAPI"
    page = personas.client("leader").get(reverse("indicators:indicator_detail", args=[value.indicator.pk]))
    text = page.content.decode()
    assert "Nhập từ tệp (Kết quả công bố bên ngoài)" in text and "Hệ thống tính" not in text


def test_the_indicator_import_refuses_a_published_result_and_names_the_right_page(personas):
    _load([["T-P", 2023, "papi.total", "48", ""]])
    data = spreadsheet.table_bytes(
        title="Số liệu", header=["Mã chỉ số", "Mã đơn vị", "Năm/kỳ", "Giá trị"], rows=[["papi.total", "T-P", 2023, 50]]
    )
    report = excel.import_values(actor=personas.secretariat, data=data)
    assert [error.message for error in report.errors] == [
        "Chỉ số “papi.total” là kết quả công bố bên ngoài; nhập ở trang “Nhập kết quả PAR INDEX, SIPAS, PAPI”."
    ]
    assert IndicatorValue.objects.get().value == Decimal(48)


def test_results_stored_as_computed_are_marked_imported_and_other_computed_values_are_left(personas):
    published = indicator_ensure(code="papi.d1", name="PAPI 1", source=IndicatorSource.EXTERNAL)
    computed = indicator_ensure(code="tasks.on_time_rate", name="Tỷ lệ đúng hạn")
    year = Period(2023, PeriodKind.YEAR)
    value_publish(actor=None, indicator=published, unit=personas.province, period=year, value=6)
    value_publish(actor=None, indicator=computed, unit=personas.province, period=year, value=80)
    migration.mark_imported(apps, None)
    assert Indicator.objects.get(code="papi.d1").entry == EntryMode.IMPORTED
    assert Indicator.objects.get(code="papi.d1").group == "Kết quả PAPI"
    assert Indicator.objects.get(code="tasks.on_time_rate").entry == EntryMode.COMPUTED
    origins = dict(IndicatorValue.objects.values_list("indicator__code", "origin"))
    assert origins == {"papi.d1": ValueOrigin.IMPORTED, "tasks.on_time_rate": ValueOrigin.COMPUTED}


def test_the_indicators_list_puts_the_published_results_after_the_province_s_own(personas, digitised):
    _load([["T-P", 2023, "papi.total", "48", ""], ["T-P", 2023, "par.total", "80", ""]])
    page = personas.client("secretariat").get(reverse("indicators:indicator_list")).content.decode()
    assert page.index("tthc.digitised_results") < page.index("papi.total") < page.index("par.total")
    assert '<option value="Kết quả PAPI"' in page  # the group filter offers each index
