"""A unit's work: my tasks, one assignment with its reports and history, reporting, acceptance, extensions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts import roles
from cchc.audit import selectors as audit_selectors
from cchc.directives import access
from cchc.lib import page_cache
from cchc.lib.errors import ServiceError
from cchc.lib.types import Viewer

from .. import selectors, services
from ..forms import ExtensionDecisionForm, ExtensionForm, ReportForm, ReviewForm
from ..models import Assignment, ExtensionState, Notification, ReviewState
from .common import show_service_error

# The apps whose tables the sections of "my tasks" read (``cchc.lib.page_cache``): the assignments, their tasks,
# directives and occurrences, the returned reports, the notifications (all ``directives``); the units' names and the
# tree the focal points' scopes are paths of (``organisations``).
MY_TASKS_READS = ("directives", "organisations")
MY_TASK_LISTS = ("overdue", "returned", "due_soon", "waiting", "later")


@dataclass(frozen=True)
class MyTaskLists:
    """The primary keys of the assignments in each list of "my tasks", in the order shown."""

    overdue: tuple[int, ...]
    returned: tuple[int, ...]
    due_soon: tuple[int, ...]
    waiting: tuple[int, ...]
    later: tuple[int, ...]


def _task_lists(user: Viewer) -> tuple[str, tuple[tuple[int, ...], ...]]:
    """The lists of the units' open work (HTML) and the keys of their rows, as plain values the cache can keep."""
    tasks = selectors.my_tasks(access.get_own_assignments_for_user(user))
    html = render_to_string("directives/my_tasks.html#task-lists", {"tasks": tasks})
    return str(html), tuple(tuple(row.pk for row in getattr(tasks, name)) for name in MY_TASK_LISTS)


def _notification_list(user: Viewer) -> str:
    """The reader's unread notifications (HTML; empty without any): the form marking them read is drawn around it,
    with the request's CSRF token."""
    notifications = list(Notification.objects.filter(user_id=user.pk or 0, read_at__isnull=True)[:20])
    if not notifications:
        return ""
    return str(render_to_string("directives/my_tasks.html#notification-list", {"notifications": notifications}))


