"""The counts the results read: answers per question and scale value by month, responses by day (``AnswerCount``,
``ResponseCount``).

Counting the answers themselves grows with every response (a year of a province is tens of millions of answer rows);
the counts grow only with the units, channels, respondent groups and months, so the results pages read them instead.
One answer-count row holds a question's whole scale (``n1`` … ``n5``, the values of ``scales.fixed_values`` in order),
which keeps a year of a province to a few tens of thousands of rows.

* :func:`counts_add` (:func:`counts_add_many` for a batch) adds one response to both tables in the transaction that
  stores it, with an
  ``INSERT … ON CONFLICT DO UPDATE SET n1 = n1 + excluded.n1, …`` per table (one statement on PostgreSQL: the answer
  counts in a data-modifying ``WITH`` read by the response-count upsert). The upsert is atomic on PostgreSQL and
  SQLite, so concurrent submissions about the same unit and day never lose a count; the answer-count rows are written
  in the order of their keys and the response-count row after them, so two submissions never wait for each other
  crosswise (no deadlock). ``ResponseCount.comments`` counts the free-text comments (non-empty answers to text
  questions) with the responses, so that their figures need not read the answers either.
* :func:`counts_rebuild` recounts them from the stored answers (``cchc rebuild_survey_counts``, and the migration that
  created the tables). On PostgreSQL it locks both tables against new submissions for its transaction, so a response
  arriving meanwhile is counted exactly once.

Months and days are those of the submission time in the deployment's time zone (``TIME_ZONE``), as the results filter
reads periods. Only the answers to questions on a fixed scale (satisfaction, yes/no, 0/1/2 points, A–D) are counted;
other choices, numbers, dates and texts stay on the answers.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.db.models import Count, DateField, F, Q, Value
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from .models import COMMENT_KINDS, FIXED_SCALE_KINDS, Answer, AnswerCount, Question, Response, ResponseCount
from .scales import fixed_values

ANSWER_KEY = ("questionnaire_id", "version_id", "question_id", "unit_id", "channel", "respondent_group", "month")
ANSWER_CONFLICT = ("version_id", "question_id", "unit_id", "channel", "respondent_group", "month")
RESPONSE_KEY = ("questionnaire_id", "version_id", "unit_id", "channel", "respondent_group", "day")
RESPONSE_CONFLICT = ("version_id", "unit_id", "channel", "respondent_group", "day")
SLOTS = ("n1", "n2", "n3", "n4", "n5")
ANSWER_ALIASES = tuple(f"c_{slot}" for slot in SLOTS)
RESPONSE_SLOTS = ("count", "comments")
# Each fixed scale's values → their column.
SCALE_SLOTS: dict[str, dict[str, str]] = {
    kind: dict(zip(fixed_values(kind) or (), SLOTS, strict=False)) for kind in FIXED_SCALE_KINDS
}


def local_day(moment: datetime.datetime) -> datetime.date:
    """The date of ``moment`` in the deployment's time zone (that of the counts)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _upsert(
    table: str, columns: tuple[str, ...], conflict: tuple[str, ...], slots: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> tuple[str, list[Any]]:
    """``INSERT … VALUES … ON CONFLICT DO UPDATE`` adding ``slots`` of ``rows`` to the rows already there, and its
    parameters."""
    quote = connection.ops.quote_name
    placeholders = "(" + ", ".join(["%s"] * (len(columns) + len(slots))) + ")"
    added = ", ".join(f"{quote(slot)} = {quote(table)}.{quote(slot)} + excluded.{quote(slot)}" for slot in slots)
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns + slots))}) "  # noqa: S608 - our own names
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({', '.join(map(quote, conflict))}) DO UPDATE SET {added}"
    )
    return sql, [value for row in rows for value in row]


def _counted_kinds(answers: list[Answer]) -> dict[int, str]:
    """The kind of each question answered (read with the answers when the caller built them with their question)."""
    question_field = Answer._meta.get_field("question")
    kinds = {answer.question_id: answer.question.kind for answer in answers if question_field.is_cached(answer)}
    missing = {answer.question_id for answer in answers} - set(kinds)
    if missing:
        kinds.update(Question.objects.filter(pk__in=missing).values_list("pk", "kind"))
    return kinds


