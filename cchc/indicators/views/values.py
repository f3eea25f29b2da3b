"""Values entered by units: the "values to enter" page, the value form with its evidence, sending for review, and
the page of one value (with its target, status, evidence and history).

Entering and sending: the unit's focal point (:func:`access.can_enter_value`). Reading a value: whoever reads its unit,
drafts only the unit itself (:func:`access.get_values_for_user`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts import roles
from cchc.audit import access as audit_access
from cchc.lib.errors import ServiceError
from cchc.lib.periods import Period
from cchc.organisations.models import Unit
from cchc.organisations.picker import unit_scope

from .. import access, selectors, services
from ..forms import EvidenceForm, ReturnForm, UnitFilterForm, ValueForm, show_service_error
from ..models import EntryMode, Indicator, IndicatorValue, Measure, ValueState
from .common import GET_POST, filter_querystring, page, page_of, period_or_404, posted

MAX_ENTRY_ROWS = 300
REVIEW_PER_PAGE = 200


@dataclass(frozen=True)
class EntryRow:
    indicator: Indicator
    unit: Unit
    period: Period
    value: IndicatorValue | None
    target: Decimal | None


@require_GET
@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    if not access.can_open_entry_list(request.user):
        return page(request, "indicators/entry_forbidden.html", status=403, nav_active="indicators")
    today = timezone.localdate()
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 1900 <= int(year_text) <= 2200 else today.year
    # An administrator enters values for any unit: the page lists the subtree of the unit they choose.
    chooser = None
    root = None
    if not access.can_enter_values(request.user):
        chooser = UnitFilterForm(request.GET, units=unit_scope(request.user, "units.visible"))
        root = chooser.chosen_unit()
    units = list(access.entry_units_for_user(request.user, root=root).active().order_by("path")[:MAX_ENTRY_ROWS])
    indicators = list(access.get_indicators_for_user(request.user).filter(entry=EntryMode.UNIT).order_by("code"))
    stored = {
        (value.indicator_id, value.unit_id, value.period_key): value
        for value in IndicatorValue.objects.filter(indicator__in=indicators, unit__in=units, period_start__year=year)
    }
    rows: list[EntryRow] = []
    for indicator in indicators:
        applicable = [unit for unit in units if not indicator.unit_kind or unit.kind == indicator.unit_kind]
        targets = selectors.targets_for_units(indicator, applicable, year)
        for unit in applicable:
            for period in selectors.periods_of_year(year, indicator.period_kind):
                if period.start > today:
                    continue
                rows.append(
                    EntryRow(indicator, unit, period, stored.get((indicator.pk, unit.pk, period.key)), targets[unit.pk])
                )
    return page(
        request,
        "indicators/entry_list.html",
        rows=rows[:MAX_ENTRY_ROWS],
        truncated=len(rows) > MAX_ENTRY_ROWS,
        year=year,
        years=[today.year - offset for offset in range(4)],
        chooser=chooser,
        chosen=root,
        nav_active="indicators",
    )


@GET_POST
@login_required
def value_edit(request: HttpRequest, indicator_id: int, unit_id: int, period_key: str) -> HttpResponse:
    """Enter or correct the value of one unit for one period (created as a draft on the first save)."""
    indicator = access.get_indicator_for_user(request.user, indicator_id)
    unit = access.get_entry_unit_for_user(request.user, indicator, unit_id)
    period = period_or_404(period_key)
    value = IndicatorValue.objects.filter(indicator=indicator, unit=unit, period_key=period.key).first()
    if value is not None and not value.is_editable:
        return redirect("indicators:value_detail", value.pk)
    initial = {}
    if value is not None:
        initial = {
            "value": _plain(value.value),
            "numerator": _plain(value.numerator),
            "denominator": _plain(value.denominator),
            "note": value.note,
        }
    # A count has no numerator and denominator (unless a value already carries them, which the form keeps).
    ratio = indicator.measure != Measure.COUNT or (value is not None and value.numerator is not None)
    form = ValueForm(posted(request), initial=initial, ratio=ratio)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            value = services.value_save(
                actor=request.user,
                indicator=indicator,
                unit=unit,
                period=period,
                value=data["value"],
                numerator=data.get("numerator"),
                denominator=data.get("denominator"),
                note=data["note"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu giá trị. Hãy đính kèm minh chứng rồi gửi để xác nhận."))
            return redirect("indicators:value_detail", value.pk)
    return page(
        request,
        "indicators/value_form.html",
        form=form,
        indicator=indicator,
        unit=unit,
        period=period,
        value=value,
        target=selectors.target_for(indicator, unit, period.year),
        nav_active="indicators",
    )


def _plain(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    return format(amount.normalize(), "f").replace(".", ",")


@require_GET
@login_required
def value_detail(request: HttpRequest, value_id: int) -> HttpResponse:
    value = access.get_value_for_user(request.user, value_id)
    indicator = value.indicator
    # The unit's values (this one and the previous period's, for the trend), as far as the reader may see them.
    rows = selectors.value_rows(
        indicator, access.get_values_for_user(request.user).filter(unit=value.unit), value.period
    )
    can_edit = access.can_edit_value(request.user, value)
    can_review = value.state == ValueState.SUBMITTED and access.can_review_value(request.user, value)
    return page(
        request,
        "indicators/value_detail.html",
        value=value,
        indicator=indicator,
        row=rows[0] if rows else None,
        evidence=list(value.evidence.all()),
        can_edit=can_edit,
        can_review=can_review,
        evidence_form=EvidenceForm() if can_edit else None,
        return_form=ReturnForm() if can_review else None,
        history=list(audit_access.get_history_for_user(request.user, value)[:20]),
    )


def _editable_value(request: HttpRequest, value_id: int) -> IndicatorValue:
    value = access.get_value_for_user(request.user, value_id)
    roles.require(access.can_enter_value(request.user, value.indicator, value.unit))
    return value


@require_POST
@login_required
def evidence_add(request: HttpRequest, value_id: int) -> HttpResponse:
    value = _editable_value(request, value_id)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.value_evidence_add(actor=request.user, value=value, upload=form.cleaned_data["file"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã đính kèm tệp minh chứng."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("indicators:value_detail", value.pk)


@require_POST
@login_required
def evidence_delete(request: HttpRequest, value_id: int, evidence_id: int) -> HttpResponse:
    value = _editable_value(request, value_id)
    evidence = value.evidence.filter(pk=evidence_id).first()
    if evidence is not None:
        try:
            services.value_evidence_delete(actor=request.user, evidence=evidence)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã gỡ tệp minh chứng."))
    return redirect("indicators:value_detail", value.pk)


@require_GET
@login_required
def evidence_download(request: HttpRequest, value_id: int, evidence_id: int) -> FileResponse:
    value = access.get_value_for_user(request.user, value_id)
    evidence = access.get_evidence_for_user(request.user, value, evidence_id)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.file_name)


@require_POST
@login_required
def value_submit(request: HttpRequest, value_id: int) -> HttpResponse:
    value = _editable_value(request, value_id)
    try:
        services.value_submit(actor=request.user, value=value)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi giá trị để cơ quan thường trực xác nhận."))
    return redirect("indicators:value_detail", value.pk)


# ---------------------------------------------------------------------------
# Review by the secretariat


@require_GET
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_review_values(request.user))
    values = (
        access.get_review_queue_for_user(request.user)
        .select_related("indicator", "unit")
        .order_by("submitted_at", "pk")
    )
    query = request.GET.get("q", "").strip()[:100]
    if query:
        values = values.filter(Q(indicator__name__icontains=query) | Q(unit__name__icontains=query))
    queue = page_of(request, values, REVIEW_PER_PAGE)
    return page(
        request,
        "indicators/review_queue.html",
        values=queue.object_list,
        queue=queue,
        filter_query=filter_querystring(request),
        q=query,
        nav_active="indicators",
    )


def _reviewable_value(request: HttpRequest, value_id: int) -> IndicatorValue:
    value = access.get_value_for_user(request.user, value_id)
    roles.require(access.can_review_value(request.user, value))
    return value


@GET_POST
@login_required
def value_accept(request: HttpRequest, value_id: int) -> HttpResponse:
    """Accepting locks the value: a page asks for confirmation first; a second click only says it is done."""
    value = _reviewable_value(request, value_id)
    if request.method == "POST":
        try:
            services.value_accept(actor=request.user, value=value)
        except ServiceError as exc:
            (messages.info if exc.code == "already" else messages.error)(request, exc.message)
        else:
            messages.success(request, _("Đã xác nhận giá trị; giá trị đã được khóa."))
        return redirect("indicators:review_queue")
    return page(request, "indicators/value_accept.html", value=value, nav_active="indicators")


@GET_POST
@login_required
def value_return(request: HttpRequest, value_id: int) -> HttpResponse:
    value = _reviewable_value(request, value_id)
    form = ReturnForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.value_return(actor=request.user, value=value, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            if exc.code == "already":
                messages.info(request, exc.message)
                return redirect("indicators:review_queue")
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã trả lại giá trị cho đơn vị."))
            return redirect("indicators:review_queue")
    return page(request, "indicators/value_return.html", value=value, form=form, nav_active="indicators")
