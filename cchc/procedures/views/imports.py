"""The import pages: upload the catalogue, a dossier export or an aggregate report; map the columns of a file no
preset knows; follow a run (progress, then counts and error file); the import history."""

from __future__ import annotations

import datetime
from pathlib import PurePath
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cchc.accounts import roles
from cchc.accounts.models import User
from cchc.imports.models import ImportKind, ImportRun, ImportStatus
from cchc.lib.errors import ServiceError
from cchc.lib.numbers import format_count
from cchc.lib.spreadsheet import max_import_rows
from cchc.organisations.forms import show_service_error
from cchc.organisations.picker import unit_scope

from .. import access, jobs, mapping, presets, selectors, services
from ..forms import (
    VALID_ROWS,
    AggregateImportForm,
    ColumnMappingForm,
    DossierImportForm,
    ProcedureImportForm,
    UploadForm,
    new_token,
)
from ..parsing import FIELD_LABELS

GET_POST = require_http_methods(["GET", "POST"])
HISTORY_PER_PAGE = 50
RECENT_RUNS = 10


def _require_importer(request: HttpRequest) -> None:
    roles.require(access.can_import_dossiers(request.user))


def _context(**values: Any) -> dict[str, Any]:
    return {
        "nav_active": "procedures",
        "max_rows": format_count(max_import_rows()),
        "max_csv_mb": jobs.max_csv_bytes() // (1024 * 1024),
        **values,
    }


def _bound(request: HttpRequest) -> tuple[Any, Any]:
    """The posted data and files, also when a form is sent empty (an unbound form would show no error)."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _recent(request: HttpRequest, kinds: Any) -> list[ImportRun]:
    """The user's own latest uploads of these kinds (also those refused, which left no import in the history)."""
    runs = ImportRun.objects.filter(created_by=cast(User, request.user), kind__in=list(kinds))
    return list(runs.order_by("-created_at")[:RECENT_RUNS])


def _run_url(run: ImportRun) -> str:
    return reverse("procedures:import_run", args=[run.pk])


