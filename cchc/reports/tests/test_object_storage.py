"""The Word template kept in object storage (a real moto server): uploaded, used by every report exported, and a
storage that cannot be reached refuses the upload, and the file built in the background fails with a Vietnamese
message."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from cchc.reports.documents import report_file_build
from cchc.reports.models import FileStatus, ReportFile, ReportTemplate
from cchc.reports.template_source import build_template
from cchc.testing.object_storage import S3Server, object_storage, unreachable_object_storage
from cchc.testing.personas import Personas

from .conftest import Year
from .test_documents import _text, _written_province_report

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _quick_template() -> bytes:
    edited = Document(io.BytesIO(build_template()))
    title = next(paragraph for paragraph in edited.paragraphs if paragraph.text == "BÁO CÁO")
    title.runs[0].text = "BÁO CÁO NHANH"
    buffer = io.BytesIO()
    edited.save(buffer)
    return buffer.getvalue()


def _upload(personas: Personas, data: bytes):  # type: ignore[no-untyped-def]
    return personas.client("secretariat").post(
        reverse("reports:template"), {"file": SimpleUploadedFile("mau.docx", data, content_type=DOCX)}
    )


def test_a_template_in_object_storage_is_used_by_the_exported_word_report(
    personas: Personas, year: Year, s3_server: S3Server
) -> None:
    data = _quick_template()
    report = _written_province_report(personas)
    client = personas.client("secretariat")
    with object_storage(s3_server) as bucket:
        assert _upload(personas, data).status_code == 302
        client.post(reverse("reports:report_file_build", args=[report.pk, "docx"]))
        report_file_build(ReportFile.objects.get(report=report).pk)  # the background job, run here
        exported = client.get(reverse("reports:report_download", args=[report.pk, "docx"]))
        exported_bytes = exported.getvalue()  # streamed from the bucket
        kept = client.get(reverse("reports:template_download"))

    built = ReportFile.objects.get(report=report)
    assert sorted(s3_server.keys(bucket)) == sorted(
        [f"media/{ReportTemplate.objects.get().file.name}", f"media/{built.file.name}"]
    )
    assert exported.status_code == 200 and "BÁO CÁO NHANH" in _text(exported_bytes)
    assert kept.content == data


def test_with_object_storage_unreachable_the_upload_and_the_export_say_so_and_nothing_is_recorded(
    personas: Personas, year: Year, s3_server: S3Server
) -> None:
    report = _written_province_report(personas)
    with object_storage(s3_server) as bucket:
        _upload(personas, _quick_template())

    client = personas.client("secretariat")
    with unreachable_object_storage(bucket):
        refused = _upload(personas, build_template())
        client.post(reverse("reports:report_file_build", args=[report.pk, "docx"]))
        report_file_build(ReportFile.objects.get(report=report).pk)  # the background job, run here
        page = client.get(reverse("reports:report_detail", args=[report.pk]))

    assert refused.status_code == 400 and "Kho lưu trữ tệp đang không truy cập được" in refused.content.decode()
    assert ReportTemplate.objects.count() == 1
    failed = ReportFile.objects.get(report=report)
    assert failed.status == FileStatus.FAILED and not failed.file
    assert "Kho lưu trữ tệp đang không truy cập được" in page.content.decode()
