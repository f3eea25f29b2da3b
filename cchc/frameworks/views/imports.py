"""The Excel import of a framework's criteria: checked and applied in the request, or run in the background for a
large file (``?run=<id>`` shows its progress)."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from cchc.frameworks import access
from cchc.imports import access as import_access
from cchc.imports import services as import_services
from cchc.imports.models import ImportKind
from cchc.imports.pages import run_context, run_response
from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE
from cchc.organisations.models import UnitQuerySet

from .. import excel
from ..forms import FrameworkImportForm
from ..models import Framework
from .common import GET_POST, page, posted


def _lead_units(request: HttpRequest, framework: Framework) -> UnitQuerySet:
    return excel.lead_units_for(request.user, framework)


@GET_POST
@login_required
def framework_import(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    run = None
    if request.method == "GET" and "run" in request.GET:
        run = import_access.get_import_run_for_user(
            request.user, request.GET["run"], kind=ImportKind.FRAMEWORK, framework=framework
        )
        if (response := run_response(request, run, error_file_name="loi-nhap-bo-tieu-chi.xlsx")) is not None:
            return response
    form = FrameworkImportForm(posted(request), request.FILES or None)
    report: excel.ImportReport | None = None
    error_file = ""
    if request.method == "POST" and form.is_valid():
        try:
            # The XML is parsed once, by the import's own streaming reader.
            _kind, data = files.check_upload(form.cleaned_data["file"], kinds=[files.XLSX], parse_xml=False)
            if import_services.runs_in_background(data):
                run = import_services.import_run_start(
                    actor=request.user,
                    kind=ImportKind.FRAMEWORK,
                    data=data,
                    file_name=form.cleaned_data["file"].name,
                    reason=form.cleaned_data["reason"],
                    framework=framework,
                )
                return redirect(f"{reverse('frameworks:framework_import', args=[framework.pk])}?run={run.pk}")
            report = excel.import_framework(
                actor=request.user,
                framework=framework,
                data=data,
                units=_lead_units(request, framework),
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            if report.ok:
                messages.success(request, report.lines()[0])
                return redirect("frameworks:framework_detail", framework.pk)
            error_file = base64.b64encode(excel.error_workbook(report)).decode()
    return page(
        request,
        "frameworks/framework_import.html",
        framework=framework,
        form=form,
        report=report,
        error_file=error_file,
        xlsx_type=XLSX_CONTENT_TYPE,
        columns=excel.HEADER,
        **run_context(run),
    )
