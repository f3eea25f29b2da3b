"""The imports of the procedures app started from the web: the upload kept with an
:class:`~cchc.imports.models.ImportRun`, its import in the request (small files) or by a ``cchc db_worker`` (large
ones), its progress and its outcome.

The run is the one of :mod:`cchc.imports` (kinds ``procedures``, ``dossiers``, ``aggregates``); what the import needs
(source, preset, mode, period, unit) is in its ``options``, and so are the counts once it is done. The job lives here
because ``imports`` comes before ``procedures`` and never imports it.

- **The file is checked before it is kept**: a workbook through :func:`cchc.lib.files.check_upload` (size, zip
  bomb, damaged or encrypted file), a CSV by its size (``CCHC_MAX_CSV_UPLOAD_BYTES``, 200 MB by default) and its first
  bytes (text, not a binary file renamed). The CSV is copied to storage in chunks and read back as a stream in the
  job: never whole in memory.
- **One run per form**: the form carries a one-time token, unique per person in the database; a second submit of the
  same form finds the first run. A run is claimed (queued → running) by one update, so it is imported once even if
  the request and a worker, or two workers, reach it.
- **Progress**: the import is one transaction (see :mod:`cchc.procedures.services`), so what the job's own connection
  writes is seen only at the end. On PostgreSQL the rows read are written through a second connection, committed at
  once, about every second; SQLite has a single writer, locked by the import, so there the count shows at the end.
- A run that fails (a whole-file error, a crash) is marked failed and its transaction rolled back: no dossier of it
  stays. A worker killed outright leaves the run "running" with nothing written; the page says so after a while.
"""

from __future__ import annotations

import datetime
import io
import logging
import time
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cchc.accounts.models import User
from cchc.imports.models import ImportKind, ImportPhase, ImportRun, ImportStatus
from cchc.imports.services import background_threshold
from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period
from cchc.lib.spreadsheet import SheetRow
from cchc.lib.storage import StorageError, delete_after_commit
from cchc.lib.types import Actor
from cchc.organisations.models import Unit

from . import presets
from .aggregates import aggregates_import
from .error_file import error_workbook
from .kpis import kpis_publish
from .mapping import Sample, read_sample
from .models import ImportPreset, KpiPublication, PublicationStatus
from .parsing import find_layout
from .reader import CSV_EXTENSIONS, iter_file_rows
from .services import ImportReport, dossiers_analyze_after, dossiers_import, preset_get, procedures_import

logger = logging.getLogger(__name__)

KINDS = (ImportKind.PROCEDURES, ImportKind.DOSSIERS, ImportKind.AGGREGATES)
# Per-row errors kept on the run for the page; the error workbook has all of them.
ERRORS_KEPT = 200
# A run still "running" this long after its start has probably lost its worker.
STALE_AFTER = datetime.timedelta(hours=2)
_SNIFF_BYTES = 64 * 1024
_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF-", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"\x1f\x8b")


def max_csv_bytes() -> int:
    """The largest CSV accepted (``CCHC_MAX_CSV_UPLOAD_BYTES``; 200 MB by default): a CSV is read as a stream."""
    return int(getattr(settings, "CCHC_MAX_CSV_UPLOAD_BYTES", 200 * 1024 * 1024))


