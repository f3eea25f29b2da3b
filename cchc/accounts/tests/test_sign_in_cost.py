"""What one sign-in costs, and what it still does at that cost.

Besides the password check, a sign-in counts the failures of the account and of the address (one query), reads the
person, writes the time of the sign-in and its access log entry in one transaction, and stores the new session with
one ``INSERT`` at the end of the request (and one write to Redis when sessions are kept there). The time of the
sign-in moves no version of the accounts' data, so the cached roles and sections of everybody else stay.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.lib.sessions.database import SessionStore as DatabaseSessionStore
from cchc.testing.personas import PASSWORD, Personas

from .test_sessions_and_hashing import REDIS_URL, _redis_listening

LOGIN = "/accounts/login/"


def _sign_in(client: Client, username: str = "daumoi_a", password: str = PASSWORD, ip: str = "10.0.8.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _opened_login_page() -> Client:
    """A browser that has opened the login page (its CSRF cookie set, no session yet)."""
    client = Client()
    assert client.get(LOGIN).status_code == 200
    return client


def _heads(queries: CaptureQueriesContext) -> list[str]:
    heads = [" ".join(query["sql"].split()[:3]).upper() for query in queries.captured_queries]
    return ["BEGIN" if sql.startswith("BEGIN") else sql for sql in heads]  # SQLite: BEGIN IMMEDIATE


@pytest.mark.django_db(transaction=True)  # real transactions: the statements as a server runs them
def test_a_sign_in_runs_nine_statements(personas: Personas) -> None:
    _sign_in(_opened_login_page())  # the first of the process: nothing left to read once
    client = _opened_login_page()
    with CaptureQueriesContext(connection) as queries:
        response = _sign_in(client)
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:home")
    assert _heads(queries) == [
        'SELECT SUM("AXES_ACCESSATTEMPT"."FAILURES_SINCE_START") FILTER',  # the account's and the address's failures
        'SELECT "ACCOUNTS_USER"."ID", "ACCOUNTS_USER"."PASSWORD",',  # the person, for the password check
        "BEGIN",
        'UPDATE "ACCOUNTS_USER" SET',  # the time of the sign-in, shown on the person's page
        'INSERT INTO "AXES_ACCESSLOG"',  # who signed in, when, from where
        "COMMIT",
        "BEGIN",
        'INSERT INTO "DJANGO_SESSION"',  # the session, once, at the end of the request
        "COMMIT",
    ], _heads(queries)
    sqls = [query["sql"] for query in queries.captured_queries]
    assert '"last_login"' in sqls[3] and '"password"' not in sqls[3].split("WHERE")[0]
    assert '"username" = ' in sqls[0] and '"ip_address" = ' in sqls[0]
    assert client.get(reverse("dashboards:home")).status_code == 200  # the session stored is the signed-in one


def test_a_sign_in_writes_its_session_once_and_nothing_else_of_the_sessions(personas: Personas) -> None:
    client = _opened_login_page()
    with CaptureQueriesContext(connection) as queries:
        assert _sign_in(client).status_code == 302
    sessions = [query["sql"] for query in queries.captured_queries if '"django_session"' in query["sql"]]
    assert len(sessions) == 1 and sessions[0].startswith('INSERT INTO "django_session"')
    [stored] = Session.objects.all()
    assert stored.session_key == client.cookies[settings.SESSION_COOKIE_NAME].value
    assert stored.get_decoded()["_auth_user_id"] == str(personas.focal_a.pk)


def test_a_sign_in_moves_no_version_of_the_accounts_data(personas: Personas) -> None:
    from cchc.lib import page_cache

    before = page_cache.versions(["accounts"])
    assert _sign_in(_opened_login_page()).status_code == 302
    assert page_cache.versions(["accounts"]) == before


def test_a_sign_in_without_failures_deletes_no_attempt_and_one_with_failures_clears_only_its_own(
    personas: Personas,
) -> None:
    _sign_in(Client(), "daumoi_b", "sai-mat-khau", ip="10.0.8.2")
    with CaptureQueriesContext(connection) as queries:
        assert _sign_in(_opened_login_page()).status_code == 302
    attempts = [query["sql"] for query in queries.captured_queries if '"axes_accessattempt"' in query["sql"]]
    assert len(attempts) == 1 and attempts[0].startswith("SELECT SUM(")  # the count; no sweep, no delete
    _sign_in(Client(), "daumoi_a", "sai-mat-khau", ip="10.0.8.3")
    assert _sign_in(_opened_login_page()).status_code == 302
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["daumoi_b"]
    assert list(AccessLog.objects.values_list("username", "ip_address")) == [("daumoi_a", "10.0.8.1")] * 2


def test_a_changed_password_moves_the_session_to_a_new_key_and_the_old_one_ends(personas: Personas) -> None:
    client = _opened_login_page()
    assert _sign_in(client).status_code == 302
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    new_password = "Mat-khau-moi-cua-toi-2026"
    answer = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert answer.status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key and list(Session.objects.values_list("session_key", flat=True)) == [new_key]
    assert client.get(reverse("accounts:profile")).status_code == 200
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert replay.get(reverse("accounts:profile")).status_code == 302


def test_a_new_key_already_taken_is_drawn_again_and_nothing_is_overwritten(personas: Personas) -> None:
    taken = DatabaseSessionStore()
    taken["owner"] = "someone else"
    taken.create()

    class FirstDrawTaken(DatabaseSessionStore):
        draws = iter([taken.session_key])

        def _get_new_session_key(self) -> str:
            return next(self.draws, None) or super()._get_new_session_key()

    session = FirstDrawTaken()
    session.cycle_key()
    session["mine"] = True
    session.save()
    assert session.session_key not in (None, taken.session_key)
    assert DatabaseSessionStore(taken.session_key).load() == {"owner": "someone else"}
    assert FirstDrawTaken(session.session_key).load() == {"mine": True}  # (the class's name signs the data)


# ---------------------------------------------------------------------------
# With sessions in Redis: one write there too


class CountingRedisCache(RedisCache):
    """Django's Redis cache, counting what the sessions ask of it."""

    calls: list[str] = []

    def get(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append("get")
        return super().get(*args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append("set")
        super().set(*args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        self.calls.append("has_key")
        return super().has_key(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        self.calls.append("delete")
        return super().delete(*args, **kwargs)


@pytest.fixture
def counted_redis_sessions() -> Iterator[list[str]]:
    if not _redis_listening():
        pytest.skip("no Redis server on 127.0.0.1:6379")
    backend = f"{CountingRedisCache.__module__}.{CountingRedisCache.__qualname__}"
    cache = {"BACKEND": backend, "LOCATION": REDIS_URL, "KEY_PREFIX": f"cchc-test-{secrets.token_hex(6)}"}
    with override_settings(CACHES={"default": cache}, SESSION_ENGINE="cchc.lib.sessions"):
        CountingRedisCache.calls = []
        yield CountingRedisCache.calls
        caches["default"].clear()  # only this test's keys: they carry its own prefix


def test_with_redis_a_sign_in_writes_its_session_once_there_and_once_in_the_database(
    personas: Personas, counted_redis_sessions: list[str]
) -> None:
    client = _opened_login_page()
    counted_redis_sessions.clear()
    with CaptureQueriesContext(connection) as queries:
        assert _sign_in(client).status_code == 302
    assert counted_redis_sessions == ["set"]
    sessions = [query["sql"] for query in queries.captured_queries if '"django_session"' in query["sql"]]
    assert len(sessions) == 1 and sessions[0].startswith('INSERT INTO "django_session"')
    counted_redis_sessions.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:profile")).status_code == 200
    assert counted_redis_sessions[0] == "get"  # the next page reads it from Redis …
    assert not [query for query in queries.captured_queries if '"django_session"' in query["sql"]]  # … not the table
