"""Unit pages: the tree and its Excel export, a unit's page, and the changes to the tree (create, edit, move, merge,
split, delete or close).

Reading: anybody with a role, within :func:`roles.get_units_for_user`.
Writing: the units :func:`access.get_unit_for_user` returns with
``manage=True`` (404 outside what the user sees, 403 when they only read).
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cchc.accounts import roles
from cchc.audit import access as audit_access
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE
from cchc.organisations import access

from .. import excel, selectors, services
from ..forms import (
    SPLIT_ROWS,
    MembershipAddForm,
    SplitPartFormSet,
    UnitCloseForm,
    UnitCreateForm,
    UnitDeleteForm,
    UnitForm,
    UnitMergeForm,
    UnitMoveForm,
    UnitSplitForm,
    show_service_error,
)
from ..models import Unit, UnitKind, UnitQuerySet
from ..picker import Scope, unit_scope
from ..widgets import QUERY_MAX_LENGTH
from .common import GET_POST, form_page, require_reader
from .memberships import membership_users

PAGE_SIZE = 100


def _filtered_units(request: HttpRequest) -> tuple[UnitQuerySet, dict[str, Any]]:
    """The user's visible units narrowed by the list filters (``q``, ``kind``, ``inactive``)."""
    units = roles.get_units_for_user(request.user)
    query = request.GET.get("q", "")[:QUERY_MAX_LENGTH]
    kind = request.GET.get("kind", "")
    show_inactive = request.GET.get("inactive") == "1"
    if not show_inactive:
        units = units.active()
    if kind in UnitKind.values:
        units = units.filter(kind=kind)
    else:
        kind = ""
    if query:
        units = selectors.search(units, query)
    return units, {"query": query, "kind": kind, "show_inactive": show_inactive}


def _filter_querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    require_reader(request)
    units, filters = _filtered_units(request)
    rows = selectors.tree_rows(units)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        **filters,
        "page": page,
        "total": len(rows),
        "kinds": UnitKind.choices,
        "filter_query": _filter_querystring(request),
        "can_manage": access.can_manage_units(request.user),
        "nav_active": "units",
    }
    template = "organisations/unit_list.html"
    if getattr(request, "htmx", False) and not request.htmx.boosted:  # type: ignore[attr-defined]
        template += "#unit-table"
    return render(request, template, context)


@require_GET
@login_required
def unit_export(request: HttpRequest) -> FileResponse:
    """The units of the list (same filters) as an Excel workbook, streamed from a spooled file."""
    require_reader(request)
    units, _filters = _filtered_units(request)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by FileResponse
    excel.write_units_xlsx(units, spool)
    spool.seek(0)
    filename = f"don-vi-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


@require_GET
@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.get_unit_for_user(request.user, unit_id)
    can_manage = access.can_manage_unit(request.user, unit)
    context = selectors.unit_context(unit)
    context.update({"unit": unit, "can_manage": can_manage, "nav_active": "units"})
    if can_manage:
        context["history"] = selectors.unit_history(audit_access.get_audit_entries_for_user(request.user), unit)
        context["membership_form"] = MembershipAddForm(users=membership_users(request, unit))
    return render(request, "organisations/unit_detail.html", context)


def _manageable_parents(request: HttpRequest, moving: Unit | None = None) -> Scope:
    return unit_scope(request.user, "units.parents", moving=moving.pk if moving is not None else None)


