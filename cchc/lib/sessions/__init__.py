"""Sessions that a sign-in writes once, read from the cache (Redis) and kept in the database when there is a cache.

Two stores, one per ``SESSION_ENGINE``:

- ``cchc.lib.sessions`` (with ``REDIS_URL``): read from the cache and kept in the database, which still answers when
  the cache does not. Django's ``cached_db`` store already writes to the database first and logs a cache that
  refuses a write; this one also reads through a cache that cannot be reached (the session comes from the database)
  instead of failing the request. Ending a session still needs the cache: a session that only left the database
  would go on being read from the cache, so an error there is not hidden.
- ``cchc.lib.sessions.database`` (without): the database alone.

Both store the session of a sign-in with one ``INSERT`` (:class:`NewKeyStoredOnce`).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, SessionBase
from django.core.cache.backends.base import BaseCache
from django.utils.crypto import get_random_string

logger = logging.getLogger("django.contrib.sessions")


class NewKeyStoredOnce(SessionBase):
    """A session's new key (at sign-in) is stored by the save at the end of the request, not at once.

    Django's stores store a new key the moment they make it: at sign-in ``cycle_key`` asks whether the key is taken,
    inserts the session under it as it was before the sign-in, and the end of the request then writes the signed-in
    session over that row: a look-up and two writes where one ``INSERT`` does. Here ``cycle_key`` only draws the key,
    and the end of the request inserts the session under it. Nothing is looked up first: a key is 32 characters drawn
    from 36 (about 165 bits), and the table's primary key refuses one already taken, in which case another is drawn,
    as Django's ``create()`` does.
    """

    _key_to_insert = False

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self) -> None:
        data = self._get_session()  # type: ignore[attr-defined]  # not in the type stubs
        old_key = self.session_key
        self._session_key = self._get_new_session_key()
        self._session_cache = data
        self._key_to_insert = True
        self.modified = True
        if old_key:
            self.delete(old_key)

    def save(self, must_create: bool = False) -> None:
        if not self._key_to_insert or self.session_key is None or must_create:
            super().save(must_create)
            return
        self._key_to_insert = False
        try:
            super().save(must_create=True)
        except CreateError:
            self._session_key = None  # taken after all: ``create()`` draws keys until one is free
            super().save()


class SessionStore(NewKeyStoredOnce, cached_db.SessionStore):
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
