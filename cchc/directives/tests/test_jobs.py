"""Background jobs through the Django Tasks API: the database queue, the ``cchc db_worker`` command and ``--enqueue``.

These tests commit for real (``transaction=True``): the worker claims each queued row in its own transaction, as
workers on several machines sharing one database do.
"""

from __future__ import annotations

import datetime
import io
import signal
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cchc.directives import services
from cchc.directives.jobs import publish_task_stats_job, send_reminders_job
from cchc.directives.models import Directive, Notification, ReminderKind, ReminderLog
from cchc.indicators.models import IndicatorValue
from cchc.lib.periods import Period, PeriodKind
from cchc.testing.personas import Personas

from .conftest import DUE, Mailbox, make_task

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
THREE_DAYS_BEFORE = DUE - datetime.timedelta(days=3)


@pytest.fixture(autouse=True)
def database_queue() -> Iterator[None]:
    """The production configuration, whatever TASKS_BACKEND the shell running the tests has."""
    with override_settings(TASKS=DATABASE_QUEUE):
        yield


@pytest.fixture
def focal_with_email(personas: Personas) -> Personas:
    personas.focal_a.email = "daumoi.a@example.vn"
    personas.focal_a.save(update_fields=["email"])
    return personas


def run_worker() -> str:
    """``cchc db_worker --batch``: run every queued job, then stop (the process keeps its own signal handlers)."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    out = io.StringIO()
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", stdout=out)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    return out.getvalue()


def test_enqueued_reminder_job_waits_in_the_database_until_a_worker_sends_it_and_a_second_run_sends_nothing(
    focal_with_email: Personas, directive: Directive, mailbox: Mailbox
) -> None:
    personas = focal_with_email
    assignment = make_task(personas, directive, personas.unit_a).assignments.get()

    queued = send_reminders_job.enqueue(day_iso=THREE_DAYS_BEFORE.isoformat())
    row = DBTaskResult.objects.get(id=queued.id)
    assert row.status == TaskResultStatus.READY
    assert row.task_path == "cchc.directives.jobs.send_reminders_job"
    assert row.args_kwargs["kwargs"] == {"day_iso": "2025-09-27"}
    assert not ReminderLog.objects.exists() and mailbox.received() == []

    run_worker()

    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.task_result.return_value == {"day": "2025-09-27", "reminders": 1, "emails": 1, "failures": []}
    log = ReminderLog.objects.get()
    assert (log.assignment, log.kind, log.day, log.recipient, log.emailed) == (
        assignment,
        ReminderKind.BEFORE,
        THREE_DAYS_BEFORE,
        personas.focal_a,
        True,
    )
    assert Notification.objects.filter(user=personas.focal_a, assignment=assignment).count() == 1
    messages = mailbox.received()
    assert [message["To"] for message in messages] == ["daumoi.a@example.vn"]
    assert "còn 3 ngày đến hạn" in messages[0].get_content()

    again = send_reminders_job.enqueue(day_iso=THREE_DAYS_BEFORE.isoformat())
    run_worker()

    assert DBTaskResult.objects.get(id=again.id).task_result.return_value == {
        "day": "2025-09-27",
        "reminders": 0,
        "emails": 0,
        "failures": [],
    }
    assert ReminderLog.objects.count() == 1 and Notification.objects.count() == 1
    assert len(mailbox.received()) == 1


def test_send_reminders_with_enqueue_hands_the_day_and_schedule_to_the_worker_pool(
    focal_with_email: Personas, directive: Directive, mailbox: Mailbox
) -> None:
    personas = focal_with_email
    make_task(personas, directive, personas.unit_a)
    out = io.StringIO()
    five_days_before = DUE - datetime.timedelta(days=5)

    call_command(
        "send_reminders", "--enqueue", "--date", five_days_before.isoformat(), "--days-before", "5,2", stdout=out
    )

    assert "vào hàng đợi" in out.getvalue()
    row = DBTaskResult.objects.get()
    assert row.args_kwargs["kwargs"] == {"day_iso": "2025-09-25", "days_before": [5, 2], "overdue_every": 3}
    assert mailbox.received() == [] and not Notification.objects.exists()

    run_worker()

    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert Notification.objects.filter(user=personas.focal_a, kind=ReminderKind.BEFORE).count() == 1
    assert len(mailbox.to("daumoi.a@example.vn")) == 1


def test_send_reminders_refuses_enqueue_together_with_loop(personas: Personas) -> None:
    with pytest.raises(CommandError, match="--enqueue"):
        call_command("send_reminders", "--enqueue", "--loop")
    assert not DBTaskResult.objects.exists()


def test_with_the_immediate_backend_enqueue_runs_the_reminders_at_once(
    focal_with_email: Personas, directive: Directive, mailbox: Mailbox
) -> None:
    personas = focal_with_email
    make_task(personas, directive, personas.unit_a)
    out = io.StringIO()
    with override_settings(TASKS=IMMEDIATE):
        call_command("send_reminders", "--enqueue", "--date", THREE_DAYS_BEFORE.isoformat(), stdout=out)
    assert "27/09/2025: 1 lời nhắc mới, 1 thư điện tử đã gửi." in out.getvalue()
    assert not DBTaskResult.objects.exists()
    assert len(mailbox.received()) == 1 and ReminderLog.objects.count() == 1


def test_publish_task_stats_with_enqueue_queues_one_job_per_period_and_the_worker_writes_the_on_time_rate(
    personas: Personas, directive: Directive
) -> None:
    with time_machine.travel(datetime.date(2025, 9, 1), tick=False):
        done = make_task(personas, directive, content="Nhiệm vụ một").assignments.get()
        make_task(personas, directive, content="Nhiệm vụ hai")
        report = services.report_submit(actor=personas.focal_a, assignment=done, percent=100, text="Xong")
        services.report_accept(actor=personas.secretariat, report=report)
    quarter = Period(2025, PeriodKind.QUARTER, 3)
    value = IndicatorValue.objects.get(
        indicator__code=services.ON_TIME_RATE, unit=personas.unit_a, period_key="2025-Q3"
    )
    assert value.value == Decimal("100")

    with time_machine.travel(datetime.datetime(2025, 10, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        out = io.StringIO()
        call_command("publish_task_stats", "--enqueue", "--period", "2025-Q3", "--period", "2025", stdout=out)
        assert out.getvalue().count("vào hàng đợi") == 2
        keys = sorted(row.args_kwargs["kwargs"]["period_key"] for row in DBTaskResult.objects.all())
        assert keys == ["2025", "2025-Q3"]
        value.refresh_from_db()
        assert value.value == Decimal("100")

        run_worker()

    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    value.refresh_from_db()
    assert (value.numerator, value.denominator, value.value) == (1, 2, Decimal("50"))
    assert quarter.key == value.period_key


def test_publish_task_stats_job_without_a_period_covers_the_current_quarter_half_year_and_year(
    personas: Personas, directive: Directive
) -> None:
    with time_machine.travel(datetime.date(2025, 9, 1), tick=False):
        done = make_task(personas, directive).assignments.get()
        report = services.report_submit(actor=personas.focal_a, assignment=done, percent=100, text="Xong")
        services.report_accept(actor=personas.secretariat, report=report)
        IndicatorValue.objects.all().delete()
        queued = publish_task_stats_job.enqueue()
        run_worker()
    assert DBTaskResult.objects.get(id=queued.id).task_result.return_value == {"2025-Q3": 1, "2025-H2": 1, "2025": 1}
    assert set(
        IndicatorValue.objects.filter(indicator__code=services.ON_TIME_RATE, unit=personas.unit_a).values_list(
            "period_key", flat=True
        )
    ) == {"2025-Q3", "2025-H2", "2025"}
