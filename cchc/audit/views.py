from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cchc.accounts import permissions


@require_GET
@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_view_audit(request.user))
    entries = permissions.get_audit_entries_for_user(request.user)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/entry_list.html", {"page": page, "nav_active": "audit"})
