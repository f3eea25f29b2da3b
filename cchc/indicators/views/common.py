"""What the indicator pages share: the methods a form page accepts, the submitted data, the frame of a page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cchc.lib.periods import Period

from .. import access

GET_POST = require_http_methods(["GET", "POST"])


def posted(request: HttpRequest) -> Any:
    """The submitted data on POST (even when empty, so that required fields are reported), else ``None``."""
    return request.POST if request.method == "POST" else None


def page(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    return render(request, template, {"nav_active": "indicators", **context})


def require_reader(request: HttpRequest) -> None:
    if not access.can_read_indicators(request.user):
        raise PermissionDenied


def period_or_404(key: str) -> Period:
    try:
        return Period.from_key(key)
    except ValueError as exc:
        raise Http404 from exc
