"""API answers kept in the cache under the version of the data they read (``cchc.lib.page_cache``).

A list the API gives often and whose data changes rarely (the directives a caller may read) costs the ORM and
django-ninja far more to make than to send: the count and the page of rows, each row validated by its schema, the
JSON. :func:`answer_cached_by_data_version` keeps the body of its ``200`` answer, as django-ninja made it, keyed as a
page section is (decision 34): by the operation's name, the apps it reads and their versions, the caller's scope, the
operation's parsed parameters, the language and the day. The caller is authenticated and their token checked on
every request before the cache is asked, and the versions are read before the data, as for every section.

The scope must hold everything of the caller that the rows chosen and their content depend on (for the directives:
``directives.access.reader_scope``), never less: two callers with the same scope are given the same bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from ninja.decorators import decorate_view
from pydantic import BaseModel

from cchc.lib import page_cache

__all__ = ["answer_cached_by_data_version"]

F = TypeVar("F", bound=Callable[..., Any])

# The key an operation's answer is to be stored under, set on the request when it was not found in the cache.
_KEY_ATTR = "_cchc_answer_cache_key"


def _parameters(kwargs: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    """The operation's parameters as django-ninja parsed them (validated schemas as their values)."""
    return tuple(
        sorted((name, value.model_dump() if isinstance(value, BaseModel) else value) for name, value in kwargs.items())
    )


def _store(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Around the operation's whole run: a ``200`` answer made afresh is stored under the key the view set."""

    @functools.wraps(run)
    def run_and_store(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = run(request, *args, **kwargs)
        key = getattr(request, _KEY_ATTR, None)
        if key is not None and response.status_code == 200 and isinstance(response, HttpResponse):
            cache.set(key, (response.content, response["Content-Type"]), page_cache.SECONDS)
        return response

    return run_and_store


def answer_cached_by_data_version(
    name: str, *, reads: Iterable[str], scope: Callable[[HttpRequest], Hashable]
) -> Callable[[F], F]:
    """Keep the ``200`` answers of the GET operation below (under ``@router.get``, above ``@paginate``) in the cache.

    ``reads``: the apps whose tables the answer reads; ``scope(request)``: everything of the authenticated caller
    (``request.auth``) that the answer depends on. An answer found is sent as it was stored (body and content type);
    otherwise the operation runs as usual and its ``200`` answer is stored. Errors are never stored.
    """
    reads = tuple(reads)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def cached_view(request: HttpRequest, **kwargs: Any) -> Any:
            key = page_cache.key(name, reads=reads, scope=(scope(request), _parameters(kwargs)))
            found = cache.get(key)
            if found is not None:
                content, content_type = found
                return HttpResponse(content, content_type=content_type)
            setattr(request, _KEY_ATTR, key)
            return view(request, **kwargs)

        # ``wraps`` shares the wrapped view's list of operation callbacks (django-ninja's pagination): a copy of
        # its own, so that adding the store below does not change the view's.
        callbacks = list(getattr(view, "_ninja_contribute_to_operation", []))
        cached_view._ninja_contribute_to_operation = callbacks  # type: ignore[attr-defined]
        return decorate_view(_store)(cached_view)  # type: ignore[return-value]

    return decorate
