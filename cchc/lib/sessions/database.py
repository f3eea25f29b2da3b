"""Sessions in the database alone (``SESSION_ENGINE`` without a shared cache), a sign-in's written once."""

from __future__ import annotations

from django.contrib.sessions.backends import db

from . import NewKeyStoredOnce


class SessionStore(NewKeyStoredOnce, db.SessionStore):
    pass