def check_csv(upload: IO[bytes]) -> None:
    """A non-empty text file under the CSV cap; :class:`ServiceError` otherwise (read: its first 64 KB only)."""
    limit = max_csv_bytes()
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise ServiceError(
            _("Tệp CSV quá lớn (tối đa %(size)s MB).") % {"size": limit // (1024 * 1024)},
            code="too_large",
            field="file",
        )
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    if not head.strip():
        raise ServiceError(_("Tệp tải lên rỗng."), code="empty", field="file")
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        raise ServiceError(
            _("Tệp không phải tệp CSV (văn bản); hãy xuất lại dữ liệu dạng .csv hoặc tải lên tệp .xlsx."),
            code="bad_file",
            field="file",
        )


def check_file(upload: UploadedFile) -> str:
    """Check an upload for an import; its extension (``.csv``, ``.txt``, ``.xlsx``) or :class:`ServiceError`."""
    name = str(upload.name or "")
    extension = PurePath(name).suffix.lower()
    if extension in CSV_EXTENSIONS:
        check_csv(upload)
    elif extension in (".xlsx", ".xlsm"):
        files.check_upload(upload, name=name, kinds=[files.XLSX], parse_xml=False)
        upload.seek(0)
    else:
        raise ServiceError(_("Chỉ chấp nhận tệp Excel (.xlsx) hoặc CSV (.csv)."), code="bad_extension", field="file")
    return extension


def run_create(
    *, actor: Actor, kind: str, upload: UploadedFile, options: dict[str, Any], token: str = ""
) -> tuple[ImportRun, bool]:
    """Check and keep the upload with a new run; ``(run, False)`` when this form's token already made one."""
    if not isinstance(actor, User):
        raise ServiceError(_("Cần đăng nhập để nhập dữ liệu."), code="anonymous")
    token = token[:64]
    if token:
        existing = ImportRun.objects.filter(created_by=actor, token=token).first()
        if existing is not None:
            return existing, False
    extension = check_file(upload)
    run = ImportRun(
        kind=kind, created_by=actor, file_name=str(upload.name or "")[:255], options=dict(options), token=token
    )
    run.file.save(f"{kind}{extension}", upload, save=False)  # copied in chunks
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError:
        run.file.delete(save=False)
        return ImportRun.objects.get(created_by=actor, token=token), False
    return run, True


def run_sample(run: ImportRun, preset: presets.Preset) -> Sample:
    """The header and first rows of the run's file, for the column-mapping screen."""
    with run.file.open("rb") as handle, closing(_rows(handle, run)) as rows:
        return read_sample(rows, preset)


def run_header_matches(run: ImportRun) -> bool:
    """Does the file have the required columns of the run's preset? :class:`ServiceError` for an unreadable file."""
    preset = preset_get(run.options.get("preset", presets.DEFAULT))
    try:
        with run.file.open("rb") as handle, closing(_rows(handle, run)) as rows:
            find_layout(rows, preset)
    except ServiceError as exc:
        if exc.code == "missing_column":
            return False
        raise
    return True


def _rows(handle: Any, run: ImportRun) -> Generator[SheetRow]:
    """The rows of the run's file, as a generator that the caller closes before the file."""
    yield from iter_file_rows(_raw(handle), name=run.file.name)


def runs_in_background(run: ImportRun) -> bool:
    return run.file.size > background_threshold()


def _keep_mapping(run: ImportRun) -> None:
    """Keep a copy of the saved preset a dossier import reads in the run's options: a preset deleted or replaced while
    the run waits for a worker (or runs) does not change what the import reads, nor make it fail."""
    name = run.options.get("preset", presets.DEFAULT)
    if run.kind != ImportKind.DOSSIERS or name in presets.SHIPPED:
        return
    saved = ImportPreset.objects.filter(name=name).first()
    if saved is not None:
        _update(run, options={**run.options, "mapping": presets.Preset.from_saved(saved).snapshot()})


def _preset_of(options: dict[str, Any]) -> presets.Preset:
    """The preset of a dossier run: the copy it kept when it started, else the shipped or saved one by name."""
    kept = options.get("mapping")
    if kept and kept.get("name") == options.get("preset"):
        return presets.Preset.from_snapshot(kept)
    return preset_get(options.get("preset", presets.DEFAULT))


def run_start(run: ImportRun) -> ImportRun:
    """Import the run now (a small file) or queue it for a worker (a large one); the caller shows the run's page."""
    if run.status != ImportStatus.QUEUED or run.options.get("stage") == "mapping":
        return run
    _keep_mapping(run)
    if runs_in_background(run):
        run_procedures_import_job.enqueue(run_id=run.pk)
        run.refresh_from_db()
        return run
    return run_execute(run.pk)


@task()
def run_procedures_import_job(run_id: int) -> dict[str, object]:
    """The background job: import the file of the run ``run_id`` (safe to run twice: a claimed run is left)."""
    run = run_execute(run_id)
    return {"run": run.pk, "status": run.status}


class _Progress:
    """Writes the rows read, about every second, where the page can see them before the import commits."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.last = 0.0
        self.rows = 0
        self.other: Any = None

    def __call__(self, rows: int) -> None:
        self.rows = rows
        now = time.monotonic()
        if now - self.last < 1:
            return
        self.last = now
        if not connection.in_atomic_block:
            ImportRun.objects.filter(pk=self.run_id).update(rows_read=rows)
        elif connection.vendor == "postgresql":
            if self.other is None:
                self.other = connection.copy()
            table = connection.ops.quote_name(ImportRun._meta.db_table)
            with self.other.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET rows_read = %s WHERE id = %s", [rows, self.run_id])  # noqa: S608

    def close(self) -> None:
        if self.other is not None:
            self.other.close()


def _counted(rows: Iterable[SheetRow], progress: _Progress) -> Iterator[SheetRow]:
    count = 0
    for row in rows:
        count += 1
        if count % 200 == 0:
            progress(count)
        yield row
    progress.rows = count


def _raw(handle: Any) -> Any:
    """The file object under a Django ``File`` (the CSV reader wraps it in its own buffer)."""
    while not isinstance(handle, io.IOBase) and getattr(handle, "file", None) is not None:
        handle = handle.file
    return handle


def _update(run: ImportRun, **values: Any) -> None:
    for name, value in values.items():
        setattr(run, name, value)
    ImportRun.objects.filter(pk=run.pk).update(**values)


def run_execute(run_id: int) -> ImportRun:
    """Import a queued run (in the request or the worker); a run already claimed is returned as it is."""
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now(), phase=ImportPhase.READING, rows_read=0
    )
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if not claimed:
        return run
    progress = _Progress(run.pk)
    try:
        with run.file.open("rb") as handle, closing(_rows(handle, run)) as rows:
            report = _import(run, _counted(rows, progress))
    except ServiceError as exc:
        _finish(run, status=ImportStatus.FAILED, message=exc.message, rows_read=progress.rows)
    except Exception:
        logger.exception("procedures import run %s failed", run.pk)
        _finish(
            run,
            status=ImportStatus.FAILED,
            message=_("Lỗi hệ thống khi nhập tệp; chưa nhập dữ liệu nào."),
            rows_read=progress.rows,
        )
        raise
    else:
        values: dict[str, Any] = {}
        if report.bad_rows:
            values["errors"] = [[bad.row.number, "", "; ".join(bad.messages)] for bad in report.bad_rows[:ERRORS_KEPT]]
            try:
                run.error_file.save(f"{run.kind}-loi.xlsx", ContentFile(error_workbook(report)), save=False)
            except StorageError:
                # The import is done; the run still lists its bad rows, only the workbook of them is missing.
                logger.warning("procedures import run %s: error workbook not stored", run.pk)
            else:
                values["error_file"] = run.error_file.name
        outcome = {
            "rows": report.rows_read,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(report.bad_rows),
            "refused": report.rejected,
            "data_import": report.data_import.pk if report.data_import else None,
            "analyzed": report.analyzed,
        }
        _finish(
            run,
            status=ImportStatus.DONE,
            message=report.summary(),
            rows_read=progress.rows,
            options={**run.options, "outcome": outcome},
            **values,
        )
    finally:
        progress.close()
    return run


def _import(run: ImportRun, rows: Iterable[SheetRow]) -> ImportReport:
    options = run.options
    actor = run.created_by
    if run.kind == ImportKind.PROCEDURES:
        return procedures_import(actor=actor, rows=rows, file_name=run.file_name)
    if run.kind == ImportKind.DOSSIERS:
        report = dossiers_import(
            actor=actor,
            rows=rows,
            source=options.get("source", ""),
            preset=_preset_of(options),
            file_name=run.file_name,
            valid_rows_only=bool(options.get("valid_rows")),
        )
        dossiers_analyze_after(report)  # committed: a large import refreshes the planner's statistics
        return report
    preset = presets.AGGREGATES.get(options.get("preset", ""))
    if preset is None:
        raise ServiceError(_("Không có mẫu biểu tổng hợp này."), code="unknown_preset", field="preset")
    unit = Unit.objects.filter(pk=options["unit"]).first() if options.get("unit") else None
    return aggregates_import(
        actor=actor,
        rows=rows,
        source=options.get("source", ""),
        preset=preset,
        period_start=datetime.date.fromisoformat(options["period_start"]),
        period_end=datetime.date.fromisoformat(options["period_end"]),
        unit=unit,
        file_name=run.file_name,
        valid_rows_only=bool(options.get("valid_rows")),
    )


def _finish(run: ImportRun, **values: Any) -> None:
    upload = run.file
    _update(run, file="", finished_at=timezone.now(), **values)
    delete_after_commit(upload)  # no copy of the upload is kept once it has been read


def run_continue(run: ImportRun, *, preset: str) -> ImportRun:
    """After the column-mapping screen: import with the preset just saved."""
    _update(run, options={**run.options, "preset": preset, "stage": ""})
    return run_start(run)


def run_discard(run: ImportRun, *, message: str = "") -> None:
    """Give up a run before its import (columns not mapped, file refused): its upload is deleted."""
    _finish(run, status=ImportStatus.FAILED, message=message or _("Đã hủy lượt nhập; chưa nhập dữ liệu nào."))


ABANDONED_AFTER_HOURS = 24


def runs_abandoned_discard(*, older_than: datetime.timedelta) -> int:
    """Give up the runs left at the column-mapping screen longer than ``older_than``: their uploads leave storage and
    the runs show as cancelled. Returns how many were given up (run it from cron: ``cchc purge_import_uploads``)."""
    hours = int(older_than.total_seconds() // 3600)
    message = _("Đã hủy lượt nhập bỏ dở ở bước chọn cột quá %(hours)s giờ; chưa nhập dữ liệu nào.") % {"hours": hours}
    runs = ImportRun.objects.filter(
        kind__in=KINDS,
        status=ImportStatus.QUEUED,
        options__stage="mapping",
        created_at__lt=timezone.now() - older_than,
    )
    count = 0
    for run in runs.order_by("pk").iterator():
        # Claimed by one update, so a person importing it just now (or a second purge) is never cut off half-way.
        if ImportRun.objects.filter(pk=run.pk, status=ImportStatus.QUEUED, options__stage="mapping").update(
            status=ImportStatus.FAILED
        ):
            _finish(run, status=ImportStatus.FAILED, message=message)
            count += 1
    return count


def is_stale(run: ImportRun) -> bool:
    return (
        run.status == ImportStatus.RUNNING
        and run.started_at is not None
        and timezone.now() - run.started_at > STALE_AFTER
    )


# --- Publishing the service indicators -------------------------------------------------------------------------------


def publish_in_background(units: int) -> bool:
    """Is a publication of this many units left to a worker (``CCHC_KPI_PUBLISH_BACKGROUND_UNITS``, 30 by default)?
    Each unit writes a dozen values with their audit entries: a province's hundreds of units take a while."""
    return units > int(getattr(settings, "CCHC_KPI_PUBLISH_BACKGROUND_UNITS", 30))


def publication_request(*, actor: Actor, period: Period, units: list[Unit]) -> KpiPublication:
    """Record a publication asked for from the KPI page, then run it now (few units) or queue it for a worker; the
    record holds its outcome either way, for the publish page."""
    if not isinstance(actor, User):
        raise ServiceError(_("Cần đăng nhập để công bố số liệu."), code="anonymous")
    publication = KpiPublication.objects.create(period_key=period.key, unit_count=len(units), requested_by=actor)
    if publish_in_background(len(units)):
        kpis_publish_job.enqueue(
            period_key=period.key,
            unit_ids=[unit.pk for unit in units],
            actor_id=actor.pk,
            publication_id=publication.pk,
        )
        publication.refresh_from_db()
        return publication
    return publication_execute(publication.pk, units)


def publication_execute(publication_id: int, units: list[Unit]) -> KpiPublication:
    """Publish for a recorded publication and write its outcome (claimed by one update: a second delivery of the job
    leaves it). A refused publication (a value a unit entered) writes nothing and keeps the reason."""
    claimed = KpiPublication.objects.filter(pk=publication_id, status=PublicationStatus.QUEUED).update(
        status=PublicationStatus.RUNNING
    )
    publication = KpiPublication.objects.select_related("requested_by").get(pk=publication_id)
    if not claimed:
        return publication
    values: dict[str, Any]
    try:
        period = Period.from_key(publication.period_key)
        outcome = kpis_publish(actor=publication.requested_by, period=period, units=units) if units else None
    except ServiceError as exc:
        values = {"status": PublicationStatus.FAILED, "message": exc.message}
    except Exception:
        logger.exception("kpi publication %s failed", publication_id)
        KpiPublication.objects.filter(pk=publication_id).update(
            status=PublicationStatus.FAILED,
            message=_("Lỗi hệ thống khi công bố; chưa ghi giá trị nào."),
            finished_at=timezone.now(),
        )
        raise
    else:
        values = {
            "status": PublicationStatus.DONE,
            "written": outcome.written if outcome else 0,
            "unchanged": outcome.unchanged if outcome else 0,
        }
    values["finished_at"] = timezone.now()
    KpiPublication.objects.filter(pk=publication_id).update(**values)
    for name, value in values.items():
        setattr(publication, name, value)
    return publication


@task()
def kpis_publish_job(
    period_key: str, unit_ids: list[int], actor_id: int | None = None, publication_id: int | None = None
) -> dict[str, object]:
    """The background publication of the figures of ``unit_ids`` for ``period_key`` (safe to run twice: an unchanged
    value is not written again), with its outcome on the publication ``publication_id`` when one was recorded."""
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("path"))
    if publication_id is not None:
        publication = publication_execute(publication_id, units)
        return {"period": period_key, "units": len(units), "status": publication.status}
    period = Period.from_key(period_key)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    outcome = kpis_publish(actor=actor, period=period, units=units) if units else None
    return {"period": period.key, "units": len(units), "values": outcome.values if outcome else 0}


__all__ = [
    "ABANDONED_AFTER_HOURS",
    "ERRORS_KEPT",
    "KINDS",
    "check_csv",
    "check_file",
    "is_stale",
    "kpis_publish_job",
    "max_csv_bytes",
    "publication_execute",
    "publication_request",
    "publish_in_background",
    "run_continue",
    "run_create",
    "run_discard",
    "run_execute",
    "run_header_matches",
    "run_procedures_import_job",
    "run_sample",
    "run_start",
    "runs_abandoned_discard",
    "runs_in_background",
]
