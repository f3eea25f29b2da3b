"""The daily jobs run once a day each, at or after their time, however many runners start them."""

from __future__ import annotations

import datetime
import io
import threading
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.db import connection

from cchc.maintenance.models import ScheduledRun
from cchc.maintenance.schedule import SCHEDULE, Job, last_runs, run_due

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
ROOT = Path(__file__).resolve().parents[3]
EARLY = Job("early", datetime.time(1, 0), ("check",))
LATE = Job("late", datetime.time(6, 30), ("check",))


def at(hour: int, minute: int = 0, day: int = 7) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=HANOI)


def recorder(calls: list[str]) -> Callable[[Job], str]:
    def run(job: Job) -> str:
        calls.append(job.name)
        return f"{job.name} done"

    return run


@pytest.mark.django_db
def test_a_job_runs_once_its_time_has_come_and_not_again_that_day() -> None:
    calls: list[str] = []
    runner = recorder(calls)

    run_due(now=at(0, 30), jobs=[EARLY, LATE], runner=runner)
    run_due(now=at(1, 5), jobs=[EARLY, LATE], runner=runner)
    run_due(now=at(7, 0), jobs=[EARLY, LATE], runner=runner)
    run_due(now=at(23, 0), jobs=[EARLY, LATE], runner=runner)
    run_due(now=at(1, 0, day=8), jobs=[EARLY, LATE], runner=runner)

    assert calls == ["early", "late", "early"]
    assert ScheduledRun.objects.filter(job="early").count() == 2


@pytest.mark.django_db
def test_a_failing_job_is_recorded_with_its_error_and_the_next_job_still_runs() -> None:
    calls: list[str] = []

    def runner(job: Job) -> str:
        calls.append(job.name)
        if job.name == "early":
            raise RuntimeError("máy chủ thư không trả lời")
        return "ok"

    runs = run_due(now=at(8), jobs=[EARLY, LATE], runner=runner)

    assert calls == ["early", "late"]
    assert [(run.job, run.succeeded) for run in runs] == [("early", False), ("late", True)]
    assert "máy chủ thư không trả lời" in ScheduledRun.objects.get(job="early").output
    assert last_runs([EARLY, LATE])["early"].succeeded is False  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_two_runners_at_the_same_moment_start_each_job_once() -> None:
    if connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("two connections to one in-memory SQLite database wait on its shared-cache table lock")
    calls: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def runner(job: Job) -> str:
        with lock:
            calls.append(job.name)
        return "ok"

    def start() -> None:
        barrier.wait()
        try:
            run_due(now=at(9), jobs=[EARLY, LATE], runner=runner)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(calls) == ["early", "late"]


def test_every_scheduled_job_is_a_command_of_the_product_with_arguments_it_accepts() -> None:
    commands = get_commands()
    for job in SCHEDULE:
        name, *arguments = job.command
        assert name in commands, name
        parser = load_command_class(commands[name], name).create_parser("cchc", name)
        parser.parse_args(arguments)


def test_the_shipped_timer_and_cron_file_start_the_same_runner() -> None:
    service = (ROOT / "deploy" / "systemd" / "cchc-schedule.service").read_text()
    timer = (ROOT / "deploy" / "systemd" / "cchc-schedule.timer").read_text()
    cron = (ROOT / "deploy" / "cron").read_text()

    assert "cchc run_schedule\n" in service
    assert "OnUnitActiveSec=5min" in timer
    assert "cchc run_schedule\n" in cron


@pytest.mark.django_db
def test_the_list_shows_each_job_with_its_time_and_last_run() -> None:
    out = io.StringIO()
    call_command("run_schedule", "--list", stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == len(SCHEDULE)
    assert lines[0].startswith("01:00  publish_task_stats")
    assert "chưa chạy" in lines[0]