def _upload(
    request: HttpRequest, *, kind: str, form: UploadForm, template: str, options: dict[str, Any] | None
) -> HttpResponse:
    """Keep the checked upload with a run, then map its columns or import it; the form again on any error."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and options is not None:
            run: ImportRun | None = None
            created = False
            try:
                run, created = jobs.run_create(
                    actor=request.user,
                    kind=kind,
                    upload=form.cleaned_data["file"],
                    options=options,
                    token=form.cleaned_data.get("token") or "",
                )
                if not created:
                    return redirect(_run_url(run))
                if kind == ImportKind.DOSSIERS and (options.get("map_columns") or not jobs.run_header_matches(run)):
                    run.options = {**run.options, "stage": "mapping"}
                    ImportRun.objects.filter(pk=run.pk).update(options=run.options)
                    return redirect(reverse("procedures:import_columns", args=[run.pk]))
                run = jobs.run_start(run)
            except ServiceError as exc:
                if run is not None and created and not run.finished:
                    jobs.run_discard(run, message=exc.message)
                show_service_error(form, exc)
            else:
                if run.status == ImportStatus.FAILED:
                    form.add_error("file", run.message)
                else:
                    return redirect(_run_url(run))
    if form.is_bound:
        # The form comes back to be sent again (a corrected file): it is a new submission, with a new token.
        data = request.POST.copy()
        data["token"] = new_token()
        form.data = data
    return render(request, template, _context(form=form, kind=kind, recent=_recent(request, [kind])), status=status)


@GET_POST
@login_required
def import_catalogue(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = ProcedureImportForm(*_bound(request))
    return _upload(
        request,
        kind=ImportKind.PROCEDURES,
        form=form,
        template="procedures/imports/catalogue.html",
        options={},
    )


@GET_POST
@login_required
def import_dossiers(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = DossierImportForm(*_bound(request))
    options = None
    if request.method == "POST" and form.is_valid():
        options = {
            "source": form.cleaned_data["source"],
            "preset": form.cleaned_data["preset"],
            "valid_rows": form.cleaned_data["mode"] == VALID_ROWS,
            "map_columns": form.cleaned_data["map_columns"],
        }
    return _upload(
        request,
        kind=ImportKind.DOSSIERS,
        form=form,
        template="procedures/imports/dossiers.html",
        options=options,
    )


@GET_POST
@login_required
def import_aggregates(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = AggregateImportForm(*_bound(request), units=unit_scope(request.user, "units.visible"))
    options = None
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data.get("unit")
        options = {
            "source": form.cleaned_data["source"],
            "preset": form.cleaned_data["preset"],
            "valid_rows": form.cleaned_data["mode"] == VALID_ROWS,
            "period_start": form.cleaned_data["period_start"].isoformat(),
            "period_end": form.cleaned_data["period_end"].isoformat(),
            "unit": unit.pk if unit is not None else None,
        }
    return _upload(
        request,
        kind=ImportKind.AGGREGATES,
        form=form,
        template="procedures/imports/aggregates.html",
        options=options,
    )


def _period(options: dict[str, Any]) -> tuple[datetime.date, datetime.date] | None:
    try:
        return datetime.date.fromisoformat(options["period_start"]), datetime.date.fromisoformat(options["period_end"])
    except (KeyError, TypeError, ValueError):
        return None


def _outcome(run: ImportRun) -> dict[str, Any]:
    outcome = dict(run.options.get("outcome") or {})
    outcome.setdefault("refused", False)
    return outcome


@require_GET
@login_required
def import_run(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run's progress (polled by htmx while it goes), then its counts, summary and error file."""
    _require_importer(request)
    run = access.get_import_run_for_user(request.user, run_id)
    if run.options.get("stage") == "mapping" and not run.finished:
        return redirect(reverse("procedures:import_columns", args=[run.pk]))
    context = _context(
        run=run,
        outcome=_outcome(run),
        stale=jobs.is_stale(run),
        errors_shown=run.errors[: jobs.ERRORS_KEPT],
        options=run.options,
        preset_title=presets.title_of(run.options.get("preset", "")),
        period=_period(run.options),
        mode_label=_("Chỉ nhập các dòng hợp lệ")
        if run.options.get("valid_rows")
        else _("Không nhập gì nếu có dòng lỗi"),
    )
    if getattr(request, "htmx", False):
        return render(request, "procedures/imports/_run.html", context)
    return render(request, "procedures/imports/run.html", context)


@require_GET
@login_required
def import_errors(request: HttpRequest, run_id: int) -> HttpResponseBase:
    """The error workbook of a run: the bad rows as they were in the file, with what is wrong."""
    run = access.get_error_run_for_user(request.user, run_id)
    if not run.error_file:
        raise Http404
    name = f"loi-{PurePath(run.file_name).stem or 'nhap'}.xlsx"
    return FileResponse(run.error_file.open("rb"), as_attachment=True, filename=name)


def _chosen_from_post(request: HttpRequest) -> dict[str, int | None]:
    chosen: dict[str, int | None] = {}
    for name in presets.FIELDS:
        value = request.POST.get(f"col_{name}", "")
        chosen[name] = int(value) if value.isdigit() else None
    return chosen


