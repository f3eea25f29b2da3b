"""Who the request is from: Django's authentication, with the person's roles and units read through the cache."""

from __future__ import annotations

from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import roles


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware``: the user is still read from the database on every request (a locked
    account or a changed password ends the session at once); only their roles and the units they work in come from
    the cache, under the versions of the data they are read from (:func:`cchc.accounts.roles.share_across_requests`).
    """

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(  # type: ignore[assignment]  # as in Django: the user, read when first asked
            lambda: roles.share_across_requests(auth_middleware.get_user(request))
        )
