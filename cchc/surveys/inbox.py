"""Responses from the public links: accepted with one statement, stored in batches (``PendingResponse``).

A public form is answered by people in a queue at a counter; what they wait for is the thank-you page, not the
results. So the public form does only what must happen before it says thank you — the throttling, the signed form
token (its link, its version, the time it was opened, its idempotency key), every check of the answers against the
version (in memory: :func:`collection.published_form`) — and then writes one row with :func:`response_accept`: one
``INSERT … SELECT`` that also checks, in the same statement, that the link is still open, that the version is still the
published one and that the dossier was not rated yet. The row holds the answers as posted; its idempotency key is
unique, so the same form sent twice (a double click, a resent page) is one row.

:func:`inbox_process` turns the rows into responses, answers and counts, a batch per transaction, and deletes them in
that transaction: a run that dies half-way stores nothing of its batch, and the next run takes the same rows again.
Rows are taken with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL), so several runs at once never take the same
row. Each row is checked again against its version (the same function, the same result: a published version never
changes); a row whose key is already a stored response (a form resent after its first copy was stored) is dropped;
a row that cannot be stored — its dossier rated meanwhile through another path — keeps its answers and gets the
reason in ``error``, and is not taken again: nothing accepted is lost.

Who runs it: the public form queues :func:`process_pending_job` (django-tasks, the ``cchc db_worker`` processes) at
most once per ``SURVEY_INBOX_DELAY_SECONDS`` per server process, to run that many seconds later, so every row accepted
in between is stored by it; ``cchc process_survey_inbox`` does the same from the command line (``--loop`` to keep
running). The results and collection pages say how many accepted responses are still waiting
(:func:`waiting`).
"""

from __future__ import annotations

import datetime
import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from cchc.lib.errors import ServiceError

