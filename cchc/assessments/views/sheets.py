"""A unit's scoring sheet: one area at a time with an inline form per leaf, the running total and progress,
submission (after a confirmation listing what is incomplete), reopening, and its evidence (upload, reference,
download, delete) with the criterion picker.

Access: :func:`access.get_assessment_for_user` (404 outside what the user may read); writing needs the
unit's focal point (:func:`roles.is_focal_point_for`), reopening the round's secretariat. Whether the
sheet is still open is the service's rule, answered with a Vietnamese message.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cchc.accounts import roles
from cchc.assessments import access
from cchc.lib import page_cache
from cchc.lib.errors import ServiceError
from cchc.lib.types import Viewer
from cchc.organisations.picker import ScopeError
from cchc.organisations.widgets import QUERY_MAX_LENGTH

from .. import selectors, services
from ..forms import EvidenceFileForm, EvidenceReferenceForm, ReopenForm, SelfScoreForm, show_service_error
from ..models import Assessment, AssessmentStatus, Evidence, Score
from ..picker import SCORE_SCOPES, score_result, search_scores, sheet_scope

NAV = "assessments"


def _area_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("area", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def sheet_context(
    request: HttpRequest,
    assessment: Assessment,
    area_id: int | None,
    *,
    bound: dict[int, SelfScoreForm] | None = None,
    can_edit: bool | None = None,
    closed: datetime.date | bool | None = False,
) -> dict[str, Any]:
    """What the sheet page and its inline fragments show: the area's leaves with a form each for the focal point.

    ``can_edit`` and ``closed`` (the explanation deadline passed for the viewer) are worked out here unless given.
    """
    user = request.user
    if can_edit is None:
        can_edit = access.can_edit_self_assessment(user, assessment)
    try:
        sheet = selectors.area_sheet(assessment, area_id)
    except LookupError:
        raise Http404 from None
    bound = bound or {}
    for row in sheet.leaves:
        row.form = bound.get(row.score.pk) or (self_score_form(row.score) if can_edit else None)
        row.rule_text = services.rule_text(row.criterion)
        row.declared = services.declared_text(row.score.self_value, row.score.self_choice)
        row.entry_kind = services.input_kind(row.criterion)
    return {
        "assessment": assessment,
        "round": assessment.round,
        "sheet": sheet,
        "can_edit": can_edit,
        "explanation_closed": explanation_closed(user, assessment) if closed is False else closed,
        "deadline": selectors.sheet_deadline(assessment) if assessment.is_unsubmitted else None,
    }


def explanation_closed(user: Viewer, assessment: Assessment) -> datetime.date | None:
    """The explanation deadline, when it has passed for a unit the user answers for (else ``None``)."""
    if assessment.status not in services.EXPLAINABLE_STATUSES:
        return None
    if not roles.is_focal_point_for(user, assessment.unit):
        return None
    return selectors.explanation_deadline_passed(assessment.round)


def self_score_form(score: Score, data: Any = None) -> SelfScoreForm:
    """The inline form of one leaf; ids carry the score so that a page of many leaves has no duplicate ids."""
    initial = None if data is not None else SelfScoreForm.initial_for(score)
    return SelfScoreForm(data, initial=initial, criterion=score.criterion, auto_id=f"leaf{score.pk}-%s")


# The apps whose tables the sheet's sections read (the sheet, its scores and evidence, the round; the criteria; the
# unit): a write to any of them makes the next request draw the sections again (``cchc.lib.page_cache``). What the
# sections show of the viewer is in their key: may they edit the sheet, may they reopen it, the explanation deadline
# passed for them, and who they are when they may edit (the evidence pickers' scope is signed for them); who may
# read the sheet at all is checked before (``access.get_assessment_for_user``).
SHEET_READS = ("assessments", "frameworks", "organisations")


# The sheet's sections as HTML (the page's main part, the list of evidence, the evidence forms), with the stand-in
# their CSRF tokens were drawn with (random, per drawing): a tuple, which the cache keeps whatever the code of the
# classes at the time.
SheetSections = tuple[str, str, str, str]


def _with_token(sections: SheetSections, token: str) -> list[SafeString]:
    *parts, stand_in = sections
    return [mark_safe(part.replace(stand_in, token)) for part in parts]  # noqa: S308 - drawn by our own template


def _draw_sections(
    request: HttpRequest,
    assessment: Assessment,
    area_id: int | None,
    *,
    can_edit: bool,
    can_reopen: bool,
    closed: datetime.date | None,
    bound: dict[int, SelfScoreForm] | None = None,
    forms: dict[str, Any],
) -> SheetSections:
    """The sections of the sheet page that do not change with each request: its header, summary, areas and leaves
    (with their forms), the list of its evidence and the evidence forms. Drawn without the request: nothing
    personal but the flags, and the pickers' scope signed for the viewer when they may edit."""
    user = request.user
    context = sheet_context(request, assessment, area_id, bound=bound, can_edit=can_edit, closed=closed)
    stand_in = secrets.token_urlsafe(24)
    context.update(
        {
            "evidence": assessment.evidence.prefetch_related("scores__criterion").order_by("created_at"),
            "can_reopen": can_reopen,
            "reopen_form": forms.get("reopen_form") or ReopenForm(),
            "file_form": forms.get("file_form")
            or (EvidenceFileForm(scores=sheet_scope(user, assessment)) if can_edit else None),
            "reference_form": forms.get("reference_form")
            or (EvidenceReferenceForm(scores=sheet_scope(user, assessment)) if can_edit else None),
            "csrf_token": stand_in,
        }
    )
    template = "assessments/assessment_detail.html"
    return (
        str(render_to_string(f"{template}#sheet-main", context)),
        str(render_to_string(f"{template}#evidence-list", context)),
        str(render_to_string(f"{template}#evidence-forms", context)),
        stand_in,
    )


