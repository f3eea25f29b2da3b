"""Background jobs of the directives app (Django Tasks API through the ``django-tasks`` backport).

With ``TASKS_BACKEND=database`` (the default) ``enqueue`` stores a row in the database queue and whichever
``cchc db_worker`` process, on any machine sharing the database, claims it first runs it. With
``TASKS_BACKEND=immediate`` the job runs at once in the process that enqueues it.

The reading of an uploaded scan (:func:`read_scan_job`, see :mod:`.scans`) is queued by the upload page. The other
jobs call the same service as their management command, so running a job twice is as safe as running the
command twice: the reminder run claims one ``ReminderLog`` row per reminder and sends nothing twice on a day, and
the statistics run overwrites the period's values. Arguments and results are plain JSON values, as the queue
stores them.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django_tasks import task

from cchc.lib.periods import Period

from .reminders import Schedule, send_reminders
from .scans import scan_read
from .services import periods_containing, stats_publish


@task()
def send_reminders_job(
    day_iso: str | None = None, days_before: list[int] | None = None, overdue_every: int | None = None
) -> dict[str, Any]:
    """The daily reminder run for ``day_iso`` (YYYY-MM-DD; the worker's today when absent)."""
    day = datetime.date.fromisoformat(day_iso) if day_iso else timezone.localdate()
    schedule = Schedule.from_settings()
    if days_before is not None or overdue_every is not None:
        schedule = Schedule(
            days_before=tuple(sorted({int(n) for n in days_before}, reverse=True))
            if days_before is not None
            else schedule.days_before,
            overdue_every=max(1, int(overdue_every)) if overdue_every is not None else schedule.overdue_every,
        )
    result = send_reminders(day=day, schedule=schedule)
    return {
        "day": day.isoformat(),
        "reminders": result.reminders,
        "emails": result.emails,
        "failures": list(result.failures),
    }


@task()
def publish_task_stats_job(period_key: str | None = None) -> dict[str, int]:
    """Publish each unit's on-time rate for the period ``period_key`` (e.g. ``2025-Q3``); by default for the
    quarter, half-year and year containing the worker's today. Returns the number of units per period key."""
    periods = [Period.from_key(period_key)] if period_key else periods_containing(timezone.localdate())
    return {period.key: stats_publish(actor=None, period=period) for period in periods}


@task()
def read_scan_job(draft_id: int) -> dict[str, Any]:
    """Recognise the uploaded scan of the draft ``draft_id`` page by page (safe to run twice: a claimed draft is
    left; see :mod:`cchc.directives.scans`)."""
    draft = scan_read(draft_id)
    return {"draft": draft_id, "status": draft.status if draft is not None else "discarded"}