from .collection import (
    VersionForm,
    answers_of,
    duplicate_dossier_message,
    submission_clean,
    version_form,
)
from .counts import counts_add_many
from .models import (
    Answer,
    CollectionPoint,
    PendingResponse,
    QuestionnaireVersion,
    Response,
    ResponseKey,
    VersionState,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass(frozen=True)
class Acceptance:
    """One checked public submission, as the form token and the request give it."""

    point_id: int
    token: str
    version_id: int
    answers: Mapping[int, Sequence[str]]
    dossier_code: str = ""
    started_at: datetime.datetime | None = None
    fingerprint: str = ""
    idempotency_key: str = ""


def _accept_sql(with_dossier: bool, asynchronous: bool = False) -> str:
    quote = connection.ops.quote_name
    pending, point, version, keys = (
        quote(model._meta.db_table) for model in (PendingResponse, CollectionPoint, QuestionnaireVersion, ResponseKey)
    )
    postgresql = connection.vendor == "postgresql"
    answers = "%s::jsonb" if postgresql else "%s"
    # Typed on PostgreSQL so that the prepared statement may take every parameter as text (``_execute_prepared``).
    moment = "%s::timestamptz" if postgresql else "%s"
    columns = (
        "questionnaire_id",
        "version_id",
        "collection_point_id",
        "answers",
        "dossier_code",
        "started_at",
        "received_at",
        "fingerprint",
        "idempotency_key",
        "error",
    )
    # A form whose first copy is stored already (sent again after the job ran) is not accepted twice. The stored
    # responses' keys are read from their one key table, not from each year's partition (decision 26).
    unstored = f" AND NOT EXISTS (SELECT 1 FROM {keys} s WHERE s.idempotency_key = %s AND s.idempotency_key <> '')"  # noqa: S608
    unrated = (
        f" AND NOT EXISTS (SELECT 1 FROM {keys} r WHERE r.questionnaire_id = p.questionnaire_id"  # noqa: S608
        " AND r.dossier_code = %s AND r.dossier_code <> '')"
        if with_dossier
        else ""
    )
    # PostgreSQL, outside a transaction: the statement is its own transaction, and a setting made local to it
    # (``set_config(…, true)``) lasts until that transaction's commit — so the commit does not wait for its WAL
    # flush (docs/decisions.md §37). The one-row sub-select in FROM is run once, before the row is written.
    commit = ", (SELECT set_config('synchronous_commit', 'off', true)) AS c" if asynchronous else ""
    return (
        f"INSERT INTO {pending} ({', '.join(map(quote, columns))}) "  # noqa: S608 - our own names
        f"SELECT p.questionnaire_id, v.id, p.id, {answers}, %s, {moment}, {moment}, %s, %s, '' "
        f"FROM {point} p JOIN {version} v ON v.questionnaire_id = p.questionnaire_id{commit} "
        "WHERE p.id = %s AND p.token = %s AND p.active AND (p.opens_on IS NULL OR p.opens_on <= %s) "
        "AND (p.closes_on IS NULL OR p.closes_on >= %s) AND v.id = %s AND v.state = %s"
        f"{unstored}{unrated} ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
    )


_statements: dict[tuple[str, bool, bool], str] = {}


def response_accept(acceptance: Acceptance, *, today: datetime.date | None = None) -> bool | None:
    """Write one accepted response to the inbox, in one statement, if its link is open, its version still the
    published one and its dossier (when it has one) not yet rated. Returns True when the row was written, False when
    a row with the same idempotency key was accepted before (the same form sent again), None when the link or the
    version refuses it now (the caller finds out why). Raises :class:`ServiceError` (``duplicate``) when the dossier
    has a pending rating already. The answers must have been checked (:func:`collection.submission_clean`)."""
    # Outside a transaction on PostgreSQL (the public form's path) the statement is prepared and, unless
    # SURVEY_ASYNC_ACCEPT is off, committed without waiting for the WAL flush; inside one (tests, a caller's
    # transaction) it is sent as it is and the caller's transaction decides how it commits.
    db = connections[DEFAULT_DB_ALIAS]  # looked up once: each use of the ``connection`` proxy is a context lookup
    in_atomic_block = db.in_atomic_block
    quick = db.vendor == "postgresql" and not in_atomic_block
    asynchronous = quick and settings.SURVEY_ASYNC_ACCEPT
    key = (db.vendor, bool(acceptance.dossier_code), asynchronous)
    sql = _statements.get(key)
    if sql is None:
        sql = _statements[key] = _accept_sql(bool(acceptance.dossier_code), asynchronous)
    today = today or timezone.localdate()
    ops = db.ops
    day = ops.adapt_datefield_value(today)
    params: list[Any] = [
        json.dumps({str(pk): list(values) for pk, values in acceptance.answers.items()}, ensure_ascii=False),
        acceptance.dossier_code,
        ops.adapt_datetimefield_value(acceptance.started_at),
        ops.adapt_datetimefield_value(timezone.now()),
        acceptance.fingerprint[:64],
        acceptance.idempotency_key[:64],
        acceptance.point_id,
        acceptance.token[:64],
        day,
        day,
        acceptance.version_id,
        VersionState.PUBLISHED.value,
        acceptance.idempotency_key[:64],
    ]
    if acceptance.dossier_code:
        params.append(acceptance.dossier_code)
    try:
        # Inside a transaction (tests, ATOMIC_REQUESTS) a refused row must not break it: a savepoint then. Outside
        # one the statement is its own transaction, one round trip.
        if in_atomic_block:
            with transaction.atomic(), db.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
        elif quick and settings.SURVEY_PREPARED_ACCEPT:
            row = _execute_prepared(db, sql, params)
        else:
            with db.cursor() as cursor:
                cursor.execute(sql, params)
                row = cursor.fetchone()
    except IntegrityError:
        # The only other unique key: the dossier has a rating waiting in the inbox.
        raise ServiceError(duplicate_dossier_message(), code="duplicate", field="dossier_code") from None
    if row is not None:
        return True
    if already_accepted(acceptance.idempotency_key):
        return False
    return None


# Statements prepared on a connection by :func:`_execute_prepared`: their names by SQL, and, per connection (on the
# psycopg connection object, which lives as long as its session), the names already prepared there.
_prepared_names: dict[str, bytes] = {}
_PREPARED_ON = "_cchc_survey_prepared"
_UNDEFINED_STATEMENT = b"26000"  # invalid_sql_statement_name: not prepared in this session (a new one)


def _text(value: Any) -> bytes | None:
    """A parameter in PostgreSQL's text format (the statement says each one's type)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat().encode()
    return str(value).encode()


def _execute_prepared(db: BaseDatabaseWrapper, sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    """Run the acceptance on PostgreSQL, outside a transaction, as a statement the connection prepared once (planned
    once per connection instead of at every submission), sent by libpq itself (``PQexecPrepared`` through psycopg's
    ``pgconn``: none of a cursor's Python per statement — its query conversion, its adapters, its preparation cache —
    about 50 µs of CPU per submission) and without the kept connection's health check (a ``SELECT 1``, one more round
    trip per request). Every parameter is sent as text for the type the statement gives it. A connection in a
    transaction, or found broken by the statement itself, takes Django's usual path (the broken one closed first and
    the statement sent on a new one). Sending it twice is harmless: its idempotency key makes the second copy a
    no-op, which the caller reads as "accepted before". Raises Django's :class:`IntegrityError` for a unique key."""
    from psycopg import errors, pq  # only with the PostgreSQL backend

    db.ensure_connection()
    raw = db.connection
    pgconn = raw.pgconn
    if pgconn.transaction_status == pq.TransactionStatus.IDLE:
        name = _prepared_names.get(sql)
        if name is None:
            name = _prepared_names.setdefault(sql, f"cchc_survey_accept_{len(_prepared_names)}".encode())
        prepared: set[bytes] | None = getattr(raw, _PREPARED_ON, None)
        if prepared is None:
            prepared = set()
            setattr(raw, _PREPARED_ON, prepared)
        values = [_text(value) for value in params]
        try:
            for _attempt in range(2):
                if name not in prepared:
                    result = pgconn.prepare(name, _numbered(sql).encode())
                    if pgconn.status != pq.ConnStatus.OK:
                        break
                    _check(db, result, raw)
                    prepared.add(name)
                result = pgconn.exec_prepared(name, values)
                if result.status == pq.ExecStatus.TUPLES_OK:
                    return (int(result.get_value(0, 0)),) if result.ntuples else None
                if pgconn.status != pq.ConnStatus.OK:
                    break
                if result.error_field(pq.DiagnosticField.SQLSTATE) != _UNDEFINED_STATEMENT:
                    _check(db, result, raw)
                prepared.discard(name)  # a new session under the same connection object: prepared again
        except (errors.OperationalError, errors.InterfaceError):
            if pgconn.status == pq.ConnStatus.OK:
                with db.wrap_database_errors:
                    raise
        if pgconn.status != pq.ConnStatus.OK:
            db.close()  # found broken by the statement: sent once more on a new connection
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _check(db: BaseDatabaseWrapper, result: Any, raw: Any) -> None:
    """Raise the error of a failed ``result`` as Django raises database errors (``IntegrityError`` for a key)."""
    from psycopg import errors, pq

    if result.status in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
        return
    error = errors.error_from_result(result, encoding=raw.info.encoding)
    with db.wrap_database_errors:
        raise error


