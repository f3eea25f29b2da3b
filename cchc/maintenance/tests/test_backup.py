"""Backups restore into an empty database with the same rows and files, and bad archives are refused."""

from __future__ import annotations

import datetime
import io
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from cchc.lib.errors import ServiceError
from cchc.maintenance import apps as checks
from cchc.maintenance.archive import Manifest, check_archive, open_archive, read_manifest
from cchc.maintenance.services import backup_check, backup_create, backup_restore, backups_beyond
from cchc.organisations.models import Unit, UnitKind
from cchc.organisations.services import UnitData, unit_create

# A backup is taken outside any transaction, as the command does (SQLite's backup would wait for the test's own).
pytestmark = pytest.mark.django_db(transaction=True)


def _some_files(media: Path) -> None:
    (media / "evidence" / "2025").mkdir(parents=True)
    (media / "evidence" / "2025" / "bien-ban.pdf").write_bytes(b"%PDF-1.4 minh chung\n" * 50)
    (media / "bao-cao.docx").write_bytes(bytes(range(256)) * 10)


def _some_data(media: Path) -> None:
    province = unit_create(
        actor=None, data=UnitData(name="Tỉnh Sao Lưu", kind=UnitKind.PROVINCE, code="SL"), parent=None
    )
    for number in range(3):
        unit_create(
            actor=None,
            data=UnitData(name=f"Xã Sao Lưu {number}", kind=UnitKind.COMMUNE, code=f"SL{number}"),
            parent=province,
        )
    _some_files(media)


def test_a_backup_restored_into_an_empty_database_has_every_row_and_file(tmp_path: Path, empty_target: Any) -> None:
    media = tmp_path / "media"
    _some_data(media)
    archive = tmp_path / "cchc.tar"

    manifest = backup_create(destination=archive, media_root=media)
    report = backup_restore(archive=archive, database=empty_target, media_root=tmp_path / "restored-media")

    assert report.verified, report.mismatches
    assert manifest.tables[Unit._meta.db_table] == Unit.objects.count() >= 4
    assert report.rows == sum(manifest.tables.values())
    assert report.files == 2
    assert (tmp_path / "restored-media" / "evidence" / "2025" / "bien-ban.pdf").read_bytes() == (
        media / "evidence" / "2025" / "bien-ban.pdf"
    ).read_bytes()
    assert manifest.migrations["organisations"]
    assert not archive.with_name("cchc.tar.partial").exists()


def test_a_compressed_backup_reads_back_and_matches_its_manifest(tmp_path: Path) -> None:
    media = tmp_path / "media"
    _some_files(media)
    archive = tmp_path / "cchc.tar.gz"

    backup_create(destination=archive, media_root=media)
    manifest, problems = backup_check(archive=archive)

    assert problems == []
    assert sorted(manifest.files) == ["bao-cao.docx", "evidence/2025/bien-ban.pdf"]


def test_restore_refuses_a_database_that_already_has_tables(tmp_path: Path) -> None:
    archive = tmp_path / "cchc.tar"
    backup_create(destination=archive, media_root=tmp_path / "media")

    with pytest.raises(ServiceError) as refused:
        backup_restore(archive=archive, database=connection.settings_dict, media_root=tmp_path / "other")

    assert refused.value.code == "database_not_empty"
    assert "trống" in refused.value.message


def test_restore_refuses_a_files_folder_that_already_has_files(tmp_path: Path, empty_target: Any) -> None:
    archive = tmp_path / "cchc.tar"
    backup_create(destination=archive, media_root=tmp_path / "media")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "kept.txt").write_text("đang dùng")

    with pytest.raises(ServiceError) as refused:
        backup_restore(archive=archive, database=empty_target, media_root=busy)

    assert refused.value.code == "files_not_empty"
    assert (busy / "kept.txt").read_text() == "đang dùng"


def _rewrite(archive: Path, destination: Path, *, change: str | None = None, extra: str | None = None) -> None:
    """A copy of ``archive`` with one member's bytes changed and/or one more member."""
    with open_archive(archive) as source, tarfile.open(destination, "w") as out:
        for member in source:
            handle = source.extractfile(member)
            data = handle.read() if handle else b""
            if member.name == change:
                data = b"X" + data[1:]
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
        if extra:
            info = tarfile.TarInfo(extra)
            info.size = 4
            out.addfile(info, io.BytesIO(b"evil"))


def test_a_changed_file_in_the_archive_is_found_and_nothing_is_restored(tmp_path: Path, empty_target: Any) -> None:
    media = tmp_path / "media"
    _some_files(media)
    archive = tmp_path / "cchc.tar"
    backup_create(destination=archive, media_root=media)
    tampered = tmp_path / "tampered.tar"
    _rewrite(archive, tampered, change="files/bao-cao.docx")

    _manifest, problems = check_archive(tampered)
    with pytest.raises(ServiceError) as refused:
        backup_restore(archive=tampered, database=empty_target, media_root=tmp_path / "restored")

    assert problems == ["file:bao-cao.docx"]
    assert refused.value.code == "bad_archive"
    assert not (tmp_path / "restored").exists()


