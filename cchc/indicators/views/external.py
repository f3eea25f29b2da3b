"""Pages of the external results (PAR INDEX, SIPAS, PAPI): the list of indices and provinces, the import (upload,
mode, result or error workbook, the template) and a province's page per index (trend, rank, gaps, and the units and
open tasks aimed at each dimension or area)."""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from cchc.directives import access as directives_access
from cchc.directives.models import Assignment, Task
from cchc.frameworks.models import Criterion
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE
from cchc.lib.types import Viewer
from cchc.organisations.forms import UnitMultipleChoiceField, show_service_error
from cchc.organisations.models import Unit, UnitKind, UnitQuerySet, subtree_condition
from cchc.organisations.picker import UNIT_SCOPES, unit_scope, visible_units
from cchc.organisations.widgets import UnitMultiplePickerWidget

from .. import access, external

GET_POST = require_http_methods(["GET", "POST"])


class ExternalImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp kết quả (.xlsx hoặc .csv)"),
        error_messages={
            "required": _("Hãy chọn tệp cần nhập."),
            "empty": _("Tệp tải lên rỗng."),
            "invalid": _("Không đọc được tệp gửi lên; hãy chọn lại tệp."),
            "missing": _("Hãy chọn tệp cần nhập."),
        },
    )
    mode = forms.ChoiceField(
        label=_("Cách nhập"),
        choices=[
            (external.ImportMode.ALL_OR_NOTHING, _("Toàn bộ hoặc không gì cả: có dòng lỗi thì không nhập dòng nào")),
            (external.ImportMode.VALID_ROWS, _("Nhập các dòng hợp lệ, trả lại tệp báo lỗi cho các dòng sai")),
        ],
        initial=external.ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Hãy chọn cách nhập."),
            "invalid_choice": _("Cách nhập không hợp lệ; hãy chọn một trong hai cách."),
        },
    )
    province = forms.ModelChoiceField(
        label=_("Chỉ nhập cho tỉnh, thành phố"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— Mọi tỉnh, thành phố trong tệp —"),
        help_text=_("Nếu chọn, dòng của tỉnh khác bị báo lỗi."),
        error_messages={"invalid_choice": _("Hãy chọn một tỉnh, thành phố trong danh sách.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = external.province_units()  # type: ignore[attr-defined]


@UNIT_SCOPES.register("indicators.external_responsible")
def external_responsible_units(viewer: Viewer, *, province: int) -> UnitQuerySet:
    """The units in force inside ``province`` (not the province itself) that the viewer manages: the candidates for
    the units answerable for an item of an index there."""
    root = Unit.objects.get(pk=int(province), kind=UnitKind.PROVINCE)
    return visible_units(viewer, manage=True, active=True).in_subtrees([root.path]).exclude(pk=root.pk)


class ResponsibilityForm(forms.Form):
    lead_units = UnitMultipleChoiceField(
        label=_("Đơn vị chủ trì"),
        queryset=Unit.objects.none(),
        required=False,
        widget=UnitMultiplePickerWidget(attrs={"size": 8}),
        help_text=_("Một hoặc vài đơn vị chịu trách nhiệm chính về nội dung này."),
    )
    supporting_units = UnitMultipleChoiceField(
        label=_("Đơn vị phối hợp"),
        queryset=Unit.objects.none(),
        required=False,
        widget=UnitMultiplePickerWidget(attrs={"size": 8}),
        help_text=_("Để trống cả hai ô để bỏ giao."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_units"].use_scope(units)  # type: ignore[attr-defined]
        self.fields["supporting_units"].use_scope(units)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        both = {unit.pk for unit in data.get("lead_units", [])} & {unit.pk for unit in data.get("supporting_units", [])}
        if both:
            self.add_error("supporting_units", _("Một đơn vị không thể vừa chủ trì vừa phối hợp."))
        return data


def _page(request: HttpRequest, template: str, *, status: int = 200, **context: Any) -> HttpResponse:
    return render(request, template, {"nav_active": "external", **context}, status=status)


@require_GET
@login_required
def external_index(request: HttpRequest) -> HttpResponse:
    if not access.can_view_external_results(request.user):
        raise PermissionDenied
    provinces = list(access.get_external_provinces_for_user(request.user).order_by("name"))
    indices = [(index, external.years_with_results(index)) for index in external.INDICES.values()]
    return _page(
        request,
        "indicators/external/index.html",
        indices=indices,
        provinces=provinces,
        can_import=access.can_import_external_results(request.user),
    )


@require_GET
@login_required
def external_template(request: HttpRequest) -> HttpResponse:
    if not access.can_view_external_results(request.user):
        raise PermissionDenied
    return HttpResponse(
        external.template_workbook(),
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": 'attachment; filename="mau-nhap-ket-qua-chi-so.xlsx"'},
    )


@GET_POST
@login_required
def external_import(request: HttpRequest) -> HttpResponse:
    if not access.can_import_external_results(request.user):
        raise PermissionDenied
    form = ExternalImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    report: external.ImportReport | None = None
    error_file = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = external.read_upload(upload, name=upload.name)
                report = external.external_results_import(
                    actor=request.user,
                    rows=rows,
                    mode=form.cleaned_data["mode"],
                    province=form.cleaned_data["province"],
                )
            except ServiceError as exc:
                form.add_error("file", exc.message)
                status = 400
            else:
                if report.ok:
                    messages.success(request, report.summary())
                    return redirect("indicators:external_index")
                error_file = base64.b64encode(external.error_workbook(report)).decode()
                status = 400 if not report.applied else 200
        else:
            status = 400
    return _page(
        request,
        "indicators/external/import.html",
        status=status,
        form=form,
        report=report,
        error_file=error_file,
        xlsx_type=XLSX_CONTENT_TYPE,
        columns=external.HEADER,
    )


@dataclass
class Aimed:
    """What is aimed at one item: the open tasks and the units responsible for them."""

    tasks: list[Task] = field(default_factory=list)
    units: dict[int, Unit] = field(default_factory=dict)


def _open_tasks(user: Viewer, province: Unit) -> QuerySet[Task]:
    """Open tasks (not cancelled, with an assignment not completed) of directives the user may read, issued inside
    the province."""
    directives = directives_access.get_directives_for_user(user).filter(
        subtree_condition([province.path], "issuing_unit")
    )
    open_assignments = Assignment.objects.filter(completed_on__isnull=True).select_related("unit")
    return (
        Task.objects.filter(directive__in=directives, cancelled_at__isnull=True, assignments__completed_on__isnull=True)
        .distinct()
        .select_related("directive", "lead_unit")
        .prefetch_related("criteria", Prefetch("assignments", queryset=open_assignments, to_attr="open_assignments"))
        .order_by("directive__issued_on", "position", "pk")
    )


def _aimed(index: external.ExternalIndex, tasks: QuerySet[Task]) -> dict[str, Aimed]:
    """Item code → open tasks aimed at it: by the task's PAPI dimension (PAPI), by the area of its PAR criteria
    (PAR INDEX). SIPAS items have no link of their own in the task model."""
    result: dict[str, Aimed] = defaultdict(Aimed)
    if index.key not in ("papi", "par"):
        return result
    aimed_tasks = tasks.filter(papi_dimension__gt="") if index.key == "papi" else tasks.filter(criteria__isnull=False)
    task_list = list(aimed_tasks)
    area_titles: dict[tuple[int, str], str] = {}
    if index.key == "par":
        framework_ids = {criterion.framework_id for task in task_list for criterion in task.criteria.all()}
        area_titles = {
            (framework_id, code): title
            for framework_id, code, title in Criterion.objects.filter(
                framework_id__in=framework_ids, parent__isnull=True
            ).values_list("framework_id", "code", "title")
        }
    for task in task_list:
        if index.key == "papi":
            codes = external.papi_codes_for_text(task.papi_dimension)
        else:
            codes = set()
            for criterion in task.criteria.all():
                title = area_titles.get((criterion.framework_id, criterion.code.split(".")[0]), "")
                area = external.par_area_for_title(title)
                if area:
                    codes.add(area)
        for code in codes:
            aimed = result[code]
            if task not in aimed.tasks:
                aimed.tasks.append(task)
            if task.lead_unit is not None:
                aimed.units[task.lead_unit.pk] = task.lead_unit
            for assignment in getattr(task, "open_assignments", []):
                aimed.units[assignment.unit.pk] = assignment.unit
    return result


# ---------------------------------------------------------------------------
# Charts, drawn as inline SVG on the server (no script, no style attribute): the tables beside them say the same.


def _fmt(number: float) -> str:
    return f"{number:.1f}"


@dataclass(frozen=True)
class ChartPoint:
    x: str
    y: str
    year: int
    value: Decimal


@dataclass(frozen=True)
class TrendChart:
    """One item of an index year by year for the province, and the mean of the provinces, on 0 … the item's
    maximum: the total, or a dimension (area, element) drawn as one of the small multiples."""

    item: external.ExternalItem
    width: int
    height: int
    left: int
    right: int
    bottom: int
    points: list[ChartPoint]
    mean_points: list[ChartPoint]
    grid: list[tuple[str, Decimal]]  # y, value
    ticks: list[tuple[str, int]]  # x, year
    maximum: Decimal

    @property
    def line(self) -> str:
        return " ".join(f"{point.x},{point.y}" for point in self.points)

    @property
    def mean_line(self) -> str:
        return " ".join(f"{point.x},{point.y}" for point in self.mean_points)

    @property
    def slug(self) -> str:
        """The item code made fit for an element id (``papi.d1`` → ``papi-d1``)."""
        return self.item.code.replace(".", "-")

    @property
    def rows(self) -> list[tuple[int, Decimal | None, Decimal | None]]:
        """The chart's figures as a table: year, the province's figure, the mean of the provinces."""
        own = {point.year: point.value for point in self.points}
        means = {point.year: point.value for point in self.mean_points}
        return [(year, own.get(year), means.get(year)) for _x, year in self.ticks if year in own or year in means]


TREND_WIDTH, TREND_HEIGHT = 320, 170
TREND_LEFT, TREND_RIGHT, TREND_TOP, TREND_BOTTOM = 34, 12, 10, 24


def trend_chart(report: external.ProvinceReport, code: str = "") -> TrendChart | None:
    """The chart of one item (the index's total by default), when the province has a figure of it in some year."""
    code = code or f"{report.index.key}.total"
    own = report.trend.get(code, {})
    if not own:
        return None
    item = external.ITEMS[code]
    maximum = item.maximum
    years = report.years
    pad = 16  # the first and last years stand clear of the axis labels
    inner_width = TREND_WIDTH - TREND_LEFT - TREND_RIGHT - 2 * pad
    inner_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM

    def x_of(year: int) -> float:
        if len(years) == 1:
            return TREND_LEFT + pad + inner_width / 2
        return TREND_LEFT + pad + inner_width * years.index(year) / (len(years) - 1)

    def y_of(value: Decimal) -> float:
        return TREND_TOP + inner_height * (1 - float(value / maximum))

    def point(year: int, value: Decimal) -> ChartPoint:
        return ChartPoint(_fmt(x_of(year)), _fmt(y_of(value)), year, value)

    means = report.mean_trend.get(code, {})
    return TrendChart(
        item=item,
        width=TREND_WIDTH,
        height=TREND_HEIGHT,
        left=TREND_LEFT,
        right=TREND_WIDTH - TREND_RIGHT,
        bottom=TREND_HEIGHT - TREND_BOTTOM,
        points=[point(year, own[year]) for year in years if year in own],
        mean_points=[point(year, means[year]) for year in years if year in means],
        grid=[(_fmt(y_of(maximum * step / 4)), maximum * step / 4) for step in range(5)],
        ticks=[(_fmt(x_of(year)), year) for year in years],
        maximum=maximum,
    )


def dimension_charts(report: external.ProvinceReport) -> list[TrendChart]:
    """One trend chart per dimension, area or element (the items one level under the total) that the province has a
    figure for in some year, in catalogue order, each on the scale of its own maximum."""
    charts = [trend_chart(report, item.code) for item in report.items if item.depth == 1]
    return [chart for chart in charts if chart is not None]


@dataclass(frozen=True)
class GapBar:
    """One dimension, area or element in the chosen year: its figure, the mean and the best, in % of its maximum."""

    row: external.ItemYear
    value: str
    mean: str | None
    best: str | None


def _percent(value: Decimal | None, maximum: Decimal) -> str | None:
    return None if value is None else _fmt(max(0.0, min(100.0, float(value / maximum * 100))))


def gap_bars(report: external.ProvinceReport) -> list[GapBar]:
    """The items one level under the total that the province has a figure for in the chosen year."""
    return [
        GapBar(
            row=row,
            value=_percent(row.value, row.item.maximum) or "0",
            mean=_percent(row.mean, row.item.maximum),
            best=_percent(row.best, row.item.maximum),
        )
        for row in report.rows
        if row.item.depth == 1 and row.value is not None
    ]


def _index_or_404(index_key: str) -> external.ExternalIndex:
    index = external.get_index(index_key)
    if index is None:
        raise Http404
    return index


def _year(request: HttpRequest) -> int | None:
    year_text = request.GET.get("year", "")
    return int(year_text) if year_text.isdigit() and len(year_text) == 4 else None


@require_GET
@login_required
def external_province(request: HttpRequest, index_key: str, unit_id: int) -> HttpResponse:
    index = _index_or_404(index_key)
    province = access.get_external_province_for_user(request.user, unit_id)
    report = external.province_report(index=index, province=province, year=_year(request))
    aimed = _aimed(index, _open_tasks(request.user, province))
    responsible = external.responsibilities_of(province, [item.code for item in report.items])
    can_assign = access.can_assign_external_responsibility(request.user, province)
    # Items nobody has a figure for that year, and nothing is aimed at or assigned to, are left out (the trend keeps
    # every figure); whoever assigns the responsible units sees every dimension, area and element to assign them.
    rows = [
        (row, aimed.get(row.item.code), responsible.get(row.item.code, []))
        for row in report.rows
        if row.best is not None
        or row.item.is_total
        or aimed.get(row.item.code)
        or responsible.get(row.item.code)
        or (can_assign and row.item.depth == 1)
    ]
    return _page(
        request,
        "indicators/external/province.html",
        index=index,
        province=province,
        report=report,
        rows=rows,
        links_apply=index.key in ("papi", "par"),
        can_assign=can_assign,
        trend=trend_chart(report),
        dimension_trends=dimension_charts(report),
        gaps=gap_bars(report),
    )


@require_GET
@login_required
def external_province_export(request: HttpRequest, index_key: str, unit_id: int) -> HttpResponse:
    """The province's page as an Excel workbook: the chosen year's table with the responsible units, and the trend."""
    index = _index_or_404(index_key)
    province = access.get_external_province_for_user(request.user, unit_id)
    report = external.province_report(index=index, province=province, year=_year(request))
    data = external.province_workbook(report, external.responsibilities_of(province))
    name = f"{index.key}-{province.code}-{report.year or 'chua-co'}.xlsx"
    return _xlsx(data, name)


@require_GET
@login_required
def external_table(request: HttpRequest, index_key: str) -> HttpResponse:
    """Every province's total and dimensions (areas, elements) for one index and year, ranked on the item chosen by
    ``?sort=`` (the total by default), with the mean and the best of the provinces; the reader's provinces marked.
    Listed: every province for the secretariat and administrators, the reader's own provinces for everyone else."""
    index = _index_or_404(index_key)
    if not access.can_view_external_results(request.user):
        raise PermissionDenied
    table = external.province_ranking(
        index=index,
        provinces=access.get_external_result_provinces_for_user(request.user),
        year=_year(request),
        sort=request.GET.get("sort", ""),
        own=access.get_home_province_ids_for_user(request.user),
    )
    readable = set(access.get_external_provinces_for_user(request.user).values_list("pk", flat=True))
    return _page(
        request,
        "indicators/external/table.html",
        index=index,
        table=table,
        readable=readable,
        lists_all=access.can_import_external_results(request.user),
    )


@require_GET
@login_required
def external_table_export(request: HttpRequest, index_key: str) -> HttpResponse:
    """Every province's figures (that the user may list) for one index and year, ranked on the total."""
    index = _index_or_404(index_key)
    if not access.can_view_external_results(request.user):
        raise PermissionDenied
    table = external.province_table(
        index=index, provinces=access.get_external_result_provinces_for_user(request.user), year=_year(request)
    )
    return _xlsx(external.province_table_workbook(table), f"{index.key}-cac-tinh-{table.year or 'chua-co'}.xlsx")


def _xlsx(data: bytes, name: str) -> HttpResponse:
    safe = "".join(char if char.isascii() and (char.isalnum() or char in "-_.") else "-" for char in name)
    return HttpResponse(
        data, content_type=XLSX_CONTENT_TYPE, headers={"Content-Disposition": f'attachment; filename="{safe}"'}
    )


@GET_POST
@login_required
def external_responsible(request: HttpRequest, index_key: str, unit_id: int, code: str) -> HttpResponse:
    """Name the lead and supporting units answerable for one item of an index in a province."""
    index = _index_or_404(index_key)
    province = access.get_external_province_for_user(request.user, unit_id)
    if not access.can_assign_external_responsibility(request.user, province):
        raise PermissionDenied
    item = external.ITEMS.get(code)
    if item is None or item.index != index.key:
        raise Http404
    current = external.responsibilities_of(province, [item.code]).get(item.code, [])
    initial = {
        "lead_units": [row.unit for row in current if row.lead],
        "supporting_units": [row.unit for row in current if not row.lead],
    }
    units = unit_scope(request.user, "indicators.external_responsible", province=province.pk)
    form = ResponsibilityForm(request.POST if request.method == "POST" else None, initial=initial, units=units)
    back = reverse("indicators:external_province", args=[index.key, province.pk])
    year = _year(request)
    if year is not None:
        back += f"?year={year}"
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                change = external.responsibility_set(
                    actor=request.user,
                    province=province,
                    item_code=item.code,
                    lead_units=form.cleaned_data["lead_units"],
                    supporting_units=form.cleaned_data["supporting_units"],
                )
            except ServiceError as exc:
                show_service_error(form, exc)
                status = 400
            else:
                if change.any:
                    messages.success(request, _("Đã lưu đơn vị chịu trách nhiệm."))
                return redirect(f"{back}#row-{item.code}")
        else:
            status = 400
    return _page(
        request,
        "indicators/external/responsible.html",
        status=status,
        form=form,
        index=index,
        province=province,
        item=item,
        item_name=external.indicator_name(item),
        back=back,
    )
