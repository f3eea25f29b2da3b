"""Where uploaded files live: the local folder ``MEDIA_ROOT`` by default, an S3-compatible bucket when
``OBJECT_STORAGE_URL`` is set (see ``cchc.settings.env.storage_from_url`` and docs/deployment.md).

Every file goes through Django's storage API (``FieldFile.save``/``open``/``delete``), never through a local path,
so the same code runs on one machine and on several application servers sharing a bucket. Files are private: they
are read back only through the access-checked download views, which stream them from the storage; no bucket
address is ever given to a browser.

Both backends (:class:`LocalStorage` here, :class:`cchc.lib.object_storage.ObjectStorage`) turn a failure of the
storage into :class:`StorageError`, a :class:`~cchc.lib.errors.ServiceError` with a Vietnamese message. Services
write the file before the row that points at it, inside the same transaction, so a failed write leaves no row
behind; forms show the message, other pages get the "storage unavailable" page (:class:`StorageErrorMiddleware`),
the API a 503 answer. Files stop being referenced first and leave the storage after the commit
(:func:`delete_after_commit`).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from collections.abc import Callable
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from cchc.lib.errors import ServiceError

logger = logging.getLogger(__name__)

FULL_DISK_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class StorageError(ServiceError):
    """The file storage refused or could not be reached; nothing that points at the file was kept."""

    code = "storage_unavailable"


def unavailable() -> StorageError:
    return StorageError(
        _(
            "Kho lưu trữ tệp đang không truy cập được nên tệp chưa được lưu hoặc đọc. Không có thay đổi nào được "
            "ghi nhận; hãy thử lại sau ít phút, nếu lỗi lặp lại hãy báo quản trị hệ thống."
        ),
        code="storage_unavailable",
        field="file",
    )


def full() -> StorageError:
    return StorageError(
        _(
            "Máy chủ đã hết chỗ lưu tệp nên tệp chưa được lưu. Không có thay đổi nào được ghi nhận; hãy báo quản "
            "trị hệ thống giải phóng dung lượng rồi thử lại."
        ),
        code="storage_full",
        field="file",
    )


def missing() -> StorageError:
    return StorageError(
        _("Không tìm thấy tệp này trong kho lưu trữ; hãy báo quản trị hệ thống."), code="file_missing", field="file"
    )


class LocalStorage(FileSystemStorage):
    """Django's folder storage whose failures (full disk, unreadable folder) carry a Vietnamese message and leave
    no half-written file behind."""

    def _save(self, name: str, content: Any) -> str:
        try:
            return super()._save(name, content)  # type: ignore[misc]
        except FileExistsError:
            raise
        except OSError as exc:
            # The name was free when chosen and is opened exclusively: whatever is there now is this write's part.
            with contextlib.suppress(OSError):
                os.remove(self.path(name))
            logger.error("storing %s failed: %s", name, exc)
            raise (full() if exc.errno in FULL_DISK_ERRNOS else unavailable()) from exc

    def _open(self, name: str, mode: str = "rb") -> Any:
        try:
            return super()._open(name, mode)  # type: ignore[misc]
        except FileNotFoundError as exc:
            raise missing() from exc
        except OSError as exc:
            logger.error("reading %s failed: %s", name, exc)
            raise unavailable() from exc


def delete_after_commit(file: FieldFile) -> None:
    """Remove ``file`` from storage once the transaction that stops pointing at it has committed.

    A rolled-back change keeps its file; a storage that fails at that moment leaves an unreferenced file (logged),
    never a row that points at nothing.
    """
    if not file:
        return
    storage, name = file.storage, file.name
    transaction.on_commit(_quiet_delete(storage, str(name)))


def _quiet_delete(storage: Storage, name: str) -> Callable[[], None]:
    def delete() -> None:
        try:
            storage.delete(name)
        except (StorageError, OSError) as exc:
            logger.warning("stored file %s left behind: %s", name, exc)

    return delete


class StorageErrorMiddleware:
    """A storage failure that reaches no form shows the Vietnamese "storage unavailable" page (503), or the API's
    JSON shape, instead of the error page; the request's transaction has already been rolled back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, StorageError):
            return None
        status = 404 if exception.code == "file_missing" else 503
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": exception.message, "code": exception.code, "field": None}, status=status)
        referer = request.META.get("HTTP_REFERER", "")
        back = referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) else ""
        return render(request, "storage_unavailable.html", {"message": exception.message, "back": back}, status=status)
