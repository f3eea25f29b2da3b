"""A dossier import with the files in object storage (a real moto server): the upload is read back as a stream from
the bucket, leaves it once the import is recorded, and the error workbook is downloaded from it; an unreachable
storage refuses the upload with a message and creates no run."""

from __future__ import annotations

import errno
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from cchc.imports.models import ImportRun, ImportStatus
from cchc.lib.storage import LocalStorage
from cchc.testing.object_storage import S3Server, object_storage, unreachable_object_storage
from cchc.testing.personas import Personas

from ..models import Dossier
from . import samples
from .test_pages import BAD_ROW, IMMEDIATE, book_csv, post_dossiers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def imports_at_once(settings: Any) -> None:
    settings.TASKS = IMMEDIATE


@pytest.fixture
def procedures(personas: Personas) -> Any:
    return samples.make_procedures()


def test_a_dossier_book_is_imported_from_the_bucket_and_its_error_workbook_downloaded_from_it(
    personas: Personas, procedures: Any, s3_server: S3Server, django_capture_on_commit_callbacks: Any
) -> None:
    client = personas.client("secretariat")
    with object_storage(s3_server) as bucket:
        with django_capture_on_commit_callbacks(execute=True):
            response = post_dossiers(client, book_csv(personas, [BAD_ROW]), mode="valid")
        run = ImportRun.objects.get()
        download = client.get(reverse("procedures:import_errors", args=[run.pk]))

    assert response.status_code == 302 and Dossier.objects.count() == 3
    assert not run.file and s3_server.keys(bucket) == [f"media/{run.error_file.name}"]
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0].values)  # type: ignore[attr-defined]
    assert rows[1][2] == "HS-004"


def test_an_import_while_the_bucket_is_unreachable_is_refused_with_a_message_and_creates_no_run(
    personas: Personas, procedures: Any
) -> None:
    with unreachable_object_storage():
        response = post_dossiers(personas.client("secretariat"), book_csv(personas))

    assert "Kho lưu trữ tệp đang không truy cập được" in response.content.decode()
    assert not ImportRun.objects.exists() and not Dossier.objects.exists()


class _FullForWorkbooks(LocalStorage):
    """A disk that fills up once the upload is stored: the error workbook does not fit."""

    def _save(self, name: str, content: Any) -> str:
        return super()._save(name, _NoSpace() if name.endswith("-loi.xlsx") else content)


class _NoSpace:
    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        raise OSError(errno.ENOSPC, "No space left on device")
        yield b""


def test_an_error_workbook_that_does_not_fit_leaves_the_import_done_with_its_bad_rows_listed(
    personas: Personas, procedures: Any, tmp_path: Path
) -> None:
    storages = {
        "default": {"BACKEND": f"{__name__}._FullForWorkbooks", "OPTIONS": {"location": str(tmp_path / "media")}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        response = post_dossiers(personas.client("secretariat"), book_csv(personas, [BAD_ROW]), mode="valid")

    run = ImportRun.objects.get()
    assert response.status_code == 302 and Dossier.objects.count() == 3
    assert (run.status, run.error_file.name, run.errors[0][0]) == (ImportStatus.DONE, "", 5)
