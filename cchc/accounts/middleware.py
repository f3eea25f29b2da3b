"""Who the request is from: the person of the session with their roles and units, from the cache when it holds them
under the current versions of their data, else through Django's authentication."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import roles
from .models import User

# The backend every session signed in with a password names (django-axes' backend only refuses, never signs in).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _from_cache(request: HttpRequest) -> User | None:
    """The person of the request's session from the cache (:func:`cchc.accounts.roles.signed_in_from_cache`), or
    ``None`` for anything else: no one signed in, another backend, a hash that is not the person's current one."""
    session = request.session
    try:
        user_id = User._meta.pk.to_python(session[SESSION_KEY])  # type: ignore[union-attr]
        backend = session[BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return None
    if backend != MODEL_BACKEND or MODEL_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        return None
    return roles.signed_in_from_cache(user_id, session.get(HASH_SESSION_KEY) or "")


def _user(request: HttpRequest) -> Any:
    user = _from_cache(request)
    if user is not None:
        return user
    return roles.share_across_requests(auth_middleware.get_user(request))


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware``, with the person of the session and their roles and units read from the
    cache under the versions of the accounts' and organisations' data (decision 34): any write to their row — locked,
    password changed, renamed — a role or a membership makes the next request read them again. A session whose hash
    is not the person's current one, a locked or deleted account, go through Django's ``get_user``, which reads the
    database and ends the session (or accepts one signed under a former secret key)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))  # type: ignore[assignment]  # as Django: read when asked
