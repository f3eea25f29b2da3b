"""The service indicator pages: the table of units, one unit's figures with their groups, the dossiers behind a
figure (with an Excel export), and the secretariat's page of QĐ 766 score items.

Reading: whoever reads a unit's dossiers (:func:`access.can_view_kpis`, :func:`access.get_kpi_unit_for_user`);
changing score items: the secretariat and administrators (:func:`access.can_manage_score_items`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cchc.accounts import roles
from cchc.audit.selectors import change_rows, history_for
from cchc.indicators.models import Indicator
from cchc.indicators.selectors import Status, trend_of
from cchc.lib.errors import ServiceError
from cchc.lib.numbers import format_count
from cchc.lib.periods import Period, PeriodKind
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE
from cchc.lib.text import search_key
from cchc.organisations.models import Unit

from .. import access, jobs
from ..excel import dossiers_export
from ..kpis import (
    DRILLDOWN_KINDS,
    FIGURE_DRILLDOWN,
    KPI_KEYS,
    KPI_LABELS,
    LOWER_IS_BETTER,
    Kpis,
    drilldown,
    figure_status,
    indicator_code,
    kpi_table,
    kpi_targets,
    kpis_for,
    late_after_supplements,
    units_with_data,
)
from ..models import KpiPublication, Procedure, PublicationStatus, ScoreItem
from ..scoring import ScoreItemData, score_item_update

PAGE_SIZE = 50
# Drill-downs whose lateness may come from supplement requests rather than dates: they show the requests' count.
SUPPLEMENT_KINDS = frozenset({"on_time", "late", "late_without_apology"})
MAX_UNIT_CHOICES = 500
# Counts of work, not of quality: more received or settled dossiers is neither better nor worse, only more.
VOLUME_KEYS = frozenset({"received", "finished"})
# Publications of a period shown on the publish page, newest first.
PUBLICATIONS_SHOWN = 5
# Changes of the score items shown on their pages, newest first.
HISTORY_SHOWN = 20
TABLE_KEYS = ("received", "finished", "on_time_rate", "overdue_pending", "online_rate", "digitised_rate")


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: Any
    target: Decimal | None
    status: str | None
    drilldown: str
    trend: str | None = None
    previous: Any = None

    @property
    def status_label(self) -> str:
        return str(Status.LABELS[self.status]) if self.status else ""

    @property
    def is_rate(self) -> bool:
        return self.key.endswith("_rate")


@dataclass(frozen=True)
class Row:
    kpis: Kpis
    figures: list[Figure]
    has_children: bool


@dataclass(frozen=True)
class Filters:
    period: Period
    field: str

    def query(self, **extra: Any) -> str:
        values = {"period": self.period.key, **({"field": self.field} if self.field else {}), **extra}
        return urlencode(values)


def _filters(request: HttpRequest) -> Filters:
    """The period and field asked for; a bad period falls back to the current year (with a message), an unknown field
    to none."""
    today = timezone.localdate()
    period = Period(today.year, PeriodKind.YEAR)
    text = request.GET.get("period", "").strip()
    if text:
        try:
            period = Period.from_key(text)
        except ValueError:
            messages.warning(request, _("Kỳ “%(period)s” không hợp lệ; đang xem năm nay.") % {"period": text[:20]})
    field = request.GET.get("field", "").strip()[:255]
    return Filters(period=period, field=field)


def _period_choices(selected: Period) -> list[Period]:
    years = sorted({timezone.localdate().year, timezone.localdate().year - 1, selected.year}, reverse=True)
    choices = []
    for year in years:
        choices.append(Period(year, PeriodKind.YEAR))
        choices += [Period(year, PeriodKind.HALF, number) for number in (1, 2)]
        choices += [Period(year, PeriodKind.QUARTER, number) for number in range(1, 5)]
        choices += [Period(year, PeriodKind.MONTH, number) for number in range(1, 13)]
    return choices


def _field_choices() -> list[str]:
    return list(Procedure.objects.exclude(field="").values_list("field", flat=True).distinct().order_by("field"))


def _figures(kpis: Kpis, targets: dict[str, Decimal | None], keys: tuple[str, ...], previous: Kpis | None = None):
    figures = []
    for key in keys:
        value = kpis.value(key)
        target = targets.get(key)
        trend = None
        before = previous.value(key) if previous is not None else None
        if previous is not None and value is not None and key in VOLUME_KEYS:
            trend = "none" if before is None else "same" if value == before else "up" if value > before else "down"
        elif previous is not None and value is not None:
            trend = trend_of(
                Decimal(value),
                Decimal(before) if before is not None else None,
                higher_is_better=key not in LOWER_IS_BETTER,
            )
        figures.append(
            Figure(
                key=key,
                label=str(KPI_LABELS[key]),
                value=value,
                target=target,
                status=figure_status(key, value, target),
                drilldown=FIGURE_DRILLDOWN[key],
                trend=trend,
                previous=before,
            )
        )
    return figures


def _require_reader(request: HttpRequest) -> None:
    roles.require(access.can_view_kpis(request.user))


@require_GET
@login_required
def kpi_table_page(request: HttpRequest) -> HttpResponse:
    """The chosen unit (by default the highest units the reader sees) and the units directly below it."""
    _require_reader(request)
    filters = _filters(request)
    roots = access.kpi_root_units(request.user)
    chosen: Unit | None = None
    if request.GET.get("unit"):
        chosen = access.get_kpi_unit_for_user(request.user, request.GET["unit"])
        units = [chosen, *Unit.objects.filter(parent=chosen).order_by("path")]
    else:
        units = [*roots, *Unit.objects.filter(parent__in=roots).order_by("path")] if len(roots) == 1 else roots
    table = kpi_table(units, filters.period, field=filters.field)
    targets = kpi_targets(units, filters.period.year)
    with_children = set(Unit.objects.filter(parent__in=units).values_list("parent_id", flat=True).distinct())
    rows = [
        Row(kpis, _figures(kpis, targets[kpis.unit.pk], TABLE_KEYS), kpis.unit.pk in with_children) for kpis in table
    ]
    unit_choices = [*roots, *Unit.objects.filter(parent__in=roots).order_by("path")][:MAX_UNIT_CHOICES]
    if chosen is not None and chosen not in unit_choices:
        unit_choices.insert(0, chosen)
    return render(
        request,
        "procedures/kpis/table.html",
        {
            "rows": rows,
            "filters": filters,
            "chosen": chosen,
            "periods": _period_choices(filters.period),
            "fields": _field_choices(),
            "unit_choices": unit_choices,
            "headers": [str(KPI_LABELS[key]) for key in TABLE_KEYS],
            "can_manage": access.can_manage_score_items(request.user),
            "can_publish": access.can_publish_kpis(request.user),
            "nav_active": "kpis",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def kpi_publish_page(request: HttpRequest) -> HttpResponse:
    """Publish the period's figures of the units the user reads into the indicator store: a confirmation page saying
    what will be written, then the publication (in the request, or by a worker for many units)."""
    roles.require(access.can_publish_kpis(request.user))
    filters = _filters(request)
    period = filters.period
    ids = [unit.pk for unit in units_with_data(period)]
    units = list(access.get_kpi_units_for_user(request.user).filter(pk__in=ids).order_by("path"))
    back = f"{reverse('procedures:kpi_table')}?{urlencode({'period': period.key})}"
    here = f"{reverse('procedures:kpi_publish')}?{urlencode({'period': period.key})}"
    if request.method == "POST":
        if not units:
            messages.warning(
                request, _("Kỳ %(period)s chưa có số liệu nào để công bố.") % {"period": period.label_in_sentence}
            )
            return redirect(back)
        publication = jobs.publication_request(actor=request.user, period=period, units=units)
        if publication.status == PublicationStatus.DONE:
            messages.success(
                request,
                _(
                    "Đã công bố số liệu %(period)s của %(units)s đơn vị vào kho chỉ số: %(written)s giá trị ghi mới "
                    "hoặc thay đổi, %(unchanged)s giá trị không đổi."
                )
                % {
                    "period": period.label_in_sentence,
                    "units": format_count(len(units)),
                    "written": format_count(publication.written),
                    "unchanged": format_count(publication.unchanged),
                },
            )
            return redirect(back)
        if publication.status == PublicationStatus.FAILED:
            messages.error(request, _("Chưa công bố được: %(reason)s") % {"reason": publication.message})
        else:
            messages.info(
                request,
                _(
                    "Đang công bố số liệu %(period)s của %(units)s đơn vị trong nền; kết quả hiện ở trang này khi "
                    "công bố xong."
                )
                % {"period": period.label_in_sentence, "units": format_count(len(units))},
            )
        return redirect(here)
    publications = list(
        KpiPublication.objects.filter(period_key=period.key).select_related("requested_by")[:PUBLICATIONS_SHOWN]
    )
    indicators = [(indicator_code(key), str(KPI_LABELS[key])) for key in (*KPI_KEYS, "total_score")]
    return render(
        request,
        "procedures/kpis/publish.html",
        {
            "filters": filters,
            "units": units[:20],
            "unit_count": len(units),
            "indicators": indicators,
            "background": jobs.publish_in_background(len(units)),
            "back": back,
            "publications": publications,
            "pending": any(not publication.finished for publication in publications),
            "nav_active": "kpis",
        },
    )


@require_GET
@login_required
def kpi_unit_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """One unit's figures against their targets, the trend against the previous period and the group scores."""
    _require_reader(request)
    unit = access.get_kpi_unit_for_user(request.user, unit_id)
    filters = _filters(request)
    subtree = request.GET.get("own") != "1"
    kpis = kpis_for(unit, filters.period, field=filters.field, subtree=subtree)
    previous = kpis_for(unit, filters.period.previous(), field=filters.field, subtree=subtree)
    targets = kpi_targets([unit], filters.period.year)[unit.pk]
    return render(
        request,
        "procedures/kpis/unit.html",
        {
            "unit": unit,
            "kpis": kpis,
            "previous_period": filters.period.previous(),
            "figures": _figures(kpis, targets, KPI_KEYS, previous),
            "total_target": targets.get("total_score"),
            "filters": filters,
            "query": filters.query(**({} if subtree else {"own": "1"})),
            "subtree": subtree,
            "periods": _period_choices(filters.period),
            "fields": _field_choices(),
            "nav_active": "kpis",
        },
    )


