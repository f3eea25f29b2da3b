"""The audit-trail browser: the list of entries and one entry. Read-only: every view accepts GET (and HEAD) only.

Two pages, so they live here rather than in modules of their own."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cchc.accounts import roles
from cchc.audit import access
from cchc.organisations.picker import unit_scope

from .. import selectors
from ..forms import EntryFilterForm

__all__ = ["entry_detail", "entry_list"]

ENTRIES_PER_PAGE = 50


@require_GET
@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_view_audit(request.user))
    entries = access.get_audit_entries_for_user(request.user)
    form = EntryFilterForm(
        request.GET or None,
        object_types=selectors.object_type_choices(entries),
        units=unit_scope(request.user, "units.visible", manage=True),
    )
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = form.cleaned_data
    page = Paginator(selectors.filter_entries(entries, **filters), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "audit/entry_list.html",
        {
            "page": page,
            "entries": selectors.labelled(page.object_list),
            "form": form,
            "query_string": query_string.urlencode(),
            "nav_active": "audit",
        },
    )


@require_GET
@login_required
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    roles.require(access.can_view_audit(request.user))
    entry = selectors.labelled([access.get_audit_entry_for_user(request.user, entry_id)])[0]
    return render(
        request,
        "audit/entry_detail.html",
        {
            "entry": entry,
            "type_label": selectors.object_type_label(entry.object_type),
            "rows": selectors.change_rows(entry),
            "nav_active": "audit",
        },
    )
