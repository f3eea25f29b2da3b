"""The daily job that makes the yearly partitions, and the deployment check on the DEFAULT partitions."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cchc.audit.models import AuditAction, AuditEntry
from cchc.audit.services import record
from cchc.maintenance.apps import check_dangling_references, check_default_partitions
from cchc.maintenance.schedule import SCHEDULE
from cchc.surveys.models import Answer, CommentHandling
from cchc.surveys.tests.test_results import make_survey, seed
from cchc.testing.personas import Personas

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="tables are partitioned on PostgreSQL")
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("ensure_partitions", *args, stdout=out)
    return out.getvalue()


def test_the_partitions_are_made_by_a_daily_job() -> None:
    assert ("ensure_partitions",) in [job.command for job in SCHEDULE]


@pytest.mark.django_db
@postgresql_only
def test_the_job_makes_this_year_s_and_next_year_s_partitions_once() -> None:
    with time_machine.travel(datetime.datetime(2031, 12, 31, 23, 0, tzinfo=ZONE), tick=False):
        first = _run()
        again = _run()

    assert "audit_auditentry_y2031: đã tạo" in first
    assert "audit_auditentry_y2032: đã tạo" in first
    assert "audit_auditentry_y2031: đã có" in again
    assert "audit_auditentry_y2032: đã có" in again
    assert "đã tạo" not in again


@pytest.mark.django_db
@postgresql_only
def test_the_deploy_check_warns_when_a_default_partition_holds_rows_and_the_job_stops_for_that_year(
    personas: Personas,
) -> None:
    assert check_default_partitions(databases=["default"]) == []
    with time_machine.travel(datetime.datetime(1999, 6, 1, 9, 0, tzinfo=ZONE), tick=False):
        entry = record(actor=None, action=AuditAction.UPDATE, instance=personas.unit_a, changes={"x": 1})
    assert entry is not None

    messages = check_default_partitions(databases=["default"])

    assert [message.id for message in messages] == ["maintenance.W003"]
    assert "audit_auditentry_default holds 1 row" in messages[0].msg
    with pytest.raises(CommandError, match="audit_auditentry_y1999"):
        _run("--year", "1999")
    AuditEntry.objects.filter(pk=entry.pk).delete()
    assert "audit_auditentry_y1999: đã tạo" in _run("--year", "1999")
    assert check_default_partitions(databases=["default"]) == []


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="on SQLite nothing is partitioned")
def test_on_sqlite_the_job_says_there_is_nothing_to_partition() -> None:
    assert "không phải PostgreSQL" in _run()
    assert check_default_partitions(databases=["default"]) == []


def test_the_job_refuses_a_year_out_of_range() -> None:
    with pytest.raises(CommandError, match="1900"):
        _run("--year", "20000")


@pytest.mark.django_db
@postgresql_only
def test_the_deploy_check_reports_comment_rows_left_pointing_at_no_answer(personas: Personas) -> None:
    questionnaire = make_survey(personas.province)
    seed(questionnaire, personas.unit_a, {"q1": "5"}, text="Phải chờ lâu")
    comment = Answer.objects.get(response__questionnaire=questionnaire, text_value="Phải chờ lâu")
    CommentHandling.objects.create(answer=comment, handled_by=personas.secretariat)
    assert check_dangling_references(databases=["default"]) == []

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM surveys_answer WHERE id = %s", [comment.pk])

    messages = check_dangling_references(databases=["default"])
    assert [(message.id, message.msg) for message in messages] == [
        ("maintenance.W004", "1 row(s) of surveys_commenthandling.answer_id point at no row.")
    ]
