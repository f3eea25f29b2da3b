"""Whether this application server can do its work: its database answers and its cache stores and returns a value.

Read by the load balancer (nginx in the local stack, any balancer in a larger layout) and by ``cchc stack`` before it
says the stack is up. Each check is bounded: the database by its connection, the cache by the one-second timeouts of
the Redis client (``cchc.settings.env.cache_from_url``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

HEALTH_KEY = "cchc:health"


@dataclass(frozen=True)
class Health:
    database: bool
    cache: bool

    @property
    def ok(self) -> bool:
        return self.database and self.cache

    def as_dict(self) -> dict[str, str]:
        return {"database": "ok" if self.database else "error", "cache": "ok" if self.cache else "error"}


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure of the driver means "not healthy", never a 500
        return False


def cache_answers() -> bool:
    token = secrets.token_hex(8)
    try:
        cache.set(HEALTH_KEY, token, timeout=30)
        return cache.get(HEALTH_KEY) == token
    except Exception:  # the same for the cache client
        return False


def server_health() -> Health:
    return Health(database=database_answers(), cache=cache_answers())
