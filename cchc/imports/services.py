"""Excel imports that run in the background: start one, run it in a worker, and read where it is.

Small files are imported within the request, as before. A file larger than
``CCHC_IMPORT_BACKGROUND_BYTES`` is stored with an :class:`ImportRun` and
imported by ``run_import_job`` in a ``cchc db_worker`` process, so that no web
worker is held for the whole import. The run records the phase and the rows
read while it goes (the import page polls it), then the outcome: the report
line, the whole-file refusal, or the per-row errors with their error workbook.
The import itself is the same all-or-nothing function as in the request.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cchc.accounts.models import User
from cchc.frameworks import excel as framework_excel
from cchc.lib.errors import ServiceError
from cchc.lib.storage import StorageError, delete_after_commit
from cchc.lib.types import ActorOrSystem
from cchc.organisations import excel as unit_excel

from .models import ImportKind, ImportPhase, ImportRun, ImportStatus

if TYPE_CHECKING:
    from cchc.frameworks.models import Framework

logger = logging.getLogger(__name__)


def background_threshold() -> int:
    """Uploads larger than this many bytes are imported in the background (``IMPORT_BACKGROUND_KB``)."""
    return int(getattr(settings, "CCHC_IMPORT_BACKGROUND_BYTES", 512 * 1024))


def runs_in_background(data: bytes) -> bool:
    return len(data) > background_threshold()


def import_run_start(
    *,
    actor: ActorOrSystem,
    kind: str,
    data: bytes,
    file_name: str,
    reason: str = "",
    dry_run: bool = False,
    framework: Framework | None = None,
) -> ImportRun:
    """Store the checked upload and queue its import; the caller shows the run's page."""
    run = ImportRun(
        kind=kind,
        created_by=actor if isinstance(actor, User) else None,
        framework=framework,
        file_name=file_name[:255],
        reason=reason[:500],
        dry_run=dry_run,
    )
    run.file.save(f"{kind}.xlsx", ContentFile(data), save=False)
    run.save()
    run_import_job.enqueue(run_id=run.pk)
    run.refresh_from_db()
    return run


@task()
def run_import_job(run_id: int) -> dict[str, object]:
    """The background job: import the file of the :class:`~cchc.imports.models.ImportRun` ``run_id``.

    Idempotent once the run has finished. It lives beside ``import_run_start``, which queues it, so the two never
    import each other.
    """
    run = import_run_execute(run_id)
    return {"run": run.pk, "status": run.status, "errors": len(run.errors)}


def _set(run: ImportRun, **values: Any) -> None:
    for name, value in values.items():
        setattr(run, name, value)
    ImportRun.objects.filter(pk=run.pk).update(**values)


def import_run_execute(run_id: int) -> ImportRun:
    """Run a queued import (in the worker); safe to call again, a finished run is left as it is."""
    run = ImportRun.objects.select_related("created_by", "framework").get(pk=run_id)
    if run.finished:
        return run
    _set(run, status=ImportStatus.RUNNING, started_at=timezone.now(), phase=ImportPhase.READING, rows_read=0)

    def progress(phase: str, rows: int) -> None:
        _set(run, phase=phase, rows_read=rows)

    try:
        with run.file.open("rb") as handle:
            data = handle.read()
        report = _import(run, data, progress)
    except ServiceError as exc:
        _finish(run, status=ImportStatus.FAILED, message=exc.message)
    except Exception:
        logger.exception("import run %s failed", run.pk)
        _finish(run, status=ImportStatus.FAILED, message=_("Lỗi hệ thống khi nhập tệp; chưa nhập dữ liệu nào."))
        raise
    else:
        if report.ok:
            _finish(run, status=ImportStatus.DONE, message=report.lines()[0])
        else:
            try:
                run.error_file.save(f"{run.kind}-errors.xlsx", ContentFile(_error_workbook(run, report)), save=False)
            except StorageError:
                # The run still lists its errors; only the workbook of them is missing.
                logger.warning("import run %s: error workbook not stored", run.pk)
            _finish(
                run,
                status=ImportStatus.DONE,
                errors=[[error.row, error.column, error.message] for error in report.errors],
                error_file=run.error_file.name or "",
            )
    return run


def _import(run: ImportRun, data: bytes, progress: Any) -> Any:
    if run.kind == ImportKind.UNITS:
        return unit_excel.import_units(
            actor=run.created_by, data=data, reason=run.reason, dry_run=run.dry_run, progress=progress
        )
    assert run.framework is not None
    return framework_excel.import_framework(
        actor=run.created_by,
        framework=run.framework,
        data=data,
        units=framework_excel.lead_units_for(run.created_by, run.framework),
        reason=run.reason,
        progress=progress,
    )


def _error_workbook(run: ImportRun, report: Any) -> bytes:
    if run.kind == ImportKind.UNITS:
        return unit_excel.error_workbook(report)
    return framework_excel.error_workbook(report)


def _finish(run: ImportRun, **values: Any) -> None:
    upload = run.file
    _set(run, file="", finished_at=timezone.now(), **values)
    delete_after_commit(upload)  # no copy of the upload is kept once it has been read


__all__ = [
    "background_threshold",
    "import_run_execute",
    "import_run_start",
    "run_import_job",
    "runs_in_background",
]
