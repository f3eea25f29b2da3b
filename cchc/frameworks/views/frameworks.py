"""Framework pages: the list, loading samples, a framework's tree, creating, editing, deleting, copying and comparing
frameworks, and the Excel export.

Reading: every user with a role, within :func:`access.get_frameworks_for_user`.
Writing: the frameworks :func:`access.get_framework_for_user` returns with
``manage=True`` (404 outside what the user reads, 403 when they only read it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cchc.accounts import roles
from cchc.frameworks import access
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE
from cchc.organisations.models import UnitKind
from cchc.organisations.picker import Scope, unit_scope

from .. import excel, samples, selectors, services
from ..forms import (
    FrameworkCloneForm,
    FrameworkDeleteForm,
    FrameworkForm,
    SampleLoadForm,
    show_service_error,
)
from ..models import Framework
from .common import GET_POST, page, posted

OWNER_KINDS = (UnitKind.PROVINCE, UnitKind.DISTRICT)


def _require_reader(request: HttpRequest) -> None:
    if not roles.roles_of(request.user) and not roles.is_admin(request.user):
        raise PermissionDenied


def _owners(request: HttpRequest) -> Scope:
    kinds = [str(kind) for kind in OWNER_KINDS]
    return unit_scope(request.user, "units.visible", manage=True, active=True, kinds=kinds)


def _allow_shared(request: HttpRequest) -> bool:
    return access.can_manage_framework(request.user, Framework(owner=None))


# ---------------------------------------------------------------------------
# List, detail, samples


@require_GET
@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    frameworks = access.get_frameworks_for_user(request.user).select_related("owner")
    year = request.GET.get("year", "")
    kind = request.GET.get("kind", "")
    if year.isdigit():
        frameworks = frameworks.filter(year=int(year))
    else:
        year = ""
    if kind in UnitKind.values:
        frameworks = frameworks.filter(unit_kind=kind)
    else:
        kind = ""
    frameworks = frameworks.annotate(leaf_count=Count("criteria", filter=Q(criteria__children__isnull=True))).order_by(
        "-year", "unit_kind", "name"
    )
    years = sorted(set(access.get_frameworks_for_user(request.user).values_list("year", flat=True)), reverse=True)
    can_manage = access.can_manage_frameworks(request.user)
    context: dict[str, Any] = {
        "frameworks": frameworks,
        "year": year,
        "kind": kind,
        "years": years,
        "kinds": UnitKind.choices,
        "can_manage": can_manage,
    }
    if can_manage:
        context["sample_form"] = SampleLoadForm(owners=_owners(request), allow_shared=_allow_shared(request))
    return page(request, "frameworks/framework_list.html", **context)


@require_http_methods(["POST"])
@login_required
def sample_load(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_manage_frameworks(request.user))
    form = SampleLoadForm(request.POST, owners=_owners(request), allow_shared=_allow_shared(request))
    if form.is_valid():
        owner = form.cleaned_data["owner"]
        roles.require(access.can_manage_framework(request.user, Framework(owner=owner)))
        names = []
        try:
            for key in form.cleaned_data["samples"]:
                installed = samples.install_sample(
                    actor=request.user, key=key, year=form.cleaned_data["year"], owner=owner
                )
                names.append(installed.framework.name)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã nạp bộ tiêu chí mẫu: %(names)s.") % {"names": "; ".join(names)})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("frameworks:framework_list")


@require_GET
@login_required
def framework_detail(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id)
    problems = selectors.framework_validate(framework)
    can_manage = access.can_manage_framework(request.user, framework)
    locked = framework.is_locked()
    others = (
        access.get_frameworks_for_user(request.user)
        .filter(unit_kind=framework.unit_kind)
        .exclude(pk=framework.pk)
        .order_by("-year", "name")
    )
    return page(
        request,
        "frameworks/framework_detail.html",
        framework=framework,
        rows=selectors.tree_rows(framework, problems),
        problems=problems,
        general_problems=[problem for problem in problems if problem.criterion_id is None],
        error_count=sum(problem.is_error for problem in problems),
        warning_count=sum(not problem.is_error for problem in problems),
        totals=selectors.totals(framework),
        can_manage=can_manage,
        can_edit=can_manage and not locked,
        locked=locked,
        others=others,
    )


# ---------------------------------------------------------------------------
# Creating, changing, copying and comparing frameworks


@GET_POST
@login_required
def framework_create(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_manage_frameworks(request.user))
    owners = _owners(request)
    form = FrameworkForm(
        posted(request), owners=owners, allow_shared=_allow_shared(request), initial={"owner": owners.rows().first()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.framework_data()
        roles.require(access.can_manage_framework(request.user, Framework(owner=data.owner)))
        try:
            framework = services.framework_create(actor=request.user, data=data, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã tạo bộ tiêu chí “%(name)s”.") % {"name": framework.name})
            return redirect("frameworks:framework_detail", framework.pk)
    return page(request, "frameworks/framework_form.html", form=form, framework=None)


@GET_POST
@login_required
def framework_edit(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    form = FrameworkForm(
        posted(request),
        owners=_owners(request),
        allow_shared=_allow_shared(request),
        initial=FrameworkForm.initial_for(framework),
    )
    if request.method == "POST" and form.is_valid():
        data = form.framework_data(is_sample=framework.is_sample)
        roles.require(access.can_manage_framework(request.user, Framework(owner=data.owner)))
        try:
            services.framework_update(
                actor=request.user, framework=framework, data=data, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin bộ tiêu chí."))
            return redirect("frameworks:framework_detail", framework.pk)
    return page(request, "frameworks/framework_form.html", form=form, framework=framework)


@GET_POST
@login_required
def framework_delete(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    form = FrameworkDeleteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        name = framework.name
        try:
            services.framework_delete(actor=request.user, framework=framework, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã xóa bộ tiêu chí “%(name)s”.") % {"name": name})
            return redirect("frameworks:framework_list")
    return page(request, "frameworks/framework_delete.html", form=form, framework=framework)


@GET_POST
@login_required
def framework_clone(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    next_year = framework.year + 1
    form = FrameworkCloneForm(
        posted(request),
        initial={"year": next_year, "name": framework.name.replace(str(framework.year), str(next_year))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.framework_clone(
                actor=request.user,
                framework=framework,
                year=form.cleaned_data["year"],
                name=form.cleaned_data["name"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã sao chép thành “%(name)s”.") % {"name": copy.name})
            return redirect("frameworks:framework_detail", copy.pk)
    return page(request, "frameworks/framework_clone.html", form=form, framework=framework)


@require_GET
@login_required
def framework_diff(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id)
    other_id = request.GET.get("other") or (framework.based_on_id or "")
    other = access.get_framework_for_user(request.user, other_id) if other_id else None
    differences = selectors.framework_diff(other, framework) if other is not None else []
    choices = access.get_frameworks_for_user(request.user).exclude(pk=framework.pk).order_by("-year", "name")
    return page(
        request,
        "frameworks/framework_diff.html",
        framework=framework,
        other=other,
        differences=differences,
        choices=choices,
        counts={
            kind: sum(1 for d in differences if d.kind == kind)
            for kind in (selectors.ADDED, selectors.REMOVED, selectors.CHANGED)
        },
    )


# ---------------------------------------------------------------------------
# Excel export (the import has a module of its own)


@require_GET
@login_required
def framework_export(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id)
    response = HttpResponse(excel.export_framework(framework), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="bo-tieu-chi-{framework.year}-{framework.pk}.xlsx"'
    return response
