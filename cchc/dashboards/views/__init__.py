"""The home page, made for the user's main role; what it shows is decided in ``access``, every figure is read
through the owning app's access and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from cchc.accounts import access as accounts_access
from cchc.accounts import roles
from cchc.assessments import access as assessments_access
from cchc.audit import access as audit_access
from cchc.directives import access as directives_access
from cchc.indicators import access as indicators_access
from cchc.lib import page_cache
from cchc.lib.replica import use_replica
from cchc.organisations import access as organisations_access
from cchc.organisations.picker import unit_scope
from cchc.surveys import access as surveys_access

from .. import access, charts, selectors
from ..forms import BoardFilterForm

__all__ = ["home"]

# The apps whose tables the dashboards read, through their own selectors and access functions: a write to any of
# them makes the next request compute the board again (``cchc.lib.page_cache``). Of the accounts, a board reads only
# the reader's roles and units, which are part of its key (``access.board_scope``): a sign-in elsewhere, which
# writes the time of the last sign-in, keeps the boards.
# The units one works in and their people: memberships and units (organisations), people's names (accounts).
MY_UNITS_READS = ("accounts", "organisations")
BOARD_READS = ("assessments", "directives", "frameworks", "indicators", "organisations", "surveys")


@require_GET
@login_required
@use_replica()
def home(request: HttpRequest) -> HttpResponse:
    """The landing page, made for the user's main role."""
    user = request.user
    role = access.home_role(user)
    can_manage = organisations_access.can_manage_units(user)
    board = access.board_of(user)
    # The units one works in and the board, asked of the cache together.
    my_units, *board_section = page_cache.sections_of(
        [_my_units_section(user)]
        + (
            []
            if board is None
            else [
                (
                    f"dashboards.board.{board}",
                    BOARD_READS,
                    (board, access.board_scope(user), _filter_values(request)),
                    lambda: _render_board(request, board),
                )
            ]
        )
    )
    context: dict[str, Any] = {
        "nav_active": "home",
        "home_role": role,
        "scopes": selectors.scopes(user),
        "my_units": my_units,
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
    if access.can_see_people_and_changes(user):
        if can_manage:
            context["people"] = selectors.people_summary(accounts_access.get_users_for_user(user))
        if context["can_view_audit"]:
            context["recent_changes"] = selectors.recent_changes(audit_access.get_audit_entries_for_user(user))
    if board is not None:
        html, has_charts = board_section[0]
        context.update({"board": board, "board_html": mark_safe(html), "charts": has_charts})  # noqa: S308
    return render(request, f"dashboards/home_{role or 'none'}.html", context)


def _my_units_section(user: Any) -> tuple[str, tuple[str, ...], Any, Any]:
    """The units one works in with their people: the same for every request until a person, a membership or a unit
    changes (``page_cache``; kept per person, since the list marks who is looking)."""
    with_members = access.can_see_colleagues(user)
    return (
        "dashboards.my_units",
        MY_UNITS_READS,
        (user.pk, with_members),
        lambda: selectors.my_units_with_members(user, with_members=with_members),
    )


def _filter_values(request: HttpRequest) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The query-string values the board's filters read (nothing else of the query string makes a cache entry)."""
    return tuple((name, tuple(request.GET.getlist(name))) for name in BoardFilterForm.FIELDS)


def _render_board(request: HttpRequest, board: str) -> tuple[str, bool]:
    """The board's HTML (no request: nothing of it is personal) and whether it draws charts."""
    context = _board(request, board)
    html = render_to_string(f"dashboards/_board_{board}.html", context)
    return str(html), bool(context["charts"] or context.get("index_charts"))


def _board(request: HttpRequest, board: str) -> dict[str, Any]:
    """The dashboard of ``board`` for the request's user, with its filters and charts."""
    user = request.user
    sheets = assessments_access.get_assessments_for_user(user)
    rounds = assessments_access.get_rounds_for_user(user)
    form = BoardFilterForm(
        request.GET, units=unit_scope(user, "units.visible"), default_year=selectors.default_year(rounds)
    )
    filters = form.filters()
    assignments = directives_access.get_assignments_for_user(user)
    values = indicators_access.get_values_for_user(user)
    found: dict[str, Any] = {
        "board": board,
        "filter_form": form,
        "filters": filters,
        "charts": {},
        "can_track": directives_access.can_view_task_tracker(user),
    }
    data: Any
    if board == "secretariat":
        data = selectors.secretariat_board(
            filters, rounds=rounds, sheets=sheets, assignments=assignments, values=values
        )
        if data.progress is not None and data.progress.total:
            found["charts"]["round"] = charts.round_chart(data.progress)
    elif board == "leader":
        data = selectors.leader_board(
            filters,
            provinces=indicators_access.get_external_provinces_for_user(user),
            rounds=rounds,
            sheets=sheets,
            assignments=assignments,
            values=values,
            can_view_results=lambda round_: assessments_access.can_view_round_results(user, round_),
        )
        found["index_charts"] = [(trend, charts.index_chart(trend)) for trend in data.indices]
        if len(data.service.periods) > 1:
            found["charts"]["service"] = charts.service_chart(data.service)
    elif board == "focal_point":
        data = selectors.focal_board(
            filters,
            unit=selectors.focal_unit(user),
            sheets=sheets,
            rounds=rounds,
            assignments=assignments,
            values=values,
            can_view_results=lambda round_: assessments_access.can_view_round_results(user, round_),
        )
        if len(data.ranks) > 1:
            found["charts"]["ranks"] = charts.rank_chart(data.ranks)
    else:
        data = selectors.supervisor_board(
            filters,
            questionnaires=surveys_access.get_questionnaires_for_user(user),
            rounds=rounds,
            values=values,
        )
    found["data"] = data
    return found
