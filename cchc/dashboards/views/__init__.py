"""The home page, made for the user's main role; what it shows is decided in ``access``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cchc.accounts import access as accounts_access
from cchc.accounts import roles
from cchc.assessments import access as assessments_access
from cchc.audit import access as audit_access
from cchc.organisations import access as organisations_access

from .. import access, selectors

__all__ = ["home"]


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page, made for the user's main role."""
    user = request.user
    role = access.home_role(user)
    can_manage = organisations_access.can_manage_units(user)
    context: dict[str, Any] = {
        "nav_active": "home",
        "home_role": role,
        "scopes": selectors.scopes(user),
        "my_units": selectors.my_units_with_members(user, with_members=access.can_see_colleagues(user)),
        "can_manage_units": can_manage,
        "can_view_audit": audit_access.can_view_audit(user),
    }
    if access.can_see_unit_counts(user):
        scope_units = roles.get_units_for_user(user, manage=can_manage)
        context["unit_counts"] = selectors.unit_counts(scope_units)
        if access.can_see_units_under_scopes(user):
            context["units_under_scopes"] = selectors.units_under_scopes(user)
    if access.can_see_own_sheet(user):
        context["own_sheet"] = selectors.own_open_sheet(user, assessments_access.get_assessments_for_user(user))
    if can_manage:
        context["people"] = selectors.people_summary(accounts_access.get_users_for_user(user))
    if context["can_view_audit"]:
        context["recent_changes"] = selectors.recent_changes(audit_access.get_audit_entries_for_user(user))
    return render(request, f"dashboards/home_{role or 'none'}.html", context)
