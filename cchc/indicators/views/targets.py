"""Targets of an indicator: add, edit, delete (with confirmation). The secretariat and administrators only; a target
of one unit only inside the secretariat's scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from cchc.accounts import roles
from cchc.lib.errors import ServiceError
from cchc.organisations.picker import Scope, unit_scope

from .. import access, services
from ..forms import TargetForm, show_service_error
from ..models import Target
from .common import GET_POST, page, posted


def _units(request: HttpRequest) -> Scope:
    return unit_scope(request.user, "units.visible", manage=True, active=True)


@GET_POST
@login_required
def target_create(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = access.get_indicator_for_user(request.user, indicator_id, manage=True)
    form = TargetForm(posted(request), units=_units(request))
    if request.method == "POST" and form.is_valid():
        data = form.target_data()
        roles.require(access.can_manage_target(request.user, Target(indicator=indicator, unit=data.unit)))
        try:
            services.target_create(actor=request.user, indicator=indicator, data=data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã thêm chỉ tiêu."))
            return redirect("indicators:indicator_detail", indicator.pk)
    return page(request, "indicators/target_form.html", form=form, indicator=indicator, target=None)


@GET_POST
@login_required
def target_edit(request: HttpRequest, indicator_id: int, target_id: int) -> HttpResponse:
    indicator = access.get_indicator_for_user(request.user, indicator_id, manage=True)
    target = access.get_target_for_user(request.user, indicator, target_id)
    form = TargetForm(posted(request), units=_units(request), initial=TargetForm.initial_for(target))
    if request.method == "POST" and form.is_valid():
        data = form.target_data()
        roles.require(access.can_manage_target(request.user, Target(indicator=indicator, unit=data.unit)))
        try:
            services.target_update(actor=request.user, target=target, data=data)
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu chỉ tiêu."))
            return redirect("indicators:indicator_detail", indicator.pk)
    return page(request, "indicators/target_form.html", form=form, indicator=indicator, target=target)


@GET_POST
@login_required
def target_delete(request: HttpRequest, indicator_id: int, target_id: int) -> HttpResponse:
    indicator = access.get_indicator_for_user(request.user, indicator_id, manage=True)
    target = indicator.targets.select_related("unit").filter(pk=target_id).first()
    if target is None and request.method == "POST":
        # A second click after the target is gone: nothing more to delete.
        return redirect("indicators:indicator_detail", indicator.pk)
    target = access.get_target_for_user(request.user, indicator, target_id)
    if request.method == "POST":
        services.target_delete(actor=request.user, target=target)
        messages.success(request, _("Đã xóa chỉ tiêu."))
        return redirect("indicators:indicator_detail", indicator.pk)
    return page(request, "indicators/target_delete.html", indicator=indicator, target=target)
