"""The reports pages: the list, the editor (sections saved one at a time with htmx), submission and review, the
secretariat's overview of a period and the consolidation of the province's report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cchc.accounts.roles import require
from cchc.directives.access import get_directives_for_user
from cchc.directives.models import Task
from cchc.lib.errors import ServiceError
from cchc.lib.replica import use_replica

from .. import access, selectors, services
from ..figures import STATUS_CODE_OF_TEXT, report_figures, table_text
from ..forms import AcceptForm, DetailsForm, ReturnForm, SectionForm, StartForm, TaskLinkForm, period_choices
from ..models import SECTION_KEYS, Report, ReportTask
from .documents import files_context


def _show_error(form: object, error: ServiceError) -> None:
    field = error.field if error.field in form.fields else None  # type: ignore[attr-defined]
    form.add_error(field, error.message)  # type: ignore[attr-defined]


def _start_form(request: HttpRequest, data: object = None) -> StartForm:
    return StartForm(
        data,  # type: ignore[arg-type]
        units=access.get_startable_units_for_user(request.user).order_by("path"),
        today=timezone.localdate(),
    )


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    require(access.can_use_reports(request.user))
    reports = (
        access.get_reports_for_user(request.user).select_related("unit").order_by("-period_key", "unit__name")[:200]
    )
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": reports,
            "start_form": _start_form(request),
            "can_overview": access.can_overview(request.user),
            "can_manage_template": access.can_manage_template(request.user),
            "nav_active": "reports",
        },
    )


@login_required
@require_POST
def report_start(request: HttpRequest) -> HttpResponse:
    require(access.can_use_reports(request.user))
    form = _start_form(request, request.POST)
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        require(access.can_start_report(request.user, unit))
        try:
            period = services.parse_period(form.cleaned_data["period"])
            report = services.report_start(actor=request.user, unit=unit, period=period)
        except ServiceError as error:
            _show_error(form, error)
        else:
            return redirect("reports:report_detail", report.pk)
    reports = access.get_reports_for_user(request.user).select_related("unit").order_by("-period_key")[:200]
    return render(
        request,
        "reports/report_list.html",
        {
            "reports": reports,
            "start_form": form,
            "can_overview": access.can_overview(request.user),
            "nav_active": "reports",
        },
        status=400,
    )


def _detail_context(request: HttpRequest, report: Report) -> dict[str, object]:
    can_write = access.can_write_report(request.user, report)
    figures = report_figures(report.unit, report.period, consolidated=report.is_consolidated)
    return {
        "report": report,
        "sections": [
            (section, SectionForm(initial={"text": section.text}, prefix=section.key) if can_write else None)
            for section in selectors.section_views(report)
        ],
        "tables": [
            (
                table,
                [
                    [
                        (label, cell, STATUS_CODE_OF_TEXT.get(cell, ""))
                        for label, cell in zip(table.header, row, strict=True)
                    ]
                    for row in table_text(table)
                ],
            )
            for table in figures.tables
        ],
        "can_write": can_write,
        "can_submit": access.can_submit_report(request.user, report),
        "can_review": access.can_review_report(request.user, report),
        "details_form": DetailsForm(initial={"reference": report.reference, "signer": report.signer})
        if can_write
        else None,
        "assignment": report.assignment,
        "nav_active": "reports",
        **files_context(report),
    }


@login_required
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.get_report_for_user(request.user, report_id)
    return render(request, "reports/report_detail.html", _detail_context(request, report))


@login_required
@require_POST
def section_save(request: HttpRequest, report_id: int, key: str) -> HttpResponse:
    """Save one section. With htmx the answer is the section's form again (with its message); the text typed is
    always sent back, so an error never loses it."""
    report = access.get_report_for_user(request.user, report_id)
    require(access.can_write_report(request.user, report) and key in SECTION_KEYS)
    form = SectionForm(request.POST, prefix=key)
    saved = False
    if form.is_valid():
        try:
            services.section_save(actor=request.user, report=report, key=key, text=form.cleaned_data["text"])
            saved = True
        except ServiceError as error:
            _show_error(form, error)
    section = next(view for view in selectors.section_views(report) if view.key == key)
    if not saved:
        section.text = request.POST.get(f"{key}-text", "")
    if not getattr(request, "htmx", False):
        if saved:
            messages.success(request, _("Đã lưu mục “%(title)s”.") % {"title": section.title})
            return redirect(f"{reverse('reports:report_detail', args=[report.pk])}#section-{key}")
        context = _detail_context(request, report)
        context["sections"] = [
            (view, form if view.key == key else SectionForm(initial={"text": view.text}, prefix=view.key))
            for view, _form in context["sections"]  # type: ignore[attr-defined]
        ]
        return render(request, "reports/report_detail.html", context, status=400)
    return render(
        request,
        "reports/_section.html",
        {"report": report, "section": section, "form": form, "saved": saved, "can_write": True},
    )


@login_required
@require_POST
def details_save(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.get_report_for_user(request.user, report_id)
    require(access.can_write_report(request.user, report))
    form = DetailsForm(request.POST)
    if form.is_valid():
        try:
            services.report_details_save(actor=request.user, report=report, **form.cleaned_data)
        except ServiceError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("Đã lưu số, ký hiệu và người ký."))
            return redirect("reports:report_detail", report.pk)
    context = _detail_context(request, report)
    context["details_form"] = form
    return render(request, "reports/report_detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def report_submit(request: HttpRequest, report_id: int) -> HttpResponse:
    """Ask for confirmation, saying what is still missing, then send the report."""
    report = access.get_report_for_user(request.user, report_id)
    require(access.can_submit_report(request.user, report))
    if request.method == "POST":
        try:
            services.report_submit(actor=request.user, report=report)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Đã gửi báo cáo đến cơ quan thường trực."))
        return redirect("reports:report_detail", report.pk)
    return render(
        request,
        "reports/report_submit.html",
        {"report": report, "gaps": services.report_gaps(report), "nav_active": "reports"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    """Accept (after confirmation, with what is missing) or return (with a reason) a submitted report."""
    report = access.get_report_for_user(request.user, report_id)
    require(access.can_review_report(request.user, report))
    accept_form, return_form = AcceptForm(), ReturnForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "accept":
            accept_form = AcceptForm(request.POST)
            if accept_form.is_valid():
                try:
                    services.report_accept(
                        actor=request.user, report=report, comment=accept_form.cleaned_data["comment"]
                    )
                except ServiceError as error:
                    _show_error(accept_form, error)
                else:
                    messages.success(request, _("Đã tiếp nhận báo cáo của %(unit)s.") % {"unit": report.unit.name})
                    return redirect("reports:report_detail", report.pk)
        else:
            return_form = ReturnForm(request.POST)
            if return_form.is_valid():
                try:
                    services.report_return(actor=request.user, report=report, reason=return_form.cleaned_data["reason"])
                except ServiceError as error:
                    _show_error(return_form, error)
                else:
                    messages.success(request, _("Đã trả lại báo cáo cho %(unit)s.") % {"unit": report.unit.name})
                    return redirect("reports:report_detail", report.pk)
        status = 400
    return render(
        request,
        "reports/report_review.html",
        {
            "report": report,
            "gaps": services.report_gaps(report),
            "accept_form": accept_form,
            "return_form": return_form,
            "nav_active": "reports",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_consolidate(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.get_report_for_user(request.user, report_id)
    require(report.is_consolidated and access.can_write_report(request.user, report))
    if request.method == "POST":
        try:
            done = services.report_consolidate(actor=request.user, report=report)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _(
                    "Đã tổng hợp từ %(units)d báo cáo đơn vị: %(filled)d mục được điền, "
                    "%(kept)d mục đã viết được giữ nguyên."
                )
                % {"units": done.units, "filled": done.filled, "kept": done.kept},
            )
        return redirect("reports:report_detail", report.pk)
    unit_reports = services.accepted_unit_reports(report)
    return render(
        request,
        "reports/report_consolidate.html",
        {"report": report, "unit_reports": unit_reports, "nav_active": "reports"},
    )


@login_required
@use_replica()
def overview(request: HttpRequest) -> HttpResponse:
    """Who has submitted, been returned, accepted, or not started, for one period."""
    units = access.get_overview_units_for_user(request.user)
    choices = period_choices(timezone.localdate())
    key = request.GET.get("period") or (choices[0][0] if choices else "")
    try:
        period = services.parse_period(key)
    except ServiceError as error:
        messages.error(request, error.message)
        period = services.parse_period(choices[0][0])
    data = selectors.overview(units, period)
    tasks = selectors.recurring_report_tasks(Task.objects.filter(directive__in=get_directives_for_user(request.user)))
    return render(
        request,
        "reports/overview.html",
        {
            "data": data,
            "choices": choices,
            "period_key": period.key,
            "task_form": TaskLinkForm(tasks=tasks),
            "linked": ReportTask.objects.select_related("task__directive"),
            "nav_active": "reports",
        },
    )


@login_required
@require_POST
def task_link(request: HttpRequest) -> HttpResponse:
    require(access.can_overview(request.user))
    tasks = selectors.recurring_report_tasks(Task.objects.filter(directive__in=get_directives_for_user(request.user)))
    form = TaskLinkForm(request.POST, tasks=tasks)
    if form.is_valid():
        try:
            services.report_task_link(actor=request.user, task=form.cleaned_data["task"])
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Đã gắn nhiệm vụ báo cáo định kỳ: hạn và nhắc việc theo nhiệm vụ này."))
    else:
        messages.error(request, _("Hãy chọn một nhiệm vụ báo cáo định kỳ trong danh sách."))
    return redirect("reports:overview")
