"""Jobs whose worker died are put back on the queue, so that another worker runs them again.

``django-tasks-db`` marks a job RUNNING when a worker claims it and finished when the worker is done; a worker killed
in between (``kill -9``, the machine lost, out of memory) would leave it RUNNING for ever. Each ``cchc db_worker``
therefore holds, for as long as it lives, a PostgreSQL advisory lock named after its worker id, on a connection of
its own; PostgreSQL releases it the moment the process dies, whatever killed it. Every few seconds each worker looks
at the RUNNING jobs: one whose last worker's lock is free has lost its worker, and goes back to READY (after
``MAX_ATTEMPTS`` attempts it is marked FAILED instead, so that a job that kills its worker cannot do so for ever).

Running a job again is safe because every job is idempotent (``cchc/directives/jobs.py``, ``cchc/imports``): the
reminder run claims one row per reminder before sending and sends only the unsent ones again, an import is one
transaction that PostgreSQL rolled back when its worker died.

On SQLite (one machine, for trials) there is no such lock and nothing is recovered: restart the job by hand.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# A job is looked at only once it has run this long: the lock of a worker whose connection to PostgreSQL was just
# lost (a database restart) is taken again within one check.
DEFAULT_RECOVERY_SECONDS = 10


def recovery_seconds() -> float:
    return float(getattr(settings, "CCHC_TASK_RECOVERY_SECONDS", DEFAULT_RECOVERY_SECONDS))


def lock_key(worker_id: str) -> int:
    """The advisory lock's key for a worker id: a signed 64-bit integer."""
    return int.from_bytes(hashlib.sha256(f"cchc-worker:{worker_id}".encode()).digest()[:8], "big", signed=True)


def supported() -> bool:
    return connection.vendor == "postgresql"


def worker_is_alive(worker_id: str) -> bool:
    """Whether a process holds the lock of ``worker_id`` (taken and released at once when nobody does)."""
    key = lock_key(worker_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (taken,) = cursor.fetchone()
        if taken:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    return not taken


def requeue_orphaned_jobs(*, now: datetime.datetime | None = None) -> list[str]:
    """Put back on the queue the RUNNING jobs whose worker is dead; the ids of the jobs touched."""
    if not supported():
        return []
    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=recovery_seconds())
    touched = []
    for job in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).only(
        "id", "worker_ids"
    ):
        if job.worker_ids and worker_is_alive(job.worker_ids[-1]):
            continue
        # Only if nobody changed it meanwhile (another worker recovering it, or its worker finishing after all).
        still = DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING, worker_ids=job.worker_ids)
        if len(job.worker_ids) >= MAX_ATTEMPTS:
            changed = still.update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path="cchc.maintenance.task_recovery.WorkerLost",
                traceback=f"The worker died during each of {len(job.worker_ids)} attempts: {job.worker_ids}",
            )
            if changed:
                logger.error("job %s failed: its worker died %d times", job.pk, len(job.worker_ids))
        else:
            changed = still.update(status=TaskResultStatus.READY, started_at=None)
            if changed:
                logger.warning("job %s lost its worker %s; queued again", job.pk, job.worker_ids[-1:])
        if changed:
            touched.append(str(job.pk))
    return touched


class Liveness:
    """The lock that says "this worker is alive", and the thread that keeps it and recovers the jobs of dead ones."""

    def __init__(self, worker_id: str, *, interval: float | None = None) -> None:
        self.worker_id = worker_id
        self.interval = interval if interval is not None else max(0.5, recovery_seconds() / 4)
        self.stopped = threading.Event()
        self.holder: Any = None  # the psycopg connection that holds the lock
        self.thread = threading.Thread(target=self._run, name="cchc-worker-liveness", daemon=True)

    def _hold(self) -> None:
        """Take the lock on a connection of its own, opened again if the database dropped it."""
        if self.holder is not None and not self.holder.closed and self.holder.info.transaction_status != 4:
            try:
                self.holder.execute("SELECT 1")
                return
            except Exception:
                self._release()
        holder = connections["default"].get_new_connection(connections["default"].get_connection_params())
        holder.autocommit = True
        holder.execute("SELECT pg_advisory_lock(%s)", [lock_key(self.worker_id)])
        self.holder = holder

    def _release(self) -> None:
        if self.holder is not None:
            try:
                self.holder.close()
            except Exception:  # already broken
                logger.debug("closing the liveness connection failed", exc_info=True)
        self.holder = None

    def _run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self._hold()
                requeue_orphaned_jobs()
            except Exception:  # the database is down: try again at the next tick
                logger.warning("recovering lost jobs failed; trying again", exc_info=True)
            finally:
                close_old_connections()
                connection.close()

    def start(self) -> None:
        self._hold()
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self._release()


@contextmanager
def worker_liveness(worker_id: str) -> Iterator[None]:
    """Hold the worker's lock (and recover the jobs of dead workers) while the block runs; nothing on SQLite."""
    if not supported():
        yield
        return
    liveness = Liveness(worker_id)
    liveness.start()
    try:
        yield
    finally:
        liveness.stop()
