"""The report's files (Word, PDF, Excel appendix), built in the background (``documents.report_file_request``),
and the Word template the secretariat may replace."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cchc.accounts.roles import require
from cchc.lib.errors import ServiceError

from .. import access, services
from ..documents import DOCX_CONTENT_TYPE, report_file_request, template_bytes
from ..forms import TemplateForm
from ..models import FileFormat, FileStatus, Report, ReportFile, ReportTemplate


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def files_context(report: Report) -> dict[str, object]:
    """The report's files, one row per format (built or not), for ``reports/_files.html``."""
    built = {stored.fmt: stored for stored in ReportFile.objects.filter(report=report)}
    rows = [(fmt, label, built.get(fmt)) for fmt, label in FileFormat.choices]
    return {"report": report, "file_rows": rows, "files_pending": any(f and f.is_pending for _f, _l, f in rows)}


def _files_fragment(request: HttpRequest, report: Report) -> HttpResponse:
    return render(request, "reports/_files.html", files_context(report))


@login_required
@require_GET
def report_files(request: HttpRequest, report_id: int) -> HttpResponse:
    """The files' states (the report page polls it while a build is queued or under way)."""
    report = access.get_report_for_user(request.user, report_id)
    return _files_fragment(request, report)


@login_required
@require_POST
def report_file_build(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    """Ask for a file to be built in the background (a second click while it is queued or building adds nothing)."""
    report = access.get_report_for_user(request.user, report_id)
    if fmt not in FileFormat.values:
        raise Http404
    report_file_request(actor=request.user, report=report, fmt=fmt)
    if request.headers.get("HX-Request"):
        return _files_fragment(request, report)
    messages.info(request, _("Đã nhận yêu cầu tạo tệp; trang sẽ hiện đường tải về khi tệp tạo xong."))
    return redirect(reverse("reports:report_detail", args=[report.pk]) + "#report-files")


@login_required
@require_GET
def report_download(request: HttpRequest, report_id: int, fmt: str) -> HttpResponseBase:
    """The file as last built; before it is ready, back to the report page, which says where the build is."""
    report = access.get_report_for_user(request.user, report_id)
    if fmt not in FileFormat.values:
        raise Http404
    stored = ReportFile.objects.filter(report=report, fmt=fmt).select_related("report__unit").first()
    if stored is None or stored.status != FileStatus.READY or not stored.file:
        messages.warning(request, _("Tệp chưa được tạo xong; hãy bấm “Tạo tệp” và chờ đường tải về."))
        return redirect(reverse("reports:report_detail", args=[report.pk]) + "#report-files")
    try:
        handle = stored.file.open("rb")
    except OSError:
        messages.error(request, _("Không đọc được tệp đã tạo; hãy tạo lại tệp."))
        return redirect(reverse("reports:report_detail", args=[report.pk]) + "#report-files")
    return FileResponse(handle, as_attachment=True, filename=stored.download_name)


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
    try:
        data = template_bytes()
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("reports:template")
    return _attachment(data, DOCX_CONTENT_TYPE, "mau-bao-cao-cchc.docx")
