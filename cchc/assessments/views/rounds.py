"""Round pages: the list, creating and editing a round, moving its stages, council approval and the compiled table.

Access: :func:`access.get_round_for_user` (404 outside what the user sees); running a round needs
:func:`access.can_manage_round`, approving it :func:`access.can_approve_round`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cchc.accounts import roles
from cchc.accounts.models import Role
from cchc.assessments import access
from cchc.frameworks import access as frameworks_access
from cchc.lib.errors import ServiceError
from cchc.lib.types import Viewer
from cchc.organisations import access as organisations_access
from cchc.organisations.models import UnitKind
from cchc.organisations.picker import unit_scope

from .. import selectors, services
from ..forms import (
    PARTICIPANT_KINDS,
    AdvanceForm,
    ApproveForm,
    RoundCreateForm,
    RoundForm,
    SheetDecision,
    SheetDecisionForm,
    show_service_error,
)
from ..models import STAGE_ORDER, Assessment, Round, Stage

GET_POST = require_http_methods(["GET", "POST"])
NAV = "assessments"


@require_GET
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = access.get_rounds_for_user(request.user).select_related("organiser")
    context = {"rounds": rounds, "can_create": access.can_create_round(request.user), "nav_active": NAV}
    return render(request, "assessments/round_list.html", context)


def _create_form(request: HttpRequest) -> RoundCreateForm:
    user = request.user
    return RoundCreateForm(
        request.POST or None,
        initial={"year": _default_year()},
        organisers=unit_scope(user, "units.visible", manage=True, active=True, kinds=[UnitKind.PROVINCE.value]),
        frameworks=frameworks_access.get_frameworks_for_user(user).order_by("-year", "unit_kind", "name"),
        units=unit_scope(user, "units.visible", manage=True, active=True, kinds=[str(k) for k in PARTICIPANT_KINDS]),
        rounds=access.get_rounds_for_user(user).order_by("-year", "name"),
    )


def _default_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


@GET_POST
@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    roles.require(access.can_create_round(request.user))
    form = _create_form(request)
    if request.method == "POST" and form.is_valid():
        organiser = form.cleaned_data["organiser"]
        roles.require(organisations_access.can_manage_unit(request.user, organiser))
        try:
            round_ = services.round_create(
                actor=request.user,
                data=form.round_data(),
                organiser=organiser,
                frameworks=list(form.cleaned_data["frameworks"]),
                units=form.participants(),
                previous_round=form.cleaned_data["previous_round"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã tạo kỳ đánh giá “%(name)s”.") % {"name": round_.name})
            return redirect("assessments:round_detail", round_.pk)
    return render(request, "assessments/round_form.html", {"form": form, "mode": "create", "nav_active": NAV})


@GET_POST
@login_required
def round_edit(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = access.get_round_for_user(request.user, round_id, manage=True)
    form = RoundForm(request.POST or None, initial=RoundForm.initial_for(round_))
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(
                actor=request.user, round_=round_, data=form.round_data(), reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu kỳ đánh giá."))
            return redirect("assessments:round_detail", round_.pk)
    context = {"form": form, "round": round_, "mode": "edit", "nav_active": NAV}
    return render(request, "assessments/round_form.html", context)


def _stages(round_: Round) -> list[dict[str, Any]]:
    current = STAGE_ORDER.index(round_.stage)
    return [
        {"value": stage.value, "label": stage.label, "done": index < current, "current": index == current}
        for index, stage in enumerate(Stage)
    ]


def _can_approve(user: Viewer, round_: Round) -> bool:
    return access.can_approve_round(user, round_) and round_.stage == Stage.COUNCIL and round_.approved_at is None


@require_GET
@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    user = request.user
    round_ = access.get_round_for_user(user, round_id)
    assessments = access.get_assessments_for_user(user).filter(round=round_)
    next_stage = services.next_stage(round_)
    can_manage = access.can_manage_round(user, round_)
    rows = all_rows = selectors.assessment_rows(assessments)
    # ?state=: the sheets in one state (the home pages' tiles link here); an unknown state shows every sheet.
    state = request.GET.get("state", "")
    if state in selectors.SheetState.LABELS:
        states = selectors.sheet_states(assessments)
        rows = [row for row in rows if state in states.get(row.assessment.pk, ())]
    else:
        state = ""
    awaiting_approval = services.awaits_council_approval(round_)
    context = {
        "state": state,
        "state_label": selectors.SheetState.LABELS.get(state, ""),
        "state_choices": list(selectors.SheetState.LABELS.items()),
        "round": round_,
        "stages": _stages(round_),
        "rows": rows,
        "overrides": [row for row in all_rows if row.assessment.approval_override_reason],
        "can_manage": can_manage,
        "next_stage": Stage(next_stage) if next_stage and can_manage and not awaiting_approval else None,
        "awaiting_approval": awaiting_approval,
        "can_approve": _can_approve(user, round_),
        "can_view_table": access.can_view_compiled_table(user, round_),
        "can_view_results": access.can_view_round_results(user, round_),
        "is_appraiser": roles.has_role(user, Role.APPRAISER) and round_.stage in (Stage.APPRAISAL, Stage.EXPLANATION),
        "nav_active": NAV,
    }
    return render(request, "assessments/round_detail.html", context)


def _decision_form(round_: Round, sheet: Assessment, data: Any = None) -> SheetDecisionForm:
    """The decision form of one unit that has not submitted; during appraisal only closing its sheet is asked."""
    close_only = round_.stage != Stage.SELF_ASSESSMENT
    return SheetDecisionForm(data, prefix=f"sheet{sheet.pk}", close_only=close_only)


def _advance_context(
    round_: Round, to_stage: str, form: AdvanceForm, decided: SheetDecisionForm | None = None
) -> dict[str, Any]:
    """What the confirmation page of a stage change summarises: who has not submitted, how far appraisal got,
    what publishing makes public. ``decided`` is a refused decision form, shown in its unit's row."""
    context: dict[str, Any] = {"round": round_, "to_stage": Stage(to_stage), "form": form, "nav_active": NAV}
    if round_.stage in (Stage.SELF_ASSESSMENT, Stage.APPRAISAL):
        blocking = services.blocking_sheets(round_)
        blocking_ids = {sheet.pk for sheet in blocking}
        progress = selectors.progress_by_assessment(Assessment.objects.filter(pk__in=blocking_ids))
        context["blocking"] = [
            (
                sheet,
                decided
                if decided is not None and decided.prefix == f"sheet{sheet.pk}"
                else _decision_form(round_, sheet),
                progress.get(sheet.pk, (0, 0)),
            )
            for sheet in blocking
        ]
        context["extended"] = [sheet for sheet in services.unsubmitted_sheets(round_) if sheet.pk not in blocking_ids]
    if round_.stage in (Stage.APPRAISAL, Stage.EXPLANATION):
        context["gaps"] = [gap for gap in services.approval_gaps(round_) if not gap[0].is_unsubmitted]
    if to_stage == Stage.PUBLISHED:
        if services.awaits_council_approval(round_):
            context["awaiting_approval"] = True
        else:
            context["summary"] = selectors.publication_summary(round_)
    return context


