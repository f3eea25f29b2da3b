"""A unit's scoring sheet: progress, submission, reopening, and its evidence (upload, reference, download, delete).

Access: :func:`permissions.get_assessment_for_user` (404 outside what the user may read); writing needs the
unit's focal point (:func:`permissions.is_focal_point_for`), reopening the round's secretariat. Whether the
sheet is still open is the service's rule, answered with a Vietnamese message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts import permissions
from cchc.lib.errors import ServiceError

from .. import selectors, services
from ..forms import EvidenceFileForm, EvidenceReferenceForm, ReopenForm, show_service_error
from ..models import Assessment, AssessmentStatus, Evidence

NAV = "assessments"


def _sheet_page(request: HttpRequest, assessment: Assessment, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    can_edit = permissions.can_edit_self_assessment(user, assessment)
    scores = assessment.scores.order_by("criterion__position")
    can_manage = permissions.can_manage_round(user, assessment.round)
    context = {
        "assessment": assessment,
        "round": assessment.round,
        "sheet": selectors.sheet(assessment),
        "evidence": assessment.evidence.prefetch_related("scores__criterion").order_by("created_at"),
        "can_edit": can_edit,
        "can_reopen": can_manage and assessment.status == AssessmentStatus.SUBMITTED,
        "file_form": forms.get("file_form") or (EvidenceFileForm(scores=scores) if can_edit else None),
        "reference_form": forms.get("reference_form") or (EvidenceReferenceForm(scores=scores) if can_edit else None),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "nav_active": NAV,
    }
    return render(request, "assessments/assessment_detail.html", context, status=status)


@require_GET
@login_required
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request.user, assessment_id)
    return _sheet_page(request, assessment)


@require_POST
@login_required
def assessment_submit(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request.user, assessment_id)
    permissions.require(permissions.is_focal_point_for(request.user, assessment.unit))
    try:
        assessment = services.assessment_submit(actor=request.user, assessment=assessment)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if assessment.is_late:
            messages.warning(request, _("Đã nộp phiếu tự đánh giá (sau hạn)."))
        else:
            messages.success(request, _("Đã nộp phiếu tự đánh giá."))
    return redirect("assessments:assessment_detail", assessment.pk)


@require_POST
@login_required
def assessment_reopen(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request.user, assessment_id)
    permissions.require(permissions.can_manage_round(request.user, assessment.round))
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_reopen(actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã mở lại phiếu cho đơn vị."))
            return redirect("assessments:assessment_detail", assessment.pk)
    return _sheet_page(request, assessment, status=400, reopen_form=form)


@require_POST
@login_required
def evidence_upload(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request.user, assessment_id)
    permissions.require(permissions.is_focal_point_for(request.user, assessment.unit))
    form = EvidenceFileForm(request.POST, request.FILES, scores=assessment.scores.all())
    if form.is_valid():
        try:
            services.evidence_add_file(
                actor=request.user,
                assessment=assessment,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                scores=form.cleaned_data["scores"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã tải lên tài liệu kiểm chứng."))
            return redirect(_back(request, assessment))
    return _sheet_page(request, assessment, status=400, file_form=form)


@require_POST
@login_required
def evidence_reference(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request.user, assessment_id)
    permissions.require(permissions.is_focal_point_for(request.user, assessment.unit))
    form = EvidenceReferenceForm(request.POST, scores=assessment.scores.all())
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.evidence_add_reference(
                actor=request.user,
                assessment=assessment,
                title=data["title"],
                scores=data["scores"],
                document_number=data["document_number"],
                document_date=data["document_date"],
                issuer=data["issuer"],
                link=data["link"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã thêm văn bản kiểm chứng."))
            return redirect(_back(request, assessment))
    return _sheet_page(request, assessment, status=400, reference_form=form)


def _back(request: HttpRequest, assessment: Assessment) -> str:
    """Back to the leaf page the form was sent from, or to the sheet."""
    score_id = request.POST.get("back_to_score", "")
    if score_id.isdigit() and assessment.scores.filter(pk=int(score_id)).exists():
        return reverse("assessments:score_detail", args=[int(score_id)])
    return reverse("assessments:assessment_detail", args=[assessment.pk])


def _evidence(assessment: Assessment, evidence_id: int) -> Evidence:
    evidence = assessment.evidence.filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404
    return evidence


@require_GET
@login_required
def evidence_download(request: HttpRequest, assessment_id: int, evidence_id: int) -> FileResponse:
    assessment = permissions.get_assessment_for_user(request.user, assessment_id)
    evidence = _evidence(assessment, evidence_id)
    if not evidence.file:
        raise Http404
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.file_name or evidence.file.name)


@require_POST
@login_required
def evidence_delete(request: HttpRequest, assessment_id: int, evidence_id: int) -> HttpResponse:
    assessment = permissions.get_assessment_for_user(request.user, assessment_id)
    permissions.require(permissions.is_focal_point_for(request.user, assessment.unit))
    evidence = _evidence(assessment, evidence_id)
    try:
        services.evidence_delete(actor=request.user, evidence=evidence)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xóa tài liệu kiểm chứng."))
    return redirect("assessments:assessment_detail", assessment.pk)