def _numbered(sql: str) -> str:
    """``sql`` with its ``%s`` placeholders numbered as libpq wants them (``$1``, ``$2``…); ours hold no other ``%``."""
    parts = sql.split("%s")
    return "".join(part + (f"${n}" if n < len(parts) else "") for n, part in enumerate(parts, start=1))


def already_accepted(idempotency_key: str) -> bool:
    """Whether a form with this idempotency key was accepted already (waiting in the inbox or stored)."""
    key = idempotency_key[:64]
    if not key:
        return False
    return (
        PendingResponse.objects.filter(idempotency_key=key).exists()
        # The keys of the stored responses: one index, whatever the years of the responses' partitions (decision 26).
        or ResponseKey.objects.filter(idempotency_key=key).exists()
    )


def dossier_rated(questionnaire_id: int, dossier_code: str) -> bool:
    """Whether the dossier has a rating for the questionnaire, stored or waiting in the inbox."""
    if not dossier_code:
        return False
    return (
        ResponseKey.objects.filter(questionnaire_id=questionnaire_id, dossier_code=dossier_code).exists()
        or PendingResponse.objects.filter(questionnaire_id=questionnaire_id, dossier_code=dossier_code).exists()
    )


# ---------------------------------------------------------------------------
# Storing the accepted responses


@dataclass
class ProcessResult:
    stored: int = 0
    duplicates: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: ProcessResult) -> None:
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.failed += other.failed
        self.errors += other.errors


def inbox_process(*, batch_size: int = BATCH_SIZE, max_batches: int | None = None) -> ProcessResult:
    """Store the accepted responses waiting in the inbox, ``batch_size`` rows per transaction, until none is left
    (or ``max_batches`` batches are done). Safe to run several times at once and to stop at any moment."""
    result = ProcessResult()
    batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            rows = list(
                PendingResponse.objects.select_for_update(skip_locked=True).filter(error="").order_by("pk")[:batch_size]
            )
            if not rows:
                break
            result.add(_store_batch(rows))
        batches += 1
        if len(rows) < batch_size:
            break
    return result


@dataclass
class _Prepared:
    row: PendingResponse
    response: Response
    answers: list[Answer]


