"""The counts the results read: answers per question and value by month, responses by day (``AnswerCount``,
``ResponseCount``).

Counting the answers themselves grows with every response (a year of a province is tens of millions of answer rows);
the counts grow only with the units, channels, respondent groups and months, so the results pages read them instead.

* :func:`counts_add` adds one response to both tables in the transaction that stores it, with one
  ``INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count`` per table. The upsert is atomic on PostgreSQL
  and SQLite, so concurrent submissions about the same unit and day never lose a count; the rows are written in the
  order of their keys, so two submissions never wait for each other crosswise (no deadlock).
* :func:`counts_rebuild` recounts them from the stored answers (``cchc rebuild_survey_counts``, and the migration that
  created the tables). On PostgreSQL it locks both tables against new submissions for its transaction, so a response
  arriving meanwhile is counted exactly once.

Months and days are those of the submission time in the deployment's time zone (``TIME_ZONE``), as the results filter
reads periods. Only single choice values are counted (the scales, yes/no, 0/1/2, A–D, single choices); multiple
choices, numbers, dates and texts stay on the answers.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.db.models import Count, DateField, F
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from .models import Answer, AnswerCount, Response, ResponseCount

ANSWER_KEY = (
    "questionnaire_id",
    "version_id",
    "question_id",
    "value",
    "unit_id",
    "channel",
    "respondent_group",
    "month",
)
ANSWER_CONFLICT = ("version_id", "question_id", "unit_id", "channel", "respondent_group", "month", "value")
RESPONSE_KEY = ("questionnaire_id", "version_id", "unit_id", "channel", "respondent_group", "day")
RESPONSE_CONFLICT = ("version_id", "unit_id", "channel", "respondent_group", "day")


def local_day(moment: datetime.datetime) -> datetime.date:
    """The date of ``moment`` in the deployment's time zone (that of the counts)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _upsert(table: str, columns: tuple[str, ...], conflict: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    placeholders = "(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}, {quote('count')}) "  # noqa: S608 - our own names
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({', '.join(map(quote, conflict))}) "
        f"DO UPDATE SET {quote('count')} = {quote(table)}.{quote('count')} + excluded.{quote('count')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def counts_add(response: Response, answers: Iterable[Answer]) -> None:
    """Add ``response`` and its ``answers`` (just stored) to the counts, in the caller's transaction."""
    day = local_day(response.submitted_at)
    month = connection.ops.adapt_datefield_value(day.replace(day=1))
    common = (response.unit_id, response.channel, response.respondent_group)
    per_value: dict[tuple[int, str], int] = {}
    for answer in answers:
        if answer.choice_value:
            key = (answer.question_id, answer.choice_value)
            per_value[key] = per_value.get(key, 0) + 1
    rows = [
        (response.questionnaire_id, response.version_id, question_id, value, *common, month, n)
        for (question_id, value), n in sorted(per_value.items())
    ]
    _upsert(AnswerCount._meta.db_table, ANSWER_KEY, ANSWER_CONFLICT, rows)
    _upsert(
        ResponseCount._meta.db_table,
        RESPONSE_KEY,
        RESPONSE_CONFLICT,
        [(response.questionnaire_id, response.version_id, *common, connection.ops.adapt_datefield_value(day), 1)],
    )


def _insert_select(table: str, columns: tuple[str, ...], aliases: tuple[str, ...], query: models.QuerySet) -> int:
    sql, params = query.query.sql_with_params()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}, {quote('count')}) "  # noqa: S608
            f"SELECT {', '.join(f'counted.{quote(alias)}' for alias in aliases)}, counted.{quote('n')} "
            f"FROM ({sql}) AS counted",
            params,
        )
        return cursor.rowcount


def counts_rebuild(
    version_id: int | None = None,
    *,
    answer_model: type[models.Model] = Answer,
    response_model: type[models.Model] = Response,
    answer_count_model: type[models.Model] = AnswerCount,
    response_count_model: type[models.Model] = ResponseCount,
) -> tuple[int, int]:
    """Recount both tables (only the rows of ``version_id`` when given) from the stored responses and answers, in the
    caller's transaction, by two ``INSERT … SELECT … GROUP BY`` in the database. Returns the numbers of answer-count
    and response-count rows written. The model arguments let the migration pass its historical models."""
    zone = timezone.get_default_timezone()
    answer_counts = answer_count_model._default_manager.all()
    response_counts = response_count_model._default_manager.all()
    answers = answer_model._default_manager.exclude(choice_value="")
    responses = response_model._default_manager.all()
    if version_id is not None:
        answer_counts = answer_counts.filter(version_id=version_id)
        response_counts = response_counts.filter(version_id=version_id)
        answers = answers.filter(response__version_id=version_id)
        responses = responses.filter(version_id=version_id)
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        tables = ", ".join(quote(m._meta.db_table) for m in (answer_count_model, response_count_model))
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
    answer_counts.delete()
    response_counts.delete()
    grouped_answers = (
        answers.values(
            c_questionnaire=F("response__questionnaire_id"),
            c_version=F("response__version_id"),
            c_question=F("question_id"),
            c_value=F("choice_value"),
            c_unit=F("response__unit_id"),
            c_channel=F("response__channel"),
            c_group=F("response__respondent_group"),
            c_month=TruncMonth("response__submitted_at", output_field=DateField(), tzinfo=zone),
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    grouped_responses = (
        responses.values(
            c_questionnaire=F("questionnaire_id"),
            c_version=F("version_id"),
            c_unit=F("unit_id"),
            c_channel=F("channel"),
            c_group=F("respondent_group"),
            c_day=TruncDate("submitted_at", tzinfo=zone),
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    written_answers = _insert_select(
        answer_count_model._meta.db_table,
        ANSWER_KEY,
        ("c_questionnaire", "c_version", "c_question", "c_value", "c_unit", "c_channel", "c_group", "c_month"),
        grouped_answers,
    )
    written_responses = _insert_select(
        response_count_model._meta.db_table,
        RESPONSE_KEY,
        ("c_questionnaire", "c_version", "c_unit", "c_channel", "c_group", "c_day"),
        grouped_responses,
    )
    return written_answers, written_responses
