"""Directive pages: the list, one directive with its tasks (rolled up), registering a directive, adding tasks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cchc.accounts import roles
from cchc.directives import access
from cchc.lib.errors import ServiceError
from cchc.organisations.picker import Scope, unit_scope
from cchc.organisations.widgets import QUERY_MAX_LENGTH

from .. import selectors, services
from ..forms import DirectiveCreateForm, DirectiveForm, TaskCancelForm, TaskEditForm, TaskForm
from ..models import Task
from .common import filter_querystring, show_service_error

GET_POST = require_http_methods(["GET", "POST"])
PAGE_SIZE = 50


@require_GET
@login_required
def directive_list(request: HttpRequest) -> HttpResponse:
    directives = access.get_directives_for_user(request.user).select_related("issuing_unit")
    query = request.GET.get("q", "")[:QUERY_MAX_LENGTH].strip()
    if query:
        directives = directives.filter(Q(subject__icontains=query) | Q(reference__icontains=query))
    directives = directives.annotate(task_count=Count("tasks", distinct=True)).order_by("-issued_on", "-pk")
    page = Paginator(directives, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "directives/directive_list.html",
        {
            "page": page,
            "query": query,
            "filter_query": filter_querystring(request),
            "can_create": access.can_create_directives(request.user),
            "nav_active": "directives",
        },
    )


@require_GET
@login_required
def directive_detail(request: HttpRequest, directive_id: int) -> HttpResponse:
    directive = access.get_directive_for_user(request.user, directive_id)
    visible = access.get_assignments_for_user(request.user).filter(directive=directive)
    tasks = selectors.directive_tasks(directive)
    rollups = selectors.rollups(visible)
    rows = [(task, rollups.get(task.pk)) for task in tasks]
    can_manage = access.can_manage_directive(request.user, directive)
    return render(
        request,
        "directives/directive_detail.html",
        {
            "directive": directive,
            "rows": rows,
            "total": selectors.total_rollup(visible),
            "can_manage": can_manage,
            "hand_over": [
                (proposal, count) for proposal, count in services.hand_over_proposals(directive) if proposal.successors
            ]
            if can_manage
            else [],
            "nav_active": "directives",
        },
    )


@GET_POST
@login_required
def directive_hand_over(request: HttpRequest, directive_id: int) -> HttpResponse:
    """Confirm, then give the open work of units closed since to their successors ("X → Y, Z")."""
    directive = access.get_directive_for_user(request.user, directive_id, manage=True)
    proposals = services.hand_over_proposals(directive)
    error = ""
    if request.method == "POST":
        wanted = set(request.POST.getlist("units"))
        chosen = [
            proposal.unit for proposal, _count in proposals if proposal.successors and str(proposal.unit.pk) in wanted
        ]
        if not chosen:
            error = _("Chọn ít nhất một đơn vị để giao việc cho đơn vị kế thừa.")
        else:
            try:
                moved = services.directive_hand_over(actor=request.user, directive=directive, units=chosen)
            except ServiceError as exc:
                error = exc.message
            else:
                messages.success(request, _("Đã giao %(count)s lượt theo dõi cho đơn vị kế thừa.") % {"count": moved})
                return redirect("directives:directive_detail", directive.pk)
    return render(
        request,
        "directives/directive_hand_over.html",
        {"directive": directive, "proposals": proposals, "error": error, "nav_active": "directives"},
        status=400 if error else 200,
    )


@require_GET
@login_required
def directive_file(request: HttpRequest, directive_id: int) -> FileResponse:
    directive = access.get_directive_for_user(request.user, directive_id)
    if not directive.file:
        raise Http404
    return FileResponse(directive.file.open("rb"), as_attachment=True, filename=directive.file_name)


def _issuing_units(request: HttpRequest) -> Scope:
    """Every unit the user may issue for, on any date: the form keeps those in force on the issue date."""
    return unit_scope(request.user, "directives.issuing")


def _directive_form(
    request: HttpRequest, form_class: type[DirectiveForm], *, initial: dict[str, Any] | None = None
) -> tuple[DirectiveForm, bool]:
    """The directive form, and whether the post only asked to reload the issuers for the issue date typed."""
    refresh = request.method == "POST" and DirectiveForm.REFRESH in request.POST
    if refresh:
        posted = {name: request.POST.get(name) for name in form_class.base_fields if name in request.POST}
        form = form_class(initial={**(initial or {}), **posted}, issuing_units=_issuing_units(request))
    elif request.method == "POST":
        form = form_class(request.POST, request.FILES or None, initial=initial, issuing_units=_issuing_units(request))
    else:
        form = form_class(initial=initial, issuing_units=_issuing_units(request))
    form.refresh_issuers_on_date_change(request.path)
    return form, refresh


@GET_POST
@login_required
def directive_create(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_create_directives(request.user))
    form, refresh = _directive_form(request, DirectiveCreateForm)
    if request.method == "POST" and not refresh and form.is_valid():
        try:
            upload = form.cleaned_data.get("file")
            stored = services.check_directive_file(upload) if upload else None
            directive = services.directive_create(actor=request.user, data=form.directive_data(), file=stored)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã đăng ký văn bản. Hãy thêm các nhiệm vụ của văn bản."))
            return redirect("directives:task_create", directive.pk)
    return render(
        request, "directives/directive_form.html", {"form": form, "mode": "create", "nav_active": "directives"}
    )


@GET_POST
@login_required
def directive_edit(request: HttpRequest, directive_id: int) -> HttpResponse:
    directive = access.get_directive_for_user(request.user, directive_id, manage=True)
    form, refresh = _directive_form(request, DirectiveForm, initial=DirectiveForm.initial_for(directive))
    if request.method == "POST" and not refresh and form.is_valid():
        try:
            services.directive_update(actor=request.user, directive=directive, data=form.directive_data(directive.text))
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin văn bản."))
            return redirect("directives:directive_detail", directive.pk)
    return render(
        request,
        "directives/directive_form.html",
        {"form": form, "mode": "edit", "directive": directive, "nav_active": "directives"},
    )


# The user's answer on the successor confirmation page.
USE_SUCCESSORS, KEEP_UNITS, BACK_TO_FORM = "use", "keep", "edit"


def _successor_step(
    request: HttpRequest, data: services.TaskData, directive: Any, *, task: Task | None = None
) -> HttpResponse | None:
    """Ask before a task names units that have closed since the directive was issued; apply the answer to ``data``.

    Returns the confirmation page ("X → Y, Z") until the user answers; ``None`` when there is nothing to ask or the
    answer (give the task to the successors, or keep the units as written) is now in ``data``. Going back to the form
    is handled by the caller. Units a task already has are not asked about again.
    """
    existing = set(task.assignments.values_list("unit_id", flat=True)) if task is not None else set()
    proposals = services.successor_proposals(data.units, except_ids=existing)
    answer = request.POST.get("successors")
    if not proposals or answer == KEEP_UNITS:
        return None
    if answer == USE_SUCCESSORS:
        data.inherits_from = [proposal.unit for proposal in proposals if proposal.successors]
        return None
    hidden = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", "successors")
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "directives/task_successors_confirm.html",
        {
            "directive": directive,
            "task": task,
            "proposals": proposals,
            "can_use": any(proposal.successors for proposal in proposals),
            "hidden": hidden,
            "nav_active": "directives",
        },
    )


@GET_POST
@login_required
def task_create(request: HttpRequest, directive_id: int) -> HttpResponse:
    directive = access.get_directive_for_user(request.user, directive_id, manage=True)
    form = TaskForm(request.POST or None, directive=directive)
    if request.method == "POST" and form.is_valid() and request.POST.get("successors") != BACK_TO_FORM:
        data = form.task_data()
        if (confirmation := _successor_step(request, data, directive)) is not None:
            return confirmation
        try:
            task = services.task_create(actor=request.user, directive=directive, data=data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            count = task.assignments.count()
            messages.success(
                request, _("Đã giao nhiệm vụ (%(count)s lượt theo dõi theo đơn vị, kỳ).") % {"count": count}
            )
            if request.POST.get("then") == "another":
                return redirect("directives:task_create", directive.pk)
            return redirect("directives:directive_detail", directive.pk)
    return render(
        request, "directives/task_form.html", {"form": form, "directive": directive, "nav_active": "directives"}
    )


@require_GET
@login_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access.get_task_for_user(request.user, task_id)
    return _task_detail(request, task, TaskCancelForm())


def _task_detail(request: HttpRequest, task: Task, cancel_form: TaskCancelForm, *, status: int = 200) -> HttpResponse:
    directive = access.get_directive_for_user(request.user, task.directive_id)
    visible = access.get_assignments_for_user(request.user).filter(task=task)
    assignments = visible.with_status().select_related("unit", "occurrence").order_by("due_date", "unit__path", "pk")
    page = Paginator(assignments, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "directives/task_detail.html",
        {
            "task": task,
            "directive": directive,
            "page": page,
            "rollup": selectors.total_rollup(visible),
            "supporting": list(task.supporting_units.all()),
            "criteria": list(task.criteria.all()),
            "indicators": list(task.indicators.all()),
            "children": list(task.children.all()),
            "can_manage": access.can_manage_task(request.user, task),
            "cancel_form": cancel_form,
            "nav_active": "directives",
        },
        status=status,
    )


@GET_POST
@login_required
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access.get_task_for_user(request.user, task_id, manage=True)
    directive = task.directive
    form = TaskEditForm(request.POST or None, directive=directive, task=task, initial=TaskEditForm.initial_for(task))
    if request.method == "POST" and form.is_valid() and request.POST.get("successors") != BACK_TO_FORM:
        data = form.task_data()
        if (confirmation := _successor_step(request, data, directive, task=task)) is not None:
            return confirmation
        try:
            services.task_update(actor=request.user, task=task, data=data, reason=form.cleaned_data.get("reason") or "")
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu nhiệm vụ."))
            return redirect("directives:task_detail", task.pk)
    return render(
        request,
        "directives/task_form.html",
        {"form": form, "directive": directive, "task": task, "mode": "edit", "nav_active": "directives"},
    )


@require_POST
@login_required
def task_delete(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access.get_task_for_user(request.user, task_id, manage=True)
    try:
        services.task_delete(actor=request.user, task=task, reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("directives:task_detail", task.pk)
    messages.success(request, _("Đã xóa nhiệm vụ."))
    return redirect("directives:directive_detail", task.directive_id)


@require_POST
@login_required
def task_cancel(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access.get_task_for_user(request.user, task_id, manage=True)
    form = TaskCancelForm(request.POST)
    if form.is_valid():
        try:
            services.task_cancel(actor=request.user, task=task, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã hủy nhiệm vụ; nhiệm vụ không còn được nhắc việc và tính vào thống kê."))
            return redirect("directives:task_detail", task.pk)
    # The reason is missing or refused: the page again, with the panel open and the message next to the reason.
    return _task_detail(request, task, form, status=400)