@GET_POST
@login_required
def import_columns(request: HttpRequest, run_id: int) -> HttpResponse:
    """The column-mapping screen: each dossier field's column in the file, saved as a preset, then the import."""
    _require_importer(request)
    run = access.get_import_run_for_user(request.user, run_id)
    if run.kind != ImportKind.DOSSIERS or run.finished or run.options.get("stage") != "mapping" or not run.file:
        return redirect(_run_url(run))
    if request.method == "POST" and "discard" in request.POST:
        jobs.run_discard(run)
        return redirect("procedures:import_dossiers")
    try:
        preset = services.preset_get(run.options.get("preset", presets.DEFAULT))
    except ServiceError:
        preset = presets.TRACKING_BOOK
    try:
        sample = jobs.run_sample(run, preset)
    except ServiceError as exc:
        jobs.run_discard(run, message=exc.message)
        return render(request, "procedures/imports/columns.html", _context(run=run, file_error=exc.message), status=400)
    status = 200
    missing: list[str] = []
    if request.method == "POST":
        chosen = _chosen_from_post(request)
        data = request.POST.copy()
        form = ColumnMappingForm(data, sample=sample, chosen=chosen)
        for name, value, key in form.code_rows:
            if key not in request.POST:  # a column chosen just now: its values start from the guess
                data[key] = mapping.code_guess(name, value, preset)
        if form.is_valid() and "save" in request.POST:
            missing = mapping.missing_required(form.chosen())
            name = form.cleaned_data["name"].strip()
            if missing:
                form.add_error(
                    None,
                    _("Chưa chọn cột cho trường bắt buộc: %(fields)s.") % {"fields": ", ".join(missing)},
                )
            elif not name:
                form.add_error("name", _("Hãy đặt tên cho mẫu cột để lưu."))
            else:
                try:
                    services.preset_save(
                        actor=request.user,
                        name=name,
                        columns=form.columns(),
                        codes=form.codes(),
                        date_format=form.cleaned_data["date_format"],
                        description=_("Lưu từ tệp %(file)s") % {"file": run.file_name},
                    )
                    run = jobs.run_continue(run, preset=name)
                except ServiceError as exc:
                    show_service_error(form, exc)
                else:
                    return redirect(_run_url(run))
            status = 400
        elif not form.is_valid():
            status = 400
    else:
        chosen = {name: sample.guess.get(name) for name in presets.FIELDS}
        date_format = presets.PORTAL_TIMESTAMP if sample.looks_like_portal_dates else preset.date_format
        initial: dict[str, Any] = {"date_format": date_format}
        form = ColumnMappingForm(initial=initial, sample=sample, chosen=chosen)
        for name, value, key in form.code_rows:
            form.initial[key] = mapping.code_guess(name, value, preset)
        missing = mapping.missing_required(chosen)
    header_missing = (
        _("Tiêu đề của tệp không khớp mẫu cột “%(preset)s”: thiếu cột %(fields)s. Hãy chọn cột cho từng trường.")
        % {"preset": preset.label, "fields": ", ".join(missing)}
        if missing and request.method == "GET"
        else ""
    )
    return render(
        request,
        "procedures/imports/columns.html",
        _context(
            run=run,
            form=form,
            sample=sample,
            preset=preset,
            header_missing=header_missing,
            coded=[(FIELD_LABELS[name], form.code_fields(name)) for name in mapping.CODED_FIELDS],
        ),
        status=status,
    )


@require_GET
@login_required
def import_history(request: HttpRequest) -> HttpResponse:
    """The imports of the catalogue, dossiers and aggregates the user may see, and their own recent uploads."""
    _require_importer(request)
    page = Paginator(
        selectors.import_history(access.get_data_imports_for_user(request.user)), HISTORY_PER_PAGE
    ).get_page(request.GET.get("page"))
    ids = [row.pk for row in page.object_list]
    error_runs = {
        run.options["outcome"]["data_import"]: run.pk
        for run in ImportRun.objects.filter(kind__in=jobs.KINDS, options__outcome__data_import__in=ids).exclude(
            error_file=""
        )
    }
    rows = [(row, error_runs.get(row.pk), presets.title_of(row.preset)) for row in page.object_list]
    recent = ImportRun.objects.filter(created_by=cast(User, request.user), kind__in=jobs.KINDS).order_by("-created_at")[
        :RECENT_RUNS
    ]
    return render(
        request,
        "procedures/imports/history.html",
        _context(page=page, rows=rows, recent=recent),
    )
