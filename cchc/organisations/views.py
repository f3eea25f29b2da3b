from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cchc.accounts import permissions

from . import selectors
from .models import UnitKind


@require_GET
@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    if not permissions.roles_of(request.user) and not permissions.is_admin(request.user):
        raise PermissionDenied
    units = permissions.get_units_for_user(request.user)
    query = request.GET.get("q", "")
    kind = request.GET.get("kind", "")
    show_inactive = request.GET.get("inactive") == "1"
    if not show_inactive:
        units = units.active()
    if kind in UnitKind.values:
        units = units.filter(kind=kind)
    if query:
        units = selectors.search(units, query)
    rows = selectors.tree_rows(units)
    return render(
        request,
        "organisations/unit_list.html",
        {
            "rows": rows,
            "query": query,
            "kind": kind,
            "kinds": UnitKind.choices,
            "show_inactive": show_inactive,
            "can_manage": permissions.can_manage_units(request.user),
            "nav_active": "units",
        },
    )


@require_GET
@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = permissions.get_unit_for_user(request.user, unit_id)
    context = selectors.unit_context(unit)
    context.update({"unit": unit, "can_manage": permissions.can_manage_unit(request.user, unit), "nav_active": "units"})
    return render(request, "organisations/unit_detail.html", context)
