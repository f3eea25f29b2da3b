"""What the framework pages share: the methods a form page accepts, the submitted data, the frame of a page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

GET_POST = require_http_methods(["GET", "POST"])


def posted(request: HttpRequest) -> Any:
    """The submitted data on POST (even when empty, so that required fields are reported), else ``None``."""
    return request.POST if request.method == "POST" else None


def page(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    return render(request, template, {"nav_active": "frameworks", **context})
