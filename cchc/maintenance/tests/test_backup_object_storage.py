"""Backups of a deployment whose files live in object storage (a real moto server): the bucket's files go into the
archive and come back into an empty bucket with the same hashes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from cchc.lib.errors import ServiceError
from cchc.maintenance.services import backup_check, backup_create, backup_restore
from cchc.testing.object_storage import S3Server, object_storage, unreachable_object_storage

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4 minh chung\n" * 50
DOCX = bytes(range(256)) * 10


def _some_files() -> None:
    default_storage.save("evidence/2025/bien-ban.pdf", ContentFile(PDF))
    default_storage.save("bao-cao.docx", ContentFile(DOCX))


def test_a_backup_of_files_in_object_storage_restores_into_an_empty_bucket_with_the_same_files(
    tmp_path: Path, s3_server: S3Server, empty_target: Any
) -> None:
    archive = tmp_path / "cchc.tar.gz"
    with object_storage(s3_server):
        _some_files()
        manifest = backup_create(destination=archive)

    with object_storage(s3_server) as restored_bucket:
        report = backup_restore(archive=archive, database=empty_target)
        with default_storage.open("evidence/2025/bien-ban.pdf") as restored:
            assert restored.read() == PDF

    assert sorted(manifest.files) == ["bao-cao.docx", "evidence/2025/bien-ban.pdf"]
    assert backup_check(archive=archive)[1] == []
    assert report.verified, report.mismatches
    assert report.files == 2
    assert s3_server.keys(restored_bucket) == ["media/bao-cao.docx", "media/evidence/2025/bien-ban.pdf"]


def test_restore_refuses_a_bucket_that_already_has_files(
    tmp_path: Path, s3_server: S3Server, empty_target: Any
) -> None:
    archive = tmp_path / "cchc.tar"
    with object_storage(s3_server) as bucket:
        _some_files()
        backup_create(destination=archive)
        with pytest.raises(ServiceError) as refused:
            backup_restore(archive=archive, database=empty_target)

    assert refused.value.code == "files_not_empty"
    assert bucket in refused.value.message and "còn trống" in refused.value.message
    assert len(s3_server.keys(bucket)) == 2


def test_the_backup_command_reads_the_bucket_and_says_so_when_it_cannot(tmp_path: Path, s3_server: S3Server) -> None:
    out = io.StringIO()
    with object_storage(s3_server):
        _some_files()
        call_command("backup", str(tmp_path / "lenh.tar"), stdout=out)

    with unreachable_object_storage(), pytest.raises(CommandError, match="Kho lưu trữ tệp đang không truy cập được"):
        call_command("backup", str(tmp_path / "khong-duoc.tar"), stdout=out)

    assert "2 tệp đính kèm" in out.getvalue()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["lenh.tar"]