@GET_POST
@login_required
def round_advance(request: HttpRequest, round_id: int) -> HttpResponse:
    """GET: the confirmation page of the next stage. POST with ``confirm``: move the round."""
    round_ = access.get_round_for_user(request.user, round_id, manage=True)
    to_stage = services.next_stage(round_)
    if request.method == "GET":
        if to_stage is None:
            messages.info(request, _("Kỳ đánh giá đã ở giai đoạn cuối."))
            return redirect("assessments:round_detail", round_.pk)
        form = AdvanceForm(initial={"to_stage": to_stage})
        return render(request, "assessments/round_advance.html", _advance_context(round_, to_stage, form))
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Giai đoạn không hợp lệ."))
        return redirect("assessments:round_detail", round_.pk)
    requested = form.cleaned_data["to_stage"]
    if requested == round_.stage:
        messages.info(request, _("Kỳ đánh giá đã ở giai đoạn “%(stage)s”.") % {"stage": Stage(round_.stage).label})
        return redirect("assessments:round_detail", round_.pk)
    if not form.cleaned_data["confirm"] or requested != to_stage:
        if requested == to_stage:
            form.add_error("confirm", _("Hãy đánh dấu xác nhận sau khi xem bản tóm tắt."))
        else:
            messages.error(request, _("Giai đoạn của kỳ đã thay đổi; hãy xem lại bản tóm tắt."))
            form = AdvanceForm(initial={"to_stage": to_stage})
        if to_stage is None:
            return redirect("assessments:round_detail", round_.pk)
        return render(request, "assessments/round_advance.html", _advance_context(round_, to_stage, form), status=400)
    try:
        round_ = services.round_advance(
            actor=request.user, round_=round_, to_stage=requested, reason=form.cleaned_data["reason"]
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        if exc.code == "already":
            return redirect("assessments:round_detail", round_.pk)
        return redirect("assessments:round_advance", round_.pk)
    messages.success(
        request, _("Kỳ đánh giá đã chuyển sang giai đoạn “%(stage)s”.") % {"stage": Stage(round_.stage).label}
    )
    return redirect("assessments:round_detail", round_.pk)


@require_POST
@login_required
def sheet_decide(request: HttpRequest, round_id: int, assessment_id: int) -> HttpResponse:
    """The secretariat's decision on one unit that has not submitted: extend its deadline or close its sheet."""
    round_ = access.get_round_for_user(request.user, round_id, manage=True)
    assessment = get_object_or_404(Assessment.objects.select_related("unit", "round"), pk=assessment_id, round=round_)
    form = _decision_form(round_, assessment, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == SheetDecision.EXTEND:
                services.assessment_extend_deadline(
                    actor=request.user, assessment=assessment, deadline=data["deadline"], reason=data["reason"]
                )
                messages.success(
                    request,
                    _("Đã gia hạn cho %(unit)s đến %(date)s.")
                    % {"unit": assessment.unit.name, "date": data["deadline"].strftime("%d/%m/%Y")},
                )
            else:
                services.assessment_close_by_office(actor=request.user, assessment=assessment, reason=data["reason"])
                messages.success(
                    request,
                    _("Đã đóng phiếu thay %(unit)s (nộp muộn; tiêu chí chưa chấm được 0 điểm).")
                    % {"unit": assessment.unit.name},
                )
            return redirect("assessments:round_advance", round_.pk)
        except ServiceError as exc:
            show_service_error(form, exc)
    # The refused decision comes back in its unit's row with what was entered and each message by its field.
    to_stage = services.next_stage(round_)
    blocking = {sheet.pk for sheet in services.blocking_sheets(round_)}
    if to_stage is None or assessment.pk not in blocking:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{assessment.unit.name}: {error}")
        return redirect("assessments:round_advance", round_.pk)
    advance = AdvanceForm(initial={"to_stage": to_stage})
    context = _advance_context(round_, to_stage, advance, decided=form)
    return render(request, "assessments/round_advance.html", context, status=400)


@GET_POST
@login_required
def round_approve(request: HttpRequest, round_id: int) -> HttpResponse:
    """GET: the council's confirmation page (sheets not fully appraised, one reason each). POST: approve."""
    round_ = access.get_round_for_user(request.user, round_id)
    roles.require(access.can_approve_round(request.user, round_))
    if round_.approved_at is not None:
        messages.info(request, _("Hội đồng đã thông qua kết quả của kỳ này."))
        return redirect("assessments:round_detail", round_.pk)
    if round_.stage != Stage.COUNCIL:
        messages.error(request, _("Chỉ thông qua kết quả trong giai đoạn họp hội đồng thẩm định."))
        return redirect("assessments:round_detail", round_.pk)
    gaps = services.approval_gaps(round_)
    form = ApproveForm(request.POST or None, gaps=gaps)
    status = 200
    if request.method == "POST" and form.is_valid():
        if not form.cleaned_data["confirm"]:
            form.add_error("confirm", _("Hãy đánh dấu xác nhận sau khi xem bản tóm tắt."))
        else:
            try:
                services.round_approve(
                    actor=request.user, round_=round_, reason=form.cleaned_data["reason"], overrides=form.overrides()
                )
            except ServiceError as exc:
                if exc.code == "locked":
                    messages.info(request, exc.message)
                    return redirect("assessments:round_detail", round_.pk)
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Hội đồng đã thông qua kết quả; điểm của mọi đơn vị đã được khóa."))
                return redirect("assessments:round_detail", round_.pk)
    if request.method == "POST":
        status = 400
    context = {"round": round_, "form": form, "gaps": gaps, "units": round_.assessments.count(), "nav_active": NAV}
    return render(request, "assessments/round_approve.html", context, status=status)


@require_GET
@login_required
def round_table(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = access.get_round_for_user(request.user, round_id)
    roles.require(access.can_view_compiled_table(request.user, round_))
    assessments = access.get_assessments_for_user(request.user)
    context = {
        "round": round_,
        "tables": selectors.compiled_table(round_=round_, assessments=assessments),
        "can_approve": _can_approve(request.user, round_),
        "nav_active": NAV,
    }
    return render(request, "assessments/round_table.html", context)
