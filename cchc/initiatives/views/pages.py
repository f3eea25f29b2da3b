"""Pages of the initiative register: the list of a year with the count per unit against the target, proposing,
editing and withdrawing (the unit), files, recognition with confirmation (the secretariat), and the Excel export."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cchc.lib.errors import ServiceError
from cchc.lib.requests import posted, requested_year
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE, write_table

from .. import access, exports, selectors, services
from ..forms import AppliedForm, FileForm, InitiativeForm, RecogniseForm, RefuseForm, show_service_error

GET_POST = require_http_methods(["GET", "POST"])


def _page(request: HttpRequest, template: str, *, status: int = 200, **context: Any) -> HttpResponse:
    return render(request, template, {"nav_active": "initiatives", **context}, status=status)


def _require_viewer(request: HttpRequest) -> None:
    if not access.can_view_register(request.user):
        raise PermissionDenied


@require_GET
@login_required
def initiative_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    year = requested_year(request)
    visible = access.get_initiatives_for_user(request.user)
    initiatives = list(visible.filter(year=year).order_by("unit__name", "pk"))
    return _page(
        request,
        "initiatives/initiative_list.html",
        year=year,
        initiatives=initiatives,
        counts=selectors.counts_by_unit(visible, year),
        can_propose=access.proposing_units(request.user).exists(),
    )


@GET_POST
@login_required
def initiative_create(request: HttpRequest) -> HttpResponse:
    units = access.proposing_units(request.user)
    if not units.exists():
        raise PermissionDenied
    form = InitiativeForm(posted(request), request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            initiative = services.initiative_propose(
                actor=request.user,
                unit=data["unit"],
                year=data["year"],
                title=data["title"],
                description=data["description"],
                upload=data.get("file"),
            )
        except ServiceError as exc:
            show_service_error(form, exc)
            if exc.field == "file":
                # Nothing was stored: the unit chooses the file again, the text it typed is kept.
                return _page(request, "initiatives/initiative_form.html", form=form, initiative=None, status=400)
        else:
            messages.success(request, _("Đã gửi đề xuất sáng kiến."))
            return redirect("initiatives:initiative_detail", initiative.pk)
    return _page(request, "initiatives/initiative_form.html", form=form, initiative=None)


@require_GET
@login_required
def initiative_detail(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = access.get_initiative_for_user(request.user, initiative_id)
    return _detail(request, initiative)


def _detail(request: HttpRequest, initiative: Any, *, file_form: FileForm | None = None) -> HttpResponse:
    can_edit = access.can_edit(request.user, initiative)
    return _page(
        request,
        "initiatives/initiative_detail.html",
        initiative=initiative,
        files=list(initiative.files.all()),
        can_edit=can_edit,
        can_recognise=access.can_recognise(request.user, initiative) and initiative.status == "proposed",
        can_refuse=access.can_refuse(request.user, initiative),
        can_reopen=access.can_reopen(request.user, initiative),
        can_mark_applied=access.can_mark_applied(request.user, initiative),
        file_form=file_form or (FileForm() if can_edit else None),
        applied_form=AppliedForm(initial={"applied_on": timezone.localdate()}),
    )


@GET_POST
@login_required
def initiative_edit(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = access.get_initiative_for_user(request.user, initiative_id)
    access.require(access.can_edit(request.user, initiative))
    initial = {"title": initiative.title, "description": initiative.description}
    form = InitiativeForm(posted(request), units=None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.initiative_update(
                actor=request.user,
                initiative=initiative,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu sáng kiến."))
            return redirect("initiatives:initiative_detail", initiative.pk)
    return _page(request, "initiatives/initiative_form.html", form=form, initiative=initiative)


@GET_POST
@login_required
def initiative_withdraw(request: HttpRequest, initiative_id: int) -> HttpResponse:
    found = access.get_initiatives_for_user(request.user).filter(pk=initiative_id).first()
    if found is None and request.method == "POST":
        return redirect("initiatives:initiative_list")  # a second click: already withdrawn
    initiative = access.get_initiative_for_user(request.user, initiative_id)
    access.require(access.can_edit(request.user, initiative))
    if request.method == "POST":
        services.initiative_withdraw(actor=request.user, initiative=initiative)
        messages.success(request, _("Đã rút đề xuất sáng kiến."))
        return redirect("initiatives:initiative_list")
    return _page(request, "initiatives/initiative_withdraw.html", initiative=initiative)


@require_POST
@login_required
def file_add(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = access.get_initiative_for_user(request.user, initiative_id)
    access.require(access.can_edit(request.user, initiative))
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.initiative_file_add(actor=request.user, initiative=initiative, upload=form.cleaned_data["file"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã đính kèm tệp."))
            return redirect("initiatives:initiative_detail", initiative.pk)
    return _detail(request, initiative, file_form=form)


@require_GET
@login_required
def file_download(request: HttpRequest, initiative_id: int, file_id: int) -> FileResponse:
    initiative = access.get_initiative_for_user(request.user, initiative_id)
    stored = access.get_file_for_user(request.user, initiative, file_id)
    return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.file_name)


@GET_POST
@login_required
def initiative_recognise(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = access.get_initiative_for_user(request.user, initiative_id)
    access.require(access.can_recognise(request.user, initiative))
    form = RecogniseForm(posted(request), initial={"recognised_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.initiative_recognise(
                actor=request.user,
                initiative=initiative,
                level=data["level"],
                recognised_on=data["recognised_on"],
                reference=data["reference"],
            )
        except ServiceError as exc:
            if exc.code == "already":
                return redirect("initiatives:initiative_detail", initiative.pk)
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã công nhận sáng kiến."))
            return redirect("initiatives:initiative_detail", initiative.pk)
    return _page(request, "initiatives/initiative_recognise.html", initiative=initiative, form=form)


@GET_POST
@login_required
def initiative_refuse(request: HttpRequest, initiative_id: int) -> HttpResponse:
    """Confirmation page, then the decision that the proposal is not recognised (with the reason)."""
    initiative = access.get_initiative_for_user(request.user, initiative_id)
    if request.method == "POST" and initiative.status == "not_recognised":
        return redirect("initiatives:initiative_detail", initiative.pk)  # a second click
    access.require(access.can_refuse(request.user, initiative))
    form = RefuseForm(posted(request), initial={"refused_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.initiative_refuse(
                actor=request.user, initiative=initiative, reason=data["reason"], refused_on=data["refused_on"]
            )
        except ServiceError as exc:
            if exc.code == "already":
                return redirect("initiatives:initiative_detail", initiative.pk)
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận sáng kiến không được công nhận."))
            return redirect("initiatives:initiative_detail", initiative.pk)
    status = 400 if request.method == "POST" else 200
    return _page(request, "initiatives/initiative_refuse.html", initiative=initiative, form=form, status=status)


@require_POST
@login_required
def initiative_reopen(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = access.get_initiative_for_user(request.user, initiative_id)
    if initiative.status == "proposed":
        return redirect("initiatives:initiative_detail", initiative.pk)  # a second click
    access.require(access.can_reopen(request.user, initiative))
    try:
        services.initiative_reopen(actor=request.user, initiative=initiative)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã mở lại sáng kiến để xét công nhận."))
    return redirect("initiatives:initiative_detail", initiative.pk)


@require_POST
@login_required
def initiative_applied(request: HttpRequest, initiative_id: int) -> HttpResponse:
    initiative = access.get_initiative_for_user(request.user, initiative_id)
    if initiative.status == "applied":
        return redirect("initiatives:initiative_detail", initiative.pk)
    access.require(access.can_mark_applied(request.user, initiative))
    form = AppliedForm(request.POST)
    if form.is_valid():
        try:
            services.initiative_mark_applied(
                actor=request.user, initiative=initiative, applied_on=form.cleaned_data["applied_on"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã ghi nhận sáng kiến được áp dụng."))
    else:
        messages.error(request, _("Hãy chọn ngày áp dụng hợp lệ."))
    return redirect("initiatives:initiative_detail", initiative.pk)


@require_GET
@login_required
def register_export(request: HttpRequest) -> FileResponse:
    _require_viewer(request)
    year = requested_year(request)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by FileResponse
    write_table(
        spool,
        title=_("Sáng kiến CCHC %(year)s") % {"year": year},
        header=exports.initiative_header(),
        rows=exports.initiative_rows(access.get_initiatives_for_user(request.user).filter(year=year)),
        widths=[8, 30, 60, 16, 22, 14, 20, 14],
    )
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=f"sang-kien-cchc-{year}.xlsx", content_type=XLSX_CONTENT_TYPE
    )
