"""One leaf of a unit's sheet: self-score, evidence, appraisal, explanation and its full history.

The self-score and appraisal writes also serve the sheet and appraisal pages, which post one leaf at a time
(``back=sheet`` / ``back=appraisal``): with htmx the answer is the leaf's fragment, without it a redirect back to
the leaf on its area page (or that page with the form's errors).

Access: :func:`access.get_score_for_user` (404 outside what the user may read). Writing: the unit's
focal point (self-score, explanation), an appraiser working in the criterion's lead unit (appraisal).
A stale ``version`` in an appraisal or self-score form answers 409 with the "reload" message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cchc.accounts import roles
from cchc.assessments import access
from cchc.lib.errors import ConflictError, ServiceError

from .. import selectors, services
from ..forms import (
    AppraisalAdjustForm,
    AppraisalForm,
    EvidenceFileForm,
    ExplanationForm,
    SelfScoreForm,
    show_service_error,
)
from ..models import Score
from ..picker import sheet_scope
from . import appraisal, sheets

NAV = "assessments"


def _score_page(request: HttpRequest, score: Score, status: int = 200, **forms: Any) -> HttpResponse:
    user = request.user
    assessment = score.assessment
    auto = services.is_auto(score.criterion)
    can_self = access.can_edit_self_assessment(user, assessment)
    can_appraise = access.can_appraise_score(user, score)
    can_explain = access.can_explain_score(user, score)
    criterion = score.criterion
    context = {
        "score": score,
        "criterion": score.criterion,
        "assessment": assessment,
        "round": assessment.round,
        "auto": auto,
        "step": services.format_points(services.step_of(score.criterion)),
        "input_kind": services.input_kind(criterion),
        "rule_text": services.rule_text(criterion),
        "self_declared": services.declared_text(score.self_value, score.self_choice),
        "appraised_declared": services.declared_text(score.appraised_value, score.appraised_choice),
        "evidence": score.evidence.order_by("created_at"),
        "explanations": score.explanations.select_related("author").prefetch_related("evidence"),
        "history": selectors.score_history(score),
        "can_self": can_self,
        "can_appraise": can_appraise,
        "can_explain": can_explain,
        "self_form": forms.get("self_form")
        or (SelfScoreForm(initial=SelfScoreForm.initial_for(score), criterion=criterion) if can_self else None),
        "file_form": forms.get("file_form")
        or (
            EvidenceFileForm(scores=sheet_scope(request.user, assessment), initial={"scores": [score.pk]})
            if can_self
            else None
        ),
        "appraisal_form": forms.get("appraisal_form")
        or (AppraisalForm(initial=AppraisalForm.initial_for(score), criterion=criterion) if can_appraise else None),
        "explanation_form": forms.get("explanation_form") or (ExplanationForm() if can_explain else None),
        "explanation_closed": sheets.explanation_closed(user, assessment)
        if score.appraised_score is not None and score.appraised_score != score.self_score
        else None,
        "nav_active": NAV,
    }
    return render(request, "assessments/score_detail.html", context, status=status)


def _error_status(exc: ServiceError) -> int:
    return 409 if isinstance(exc, ConflictError) else 400


@require_GET
@login_required
def score_detail(request: HttpRequest, score_id: int) -> HttpResponse:
    return _score_page(request, access.get_score_for_user(request.user, score_id))


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _sheet_url(score: Score, area_id: int) -> str:
    url = reverse("assessments:assessment_detail", args=[score.assessment_id])
    return f"{url}?area={area_id}#leaf-{score.pk}"


def _sheet_leaf(
    request: HttpRequest, score: Score, area_id: int, *, form: Any = None, saved: bool = False
) -> HttpResponse:
    """The leaf's fragment of the sheet page (with the running total and progress swapped out of band)."""
    context = sheets.sheet_context(request, score.assessment, area_id, bound={score.pk: form} if form else None)
    row = context["sheet"].leaf(score.pk)
    if row is None:
        raise Http404
    row.saved = saved
    context["row"] = row
    return render(request, "assessments/_sheet_leaf.html", context)


def _appraisal_leaf(
    request: HttpRequest, score: Score, area_id: int, *, form: Any = None, saved: bool = False
) -> HttpResponse:
    context = appraisal.appraisal_context(request, score.assessment, area_id, bound={score.pk: form} if form else None)
    row = context["sheet"].leaf(score.pk)
    if row is None:
        raise Http404
    row.saved = saved
    row.open_adjust = form is not None
    context["row"] = row
    return render(request, "assessments/_appraisal_leaf.html", context)


