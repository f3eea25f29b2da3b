"""XLSForm pages: uploading a workbook as a new questionnaire, and downloading a version as a workbook."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cchc.accounts import roles
from cchc.lib import files
from cchc.lib.errors import ServiceError
from cchc.lib.spreadsheet import XLSX_CONTENT_TYPE
from cchc.surveys import access

from .. import xlsform
from ..forms import XLSFormUploadForm, show_service_error
from ..models import Questionnaire
from .common import GET_POST, allow_shared, owners, page, posted, require_reader


@GET_POST
@login_required
def xlsform_import(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_manage_questionnaires(request.user))
    form = XLSFormUploadForm(
        posted(request), request.FILES or None, owners=owners(request), allow_shared=allow_shared(request)
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data["owner"]
        roles.require(access.can_manage_questionnaire(request.user, Questionnaire(owner=owner)))
        upload = form.cleaned_data["file"]
        try:
            _kind, data = files.check_upload(upload, kinds=[files.XLSX])
            questionnaire, result = xlsform.import_xlsform(
                actor=request.user,
                data=data,
                owner=owner,
                publish=form.cleaned_data["publish"],
                code=form.cleaned_data["code"],
                default_code=slugify(PurePath(upload.name or "").stem)[:64],
            )
        except xlsform.XLSFormError as exc:
            problems = exc.problems
            form.add_error("file", _("Không nhập được tệp; chưa có gì được lưu. Xem danh sách lỗi bên dưới."))
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Đã nhập phiếu “%(title)s” với %(count)d câu hỏi.")
                % {"title": questionnaire.title, "count": len(result.spec.questions())},
            )
            if result.skipped:
                messages.info(
                    request,
                    _("Bỏ qua các trường siêu dữ liệu không phải câu hỏi: %(rows)s.")
                    % {"rows": ", ".join(result.skipped)},
                )
            return redirect("surveys:questionnaire_detail", questionnaire.pk)
    response = page(request, "surveys/xlsform_import.html", form=form, problems=problems)
    if request.method == "POST":
        response.status_code = 400  # the file was refused; the page says why
    return response


@require_GET
@login_required
def xlsform_export(request: HttpRequest, questionnaire_id: int, number: int) -> HttpResponse:
    require_reader(request)
    questionnaire = access.get_questionnaire_for_user(request.user, questionnaire_id)
    version = access.get_version_for_user(request.user, questionnaire, number)
    response = HttpResponse(xlsform.export_xlsform(version), content_type=XLSX_CONTENT_TYPE)
    name = f"{slugify(questionnaire.code) or 'phieu'}-v{version.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
