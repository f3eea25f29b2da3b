from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cchc.accounts import permissions
from cchc.accounts.models import Role

from . import selectors


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page, made for the user's main role."""
    user = request.user
    role = selectors.home_role(user)
    can_manage = permissions.can_manage_units(user)
    context: dict[str, Any] = {
        "nav_active": "home",
        "home_role": role,
        "scopes": selectors.scopes(user),
        "my_units": selectors.my_units_with_members(user, with_members=role is not None),
        "can_manage_units": can_manage,
        "can_view_audit": permissions.can_view_audit(user),
    }
    if role:
        scope_units = permissions.get_units_for_user(user, manage=can_manage)
        context["unit_counts"] = selectors.unit_counts(scope_units)
        if not permissions.is_admin(user):
            context["units_under_scopes"] = selectors.units_under_scopes(user)
    if role == Role.FOCAL_POINT:
        context["own_sheet"] = selectors.own_open_sheet(user)
    if can_manage:
        context["people"] = selectors.people_summary(user)
    if context["can_view_audit"]:
        context["recent_changes"] = selectors.recent_changes(user)
    return render(request, f"dashboards/home_{role or 'none'}.html", context)
