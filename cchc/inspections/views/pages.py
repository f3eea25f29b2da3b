"""Pages of the inspection register: the plans of a year with their coverage, a plan with its inspections, an
inspection with its findings (each one a task), and the Excel export."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cchc.lib.errors import ServiceError
from cchc.lib.requests import posted, requested_year
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE, write_table
from cchc.organisations.picker import unit_scope

from .. import access, exports, selectors, services
from ..forms import FindingForm, InspectionForm, PlanEditForm, PlanForm, show_service_error
from ..models import PlanStatus

GET_POST = require_http_methods(["GET", "POST"])


def _page(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    return render(request, template, {"nav_active": "inspections", **context})


def _require_viewer(request: HttpRequest) -> None:
    if not access.can_view_register(request.user):
        raise PermissionDenied


@require_GET
@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    year = requested_year(request)
    plans = [
        (plan, selectors.coverage(plan.organiser, year), selectors.remedied_of_plan(plan))
        for plan in access.get_plans_for_user(request.user).filter(year=year)
    ]
    own = []
    if not access.can_read_plans(request.user):
        own = list(selectors.plan_inspections_of(access.get_inspections_for_user(request.user).filter(plan__year=year)))
    return _page(
        request,
        "inspections/plan_list.html",
        year=year,
        plans=plans,
        own=own,
        can_read_plans=access.can_read_plans(request.user),
        can_manage=access.can_manage_plans(request.user),
    )


@GET_POST
@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    if not access.can_manage_plans(request.user):
        raise PermissionDenied
    form = PlanForm(posted(request), organisers=access.organisers_for_user(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=request.user,
                organiser=data["organiser"],
                year=data["year"],
                title=data["title"],
                reference=data["reference"],
                note=data["note"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lập kế hoạch kiểm tra."))
            return redirect("inspections:plan_detail", plan.pk)
    return _page(request, "inspections/plan_form.html", form=form)


def _inspection_form(request: HttpRequest, data: Any = None) -> InspectionForm:
    return InspectionForm(data, units=unit_scope(request.user, "units.visible", manage=True, active=True))


@require_GET
@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, plan_id)
    return _plan_page(request, plan)


def _plan_page(request: HttpRequest, plan: Any, form: InspectionForm | None = None) -> HttpResponse:
    can_manage = access.can_manage_plan(request.user, plan)
    return _page(
        request,
        "inspections/plan_detail.html",
        plan=plan,
        inspections=list(selectors.plan_inspections(plan)),
        coverage=selectors.coverage(plan.organiser, plan.year),
        remedied=selectors.remedied_of_plan(plan),
        can_manage=can_manage and not plan.is_closed,
        can_approve=can_manage and plan.status == PlanStatus.DRAFT,
        can_close=can_manage and plan.status == PlanStatus.APPROVED,
        form=form or (_inspection_form(request) if can_manage and not plan.is_closed else None),
    )


@require_POST
@login_required
def inspection_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, plan_id, manage=True)
    form = _inspection_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _inspection, created = services.inspection_add(
                actor=request.user,
                plan=plan,
                unit=data["unit"],
                planned_on=data["planned_on"],
                team=data["team"],
                note=data["note"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            if created:
                messages.success(request, _("Đã thêm đơn vị vào kế hoạch kiểm tra."))
            else:
                messages.info(request, _("Đơn vị này đã có trong kế hoạch."))
            return redirect("inspections:plan_detail", plan.pk)
    return _plan_page(request, plan, form)


@require_POST
@login_required
def plan_approve(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, plan_id, manage=True)
    try:
        services.plan_approve(actor=request.user, plan=plan)
    except ServiceError as exc:
        if exc.code != "already":
            messages.error(request, exc.message)
            return redirect("inspections:plan_detail", plan.pk)
    messages.success(request, _("Kế hoạch đã được ban hành; các đơn vị được kiểm tra xem được lịch kiểm tra."))
    return redirect("inspections:plan_detail", plan.pk)


@GET_POST
@login_required
def plan_close(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, plan_id, manage=True)
    if request.method == "POST":
        try:
            services.plan_close(actor=request.user, plan=plan)
        except ServiceError as exc:
            if exc.code != "already":
                messages.error(request, exc.message)
                return redirect("inspections:plan_detail", plan.pk)
        messages.success(request, _("Kế hoạch đã kết thúc."))
        return redirect("inspections:plan_detail", plan.pk)
    return _page(request, "inspections/plan_close.html", plan=plan, incomplete=selectors.plan_is_incomplete(plan))


def _inspection_page(
    request: HttpRequest, inspection: Any, *, form: FindingForm | None = None, edit: InspectionForm | None = None
) -> HttpResponse:
    can_manage = access.can_manage_plan(request.user, inspection.plan) and not inspection.plan.is_closed
    return _page(
        request,
        "inspections/inspection_detail.html",
        inspection=inspection,
        plan=inspection.plan,
        findings=list(selectors.finding_rows(inspection.findings.all())),
        can_manage=can_manage,
        form=form or (FindingForm() if can_manage and inspection.is_done else None),
        edit=edit,
    )


@require_GET
@login_required
def inspection_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = access.get_inspection_for_user(request.user, inspection_id)
    return _inspection_page(request, inspection)


@GET_POST
@login_required
def inspection_edit(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = access.get_inspection_for_user(request.user, inspection_id, manage=True)
    initial = {
        "planned_on": inspection.planned_on,
        "team": inspection.team,
        "note": inspection.note,
        "done_on": inspection.done_on,
    }
    form = InspectionForm(posted(request), with_done=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.inspection_update(
                actor=request.user,
                inspection=inspection,
                planned_on=data["planned_on"],
                team=data["team"],
                note=data["note"],
                done_on=data["done_on"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu cuộc kiểm tra."))
            return redirect("inspections:inspection_detail", inspection.pk)
    return _page(request, "inspections/inspection_form.html", inspection=inspection, form=form)


@require_POST
@login_required
def finding_create(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = access.get_inspection_for_user(request.user, inspection_id, manage=True)
    form = FindingForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _finding, created = services.finding_create(
                actor=request.user,
                inspection=inspection,
                kind=data["kind"],
                content=data["content"],
                deadline=data["deadline"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            if created:
                messages.success(request, _("Đã ghi kiến nghị, tồn tại và giao nhiệm vụ khắc phục cho đơn vị."))
            return redirect("inspections:inspection_detail", inspection.pk)
    return _inspection_page(request, inspection, form=form)


@require_POST
@login_required
def inspection_delete(request: HttpRequest, inspection_id: int) -> HttpResponse:
    found = access.get_inspections_for_user(request.user).filter(pk=inspection_id).first()
    if found is None:
        return redirect("inspections:plan_list")  # a second click: already taken out of the plan
    inspection = access.get_inspection_for_user(request.user, inspection_id, manage=True)
    plan_id = inspection.plan_id
    try:
        services.inspection_delete(actor=request.user, inspection=inspection)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã bỏ đơn vị khỏi kế hoạch kiểm tra."))
    return redirect("inspections:plan_detail", plan_id)


@GET_POST
@login_required
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, plan_id, manage=True)
    initial = {"title": plan.title, "reference": plan.reference, "note": plan.note}
    form = PlanEditForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_update(
                actor=request.user, plan=plan, title=data["title"], reference=data["reference"], note=data["note"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu kế hoạch kiểm tra."))
            return redirect("inspections:plan_detail", plan.pk)
    return _page(request, "inspections/plan_form.html", form=form, plan=plan)


@require_POST
@login_required
def finding_delete(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = access.get_finding_for_user(request.user, finding_id, manage=True)
    inspection_id = finding.inspection_id
    try:
        services.finding_delete(actor=request.user, finding=finding)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xóa kiến nghị, tồn tại và nhiệm vụ khắc phục của nó."))
    return redirect("inspections:inspection_detail", inspection_id)


@require_GET
@login_required
def register_export(request: HttpRequest) -> FileResponse:
    _require_viewer(request)
    year = requested_year(request)
    inspections = access.get_inspections_for_user(request.user).filter(plan__year=year)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by FileResponse
    write_table(
        spool,
        title=_("Kiểm tra CCHC %(year)s") % {"year": year},
        header=exports.inspection_header(),
        rows=exports.inspection_rows(inspections),
        widths=[40, 30, 14, 14, 14, 40, 12, 12, 12],
    )
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=f"kiem-tra-cchc-{year}.xlsx", content_type=XLSX_CONTENT_TYPE
    )
