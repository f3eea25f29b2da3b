"""Backup and restore of the whole product: the database and the uploaded files, in one checked archive.

``backup_create`` writes the archive (:mod:`cchc.maintenance.archive`); ``backup_restore`` restores it into an empty
database and an empty file storage, then compares every table's row count and every file's hash with the manifest.
The files are those of the default storage: the folder ``MEDIA_ROOT``, or the bucket of ``OBJECT_STORAGE_URL`` read
and written through the storage API (each object is read twice: once for the manifest's hash, once into the archive).
PostgreSQL goes through ``pg_dump`` / ``pg_restore`` (the dump and the row counts read from one exported snapshot,
so they describe the same moment while people keep working); SQLite through its online backup API.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

import psycopg
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _
from psycopg import sql

from cchc.lib.errors import ServiceError
from cchc.maintenance.archive import (
    CHUNK,
    FILES_PREFIX,
    ArchiveError,
    Manifest,
    check_archive,
    file_sha256,
    open_archive,
    read_manifest,
    safe_member_path,
    walk_files,
    write_archive,
)

DatabaseSettings = Mapping[str, Any]
TOOL_TIMEOUT = 6 * 3600


@dataclass
class RestoreReport:
    manifest: Manifest
    tables: int = 0
    rows: int = 0
    files: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return not self.mismatches


def _vendor(database: DatabaseSettings) -> str:
    engine = str(database.get("ENGINE", ""))
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise ServiceError(_("Chỉ sao lưu được cơ sở dữ liệu PostgreSQL hoặc SQLite."), code="unsupported_database")


def _pg_environ(database: DatabaseSettings) -> dict[str, str]:
    """The libpq environment of ``database`` (the password never appears on a command line)."""
    environ = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        value = database.get(key)
        if value:
            environ[variable] = str(value)
    environ["PGDATABASE"] = str(database["NAME"])
    return environ


def _pg_connect(database: DatabaseSettings) -> psycopg.Connection[Any]:
    options = {
        "dbname": database["NAME"],
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
    }
    return psycopg.connect(**{key: value for key, value in options.items() if value is not None})


def _tool(command: list[str], *, environ: dict[str, str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise ServiceError(
            _("Không tìm thấy chương trình %(tool)s; hãy cài gói postgresql-client.") % {"tool": command[0]},
            code="missing_tool",
        )
    result = subprocess.run(  # noqa: S603  (the command is built here; no part comes from a user)
        command, env=environ, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False
    )
    if result.returncode != 0:
        raise ServiceError(
            _("%(what)s không thành công: %(detail)s") % {"what": what, "detail": result.stderr.strip()[-500:]},
            code="tool_failed",
        )


def _pg_tables(cursor: psycopg.Cursor[Any]) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1"
    )
    return [row[0] for row in cursor.fetchall()]


def _pg_counts(cursor: psycopg.Cursor[Any]) -> dict[str, int]:
    counts = {}
    for table in _pg_tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        row = cursor.fetchone()
        counts[table] = int(row[0]) if row else 0
    return counts


def _sqlite_counts(handle: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in handle.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {table: int(handle.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]) for table in tables}  # noqa: S608


def _migrations(alias: str) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[alias]).migration_qs.values_list("app", "name").order_by("id"):
        latest[app] = name
    return latest


class StoredFiles(Protocol):
    """The uploaded files a backup reads and a restore writes, by their names relative to the storage's root."""

    label: str

    def names(self) -> list[str]: ...

    def open(self, name: str) -> IO[bytes]: ...

    def write(self, name: str, stream: IO[bytes]) -> None: ...


class FolderFiles:
    """The files under a local folder (links not followed)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = str(root)

    def names(self) -> list[str]:
        return [relative for relative, _path in walk_files(self.root)]

    def open(self, name: str) -> IO[bytes]:
        return self.root.joinpath(*PurePosixPath(name).parts).open("rb")

    def write(self, name: str, stream: IO[bytes]) -> None:
        path = self.root.joinpath(*PurePosixPath(name).parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            shutil.copyfileobj(stream, out)


class StorageFiles:
    """The files of a Django storage that is not a local folder (an object storage bucket)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.label = _storage_label(storage)

    def names(self) -> list[str]:
        found: list[str] = []
        pending = [""]
        while pending:
            folder = pending.pop()
            directories, files = self.storage.listdir(folder)
            found += [f"{folder}{name}" for name in files]
            pending += [f"{folder}{name}/" for name in directories]
        return sorted(found)

    def open(self, name: str) -> IO[bytes]:
        return self.storage.open(name, "rb")  # type: ignore[return-value]

    def write(self, name: str, stream: IO[bytes]) -> None:
        stored = self.storage.save(name, File(stream))
        if stored != name:
            raise ServiceError(
                _("Không ghi được tệp %(name)s vào kho lưu trữ dưới đúng tên của nó.") % {"name": name},
                code="files_not_empty",
            )


