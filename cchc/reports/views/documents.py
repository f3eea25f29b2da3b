"""The report's files (Word, PDF, Excel appendix) and the Word template the secretariat may replace."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cchc.accounts.roles import require
from cchc.lib.errors import ServiceError

from .. import access, services
from ..documents import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    ReportContent,
    render_docx,
    render_pdf,
    render_xlsx,
    report_content,
    template_bytes,
)
from ..forms import TemplateForm
from ..models import ReportTemplate

FORMATS: dict[str, tuple[Callable[[ReportContent], bytes], str]] = {
    "docx": (render_docx, DOCX_CONTENT_TYPE),
    "pdf": (render_pdf, PDF_CONTENT_TYPE),
    "xlsx": (render_xlsx, XLSX_CONTENT_TYPE),
}


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def report_download(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    report = access.get_report_for_user(request.user, report_id)
    if fmt not in FORMATS:
        raise Http404
    render_file, content_type = FORMATS[fmt]
    content = report_content(report.unit, report.period, report=report)
    try:
        data = render_file(content)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("reports:report_detail", report.pk)
    suffix = "phu-luc" if fmt == "xlsx" else "bao-cao"
    return _attachment(
        data, content_type, f"{suffix}-cchc-{report.unit.code or report.unit.pk}-{report.period_key}.{fmt}"
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_page(request: HttpRequest) -> HttpResponse:
    """Download the Word template in use, upload a replacement, or go back to the shipped one."""
    require(access.can_manage_template(request.user))
    form = TemplateForm()
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "reset":
            services.template_reset(actor=request.user)
            messages.success(request, _("Đã quay lại mẫu Word kèm theo hệ thống."))
            return redirect("reports:template")
        form = TemplateForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.template_upload(actor=request.user, upload=upload, name=upload.name)
            except ServiceError as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, _("Đã thay mẫu Word: các báo cáo tải về từ nay dùng mẫu này."))
                return redirect("reports:template")
        status = 400
    current = ReportTemplate.objects.select_related("uploaded_by").first()
    return render(
        request, "reports/template.html", {"form": form, "current": current, "nav_active": "reports"}, status=status
    )


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    require(access.can_manage_template(request.user))
    return _attachment(template_bytes(), DOCX_CONTENT_TYPE, "mau-bao-cao-cchc.docx")