def counts_add(response: Response, answers: Iterable[Answer]) -> None:
    """Add ``response`` and its ``answers`` (just stored) to the counts, in the caller's transaction: one statement
    on PostgreSQL, two elsewhere."""
    counts_add_many([(response, answers)])


# Rows per upsert statement when a batch of responses is counted (SQLite allows 32,766 parameters in a statement).
UPSERT_ROWS = 1000


def counts_add_many(items: Iterable[tuple[Response, Iterable[Answer]]]) -> None:
    """Add each response and its answers (just stored) to the counts, in the caller's transaction: the rows of every
    response summed first, so a batch of responses about the same units and months costs the same statements as one
    (one on PostgreSQL when both tables' rows fit in one statement each)."""
    pairs = [(response, [a for a in answers if a.choice_value or a.text_value]) for response, answers in items]
    kinds = _counted_kinds([answer for _response, answers in pairs for answer in answers])
    answer_rows: dict[tuple[Any, ...], list[int]] = {}
    response_rows: dict[tuple[Any, ...], list[int]] = {}
    for response, answers in pairs:
        day = local_day(response.submitted_at)
        month = connection.ops.adapt_datefield_value(day.replace(day=1))
        common = (response.unit_id, response.channel, response.respondent_group)
        comments = 0
        for answer in answers:
            kind = kinds[answer.question_id]
            if answer.text_value and kind in COMMENT_KINDS:
                comments += 1
            slot = SCALE_SLOTS.get(kind, {}).get(answer.choice_value)
            if slot is not None:
                key = (response.version_id, answer.question_id, *common, month, response.questionnaire_id)
                answer_rows.setdefault(key, [0] * len(SLOTS))[SLOTS.index(slot)] += 1
        day_key = (response.version_id, *common, connection.ops.adapt_datefield_value(day), response.questionnaire_id)
        summed = response_rows.setdefault(day_key, [0, 0])
        summed[0] += 1
        summed[1] += comments
    # Every writer takes its rows in the order of their conflict keys, answer counts before response counts, so two
    # never wait for each other crosswise (no deadlock).
    answers_sorted = [
        (questionnaire, version, question, unit, channel, group, month, *slots)
        for (version, question, unit, channel, group, month, questionnaire), slots in sorted(answer_rows.items())
    ]
    responses_sorted = [
        (questionnaire, version, unit, channel, group, day, *slots)
        for (version, unit, channel, group, day, questionnaire), slots in sorted(response_rows.items())
    ]
    statements = [
        _upsert(AnswerCount._meta.db_table, ANSWER_KEY, ANSWER_CONFLICT, SLOTS, answers_sorted[i : i + UPSERT_ROWS])
        for i in range(0, len(answers_sorted), UPSERT_ROWS)
    ] + [
        _upsert(
            ResponseCount._meta.db_table,
            RESPONSE_KEY,
            RESPONSE_CONFLICT,
            RESPONSE_SLOTS,
            responses_sorted[i : i + UPSERT_ROWS],
        )
        for i in range(0, len(responses_sorted), UPSERT_ROWS)
    ]
    if len(statements) == 2 and answers_sorted and connection.vendor == "postgresql":
        statements = [_answers_then_response(*statements)]
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def _answers_then_response(answers: tuple[str, list[Any]], responses: tuple[str, list[Any]]) -> tuple[str, list[Any]]:
    """Both upserts as one statement (PostgreSQL): the answer counts in a data-modifying ``WITH``, read to the end
    by the response-count upsert (a sub-select evaluated before its row) so that they are written first."""
    answers_sql, answers_params = answers
    responses_sql, responses_params = responses
    head, values = responses_sql.split(" VALUES (%s", 1)
    written_first = "(SELECT count(*) FROM answered)"
    sql = f"WITH answered AS ({answers_sql} RETURNING 1) {head} VALUES (%s + 0 * {written_first}{values}"
    return sql, answers_params + responses_params


def _insert_select(table: str, columns: tuple[str, ...], aliases: tuple[str, ...], query: models.QuerySet) -> int:
    sql, params = query.query.sql_with_params()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "  # noqa: S608 - our own names
            f"SELECT {', '.join(f'counted.{quote(alias)}' for alias in aliases)} FROM ({sql}) AS counted",
            params,
        )
        return cursor.rowcount