def _storage_label(storage: Storage) -> str:
    bucket = getattr(storage, "bucket_name", "") or ""
    location = getattr(storage, "location", "") or ""
    return "/".join(part for part in (str(bucket), str(location)) if part)


def stored_files(media_root: Path | None = None, storage: Storage | None = None) -> StoredFiles:
    """The files a backup covers: ``media_root`` if given, else those of ``storage`` (the default storage unless
    given): its folder for a local storage, the storage API otherwise."""
    if media_root is not None:
        return FolderFiles(media_root)
    storage = storage or storages["default"]
    if isinstance(storage, FileSystemStorage):
        return FolderFiles(Path(storage.location))
    return StorageFiles(storage)


def _hash_and_size(files: StoredFiles, name: str) -> dict[str, Any]:
    with files.open(name) as stream:
        digest = hashlib.sha256()
        size = 0
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def backup_create(
    *, destination: Path, alias: str = "default", media_root: Path | None = None, storage: Storage | None = None
) -> Manifest:
    """Write the database of ``alias`` and the uploaded files (:func:`stored_files`) to ``destination``."""
    connection = connections[alias]
    database = connection.settings_dict
    vendor = _vendor(database)
    uploads = stored_files(media_root, storage)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cchc-backup-", dir=destination.parent) as work:
        database_file = Path(work) / ("database.dump" if vendor == "postgresql" else "database.sqlite3")
        if vendor == "postgresql":
            with _pg_connect(database) as snapshot_connection, snapshot_connection.cursor() as cursor:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                row = cursor.fetchone()
                snapshot = str(row[0]) if row else ""
                tables = _pg_counts(cursor)
                _tool(
                    [
                        "pg_dump",
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={database_file}",
                    ],
                    environ=_pg_environ(database),
                    what=_("Sao lưu cơ sở dữ liệu (pg_dump)"),
                )
                cursor.execute("COMMIT")
        else:
            if connection.in_atomic_block:
                # SQLite's backup waits for the open write transaction of its own connection, for ever
                raise ServiceError(
                    _("Không sao lưu được giữa một giao dịch đang mở; hãy chạy lệnh sao lưu riêng."),
                    code="in_transaction",
                )
            connection.ensure_connection()
            source = connection.connection
            copy = sqlite3.connect(database_file)
            try:
                source.backup(copy)
                tables = _sqlite_counts(copy)
            finally:
                copy.close()
        files = {name: _hash_and_size(uploads, name) for name in uploads.names()}
        manifest = Manifest(
            vendor=vendor,
            created=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            tables=tables,
            files=files,
            database_sha256=file_sha256(database_file),
            migrations=_migrations(alias),
        )
        write_archive(destination, manifest=manifest, database_file=database_file, open_file=uploads.open)
    return manifest


BACKUP_PATTERNS = ("cchc-*.tar", "cchc-*.tar.gz", "cchc-*.tgz")


def backups_beyond(folder: Path, keep: int) -> list[Path]:
    """The archives named ``cchc-*`` in ``folder`` beyond the ``keep`` most recent (by modification time)."""
    found = {path for pattern in BACKUP_PATTERNS for path in folder.glob(pattern) if path.is_file()}
    newest_first = sorted(found, key=lambda path: (path.stat().st_mtime, path.name), reverse=True)
    return newest_first[keep:]


def backup_check(*, archive: Path) -> tuple[Manifest, list[str]]:
    """Read the whole archive and compare it with its manifest (nothing is restored)."""
    try:
        return check_archive(archive)
    except ArchiveError as exc:
        raise _unreadable(archive) from exc


def _unreadable(archive: Path) -> ServiceError:
    return ServiceError(
        _("Không đọc được tệp sao lưu %(name)s: tệp không phải bản sao lưu của hệ thống hoặc đã hỏng.")
        % {"name": archive.name},
        code="bad_archive",
    )


def _refuse_non_empty_database(database: DatabaseSettings, vendor: str) -> None:
    if vendor == "postgresql":
        with _pg_connect(database) as target, target.cursor() as cursor:
            if _pg_tables(cursor):
                raise _not_empty_database()
        return
    name = str(database["NAME"])
    if _in_memory(name) or (Path(name).exists() and Path(name).stat().st_size > 0):
        handle = _sqlite_open(name)
        try:
            if handle.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]:
                raise _not_empty_database()
        finally:
            handle.close()


