"""A dossier import with the files in object storage (a real moto server): the upload is read back as a stream from
the bucket, leaves it once the import is recorded, and the error workbook is downloaded from it; an unreachable
storage refuses the upload with a message and creates no run."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cchc.imports.models import ImportRun
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