def _store_batch(rows: list[PendingResponse]) -> ProcessResult:
    """Store ``rows`` (locked by the caller's transaction) and delete them; record why a row cannot be stored."""
    result = ProcessResult()
    points = CollectionPoint.objects.in_bulk({row.collection_point_id for row in rows})
    versions = QuestionnaireVersion.objects.in_bulk({row.version_id for row in rows})
    forms: dict[int, VersionForm] = {pk: version_form(version) for pk, version in versions.items()}
    keys = [row.idempotency_key for row in rows]
    stored_keys = set(ResponseKey.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    done: list[int] = []
    failed: dict[int, str] = {}
    prepared: list[_Prepared] = []
    rated: set[tuple[int, str]] = set()
    for row in rows:
        if row.idempotency_key in stored_keys:
            done.append(row.pk)
            result.duplicates += 1
            continue
        point = points[row.collection_point_id]
        form = forms[row.version_id]
        try:
            answers = {int(pk): list(values) for pk, values in dict(row.answers).items()}
            checked = submission_clean(form, answers, drop_hidden=True)
        except (ServiceError, TypeError, ValueError) as error:
            unreadable = _("Câu trả lời đã gửi không đọc được.")
            failed[row.pk] = error.message if isinstance(error, ServiceError) else unreadable
            continue
        if checked.dossier_code:
            rated_key = (row.questionnaire_id, checked.dossier_code)
            if rated_key in rated:
                failed[row.pk] = duplicate_dossier_message()
                continue
            rated.add(rated_key)
        response = Response(
            questionnaire_id=row.questionnaire_id,
            version_id=row.version_id,
            unit_id=point.unit_id,
            collection_point_id=point.pk,
            channel=point.channel,
            counter_label=point.counter_label,
            dossier_code=checked.dossier_code,
            respondent_group=checked.respondent_group,
            started_at=row.started_at,
            submitted_at=row.received_at,
            fingerprint=row.fingerprint,
            idempotency_key=row.idempotency_key,
        )
        prepared.append(_Prepared(row, response, answers_of(response, form, checked)))
    codes = [(p.response.questionnaire_id, p.response.dossier_code) for p in prepared if p.response.dossier_code]
    if codes:
        taken = set(
            ResponseKey.objects.filter(
                questionnaire_id__in={q for q, _code in codes}, dossier_code__in={c for _q, c in codes}
            ).values_list("questionnaire_id", "dossier_code")
        )
        for item in [p for p in prepared if (p.response.questionnaire_id, p.response.dossier_code) in taken]:
            failed[item.row.pk] = duplicate_dossier_message()
            prepared.remove(item)
    if prepared:
        try:
            with transaction.atomic():
                _write(prepared)
        except IntegrityError:
            # Something stored meanwhile by another path (the same dossier, the same key): each row on its own.
            if len(prepared) == 1:
                failed[prepared[0].row.pk] = duplicate_dossier_message()
                prepared = []
            else:
                for item in prepared:
                    again = _store_batch([item.row])
                    result.add(again)
                prepared = []
        result.stored += len(prepared)
        done += [item.row.pk for item in prepared]
    PendingResponse.objects.filter(pk__in=done).delete()
    for pk, message in failed.items():
        PendingResponse.objects.filter(pk=pk).update(error=message or _("Không lưu được phiếu trả lời."))
        logger.warning("survey response %s waiting in the inbox cannot be stored: %s", pk, message)
    result.failed += len(failed)
    result.errors += list(failed.values())
    return result


def _write(prepared: list[_Prepared]) -> None:
    Response.objects.bulk_create([item.response for item in prepared])
    answers = [answer for item in prepared for answer in item.answers]
    for answer in answers:
        answer.response_id = answer.response.pk
    Answer.objects.bulk_create(answers)
    counts_add_many([(item.response, item.answers) for item in prepared])


def retry_failed() -> int:
    """Make the rows that could not be stored waiting again (once their cause is dealt with); how many."""
    return PendingResponse.objects.exclude(error="").update(error="")


# ---------------------------------------------------------------------------
# Running it


@task()
def process_pending_job() -> int:
    """Store every accepted response waiting in the inbox; the number stored."""
    return inbox_process().stored


_last_queued = 0.0
_queue_lock = threading.Lock()


def process_soon() -> None:
    """Queue :func:`process_pending_job` to run ``SURVEY_INBOX_DELAY_SECONDS`` from now, unless this process queued
    one less than that ago (that one, not run yet, will store this row too)."""
    global _last_queued
    delay = max(0, int(getattr(settings, "SURVEY_INBOX_DELAY_SECONDS", 5)))
    now = time.monotonic()
    with _queue_lock:
        # A backend that runs the job at once (``immediate``) stores the row now: nothing to wait for.
        if default_task_backend.supports_defer and _last_queued and now - _last_queued < delay:
            return
        _last_queued = now
    try:
        job = process_pending_job
        if delay and default_task_backend.supports_defer:
            job = job.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
        job.enqueue()
    except Exception:  # the response is accepted; the command or the next queued run stores it
        logger.exception("could not queue the processing of the survey inbox")


@dataclass(frozen=True)
class Waiting:
    """Accepted responses not in the figures yet: those waiting to be stored, and those that could not be."""

    pending: int
    failed: int


def waiting(rows: QuerySet[PendingResponse]) -> Waiting:
    """How many of ``rows`` (a reader's scope, ``access.get_pending_responses_for_user``) wait, in one query."""
    counted = rows.aggregate(pending=Count("pk", filter=Q(error="")), failed=Count("pk", filter=~Q(error="")))
    return Waiting(pending=counted["pending"] or 0, failed=counted["failed"] or 0)
