"""The Excel import of the unit tree: checked and applied in the request, or run in the background for a large
file (``?run=<id>`` shows its progress)."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cchc.accounts import roles
from cchc.imports import access as import_access
from cchc.imports import services as import_services
from cchc.imports.models import ImportKind
from cchc.imports.pages import run_context, run_response
from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE
from cchc.organisations import access

from .. import excel
from ..forms import UnitImportForm
from .common import GET_POST


@GET_POST
@login_required
def unit_import(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_manage_units(request.user))
    run = None
    if request.method == "GET" and "run" in request.GET:
        run = import_access.get_import_run_for_user(request.user, request.GET["run"], kind=ImportKind.UNITS)
        if (response := run_response(request, run, error_file_name="loi-nhap-don-vi.xlsx")) is not None:
            return response
    form = UnitImportForm(request.POST or None, request.FILES or None)
    report: excel.ImportReport | None = None
    error_file = ""
    if request.method == "POST" and form.is_valid():
        try:
            # The XML is parsed once, by the import's own streaming reader.
            _kind, data = files.check_upload(form.cleaned_data["file"], kinds=[files.XLSX], parse_xml=False)
            if import_services.runs_in_background(data):
                run = import_services.import_run_start(
                    actor=request.user,
                    kind=ImportKind.UNITS,
                    data=data,
                    file_name=form.cleaned_data["file"].name,
                    reason=form.cleaned_data["reason"],
                    dry_run=form.cleaned_data["dry_run"],
                )
                return redirect(f"{reverse('organisations:unit_import')}?run={run.pk}")
            report = excel.import_units(
                actor=request.user,
                data=data,
                reason=form.cleaned_data["reason"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            if report.ok and not report.dry_run:
                messages.success(request, report.lines()[0])
                return redirect("organisations:unit_list")
            if not report.ok:
                # Carried in the page itself so that no copy of the upload is kept on the server.
                error_file = base64.b64encode(excel.error_workbook(report)).decode()
    return render(
        request,
        "organisations/unit_import.html",
        {
            "form": form,
            "report": report,
            "error_file": error_file,
            "xlsx_type": XLSX_CONTENT_TYPE,
            "columns": excel.HEADER,
            "nav_active": "units",
            **run_context(run),
        },
    )