@require_GET
@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The work of the units the reader acts for, and their unread notifications.

    Both sections are kept in the cache under the version of the data they read (``cchc.lib.page_cache``): the lists
    keyed by the units the reader acts for (``access.own_assignments_scope``: what their rows are chosen by; the
    rows show nothing else of the reader) and today's date (part of every key: a task becomes due soon or overdue
    with the day), the notifications by the reader. The CSRF token, the messages and the navigation stay per
    request.
    """
    user = request.user
    lists, notifications = page_cache.fragments(
        MY_TASKS_READS,
        [
            ("directives.my_tasks.lists", access.own_assignments_scope(user), lambda: _task_lists(user)),
            ("directives.my_tasks.notifications", user.pk, lambda: _notification_list(user)),
        ],
    )
    html, ids = lists
    return render(
        request,
        "directives/my_tasks.html",
        {
            "task_lists": mark_safe(html),  # noqa: S308 - drawn by our own template, escaped there
            "tasks": MyTaskLists(*ids),
            "notification_list": mark_safe(notifications),  # noqa: S308 - drawn by our own template, escaped there
            "nav_active": "my_tasks",
        },
    )


@require_POST
@login_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user_id=request.user.pk or 0, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("directives:my_tasks")


def _detail_context(request: HttpRequest, assignment: Assignment, **forms: Any) -> dict[str, Any]:
    can_report = access.can_report_assignment(request.user, assignment)
    can_review = access.can_review_assignment(request.user, assignment)
    reports = list(assignment.reports.select_related("author", "reviewed_by").prefetch_related("attachments"))
    extensions = list(assignment.extension_requests.select_related("requested_by", "decided_by"))
    pending_report = next((r for r in reports if r.review_state == ReviewState.PENDING), None)
    pending_extension = next((e for e in extensions if e.state == ExtensionState.PENDING), None)
    is_open = assignment.completed_on is None
    return {
        "assignment": assignment,
        "task": assignment.task,
        "directive": assignment.directive,
        "reports": reports,
        "extensions": extensions,
        # The assignment's history with its reports' and extension requests' (already access-checked).
        "history": audit_selectors.labelled(
            audit_selectors.history_for_records([assignment, *reports, *extensions])[:100]
        ),
        "pending_report": pending_report,
        "pending_extension": pending_extension,
        "report_form": forms.get("report_form")
        or (
            ReportForm(initial={"percent": assignment.percent})
            if can_report and is_open and not pending_report
            else None
        ),
        "extension_form": forms.get("extension_form")
        or (ExtensionForm() if can_report and is_open and assignment.due_date and not pending_extension else None),
        "review_form": forms.get("review_form") or (ReviewForm() if can_review and pending_report else None),
        "decision_form": forms.get("decision_form")
        or (ExtensionDecisionForm() if can_review and pending_extension else None),
        "nav_active": "my_tasks" if can_report else "tracker",
    }


@require_GET
@login_required
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.get_assignment_for_user(request.user, assignment_id)
    return render(request, "directives/assignment_detail.html", _detail_context(request, assignment))


@require_POST
@login_required
def report_create(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.get_assignment_for_user(request.user, assignment_id)
    roles.require(access.can_report_assignment(request.user, assignment))
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            stored = services.check_report_files(form.cleaned_data["attachments"])
            report = services.report_submit(
                actor=request.user,
                assignment=assignment,
                percent=form.cleaned_data["percent"],
                text=form.cleaned_data["text"],
                attachments=stored,
            )
        except ServiceError as exc:
            if exc.field == "file":
                form.add_error("attachments", exc.message)
            else:
                show_service_error(form, exc)
        else:
            if report.review_state == ReviewState.PENDING:
                messages.success(request, _("Đã gửi báo cáo hoàn thành; đang chờ cơ quan thường trực xác nhận."))
            else:
                messages.success(request, _("Đã gửi báo cáo tiến độ."))
            return redirect("directives:assignment_detail", assignment.pk)
    context = _detail_context(request, assignment, report_form=form)
    return render(request, "directives/assignment_detail.html", context, status=400)


@require_POST
@login_required
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.get_progress_report_for_user(request.user, report_id)
    assignment = access.get_assignment_for_user(request.user, report.assignment_id)
    roles.require(access.can_review_assignment(request.user, assignment))
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "accept":
                services.report_accept(actor=request.user, report=report, comment=form.cleaned_data["comment"])
                messages.success(request, _("Đã xác nhận hoàn thành nhiệm vụ."))
            else:
                services.report_return(actor=request.user, report=report, comment=form.cleaned_data["comment"])
                messages.success(request, _("Đã trả lại báo cáo cho đơn vị."))
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            return redirect("directives:assignment_detail", assignment.pk)
    context = _detail_context(request, assignment, review_form=form)
    return render(request, "directives/assignment_detail.html", context, status=400)


@require_POST
@login_required
def extension_create(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.get_assignment_for_user(request.user, assignment_id)
    roles.require(access.can_report_assignment(request.user, assignment))
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.extension_request(
                actor=request.user,
                assignment=assignment,
                new_due_date=form.cleaned_data["new_due_date"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã gửi đề nghị gia hạn."))
            return redirect("directives:assignment_detail", assignment.pk)
    context = _detail_context(request, assignment, extension_form=form)
    return render(request, "directives/assignment_detail.html", context, status=400)


@require_POST
@login_required
def extension_decide(request: HttpRequest, extension_id: int) -> HttpResponse:
    extension = access.get_extension_request_for_user(request.user, extension_id)
    assignment = access.get_assignment_for_user(request.user, extension.assignment_id)
    if not access.can_review_assignment(request.user, assignment):
        raise PermissionDenied
    form = ExtensionDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.extension_decide(
                actor=request.user,
                request=extension,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã ghi quyết định về đề nghị gia hạn."))
            return redirect("directives:assignment_detail", assignment.pk)
    context = _detail_context(request, assignment, decision_form=form)
    return render(request, "directives/assignment_detail.html", context, status=400)


@require_GET
@login_required
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = access.get_report_attachment_for_user(request.user, attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.file_name)
