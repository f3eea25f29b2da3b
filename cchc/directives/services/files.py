"""Uploaded files: a directive's original and a progress report's attachments, checked before anything is saved."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.utils.translation import gettext as _

from cchc.lib import files
from cchc.lib.errors import ServiceError

REPORT_FILE_KINDS = (files.DOCX, files.PDF, files.XLSX, files.IMAGE)
DIRECTIVE_FILE_KINDS = (files.DOCX, files.PDF, files.IMAGE)


@dataclass(frozen=True)
class StoredFile:
    name: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def check_directive_file(upload: IO[bytes], *, name: str | None = None) -> StoredFile:
    """A directive's original file: Word, PDF, a scan, or plain text (UTF-8)."""
    filename = name if name is not None else str(getattr(upload, "name", "") or "")
    if PurePath(filename).suffix.lower() == ".txt":
        data = files.read_upload(upload)
        if not data.strip():
            raise ServiceError(_("Tệp tải lên rỗng."), code="empty", field="file")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ServiceError(_("Tệp văn bản phải được lưu với bảng mã UTF-8."), field="file") from exc
        return StoredFile(name=PurePath(filename).name, content=data)
    try:
        _kind, data = files.check_upload(upload, name=filename, kinds=DIRECTIVE_FILE_KINDS)
    except ServiceError as exc:
        if exc.code == "bad_extension":
            raise ServiceError(
                _("Chỉ chấp nhận văn bản Word (.docx), PDF (.pdf), ảnh chụp (.png, .jpg) hoặc văn bản thuần (.txt)."),
                code="bad_extension",
                field="file",
            ) from exc
        raise
    return StoredFile(name=PurePath(filename).name, content=data)


def check_report_files(uploads: Iterable[IO[bytes]]) -> list[StoredFile]:
    """Attachments of a progress report, all checked before anything is saved."""
    checked = []
    for upload in uploads:
        name = str(getattr(upload, "name", "") or "")
        _kind, data = files.check_upload(upload, name=name, kinds=REPORT_FILE_KINDS)
        checked.append(StoredFile(name=PurePath(name).name, content=data))
    return checked