def _in_memory(name: str) -> bool:
    return name == ":memory:" or (name.startswith("file:") and "mode=memory" in name)


def _sqlite_open(name: str) -> sqlite3.Connection:
    """A connection to the SQLite database ``name`` (a path, or a ``file:`` URI such as a shared in-memory one)."""
    return sqlite3.connect(name, uri=name.startswith("file:"))


def _not_empty_database() -> ServiceError:
    return ServiceError(
        _(
            "Cơ sở dữ liệu đích đã có dữ liệu. Chỉ khôi phục vào một cơ sở dữ liệu trống (tạo mới rồi chạy lại), "
            "để không ghi đè dữ liệu đang dùng."
        ),
        code="database_not_empty",
    )


def _refuse_non_empty_files(target: StoredFiles) -> None:
    if not target.names():
        return
    if isinstance(target, FolderFiles):
        message = _("Thư mục tệp đính kèm %(path)s đã có tệp. Chỉ khôi phục vào một thư mục trống.")
    else:
        message = _(
            "Kho lưu trữ tệp %(path)s đã có tệp. Chỉ khôi phục vào một kho (hoặc một tiền tố trong kho) còn trống."
        )
    raise ServiceError(message % {"path": target.label}, code="files_not_empty")


def backup_restore(
    *,
    archive: Path,
    database: DatabaseSettings | None = None,
    media_root: Path | None = None,
    storage: Storage | None = None,
) -> RestoreReport:
    """Restore ``archive`` into an empty ``database`` (the default database's settings unless given) and an empty
    file storage (:func:`stored_files`), then compare row counts and file hashes with the manifest
    (``report.mismatches``)."""
    target = database or connections["default"].settings_dict
    vendor = _vendor(target)
    files = stored_files(media_root, storage)
    manifest, problems = backup_check(archive=archive)
    if problems:
        raise ServiceError(
            _("Tệp sao lưu %(name)s không khớp với bảng kê của nó (%(count)s mục hỏng hoặc thiếu); không khôi phục.")
            % {"name": archive.name, "count": len(problems)},
            code="bad_archive",
        )
    if manifest.vendor != vendor:
        raise ServiceError(
            _("Bản sao lưu này của cơ sở dữ liệu %(archived)s, không khôi phục được vào %(target)s.")
            % {"archived": manifest.vendor, "target": vendor},
            code="wrong_database",
        )
    _refuse_non_empty_database(target, vendor)
    _refuse_non_empty_files(files)
    with tempfile.TemporaryDirectory(prefix="cchc-restore-") as work, open_archive(archive) as opened:
        read_manifest(opened)
        member = opened.getmember(manifest.database_member)
        handle = opened.extractfile(member)
        if handle is None:
            raise _unreadable(archive)
        database_file = Path(work) / manifest.database_member
        with database_file.open("wb") as out:
            shutil.copyfileobj(handle, out)
        if vendor == "postgresql":
            _tool(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={target['NAME']}",
                    str(database_file),
                ],
                environ=_pg_environ(target),
                what=_("Khôi phục cơ sở dữ liệu (pg_restore)"),
            )
            with _pg_connect(target) as restored, restored.cursor() as cursor:
                counts = _pg_counts(cursor)
        else:
            name = str(target["NAME"])
            if not name.startswith("file:") and name != ":memory:":
                Path(name).parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(database_file)
            destination = _sqlite_open(name)
            try:
                source.backup(destination)
                counts = _sqlite_counts(destination)
            finally:
                destination.close()
                source.close()
        restored_files = 0
        for member in opened:
            relative = safe_member_path(member.name)
            if relative is None or not member.isfile():
                continue
            extracted = opened.extractfile(member)
            if extracted is None:
                continue
            files.write(relative.as_posix(), extracted)
            restored_files += 1
    report = RestoreReport(manifest=manifest, tables=len(counts), rows=sum(counts.values()), files=restored_files)
    report.mismatches = _compare(manifest, counts, files)
    return report


def _compare(manifest: Manifest, counts: dict[str, int], files: StoredFiles) -> list[str]:
    mismatches = [
        f"table {table}: {manifest.tables.get(table)} → {counts.get(table)}"
        for table in sorted(set(manifest.tables) | set(counts))
        if manifest.tables.get(table) != counts.get(table)
    ]
    present = set(files.names())
    for relative, info in sorted(manifest.files.items()):
        if relative not in present or _hash_and_size(files, relative)["sha256"] != info.get("sha256"):
            mismatches.append(f"file {FILES_PREFIX}{relative}")
    return mismatches
