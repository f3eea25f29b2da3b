"""The secretariat's tracker (filters, pagination, bulk reminders, Excel export) and completion statistics."""

from __future__ import annotations

import dataclasses
import functools
import tempfile
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts import roles
from cchc.directives import access
from cchc.lib import page_cache
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE, write_table
from cchc.organisations.picker import unit_scope
from cchc.organisations.widgets import SEARCH_SUFFIX

from .. import reminders, selectors, services
from ..forms import StatsForm, TrackerUnitForm
from ..models import Status
from ..templatetags.assignment_rows import assignment_rows

PAGE_SIZE = 50
# The text of the unit filter, posted when the picker's script is not running.
UNIT_SEARCH = f"unit{SEARCH_SUFFIX}"
# The apps whose tables the tracker's sections read (``cchc.lib.page_cache``): the assignments, tasks, directives and
# occurrences; the units (names, the tree the scopes are paths of, the memberships, what the unit filter offers). Of
# the accounts, the sections read only the reader's roles and units, which are part of their key
# (``access.reader_scope``): a sign-in, which writes the accounts' tables, keeps them.
TRACKER_READS = ("directives", "organisations")


def _tracker_rows(request: HttpRequest) -> tuple[Any, selectors.TrackerFilters, TrackerUnitForm]:
    """The rows of the tracker for the query string, its filters, and the unit filter's form.

    The unit filter is the unit picker: ``unit`` is a unit's primary key, as before; without JavaScript
    ``unit__search`` is a search that gives the unit when it matches exactly one. A ``unit`` the picker does not offer
    (a closed unit, one outside the user's units) still narrows the rows, which are only ever the assignments the
    user may read.
    """
    roles.require(access.can_view_task_tracker(request.user))
    params = request.GET.copy()
    # The page opens on the work still to do; "all" shows finished work too.
    params.setdefault("status", selectors.OPEN)
    # Older links carry a search for units as ``unit_q``; it becomes the picker's search.
    legacy_search = params.pop("unit_q", [""])[-1]
    if legacy_search and not params.get(UNIT_SEARCH):
        params[UNIT_SEARCH] = legacy_search
    filters = selectors.TrackerFilters.from_params(params)
    form = TrackerUnitForm(params, units=unit_scope(request.user, "units.visible", active=True))
    resolved, unit = form.chosen_unit()
    if resolved:
        filters = dataclasses.replace(filters, unit=unit.pk if unit is not None else None)
    rows = selectors.tracker(access.get_assignments_for_user(request.user), filters)
    return rows, filters, form


def _filter_query(request: HttpRequest, filters: selectors.TrackerFilters) -> str:
    """The query string of the filtered view, for pagination, the export and the reminders' way back.

    A unit found by a search without JavaScript is written as its ``unit``, so the links show the same rows.
    """
    params = request.GET.copy()
    params.pop("page", None)
    params.pop(UNIT_SEARCH, None)
    params.pop("unit_q", None)
    if filters.unit:
        params["unit"] = str(filters.unit)
    else:
        params.pop("unit", None)
    return params.urlencode()


def _period_choices() -> list[Period]:
    today = timezone.localdate()
    current = Period.containing(today, PeriodKind.QUARTER)
    quarters = [current.next()]
    period = current
    for _step in range(8):
        quarters.append(period)
        period = period.previous()
    years = [Period(today.year - offset, PeriodKind.YEAR) for offset in range(0, 3)]
    halves = [Period.containing(today, PeriodKind.HALF), Period.containing(today, PeriodKind.HALF).previous()]
    return [*quarters, *halves, *years]


@dataclass(frozen=True)
class TrackerTable:
    """One view of the tracker's table: how many rows the filters give, the primary keys of the page's rows in order,
    the rows and the links between pages (HTML), and the query string of the view (pagination, export, reminders)."""

    count: int
    ids: tuple[int, ...]
    rows: SafeString
    pagination: SafeString
    filter_query: str