@GET_POST
@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    parent: Unit | None = None
    if request.GET.get("parent"):
        parent = access.get_unit_for_user(request.user, request.GET["parent"], manage=True)
    else:
        roles.require(access.can_manage_units(request.user))
    allow_root = access.can_manage_unit(request.user, None)
    initial: dict[str, Any] = {"parent": parent}
    if parent is not None and parent.kind == UnitKind.PROVINCE:
        initial["kind"] = UnitKind.DEPARTMENT
    form = UnitCreateForm(
        request.POST or None, initial=initial, parents=_manageable_parents(request), allow_root=allow_root
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["parent"]
        roles.require(access.can_manage_unit(request.user, chosen))
        try:
            unit = services.unit_create(
                actor=request.user, data=form.unit_data(), parent=chosen, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã thêm đơn vị “%(name)s”.") % {"name": unit.name})
            return redirect("organisations:unit_detail", unit.pk)
    return form_page(request, "organisations/unit_form.html", parent, form=form, mode="create")


@GET_POST
@login_required
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.get_unit_for_user(request.user, unit_id, manage=True)
    form = UnitForm(request.POST or None, initial=UnitForm.initial_for(unit))
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(
                actor=request.user, unit=unit, data=form.unit_data(), reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin đơn vị."))
            return redirect("organisations:unit_detail", unit.pk)
    return form_page(request, "organisations/unit_form.html", unit, form=form, mode="edit")


@GET_POST
@login_required
def unit_move(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.get_unit_for_user(request.user, unit_id, manage=True)
    parents = _manageable_parents(request, moving=unit)
    form = UnitMoveForm(
        request.POST or None,
        initial={"new_parent": unit.parent_id},
        parents=parents,
        allow_root=access.can_manage_unit(request.user, None),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_move(
                actor=request.user,
                unit=unit,
                new_parent=form.cleaned_data["new_parent"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã chuyển đơn vị sang đơn vị cấp trên mới."))
            return redirect("organisations:unit_detail", unit.pk)
    return form_page(request, "organisations/unit_move.html", unit, form=form)


def _siblings(request: HttpRequest, unit: Unit) -> Scope:
    """Active units with the same parent that the user manages: the candidates for a merge."""
    return unit_scope(request.user, "units.siblings", unit=unit.pk)


@GET_POST
@login_required
def unit_merge(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.get_unit_for_user(request.user, unit_id, manage=True)
    siblings = _siblings(request, unit)
    form = UnitMergeForm(
        request.POST or None,
        siblings=siblings,
        initial={"sources": [unit.pk], "new_kind": unit.kind, "new_subtype": unit.subtype},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_unit = form.new_unit_data()
        try:
            result = services.unit_merge(
                actor=request.user,
                units=data["sources"],
                into=None if new_unit else data["into"],
                new_unit=new_unit,
                parent=unit.parent,
                effective_date=data["effective_date"],
                reason=data["reason"],
                move_children=data["move_children"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã hợp nhất vào “%(name)s”.") % {"name": result.name})
            return redirect("organisations:unit_detail", result.pk)
    return form_page(request, "organisations/unit_merge.html", unit, form=form)


@GET_POST
@login_required
def unit_split(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access.get_unit_for_user(request.user, unit_id, manage=True)
    form = UnitSplitForm(request.POST or None)
    parts = SplitPartFormSet(
        request.POST or None, prefix="parts", initial=[{"kind": unit.kind, "subtype": unit.subtype}] * SPLIT_ROWS
    )
    if request.method == "POST" and form.is_valid() and parts.is_valid():
        into = [data for part in parts.forms if (data := part.unit_data()) is not None]  # type: ignore[attr-defined]
        try:
            results = services.unit_split(
                actor=request.user,
                unit=unit,
                into=into,
                effective_date=form.cleaned_data["effective_date"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Đã chia tách thành %(count)s đơn vị: %(names)s.")
                % {"count": len(results), "names": ", ".join(result.name for result in results)},
            )
            return redirect("organisations:unit_detail", unit.pk)
    return form_page(request, "organisations/unit_split.html", unit, form=form, parts=parts)


@GET_POST
@login_required
def unit_delete(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Delete a unit entered by mistake, or (``action=close``) end the validity of one that has history."""
    unit = access.get_unit_for_user(request.user, unit_id, manage=True)
    is_close = request.POST.get("action") == "close"
    form = UnitDeleteForm(request.POST if request.method == "POST" and not is_close else None)
    close_form = UnitCloseForm(
        request.POST if is_close else None, unit=unit, initial={"valid_to": timezone.localdate()}
    )
    refused = ""
    if request.method == "POST" and is_close and close_form.is_valid():
        data = services.UnitData(
            name=unit.name,
            kind=unit.kind,
            code=unit.code,
            short_name=unit.short_name,
            subtype=unit.subtype,
            valid_from=unit.valid_from,
            valid_to=close_form.cleaned_data["valid_to"],
        )
        try:
            services.unit_update(actor=request.user, unit=unit, data=data, reason=close_form.cleaned_data["reason"])
        except ServiceError as exc:
            show_service_error(close_form, exc)
        else:
            messages.success(request, _("Đã kết thúc hiệu lực của đơn vị."))
            return redirect("organisations:unit_detail", unit.pk)
    elif request.method == "POST" and not is_close and form.is_valid():
        parent_id = unit.parent_id
        name = unit.name
        try:
            services.unit_delete(actor=request.user, unit=unit, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            refused = exc.message
        else:
            messages.success(request, _("Đã xóa đơn vị “%(name)s”.") % {"name": name})
            if parent_id:
                return redirect("organisations:unit_detail", parent_id)
            return redirect("organisations:unit_list")
    return form_page(request, "organisations/unit_delete.html", unit, form=form, close_form=close_form, refused=refused)
