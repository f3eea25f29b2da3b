"""The aggregate figures (biểu 06a / 07a) the reader may see: filtered by unit, period and source, 50 a page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cchc.accounts import roles
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.picker import unit_scope

from .. import access, selectors
from ..forms import AggregateFilterForm

PER_PAGE = 50


def _periods(years: set[int]) -> list[tuple[str, str]]:
    choices = []
    for year in sorted(years, reverse=True):
        periods = [Period(year, PeriodKind.YEAR)]
        periods += [Period(year, PeriodKind.HALF, number) for number in (1, 2)]
        periods += [Period(year, PeriodKind.QUARTER, number) for number in range(1, 5)]
        periods += [Period(year, PeriodKind.MONTH, number) for number in range(1, 13)]
        choices += [(period.key, str(period.label)) for period in periods]
    return choices


@require_GET
@login_required
def aggregate_list(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_view_kpis(request.user))
    visible = access.get_aggregates_for_user(request.user)
    years = {day.year for day in visible.dates("period_start", "year")} | {timezone.localdate().year}
    sources = list(visible.order_by("source").values_list("source", flat=True).distinct())
    form = AggregateFilterForm(
        request.GET or None,
        units=unit_scope(request.user, "procedures.dossier_units"),
        periods=_periods(years),
        sources=sources,
    )
    rows = visible
    status = 200
    if form.is_bound and not form.is_valid():
        rows = rows.none()
        status = 400
    elif form.is_bound:
        data = form.cleaned_data
        period = Period.from_key(data["period"]) if data.get("period") else None
        rows = selectors.filter_aggregates(
            rows,
            unit=data.get("unit"),
            start=period.start if period else None,
            end=period.end if period else None,
            source=data.get("source") or "",
        )
    else:
        rows = selectors.filter_aggregates(rows)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "procedures/aggregates/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_import": access.can_import_dossiers(request.user),
            "nav_active": "procedures",
        },
        status=status,
    )


__all__ = ["aggregate_list"]
