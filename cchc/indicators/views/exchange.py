"""Excel files of the indicator store: export of targets and values (as far as the reader may see them), the import
templates, and the import page (the secretariat and administrators), with the error workbook of refused rows."""

from __future__ import annotations

import base64
import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from cchc.accounts import roles
from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE, max_import_rows
from cchc.lib.text import fold
from cchc.organisations.models import subtree_condition
from cchc.organisations.picker import unit_scope

from .. import access, excel
from ..forms import ImportForm, UnitFilterForm
from ..models import Target
from .common import GET_POST, page, period_or_404, posted, require_reader


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60]


def _xlsx(content: bytes, name: str) -> HttpResponse:
    return HttpResponse(
        content, content_type=XLSX_CONTENT_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@require_GET
@login_required
def values_export(request: HttpRequest) -> HttpResponse:
    """``?indicator=<id>`` (else every indicator), ``period=<key>`` or ``year=<yyyy>``, ``unit=<id>`` (its subtree)."""
    require_reader(request)
    values = access.get_values_for_user(request.user)
    name = "so-lieu-chi-so"
    indicator_id = request.GET.get("indicator", "")
    if indicator_id:
        indicator = access.get_indicator_for_user(request.user, indicator_id)
        values = values.filter(indicator=indicator)
        name = f"so-lieu-{_slug(indicator.code)}"
    key = request.GET.get("period", "")
    year = request.GET.get("year", "")
    if key:
        period = period_or_404(key)
        values = values.filter(period_key=period.key)
        name += f"-{period.key}"
    elif year.isdigit() and 1900 <= int(year) <= 2200:
        values = values.filter(period_start__year=int(year))
        name += f"-{year}"
    unit = UnitFilterForm(request.GET, units=unit_scope(request.user, "units.visible")).chosen_unit()
    if unit is not None:
        values = values.filter(subtree_condition([unit.path], "unit"))
    return _xlsx(excel.export_values(values), f"{name}.xlsx")


@require_GET
@login_required
def targets_export(request: HttpRequest) -> HttpResponse:
    """``?indicator=<id>`` (else every indicator's targets)."""
    require_reader(request)
    targets = Target.objects.filter(indicator__in=access.get_indicators_for_user(request.user))
    name = "chi-tieu"
    indicator_id = request.GET.get("indicator", "")
    if indicator_id:
        indicator = access.get_indicator_for_user(request.user, indicator_id)
        targets = targets.filter(indicator=indicator)
        name = f"chi-tieu-{_slug(indicator.code)}"
    return _xlsx(excel.export_targets(targets), f"{name}.xlsx")


@require_GET
@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    roles.require(access.can_import_values(request.user))
    kind = excel.TARGETS if kind == excel.TARGETS else excel.VALUES
    return _xlsx(excel.template(kind), f"mau-nhap-{'chi-tieu' if kind == excel.TARGETS else 'so-lieu'}.xlsx")


@GET_POST
@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_import_values(request.user))
    form = ImportForm(posted(request), request.FILES or None)
    report: excel.ImportReport | None = None
    error_file = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                _kind, data = files.check_upload(upload, name=upload.name, kinds=(files.XLSX,))
                run = excel.import_targets if form.cleaned_data["kind"] == excel.TARGETS else excel.import_values
                report = run(actor=request.user, data=data, mode=form.cleaned_data["mode"])
            except ServiceError as exc:
                form.add_error("file", exc.message)
                status = 400
            else:
                if not report.ok:
                    error_file = base64.b64encode(excel.error_workbook(report)).decode()
                    status = 200 if report.applied else 400
        else:
            status = 400
    return page(
        request,
        "indicators/import.html",
        form=form,
        report=report,
        error_file=error_file,
        xlsx_type=XLSX_CONTENT_TYPE,
        value_columns=[header for _key, header, _aliases in excel.VALUE_COLUMNS],
        target_columns=[header for _key, header, _aliases in excel.TARGET_COLUMNS],
        max_rows=f"{max_import_rows():,}".replace(",", "."),
        status=status,
    )
