"""Background jobs of the imports (Django Tasks API, see :mod:`cchc.directives.jobs` for the queue)."""

from __future__ import annotations

from django_tasks import task

from .services import import_run_execute


@task()
def run_import_job(run_id: int) -> dict[str, object]:
    """Import the file of the :class:`~cchc.imports.models.ImportRun` ``run_id``; idempotent once finished."""
    run = import_run_execute(run_id)
    return {"run": run.pk, "status": run.status, "errors": len(run.errors)}
