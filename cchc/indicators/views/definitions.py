"""Indicator pages: the list, a definition with its targets and the values of the units for a period, creating and
editing definitions.

Reading: everyone with a role. Writing: the secretariat and administrators (:func:`access.can_manage_indicators`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts import roles
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period, PeriodKind
from cchc.organisations.models import subtree_condition
from cchc.organisations.picker import unit_scope

from .. import access, selectors, services
from ..forms import IndicatorForm, UnitFilterForm, show_service_error
from ..models import EntryMode, Indicator, IndicatorSource, IndicatorValue
from .common import GET_POST, filter_querystring, page, page_of, period_or_404, posted, require_reader

# Rows of the values table of an indicator page (a province has hundreds of units).
VALUES_PER_PAGE = 100


@require_GET
@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    require_reader(request)
    indicators = access.get_indicators_for_user(request.user)
    entry = request.GET.get("entry", "")
    group = request.GET.get("group", "")
    query = request.GET.get("q", "").strip()[:100]
    groups = sorted({name for name in indicators.values_list("group", flat=True) if name})
    if entry in EntryMode.values:
        indicators = indicators.filter(entry=entry)
    else:
        entry = ""
    if group in groups:
        indicators = indicators.filter(group=group)
    else:
        group = ""
    if query:
        indicators = indicators.filter(Q(code__icontains=query) | Q(name__icontains=query))
    return page(
        request,
        "indicators/indicator_list.html",
        # the published results of the national indices (many, read on their own pages) come after the province's own
        indicators=indicators.order_by(
            Case(When(source=IndicatorSource.EXTERNAL, then=Value(1)), default=Value(0)), "group", "code"
        ),
        entry=entry,
        entries=EntryMode.choices,
        group=group,
        groups=groups,
        q=query,
        can_manage=access.can_manage_indicators(request.user),
        can_enter=access.can_open_entry_list(request.user),
        can_review=access.can_review_values(request.user),
    )


def _period_choices(indicator: Indicator, values: QuerySet[IndicatorValue]) -> list[Period]:
    """The recent periods of the indicator's kind, and the periods that have values (published values of another
    kind included, such as the quarterly on-time rates), newest first."""
    today = timezone.localdate()
    period = Period.containing(today, PeriodKind(indicator.period_kind))
    choices = set()
    for _step in range(5):
        choices.add(period)
        period = period.previous()
    keys = (
        values.filter(indicator=indicator)
        .order_by("-period_start", "period_key")
        .values_list("period_key", flat=True)
        .distinct()[:12]
    )
    for key in keys:
        try:
            choices.add(Period.from_key(key))
        except ValueError:
            continue
    return sorted(choices, key=lambda item: (item.end, item.start), reverse=True)


def _latest_period(indicator: Indicator, values: QuerySet[IndicatorValue]) -> Period:
    """The period the page opens on: the latest of the indicator's kind with a value the reader may see, else the
    current one (an indicator reported yearly has no value for this year until the year is over)."""
    latest = (
        values.filter(indicator=indicator, period_kind=indicator.period_kind)
        .order_by("-period_start")
        .values_list("period_key", flat=True)
        .first()
    )
    if latest:
        try:
            return Period.from_key(latest)
        except ValueError:
            pass
    return Period.containing(timezone.localdate(), PeriodKind(indicator.period_kind))


@require_GET
@login_required
def indicator_detail(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = access.get_indicator_for_user(request.user, indicator_id)
    values = access.get_values_for_user(request.user)
    periods = _period_choices(indicator, values)
    key = request.GET.get("period", "")
    period = period_or_404(key) if key else _latest_period(indicator, values)
    if period not in periods:
        periods.insert(0, period)
    unit_form = UnitFilterForm(request.GET, units=unit_scope(request.user, "units.visible"))
    unit = unit_form.chosen_unit()
    if unit is not None:
        values = values.filter(subtree_condition([unit.path], "unit"))
    targets = list(indicator.targets.select_related("unit").order_by("-year", "unit_kind", "unit__name"))
    target_rows = [
        (target, selectors.target_schedule(target), access.can_manage_target(request.user, target))
        for target in targets
    ]
    value_page = page_of(request, selectors.period_values(indicator, values, period), VALUES_PER_PAGE)
    return page(
        request,
        "indicators/indicator_detail.html",
        indicator=indicator,
        target_rows=target_rows,
        rows=selectors.value_rows(indicator, values, period, current=list(value_page.object_list)),
        value_page=value_page,
        filter_query=filter_querystring(request),
        period=period,
        periods=periods,
        unit_form=unit_form,
        can_manage=access.can_manage_indicators(request.user),
    )


@GET_POST
@login_required
def indicator_create(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_manage_indicators(request.user))
    form = IndicatorForm(posted(request), initial={"entry": EntryMode.UNIT, "period_kind": PeriodKind.YEAR.value})
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(actor=request.user, data=form.indicator_data())
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã tạo chỉ số “%(name)s”.") % {"name": indicator.name})
            return redirect("indicators:indicator_detail", indicator.pk)
    return page(request, "indicators/indicator_form.html", form=form, indicator=None)


@GET_POST
@login_required
def indicator_edit(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = access.get_indicator_for_user(request.user, indicator_id, manage=True)
    form = IndicatorForm(posted(request), initial=IndicatorForm.initial_for(indicator))
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(actor=request.user, indicator=indicator, data=form.indicator_data())
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu định nghĩa chỉ số."))
            return redirect("indicators:indicator_detail", indicator.pk)
    return page(request, "indicators/indicator_form.html", form=form, indicator=indicator)


@require_POST
@login_required
def indicator_public(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """The secretariat shows an indicator on the public page, or stops showing it (one button on its page)."""
    indicator = access.get_indicator_for_user(request.user, indicator_id, manage=True)
    shown = request.POST.get("on_public_page") == "1"
    services.indicator_set_public(actor=request.user, indicator=indicator, on_public_page=shown)
    if shown:
        messages.success(request, _("Chỉ số đã được công khai trên trang công khai."))
    else:
        messages.success(request, _("Chỉ số không còn hiện trên trang công khai."))
    return redirect("indicators:indicator_detail", indicator.pk)