def _query_key(request: HttpRequest) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every value of the query string: the rows, the filters shown and the links of the page are all made from it."""
    return tuple(sorted((name, tuple(values)) for name, values in request.GET.lists()))


def _table(
    request: HttpRequest, rows: Any, filters: selectors.TrackerFilters
) -> tuple[int, tuple[int, ...], str, str, str]:
    """The table of the view, as plain values the cache can keep (see :class:`TrackerTable`)."""
    page = selectors.tracker_page(rows, request.GET.get("page"), size=PAGE_SIZE)
    filter_query = _filter_query(request, filters)
    pagination = render_to_string("partials/_pagination.html", {"page": page, "query": filter_query, "arrows": "←→"})
    return (
        page.paginator.count,
        tuple(row.pk for row in page),
        str(assignment_rows(page, selectable=access.can_create_directives(request.user))),
        str(pagination),
        filter_query,
    )


def _filters(request: HttpRequest, filters: selectors.TrackerFilters, unit_form: TrackerUnitForm) -> str:
    """The filter form of the view, with the values chosen."""
    context = {
        "filters": filters,
        "statuses": [(selectors.OPEN, _("Chưa hoàn thành")), *Status.choices],
        "directives": selectors.directive_choices(access.get_directives_for_user(request.user), filters.directive),
        "unit_form": unit_form,
        "unit_problem": unit_form.search_problem(),
        "periods": _period_choices(),
    }
    return str(render_to_string("directives/_tracker_filters.html", context))


@require_GET
@login_required
def tracker(request: HttpRequest) -> HttpResponse:
    """The tracker's page, or only its table for a change of the filters (htmx).

    The table and the filter form are kept in the cache under the version of the data they read
    (``cchc.lib.page_cache``), keyed by the reader's scope (``access.reader_scope``: the rows and the rights over them
    are the same for everybody with the same roles in the same units) and the whole query string; the filter form
    also by the reader, since the unit picker's search token names them. The CSRF token of the reminders' form, the
    messages and the navigation stay per request.
    """
    roles.require(access.can_view_task_tracker(request.user))
    scope = (access.reader_scope(request.user), _query_key(request))
    resolved = functools.cache(lambda: _tracker_rows(request))
    # A change of the filters (htmx) swaps the table only.
    partial = bool(getattr(request, "htmx", False)) and not request.htmx.boosted  # type: ignore[attr-defined]
    sections: list[tuple[str, Any, Any]] = [
        ("directives.tracker.table", scope, lambda: _table(request, resolved()[0], resolved()[1]))
    ]
    if not partial:
        sections.append(
            (
                "directives.tracker.filters",
                (*scope, request.user.pk),
                lambda: _filters(request, resolved()[1], resolved()[2]),
            )
        )
    found = page_cache.fragments(TRACKER_READS, sections)
    count, ids, rows_html, pagination, filter_query = found[0]
    table = TrackerTable(
        count=count,
        ids=ids,
        rows=mark_safe(rows_html),  # noqa: S308 - drawn by an autoescaping Jinja2 template
        pagination=mark_safe(pagination),  # noqa: S308 - drawn by our own template, escaped there
        filter_query=filter_query,
    )
    context: dict[str, Any] = {
        "table": table,
        "filter_query": filter_query,
        "can_remind": access.can_create_directives(request.user),
        "can_view_extraction_quality": access.can_view_extraction_quality(request.user),
        "nav_active": "tracker",
    }
    template = "directives/tracker.html"
    if partial:
        template += "#tracker-table"
        # The export link sits outside the table: it is swapped in beside it, with the new filters.
        context["swap_export"] = True
    else:
        context["filter_form"] = mark_safe(found[1])  # noqa: S308 - drawn by our own template, escaped there
    return render(request, template, context)


@require_GET
@login_required
def tracker_export(request: HttpRequest) -> FileResponse:
    rows, _filters, _form = _tracker_rows(request)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by FileResponse
    write_table(
        spool,
        title=_("Theo dõi nhiệm vụ"),
        header=selectors.tracker_export_header(),
        rows=selectors.tracker_export_rows(rows),
        widths=[18, 8, 70, 30, 14, 14, 10, 14, 24, 12],
    )
    spool.seek(0)
    filename = f"theo-doi-nhiem-vu-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


@require_POST
@login_required
def tracker_remind(request: HttpRequest) -> HttpResponse:
    """Remind the units of the ticked assignments now (at most once a day per assignment and person)."""
    roles.require(access.can_create_directives(request.user))
    ids = [value for value in request.POST.getlist("assignment") if value.isdigit()][:500]
    chosen = [
        assignment
        for assignment in access.get_assignments_for_user(request.user)
        .filter(pk__in=ids)
        .select_related("task", "directive", "unit", "directive__issuing_unit")
        if access.can_review_assignment(request.user, assignment)
    ]
    if not chosen:
        messages.error(request, _("Hãy chọn ít nhất một nhiệm vụ để nhắc."))
    else:
        result = reminders.send_manual_reminders(actor=request.user, assignments=chosen)
        messages.success(
            request,
            ngettext(
                "Đã gửi %(count)d lời nhắc.",
                "Đã gửi %(count)d lời nhắc.",
                result.reminders,
            )
            % {"count": result.reminders}
            + (" " + _("Không gửi được một số thư điện tử; hệ thống sẽ gửi lại.") if result.failures else ""),
        )
    back = request.POST.get("back", "")
    return redirect(f"{reverse('directives:tracker')}?{back}" if back else reverse("directives:tracker"))


@require_GET
@login_required
def stats(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_view_task_tracker(request.user))
    form = StatsForm(request.GET or None)
    period = form.period_or_current()
    rows = selectors.unit_stats(access.get_assignments_for_user(request.user), period)
    return render(
        request,
        "directives/stats.html",
        {
            "form": form,
            "period": period,
            "rows": rows,
            "periods": _period_choices(),
            "can_publish": access.can_create_directives(request.user),
            "nav_active": "tracker",
        },
    )


@require_POST
@login_required
def stats_publish(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_create_directives(request.user))
    form = StatsForm(request.POST)
    period = form.period_or_current()
    unit_ids = list(roles.get_units_for_user(request.user, manage=True).values_list("pk", flat=True))
    count = services.stats_publish(actor=request.user, period=period, unit_ids=unit_ids)
    messages.success(
        request,
        _("Đã cập nhật tỷ lệ hoàn thành đúng hạn %(period)s cho %(count)s đơn vị vào kho chỉ số.")
        % {"period": period.label, "count": count},
    )
    return redirect(f"{reverse('directives:stats')}?period={period.key}")
