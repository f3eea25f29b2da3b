"""Reads of the read-heavy pages from a PostgreSQL read replica, everything else from the primary.

Nothing reads from the replica unless it is asked to, explicitly: a view or selector declared read-heavy runs inside
:class:`use_replica` (``@use_replica()`` on the view, or ``with use_replica():``), and :class:`ReplicaRouter`
sends that block's reads to the ``replica`` database alias when all of these hold:

- a replica is configured (``DATABASE_REPLICA_URL``);
- the request is a GET or HEAD and its sender wrote nothing in the last ``DATABASE_REPLICA_STICKY_SECONDS``
  (:class:`ReplicaRoutingMiddleware` marks every other request's answer with a cookie), so people see their own
  changes at once;
- the block has not written anything itself and no transaction is open on the primary;
- the replica answered its last health check, no more than ``DATABASE_REPLICA_MAX_LAG_SECONDS`` behind.

Writes always go to the primary, and so do the sessions and the users, so that a sign-out or a disabled account
takes effect at once. A replica that stops answering in the middle of a decorated view makes the view run again on
the primary instead of failing (docs/deployment.md, "Read replica").
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from contextlib import suppress
from contextvars import ContextVar, Token
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"
# Who is signed in, and whether the session still exists, is always read from the primary.
PRIMARY_ONLY_MODELS = frozenset({"sessions.Session", "accounts.User"})
WRITE_COOKIE = "cchc_wrote"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The replica's delay behind the primary, in seconds: none when it has replayed all it has received; otherwise the
# time since the last transaction it replayed was committed (an overestimate after the primary was idle, which only
# sends reads to the primary for one check).
LAG_QUERY = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


@dataclass
class _Scope:
    """One ``use_replica`` block: the alias its reads use, decided at its first read."""

    alias: str | None = None


_scope: ContextVar[_Scope | None] = ContextVar("cchc_replica_scope", default=None)
_request_pinned: ContextVar[bool] = ContextVar("cchc_replica_request_pinned", default=False)


@dataclass
class _Health:
    """The last health check of the replica in this process (every process checks for itself)."""

    usable: bool = False
    valid_until: float = 0.0


_health = _Health()


def replica_configured() -> bool:
    return REPLICA in connections.settings


def replica_lag_seconds() -> float:
    """How far the replica is behind the primary, in seconds; raises ``DatabaseError`` when it cannot answer."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(LAG_QUERY)
        row = cursor.fetchone()
    return float(row[0]) if row is not None else 0.0


def replica_is_usable() -> bool:
    """Whether the replica answers and is within ``DATABASE_REPLICA_MAX_LAG_SECONDS``, checked at most once every
    ``DATABASE_REPLICA_CHECK_SECONDS`` per process."""
    now = time.monotonic()
    if now < _health.valid_until:
        return _health.usable
    try:
        usable = replica_lag_seconds() <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS
    except DatabaseError:
        _close_replica()
        usable = False
    _health.usable = usable
    _health.valid_until = now + settings.DATABASE_REPLICA_CHECK_SECONDS
    return usable


def forget_replica_health() -> None:
    """Check the replica again at the next read (after a failure, or in tests that stop and start it)."""
    _health.valid_until = 0.0


def _close_replica() -> None:
    with suppress(DatabaseError):
        connections[REPLICA].close()


def reading_alias(model: type[Model]) -> str:
    """The database a read of ``model`` goes to now (see the module's docstring)."""
    scope = _scope.get()
    if (
        scope is None
        or _request_pinned.get()
        or model._meta.label in PRIMARY_ONLY_MODELS
        or connections[PRIMARY].in_atomic_block
    ):
        return PRIMARY
    if scope.alias is None:
        scope.alias = REPLICA if replica_is_usable() else PRIMARY
    return scope.alias


class ReplicaRouter:
    """Django's database router: reads inside :class:`use_replica` may go to the replica; nothing else does."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if not replica_configured():
            return None
        return reading_alias(model)

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        if not replica_configured():
            return None
        scope = _scope.get()
        if scope is not None:
            scope.alias = PRIMARY  # what this block reads next may depend on what it has just written
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return False if db == REPLICA else None


_P = ParamSpec("_P")
_R = TypeVar("_R")


class use_replica:
    """Lets the reads of a read-heavy view or selector go to the replica.

    As a decorator, the function runs once more on the primary when the replica fails under it, so put it only on
    functions that write nothing (GET views of dashboards, results, report figures).
    """

    def __init__(self) -> None:
        self._tokens: list[Token[_Scope | None]] = []

    def __enter__(self) -> None:
        self._tokens.append(_scope.set(_Scope()))

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        _scope.reset(self._tokens.pop())

    def __call__(self, function: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(function)
        def read_from_replica(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            scope = _Scope()
            token = _scope.set(scope)
            try:
                return function(*args, **kwargs)
            except DatabaseError:
                if scope.alias != REPLICA:
                    raise
                _close_replica()
                _health.usable, _health.valid_until = False, time.monotonic() + settings.DATABASE_REPLICA_CHECK_SECONDS
            finally:
                _scope.reset(token)
            return function(*args, **kwargs)  # once more, on the primary

        return read_from_replica


class ReplicaRoutingMiddleware:
    """Keeps each person's reads on the primary while their own changes may not have reached the replica yet.

    A request that may write (any method but GET, HEAD and OPTIONS) reads from the primary only, and its answer
    carries a cookie with the time; the same browser's requests in the next ``DATABASE_REPLICA_STICKY_SECONDS``
    read from the primary too. The cookie is only a hint for choosing a database: forging it costs the sender
    nothing but a read from the primary.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        writes = request.method not in SAFE_METHODS
        token = _request_pinned.set(writes or _wrote_recently(request))
        try:
            response = self.get_response(request)
        finally:
            _request_pinned.reset(token)
        if writes and replica_configured():
            response.set_cookie(
                WRITE_COOKIE,
                str(int(time.time())),
                max_age=settings.DATABASE_REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def _wrote_recently(request: HttpRequest) -> bool:
    try:
        wrote_at = int(request.COOKIES.get(WRITE_COOKIE, ""))
    except ValueError:
        return False
    return 0 <= time.time() - wrote_at < settings.DATABASE_REPLICA_STICKY_SECONDS
