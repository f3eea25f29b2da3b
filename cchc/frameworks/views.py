"""Framework pages: list, tree, criteria editing, Excel import and export, samples, copies and differences.

Reading: every user with a role, within :func:`access.get_frameworks_for_user`.
Writing: the frameworks :func:`access.get_framework_for_user` returns with
``manage=True`` (404 outside what the user reads, 403 when they only read it).
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cchc.accounts import roles
from cchc.frameworks import access
from cchc.imports import access as import_access
from cchc.imports import services as import_services
from cchc.imports.models import ImportKind
from cchc.imports.pages import run_context, run_response
from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE
from cchc.organisations.models import UnitKind, UnitQuerySet
from cchc.organisations.picker import Scope, ScopeError, unit_scope
from cchc.organisations.widgets import QUERY_MAX_LENGTH

from . import excel, samples, selectors, services
from .forms import (
    CriterionDeleteForm,
    CriterionForm,
    FrameworkCloneForm,
    FrameworkDeleteForm,
    FrameworkForm,
    FrameworkImportForm,
    SampleLoadForm,
    show_service_error,
)
from .models import Criterion, Framework
from .picker import CRITERION_SCOPES, criterion_details, criterion_result, search_criteria

GET_POST = require_http_methods(["GET", "POST"])
OWNER_KINDS = (UnitKind.PROVINCE, UnitKind.DISTRICT)
LEAD_UNIT_KINDS = excel.LEAD_UNIT_KINDS


def _posted(request: HttpRequest) -> Any:
    """The submitted data on POST (even when empty, so that required fields are reported), else ``None``."""
    return request.POST if request.method == "POST" else None


def _require_reader(request: HttpRequest) -> None:
    if not roles.roles_of(request.user) and not roles.is_admin(request.user):
        raise PermissionDenied


def _owners(request: HttpRequest) -> Scope:
    kinds = [str(kind) for kind in OWNER_KINDS]
    return unit_scope(request.user, "units.visible", manage=True, active=True, kinds=kinds)


def _allow_shared(request: HttpRequest) -> bool:
    return access.can_manage_framework(request.user, Framework(owner=None))


def _lead_units(request: HttpRequest, framework: Framework) -> UnitQuerySet:
    return excel.lead_units_for(request.user, framework)


def _page(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    return render(request, template, {"nav_active": "frameworks", **context})


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
    return _page(request, "frameworks/framework_list.html", **context)


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
    return _page(
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
# Frameworks


@GET_POST
@login_required
def framework_create(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_manage_frameworks(request.user))
    owners = _owners(request)
    form = FrameworkForm(
        _posted(request), owners=owners, allow_shared=_allow_shared(request), initial={"owner": owners.rows().first()}
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
    return _page(request, "frameworks/framework_form.html", form=form, framework=None)


@GET_POST
@login_required
def framework_edit(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    form = FrameworkForm(
        _posted(request),
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
    return _page(request, "frameworks/framework_form.html", form=form, framework=framework)


@GET_POST
@login_required
def framework_delete(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    form = FrameworkDeleteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        name = framework.name
        try:
            services.framework_delete(actor=request.user, framework=framework, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã xóa bộ tiêu chí “%(name)s”.") % {"name": name})
            return redirect("frameworks:framework_list")
    return _page(request, "frameworks/framework_delete.html", form=form, framework=framework)


@GET_POST
@login_required
def framework_clone(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    next_year = framework.year + 1
    form = FrameworkCloneForm(
        _posted(request),
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
    return _page(request, "frameworks/framework_clone.html", form=form, framework=framework)


@require_GET
@login_required
def framework_diff(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id)
    other_id = request.GET.get("other") or (framework.based_on_id or "")
    other = access.get_framework_for_user(request.user, other_id) if other_id else None
    differences = selectors.framework_diff(other, framework) if other is not None else []
    choices = access.get_frameworks_for_user(request.user).exclude(pk=framework.pk).order_by("-year", "name")
    return _page(
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
# Excel


@require_GET
@login_required
def framework_export(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id)
    response = HttpResponse(excel.export_framework(framework), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="bo-tieu-chi-{framework.year}-{framework.pk}.xlsx"'
    return response


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
    form = FrameworkImportForm(_posted(request), request.FILES or None)
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
    return _page(
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


# ---------------------------------------------------------------------------
# Criteria


@GET_POST
@login_required
def criterion_create(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    parent: Criterion | None = None
    if request.GET.get("parent"):
        parent = selectors.criterion_of(framework, request.GET["parent"])
    initial: dict[str, Any] = {}
    if parent is not None:
        count = parent.children.count()
        initial = {"code": f"{parent.code}.{count + 1}", "category": parent.category, "lead_unit": parent.lead_unit_id}
    else:
        initial = {"code": str(framework.criteria.filter(parent__isnull=True).count() + 1)}
    form = CriterionForm(
        _posted(request),
        lead_units=unit_scope(request.user, "frameworks.lead_units", framework=framework.pk),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            criterion = services.criterion_create(
                actor=request.user,
                framework=framework,
                parent=parent,
                data=form.criterion_data(),
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã thêm tiêu chí %(code)s.") % {"code": criterion.code})
            return redirect(f"{_detail_url(framework)}#c{criterion.pk}")
    return _page(request, "frameworks/criterion_form.html", form=form, framework=framework, parent=parent)


def _detail_url(framework: Framework) -> str:
    return reverse("frameworks:framework_detail", args=[framework.pk])


@GET_POST
@login_required
def criterion_edit(request: HttpRequest, framework_id: int, criterion_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    criterion = selectors.criterion_of(framework, criterion_id)
    is_leaf = not criterion.children.exists()
    form = CriterionForm(
        _posted(request),
        lead_units=unit_scope(request.user, "frameworks.lead_units", framework=framework.pk),
        is_leaf=is_leaf,
        initial=CriterionForm.initial_for(criterion),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_update(
                actor=request.user, criterion=criterion, data=form.criterion_data(), reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu tiêu chí %(code)s.") % {"code": criterion.code})
            return redirect(f"{_detail_url(framework)}#c{criterion.pk}")
    return _page(
        request, "frameworks/criterion_form.html", form=form, framework=framework, criterion=criterion, parent=None
    )


@GET_POST
@login_required
def criterion_delete(request: HttpRequest, framework_id: int, criterion_id: int) -> HttpResponse:
    framework = access.get_framework_for_user(request.user, framework_id, manage=True)
    criterion = selectors.criterion_of(framework, criterion_id)
    form = CriterionDeleteForm(_posted(request))
    below = len(services.subtree_ids(criterion)) - 1
    if request.method == "POST" and form.is_valid():
        try:
            count = services.criterion_delete(
                actor=request.user, criterion=criterion, reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã xóa %(count)s tiêu chí.") % {"count": count})
            return redirect("frameworks:framework_detail", framework.pk)
    return _page(
        request, "frameworks/criterion_delete.html", form=form, framework=framework, criterion=criterion, below=below
    )


@require_GET
@never_cache
@login_required
def criterion_search(request: HttpRequest) -> JsonResponse:
    """The search behind the framework-criterion picker (``picker.FrameworkCriterionPickerWidget``).

    ``GET /frameworks/criteria/search/?scope=<token>&q=<text>`` answers ``{"results": [{"id", "name", "detail",
    "label"}], "more": bool}``. The token names the criteria a form offers; they are looked up among the criteria of
    the frameworks the user may read, so a token can narrow what the user sees but never widen it.
    """
    try:
        criteria = CRITERION_SCOPES.rows(request.GET.get("scope", ""), request.user)
    except signing.SignatureExpired:
        return JsonResponse({"detail": _("Trang này đã mở quá lâu; hãy tải lại trang để tìm tiêu chí.")}, status=400)
    except (signing.BadSignature, ScopeError):
        return JsonResponse({"detail": _("Yêu cầu tìm tiêu chí không hợp lệ; hãy tải lại trang.")}, status=400)
    rows, more = search_criteria(criteria, request.GET.get("q", "")[:QUERY_MAX_LENGTH])
    details = criterion_details(rows)
    return JsonResponse({"results": [criterion_result(row, details) for row in rows], "more": more})
