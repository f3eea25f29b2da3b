"""The pages of the external results, through HTTP, for every persona."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cchc.directives import services as directive_services
from cchc.directives.models import DeadlineKind, DirectiveKind
from cchc.frameworks.services import CriterionData, FrameworkData, criterion_create, framework_create
from cchc.indicators.external import HEADER, external_results_import, get_index, years_with_results
from cchc.indicators.models import IndicatorValue
from cchc.indicators.services import indicator_ensure, value_publish
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.spreadsheet import SheetRow
from cchc.organisations.models import UnitKind
from cchc.testing.files import xlsx_bytes
from cchc.testing.personas import PERSONA_NAMES, Personas

pytestmark = pytest.mark.django_db

INDEX = reverse("indicators:external_index")
IMPORT = reverse("indicators:external_import")
TEMPLATE = reverse("indicators:external_template")
READERS = {"admin", "secretariat", "leader", "focal_a", "focal_b", "appraiser", "supervisor"}
IMPORTERS = {"admin", "secretariat"}


def _load(lines: list[list[object]]) -> None:
    table: list[Sequence[object]] = [HEADER, *lines]
    rows = [SheetRow(number, tuple(values)) for number, values in enumerate(table, 1)]
    assert external_results_import(actor=None, rows=rows).ok


def _province_url(personas: Personas, index: str = "papi", unit=None) -> str:
    return reverse("indicators:external_province", args=[index, (unit or personas.province).pk])


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_everyone_with_a_role_reads_the_results_and_only_the_secretariat_and_admin_import(personas, name):
    client = personas.client(name)
    index = client.get(INDEX)
    page = client.get(_province_url(personas))
    form = client.get(IMPORT)
    if name == "anonymous":
        assert index.status_code == 302 and page.status_code == 302 and form.status_code == 302
        return
    assert index.status_code == 200 and page.status_code == 200
    assert form.status_code == (200 if name in IMPORTERS else 403)
    assert (IMPORT in index.content.decode()) == (name in IMPORTERS)


@pytest.mark.parametrize("name", sorted(READERS - {"admin"}))
def test_a_province_outside_what_the_user_reads_answers_404(personas, name):
    response = personas.client(name).get(_province_url(personas, unit=personas.other_province))
    assert response.status_code == 404


def test_the_administrator_reads_every_province_and_an_unknown_index_or_unit_is_404(personas):
    client = personas.client("admin")
    assert client.get(_province_url(personas, unit=personas.other_province)).status_code == 200
    assert client.get(_province_url(personas, index="dti")).status_code == 404
    assert client.get(_province_url(personas, unit=personas.unit_a)).status_code == 404


def test_the_import_page_imports_a_good_file_and_a_second_time_changes_nothing(personas):
    client = personas.client("secretariat")
    data = xlsx_bytes([HEADER, ["Tỉnh Thử Nghiệm", 2023, "papi.total", 46.04, "papi.org.vn"]])
    response = client.post(IMPORT, {"file": SimpleUploadedFile("papi.xlsx", data), "mode": "all"})
    assert response.status_code == 302
    assert IndicatorValue.objects.get(indicator__code="papi.total").value == Decimal("46.04")
    response = client.post(IMPORT, {"file": SimpleUploadedFile("papi.xlsx", data), "mode": "all"}, follow=True)
    assert "0 mới, 0 thay đổi); 1 không đổi" in response.content.decode()


def test_the_import_page_lists_bad_rows_offers_the_error_file_and_refuses_a_wrong_file(personas):
    client = personas.client("secretariat")
    data = xlsx_bytes([HEADER, ["T-P", 2023, "papi.d2", 4, ""], ["Tỉnh Không Có", 2023, "papi.d1", 11, ""]])
    response = client.post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", data), "mode": "all"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "chưa nhập kết quả nào" in page and "Tỉnh Không Có" in page and "loi-nhap-ket-qua-chi-so.xlsx" in page
    assert not IndicatorValue.objects.exists()
    response = client.post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", data), "mode": "valid"})
    assert response.status_code == 200 and "các dòng lỗi chưa được nhập" in response.content.decode()
    assert IndicatorValue.objects.count() == 1
    response = client.post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", b"garbage"), "mode": "all"})
    assert response.status_code == 400 and "Excel (.xlsx)" in response.content.decode()
    response = client.post(IMPORT, {"mode": "all"})
    assert response.status_code == 400 and "Hãy chọn tệp cần nhập." in response.content.decode()
    response = client.post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", data), "mode": "sometimes"})
    assert response.status_code == 400


def test_a_focal_point_cannot_post_an_import(personas):
    data = xlsx_bytes([HEADER, ["T-P", 2023, "papi.d2", 4, ""]])
    response = personas.client("focal_a").post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", data), "mode": "all"})
    assert response.status_code == 403 and not IndicatorValue.objects.exists()


def test_the_template_download_is_a_workbook_with_the_header(personas):
    response = personas.client("leader").get(TEMPLATE)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADER


def test_the_province_page_shows_rank_with_ties_gaps_and_the_trend(personas):
    _load(
        [
            ["T-P", 2022, "papi.total", "44,5", ""],
            ["T-P", 2023, "papi.total", "45,25", ""],
            ["T-Q", 2023, "papi.total", "45,25", ""],
            ["T-P", 2023, "papi.d1", 5, ""],
            ["T-Q", 2023, "papi.d1", 6, ""],
        ]
    )
    page = personas.client("leader").get(_province_url(personas)).content.decode()
    assert 'data-testid="tied"' in page and "1/2" in page
    assert "45,25 / 80" in page and "+0,75" in page  # up 0.75 on 2022
    assert "-0,5" in page  # dimension 1: 5 against a mean of 5.5
    assert "44,5" in page  # the trend keeps 2022
    earlier = personas.client("leader").get(_province_url(personas) + "?year=2022").content.decode()
    assert "44,5 / 80" in earlier
    assert personas.client("leader").get(_province_url(personas) + "?year=abc").status_code == 200


def test_a_province_without_results_says_so(personas):
    page = personas.client("leader").get(_province_url(personas, index="sipas")).content.decode()
    assert 'data-testid="no-results"' in page


def test_each_dimension_links_the_open_tasks_aimed_at_it_and_their_units(personas):
    _load([["T-P", 2023, "papi.d4", 5, ""], ["T-P", 2023, "par.a3", 80, ""]])
    directive = directive_services.directive_create(
        actor=personas.secretariat,
        data=directive_services.DirectiveData(
            kind=DirectiveKind.CONCLUSION,
            subject="Kết luận phân tích PAPI và Chỉ số CCHC",
            issuing_unit=personas.province,
            issued_on=datetime.date(2025, 8, 1),
        ),
    )
    framework = framework_create(
        actor=None,
        data=FrameworkData(
            name="Bộ tiêu chí sở", year=2025, unit_kind=UnitKind.DEPARTMENT, owner=personas.province, scale=Decimal(10)
        ),
    )
    area = criterion_create(
        actor=None,
        framework=framework,
        parent=None,
        data=CriterionData(code="3", title="Cải cách TTHC", max_points=Decimal(5)),
    )
    leaf = criterion_create(
        actor=None,
        framework=framework,
        parent=area,
        data=CriterionData(code="3.1", title="Công khai thủ tục", max_points=Decimal(5)),
    )

    def task(content: str, **extra):
        return directive_services.task_create(
            actor=personas.secretariat,
            directive=directive,
            data=directive_services.TaskData(
                content=content,
                deadline_kind=DeadlineKind.DATE,
                deadline=datetime.date(2026, 12, 31),
                units=[personas.unit_a],
                **extra,
            ),
        )

    papi_task = task("Phòng, chống tham nhũng vặt", papi_dimension="Nội dung 4")
    par_task = task("Công khai đầy đủ thủ tục hành chính", criteria=[leaf])
    cancelled = task("Nhiệm vụ đã hủy", papi_dimension="4")
    directive_services.task_cancel(actor=personas.secretariat, task=cancelled, reason="Không còn phù hợp")
    client = personas.client("secretariat")
    papi_page = client.get(_province_url(personas)).content.decode()
    assert "Phòng, chống tham nhũng vặt" in papi_page and "Nhiệm vụ đã hủy" not in papi_page
    assert reverse("directives:task_detail", args=[papi_task.pk]) in papi_page and "Sở Tư pháp" in papi_page
    par_page = client.get(_province_url(personas, index="par")).content.decode()
    assert reverse("directives:task_detail", args=[par_task.pk]) in par_page
    # Focal point B's unit has no part in the tasks: they are not shown to it.
    other = personas.client("focal_b").get(_province_url(personas)).content.decode()
    assert "Phòng, chống tham nhũng vặt" not in other


def test_the_province_page_reads_in_a_fixed_number_of_queries_whatever_the_number_of_provinces(
    personas, django_assert_max_num_queries
):
    lines: list[list[object]] = [["T-P", year, f"papi.d{d}", 5, ""] for year in (2021, 2022, 2023) for d in range(1, 9)]
    lines += [["T-Q", year, f"papi.d{d}", 6, ""] for year in (2021, 2022, 2023) for d in range(1, 9)]
    _load(lines)
    client = personas.client("leader")
    client.get(_province_url(personas))  # warm the session and the role cache
    with django_assert_max_num_queries(13):  # one of them reads the responsible units
        response = client.get(_province_url(personas))
    assert response.status_code == 200


def test_items_without_any_figure_that_year_or_aimed_task_are_left_out_of_the_page(personas):
    _load([["T-P", 2023, "papi.total", 45, ""], ["T-Q", 2023, "papi.d2", 6, ""]])
    page = personas.client("leader").get(_province_url(personas)).content.decode()
    assert 'data-testid="row-papi.total"' in page and 'data-testid="row-papi.d2"' in page
    assert 'data-testid="row-papi.d1"' not in page and 'data-testid="row-papi.d6.1"' not in page


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "abc", ""])
def test_odd_province_ids_and_years_never_give_a_server_error(personas, value):
    client = personas.client("secretariat")
    data = xlsx_bytes([HEADER, ["T-P", 2023, "papi.d2", 4, ""]])
    response = client.post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", data), "mode": "all", "province": value})
    assert response.status_code in (302, 400)
    assert client.get(_province_url(personas) + f"?year={value}").status_code == 200


def test_the_years_with_results_count_only_published_province_figures_not_the_own_survey_indicator(personas):
    sipas = get_index("sipas")
    assert sipas is not None
    indicator = indicator_ensure(code="sipas.satisfaction", name="Mức độ hài lòng (khảo sát của tỉnh)")
    value_publish(actor=None, indicator=indicator, unit=personas.unit_a, period=Period(2025, PeriodKind.YEAR), value=80)
    assert years_with_results(sipas) == []