def sheet_page(
    request: HttpRequest,
    assessment: Assessment,
    status: int = 200,
    *,
    area_id: int | None = None,
    bound: dict[int, SelfScoreForm] | None = None,
    **forms: Any,
) -> HttpResponse:
    """The sheet page. Its sections come from the cache, under the version of the data they read and what they show
    of the viewer, unless they show a form sent back with its errors."""
    user = request.user
    can_edit = access.can_edit_self_assessment(user, assessment)
    can_reopen = access.can_manage_round(user, assessment.round) and assessment.status == AssessmentStatus.SUBMITTED
    closed = explanation_closed(user, assessment)

    def draw() -> SheetSections:
        return _draw_sections(
            request,
            assessment,
            area_id,
            can_edit=can_edit,
            can_reopen=can_reopen,
            closed=closed,
            bound=bound,
            forms=forms,
        )

    if bound or any(forms.values()):
        sections = draw()
    else:
        # The evidence pickers of an editor carry a scope signed for them: an editor's sections are their own.
        editor = user.pk if can_edit else None
        sections = page_cache.fragment(
            "assessments.sheet",
            reads=SHEET_READS,
            scope=(assessment.pk, area_id, can_edit, can_reopen, closed, editor, timezone.get_current_timezone_name()),
            compute=draw,
        )
    main, evidence, evidence_forms = _with_token(sections, get_token(request))
    context = {
        "assessment": assessment,
        "round": assessment.round,
        "sheet_main": main,
        "evidence_list": evidence,
        "evidence_forms": evidence_forms,
        "nav_active": NAV,
    }
    return render(request, "assessments/assessment_detail.html", context, status=status)


@require_GET
@login_required
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, assessment_id, from_cache=True)
    return sheet_page(request, assessment, area_id=_area_id(request))


