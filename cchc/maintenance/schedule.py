"""The product's daily jobs and the runner that starts each once a day, wherever it is started from.

The same table drives every way of running them: ``cchc run_schedule --loop`` (a local stack without systemd),
``cchc run_schedule`` every few minutes from the systemd timer in ``deploy/systemd/`` or from cron. A job runs once its
time of day has come (in ``TIME_ZONE``) and only if no run of it is recorded for that day: the record is written
before the job starts, under a unique constraint, so two runners never start the same job twice.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from cchc.maintenance.models import ScheduledRun

OUTPUT_LIMIT = 20_000


@dataclass(frozen=True)
class Job:
    name: str
    at: datetime.time
    command: tuple[str, ...]

    def is_due(self, moment: datetime.datetime) -> bool:
        return timezone.localtime(moment).time() >= self.at


SCHEDULE: tuple[Job, ...] = (
    Job("publish_task_stats", datetime.time(1, 0), ("publish_task_stats",)),
    Job("backup", datetime.time(2, 0), ("backup", "--keep", "14")),
    Job("clearsessions", datetime.time(3, 15), ("clearsessions",)),
    Job("purge_import_uploads", datetime.time(3, 30), ("purge_import_uploads", "--older-than", "24")),
    Job("send_reminders", datetime.time(6, 30), ("send_reminders",)),
    Job("send_survey_reminders", datetime.time(7, 0), ("send_survey_reminders",)),
    # This year's and next year's partitions of the tables partitioned by year (PostgreSQL; decision 26).
    Job("ensure_partitions", datetime.time(3, 45), ("ensure_partitions",)),
)

Runner = Callable[[Job], str]


def run_command(job: Job) -> str:
    """Run the job's management command in this process; its output."""
    out = io.StringIO()
    call_command(*job.command, stdout=out, stderr=out)
    return out.getvalue()


def _claim(job: Job, day: datetime.date, now: datetime.datetime) -> ScheduledRun | None:
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(job=job.name, day=day, started_at=now)
    except IntegrityError:
        return None  # already run today, or being run by another runner


def run_due(
    *, now: datetime.datetime | None = None, jobs: Sequence[Job] = SCHEDULE, runner: Runner = run_command
) -> list[ScheduledRun]:
    """Start every job whose time has come today and that has no run recorded today; the runs started."""
    moment = now or timezone.now()
    day = timezone.localdate(moment)
    started = []
    for job in jobs:
        if not job.is_due(moment):
            continue
        run = _claim(job, day, moment)
        if run is None:
            continue
        try:
            output = runner(job)
            run.succeeded = True
        except Exception as exc:  # a failed job is recorded, and the next one still runs
            output = f"{type(exc).__name__}: {exc}"
            run.succeeded = False
        run.output = output[-OUTPUT_LIMIT:]
        run.finished_at = timezone.now()
        run.save(update_fields=["succeeded", "output", "finished_at"])
        started.append(run)
    return started


def last_runs(jobs: Sequence[Job] = SCHEDULE) -> dict[str, ScheduledRun | None]:
    """The latest recorded run of each job."""
    return {job.name: ScheduledRun.objects.filter(job=job.name).order_by("-started_at").first() for job in jobs}
