"""What the unit pages share: who may read them, the methods a form page accepts, the frame of a form page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cchc.accounts import roles

from ..models import Unit

GET_POST = require_http_methods(["GET", "POST"])


def require_reader(request: HttpRequest) -> None:
    """Anybody with a role (or an administrator) reads the unit pages."""
    if not roles.roles_of(request.user) and not roles.is_admin(request.user):
        raise PermissionDenied


def form_page(request: HttpRequest, template: str, unit: Unit | None, **context: Any) -> HttpResponse:
    return render(request, template, {"unit": unit, "nav_active": "units", **context})
