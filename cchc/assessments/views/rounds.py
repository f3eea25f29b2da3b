"""Round pages: the list, creating and editing a round, moving its stages, council approval and the compiled table.

Access: :func:`permissions.get_round_for_user` (404 outside what the user sees); running a round needs
:func:`permissions.can_manage_round`, approving it :func:`permissions.can_approve_round`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cchc.accounts import permissions
from cchc.accounts.models import Role
from cchc.lib.errors import ServiceError
from cchc.organisations.models import UnitKind

from .. import selectors, services
from ..forms import PARTICIPANT_KINDS, AdvanceForm, ApproveForm, RoundCreateForm, RoundForm, show_service_error
from ..models import STAGE_ORDER, Round, Stage

GET_POST = require_http_methods(["GET", "POST"])
NAV = "assessments"


@require_GET
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    rounds = permissions.get_rounds_for_user(request.user).select_related("organiser")
    context = {"rounds": rounds, "can_create": permissions.can_create_round(request.user), "nav_active": NAV}
    return render(request, "assessments/round_list.html", context)


def _create_form(request: HttpRequest) -> RoundCreateForm:
    user = request.user
    managed = permissions.get_units_for_user(user, manage=True).active()
    return RoundCreateForm(
        request.POST or None,
        initial={"year": _default_year()},
        organisers=managed.filter(kind=UnitKind.PROVINCE).order_by("name"),
        frameworks=permissions.get_frameworks_for_user(user).order_by("-year", "unit_kind", "name"),
        units=managed.filter(kind__in=PARTICIPANT_KINDS).order_by("kind", "name"),
        rounds=permissions.get_rounds_for_user(user).order_by("-year", "name"),
    )


def _default_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


@GET_POST
@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_create_round(request.user))
    form = _create_form(request)
    if request.method == "POST" and form.is_valid():
        organiser = form.cleaned_data["organiser"]
        permissions.require(permissions.can_manage_unit(request.user, organiser))
        try:
            round = services.round_create(
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
            messages.success(request, _("Đã tạo kỳ đánh giá “%(name)s”.") % {"name": round.name})
            return redirect("assessments:round_detail", round.pk)
    return render(request, "assessments/round_form.html", {"form": form, "mode": "create", "nav_active": NAV})


@GET_POST
@login_required
def round_edit(request: HttpRequest, round_id: int) -> HttpResponse:
    round = permissions.get_round_for_user(request.user, round_id, manage=True)
    form = RoundForm(request.POST or None, initial=RoundForm.initial_for(round))
    if request.method == "POST" and form.is_valid():
        try:
            services.round_update(
                actor=request.user, round=round, data=form.round_data(), reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu kỳ đánh giá."))
            return redirect("assessments:round_detail", round.pk)
    context = {"form": form, "round": round, "mode": "edit", "nav_active": NAV}
    return render(request, "assessments/round_form.html", context)


def _stages(round: Round) -> list[dict[str, Any]]:
    current = STAGE_ORDER.index(round.stage)
    return [
        {"value": stage.value, "label": stage.label, "done": index < current, "current": index == current}
        for index, stage in enumerate(Stage)
    ]


@require_GET
@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    user = request.user
    round = permissions.get_round_for_user(user, round_id)
    assessments = permissions.get_assessments_for_user(user).filter(round=round)
    next_stage = services.next_stage(round)
    can_manage = permissions.can_manage_round(user, round)
    context = {
        "round": round,
        "stages": _stages(round),
        "rows": selectors.assessment_rows(assessments),
        "can_manage": can_manage,
        "next_stage": Stage(next_stage) if next_stage and can_manage else None,
        "advance_form": AdvanceForm(initial={"to_stage": next_stage}) if next_stage else None,
        "can_approve": permissions.can_approve_round(user, round)
        and round.stage == Stage.COUNCIL
        and round.approved_at is None,
        "approve_form": ApproveForm(),
        "can_view_table": permissions.can_view_compiled_table(user, round),
        "can_view_results": permissions.can_view_round_results(user, round),
        "is_appraiser": permissions.has_role(user, Role.APPRAISER)
        and round.stage in (Stage.APPRAISAL, Stage.EXPLANATION),
        "nav_active": NAV,
    }
    return render(request, "assessments/round_detail.html", context)


@require_POST
@login_required
def round_advance(request: HttpRequest, round_id: int) -> HttpResponse:
    round = permissions.get_round_for_user(request.user, round_id, manage=True)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Giai đoạn không hợp lệ."))
        return redirect("assessments:round_detail", round.pk)
    try:
        round = services.round_advance(
            actor=request.user, round=round, to_stage=form.cleaned_data["to_stage"], reason=form.cleaned_data["reason"]
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Kỳ đánh giá đã chuyển sang giai đoạn “%(stage)s”.") % {"stage": Stage(round.stage).label}
        )
    return redirect("assessments:round_detail", round.pk)


@require_POST
@login_required
def round_approve(request: HttpRequest, round_id: int) -> HttpResponse:
    round = permissions.get_round_for_user(request.user, round_id)
    permissions.require(permissions.can_approve_round(request.user, round))
    form = ApproveForm(request.POST)
    form.is_valid()
    try:
        services.round_approve(actor=request.user, round=round, reason=form.cleaned_data.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Hội đồng đã thông qua kết quả; điểm của mọi đơn vị đã được khóa."))
    return redirect("assessments:round_detail", round.pk)


@require_GET
@login_required
def round_table(request: HttpRequest, round_id: int) -> HttpResponse:
    round = permissions.get_round_for_user(request.user, round_id)
    permissions.require(permissions.can_view_compiled_table(request.user, round))
    assessments = permissions.get_assessments_for_user(request.user)
    context = {
        "round": round,
        "tables": selectors.compiled_table(round=round, assessments=assessments),
        "can_approve": permissions.can_approve_round(request.user, round)
        and round.stage == Stage.COUNCIL
        and round.approved_at is None,
        "approve_form": ApproveForm(),
        "nav_active": NAV,
    }
    return render(request, "assessments/round_table.html", context)
