"""``cchc db_worker``: django-tasks-db's worker, which also puts back on the queue the jobs of workers that died.

See :mod:`cchc.maintenance.task_recovery`. The worker id given with ``--worker-id`` (``%H-%i`` in the systemd unit)
gets a random suffix, so that a worker restarted under the same name is never taken for the one that died.
"""

from __future__ import annotations

from typing import Any

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as QueueWorkerCommand

from cchc.maintenance.task_recovery import worker_liveness

SUFFIX_LENGTH = 8
MAX_WORKER_ID = 64


class Command(QueueWorkerCommand):
    help = QueueWorkerCommand.help + "; jobs left running by a worker that died are queued again (PostgreSQL)"

    def handle(self, *args: Any, **options: Any) -> None:
        given = str(options["worker_id"])[: MAX_WORKER_ID - SUFFIX_LENGTH - 1]
        options["worker_id"] = f"{given}-{get_random_string(SUFFIX_LENGTH)}"
        with worker_liveness(options["worker_id"]):
            super().handle(*args, **options)
