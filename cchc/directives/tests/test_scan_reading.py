"""Uploading a scan: the upload returns at once, the reading page follows the pages read (htmx polling) and opens
the review when the worker is done; failures show a Vietnamese message; a double submit starts one job."""

from __future__ import annotations

import datetime
import io
import os
import warnings
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cchc.directives.models import Directive, DirectiveDraft, DraftStatus
from cchc.directives.scans import scan_read
from cchc.extraction.ocr import ocr_available
from cchc.testing.personas import Personas

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NOTICE = [
    "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM",
    "Số: 215/TB-UBND",
    "Thử Nghiệm, ngày 14 tháng 8 năm 2025",
    "THÔNG BÁO",
    "Kết luận về công tác cải cách hành chính",
    "1. Sở Tư pháp rà soát văn bản quy phạm pháp luật",
    "trước ngày 30/9/2025.",
    "2. Sở Tư pháp kiểm tra công tác cải cách hành chính",
    "tại các xã trước ngày 15/11/2025.",
]


@pytest.fixture(autouse=True)
def queued_in_the_database(settings: Any, tmp_path: Path) -> None:
    """The production configuration: jobs wait in the database queue for a worker."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = DATABASE_QUEUE


@pytest.fixture
def ocr() -> None:
    if ocr_available():
        return
    message = "Tesseract OCR with Vietnamese data is missing (apt-get install tesseract-ocr tesseract-ocr-vie)"
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI=true and {message}: CI must run the OCR tests.")
    warnings.warn(f"THE OCR TESTS ARE SKIPPED: {message}.", stacklevel=1)
    pytest.skip(f"OCR TESTS SKIPPED: {message}")


def scan_png(lines: list[str]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 34)
    image = Image.new("L", (2000, 80 + len(lines) * 56), color=255)
    draw = ImageDraw.Draw(image)
    for number, line in enumerate(lines):
        draw.text((60, 40 + number * 56), line, fill=0, font=font)
    buffer = io.BytesIO()
    image.rotate(1.5, fillcolor=255).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(
    client: Any, personas: Personas, data: bytes, *, submission: str = "mot-lan-gui", name: str = "quet.png"
) -> Any:
    return client.post(
        reverse("directives:directive_upload"),
        {"issuing_unit": personas.province.pk, "file": SimpleUploadedFile(name, data), "token": submission},
    )


def htmx_get(client: Any, url: str) -> Any:
    return client.get(url, headers={"HX-Request": "true"})


def test_an_uploaded_scan_returns_at_once_and_the_reading_is_queued(personas: Personas) -> None:
    client = personas.client("secretariat")
    response = upload(client, personas, scan_png(NOTICE))
    draft = DirectiveDraft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("directives:draft_reading", args=[draft.pk])
    assert (draft.status, draft.page_count, draft.pages_read, draft.extraction) == (DraftStatus.READING, 1, 0, {})
    assert DBTaskResult.objects.count() == 1  # waiting for a worker; nothing was read in the request
    fragment = htmx_get(client, response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "trang 0/1" in fragment and "<html" not in fragment
    # The review is not open yet: it sends back to the reading page.
    assert client.get(reverse("directives:draft_review", args=[draft.pk]))["Location"] == response["Location"]


def test_the_reading_page_shows_the_page_being_read(personas: Personas) -> None:
    client = personas.client("secretariat")
    upload(client, personas, scan_png(NOTICE))
    draft = DirectiveDraft.objects.get()
    DirectiveDraft.objects.filter(pk=draft.pk).update(reading_started_at=timezone.now(), pages_read=3, page_count=7)
    url = reverse("directives:draft_reading", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "trang 3/7" in page and 'value="3" max="7"' in page and "<html" in page


def test_a_double_submit_of_the_upload_form_starts_one_job(personas: Personas) -> None:
    client = personas.client("secretariat")
    first = upload(client, personas, scan_png(NOTICE))
    second = upload(client, personas, scan_png(NOTICE))
    assert first["Location"] == second["Location"]
    assert DirectiveDraft.objects.count() == 1 and DBTaskResult.objects.count() == 1
    upload(client, personas, scan_png(NOTICE), submission="lan-gui-khac")  # a new form is a new upload
    assert DirectiveDraft.objects.count() == 2 and DBTaskResult.objects.count() == 2


def test_only_the_uploader_follows_the_reading(personas: Personas) -> None:
    upload(personas.client("secretariat"), personas, scan_png(NOTICE))
    draft = DirectiveDraft.objects.get()
    assert personas.client("leader").get(reverse("directives:draft_reading", args=[draft.pk])).status_code == 404


def test_a_worker_reads_the_scan_and_the_reading_page_opens_the_review(ocr: None, personas: Personas) -> None:
    client = personas.client("secretariat")
    response = upload(client, personas, scan_png(NOTICE))
    draft = DirectiveDraft.objects.get()
    scan_read(draft.pk)  # what the worker does
    draft.refresh_from_db()
    assert (draft.status, draft.pages_read, draft.page_count) == (DraftStatus.READY, 1, 1)
    assert draft.extraction["reference"] == "215/TB-UBND"
    assert [task["deadline"] for task in draft.extraction["tasks"]] == ["2025-09-30", "2025-11-15"]
    review = reverse("directives:draft_review", args=[draft.pk])
    assert htmx_get(client, response["Location"])["HX-Redirect"] == review
    assert client.get(response["Location"])["Location"] == review
    assert client.get(review).context["tasks"].initial_form_count() == 2
    scan_read(draft.pk)  # a second delivery of the job reads nothing again
    assert DirectiveDraft.objects.get().status == DraftStatus.READY and not Directive.objects.exists()


def test_a_scan_without_text_fails_with_a_vietnamese_message(ocr: None, personas: Personas) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (800, 600), color=255).save(buffer, format="PNG")
    client = personas.client("secretariat")
    response = upload(client, personas, buffer.getvalue(), name="trang.png")
    draft = DirectiveDraft.objects.get()
    scan_read(draft.pk)
    draft.refresh_from_db()
    assert draft.status == DraftStatus.FAILED
    fragment = htmx_get(client, response["Location"]).content.decode()
    assert "Không nhận dạng được chữ nào" in fragment and "every 2s" not in fragment
    assert reverse("directives:draft_discard", args=[draft.pk]) in fragment


def test_without_tesseract_the_upload_of_a_scan_says_so_and_keeps_nothing(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    response = upload(personas.client("secretariat"), personas, scan_png(NOTICE))
    assert response.status_code == 200 and "tesseract-ocr-vie" in response.content.decode()
    assert not DirectiveDraft.objects.exists() and not DBTaskResult.objects.exists()


def test_a_reading_that_ran_too_long_is_said_to_have_stopped(personas: Personas) -> None:
    client = personas.client("secretariat")
    upload(client, personas, scan_png(NOTICE))
    draft = DirectiveDraft.objects.get()
    started = timezone.now() - datetime.timedelta(hours=2)
    DirectiveDraft.objects.filter(pk=draft.pk).update(reading_started_at=started)
    page = client.get(reverse("directives:draft_reading", args=[draft.pk])).content.decode()
    assert "đã chạy quá lâu" in page
