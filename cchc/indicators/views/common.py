"""What the indicator pages share: the methods a form page accepts, the submitted data, the frame of a page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cchc.lib.periods import Period

from .. import access

GET_POST = require_http_methods(["GET", "POST"])


def posted(request: HttpRequest) -> Any:
    """The submitted data on POST (even when empty, so that required fields are reported), else ``None``."""
    return request.POST if request.method == "POST" else None


def page(request: HttpRequest, template: str, *, status: int = 200, **context: Any) -> HttpResponse:
    return render(request, template, {"nav_active": "indicators", **context}, status=status)


def require_reader(request: HttpRequest) -> None:
    if not access.can_read_indicators(request.user):
        raise PermissionDenied


def period_or_404(key: str) -> Period:
    try:
        return Period.from_key(key)
    except ValueError as exc:
        raise Http404 from exc


def filter_querystring(request: HttpRequest) -> str:
    """The query string of a list without its page number, for the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def page_of(request: HttpRequest, items: Any, size: int) -> Page:
    """The page of ``items`` the query string asks for (the first, or the last one past the end)."""
    return Paginator(items, size).get_page(request.GET.get("page"))
