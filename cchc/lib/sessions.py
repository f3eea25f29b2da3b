"""Sessions read from the cache (Redis) and kept in the database, which still answers when the cache does not.

Django's ``cached_db`` store already writes to the database first and logs a cache that refuses a write; this one
also reads through a cache that cannot be reached (the session comes from the database) instead of failing the
request. Ending a session still needs the cache: a session that only left the database would go on being read
from the cache, so an error there is not hidden.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db
from django.core.cache.backends.base import BaseCache

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    _cache: BaseCache  # set by Django's store; not in its type stubs

    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("Session cache unavailable (%s); reading the session from the database", self._cache)
            data = None
        if data is not None:
            return data  # type: ignore[no-any-return]
        stored = self._get_session_from_db()  # type: ignore[attr-defined]
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            logger.warning("Session cache unavailable (%s); the session was not cached", self._cache)
        return data  # type: ignore[no-any-return]

    def exists(self, session_key: str) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("Session cache unavailable (%s); looking in the database", self._cache)
        return bool(super(cached_db.SessionStore, self).exists(session_key))