@require_POST
@login_required
def score_self(request: HttpRequest, score_id: int) -> HttpResponse:
    """Save one leaf's self-score, from its own page or inline from the sheet (``back=sheet``, htmx or not)."""
    score = access.get_score_for_user(request.user, score_id)
    roles.require(roles.is_focal_point_for(request.user, score.assessment.unit))
    from_sheet = request.POST.get("back") == "sheet"
    if from_sheet:
        form = sheets.self_score_form(score, request.POST)
    else:
        form = SelfScoreForm(request.POST, criterion=score.criterion)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        entry = form.entry()
        if services.is_auto(score.criterion):
            entry["points"] = score.self_score
        try:
            score = services.score_self_set(
                actor=request.user,
                score=score,
                **entry,
                note=data["note"],
                no_evidence_reason=data["no_evidence_reason"],
                version=data["version"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
            status = _error_status(exc)
        else:
            if from_sheet and _is_htmx(request):
                return _sheet_leaf(request, score, selectors.area_id_of(score.criterion), saved=True)
            messages.success(request, _("Đã lưu điểm tự chấm tiêu chí %(code)s.") % {"code": score.criterion.code})
            if from_sheet:
                return redirect(_sheet_url(score, selectors.area_id_of(score.criterion)))
            return redirect("assessments:score_detail", score.pk)
    if from_sheet:
        area_id = selectors.area_id_of(score.criterion)
        if _is_htmx(request):
            # htmx swaps only successful answers: the leaf comes back with its errors next to the fields.
            return _sheet_leaf(request, score, area_id, form=form)
        return sheets.sheet_page(request, score.assessment, status, area_id=area_id, bound={score.pk: form})
    return _score_page(request, score, status=status, self_form=form)


@require_POST
@login_required
def score_appraise(request: HttpRequest, score_id: int) -> HttpResponse:
    """Accept or adjust one leaf, from its own page or from the appraisal page (``back=appraisal``, htmx or not)."""
    score = access.get_score_for_user(request.user, score_id)
    roles.require(access.leads_criterion(request.user, score.criterion, score.assessment.unit))
    from_sheet = request.POST.get("back") == "appraisal"
    if from_sheet:
        form: AppraisalForm = appraisal.adjust_form(score, request.POST)
    else:
        form = AppraisalForm(request.POST, criterion=score.criterion)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            score = services.score_appraise(
                actor=request.user,
                score=score,
                version=data["version"],
                accept=data["decision"] == AppraisalForm.ACCEPT,
                **form.entry(),
                reason=data["reason"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
            status = _error_status(exc)
        else:
            if from_sheet and _is_htmx(request):
                return _appraisal_leaf(request, score, selectors.area_id_of(score.criterion), saved=True)
            messages.success(request, _("Đã lưu kết quả thẩm định tiêu chí %(code)s.") % {"code": score.criterion.code})
            if from_sheet:
                area_id = selectors.area_id_of(score.criterion)
                return redirect(appraisal.appraisal_url(score.assessment_id, area_id, score.pk))
            return redirect("assessments:score_detail", score.pk)
    if from_sheet:
        area_id = selectors.area_id_of(score.criterion)
        if _is_htmx(request):
            return _appraisal_leaf(request, score, area_id, form=form)
        assert isinstance(form, AppraisalAdjustForm)
        return appraisal.appraisal_page(request, score.assessment, area_id, status, bound={score.pk: form})
    return _score_page(request, score, status=status, appraisal_form=form)


@require_POST
@login_required
def score_explain(request: HttpRequest, score_id: int) -> HttpResponse:
    score = access.get_score_for_user(request.user, score_id)
    roles.require(roles.is_focal_point_for(request.user, score.assessment.unit))
    form = ExplanationForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.explanation_add(
                actor=request.user,
                score=score,
                text=data["text"],
                proposed_score=data["proposed_score"],
                upload=data["file"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã gửi giải trình tiêu chí %(code)s.") % {"code": score.criterion.code})
            return redirect("assessments:score_detail", score.pk)
    return _score_page(request, score, status=400, explanation_form=form)
