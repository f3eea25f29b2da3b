"""Helpers shared by the directive pages."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from cchc.lib.errors import ServiceError


def show_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """Put a service's message next to the field it is about, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def filter_querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
