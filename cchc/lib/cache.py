"""Django's Redis cache, with one Redis client per connection pool instead of a new one for every operation.

Django's ``RedisCacheClient.get_client`` builds a ``redis.Redis`` object (and its table of some 170 reply parsers)
for each ``get`` or ``set``: about a tenth of a millisecond of CPU each, paid several times by every signed-in page
(its session, its roles, its cached sections). A ``redis.Redis`` object is safe to share between threads (each
command takes a connection from the pool), so one per pool is kept.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class _RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # not in the type stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _RedisCacheClient
