"""Uploaded scans read in the background: the upload returns at once, a worker recognises the pages one by one.

A scan (an image, or a PDF without a text layer) takes seconds a page to recognise, so the upload page does not
wait for it: :func:`scan_draft_create` keeps the file with a draft in the state "reading" and queues
:func:`cchc.directives.jobs.read_scan_job`; the reading page follows ``pages_read`` of ``page_count`` ("trang 3/7")
and opens the review when the draft is ready. Any other file is read in the request, as before.

- **One draft per form**: the upload form carries a one-time token, unique per person in the database; a second
  submit of the same form finds the first draft and queues nothing.
- **Read once**: the job claims the draft by one update (``reading_started_at`` set where it was empty), so a
  second delivery of the job, or a second worker, leaves it alone.
- **Progress** is written after each page outside any transaction, so the page sees it at once on every database.
- **Failures** keep the draft with its Vietnamese message ("failed"); the reading page shows it and offers to
  discard the upload. A worker killed outright leaves the draft "reading"; the page says so after a while.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.audit.services import actor_user
from cchc.lib.errors import ServiceError
from cchc.lib.types import Actor
from cchc.organisations.models import Unit

from .extraction_registry import extract_document
from .models import DirectiveDraft, DraftStatus
from .proposals import extraction_as_dict
from .services import StoredFile, draft_file

logger = logging.getLogger(__name__)

# A draft still reading this long after its start has probably lost its worker.
STALE_AFTER = datetime.timedelta(minutes=30)


def scan_draft_create(
    *, actor: Actor, issuing_unit: Unit, file: StoredFile, page_count: int, token: str = ""
) -> tuple[DirectiveDraft, bool]:
    """Keep an uploaded scan with a draft waiting to be read; ``(draft, False)`` when this form already made one.

    The caller queues its reading (:func:`cchc.directives.jobs.read_scan_job`) when the draft is new.
    """
    user = actor_user(actor)
    token = token[:64]
    if token:
        existing = DirectiveDraft.objects.filter(created_by=user, token=token).first()
        if existing is not None:
            return existing, False
    draft = DirectiveDraft(
        created_by=user,
        issuing_unit=issuing_unit,
        file_name=file.name,
        file_size=len(file.content),
        sha256=file.sha256,
        status=DraftStatus.READING,
        page_count=page_count,
        token=token,
    )
    draft.file.save(file.name, ContentFile(file.content), save=False)
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:
        draft.file.delete(save=False)
        return DirectiveDraft.objects.get(created_by=user, token=token), False
    return draft, True


def _update(draft_id: int, **values: Any) -> None:
    DirectiveDraft.objects.filter(pk=draft_id).update(**values)


def scan_read(draft_id: int) -> DirectiveDraft | None:
    """Recognise a scan draft and store its proposed tasks (the worker's part). A draft already claimed, read or
    discarded is left as it is; ``None`` when it no longer exists."""
    claimed = DirectiveDraft.objects.filter(
        pk=draft_id, status=DraftStatus.READING, reading_started_at__isnull=True
    ).update(reading_started_at=timezone.now(), pages_read=0)
    draft = DirectiveDraft.objects.select_related("issuing_unit").filter(pk=draft_id).first()
    if draft is None or not claimed:
        return draft

    def progress(done: int, total: int) -> None:
        _update(draft_id, pages_read=done, page_count=total)

    try:
        stored = draft_file(draft)
        extraction = extract_document(stored.content, stored.name, issuing_unit=draft.issuing_unit, progress=progress)
    except ServiceError as exc:
        _update(draft_id, status=DraftStatus.FAILED, message=exc.message[:1000])
    except Exception:
        logger.exception("reading the scan of directive draft %s failed", draft_id)
        _update(
            draft_id,
            status=DraftStatus.FAILED,
            message=_("Lỗi hệ thống khi đọc bản quét; chưa có gì được tạo. Hãy tải tệp lên lại."),
        )
        raise
    else:
        _update(draft_id, status=DraftStatus.READY, extraction=extraction_as_dict(extraction))
    draft.refresh_from_db()
    return draft


def is_stale(draft: DirectiveDraft) -> bool:
    """Has a reading run so long that its worker was probably stopped?"""
    return (
        draft.status == DraftStatus.READING
        and draft.reading_started_at is not None
        and timezone.now() - draft.reading_started_at > STALE_AFTER
    )
