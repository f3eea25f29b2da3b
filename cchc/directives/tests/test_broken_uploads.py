"""Broken files are refused as progress report attachments and as a directive's file, each with its own message."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.directives import services
from cchc.directives.models import Directive, ProgressReport
from cchc.lib.errors import ServiceError
from cchc.testing.files import (
    corrupt_pdf_bytes,
    docx_bytes,
    pdf_bytes,
    pdf_html_polyglot_bytes,
    replace_part,
    xlsx_bytes,
)
from cchc.testing.personas import Personas

from .conftest import make_task

pytestmark = pytest.mark.django_db

BROKEN = [
    ("bao-cao.pdf", corrupt_pdf_bytes(), "bị hỏng"),
    ("bao-cao.pdf", pdf_bytes(password="mat-khau"), "được đặt mật khẩu"),
    ("bao-cao.pdf", pdf_html_polyglot_bytes(), "mã trang web (HTML)"),
    ("bao-cao.docx", replace_part(docx_bytes(), "word/document.xml", b"<w:document><w:body>"), "bị hỏng"),
    ("bang.xlsx", replace_part(xlsx_bytes(), "xl/workbook.xml", b"<workbook"), "bị hỏng"),
]
IDS = ["corrupt-pdf", "encrypted-pdf", "pdf-html-polyglot", "docx-malformed-xml", "xlsx-malformed-xml"]


@pytest.mark.parametrize(("name", "content", "message"), BROKEN, ids=IDS)
def test_a_broken_report_attachment_is_refused_with_its_message_and_no_report_saved(
    personas: Personas, directive: Directive, name: str, content: bytes, message: str
) -> None:
    assignment = make_task(personas, directive).assignments.get()
    response = personas.client("focal_a").post(
        reverse("directives:report_create", args=[assignment.pk]),
        {"percent": "50", "text": "Đang làm", "attachments": [SimpleUploadedFile(name, content)]},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize(("name", "content", "message"), [*BROKEN[:4]], ids=IDS[:4])
def test_a_broken_directive_file_is_refused_with_its_message(name: str, content: bytes, message: str) -> None:
    with pytest.raises(ServiceError, match=re.escape(message)):
        services.check_directive_file(SimpleUploadedFile(name, content))


def test_genuine_attachments_of_every_kind_are_accepted() -> None:
    uploads = [
        SimpleUploadedFile("a.pdf", pdf_bytes()),
        SimpleUploadedFile("b.docx", docx_bytes()),
        SimpleUploadedFile("c.xlsx", xlsx_bytes()),
    ]
    assert [stored.name for stored in services.check_report_files(uploads)] == ["a.pdf", "b.docx", "c.xlsx"]
