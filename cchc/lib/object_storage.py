"""The S3-compatible backend of uploaded files, used when ``OBJECT_STORAGE_URL`` is set (see cchc.lib.storage).

Imported only then, so a deployment on local disk never loads boto3.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import SuspiciousOperation
from storages.backends.s3 import S3File, S3Storage
from storages.utils import clean_name

from cchc.lib.storage import StorageError, missing, unavailable

logger = logging.getLogger(__name__)


@contextmanager
def _translated(name: str) -> Iterator[None]:
    try:
        yield
    except (StorageError, SuspiciousOperation):
        raise
    except FileNotFoundError as exc:
        raise missing() from exc
    except ClientError as exc:
        if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            raise missing() from exc
        logger.error("object storage refused %s: %s", name, exc)
        raise unavailable() from exc
    except (BotoCoreError, Boto3Error, OSError) as exc:
        logger.error("object storage failed on %s: %s", name, exc)
        raise unavailable() from exc


class ObjectFile(S3File):  # type: ignore[misc]
    """An object read lazily: the download happens on first use, so its failure is translated too."""

    def _get_file(self) -> Any:
        with _translated(self.name):
            return super()._get_file()

    file = property(_get_file, S3File._set_file)


class ObjectStorage(S3Storage):  # type: ignore[misc]
    """django-storages' S3 backend (any S3-compatible service) with bounded waits and Vietnamese failures.

    Options besides django-storages' own: ``connect_timeout`` and ``read_timeout`` in seconds and ``attempts``
    (the first try included), so a storage that stops answering costs a request seconds, not a worker's timeout.
    """

    def __init__(self, **options: Any) -> None:
        connect_timeout = options.pop("connect_timeout", 3)
        read_timeout = options.pop("read_timeout", 30)
        attempts = options.pop("attempts", 2)
        options.setdefault(
            "client_config",
            Config(
                s3={"addressing_style": options.get("addressing_style") or "path"},
                signature_version=options.get("signature_version") or "s3v4",
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"max_attempts": attempts, "mode": "standard"},
            ),
        )
        super().__init__(**options)

    def _open(self, name: str, mode: str = "rb") -> ObjectFile:
        with _translated(name):
            return ObjectFile(self._normalize_name(clean_name(name)), mode, self)

    def _save(self, name: str, content: Any) -> str:
        with _translated(name):
            return str(super()._save(name, content))

    def delete(self, name: str) -> None:
        with _translated(name):
            super().delete(name)

    def exists(self, name: str) -> bool:
        with _translated(name):
            return bool(super().exists(name))

    def listdir(self, name: str) -> tuple[list[str], list[str]]:
        with _translated(name):
            directories, files = super().listdir(name)
            return list(directories), list(files)

    def size(self, name: str) -> int:
        with _translated(name):
            return int(super().size(name))

    def get_modified_time(self, name: str) -> Any:
        with _translated(name):
            return super().get_modified_time(name)
