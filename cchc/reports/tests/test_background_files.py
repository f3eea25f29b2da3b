"""The report's Word, PDF and Excel files are built in the background (Django Tasks API): the page shows the state
(queued, building, ready with its link, failed with a Vietnamese message), a double click queues one job, the file
lives in Django's storage, and ``cchc make_report`` stays synchronous for scripts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from docx import Document
from openpyxl import load_workbook

from cchc.directives.tests.test_jobs import run_worker
from cchc.reports import services
from cchc.reports.documents import report_file_build, report_file_request
from cchc.reports.models import FileStatus, Report, ReportFile, ReportTemplate
from cchc.reports.template_source import build_template
from cchc.testing.personas import Personas

from .conftest import YEAR, Year

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def database_queue(settings: Any) -> None:
    """The production configuration: jobs wait in the database for ``cchc db_worker``."""
    settings.TASKS = DATABASE_QUEUE


@pytest.fixture
def report(personas: Personas, year: Year) -> Report:
    report = services.report_start(actor=personas.secretariat, unit=personas.province, period=YEAR)
    services.section_save(actor=personas.secretariat, report=report, key="direction", text="Họp giao ban quý.")
    return report


def _build_url(report: Report, fmt: str) -> str:
    return reverse("reports:report_file_build", args=[report.pk, fmt])


def _page(client: Client, report: Report) -> str:
    return client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()


def _jobs() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="build_report_file_job").count()


def test_a_file_is_queued_by_the_page_built_by_the_worker_and_downloaded_from_storage(
    personas: Personas, report: Report
) -> None:
    client = personas.client("secretariat")
    assert 'data-testid="build-docx"' in _page(client, report)

    response = client.post(_build_url(report, "docx"))
    assert response.status_code == 302 and response["Location"].endswith("#report-files")
    stored = ReportFile.objects.get(report=report, fmt="docx")
    assert stored.status == FileStatus.QUEUED and not stored.file  # nothing was built in the request
    assert stored.requested_by == personas.secretariat and _jobs() == 1
    page = _page(client, report)
    assert 'data-status="queued"' in page and 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page
    early = client.get(reverse("reports:report_download", args=[report.pk, "docx"]))
    assert early.status_code == 302  # not ready yet: back to the page, which says where the build is

    report_file_build(stored.pk)  # what the worker does
    stored.refresh_from_db()
    assert stored.status == FileStatus.READY and stored.finished_at is not None
    assert default_storage.exists(stored.file.name)
    fragment = client.get(reverse("reports:report_files", args=[report.pk])).content.decode()
    assert 'data-status="ready"' in fragment and "every 2s" not in fragment and "<html" not in fragment

    download = client.get(reverse("reports:report_download", args=[report.pk, "docx"]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment") and ".docx" in download["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(download.getvalue())).paragraphs)
    assert "Họp giao ban quý." in text


def test_a_double_click_queues_one_job(personas: Personas, report: Report) -> None:
    client = personas.client("secretariat")
    for _ in range(2):
        assert client.post(_build_url(report, "xlsx")).status_code == 302
    htmx = client.post(_build_url(report, "xlsx"), headers={"HX-Request": "true"})
    assert htmx.content.decode().lstrip().startswith("{% load") is False
    assert 'id="report-files"' in htmx.content.decode()
    assert ReportFile.objects.filter(report=report).count() == 1 and _jobs() == 1
    stored = ReportFile.objects.get(report=report)
    report_file_build(stored.pk)
    report_file_build(stored.pk)  # a job run twice builds once
    stored.refresh_from_db()
    assert stored.status == FileStatus.READY
    # Asked again once ready: built again (the figures of the moment), one more job, the old file removed.
    first_name = stored.file.name
    client.post(_build_url(report, "xlsx"))
    assert _jobs() == 2
    report_file_build(stored.pk)
    stored.refresh_from_db()
    assert stored.status == FileStatus.READY and default_storage.exists(stored.file.name)
    if stored.file.name != first_name:
        assert not default_storage.exists(first_name)
    workbook = load_workbook(stored.file.open("rb"))
    assert len(workbook.sheetnames) >= 5


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_builds_the_queued_file(personas: Personas, report: Report) -> None:
    """Committed for real: the worker claims the queued job in its own transaction, as on another machine."""
    report_file_request(actor=personas.secretariat, report=report, fmt="xlsx")
    run_worker()
    stored = ReportFile.objects.get(report=report)
    assert stored.status == FileStatus.READY and stored.file


def test_a_build_that_fails_says_why_in_vietnamese_and_can_be_asked_again(personas: Personas, report: Report) -> None:
    services.template_upload(actor=personas.secretariat, upload=io.BytesIO(build_template()), name="mau.docx")
    uploaded = ReportTemplate.objects.get()
    default_storage.delete(uploaded.file.name)  # the storage lost the uploaded template
    client = personas.client("secretariat")
    client.post(_build_url(report, "docx"))
    report_file_build(ReportFile.objects.get(report=report).pk)
    page = _page(client, report)
    assert 'data-status="failed"' in page and "Không đọc được mẫu Word đã tải lên" in page
    assert 'data-testid="build-docx"' in page  # it may be asked again
    services.template_reset(actor=personas.secretariat)
    client.post(_build_url(report, "docx"))
    report_file_build(ReportFile.objects.get(report=report).pk)
    assert ReportFile.objects.get(report=report).status == FileStatus.READY


def test_with_the_immediate_backend_the_file_is_ready_at_once(
    personas: Personas, report: Report, settings: Any
) -> None:
    settings.TASKS = IMMEDIATE
    client = personas.client("secretariat")
    client.post(_build_url(report, "pdf"))
    stored = ReportFile.objects.get(report=report)
    assert stored.status == FileStatus.READY
    download = client.get(reverse("reports:report_download", args=[report.pk, "pdf"]))
    assert download.getvalue().startswith(b"%PDF")


def test_the_file_goes_through_whatever_storage_is_configured(
    personas: Personas, report: Report, settings: Any
) -> None:
    """Object storage tomorrow: nothing assumes a local path (here Django's in-memory storage)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.TASKS = IMMEDIATE
    client = personas.client("secretariat")
    client.post(_build_url(report, "xlsx"))
    stored = ReportFile.objects.get(report=report)
    assert stored.status == FileStatus.READY
    assert type(storages["default"]).__name__ == "InMemoryStorage"
    assert default_storage.exists(stored.file.name) and not (Path(settings.MEDIA_ROOT) / stored.file.name).exists()
    download = client.get(reverse("reports:report_download", args=[report.pk, "xlsx"]))
    assert download.status_code == 200 and download.getvalue()[:2] == b"PK"


def test_another_unit_can_neither_build_nor_download_the_report_file(personas: Personas, report: Report) -> None:
    outsider = personas.client("focal_b")
    assert outsider.post(_build_url(report, "docx")).status_code == 404
    assert outsider.get(reverse("reports:report_files", args=[report.pk])).status_code == 404
    assert outsider.get(reverse("reports:report_download", args=[report.pk, "docx"])).status_code == 404
    assert personas.client("secretariat").post(_build_url(report, "exe")).status_code == 404
    assert not ReportFile.objects.exists() and _jobs() == 0


def test_make_report_stays_synchronous_for_scripts(personas: Personas, year: Year, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.xlsx"
    call_command(
        "make_report", "--kind", "year", "--period", "2025", "--unit", personas.province.code, "--out", str(out)
    )
    assert out.exists() and out.read_bytes()[:2] == b"PK"
    assert _jobs() == 0 and not ReportFile.objects.exists()
