"""The backup archive: one tar file holding the database, the uploaded files and a manifest that describes both.

Layout::

    manifest.json          format, time, database vendor, row count of every table, every file with its hash
    database.dump          PostgreSQL: ``pg_dump --format=custom``        (one of the two)
    database.sqlite3       SQLite: a copy made by SQLite's online backup
    files/<path>           the uploaded files (the folder MEDIA_ROOT or the object storage), under their names

Nothing here imports Django: the functions take paths and plain values, so the archive can be read and checked
anywhere.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = "cchc-backup"
VERSION = 1
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
DATABASE_MEMBERS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1 << 20


class ArchiveError(Exception):
    """The archive cannot be read or does not match its manifest; the message is for the person running it."""


@dataclass
class Manifest:
    vendor: str
    created: str
    tables: dict[str, int]
    files: dict[str, dict[str, Any]]  # relative path → {"size": int, "sha256": str}
    database_sha256: str = ""
    migrations: dict[str, str] = field(default_factory=dict)  # app → its latest applied migration
    format: str = FORMAT
    version: int = VERSION

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.vendor]

    def to_json(self) -> bytes:
        data = {
            "format": self.format,
            "version": self.version,
            "vendor": self.vendor,
            "created": self.created,
            "database_sha256": self.database_sha256,
            "migrations": self.migrations,
            "tables": self.tables,
            "files": self.files,
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw.decode("utf-8"))
            if data.get("format") != FORMAT:
                raise ArchiveError("not a cchc backup")
            if int(data.get("version", 0)) > VERSION:
                raise ArchiveError("newer format")
            if data["vendor"] not in DATABASE_MEMBERS:
                raise ArchiveError("unknown database")
            return cls(
                vendor=data["vendor"],
                created=str(data["created"]),
                tables={str(name): int(count) for name, count in data["tables"].items()},
                files={str(path): dict(info) for path, info in data["files"].items()},
                database_sha256=str(data.get("database_sha256", "")),
                migrations={str(app): str(name) for app, name in data.get("migrations", {}).items()},
                version=int(data["version"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ArchiveError("unreadable manifest") from exc


def sha256_of(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return sha256_of(handle)


def walk_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under ``root`` (links not followed), sorted: (its path relative to ``root``, its path)."""
    if not root.is_dir():
        return
    found: list[tuple[str, Path]] = []
    for directory, _subdirectories, names in os.walk(root, followlinks=False):
        for name in names:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append((path.relative_to(root).as_posix(), path))
    yield from sorted(found)


def safe_member_path(name: str) -> PurePosixPath | None:
    """The relative path of an archived file under ``files/``; ``None`` for anything that could escape the folder."""
    if not name.startswith(FILES_PREFIX):
        return None
    relative = PurePosixPath(name[len(FILES_PREFIX) :])
    if not relative.parts or relative.is_absolute() or any(part in {"", ".", ".."} for part in relative.parts):
        return None
    return relative


def write_archive(
    destination: Path, *, manifest: Manifest, database_file: Path, open_file: Callable[[str], IO[bytes]]
) -> None:
    """Write the archive to ``destination`` through a temporary name, so a failed backup leaves no half file.

    The files are those of the manifest, in its order, read through ``open_file(relative path)`` (from a folder or
    from object storage) with the sizes the manifest gives."""
    partial = destination.with_name(destination.name + ".partial")
    mode = "w:gz" if destination.name.endswith((".gz", ".tgz")) else "w"
    try:
        with tarfile.open(partial, mode) as archive:  # type: ignore[call-overload]
            raw = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(raw)
            info.mode = 0o600
            archive.addfile(info, _BytesReader(raw))
            archive.add(database_file, arcname=manifest.database_member, recursive=False)
            stamp = int(time.time())
            for relative, described in sorted(manifest.files.items()):
                member = tarfile.TarInfo(FILES_PREFIX + relative)
                member.size = int(described["size"])
                member.mode = 0o600
                member.mtime = stamp
                with open_file(relative) as stream:
                    archive.addfile(member, stream)
        partial.replace(destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def open_archive(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError) as exc:
        raise ArchiveError("unreadable archive") from exc


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        member = archive.getmember(MANIFEST)
    except KeyError as exc:
        raise ArchiveError("no manifest") from exc
    handle = archive.extractfile(member)
    if handle is None or member.size > 64 * CHUNK:
        raise ArchiveError("unreadable manifest")
    return Manifest.from_json(handle.read())


def check_archive(path: Path) -> tuple[Manifest, list[str]]:
    """Read every member of the archive and compare it with the manifest; (manifest, problems found)."""
    problems: list[str] = []
    try:
        with open_archive(path) as archive:
            manifest = read_manifest(archive)
            seen: set[str] = set()
            database_seen = False
            for member in archive:
                if member.name == MANIFEST:
                    continue
                if member.name == manifest.database_member and member.isfile():
                    database_seen = True
                    handle = archive.extractfile(member)
                    if handle is None or sha256_of(handle) != manifest.database_sha256:
                        problems.append(f"database:{member.name}")
                    continue
                relative = safe_member_path(member.name)
                if relative is None or not member.isfile():
                    problems.append(f"unexpected:{member.name}")
                    continue
                key = relative.as_posix()
                expected = manifest.files.get(key)
                handle = archive.extractfile(member)
                if expected is None or handle is None or sha256_of(handle) != expected.get("sha256"):
                    problems.append(f"file:{key}")
                seen.add(key)
            if not database_seen:
                problems.append(f"missing:{manifest.database_member}")
            problems.extend(f"missing:{FILES_PREFIX}{key}" for key in sorted(set(manifest.files) - seen))
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError("unreadable archive") from exc
    return manifest, problems


class _BytesReader:
    """A minimal file-like object over bytes for :meth:`tarfile.TarFile.addfile`."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.offset + size
        chunk = self.data[self.offset : end]
        self.offset += len(chunk)
        return chunk
