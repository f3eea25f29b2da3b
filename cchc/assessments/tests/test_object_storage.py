"""Evidence kept in S3-compatible object storage (a real moto server): uploaded, read back only through the checked
download, deleted; a storage that cannot be reached or a full disk refuse the upload with a Vietnamese message and
leave no row that points at a missing file."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from cchc.assessments.models import Evidence
from cchc.audit.models import AuditEntry
from cchc.lib.storage import LocalStorage
from cchc.testing.files import pdf_bytes
from cchc.testing.object_storage import S3Server, object_storage, unreachable_object_storage

from .conftest import Workflow

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()


def _upload(wf: Workflow, name: str = "bien-ban.pdf") -> Any:
    return wf.personas.client("focal_a").post(
        reverse("assessments:evidence_upload", args=[wf.a.pk]),
        {"file": SimpleUploadedFile(name, PDF, content_type="application/pdf"), "scores": [wf.score(wf.a, "1.1").pk]},
    )


def _evidence_entries() -> int:
    return AuditEntry.objects.filter(object_type=Evidence._meta.label_lower).count()


def test_evidence_in_object_storage_is_uploaded_downloaded_through_the_checked_view_and_deleted(
    wf: Workflow, s3_server: S3Server, django_capture_on_commit_callbacks: Any
) -> None:
    with object_storage(s3_server) as bucket:
        assert _upload(wf).status_code == 302
        evidence = Evidence.objects.get()
        assert s3_server.keys(bucket) == [f"media/{evidence.file.name}"]
        page = wf.personas.client("focal_a").get(reverse("assessments:assessment_detail", args=[wf.a.pk]))
        assert s3_server.endpoint not in page.content.decode()  # no bucket address is ever handed out

        download_url = reverse("assessments:evidence_download", args=[wf.a.pk, evidence.pk])
        download = wf.personas.client("focal_a").get(download_url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
        assert "bien-ban.pdf" in download["Content-Disposition"]
        assert wf.personas.client("focal_b").get(download_url).status_code == 404

        with django_capture_on_commit_callbacks(execute=True):
            deleted = wf.personas.client("focal_a").post(
                reverse("assessments:evidence_delete", args=[wf.a.pk, evidence.pk])
            )
        assert deleted.status_code == 302
        assert not Evidence.objects.exists()
        assert s3_server.keys(bucket) == []


def test_the_same_file_uploaded_twice_keeps_two_objects_so_deleting_one_keeps_the_other(
    wf: Workflow, s3_server: S3Server, django_capture_on_commit_callbacks: Any
) -> None:
    with object_storage(s3_server) as bucket:
        _upload(wf, "lan-1.pdf")
        _upload(wf, "lan-2.pdf")
        first, second = Evidence.objects.order_by("pk")
        assert first.file.name != second.file.name and len(s3_server.keys(bucket)) == 2

        with django_capture_on_commit_callbacks(execute=True):
            wf.personas.client("focal_a").post(reverse("assessments:evidence_delete", args=[wf.a.pk, first.pk]))

        download = wf.personas.client("focal_a").get(
            reverse("assessments:evidence_download", args=[wf.a.pk, second.pk])
        )
        assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]


def test_an_upload_while_object_storage_is_unreachable_is_refused_with_a_message_and_records_nothing(
    wf: Workflow,
) -> None:
    with unreachable_object_storage():
        response = _upload(wf)

    assert response.status_code == 400
    assert "Kho lưu trữ tệp đang không truy cập được" in response.content.decode()
    assert not Evidence.objects.exists()
    assert _evidence_entries() == 0


def test_a_download_while_object_storage_is_unreachable_shows_the_storage_page(
    wf: Workflow, s3_server: S3Server
) -> None:
    with object_storage(s3_server) as bucket:
        _upload(wf)
    evidence = Evidence.objects.get()

    with unreachable_object_storage(bucket):
        response = wf.personas.client("focal_a").get(
            reverse("assessments:evidence_download", args=[wf.a.pk, evidence.pk])
        )

    assert response.status_code == 503
    assert "Kho lưu trữ tệp đang không truy cập được" in response.content.decode()


def test_a_deletion_while_object_storage_is_unreachable_removes_the_row_and_leaves_the_object_behind(
    wf: Workflow, s3_server: S3Server, django_capture_on_commit_callbacks: Any
) -> None:
    with object_storage(s3_server) as bucket:
        _upload(wf)
    evidence = Evidence.objects.get()

    with unreachable_object_storage(bucket), django_capture_on_commit_callbacks(execute=True):
        response = wf.personas.client("focal_a").post(
            reverse("assessments:evidence_delete", args=[wf.a.pk, evidence.pk])
        )

    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert len(s3_server.keys(bucket)) == 1  # unreferenced, never a row pointing at nothing


class _FullDisk(LocalStorage):
    """A folder on a disk that fills up while the upload is written (ENOSPC from the write)."""

    def _save(self, name: str, content: Any) -> str:
        return super()._save(name, _FillsUp(content))


class _FillsUp:
    def __init__(self, content: Any) -> None:
        self.content = content

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        yield b"%PDF-1.4 half"
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    media = tmp_path / "media"
    storages = {
        "default": {"BACKEND": f"{__name__}._FullDisk", "OPTIONS": {"location": str(media)}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield media


def test_an_upload_to_a_full_disk_is_refused_with_a_message_and_leaves_neither_file_nor_row(
    wf: Workflow, full_disk: Path
) -> None:
    response = _upload(wf)

    assert response.status_code == 400
    assert "Máy chủ đã hết chỗ lưu tệp" in response.content.decode()
    assert not Evidence.objects.exists()
    assert _evidence_entries() == 0
    assert [path for path in full_disk.rglob("*") if path.is_file()] == []
