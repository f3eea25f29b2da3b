from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cchc.accounts import permissions

from . import selectors


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page, made for the user's main role."""
    user = request.user
    role = selectors.home_role(user)
    units = permissions.get_units_for_user(user)
    context = {
        "nav_active": "home",
        "home_role": role,
        "my_units": selectors.my_units(user),
        "unit_counts": selectors.unit_counts(units) if role else [],
        "recent_changes": selectors.recent_changes(user) if permissions.can_view_audit(user) else [],
        "can_manage_units": permissions.can_manage_units(user),
    }
    return render(request, f"dashboards/home_{role or 'none'}.html", context)
