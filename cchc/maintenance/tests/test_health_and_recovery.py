"""The health endpoint, the nginx configuration of the stack, and the recovery of jobs whose worker died."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cchc.directives.jobs import publish_task_stats_job
from cchc.maintenance.stack import nginx_config
from cchc.maintenance.task_recovery import MAX_ATTEMPTS, Liveness, requeue_orphaned_jobs


@pytest.mark.django_db
def test_the_health_endpoint_answers_ok_without_a_session_when_database_and_cache_answer() -> None:
    reply = Client().get("/healthz")

    assert reply.status_code == 200
    assert reply.json() == {"database": "ok", "cache": "ok"}
    assert "no-cache" in reply["Cache-Control"]


@pytest.mark.django_db
def test_the_health_endpoint_answers_503_naming_the_cache_when_the_cache_fails(settings: object) -> None:
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    reply = Client().get("/healthz")

    assert reply.status_code == 503
    assert reply.json() == {"database": "ok", "cache": "error"}


def test_the_stack_nginx_leaves_a_failing_server_out_and_never_repeats_a_write(tmp_path: Path) -> None:
    config = nginx_config(var_dir=tmp_path, port=18000, app_ports=[18001, 18002])

    assert "server 127.0.0.1:18001 max_fails=1 fail_timeout=5s;" in config
    assert "server 127.0.0.1:18002 max_fails=1 fail_timeout=5s;" in config
    assert "proxy_next_upstream error timeout http_502 http_503 http_504;" in config
    directives = [line.strip() for line in config.splitlines() if not line.strip().startswith("#")]
    assert not [line for line in directives if line.startswith("proxy_next_upstream") and "non_idempotent" in line]
    assert "listen 127.0.0.1:18000;" in config


# --- recovery (PostgreSQL: advisory locks) ------------------------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="workers are known to be alive through PostgreSQL advisory locks"
)


def _running_job(*worker_ids: str, minutes_ago: int = 5) -> DBTaskResult:
    result = publish_task_stats_job.enqueue(period_key="2025-Q3")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=list(worker_ids),
        started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )
    return DBTaskResult.objects.get(pk=result.id)


@postgresql_only
@pytest.mark.django_db
def test_a_job_whose_worker_died_is_queued_again_and_one_whose_worker_lives_is_left_running() -> None:
    alive = Liveness("host-1-alive")
    alive.start()
    try:
        orphan = _running_job("host-2-dead")
        running = _running_job("host-1-alive")

        touched = requeue_orphaned_jobs()
    finally:
        alive.stop()

    assert touched == [str(orphan.pk)]
    orphan.refresh_from_db()
    running.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY and orphan.started_at is None
    assert running.status == TaskResultStatus.RUNNING


@postgresql_only
@pytest.mark.django_db
def test_a_job_that_just_started_is_not_taken_for_an_orphan() -> None:
    job = _running_job("host-3-dead", minutes_ago=0)

    assert requeue_orphaned_jobs() == []
    job.refresh_from_db()
    assert job.status == TaskResultStatus.RUNNING


@postgresql_only
@pytest.mark.django_db
def test_a_job_whose_worker_died_at_every_attempt_is_marked_failed() -> None:
    job = _running_job(*(f"host-{n}-dead" for n in range(MAX_ATTEMPTS)))

    requeue_orphaned_jobs()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED
    assert "died" in job.traceback
