"""Broken files are refused as evidence, with self-assessment and with an explanation, each with its own message."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.assessments import services
from cchc.assessments.models import Evidence, Stage
from cchc.lib.errors import ServiceError
from cchc.testing.files import (
    BILLION_LAUGHS,
    corrupt_pdf_bytes,
    docx_bytes,
    pdf_bytes,
    pdf_html_polyglot_bytes,
    replace_part,
    xlsx_bytes,
)

from .conftest import Workflow
from .test_services import _to_appraisal

pytestmark = pytest.mark.django_db

BROKEN = [
    ("bien-ban.pdf", corrupt_pdf_bytes(), "bị hỏng"),
    ("bien-ban.pdf", pdf_bytes(password="mat-khau"), "được đặt mật khẩu"),
    ("bien-ban.pdf", pdf_html_polyglot_bytes(), "mã trang web (HTML)"),
    ("bao-cao.docx", replace_part(docx_bytes(), "word/document.xml", b"<w:document><w:body>"), "bị hỏng"),
    ("bang.xlsx", replace_part(xlsx_bytes(), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData>"), "bị hỏng"),
    ("bang.xlsx", replace_part(xlsx_bytes(), "xl/worksheets/sheet1.xml", BILLION_LAUGHS), "khai báo thực thể XML"),
]
IDS = ["corrupt-pdf", "encrypted-pdf", "pdf-html-polyglot", "docx-malformed-xml", "xlsx-malformed-xml", "xlsx-entities"]


@pytest.mark.parametrize(("name", "content", "message"), BROKEN, ids=IDS)
def test_a_broken_evidence_file_is_refused_with_its_message_and_nothing_stored(
    wf: Workflow, name: str, content: bytes, message: str
) -> None:
    response = wf.personas.client("focal_a").post(
        reverse("assessments:evidence_upload", args=[wf.a.pk]),
        {"file": SimpleUploadedFile(name, content), "scores": [wf.score(wf.a, "1.1").pk]},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


def test_genuine_word_and_excel_evidence_is_stored(wf: Workflow) -> None:
    client = wf.personas.client("focal_a")
    for name, content in (("bao-cao.docx", docx_bytes()), ("bang.xlsx", xlsx_bytes())):
        response = client.post(
            reverse("assessments:evidence_upload", args=[wf.a.pk]),
            {"file": SimpleUploadedFile(name, content), "scores": [wf.score(wf.a, "1.1").pk]},
        )
        assert response.status_code == 302
    assert Evidence.objects.count() == 2


@pytest.mark.parametrize(("name", "content", "message"), BROKEN[:3], ids=IDS[:3])
def test_a_broken_file_sent_with_an_explanation_is_refused_and_no_explanation_is_kept(
    wf: Workflow, name: str, content: bytes, message: str
) -> None:
    _to_appraisal(wf)
    score = wf.score(wf.a, "1.2")
    services.score_appraise(
        actor=wf.personas.appraiser, score=score, version=score.version, points=Decimal(2), reason="Thiếu"
    )
    services.assessment_close_by_office(actor=wf.personas.secretariat, assessment=wf.b, reason="Quá hạn gia hạn")
    services.round_advance(actor=wf.personas.secretariat, round_=wf.round, to_stage=Stage.EXPLANATION)
    with pytest.raises(ServiceError, match=re.escape(message)):
        services.explanation_add(
            actor=wf.personas.focal_a,
            score=wf.score(wf.a, "1.2"),
            text="Đã có báo cáo",
            proposed_score=Decimal(3),
            upload=SimpleUploadedFile(name, content),
        )
    assert not Evidence.objects.exists()
    assert not wf.score(wf.a, "1.2").explanations.exists()
