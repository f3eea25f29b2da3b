"""Sessions written only when they change, kept in Redis when configured, and password hashes brought up to the
current Argon2 parameters when their owner signs in."""

from __future__ import annotations

import datetime
import secrets
import socket
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoDefaultArgon2
from django.contrib.auth.hashers import identify_hasher
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.hashers import Argon2PasswordHasher
from cchc.accounts.models import User
from cchc.testing.personas import PASSWORD, Personas

LOGIN = "/accounts/login/"
REDIS_URL = "redis://127.0.0.1:6379/0"


def _signed_in(username: str = "daumoi_a") -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _session_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(('UPDATE "django_session"', 'INSERT INTO "django_session"'))
    ]


def _expiry(client: Client) -> datetime.datetime:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).expire_date


# ---------------------------------------------------------------------------
# A session is written when it changes, and its idle deadline moves on at most once a minute


def test_pages_seen_within_a_minute_do_not_write_the_session(personas: Personas) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = _signed_in()
        assert client.get(reverse("accounts:profile")).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            for _page in range(5):
                assert client.get(reverse("accounts:profile")).status_code == 200
    assert _session_writes(queries) == []


def test_activity_after_a_minute_moves_the_idle_deadline_on(personas: Personas) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = _signed_in()
        client.get(reverse("accounts:profile"))
    first = _expiry(client)
    later = start + datetime.timedelta(seconds=settings.SESSION_REFRESH_SECONDS + 1)
    with time_machine.travel(later, tick=False), CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:profile")).status_code == 200
    assert len(_session_writes(queries)) == 1
    assert _expiry(client) == first + datetime.timedelta(seconds=settings.SESSION_REFRESH_SECONDS + 1)


def test_anonymous_pages_store_no_session(db: None) -> None:
    client = Client()
    for _page in range(3):
        assert client.get(LOGIN).status_code == 200
    assert not Session.objects.exists()


def test_signing_out_leaves_no_session_behind(personas: Personas) -> None:
    client = _signed_in()
    client.get(reverse("accounts:profile"))
    client.post(reverse("accounts:logout"))
    client.get(LOGIN)
    assert not Session.objects.exists()


# ---------------------------------------------------------------------------
# Sessions in Redis, with the database behind it


def _redis_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def _redis_settings(location: str) -> override_settings:
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": location,
                "KEY_PREFIX": f"cchc-test-{secrets.token_hex(6)}",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        },
        SESSION_ENGINE="cchc.lib.sessions",
    )


@pytest.fixture
def redis_sessions() -> Iterator[None]:
    if not _redis_listening():
        pytest.skip("no Redis server on 127.0.0.1:6379")
    with _redis_settings(REDIS_URL):
        yield
        caches["default"].clear()  # only this test's keys: they carry its own prefix


@pytest.mark.usefixtures("redis_sessions")
def test_with_redis_a_signed_in_page_reads_its_session_from_the_cache(personas: Personas) -> None:
    client = _signed_in()
    client.get(reverse("accounts:profile"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:profile")).status_code == 200
    assert not [q for q in queries.captured_queries if '"django_session"' in q["sql"]]
    assert Session.objects.count() == 1  # still kept in the database


@pytest.mark.usefixtures("redis_sessions")
def test_with_redis_signing_out_ends_the_session_everywhere(personas: Personas) -> None:
    client = _signed_in()
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get(reverse("accounts:profile")).status_code == 302
    assert not Session.objects.exists()


def test_with_redis_unreachable_people_still_sign_in_from_the_database(personas: Personas) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with _redis_settings(f"redis://127.0.0.1:{port}/0"):
        client = _signed_in()
        assert client.get(reverse("accounts:profile")).status_code == 200
        assert client.get(reverse("accounts:profile")).status_code == 200
    assert Session.objects.count() == 1


# ---------------------------------------------------------------------------
# Argon2 parameters


@pytest.mark.usefixtures("real_password_hashing")
def test_new_passwords_are_hashed_with_the_chosen_argon2_parameters(db: None) -> None:
    user = User.objects.create_user(username="moi_tao", password=PASSWORD)
    decoded = identify_hasher(user.password).decode(user.password)
    assert decoded["algorithm"] == "argon2"
    assert (decoded["memory_cost"], decoded["time_cost"], decoded["parallelism"]) == (7 * 1024, 5, 1)


@pytest.mark.usefixtures("real_password_hashing")
def test_an_older_hash_is_upgraded_when_its_owner_signs_in(personas: Personas) -> None:
    old = DjangoDefaultArgon2().encode(PASSWORD, DjangoDefaultArgon2().salt())
    User.objects.filter(pk=personas.focal_a.pk).update(password=old)
    _signed_in("daumoi_a")
    stored = User.objects.get(pk=personas.focal_a.pk).password
    assert stored != old
    hasher = Argon2PasswordHasher()
    assert not hasher.must_update(stored)
    assert hasher.verify(PASSWORD, stored)


class EarlierParameters(DjangoDefaultArgon2):
    """The parameters passwords were hashed with before (19 MiB, 2 passes, 1 lane)."""

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1


@pytest.mark.usefixtures("real_password_hashing")
def test_a_hash_of_the_earlier_parameters_still_signs_in_and_is_rewritten_with_the_new_ones(
    personas: Personas,
) -> None:
    earlier = EarlierParameters().encode(PASSWORD, EarlierParameters().salt())
    User.objects.filter(pk=personas.focal_a.pk).update(password=earlier)
    _signed_in("daumoi_a")
    stored = User.objects.get(pk=personas.focal_a.pk).password
    decoded = identify_hasher(stored).decode(stored)
    assert (decoded["memory_cost"], decoded["time_cost"], decoded["parallelism"]) == (7 * 1024, 5, 1)


@pytest.mark.usefixtures("real_password_hashing")
def test_a_wrong_password_leaves_an_older_hash_as_it_was(personas: Personas) -> None:
    old = DjangoDefaultArgon2().encode(PASSWORD, DjangoDefaultArgon2().salt())
    User.objects.filter(pk=personas.focal_a.pk).update(password=old)
    Client().post(LOGIN, {"username": "daumoi_a", "password": "sai-mat-khau"})
    assert User.objects.get(pk=personas.focal_a.pk).password == old