def test_a_member_that_would_escape_the_files_folder_makes_the_archive_refused(tmp_path: Path) -> None:
    archive = tmp_path / "cchc.tar"
    backup_create(destination=archive, media_root=tmp_path / "media")
    tampered = tmp_path / "tampered.tar"
    _rewrite(archive, tampered, extra="files/../../escaped.txt")

    _manifest, problems = check_archive(tampered)

    assert problems == ["unexpected:files/../../escaped.txt"]
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_a_file_that_is_not_a_backup_gets_a_vietnamese_message(tmp_path: Path) -> None:
    bogus = tmp_path / "anh.tar"
    bogus.write_bytes(b"\x89PNG not an archive")

    with pytest.raises(ServiceError) as refused:
        backup_check(archive=bogus)

    assert refused.value.code == "bad_archive"
    assert "không phải bản sao lưu" in refused.value.message


def test_the_manifest_names_the_database_it_came_from(tmp_path: Path) -> None:
    archive = tmp_path / "cchc.tar"
    backup_create(destination=archive, media_root=tmp_path / "media")

    with open_archive(archive) as opened:
        manifest = read_manifest(opened)

    assert manifest.vendor == ("postgresql" if connection.vendor == "postgresql" else "sqlite")
    assert Manifest.from_json(manifest.to_json()) == manifest


def test_the_commands_write_and_check_a_backup(tmp_path: Path) -> None:
    archive = tmp_path / "lenh.tar"
    out = io.StringIO()
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        call_command("backup", str(archive), stdout=out)
        call_command("backup", str(archive), "--check", stdout=out)

    assert "Đã sao lưu vào" in out.getvalue()
    assert "khớp với bảng kê" in out.getvalue()
    with pytest.raises(CommandError, match="đã có"):
        call_command("backup", str(archive))


def test_restore_command_refuses_the_database_in_use_without_touching_it(tmp_path: Path) -> None:
    archive = tmp_path / "lenh.tar"
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        call_command("backup", str(archive), stdout=io.StringIO())
    before = Unit.objects.count()

    with override_settings(MEDIA_ROOT=tmp_path / "restored"), pytest.raises(CommandError, match="đã có dữ liệu"):
        call_command("restore", str(archive))

    assert Unit.objects.count() == before


def test_the_deployment_check_warns_when_expired_sessions_pile_up_with_any_engine_keeping_them_in_the_database() -> (
    None
):
    database_engines = ["django.contrib.sessions.backends.db", "cchc.lib.sessions.database", "cchc.lib.sessions"]
    for engine in database_engines:
        with override_settings(SESSION_ENGINE=engine):
            assert checks.check_sessions_cleared(databases=["default"]) == []
    Session.objects.create(
        session_key="x" * 40,
        session_data="",
        expire_date=timezone.now() - datetime.timedelta(days=checks.STALE_SESSION_DAYS + 1),
    )

    for engine in database_engines:
        with override_settings(SESSION_ENGINE=engine):
            warnings = checks.check_sessions_cleared(databases=["default"])
            assert [warning.id for warning in warnings] == ["maintenance.W002"], engine
            assert checks.check_sessions_cleared(databases=None) == []
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cache"):
        assert checks.check_sessions_cleared(databases=["default"]) == []


def test_the_deployment_check_warns_only_about_a_database_whose_autovacuum_is_off() -> None:
    warnings = checks.autovacuum_messages({"default": "on", "replica": "off"})

    assert [(warning.id, "replica" in str(warning.msg)) for warning in warnings] == [("maintenance.W001", True)]


def test_the_autovacuum_check_reads_the_postgresql_server_and_skips_sqlite() -> None:
    found = checks.autovacuum_settings(["default"])

    if connection.vendor == "postgresql":
        assert found["default"].lower() in {"on", "off"}
        assert len(checks.check_autovacuum(databases=["default"])) == (found["default"].lower() == "off")
    else:
        assert found == {}


def test_keeping_n_backups_removes_only_the_oldest_archives_of_the_product(tmp_path: Path) -> None:
    for number in range(4):
        archive = tmp_path / f"cchc-2026120{number}-020000.tar"
        archive.write_bytes(b"x")
        os.utime(archive, (1_000_000 + number, 1_000_000 + number))
    (tmp_path / "khac.tar").write_bytes(b"y")

    beyond = backups_beyond(tmp_path, 2)

    assert [path.name for path in beyond] == ["cchc-20261201-020000.tar", "cchc-20261200-020000.tar"]