def _confirm_page(request: HttpRequest, assessment: Assessment, status: int = 200) -> HttpResponse:
    context = {
        "assessment": assessment,
        "round": assessment.round,
        "missing": selectors.missing_leaves(assessment),
        "deadline": selectors.sheet_deadline(assessment),
        "can_edit": access.can_edit_self_assessment(request.user, assessment),
        "nav_active": NAV,
    }
    return render(request, "assessments/assessment_submit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def assessment_submit(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Submitting asks first: the confirmation page lists every leaf still incomplete (with links to it).

    Only a POST carrying ``confirm`` submits. Submitting a sheet already submitted changes nothing and says so.
    """
    assessment = access.get_assessment_for_user(request.user, assessment_id)
    roles.require(roles.is_focal_point_for(request.user, assessment.unit))
    if assessment.status == AssessmentStatus.SUBMITTED and assessment.submitted_at is not None:
        return _already_submitted(request, assessment)
    if request.method == "GET" or request.POST.get("confirm") != "1":
        return _confirm_page(request, assessment)
    try:
        assessment = services.assessment_submit(actor=request.user, assessment=assessment)
    except ServiceError as exc:
        assessment.refresh_from_db()
        if assessment.status == AssessmentStatus.SUBMITTED:  # a second click that lost the race
            return _already_submitted(request, assessment)
        if exc.code == "incomplete":
            return _confirm_page(request, assessment, status=400)
        messages.error(request, exc.message)
    else:
        if assessment.is_late:
            messages.warning(request, _("Đã nộp phiếu tự đánh giá (sau hạn)."))
        else:
            messages.success(request, _("Đã nộp phiếu tự đánh giá."))
    return redirect("assessments:assessment_detail", assessment.pk)


def _already_submitted(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    moment = timezone.localtime(assessment.submitted_at) if assessment.submitted_at else None
    messages.info(
        request,
        _("Phiếu đã được nộp lúc %(time)s; không cần nộp lại.")
        % {"time": moment.strftime("%H:%M %d/%m/%Y") if moment else "—"},
    )
    return redirect("assessments:assessment_detail", assessment.pk)


@require_POST
@login_required
def assessment_reopen(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, assessment_id)
    roles.require(access.can_manage_round(request.user, assessment.round))
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_reopen(actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã mở lại phiếu cho đơn vị."))
            return redirect("assessments:assessment_detail", assessment.pk)
    return sheet_page(request, assessment, status=400, reopen_form=form)


@require_POST
@login_required
def evidence_upload(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, assessment_id)
    roles.require(roles.is_focal_point_for(request.user, assessment.unit))
    form = EvidenceFileForm(request.POST, request.FILES, scores=sheet_scope(request.user, assessment))
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
    return sheet_page(request, assessment, status=400, file_form=form)


@require_POST
@login_required
def evidence_reference(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, assessment_id)
    roles.require(roles.is_focal_point_for(request.user, assessment.unit))
    form = EvidenceReferenceForm(request.POST, scores=sheet_scope(request.user, assessment))
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
    return sheet_page(request, assessment, status=400, reference_form=form)


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
    assessment = access.get_assessment_for_user(request.user, assessment_id)
    evidence = _evidence(assessment, evidence_id)
    if not evidence.file:
        raise Http404
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.file_name or evidence.file.name)


@require_POST
@login_required
def evidence_delete(request: HttpRequest, assessment_id: int, evidence_id: int) -> HttpResponse:
    assessment = access.get_assessment_for_user(request.user, assessment_id)
    roles.require(roles.is_focal_point_for(request.user, assessment.unit))
    evidence = _evidence(assessment, evidence_id)
    try:
        services.evidence_delete(actor=request.user, evidence=evidence)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xóa tài liệu kiểm chứng."))
    return redirect("assessments:assessment_detail", assessment.pk)


@require_GET
@never_cache
@login_required
def score_search(request: HttpRequest) -> JsonResponse:
    """The search behind the criterion picker (``picker.CriterionPickerWidget``).

    ``GET /assessments/scores/search/?scope=<token>&q=<text>`` answers ``{"results": [{"id", "name", "detail",
    "label"}], "more": bool}``. The token names the leaves of one sheet; they are looked up among the scores of the
    sheets the user may read, so a token can narrow what the user sees but never widen it.
    """
    try:
        scores = SCORE_SCOPES.rows(request.GET.get("scope", ""), request.user)
    except signing.SignatureExpired:
        return JsonResponse({"detail": _("Trang này đã mở quá lâu; hãy tải lại trang để tìm tiêu chí.")}, status=400)
    except (signing.BadSignature, ScopeError):
        return JsonResponse({"detail": _("Yêu cầu tìm tiêu chí không hợp lệ; hãy tải lại trang.")}, status=400)
    rows, more = search_scores(scores, request.GET.get("q", "")[:QUERY_MAX_LENGTH])
    return JsonResponse({"results": [score_result(score) for score in rows], "more": more})