def _slot_condition(slot: str) -> Q:
    """The answers counted in the column ``slot``: the value of each scale that the column holds."""
    conditions = [
        Q(question__kind=kind, choice_value=value)
        for kind, slots in SCALE_SLOTS.items()
        for value, named in slots.items()
        if named == slot
    ]
    return functools.reduce(operator.or_, conditions)


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
    answers = answer_model._default_manager.filter(question__kind__in=FIXED_SCALE_KINDS).exclude(choice_value="")
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
            # Group the answers in memory rather than in batches on disk (this transaction only).
            cursor.execute("SET LOCAL work_mem = '256MB'")
    answer_counts.delete()
    response_counts.delete()
    grouped_answers = (
        answers.values(
            c_questionnaire=F("response__questionnaire_id"),
            c_version=F("response__version_id"),
            c_question=F("question_id"),
            c_unit=F("response__unit_id"),
            c_channel=F("response__channel"),
            c_group=F("response__respondent_group"),
            c_month=TruncMonth("response__submitted_at", output_field=DateField(), tzinfo=zone),
        )
        .annotate(**{f"c_{slot}": Count("pk", filter=_slot_condition(slot)) for slot in SLOTS})
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
        .annotate(c_count=Count("pk"), c_comments=Value(0))
        .order_by()
    )
    # The migration that created the counts passes a response-count model from before its comment column.
    with_comments = any(f.name == "comments" for f in response_count_model._meta.fields)
    written_answers = _insert_select(
        answer_count_model._meta.db_table,
        ANSWER_KEY + SLOTS,
        ("c_questionnaire", "c_version", "c_question", "c_unit", "c_channel", "c_group", "c_month", *ANSWER_ALIASES),
        grouped_answers,
    )
    slots = RESPONSE_SLOTS if with_comments else RESPONSE_SLOTS[:1]
    written_responses = _insert_select(
        response_count_model._meta.db_table,
        RESPONSE_KEY + slots,
        ("c_questionnaire", "c_version", "c_unit", "c_channel", "c_group", "c_day", "c_count", "c_comments")[
            : len(RESPONSE_KEY) + len(slots)
        ],
        grouped_responses,
    )
    if with_comments:
        comments_recount(version_id, answer_model=answer_model, response_count_model=response_count_model)
    return written_answers, written_responses


def comments_recount(
    version_id: int | None = None,
    *,
    answer_model: type[models.Model] = Answer,
    response_count_model: type[models.Model] = ResponseCount,
) -> None:
    """Set the comment column of the response counts (of ``version_id`` when given) from the stored text answers, by
    one ``UPDATE … FROM (… GROUP BY …)``; the response counts must be complete. The text questions are listed first,
    so the database reads the few text answers by the question index."""
    zone = timezone.get_default_timezone()
    question_model = answer_model._meta.get_field("question").related_model
    texts = list(question_model._default_manager.filter(kind__in=COMMENT_KINDS).values_list("pk", flat=True))  # type: ignore[union-attr]
    if not texts:
        return
    comments = answer_model._default_manager.filter(question_id__in=texts).exclude(text_value="")
    if version_id is not None:
        comments = comments.filter(response__version_id=version_id)
    grouped = (
        comments.values(
            c_version=F("response__version_id"),
            c_unit=F("response__unit_id"),
            c_channel=F("response__channel"),
            c_group=F("response__respondent_group"),
            c_day=TruncDate("response__submitted_at", tzinfo=zone),
        )
        .annotate(c_comments=Count("pk"))
        .order_by()
    )
    table = response_count_model._meta.db_table
    sql, params = grouped.query.sql_with_params()
    quote = connection.ops.quote_name
    pairs = zip(RESPONSE_CONFLICT, ("c_version", "c_unit", "c_channel", "c_group", "c_day"), strict=True)
    matched = " AND ".join(f"{quote(table)}.{quote(column)} = counted.{quote(alias)}" for column, alias in pairs)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} SET {quote('comments')} = counted.{quote('c_comments')} "  # noqa: S608
            f"FROM ({sql}) AS counted WHERE {matched}",
            params,
        )
