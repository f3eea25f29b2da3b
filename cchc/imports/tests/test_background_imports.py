"""Large Excel imports run in a background worker with progress; every import is capped, streamed, all-or-nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from cchc.frameworks import excel as framework_excel
from cchc.frameworks.tests.factories import small_tree
from cchc.imports.models import ImportRun, ImportStatus
from cchc.imports.services import import_run_execute
from cchc.organisations.excel import HEADER
from cchc.organisations.models import Unit
from cchc.testing.files import BILLION_LAUGHS, replace_part, xlsx_bytes
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
URL = "/units/import/"


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DATABASE_QUEUE


def _units_file(personas: Personas, count: int, *, bad_row: int | None = None) -> bytes:
    rows: list[list[object]] = [list(HEADER)]
    for number in range(1, count + 1):
        name = "" if number == bad_row else f"Phòng thử {number}"
        rows.append([number, f"T-P-TH{number}", name, "", "other", "", personas.province.code, "", "", ""])
    return xlsx_bytes(rows)


def _post(client: Any, url: str, data: bytes, **fields: Any) -> Any:
    return client.post(url, {"file": SimpleUploadedFile("don-vi.xlsx", data), "reason": "Nhập thử", **fields})


def test_a_large_unit_file_is_imported_in_the_background_and_the_page_follows_its_progress(
    personas: Personas, settings: Any
) -> None:
    settings.CCHC_IMPORT_BACKGROUND_BYTES = 1
    client = personas.client("secretariat")
    response = _post(client, URL, _units_file(personas, 30))
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert response["Location"] == f"{URL}?run={run.pk}"
    assert DBTaskResult.objects.filter(task_path__endswith="run_import_job").count() == 1
    assert not Unit.objects.filter(code__startswith="T-P-TH").exists()  # nothing happened in the request

    page = client.get(response["Location"]).content.decode()
    assert "Đang chờ xử lý" in page and 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div class="card" id="import-run"') and "<html" not in fragment

    import_run_execute(run.pk)  # what the worker does
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and not run.errors and run.rows_read == 31 and not run.file
    assert Unit.objects.filter(code__startswith="T-P-TH").count() == 30
    page = client.get(response["Location"]).content.decode()
    assert "Thêm mới 30" in page and 'hx-trigger="every 2s"' not in page


def test_a_background_import_with_a_bad_row_imports_nothing_and_offers_the_error_workbook(
    personas: Personas, settings: Any
) -> None:
    settings.CCHC_IMPORT_BACKGROUND_BYTES = 1
    settings.TASKS = IMMEDIATE
    client = personas.client("secretariat")
    response = _post(client, URL, _units_file(personas, 12, bad_row=7))
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.DONE and run.errors == [[8, "Tên đơn vị", "Thiếu tên đơn vị."]]
    assert not Unit.objects.filter(code__startswith="T-P-TH").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Có 1 lỗi; chưa nhập dòng nào." in page and "Thiếu tên đơn vị." in page
    download = client.get(f"{URL}?run={run.pk}&errors=1")
    workbook = load_workbook(io.BytesIO(download.content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][-1] == "Lỗi" and "Thiếu tên đơn vị" in str(rows[7][-1])


def test_only_the_person_who_started_an_import_can_follow_it(personas: Personas, settings: Any) -> None:
    settings.CCHC_IMPORT_BACKGROUND_BYTES = 1
    _post(personas.client("secretariat"), URL, _units_file(personas, 3))
    run = ImportRun.objects.get()
    assert personas.client("admin").get(f"{URL}?run={run.pk}").status_code == 404
    assert personas.client("secretariat").get(f"{URL}?run=99999999999999999999999").status_code == 404
    assert personas.client("focal_a").get(f"{URL}?run={run.pk}").status_code == 403


def test_a_large_framework_file_is_imported_in_the_background(personas: Personas, settings: Any) -> None:
    settings.CCHC_IMPORT_BACKGROUND_BYTES = 1
    settings.TASKS = IMMEDIATE
    framework = small_tree(personas.province, lead=personas.home_affairs)
    good = framework_excel.export_framework(framework)
    count = framework.criteria.count()
    framework.criteria.all().delete()
    url = reverse("frameworks:framework_import", args=[framework.pk])
    response = _post(personas.client("secretariat"), url, good)
    run = ImportRun.objects.get()
    assert response["Location"] == f"{url}?run={run.pk}"
    assert run.status == ImportStatus.DONE and not run.errors and framework.criteria.count() == count
    assert f"Đã nhập {count} tiêu chí." in personas.client("secretariat").get(response["Location"]).content.decode()


def test_a_file_with_more_rows_than_the_cap_is_refused_with_a_message_naming_the_cap(
    personas: Personas, settings: Any
) -> None:
    settings.CCHC_IMPORT_MAX_ROWS = 20
    page = _post(personas.client("secretariat"), URL, _units_file(personas, 21)).content.decode()
    assert "Tệp có hơn 20 dòng dữ liệu" in page and "tối đa 20 dòng" in page
    assert not Unit.objects.filter(code__startswith="T-P-TH").exists()
    assert "Mỗi tệp tối đa 20 dòng" in page


def test_the_cap_applies_in_the_background_too(personas: Personas, settings: Any) -> None:
    settings.CCHC_IMPORT_MAX_ROWS = 20
    settings.CCHC_IMPORT_BACKGROUND_BYTES = 1
    settings.TASKS = IMMEDIATE
    response = _post(personas.client("secretariat"), URL, _units_file(personas, 25))
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and "tối đa 20 dòng" in run.message
    assert "tối đa 20 dòng" in personas.client("secretariat").get(response["Location"]).content.decode()


BROKEN_WORKBOOKS = {
    "sheet": ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r='1'><c r='A1'><v>1</v></c>", "bị hỏng"),
    "workbook": ("xl/workbook.xml", b"<workbook><sheets><sheet", "bị hỏng"),
    "entities": ("xl/worksheets/sheet1.xml", BILLION_LAUGHS, "khai báo thực thể XML"),
    "padded entities": ("xl/worksheets/sheet1.xml", b"<!--" + b" " * 5000 + b"-->" + BILLION_LAUGHS[22:], "bị hỏng"),
}


@pytest.mark.parametrize("broken", BROKEN_WORKBOOKS, ids=list(BROKEN_WORKBOOKS))
def test_a_damaged_or_hostile_workbook_gives_a_damaged_file_message_on_both_import_pages(
    personas: Personas, broken: str
) -> None:
    part, content, message = BROKEN_WORKBOOKS[broken]
    data = replace_part(_units_file(personas, 2), part, content)
    framework = small_tree(personas.province, lead=personas.home_affairs)
    for url in (URL, reverse("frameworks:framework_import", args=[framework.pk])):
        response = _post(personas.client("secretariat"), url, data)
        assert response.status_code == 200
        assert message in response.content.decode()