def _drilldown_rows(request: HttpRequest, unit_id: int, kind: str) -> tuple[Unit, Filters, bool, Any]:
    _require_reader(request)
    unit = access.get_kpi_unit_for_user(request.user, unit_id)
    if kind not in DRILLDOWN_KINDS:
        raise Http404
    filters = _filters(request)
    subtree = request.GET.get("own") != "1"
    rows = drilldown(unit, filters.period, kind, field=filters.field, subtree=subtree)
    return unit, filters, subtree, rows


@require_GET
@login_required
def kpi_dossiers_page(request: HttpRequest, unit_id: int, kind: str) -> HttpResponse:
    unit, filters, subtree, rows = _drilldown_rows(request, unit_id, kind)
    page = Paginator(rows.select_related("procedure", "unit"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = filters.query(**({} if subtree else {"own": "1"}))
    return render(
        request,
        "procedures/kpis/dossiers.html",
        {
            "unit": unit,
            "kind": kind,
            "title": str(DRILLDOWN_KINDS[kind]),
            "page": page,
            "supplements": late_after_supplements() if kind in SUPPLEMENT_KINDS else None,
            "filters": filters,
            "query": query,
            "nav_active": "kpis",
        },
    )


@require_GET
@login_required
def kpi_dossiers_export(request: HttpRequest, unit_id: int, kind: str) -> FileResponse:
    unit, filters, _subtree, rows = _drilldown_rows(request, unit_id, kind)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by FileResponse
    dossiers_export(spool, rows, title=str(DRILLDOWN_KINDS[kind]))
    spool.seek(0)
    # The list's own title in the file name, without accents ("ho-so-giai-quyet-tre-han-…"), not its English key.
    filename = (
        f"{search_key(str(DRILLDOWN_KINDS[kind])).replace(' ', '-')}-{unit.code or unit.pk}-{filters.period.key}.xlsx"
    )
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


# --- Score items -----------------------------------------------------------------------------------------------------


@require_GET
@login_required
def score_item_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    entries = access.get_score_item_history_for_user(request.user)[:HISTORY_SHOWN]
    items = list(ScoreItem.objects.order_by("group", "order", "code"))
    # An item read from the indicator store is shown by the indicator's name, not its code.
    names = dict(Indicator.objects.filter(code__in={item.indicator_code for item in items}).values_list("code", "name"))
    return render(
        request,
        "procedures/kpis/score_items.html",
        {
            "items": [(item, names.get(item.indicator_code, "")) for item in items],
            "can_manage": access.can_manage_score_items(request.user),
            "labels": KPI_LABELS,
            "history": [(entry, change_rows(entry)) for entry in entries],
            "nav_active": "kpis",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def score_item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    roles.require(access.can_manage_score_items(request.user))
    item = get_object_or_404(ScoreItem, pk=item_id)
    error = ""
    values: dict[str, Any] = {"max_points": item.max_points, "full_at": item.full_at, "active": item.active}
    if request.method == "POST":
        values = {
            "max_points": request.POST.get("max_points", "")[:20],
            "full_at": request.POST.get("full_at", "")[:20],
            "active": request.POST.get("active") == "on",
        }
        try:
            score_item_update(actor=request.user, item=item, data=ScoreItemData(**values))
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, _("Đã lưu chỉ số thành phần %(code)s.") % {"code": item.code})
            return redirect("procedures:score_item_list")
    return render(
        request,
        "procedures/kpis/score_item_form.html",
        {
            "item": item,
            "values": values,
            "error": error,
            "history": [
                (entry, change_rows(entry))
                for entry in history_for(item, entries=access.get_score_item_history_for_user(request.user))[
                    :HISTORY_SHOWN
                ]
            ],
            "nav_active": "kpis",
        },
    )


__all__ = [
    "kpi_dossiers_export",
    "kpi_dossiers_page",
    "kpi_publish_page",
    "kpi_table_page",
    "kpi_unit_page",
    "score_item_edit",
    "score_item_list",
]
